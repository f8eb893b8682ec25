package org.vitrine.emulator.cpu;

/**
 * Encodings (op0, op1, CRn, CRm, op2) of the system registers the host touches, declared once.
 * {@link #key} packs an encoding into an int for switch statements in hooks.
 */
public record SysReg(String name, int op0, int op1, int crn, int crm, int op2) {
    public static final SysReg SCTLR_EL1 = new SysReg("SCTLR_EL1", 3, 0, 1, 0, 0);
    public static final SysReg TTBR0_EL1 = new SysReg("TTBR0_EL1", 3, 0, 2, 0, 0);
    public static final SysReg TTBR1_EL1 = new SysReg("TTBR1_EL1", 3, 0, 2, 0, 1);
    public static final SysReg TCR_EL1 = new SysReg("TCR_EL1", 3, 0, 2, 0, 2);
    public static final SysReg SPSR_EL1 = new SysReg("SPSR_EL1", 3, 0, 4, 0, 0);
    public static final SysReg ELR_EL1 = new SysReg("ELR_EL1", 3, 0, 4, 0, 1);
    public static final SysReg ESR_EL1 = new SysReg("ESR_EL1", 3, 0, 5, 2, 0);
    public static final SysReg FAR_EL1 = new SysReg("FAR_EL1", 3, 0, 6, 0, 0);
    public static final SysReg VBAR_EL1 = new SysReg("VBAR_EL1", 3, 0, 12, 0, 0);
    public static final SysReg HCR_EL2 = new SysReg("HCR_EL2", 3, 4, 1, 1, 0);
    public static final SysReg SCR_EL3 = new SysReg("SCR_EL3", 3, 6, 1, 1, 0);

    // Generic timer (EL0 view) and its EL1 control.
    public static final SysReg CNTFRQ_EL0 = new SysReg("CNTFRQ_EL0", 3, 3, 14, 0, 0);
    public static final SysReg CNTPCT_EL0 = new SysReg("CNTPCT_EL0", 3, 3, 14, 0, 1);
    public static final SysReg CNTVCT_EL0 = new SysReg("CNTVCT_EL0", 3, 3, 14, 0, 2);
    public static final SysReg CNTP_TVAL_EL0 = new SysReg("CNTP_TVAL_EL0", 3, 3, 14, 2, 0);
    public static final SysReg CNTP_CTL_EL0 = new SysReg("CNTP_CTL_EL0", 3, 3, 14, 2, 1);
    public static final SysReg CNTP_CVAL_EL0 = new SysReg("CNTP_CVAL_EL0", 3, 3, 14, 2, 2);
    public static final SysReg CNTV_TVAL_EL0 = new SysReg("CNTV_TVAL_EL0", 3, 3, 14, 3, 0);
    public static final SysReg CNTV_CTL_EL0 = new SysReg("CNTV_CTL_EL0", 3, 3, 14, 3, 1);
    public static final SysReg CNTV_CVAL_EL0 = new SysReg("CNTV_CVAL_EL0", 3, 3, 14, 3, 2);
    public static final SysReg CNTKCTL_EL1 = new SysReg("CNTKCTL_EL1", 3, 0, 14, 1, 0);

    // Cache maintenance (SYS instructions, op0 = 1).
    public static final SysReg IC_IALLUIS = new SysReg("IC IALLUIS", 1, 0, 7, 1, 0);
    public static final SysReg IC_IALLU = new SysReg("IC IALLU", 1, 0, 7, 5, 0);
    public static final SysReg IC_IVAU = new SysReg("IC IVAU", 1, 3, 7, 5, 1);

    public int key() {
        return key(op0, op1, crn, crm, op2);
    }

    public static int key(int op0, int op1, int crn, int crm, int op2) {
        return (op0 << 16) | (op1 << 12) | (crn << 8) | (crm << 4) | op2;
    }

    public long read(org.vitrine.emulator.unicorn.Unicorn uc) {
        return uc.sysReg(op0, op1, crn, crm, op2);
    }

    public void write(org.vitrine.emulator.unicorn.Unicorn uc, long value) {
        uc.sysReg(op0, op1, crn, crm, op2, value);
    }
}
