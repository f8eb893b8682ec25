package org.vitrine.emulator.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;

import org.vitrine.emulator.memory.PhysicalMemory;
import org.vitrine.emulator.unicorn.Arm64Reg;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * The system instructions the host completes, from Unicorn's MRS/MSR/SYS hooks:
 * <ul>
 *   <li>the generic timer's registers, on the cycle clock ({@link GenericTimer}), with
 *       CNTKCTL_EL1's rules for EL0 access (a refused access is left to the CPU, which traps);
 *       once the timer is attached, reads of the counters themselves (CNTPCT/CNTVCT) are answered
 *       natively by {@link NativeSysInsnFilter} with the same figure and rules;</li>
 *   <li>the PMU's registers, on the cycle clock too ({@link PmuV3}), with PMUSERENR_EL0's rules;</li>
 *   <li>IC IVAU / IC IALLU: guest-written code becomes visible (Unicorn 2.1 would keep running
 *       stale translations). IC IVAU on RAM drops the line's translations at once, by physical
 *       address, without ending the run ({@link Unicorn#invalidateCode}: Linux patches its code
 *       tens of thousands of times while booting, and each stop cost a uc_emu_start). A full flush
 *       (IC IALLU), and IC IVAU where that is not possible, are recorded and applied between runs
 *       ({@link #applyCodeInvalidations}): flushing everything under a running block could leave it
 *       chained to freed code.</li>
 * </ul>
 * These hooks never stop the CPU themselves (see {@link Cpu}): they ask for a stop before the next
 * block.
 */
final class SystemInstructions {
    private final Unicorn uc;
    private final LongUnaryOperator translateVa;
    private final Runnable stopBeforeNextBlock;
    private final RunStatistics statistics;
    private final PhysicalMemory ram;
    /** The line IC IVAU works on (CTR_EL0.IminLine of the modelled CPUs: 64 bytes). */
    private static final long CACHE_LINE = 64;
    private GenericTimer timer;
    private PmuV3 pmu;
    private long cntkctl;
    private java.util.function.LongConsumer cntkctlWritten = v -> { };
    private ContextObserver spsrObserver;
    private final List<Long> pendingCodeInvalidations = new ArrayList<>();
    private boolean pendingFullFlush;

    /**
     * @param translateVa stage-1 translation of the CPU's current regime ({@link PageTableWalker#FAULT} if none)
     * @param stopBeforeNextBlock asks the run loop to stop before the next block
     */
    SystemInstructions(Unicorn uc, PhysicalMemory ram, LongUnaryOperator translateVa, Runnable stopBeforeNextBlock,
            RunStatistics statistics) {
        this.uc = uc;
        this.ram = ram;
        this.statistics = statistics;
        this.translateVa = translateVa;
        this.stopBeforeNextBlock = stopBeforeNextBlock;
    }

    /** The encodings {@link #onMrs} handles: a native filter keeps every other MRS out of Java. */
    static List<Integer> mrsKeys() {
        List<Integer> keys = new ArrayList<>(GenericTimer.REGISTERS.stream().map(SysReg::key).toList());
        keys.addAll(PmuV3.keys());
        return keys;
    }

    /** The encodings {@link #onMsr} handles (the timer, and CNTKCTL_EL1 which it watches). */
    static List<Integer> msrKeys() {
        List<Integer> keys = new ArrayList<>(mrsKeys());
        keys.add(SysReg.CNTKCTL_EL1.key());
        return keys;
    }

    /** The encodings {@link #onSys} handles. */
    static List<Integer> sysKeys() {
        return List.of(SysReg.IC_IVAU.key(), SysReg.IC_IALLU.key(), SysReg.IC_IALLUIS.key());
    }

    /** Told each CNTKCTL_EL1 write (the native counter reads check EL0 access against it too). */
    void onCntkctlWrite(java.util.function.LongConsumer listener) {
        cntkctlWritten = listener;
    }

    /** Told each SPSR_EL1 read and write once its key is in the MRS and MSR filters; null: nobody. */
    void observeSpsr(ContextObserver observer) {
        spsrObserver = observer;
    }

    void attachTimer(GenericTimer t) {
        timer = t;
    }

    void attachPmu(PmuV3 p) {
        pmu = p;
    }

    boolean onMrs(int reg, int op0, int op1, int crn, int crm, int op2, long value) {
        statistics.mrsUpcalls++;
        int key = SysReg.key(op0, op1, crn, crm, op2);
        if (key == SysReg.SPSR_EL1.key()) {
            if (spsrObserver != null) spsrObserver.stateSaved();
            return false; // only watched: the CPU reads it
        }
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
        statistics.msrUpcalls++;
        int key = SysReg.key(op0, op1, crn, crm, op2);
        if (key == SysReg.SPSR_EL1.key()) {
            if (spsrObserver != null) spsrObserver.stateRestored(value);
            return false; // only watched: the CPU writes it
        }
        if (key == SysReg.CNTKCTL_EL1.key()) {
            cntkctl = value;
            cntkctlWritten.accept(value);
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
        statistics.sysUpcalls++;
        int key = SysReg.key(op0, op1, crn, crm, op2);
        if (key == SysReg.IC_IVAU.key()) {
            long pa = translateVa.applyAsLong(value);
            if (pa == PageTableWalker.FAULT) return false;
            long line = pa & ~(CACHE_LINE - 1);
            if (ram.contains(line, CACHE_LINE) && uc.invalidateCode(ram.segment().asSlice(line - ram.base(), CACHE_LINE))) {
                statistics.codeInvalidatedInHook++;
                return false;  // done while running: the next block that needs the line is translated afresh
            }
            pendingCodeInvalidations.add(line);
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
        cntkctlWritten.accept(timerControl); // the native counter reads check EL0 access against their own copy
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
