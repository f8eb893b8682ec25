package org.vitrine.emulator.capstone;

/**
 * One operand of a decoded AArch64 instruction: Capstone's {@code cs_arm64_op}, copied out of
 * native memory. Which value fields mean something depends on {@link #type()}; the others are
 * zero / {@link Register#NONE}.
 *
 * @param type        what kind of operand this is
 * @param reg         {@link Type#REG}: the register
 * @param imm         {@link Type#IMM}/{@link Type#CIMM}: the immediate; {@link Type#REG_MRS}/{@link
 *                    Type#REG_MSR}: the system register encoding as Capstone's {@code arm64_sysreg}
 *                    ({@code op0:op1:CRn:CRm:op2}, e.g. 0xdf02 for {@code cntvct_el0});
 *                    {@link Type#PSTATE}, {@link Type#SYS}, {@link Type#PREFETCH}, {@link
 *                    Type#BARRIER}: Capstone's operation number
 * @param fp          {@link Type#FP}: the floating-point immediate
 * @param memBase     {@link Type#MEM}: base register
 * @param memIndex    {@link Type#MEM}: index register, or {@link Register#NONE}
 * @param memDisp     {@link Type#MEM}: displacement
 * @param shift       shift applied to this operand ({@code lsl #2} in {@code [x4, x5, lsl #2]})
 * @param shiftAmount the shift amount
 * @param extend      extension applied to this operand ({@code sxtw} in {@code add x0, x1, w2, sxtw})
 * @param access      {@link #READ} and/or {@link #WRITE} bits
 * @param vectorIndex lane index ({@code v0.s[1]}), or -1
 * @param vas         vector arrangement, Capstone's {@code arm64_vas} (0 none, 1 8B, 2 16B, 3 4H,
 *                    4 8H, 5 2S, 6 4S, 7 1D, 8 2D, 9 1Q)
 * @param vess        vector element size, Capstone's {@code arm64_vess} (0 none, 1 B, 2 H, 3 S, 4 D)
 */
public record Operand(Type type, Register reg, long imm, double fp,
                      Register memBase, Register memIndex, int memDisp,
                      Shift shift, int shiftAmount, Extend extend, int access,
                      int vectorIndex, int vas, int vess) {
    public static final int READ = 1;
    public static final int WRITE = 2;

    /** {@code arm64_op_type}. */
    public enum Type {
        INVALID, REG, IMM, MEM, FP, CIMM, REG_MRS, REG_MSR, PSTATE, SYS, PREFETCH, BARRIER;

        static Type of(int v) {
            return switch (v) {
                case 1 -> REG;
                case 2 -> IMM;
                case 3 -> MEM;
                case 4 -> FP;
                case 64 -> CIMM;
                case 65 -> REG_MRS;
                case 66 -> REG_MSR;
                case 67 -> PSTATE;
                case 68 -> SYS;
                case 69 -> PREFETCH;
                case 70 -> BARRIER;
                default -> INVALID;
            };
        }
    }

    /** {@code arm64_shifter}, in Capstone's order. */
    public enum Shift {
        NONE, LSL, MSL, LSR, ASR, ROR;

        private static final Shift[] VALUES = values();

        static Shift of(int v) {
            return v >= 0 && v < VALUES.length ? VALUES[v] : NONE;
        }
    }

    /** {@code arm64_extender}, in Capstone's order. */
    public enum Extend {
        NONE, UXTB, UXTH, UXTW, UXTX, SXTB, SXTH, SXTW, SXTX;

        private static final Extend[] VALUES = values();

        static Extend of(int v) {
            return v >= 0 && v < VALUES.length ? VALUES[v] : NONE;
        }
    }

    public boolean isRead() {
        return (access & READ) != 0;
    }

    public boolean isWritten() {
        return (access & WRITE) != 0;
    }
}
