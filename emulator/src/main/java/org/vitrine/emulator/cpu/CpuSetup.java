package org.vitrine.emulator.cpu;

import org.vitrine.emulator.unicorn.Unicorn;

/**
 * The reset configuration that turns Unicorn's CPU into the EL1 CPU QEMU's virt board gives a
 * bare-metal kernel. Unicorn resets with SCR_EL3 and HCR_EL2 zero, which makes the EL1 regime
 * behave as AArch32 (turning the MMU on faults, fault statuses use the short format).
 */
public final class CpuSetup {
    /** SCR_EL3: NS (bit 0), HCE (bit 8: HVC is an instruction, not UNDEFINED), RW (bit 10: EL2 is AArch64). */
    public static final long SCR_EL3_VALUE = (1L << 0) | (1L << 8) | (1L << 10);
    /** HCR_EL2: RW (bit 31: EL1 is AArch64) and IMO (bit 4: HCR_EL2.VI is the IRQ line into EL1/EL0). */
    public static final long HCR_EL2_VALUE = (1L << 31) | (1L << 4);
    public static final long HCR_VI = 1L << 7;

    private CpuSetup() { }

    public static void configure(Unicorn uc) {
        SysReg.SCR_EL3.write(uc, SCR_EL3_VALUE);
        SysReg.HCR_EL2.write(uc, HCR_EL2_VALUE);
    }
}
