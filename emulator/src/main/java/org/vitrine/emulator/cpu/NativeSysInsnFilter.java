package org.vitrine.emulator.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import org.vitrine.emulator.unicorn.Unicorn;

/**
 * Puts a native filter (vitrine_sys_hook in src/main/c/vitrine_hooks.c) in front of a Java
 * MRS/MSR/SYS hook, so that only the encodings the host emulates cross into Java. Linux reads
 * SP_EL0 and zeroes pages with DC ZVA millions of times during boot; each of those used to be a
 * ~30 ns upcall that answered "not mine". This class owns the filter's state block
 * ({@code struct vitrine_sys_filter}), whose layout the offsets below mirror.
 */
final class NativeSysInsnFilter {
    private static final long JAVA = 0, COUNT = 8, KEYS = 12, FILTERED = 136, SIZE = 144;
    private static final int MAX_KEYS = 30;

    private final MemorySegment state;

    /**
     * Installs the filtered hook for instruction {@code insn} (Unicorn.INS_*): {@code hook} runs
     * only for the encodings in {@code keys} ({@link SysReg#key} values); every other access is
     * left to the CPU, as if the hook had returned false.
     */
    NativeSysInsnFilter(Unicorn uc, int insn, List<Integer> keys, Unicorn.SysInsnHook hook) {
        if (keys.size() > MAX_KEYS) throw new IllegalArgumentException("at most " + MAX_KEYS + " filtered encodings");
        state = uc.arena().allocate(SIZE, 8);
        state.set(ValueLayout.ADDRESS, JAVA, uc.sysInsnUpcall(hook));
        state.set(ValueLayout.JAVA_INT, COUNT, keys.size());
        for (int i = 0; i < keys.size(); i++) state.set(ValueLayout.JAVA_INT, KEYS + 4L * i, keys.get(i));
        uc.hookSysInsnNative(insn, NativeHooks.function("vitrine_sys_hook"), state);
    }

    /** Accesses answered natively (never reached Java). */
    long filtered() {
        return state.get(ValueLayout.JAVA_LONG, FILTERED);
    }
}
