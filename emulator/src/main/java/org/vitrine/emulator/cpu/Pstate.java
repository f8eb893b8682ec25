package org.vitrine.emulator.cpu;

/**
 * The AArch64 PSTATE bits Vitrine reads and writes, in the SPSR layout that Unicorn's PSTATE
 * register, SPSR_EL1 and gdb's {@code cpsr} all use (Arm ARM, "SPSR_EL1"). Machine reset and
 * exception entry both put the CPU in {@link #EL1H_DAIF_MASKED}.
 */
public final class Pstate {
    /** Condition flags: negative, zero, carry, overflow. */
    public static final long N = 1L << 31, Z = 1L << 30, C = 1L << 29, V = 1L << 28;

    /** Interrupt masks: debug, SError, IRQ, FIQ. */
    public static final long D = 1L << 9, A = 1L << 8, I = 1L << 7, F = 1L << 6;
    public static final long DAIF = D | A | I | F;

    /** M[3:0], the mode in AArch64 state: the exception level in M[3:2] and the stack pointer in M[0]. */
    public static final long M = 0xf;
    /** EL0 with SP_EL0. */
    public static final long EL0T = 0b0000;
    /** EL1 with SP_EL0. */
    public static final long EL1T = 0b0100;
    /** EL1 with SP_EL1. */
    public static final long EL1H = 0b0101;
    /** M[0]: 1 selects SP_ELx for the current level, 0 selects SP_EL0. */
    public static final long SPSEL = 1;
    private static final int EL_SHIFT = 2;

    /** EL1h with every interrupt masked: the state QEMU gives a bare-metal kernel and that exception entry sets. */
    public static final long EL1H_DAIF_MASKED = EL1H | DAIF;

    private Pstate() { }

    /** The exception level a PSTATE value runs at (M[3:2]). */
    public static int exceptionLevel(long pstate) {
        return (int) (pstate >>> EL_SHIFT) & 3;
    }

    /** True when the stack pointer is SP_ELx rather than SP_EL0 (M[0]). */
    public static boolean usesSpx(long pstate) {
        return (pstate & SPSEL) != 0;
    }
}
