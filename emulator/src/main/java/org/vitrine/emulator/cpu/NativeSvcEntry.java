package org.vitrine.emulator.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.vitrine.emulator.unicorn.Arm64Reg;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * Installs the CPU's interrupt hook as a native one (vitrine_intr_hook in src/main/c/vitrine_svc.c)
 * that enters SVC exceptions itself, the same way {@link ExceptionEntry} does, and passes every
 * other exception to the Java hook. Per system call that saves the upcall into Java and the copy
 * of the whole CPU context that reading QEMU's syndrome took. This class owns the hook's state
 * block ({@code struct vitrine_svc_entry}), whose layout the offsets below mirror.
 */
final class NativeSvcEntry {
    private static final long JAVA = 0, CLOCK = 8, REG_READ = 16, READ_BATCH = 24, WRITE_BATCH = 32, VMEM_READ = 40,
            ENABLED = 48, ID_PC = 52, ID_PSTATE = 56, ID_SP = 60, ID_SP_EL0 = 64, ID_SP_EL1 = 68, ID_VBAR = 72, ID_ELR = 76,
            ID_ESR = 80, ID_CP_REG = 84, SPSR_CRN = 88, SPSR_CRM = 92, SPSR_OP0 = 96, SPSR_OP1 = 100, SPSR_OP2 = 104,
            PSTATE_AT_ENTRY = 112, TAKEN = 120, SIZE = 128;

    private final MemorySegment state;

    /** Installs the hook: {@code java} gets every exception this does not enter (all of them until {@link #enable}). */
    NativeSvcEntry(Unicorn uc, NativeBlockClock clock, Unicorn.InterruptHook java) {
        state = uc.arena().allocate(SIZE, 8);
        state.set(ValueLayout.ADDRESS, JAVA, uc.interruptUpcall(java));
        state.set(ValueLayout.ADDRESS, CLOCK, clock.state());
        state.set(ValueLayout.ADDRESS, REG_READ, uc.symbol("uc_reg_read"));
        state.set(ValueLayout.ADDRESS, READ_BATCH, uc.symbol("uc_reg_read_batch"));
        state.set(ValueLayout.ADDRESS, WRITE_BATCH, uc.symbol("uc_reg_write_batch"));
        state.set(ValueLayout.ADDRESS, VMEM_READ, uc.symbol("uc_vmem_read"));
        int[] ids = {Arm64Reg.PC, Arm64Reg.PSTATE, Arm64Reg.SP, Arm64Reg.SP_EL0, Arm64Reg.SP_EL1, Arm64Reg.VBAR_EL1,
            Arm64Reg.ELR_EL1, Arm64Reg.ESR_EL1, Arm64Reg.CP_REG};
        for (int i = 0; i < ids.length; i++) state.set(ValueLayout.JAVA_INT, ID_PC + 4L * i, ids[i]);
        SysReg spsr = SysReg.SPSR_EL1;
        state.set(ValueLayout.JAVA_INT, SPSR_CRN, spsr.crn());
        state.set(ValueLayout.JAVA_INT, SPSR_CRM, spsr.crm());
        state.set(ValueLayout.JAVA_INT, SPSR_OP0, spsr.op0());
        state.set(ValueLayout.JAVA_INT, SPSR_OP1, spsr.op1());
        state.set(ValueLayout.JAVA_INT, SPSR_OP2, spsr.op2());
        state.set(ValueLayout.JAVA_LONG, PSTATE_AT_ENTRY, Pstate.EL1H_DAIF_MASKED);
        uc.hookInterruptNative(NativeHooks.function("vitrine_intr_hook"), state);
    }

    /**
     * Whether SVCs are entered natively: only while nothing needs to see each exception in Java
     * (a trace, a profiler, the a53 model). Not while running.
     */
    void enable(boolean enabled) {
        state.set(ValueLayout.JAVA_INT, ENABLED, enabled ? 1 : 0);
    }

    /** SVCs entered natively since the last {@link #resetTaken}. */
    long taken() {
        return state.get(ValueLayout.JAVA_LONG, TAKEN);
    }

    void resetTaken() {
        state.set(ValueLayout.JAVA_LONG, TAKEN, 0);
    }
}
