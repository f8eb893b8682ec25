package org.vitrine.emulator.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.vitrine.emulator.memory.PhysicalMemory;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * IC IVAU on RAM without an upcall: a native front (vitrine_sys_ic_hook in
 * src/main/c/vitrine_ic.c) to the SYS instruction filter drops the line's translated blocks the way
 * {@link SystemInstructions#onSys} does through {@link Unicorn#invalidateCode}, and passes every
 * other instruction, and any IC IVAU it cannot do, on to the filter and Java. Linux runs IC IVAU
 * about 66,000 times per boot. This class owns the front's state block ({@code struct vitrine_ic}),
 * whose layout the offsets below mirror.
 */
final class NativeCodeInvalidation {
    private static final long FILTER = 0, VMEM_TRANSLATE = 8, RAM_ADDR_FROM_HOST = 16, INVALIDATE = 24, RAM_HOST = 32,
            RAM_BASE = 40, RAM_SIZE = 48, KEY_IC_IVAU = 56, ENABLED = 60, DONE = 64, SIZE = 72;

    private final Unicorn uc;
    private final MemorySegment state;

    NativeCodeInvalidation(Unicorn uc, PhysicalMemory ram) {
        this.uc = uc;
        state = uc.arena().allocate(SIZE, 8);
        state.set(ValueLayout.ADDRESS, RAM_HOST, ram.segment());
        state.set(ValueLayout.JAVA_LONG, RAM_BASE, ram.base());
        state.set(ValueLayout.JAVA_LONG, RAM_SIZE, ram.size());
        state.set(ValueLayout.JAVA_INT, KEY_IC_IVAU, SysReg.IC_IVAU.key());
        if (Unicorn.canInvalidateCodeInHooks()) {
            state.set(ValueLayout.ADDRESS, VMEM_TRANSLATE, uc.symbol("uc_vmem_translate"));
            state.set(ValueLayout.ADDRESS, RAM_ADDR_FROM_HOST, uc.symbol("qemu_ram_addr_from_host_aarch64"));
            state.set(ValueLayout.ADDRESS, INVALIDATE, uc.symbol("tb_invalidate_phys_range_aarch64"));
        }
    }

    /** Installs the front for system instruction {@code insn}, in front of the filter whose state is {@code filter}. */
    void install(int insn, MemorySegment filter) {
        state.set(ValueLayout.ADDRESS, FILTER, filter);
        uc.hookSysInsnNative(insn, NativeHooks.function("vitrine_sys_ic_hook"), state);
    }

    /**
     * Whether IC IVAU is done natively: not while something must hear of every code change in Java
     * (the a53 model's block costs), nor on a libunicorn that does not export what it needs.
     */
    void enable(boolean enabled) {
        state.set(ValueLayout.JAVA_INT, ENABLED, enabled && Unicorn.canInvalidateCodeInHooks() && ram() ? 1 : 0);
    }

    private boolean ram() {
        return state.get(ValueLayout.JAVA_LONG, RAM_SIZE) >= 64;
    }

    /** IC IVAU done natively. */
    long done() {
        return state.get(ValueLayout.JAVA_LONG, DONE);
    }
}
