package org.vitrine.emulator.cpu;

import java.util.LinkedHashMap;
import java.util.Map;

import org.vitrine.emulator.unicorn.Arm64Reg;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * The CPU registers a guest can observe, read by name through the Unicorn API: the general and
 * FP/SIMD registers, PC, PSTATE, the stack pointers, FPCR/FPSR, and the EL0/EL1 system registers
 * (MMU and translation, exception, thread ID, timer control, debug) plus HCR_EL2 (which carries
 * the IRQ line). Tests compare machines with it, where a raw CPU context would also compare
 * libunicorn's host-side fields (its PMU cycle-count bookkeeping follows host time).
 */
public final class ObservableRegisters {
    /** System registers by name: (op0, op1, CRn, CRm, op2). */
    private static final Map<String, int[]> SYSTEM = new LinkedHashMap<>();

    static {
        SYSTEM.put("SCTLR_EL1", new int[] {3, 0, 1, 0, 0});
        SYSTEM.put("CPACR_EL1", new int[] {3, 0, 1, 0, 2});
        SYSTEM.put("TTBR0_EL1", new int[] {3, 0, 2, 0, 0});
        SYSTEM.put("TTBR1_EL1", new int[] {3, 0, 2, 0, 1});
        SYSTEM.put("TCR_EL1", new int[] {3, 0, 2, 0, 2});
        SYSTEM.put("SPSR_EL1", new int[] {3, 0, 4, 0, 0});
        SYSTEM.put("ELR_EL1", new int[] {3, 0, 4, 0, 1});
        SYSTEM.put("AFSR0_EL1", new int[] {3, 0, 5, 1, 0});
        SYSTEM.put("AFSR1_EL1", new int[] {3, 0, 5, 1, 1});
        SYSTEM.put("ESR_EL1", new int[] {3, 0, 5, 2, 0});
        SYSTEM.put("FAR_EL1", new int[] {3, 0, 6, 0, 0});
        SYSTEM.put("PAR_EL1", new int[] {3, 0, 7, 4, 0});
        SYSTEM.put("MAIR_EL1", new int[] {3, 0, 10, 2, 0});
        SYSTEM.put("AMAIR_EL1", new int[] {3, 0, 10, 3, 0});
        SYSTEM.put("VBAR_EL1", new int[] {3, 0, 12, 0, 0});
        SYSTEM.put("CONTEXTIDR_EL1", new int[] {3, 0, 13, 0, 1});
        SYSTEM.put("TPIDR_EL1", new int[] {3, 0, 13, 0, 4});
        SYSTEM.put("TPIDR_EL0", new int[] {3, 3, 13, 0, 2});
        SYSTEM.put("TPIDRRO_EL0", new int[] {3, 3, 13, 0, 3});
        SYSTEM.put("CNTKCTL_EL1", new int[] {3, 0, 14, 1, 0});
        SYSTEM.put("MDSCR_EL1", new int[] {2, 0, 0, 2, 2});
        SYSTEM.put("HCR_EL2", new int[] {3, 4, 1, 1, 0});
    }

    private ObservableRegisters() { }

    /** The system registers this class reads, by name: (op0, op1, CRn, CRm, op2). */
    public static Map<String, int[]> systemRegisters() {
        return java.util.Collections.unmodifiableMap(SYSTEM);
    }

    /** Every register, by name (a V register as two halves, Vn.lo and Vn.hi). */
    public static Map<String, Long> read(Unicorn uc) {
        Map<String, Long> r = new LinkedHashMap<>();
        for (int i = 0; i <= 30; i++) r.put("X" + i, uc.reg(Arm64Reg.x(i)));
        r.put("PC", uc.reg(Arm64Reg.PC));
        r.put("PSTATE", uc.reg(Arm64Reg.PSTATE));
        r.put("NZCV", uc.reg(Arm64Reg.NZCV));
        r.put("SP_EL0", uc.reg(Arm64Reg.SP_EL0));
        r.put("SP_EL1", uc.reg(Arm64Reg.SP_EL1));
        r.put("FPCR", uc.reg(Arm64Reg.FPCR));
        r.put("FPSR", uc.reg(Arm64Reg.FPSR));
        for (int i = 0; i < 32; i++) {
            long[] v = uc.vector(i);
            r.put("V" + i + ".lo", v[0]);
            r.put("V" + i + ".hi", v[1]);
        }
        for (Map.Entry<String, int[]> e : SYSTEM.entrySet()) {
            int[] k = e.getValue();
            r.put(e.getKey(), uc.sysReg(k[0], k[1], k[2], k[3], k[4]));
        }
        return r;
    }
}
