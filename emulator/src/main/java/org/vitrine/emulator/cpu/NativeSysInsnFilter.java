package org.vitrine.emulator.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import org.vitrine.emulator.unicorn.Arm64Reg;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * Puts a native filter (vitrine_sys_hook in src/main/c/vitrine_hooks.c) in front of a Java
 * MRS/MSR/SYS hook, so that only the encodings the host emulates cross into Java. Linux reads
 * SP_EL0 and zeroes pages with DC ZVA millions of times during boot; each of those used to be a
 * ~30 ns upcall that answered "not mine". This class owns the filter's state block
 * ({@code struct vitrine_sys_filter}), whose layout the offsets below mirror.
 */
final class NativeSysInsnFilter {
    private static final long JAVA = 0, COUNT = 8, KEYS = 12, FILTERED = 272, CLOCK = 280, COUNTER_NUM = 288,
            COUNTER_DEN = 296, REG_READ = 304, REG_WRITE = 312, CNTKCTL = 320, KEY_PCT = 328, KEY_VCT = 332, ID_PC = 336,
            ID_PSTATE = 340, ID_W0 = 344, ID_WZR = 348, ID_XZR = 352, COUNTER_READS = 360, MODEL = 368, KEY_TTBR0 = 376, SIZE = 384;
    private static final int WZR = 6;
    private static final int MAX_KEYS = 64;

    private final MemorySegment state;
    private final Unicorn uc;

    /**
     * Installs the filtered hook for instruction {@code insn} (Unicorn.INS_*): {@code hook} runs
     * only for the encodings in {@code keys} ({@link SysReg#key} values); every other access is
     * left to the CPU, as if the hook had returned false.
     */
    NativeSysInsnFilter(Unicorn uc, int insn, List<Integer> keys, Unicorn.SysInsnHook hook) {
        this(uc, insn, keys, hook, null);
    }

    /** The same, with {@code front} (or null) seeing each instruction before the filter. */
    NativeSysInsnFilter(Unicorn uc, int insn, List<Integer> keys, Unicorn.SysInsnHook hook, NativeCodeInvalidation front) {
        if (keys.size() > MAX_KEYS) throw new IllegalArgumentException("at most " + MAX_KEYS + " filtered encodings");
        this.uc = uc;
        state = uc.arena().allocate(SIZE, 8);
        state.set(ValueLayout.ADDRESS, JAVA, uc.sysInsnUpcall(hook));
        state.set(ValueLayout.JAVA_INT, COUNT, keys.size());
        for (int i = 0; i < keys.size(); i++) state.set(ValueLayout.JAVA_INT, KEYS + 4L * i, keys.get(i));
        if (front == null) uc.hookSysInsnNative(insn, NativeHooks.function("vitrine_sys_hook"), state);
        else front.install(insn, state);
    }

    /**
     * From now on MRS CNTPCT_EL0 / CNTVCT_EL0 are answered natively from the block clock, as
     * {@link GenericTimer#counter()} would ({@code counterHz} ticks per {@code cyclesPerSecond}
     * cycles), with CNTKCTL_EL1's EL0 rules ({@link #cntkctl}); the Java hook no longer sees them.
     */
    void answerCounters(NativeBlockClock clock, long counterHz, long cyclesPerSecond) {
        state.set(ValueLayout.JAVA_LONG, COUNTER_NUM, counterHz);
        state.set(ValueLayout.JAVA_LONG, COUNTER_DEN, cyclesPerSecond);
        state.set(ValueLayout.ADDRESS, REG_READ, uc.symbol("uc_reg_read"));
        state.set(ValueLayout.ADDRESS, REG_WRITE, uc.symbol("uc_reg_write"));
        state.set(ValueLayout.JAVA_INT, KEY_PCT, SysReg.CNTPCT_EL0.key());
        state.set(ValueLayout.JAVA_INT, KEY_VCT, SysReg.CNTVCT_EL0.key());
        state.set(ValueLayout.JAVA_INT, ID_PC, Arm64Reg.PC);
        state.set(ValueLayout.JAVA_INT, ID_PSTATE, Arm64Reg.PSTATE);
        state.set(ValueLayout.JAVA_INT, ID_W0, Arm64Reg.W0);
        state.set(ValueLayout.JAVA_INT, ID_WZR, WZR);
        state.set(ValueLayout.JAVA_INT, ID_XZR, Arm64Reg.XZR);
        state.set(ValueLayout.ADDRESS, CLOCK, clock.state());
    }

    /**
     * (The MSR filter.) Tells the a53 model of every TTBR0_EL1 write, natively: its block costs and
     * caches tag lower-half addresses with the address space they belong to.
     */
    void reportContextSwitches(NativeA53Model model) {
        state.set(ValueLayout.JAVA_INT, KEY_TTBR0, SysReg.TTBR0_EL1.key());
        state.set(ValueLayout.ADDRESS, MODEL, model.state());
    }

    /** The guest wrote CNTKCTL_EL1: EL0's access to the counters follows it. */
    void cntkctl(long value) {
        state.set(ValueLayout.JAVA_LONG, CNTKCTL, value);
    }

    /** From now on {@code key} reaches the Java hook too (at most {@link #MAX_KEYS} in all). Not while running. */
    void addKey(int key) {
        int n = state.get(ValueLayout.JAVA_INT, COUNT);
        for (int i = 0; i < n; i++) if (state.get(ValueLayout.JAVA_INT, KEYS + 4L * i) == key) return;
        if (n == MAX_KEYS) throw new IllegalStateException("the system-instruction filter is full (" + MAX_KEYS + " encodings)");
        state.set(ValueLayout.JAVA_INT, KEYS + 4L * n, key);
        state.set(ValueLayout.JAVA_INT, COUNT, n + 1);
    }

    /** Counter reads answered natively. */
    long counterReads() {
        return state.get(ValueLayout.JAVA_LONG, COUNTER_READS);
    }

    /** Accesses answered natively (never reached Java). */
    long filtered() {
        return state.get(ValueLayout.JAVA_LONG, FILTERED);
    }
}
