package org.vitrine.emulator.cpu;

import org.vitrine.emulator.memory.PhysicalMemory;

/**
 * Translates an EL1&amp;0 stage-1 virtual address to a physical one by walking the guest's page
 * tables in RAM, as the MMU would. Used where the host needs a physical address the CPU never
 * gives it: IC IVAU (invalidate translated code by address), the debugger, traces, the virtual
 * address of an external abort; and, through {@link #walk}, to tell where and why a walk stopped
 * (a walk that reads a table where nothing is mapped is a synchronous external abort on the walk,
 * not a translation fault).
 *
 * <p>Supports the 4 KiB granule with TTBR0/TTBR1 and any TxSZ; 16/64 KiB granules answer
 * {@link #FAULT} (declared, not implemented — rost and Linux-style kernels use 4 KiB). Table
 * reads outside RAM are faults, never host errors.
 */
public final class PageTableWalker {
    public static final long FAULT = -1;

    /** How a walk ended. */
    public enum Outcome {
        /** The address translates: {@link Walk#pa()} is meaningful. */
        MAPPED,
        /** A descriptor at {@link Walk#level()} is invalid (or a block where none may be). */
        INVALID_DESCRIPTOR,
        /** The descriptor of {@link Walk#level()} would be read at {@link Walk#tableEntry()}, outside RAM. */
        TABLE_OUTSIDE_RAM,
        /** Not walked: the address is outside both halves' ranges, the half is disabled, or its granule is not 4 KiB. */
        NOT_WALKED
    }

    /**
     * Where a walk ended.
     *
     * @param outcome    how it ended
     * @param pa         the physical address ({@link Outcome#MAPPED}), else {@link #FAULT}
     * @param level      the level whose descriptor decided the outcome (0-3); the start level for {@link Outcome#NOT_WALKED}
     * @param tableEntry physical address of that descriptor ({@link #FAULT} for {@link Outcome#NOT_WALKED})
     */
    public record Walk(Outcome outcome, long pa, int level, long tableEntry) {
        static Walk stopped(Outcome outcome, int level, long tableEntry) {
            return new Walk(outcome, FAULT, level, tableEntry);
        }
    }

    private final PhysicalMemory ram;

    public PageTableWalker(PhysicalMemory ram) {
        this.ram = ram;
    }

    /**
     * @param sctlr SCTLR_EL1 (bit 0: MMU on)
     * @return the physical address, or {@link #FAULT}
     */
    public long translate(long va, long sctlr, long tcr, long ttbr0, long ttbr1) {
        return walk(va, sctlr, tcr, ttbr0, ttbr1).pa();
    }

    /** Walks the tables for {@code va} and says where and why the walk ended. */
    public Walk walk(long va, long sctlr, long tcr, long ttbr0, long ttbr1) {
        if ((sctlr & 1) == 0) return new Walk(Outcome.MAPPED, va, 0, FAULT);
        boolean upper = va < 0; // bit 63 selects TTBR1 when the top bits are all ones
        int txsz = (int) (upper ? (tcr >>> 16) & 0x3f : tcr & 0x3f);
        boolean disabled = upper ? ((tcr >>> 23) & 1) != 0 : ((tcr >>> 7) & 1) != 0;
        int tg = (int) (upper ? (tcr >>> 30) & 3 : (tcr >>> 14) & 3);
        boolean fourK = upper ? tg == 2 : tg == 0;
        int bits = 64 - txsz;
        int level = 4 - (bits - 12 + 8) / 9; // levels needed to resolve `bits` with 9 bits each
        if (disabled || !fourK || txsz < 16 || txsz > 39) return Walk.stopped(Outcome.NOT_WALKED, level, FAULT);
        long top = bits == 64 ? 0 : va >> bits; // must be all zeros (TTBR0) or all ones (TTBR1)
        if (upper ? top != -1L : top != 0) return Walk.stopped(Outcome.NOT_WALKED, level, FAULT);
        long table = (upper ? ttbr1 : ttbr0) & 0x0000_FFFF_FFFF_FFFEL;
        for (; level <= 3; level++) {
            int shift = 12 + 9 * (3 - level);
            // The start level may resolve fewer than 9 bits (e.g. T1SZ 33: just VA bit 30); an
            // upper (TTBR1) address has ones above them, which must not reach the index.
            long index = (va >>> shift) & ((1L << Math.min(9, bits - shift)) - 1);
            long entry = table + index * 8;
            long desc;
            try {
                desc = ram.read64(entry);
            } catch (PhysicalMemory.BadAddressException e) {
                return Walk.stopped(Outcome.TABLE_OUTSIDE_RAM, level, entry);
            }
            long type = desc & 3;
            long out = desc & 0x0000_FFFF_FFFF_F000L;
            if (level == 3) {
                return type == 3 ? new Walk(Outcome.MAPPED, out | (va & 0xfff), level, entry)
                        : Walk.stopped(Outcome.INVALID_DESCRIPTOR, level, entry);
            }
            if (type == 1) { // block
                if (level == 0) return Walk.stopped(Outcome.INVALID_DESCRIPTOR, level, entry);
                long mask = (1L << shift) - 1;
                return new Walk(Outcome.MAPPED, (out & ~mask) | (va & mask), level, entry);
            }
            if (type != 3) return Walk.stopped(Outcome.INVALID_DESCRIPTOR, level, entry);
            table = out;
        }
        throw new AssertionError("level 3 always ends the walk");
    }
}
