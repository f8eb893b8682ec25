package org.vitrine.cli;

import java.io.PrintStream;
import java.lang.foreign.Arena;

import org.vitrine.devices.board.VirtBoard.Options.IommuChoice;
import org.vitrine.devices.iommu.AmdViIommu;
import org.vitrine.devices.iommu.Iommu;
import org.vitrine.devices.iommu.Smmuv3;
import org.vitrine.devices.iommu.VtdIommu;
import org.vitrine.emulator.memory.HostMemory;
import org.vitrine.emulator.memory.IdentityDmaPort;
import org.vitrine.emulator.memory.PhysicalMemory;
import org.vitrine.emulator.spi.DmaPort;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.InterruptLine;
import org.vitrine.emulator.time.EventQueue;

/**
 * {@code vitrine bench --iommu X}: what translation costs the host. A device-sized DMA pattern
 * (4 KiB reads over 16 MiB, as a disk streaming into page-sized buffers) through an identity port
 * and through the IOMMU with every page mapped and cached (IOTLB hits after the first pass), in
 * MB/s, and the virtual time one invalidation plus its sync / wait takes (two commands at the
 * model's latency): what a driver's {@code tlb_sync()} waits for at least.
 *
 * <p>The IOMMU is programmed here as a driver would (tables in RAM, registers), with 4 KiB pages.
 */
final class IommuBenchmark {
    private static final long RAM = 0x4000_0000L, SIZE = 64L << 20, MAPPED = 16L << 20, TABLES = RAM + (32L << 20);

    private IommuBenchmark() { }

    static void run(IommuChoice choice, PrintStream out) throws DmaPort.DmaException {
        if (choice.model() == IommuChoice.Model.NONE) return;
        try (Arena arena = Arena.ofShared()) {
            PhysicalMemory ram = new PhysicalMemory(RAM, HostMemory.allocate(SIZE, arena));
            EventQueue clock = new EventQueue(1_000_000_000L);
            Tables t = new Tables(ram);
            Iommu iommu = program(choice, ram, clock, t);
            DmaPort identity = new IdentityDmaPort(ram, "bench");
            DmaPort translated = iommu.port(1, "bench");
            byte[] buf = new byte[4096];
            pass(translated, buf); // fills the IOTLB
            double base = mbPerSecond(identity, buf), through = mbPerSecond(translated, buf);
            out.printf("iommu %s: 4 KiB DMA reads over 16 MiB: identity %.0f MB/s, through the IOTLB %.0f MB/s (%.0f %%)%n",
                    choice.model().name().toLowerCase(), base, through, 100 * through / base);
            out.printf("iommu %s: one page invalidation + sync completes after %d cycles (model latency %d cycles per command)%n",
                    choice.model().name().toLowerCase(), 2 * iommu.commandLatencyCycles(), iommu.commandLatencyCycles());
        }
    }

    private static void pass(DmaPort port, byte[] buf) throws DmaPort.DmaException {
        for (long a = RAM; a < RAM + MAPPED; a += buf.length) port.read(a, buf, 0, buf.length);
    }

    private static double mbPerSecond(DmaPort port, byte[] buf) throws DmaPort.DmaException {
        int passes = 0;
        long t0 = System.nanoTime(), t;
        do {
            pass(port, buf);
            passes++;
        } while ((t = System.nanoTime() - t0) < 500_000_000L);
        return passes * (MAPPED / 1e6) / (t / 1e9);
    }

    /** A bump allocator for table pages above the mapped range, and 64-bit stores. */
    private static final class Tables {
        final PhysicalMemory ram;
        long next = TABLES;

        Tables(PhysicalMemory ram) {
            this.ram = ram;
        }

        long page() {
            long p = next;
            next += 4096;
            return p;
        }

        void w(long pa, long v) {
            try {
                ram.write64(pa, v);
            } catch (PhysicalMemory.BadAddressException e) {
                throw new IllegalStateException(e);
            }
        }

        long r(long pa) {
            try {
                return ram.read64(pa);
            } catch (PhysicalMemory.BadAddressException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A 4-level, 9-bits-per-level tree mapping [RAM, RAM + MAPPED) to itself; {@code table} / {@code leaf} make entries. */
        long identity(java.util.function.LongBinaryOperator table, java.util.function.LongUnaryOperator leaf) {
            long root = page();
            for (long a = RAM; a < RAM + MAPPED; a += 4096) {
                long t = root;
                for (int level = 4; level > 1; level--) {
                    long at = t + 8 * ((a >>> (12 + 9 * (level - 1))) & 0x1FF);
                    if (r(at) == 0) w(at, table.applyAsLong(page(), level - 1));
                    t = r(at) & 0x000F_FFFF_FFFF_F000L;
                }
                w(t + 8 * ((a >>> 12) & 0x1FF), leaf.applyAsLong(a));
            }
            return root;
        }
    }

    private static Iommu program(IommuChoice choice, PhysicalMemory ram, EventQueue clock, Tables t) {
        GuestLog log = GuestLog.silent();
        InterruptLine none = InterruptLine.UNCONNECTED;
        long latency = Iommu.latencyCycles(clock, choice.commandNanos() >= 0 ? choice.commandNanos() : 1000);
        switch (choice.model()) {
            case SMMUV3 -> {
                Smmuv3 s = new Smmuv3(ram, clock, log, latency, none, none, none, none);
                long root = t.identity((p, next) -> p | 0b11, a -> a | 0b11 | 1L << 10);
                long strtab = t.page(), cd = t.page();
                t.w(strtab + 64, 0b101 << 1 | 1 | cd);
                t.w(cd, 16 | 1L << 31 | 1L << 41);
                t.w(cd + 8, root);
                s.write(0x80, 4, strtab);
                s.write(0x88, 4, 1);
                s.write(0x20, 4, 1);
                return s;
            }
            case VTD -> {
                VtdIommu v = new VtdIommu(ram, clock, log, latency, none, none);
                long root = t.identity((p, next) -> p | 3, a -> a | 3);
                long rootTable = t.page(), ctx = t.page();
                t.w(rootTable, ctx | 1);
                t.w(ctx + 16, root | 1);
                t.w(ctx + 24, 2 | 1 << 8);
                v.write(0x20, 4, rootTable);
                v.write(0x18, 4, 1L << 30);
                v.write(0x18, 4, 1L << 31);
                return v;
            }
            case AMDVI -> {
                AmdViIommu m = new AmdViIommu(ram, clock, log, latency, none);
                long root = t.identity((p, next) -> p | next << 9 | 1L << 61 | 1L << 62 | 1, a -> a | 1L << 61 | 1L << 62 | 1);
                long devtab = t.page();
                t.w(devtab + 32, 1 | 2 | 4L << 9 | root | 1L << 61 | 1L << 62);
                m.write(0x0, 4, devtab);
                m.write(0x18, 4, 1);
                return m;
            }
            default -> throw new IllegalArgumentException(choice.toString());
        }
    }
}
