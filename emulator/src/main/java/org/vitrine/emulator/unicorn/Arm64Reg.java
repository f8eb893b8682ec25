package org.vitrine.emulator.unicorn;

/**
 * Register ids of libunicorn 2.1's {@code uc_arm64_reg} enum, read off the 2.1.1 header with a C
 * program (the enum has no explicit values, so they cannot be derived by reading it). 2.1.4's
 * arm64.h is identical to 2.1.1's (diffed: Debian's libunicorn-dev 2.1.1-2+b2 and 2.1.4-4).
 */
public final class Arm64Reg {
    private Arm64Reg() { }

    public static final int X29 = 1;
    public static final int X30 = 2;
    public static final int NZCV = 3;
    public static final int SP = 4;
    public static final int XZR = 7;
    public static final int Q0 = 104;   // Q0..Q31 consecutive
    public static final int W0 = 168;
    public static final int X0 = 199;   // X0..X28 consecutive
    public static final int V0 = 228;
    public static final int PC = 260;
    public static final int CPACR_EL1 = 261;
    public static final int TPIDR_EL0 = 262;
    public static final int TPIDRRO_EL0 = 263;
    public static final int TPIDR_EL1 = 264;
    public static final int PSTATE = 265;
    public static final int ELR_EL1 = 267;
    public static final int SP_EL0 = 270;
    public static final int SP_EL1 = 271;
    public static final int TTBR0_EL1 = 274;
    public static final int TTBR1_EL1 = 275;
    public static final int ESR_EL1 = 277;
    public static final int FAR_EL1 = 281;
    public static final int PAR_EL1 = 284;
    public static final int MAIR_EL1 = 285;
    public static final int VBAR_EL1 = 287;
    public static final int CP_REG = 290;
    public static final int FPCR = 291;
    public static final int FPSR = 292;

    /** Id of general-purpose register Xn (n = 0..30); 31 is the zero register. */
    public static int x(int n) {
        if (n < 0 || n > 31) throw new IllegalArgumentException("no register x" + n);
        if (n <= 28) return X0 + n;
        if (n == 29) return X29;
        if (n == 30) return X30;
        return XZR;
    }

    /** Inverse of {@link #x}: the n of Xn or Wn for a general-purpose register id, or -1. */
    public static int gpIndex(int id) {
        if (id >= X0 && id <= X0 + 28) return id - X0;
        if (id >= W0 && id <= W0 + 30) return id - W0;
        return switch (id) {
            case X29 -> 29;
            case X30 -> 30;
            case XZR, 6 -> 31; // 6 = WZR
            default -> -1;
        };
    }

    /** True when the id names a 32-bit W register (writes must zero-extend). */
    public static boolean isW(int id) {
        return (id >= W0 && id <= W0 + 30) || id == 6;
    }

    public static int q(int n) {
        if (n < 0 || n > 31) throw new IllegalArgumentException("no register q" + n);
        return Q0 + n;
    }
}
