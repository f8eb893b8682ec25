package org.vitrine.emulator.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;

import org.vitrine.emulator.unicorn.Arm64Reg;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * The system instructions the host completes, from Unicorn's MRS/MSR/SYS hooks:
 * <ul>
 *   <li>the generic timer's registers, on the cycle clock ({@link GenericTimer}), with
 *       CNTKCTL_EL1's rules for EL0 access (a refused access is left to the CPU, which traps);</li>
 *   <li>the PMU's registers, on the cycle clock too ({@link PmuV3}), with PMUSERENR_EL0's rules;</li>
 *   <li>IC IVAU / IC IALLU: guest-written code becomes visible (Unicorn 2.1 would keep running
 *       stale translations). The invalidations are only recorded here and applied between runs
 *       ({@link #applyCodeInvalidations}), because removing translated code from inside a hook could
 *       unwind through the JVM's frames.</li>
 * </ul>
 * These hooks never stop the CPU themselves (see {@link Cpu}): they ask for a stop before the next
 * block.
 */
final class SystemInstructions {
    private final Unicorn uc;
    private final LongUnaryOperator translateVa;
    private final Runnable stopBeforeNextBlock;
    private GenericTimer timer;
    private PmuV3 pmu;
    private long cntkctl;
    private final List<Long> pendingCodeInvalidations = new ArrayList<>();
    private boolean pendingFullFlush;

    /**
     * @param translateVa stage-1 translation of the CPU's current regime ({@link PageTableWalker#FAULT} if none)
     * @param stopBeforeNextBlock asks the run loop to stop before the next block
     */
    SystemInstructions(Unicorn uc, LongUnaryOperator translateVa, Runnable stopBeforeNextBlock) {
        this.uc = uc;
        this.translateVa = translateVa;
        this.stopBeforeNextBlock = stopBeforeNextBlock;
    }

    void attachTimer(GenericTimer t) {
        timer = t;
    }

    void attachPmu(PmuV3 p) {
        pmu = p;
    }

    boolean onMrs(int reg, int op0, int op1, int crn, int crm, int op2, long value) {
        int key = SysReg.key(op0, op1, crn, crm, op2);
        long v;
        if (timer != null && GenericTimer.handles(key)) {
            if (!accessAllowed(key)) return false;  // the CPU raises the trap itself
            v = timer.read(key);
        } else if (pmu != null && PmuV3.handles(key)) {
            if (atEl0() && !pmu.el0Allowed(key, false)) return false;
            v = pmu.read(key);
        } else {
            return false;
        }
        if (Arm64Reg.gpIndex(reg) != 31) uc.reg(reg, Arm64Reg.isW(reg) ? v & 0xffff_ffffL : v);
        return true;
    }

    boolean onMsr(int reg, int op0, int op1, int crn, int crm, int op2, long value) {
        int key = SysReg.key(op0, op1, crn, crm, op2);
        if (key == SysReg.CNTKCTL_EL1.key()) {
            cntkctl = value;
            return false; // let the CPU keep its copy too: it checks EL0 accesses we pass back to it
        }
        if (pmu != null && PmuV3.handles(key)) {
            if (atEl0() && !pmu.el0Allowed(key, true)) return false;
            pmu.write(key, value);
            return key != PmuV3.PMUSERENR; // the CPU keeps PMUSERENR too, for the EL0 accesses it checks
        }
        if (timer == null || !GenericTimer.handles(key)) return false;
        if (!accessAllowed(key)) return false;
        timer.write(key, value);
        return true;
    }

    private boolean accessAllowed(int key) {
        return !atEl0() || GenericTimer.el0Allowed(key, cntkctl);
    }

    private boolean atEl0() {
        return Pstate.exceptionLevel(uc.reg(Arm64Reg.PSTATE)) == 0;
    }

    boolean onSys(int reg, int op0, int op1, int crn, int crm, int op2, long value) {
        int key = SysReg.key(op0, op1, crn, crm, op2);
        if (key == SysReg.IC_IVAU.key()) {
            long pa = translateVa.applyAsLong(value);
            if (pa != PageTableWalker.FAULT) pendingCodeInvalidations.add(pa & ~63L);
            stopBeforeNextBlock.run();
        } else if (key == SysReg.IC_IALLU.key() || key == SysReg.IC_IALLUIS.key()) {
            pendingFullFlush = true;
            stopBeforeNextBlock.run();
        }
        return false; // the instruction itself is harmless to execute
    }

    /** CNTKCTL_EL1 as the EL0 access checks see it (for snapshots). */
    long timerControl() {
        return cntkctl;
    }

    /** After a snapshot restore: CNTKCTL_EL1 as saved; no invalidation pending (all code was dropped). */
    void restore(long timerControl) {
        cntkctl = timerControl;
        pendingFullFlush = false;
        pendingCodeInvalidations.clear();
    }

    /** Between runs: drops the translations of the code the guest invalidated. */
    void applyCodeInvalidations() {
        if (pendingFullFlush) {
            uc.flushTranslations();
            pendingFullFlush = false;
            pendingCodeInvalidations.clear();
            return;
        }
        if (pendingCodeInvalidations.isEmpty()) return;
        // Removal goes by the address the CPU sees now; with the MMU briefly off that is the
        // physical address, which is how translated blocks are indexed.
        long sctlr = SysReg.SCTLR_EL1.read(uc);
        SysReg.SCTLR_EL1.write(uc, sctlr & ~1L);
        for (long pa : pendingCodeInvalidations) uc.removeTranslations(pa, pa + 64);
        SysReg.SCTLR_EL1.write(uc, sctlr);
        pendingCodeInvalidations.clear();
    }
}
