package org.vitrine.emulator.cpu;

import java.util.function.IntToLongFunction;

/**
 * The virtual addresses an AArch64 load or store instruction accesses, computed from its encoding
 * and the registers as they were before it ran: what an external abort needs for FAR_EL1 when the
 * CPU only reports the physical address that failed.
 *
 * <p>Covers every class of the A64 "Loads and Stores" group (Arm ARM C4.1.4; register, pair,
 * exclusive and ordered, atomic, SIMD structure, literal, unprivileged, pointer-authenticated)
 * and {@code DC ZVA}. Writeback is not applied: a post-indexed access uses the base as it was, a
 * pre-indexed one base + offset, as the access itself does.
 *
 * <p>Decoded by hand rather than with the Capstone disassembler because Capstone 4 does not know
 * the ARMv8.1 atomics ({@code ldadd}, {@code cas}) that a {@code -cpu max} guest may use.
 */
public final class AccessAddress {
    /** Bytes a {@code DC ZVA} clears on the CPUs Vitrine models (DCZID_EL0.BS = 4: 16 words). */
    static final int DC_ZVA_BYTES = 64;
    private static final int DC_ZVA = 0xd50b7420, DC_ZVA_MASK = 0xffffffe0;
    /** The most bytes one instruction touches: LD4/ST4 of four Q registers. */
    private static final int MAX_SPAN = 64;

    /**
     * The accessed range: starts at {@code va} and covers at most {@code span} bytes (the exact
     * length where it is cheap to know, an upper bound for SIMD structures and exclusives).
     */
    public record Range(long va, int span) {
        /** The first byte of the 4 KiB pages the range touches (one or two). */
        public long[] pages() {
            long first = va & ~0xfffL, last = (va + span - 1) & ~0xfffL;
            return first == last ? new long[] {first} : new long[] {first, last};
        }
    }

    private AccessAddress() { }

    /** True for {@code DC ZVA}, which QEMU probes as one access at the start of the block it clears. */
    public static boolean isDcZva(int word) {
        return (word & DC_ZVA_MASK) == DC_ZVA;
    }

    /**
     * @param word the instruction
     * @param pc   its address (literal loads are PC-relative)
     * @param x    reads a general register: 0-30 are x0-x30, 31 is the stack pointer in use
     * @return the accessed range, or null when {@code word} is not a load, a store or DC ZVA
     */
    public static Range of(int word, long pc, IntToLongFunction x) {
        if (isDcZva(word)) {
            return new Range(register(x, word & 31) & -DC_ZVA_BYTES, DC_ZVA_BYTES);
        }
        if ((word & 0x0a00_0000) != 0x0800_0000) return null; // op0 = x1x0: loads and stores
        long base = x.applyAsLong(bits(word, 5, 5));           // Rn: 31 is SP here
        boolean simd = bit(word, 26);
        return switch (bits(word, 28, 2)) {
            case 0b00 -> simd
                    ? new Range(base, MAX_SPAN)                                 // SIMD structures: Rn, writeback after
                    : new Range(base, 2 << bits(word, 30, 2));                  // exclusive, ordered, CAS: Rn
            case 0b01 -> bit(word, 24)
                    ? new Range(base + signed(bits(word, 12, 9), 9), 8)         // LDAPUR/STLUR: Rn + imm9
                    : new Range(pc + 4L * signed(bits(word, 5, 19), 19), 16);   // literal: PC + imm19 * 4
            case 0b10 -> pair(word, base, simd);
            default -> single(word, base, simd, x);
        };
    }

    /** LDP/STP/LDNP/STNP/LDPSW: Rn, or Rn + imm7 scaled (post-indexed: Rn). */
    private static Range pair(int word, long base, boolean simd) {
        int opc = bits(word, 30, 2);
        int bytes = simd ? 4 << opc : opc == 0b10 ? 8 : 4;
        boolean postIndexed = bits(word, 23, 2) == 0b01;
        long offset = postIndexed ? 0 : (long) signed(bits(word, 15, 7), 7) * bytes;
        return new Range(base + offset, 2 * bytes);
    }

    /** One register: unsigned offset, 9-bit offset (unscaled, pre, post, unprivileged), register offset, atomics, LDRAA/LDRAB. */
    private static Range single(int word, long base, boolean simd, IntToLongFunction x) {
        int scale = bits(word, 30, 2);
        if (simd && bit(word, 23)) scale = 4; // opc<1> with V: the 128-bit Q register
        int bytes = 1 << scale;
        if (bit(word, 24)) return new Range(base + ((long) bits(word, 10, 12) << scale), bytes);
        if (!bit(word, 21)) {
            boolean postIndexed = bits(word, 10, 2) == 0b01;
            return new Range(postIndexed ? base : base + signed(bits(word, 12, 9), 9), bytes);
        }
        return switch (bits(word, 10, 2)) {
            case 0b10 -> new Range(base + (extended(word, x) << (bit(word, 12) ? scale : 0)), bytes);
            case 0b00 -> new Range(base, bytes);                                   // atomic memory operations: Rn
            default -> new Range(base + ((long) signed(bits(word, 22, 1) << 9 | bits(word, 12, 9), 10) << 3), 8); // LDRAA/LDRAB
        };
    }

    /** The register-offset form's index: Rm (31 = XZR) extended by option<2:0>. */
    private static long extended(int word, IntToLongFunction x) {
        long index = register(x, bits(word, 16, 5));
        return switch (bits(word, 13, 3)) {
            case 0b010 -> index & 0xffff_ffffL;   // UXTW
            case 0b110 -> (int) index;            // SXTW
            default -> index;                     // LSL (UXTX), SXTX
        };
    }

    /** A register operand where 31 is XZR. */
    private static long register(IntToLongFunction x, int n) {
        return n == 31 ? 0 : x.applyAsLong(n);
    }

    private static int bits(int word, int lsb, int count) {
        return (word >>> lsb) & ((1 << count) - 1);
    }

    private static boolean bit(int word, int n) {
        return ((word >>> n) & 1) != 0;
    }

    private static int signed(int value, int width) {
        return (value << (32 - width)) >> (32 - width);
    }
}
