package org.vitrine.emulator.cpu;

import org.vitrine.emulator.memory.PhysicalMemory;

/**
 * Translates an EL1&amp;0 stage-1 virtual address to a physical one by walking the guest's page
 * tables in RAM, as the MMU would. Used where the host needs a physical address the CPU never
 * gives it: IC IVAU (invalidate translated code by address), the debugger, traces.
 *
 * <p>Supports the 4 KiB granule with TTBR0/TTBR1 and any TxSZ; 16/64 KiB granules answer
 * {@link #FAULT} (declared, not implemented — rost and Linux-style kernels use 4 KiB). Table
 * reads outside RAM are faults, never host errors.
 */
public final class PageTableWalker {
    public static final long FAULT = -1;

    private final PhysicalMemory ram;

    public PageTableWalker(PhysicalMemory ram) {
        this.ram = ram;
    }

    /**
     * @param sctlr SCTLR_EL1 (bit 0: MMU on)
     * @return the physical address, or {@link #FAULT}
     */
    public long translate(long va, long sctlr, long tcr, long ttbr0, long ttbr1) {
        if ((sctlr & 1) == 0) return va;
        boolean upper = va < 0; // bit 63 selects TTBR1 when the top bits are all ones
        int txsz = (int) (upper ? (tcr >>> 16) & 0x3f : tcr & 0x3f);
        boolean disabled = upper ? ((tcr >>> 23) & 1) != 0 : ((tcr >>> 7) & 1) != 0;
        int tg = (int) (upper ? (tcr >>> 30) & 3 : (tcr >>> 14) & 3);
        boolean fourK = upper ? tg == 2 : tg == 0;
        if (disabled || !fourK || txsz < 16 || txsz > 39) return FAULT;
        int bits = 64 - txsz;
        long top = bits == 64 ? 0 : va >> bits; // must be all zeros (TTBR0) or all ones (TTBR1)
        if (upper ? top != -1L : top != 0) return FAULT;
        long table = (upper ? ttbr1 : ttbr0) & 0x0000_FFFF_FFFF_FFFEL;
        int level = 4 - (bits - 12 + 8) / 9; // levels needed to resolve `bits` with 9 bits each
        for (; level <= 3; level++) {
            int shift = 12 + 9 * (3 - level);
            // The start level may resolve fewer than 9 bits (e.g. T1SZ 33: just VA bit 30); an
            // upper (TTBR1) address has ones above them, which must not reach the index.
            long index = (va >>> shift) & ((1L << Math.min(9, bits - shift)) - 1);
            long desc;
            try {
                desc = ram.read64(table + index * 8);
            } catch (PhysicalMemory.BadAddressException e) {
                return FAULT;
            }
            long type = desc & 3;
            long out = desc & 0x0000_FFFF_FFFF_F000L;
            if (level == 3) {
                return type == 3 ? out | (va & 0xfff) : FAULT;
            }
            if (type == 1) { // block
                if (level == 0) return FAULT;
                long mask = (1L << shift) - 1;
                return (out & ~mask) | (va & mask);
            }
            if (type != 3) return FAULT;
            table = out;
        }
        return FAULT;
    }
}
