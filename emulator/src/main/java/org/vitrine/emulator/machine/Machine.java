package org.vitrine.emulator.machine;

import java.util.ArrayList;
import java.util.List;

import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.cpu.Pstate;
import org.vitrine.emulator.memory.HostMemory;
import org.vitrine.emulator.memory.PhysicalMemory;
import org.vitrine.emulator.spi.ArrayMemoryDevice;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.MmioDevice;
import org.vitrine.emulator.time.EventQueue;
import org.vitrine.emulator.time.TimingModel;
import org.vitrine.emulator.unicorn.Arm64Reg;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * A machine without devices: one CPU, RAM, the cycle clock and an MMIO map. A board (devices
 * module) adds devices with {@link #map}, loads an image and calls {@link #run}. Closing the
 * machine closes the engine and frees RAM.
 *
 * <p>The machine owns the {@link GuestLog} its parts report guest mistakes to; a board hands it to
 * each device it builds.
 */
public final class Machine implements AutoCloseable {
    /** A device region in the physical map. */
    public record Region(long base, long size, MmioDevice device) { }

    private final Unicorn uc;
    private final EventQueue clock;
    private final PhysicalMemory ram;
    private final Cpu cpu;
    private final GuestLog log;
    private final List<Region> regions = new ArrayList<>();
    private ArrayDeviceMappings arrayDevices;
    private final java.util.Map<Long, SubPageDispatcher> subPages = new java.util.HashMap<>();
    /** Granule of MMIO mappings: the engine's page ({@link Unicorn#PAGE_SIZE}). */
    private static final long PAGE = Unicorn.PAGE_SIZE;

    /** A machine whose guest errors are printed on standard error. */
    public Machine(long ramBase, long ramSize, TimingModel timing, Unicorn.CpuModel model) {
        this(ramBase, ramSize, timing, model, GuestLog.toStandardError());
    }

    public Machine(long ramBase, long ramSize, TimingModel timing, Unicorn.CpuModel model, GuestLog log) {
        if (ramSize <= 0 || (ramSize & 0xfff) != 0) throw new IllegalArgumentException("RAM size must be a positive multiple of 4 KiB");
        this.log = log;
        this.uc = Unicorn.open(model);
        try {
            this.ram = new PhysicalMemory(ramBase, HostMemory.allocate(ramSize, uc.arena()));
            uc.mapPtr(ramBase, ram.segment(), Unicorn.PROT_ALL);
            this.clock = new EventQueue(timing.cyclesPerSecond());
            this.cpu = new Cpu(uc, clock, timing, ram, log);
            cpu.devicePages(this::isDevicePage);
        } catch (RuntimeException e) {
            uc.close();
            throw e;
        }
    }

    public Unicorn unicorn() {
        return uc;
    }

    public EventQueue clock() {
        return clock;
    }

    public PhysicalMemory ram() {
        return ram;
    }

    public Cpu cpu() {
        return cpu;
    }

    /** Where this machine's parts report guest mistakes. */
    public GuestLog guestLog() {
        return log;
    }

    public List<Region> regions() {
        return List.copyOf(regions);
    }

    /**
     * Maps a device's register block at {@code base}; overlapping regions are refused. Unicorn maps
     * MMIO only in whole pages, so blocks smaller than a page (virtio-mmio's 0x200-byte transports)
     * share a {@link SubPageDispatcher} that routes each access by offset.
     */
    public void map(long base, MmioDevice device) {
        long size = device.size();
        if (size <= 0) throw new IllegalArgumentException(device.name() + " has no size");
        checkFree(base, device);
        if ((base & (PAGE - 1)) == 0 && (size & (PAGE - 1)) == 0) {
            uc.mapMmio(base, size, handlerFor(device));
        } else {
            long page = base & -PAGE;
            if (base + size > page + PAGE) {
                throw new IllegalArgumentException(String.format("%s at 0x%x+0x%x: a block smaller than a page must not cross a page",
                        device.name(), base, size));
            }
            SubPageDispatcher d = subPages.get(page);
            if (d == null) {
                d = new SubPageDispatcher(page, PAGE, log);
                subPages.put(page, d);
                uc.mapMmio(page, PAGE, handlerFor(d));
            }
            d.add(base - page, device);
        }
        regions.add(new Region(base, size, device));
    }

    /**
     * Maps a device whose reads are mostly plain memory (flash): as read-only, executable memory
     * while it is in array mode, as MMIO otherwise (see {@link ArrayDeviceMappings}).
     */
    public void mapArrayDevice(long base, ArrayMemoryDevice device) {
        long size = device.size();
        if ((base & (PAGE - 1)) != 0 || (size & (PAGE - 1)) != 0) throw new IllegalArgumentException(device.name() + " must be page-aligned");
        checkFree(base, device);
        if (arrayDevices == null) arrayDevices = new ArrayDeviceMappings(uc, cpu, Machine::handlerFor);
        arrayDevices.map(base, device);
        regions.add(new Region(base, size, device));
    }

    private void checkFree(long base, MmioDevice device) {
        long size = device.size();
        for (Region r : regions) {
            if (base < r.base() + r.size() && r.base() < base + size) {
                throw new IllegalArgumentException(String.format("%s at 0x%x overlaps %s at 0x%x", device.name(), base,
                        r.device().name(), r.base()));
            }
        }
    }

    /** True when {@code pa} is in a page given to a device, flash included (Unicorn maps MMIO in whole pages). */
    private boolean isDevicePage(long pa) {
        for (Region r : regions) {
            long first = r.base() & -PAGE, end = (r.base() + r.size() + PAGE - 1) & -PAGE;
            if (pa >= first && pa < end) return true;
        }
        return false;
    }

    private static Unicorn.MmioHandler handlerFor(MmioDevice device) {
        return new Unicorn.MmioHandler() {
            @Override
            public long read(long offset, int sz) {
                return device.read(offset, sz);
            }

            @Override
            public void write(long offset, int sz, long value) {
                device.write(offset, sz, value);
            }
        };
    }

    /** Sets the entry state QEMU gives a bare-metal image: EL1h, interrupts masked, PC at entry. */
    public void reset(long entry, long x0) {
        uc.reg(Arm64Reg.PSTATE, Pstate.EL1H_DAIF_MASKED);
        uc.reg(Arm64Reg.x(0), x0);
        for (int i = 1; i <= 3; i++) uc.reg(Arm64Reg.x(i), 0); // x1-x3 = 0, as the arm64 boot protocol asks
        uc.reg(Arm64Reg.PC, entry);
        uc.flushTranslations();
    }

    /**
     * The machine's own parts of a snapshot, in restore order: the clock first (the owners of
     * pending events reclaim them from it as they restore), the CPU, its generic timer, then RAM
     * (the pages ever touched). A board adds its devices after these.
     */
    public List<org.vitrine.emulator.snapshot.Snapshottable> snapshotParts() {
        List<org.vitrine.emulator.snapshot.Snapshottable> parts = new ArrayList<>();
        parts.add(clock);
        parts.add(cpu.snapshotPart());
        if (cpu.timer() != null) parts.add(cpu.timer());
        if (cpu.pmu() != null) parts.add(cpu.pmu());
        parts.add(org.vitrine.emulator.snapshot.PageImage.part("ram", ram.segment(), true));
        return parts;
    }

    public Cpu.Exit run(long untilCycle) {
        return cpu.run(untilCycle);
    }

    @Override
    public void close() {
        uc.close();
    }
}
