package org.vitrine.devices.iommu;

import java.lang.foreign.Arena;
import java.util.concurrent.atomic.AtomicInteger;

import org.vitrine.emulator.memory.PhysicalMemory;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.InterruptLine;
import org.vitrine.emulator.time.EventQueue;

/** Guest RAM, a clock and interrupt counters for the IOMMU unit tests (no CPU). */
final class IommuRig {
    static final long RAM = 0x4000_0000L, RAM_SIZE = 16 << 20;
    final PhysicalMemory ram = new PhysicalMemory(RAM, Arena.ofAuto().allocate(RAM_SIZE, 4096));
    final EventQueue clock = new EventQueue(1_000_000_000L);
    final GuestLog log = GuestLog.silent();
    private long next = RAM + 0x10_0000;

    /** An interrupt wire counting rising edges. */
    static final class Irq implements InterruptLine {
        final AtomicInteger edges = new AtomicInteger();
        private boolean level;

        @Override
        public void set(boolean l) {
            if (l && !level) edges.incrementAndGet();
            level = l;
        }

        int edges() {
            return edges.get();
        }
    }

    /** A register block as a driver sees it: 32-bit accesses, 64-bit registers as two halves, low first. */
    record Regs(org.vitrine.emulator.spi.MmioDevice dev) {
        void w(long off, long v) {
            dev.write(off, 4, v & 0xFFFF_FFFFL);
        }

        void w64(long off, long v) {
            dev.write(off, 4, v & 0xFFFF_FFFFL);
            dev.write(off + 4, 4, v >>> 32);
        }

        long r(long off) {
            return dev.read(off, 4);
        }

        long r64(long off) {
            return dev.read(off, 4) | dev.read(off + 4, 4) << 32;
        }
    }

    /** A zeroed, {@code align}-aligned block of RAM. */
    long alloc(long bytes, long align) {
        next = (next + align - 1) & -align;
        long a = next;
        next += bytes;
        return a;
    }

    /** Allocates from where {@code other} has got to (a rig restored from {@code other}'s RAM). */
    void allocatedLike(IommuRig other) {
        next = other.next;
    }

    long page() {
        return alloc(4096, 4096);
    }

    void w64(long pa, long v) {
        try {
            ram.write64(pa, v);
        } catch (PhysicalMemory.BadAddressException e) {
            throw new AssertionError(e);
        }
    }

    void w32(long pa, int v) {
        try {
            ram.write32(pa, v);
        } catch (PhysicalMemory.BadAddressException e) {
            throw new AssertionError(e);
        }
    }

    long r64(long pa) {
        try {
            return ram.read64(pa);
        } catch (PhysicalMemory.BadAddressException e) {
            throw new AssertionError(e);
        }
    }

    int r32(long pa) {
        try {
            return ram.read32(pa);
        } catch (PhysicalMemory.BadAddressException e) {
            throw new AssertionError(e);
        }
    }

    /** Lets {@code cycles} of virtual time pass, running the events due. */
    void advance(long cycles) {
        long target = clock.now() + cycles;
        // As the CPU's run loop: the clock stops at each event's time, so events scheduled by events count from there.
        for (long due; (due = clock.nextDeadline()) <= target; ) {
            clock.advanceTo(due);
            clock.runDue();
        }
        clock.advanceTo(target);
    }

    long guestErrors() {
        return log.count(GuestLog.Kind.GUEST_ERROR);
    }
}
