package org.vitrine.emulator.cpu;

/**
 * The syndrome of MSR DAIFSet / DAIFClr (immediate) trapped at EL0. With SCTLR_EL1.UMA clear the
 * architecture takes it to EL1 as a trapped system instruction: EC 0x18, IL 1, and an ISS holding
 * Op0 0, Op1 3, CRn 4, CRm (the immediate), Op2 6 (DAIFSet) or 7 (DAIFClr), Rt 31, direction 0
 * (Arm ARM D13.2.37, ISS encoding for EC 0x18; MSR (immediate) is reported with Rt = 0b11111).
 * libunicorn 2.1.4 (QEMU 5.0's translator) raises it as an unknown-reason UNDEF (EC 0) instead;
 * the exception entry puts the architecture's syndrome in its place.
 *
 * <p>QEMU 7.2 reports EC 0x18 too but with Op1 and Op2 in each other's fields (its daif_check
 * passes them swapped): tests/El0TrapReferenceTest lists that difference.
 */
final class DaifImmediateTrap {
    /** MSR (immediate): 1101 0101 0000 0 op1 0100 CRm op2 11111. */
    private static final int MSR_IMMEDIATE_MASK = 0xFFF8_F01F, MSR_IMMEDIATE = 0xD500_401F;
    private static final int OP1_PSTATE = 3, OP2_DAIFSET = 6, OP2_DAIFCLR = 7, CRN = 4, RT_NONE = 31;
    static final int EC_SYSTEM_TRAP = 0x18;
    private static final int IL = 1 << 25;

    private DaifImmediateTrap() { }

    /** The syndrome for instruction {@code insn} when it is MSR DAIFSet/DAIFClr, else 0. */
    static int syndrome(int insn) {
        if ((insn & MSR_IMMEDIATE_MASK) != MSR_IMMEDIATE) return 0;
        int op1 = (insn >>> 16) & 7, crm = (insn >>> 8) & 15, op2 = (insn >>> 5) & 7;
        if (op1 != OP1_PSTATE || (op2 != OP2_DAIFSET && op2 != OP2_DAIFCLR)) return 0;
        return (EC_SYSTEM_TRAP << 26) | IL | (op2 << 17) | (op1 << 14) | (CRN << 10) | (RT_NONE << 5) | (crm << 1);
    }
}
