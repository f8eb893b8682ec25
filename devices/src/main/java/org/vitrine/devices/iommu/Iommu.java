package org.vitrine.devices.iommu;

import org.vitrine.devices.regs.RegisterMap;
import org.vitrine.emulator.memory.PhysicalMemory;
import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.snapshot.StateReader;
import org.vitrine.emulator.snapshot.StateWriter;
import org.vitrine.emulator.spi.DmaPort;
import org.vitrine.emulator.spi.DmaPort.DmaException;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.MmioDevice;
import org.vitrine.emulator.time.EventQueue;

/**
 * What the three IOMMU models share: the translation path from a device's DMA port through the
 * {@link Iotlb} to the model's table walk, fault reporting, the optional
 * {@link StaleIotlbDetector}, and the {@link CommandPump} that executes queued commands after a
 * latency on the cycle clock.
 *
 * <h2>Translation path (per DMA page)</h2>
 * <ol>
 *   <li>{@link #translating(int)}: the model says whether the device's DMA is translated, passed
 *       through (IOMMU disabled, as after reset, or a bypass configuration), or refused (a fault).</li>
 *   <li>IOTLB lookup; on a miss the model {@link #walk walks} its tables and the result is cached
 *       until an invalidation removes it; on a hit with the detector on, the detector checks it.</li>
 *   <li>The access is checked against the entry's permissions; a fault is handed to the model's
 *       {@link #recordFault} (its event queue or fault registers, and its interrupt), and the DMA
 *       fails with a {@link DmaException}, which the device turns into its own error report.</li>
 * </ol>
 * The tables are read from guest RAM as physical addresses (an IOMMU's own accesses are not
 * translated); a table outside RAM is a walk abort, never a host exception.
 *
 * <h2>Snapshots</h2>
 * One section per IOMMU, named after the model: the command latency (must match), the fault
 * count, the stored registers, the model's own state ({@link #saveModel}: its registers held in
 * fields, queue indices, cached configuration), then two nested sections with versions of their
 * own: the {@link Iotlb} with every entry, stale ones included (they are kept on purpose until an
 * invalidation completes: dropping them would be guest-visible), and the
 * {@link StaleIotlbDetector} when {@code --iommu-check} is on. A command in flight is a clock
 * event with a declared identity ({@link CommandPump}), reclaimed on restore.
 */
public abstract class Iommu implements MmioDevice, Snapshottable {
    protected final PhysicalMemory ram;
    protected final EventQueue clock;
    protected final GuestLog.Source log;
    protected final Iotlb iotlb = new Iotlb();
    protected final CommandPump pump;
    /** The model's registers, declared in its constructor; MMIO goes straight to them. */
    protected RegisterMap regs;
    private StaleIotlbDetector detector;
    private long faults, commands;

    /**
     * @param commandLatencyCycles cycles each queued command takes to complete (see {@link CommandPump})
     */
    protected Iommu(PhysicalMemory ram, EventQueue clock, GuestLog log, String name, long commandLatencyCycles) {
        this.ram = ram;
        this.clock = clock;
        this.log = log.source(name);
        this.pump = new CommandPump(clock, name, commandLatencyCycles, this::commandPending, () -> {
            epoch++;
            commands++;
            executeCommand();
        });
    }

    // ---- What each model provides ----------------------------------------------------------------

    /**
     * True when {@code deviceId}'s DMA is translated, false when it passes through untranslated.
     * Throws the fault when the configuration makes the IOMMU refuse the device's DMA.
     */
    protected abstract boolean translating(int deviceId) throws IommuFault;

    /** Walks the tables for {@code deviceId}'s {@code iova}. */
    protected abstract PageWalk walk(int deviceId, long iova) throws IommuFault;

    /** Records a fault the way the hardware does (event queue, fault registers) and interrupts. */
    protected abstract void recordFault(int deviceId, long iova, boolean write, IommuFault fault);

    /** True when the command queue holds a command the IOMMU will execute. */
    protected abstract boolean commandPending();

    /** Executes (completes) the command at the head of the queue. */
    protected abstract void executeCommand();

    /** Writes the model's own state: what its fields hold (registers, queue indices, configuration cache). */
    protected abstract void saveModel(StateWriter out);

    /**
     * Reads and checks what {@link #saveModel} wrote with the section's layout {@code version};
     * returns what installs it (changing nothing before it runs).
     */
    protected abstract Runnable loadModel(StateReader in, int version) throws SnapshotException;

    // ---- Shared -----------------------------------------------------------------------------------

    @Override
    public final long size() {
        return regs.size();
    }

    @Override
    public final long read(long offset, int size) {
        return regs.read(offset, size);
    }

    @Override
    public final void write(long offset, int size, long value) {
        epoch++;
        regs.write(offset, size, value);
    }

    /**
     * Bumped by every register write and every executed command: anything that may change whether
     * or how a device's DMA is translated. A port's remembered entry is only used within one epoch.
     */
    private long epoch;

    /** A port's memory of the entry its last page used (the hit path without a hash lookup). */
    static final class LastHit {
        long epoch = -1;
        long page = -1;
        Iotlb.Entry entry;
    }

    /** The DMA port for a device behind this IOMMU with ID {@code deviceId} (stream / source / device ID). */
    public DmaPort port(int deviceId, String deviceName) {
        if (deviceId < 0 || deviceId > Iotlb.MAX_DEVICE_ID) throw new IllegalArgumentException("device ID " + deviceId);
        return new IommuDmaPort(this, ram, deviceId, deviceName);
    }

    /** Turns on the stale-IOTLB detector ({@code --iommu-check}). */
    public void check(StaleIotlbDetector d) {
        this.detector = d;
    }

    public StaleIotlbDetector detector() {
        return detector;
    }

    public Iotlb iotlb() {
        return iotlb;
    }

    /** Translation faults recorded so far. */
    public long faults() {
        return faults;
    }

    /** Queued commands the IOMMU has taken from its queue so far, illegal ones included. */
    public long commandsExecuted() {
        return commands;
    }

    /** Cycles each queued command takes. */
    public long commandLatencyCycles() {
        return pump.latencyCycles();
    }

    /**
     * The physical address {@code deviceId}'s access to {@code iova} goes to (the page it lies in
     * is translated as a whole); a fault is recorded and thrown as a {@link DmaException}.
     */
    final long translate(int deviceId, String device, long iova, boolean write, LastHit last) throws DmaException {
        long page = iova & ~0xFFFL;
        Iotlb.Entry hit = last.entry;
        if (last.epoch == epoch && last.page == page && hit != null && hit.valid && detector == null
                && (write ? hit.walk().writable() : hit.walk().readable())) {
            iotlb.countHit();
            return hit.walk().outputPage() | (iova & 0xFFF);
        }
        long pa = translate(deviceId, device, iova, write);
        last.entry = lastEntry;
        last.page = page;
        last.epoch = epoch;
        return pa;
    }

    /** The entry the last translation used (null for a pass-through): what a port remembers. */
    private Iotlb.Entry lastEntry;

    final long translate(int deviceId, String device, long iova, boolean write) throws DmaException {
        lastEntry = null;
        try {
            if (!translating(deviceId)) return iova;
            Iotlb.Entry e = iotlb.lookup(deviceId, iova);
            if (e == null) {
                PageWalk w = walk(deviceId, iova);
                e = iotlb.insert(deviceId, iova, w);
                if (detector != null) detector.watch(w);
            } else if (detector != null) {
                detector.check(e, device, iova, this::walkNow);
            }
            PageWalk w = e.walk();
            lastEntry = e;
            if (write ? !w.writable() : !w.readable()) {
                lastEntry = null;
                throw new IommuFault(IommuFault.Kind.PERMISSION, -1,
                        String.format("IOVA 0x%x is mapped %s", iova, w.readable() ? "read-only" : w.writable() ? "write-only" : "without access"));
            }
            return w.outputPage() | (iova & 0xFFF);
        } catch (IommuFault f) {
            faults++;
            recordFault(deviceId, iova, write, f);
            throw new DmaException(String.format("%s: IOMMU %s fault on %s of IOVA 0x%x: %s", device, f.kind(), write ? "write" : "read", iova, f.getMessage()), true);
        }
    }

    /** The tables' answer now, without caching or recording (the detector's re-walk). */
    private PageWalk walkNow(int deviceId, long iova) {
        try {
            return walk(deviceId, iova);
        } catch (IommuFault f) {
            return null;
        }
    }

    /** A 64-bit table entry at {@code pa}; outside RAM it is a walk abort. */
    protected final long readEntry(long pa) throws IommuFault {
        try {
            return ram.read64(pa);
        } catch (PhysicalMemory.BadAddressException e) {
            throw new IommuFault(IommuFault.Kind.WALK_ABORT, pa, String.format("table entry at 0x%x is outside RAM", pa));
        }
    }

    // ---- Snapshot ---------------------------------------------------------------------------------

    @Override
    public final String snapshotName() {
        return name();
    }

    /**
     * Layout: i64 command latency in cycles, i64 faults, stored registers, the model's state,
     * nested IOTLB section, bool detector on, [nested detector section].
     */
    @Override
    public final void save(StateWriter out) {
        out.i64(pump.latencyCycles()).i64(faults);
        regs.save(out);
        saveModel(out);
        out.section(iotlb);
        out.bool(detector != null);
        if (detector != null) out.section(detector);
    }

    @Override
    public final Runnable load(StateReader in, int version) throws SnapshotException {
        long latency = in.i64();
        if (latency != pump.latencyCycles()) {
            throw in.bad("commands take " + latency + " cycles in the snapshot, " + pump.latencyCycles() + " here (--iommu-latency)");
        }
        long savedFaults = in.i64("faults", 0, Long.MAX_VALUE);
        Runnable registers = regs.load(in);
        Runnable model = loadModel(in, version);
        Runnable tlb = in.section(iotlb);
        boolean checked = in.bool();
        if (checked != (detector != null)) {
            throw in.bad(checked ? "the snapshot's machine ran with --iommu-check, this one does not"
                    : "this machine runs with --iommu-check, the snapshot's did not");
        }
        Runnable check = checked ? in.section(detector) : () -> { };
        return () -> {
            registers.run();
            model.run();
            tlb.run();
            check.run();
            faults = savedFaults;
            lastEntry = null;
            epoch++;  // ports drop the entries they remembered
            pump.reclaim();
        };
    }

    /** Reads one cached configuration entry (a model's STE+CD, context entry or DTE), checking its fields. */
    @FunctionalInterface
    protected interface CacheEntryReader<V> {
        V read(StateReader in) throws SnapshotException;
    }

    /** Writes a configuration cache: i32 n, n x (i32 device ID, the entry), by device ID (the same bytes whatever the insertion order). */
    protected static <V> void saveCache(StateWriter out, java.util.Map<Integer, V> cache, java.util.function.BiConsumer<StateWriter, V> entry) {
        int[] ids = cache.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        out.i32(ids.length);
        for (int id : ids) {
            out.i32(id);
            entry.accept(out, cache.get(id));
        }
    }

    /** Reads what {@link #saveCache} wrote. */
    protected static <V> java.util.Map<Integer, V> loadCache(StateReader in, String what, CacheEntryReader<V> entry) throws SnapshotException {
        int n = in.i32(what + " entries", 0, Iotlb.MAX_DEVICE_ID + 1);
        java.util.Map<Integer, V> loaded = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            int id = in.i32(what + "'s device ID", 0, Iotlb.MAX_DEVICE_ID);
            if (loaded.put(id, entry.read(in)) != null) throw in.bad(what + " holds device " + id + " twice");
        }
        return loaded;
    }

    /** Converts nanoseconds of latency to cycles of {@code clock}. */
    public static long latencyCycles(EventQueue clock, long nanos) {
        return clock.nanosToCycles(Math.max(0, nanos));
    }
}
