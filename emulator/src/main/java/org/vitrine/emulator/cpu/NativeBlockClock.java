package org.vitrine.emulator.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import org.vitrine.emulator.unicorn.Unicorn;

/**
 * The cycle clock's per-block bookkeeping, done by a native block hook (src/main/c/vitrine_hooks.c)
 * because a Java upcall per translated block costs more than the block itself in tight loops.
 * This class owns the hook's state block — {@code struct vitrine_clock}, whose layout the offsets
 * below mirror — and is the only Java code that touches it. With the fixed model on a libunicorn
 * built with Vitrine's patch 0005 (scripts/unicorn/), the translated blocks do the fixed hook's
 * work inline and call it only when it must stop or resume ({@link #countsInline}): same fields,
 * same figures.
 */
final class NativeBlockClock {
    private static final long COMMITTED = 0, DEADLINE = 8, BLOCK_ADDRESS = 16, BLOCK_START = 24, RETIRED = 32,
            CPI = 40, EMU_STOP = 48, BLOCK_SIZE = 56, STOP = 60, STOPS = 64, DEFER_STOP = 72, CONTINUATION_SIZE = 76, BLOCK_CYCLES = 80, BLOCK_EXTRA = 88,
            MODEL = 96, CONTINUATION = 104, CONTINUATION_CYCLES = 112, SIZE = 120;

    private final MemorySegment state;
    /**
     * With the fixed model on a libunicorn built with Vitrine's patch 0005: {@code struct
     * vitrine_counter} (src/main/c/vitrine_counter.c), whose limit word lets each translated block
     * charge itself inline instead of calling the block hook; null when the hook does the work.
     */
    private final MemorySegment counter;
    private static final long COUNTER_LIMIT = 0, COUNTER_CLOCK = 8, COUNTER_SIZE = 16;

    /**
     * {@code model}: the a53 model that costs each block (and installs its data-read hook on this
     * state for its detailed windows); null for {@code cyclesPerInstruction} cycles per instruction.
     */
    NativeBlockClock(Unicorn uc, int cyclesPerInstruction, NativeA53Model model) {
        state = uc.arena().allocate(SIZE, 8);
        state.set(ValueLayout.JAVA_LONG, DEADLINE, Long.MAX_VALUE);
        state.set(ValueLayout.JAVA_LONG, CONTINUATION, 1);
        state.set(ValueLayout.JAVA_LONG, CPI, cyclesPerInstruction);
        state.set(ValueLayout.ADDRESS, EMU_STOP, uc.symbol("uc_emu_stop"));
        state.set(ValueLayout.ADDRESS, MODEL, model == null ? MemorySegment.NULL : model.state());
        counter = model == null && countsInline() ? uc.arena().allocate(COUNTER_SIZE, 8) : null;
        if (counter != null) {
            counter.set(ValueLayout.ADDRESS, COUNTER_CLOCK, state);
            refreshLimit();
            uc.countBlocksInline(new Unicorn.BlockCounter(state, counter, (int) COMMITTED, (int) RETIRED, (int) BLOCK_ADDRESS,
                    (int) BLOCK_START, (int) BLOCK_SIZE, (int) BLOCK_CYCLES, (int) BLOCK_EXTRA, cyclesPerInstruction,
                    NativeHooks.function("vitrine_counter_slow"), counter));
        } else {
            uc.hookBlockNative(NativeHooks.function(model == null ? "vitrine_block_hook_fixed" : "vitrine_block_hook"), state);
        }
        if (model != null) model.attach(state);  // the model installs the data-read hook for its detailed windows
    }

    /**
     * Whether the fixed model's blocks charge themselves inline: the loaded libunicorn has patch
     * 0005, and {@code -Dvitrine.unicorn.counter=false} (for measuring the hook against it with the
     * same library) does not turn it off.
     */
    static boolean countsInline() {
        return Unicorn.canCountBlocksInline() && !"false".equals(System.getProperty("vitrine.unicorn.counter"));
    }

    /**
     * The counter's limit after a change of the deadline, the stop flag or the continuation: the
     * deadline, or 0 while a stop or a continuation needs the hook (same rule as refresh_limit in
     * vitrine_counter.c). The limit is written before the flags are read, so a stop another thread
     * asks for meanwhile ({@link #requestStop}) is never lost.
     */
    private void refreshLimit() {
        if (counter == null) return;
        counter.set(ValueLayout.JAVA_LONG, COUNTER_LIMIT, state.get(ValueLayout.JAVA_LONG, DEADLINE));
        VarHandle.fullFence();
        if (stopRequested() || state.get(ValueLayout.JAVA_LONG, CONTINUATION) != 1) counter.set(ValueLayout.JAVA_LONG, COUNTER_LIMIT, 0L);
    }

    /**
     * The cycle at which the instruction {@code done} instructions into the current block starts:
     * the block's cost shared out evenly over its instructions (exact for a fixed cost per
     * instruction) plus what it was charged while running (cache misses). Same rule as
     * precise_cycle in vitrine_hooks.c.
     */
    long cycleWithinBlock(long done) {
        long insns = blockSize() >>> 2;
        long cost = state.get(ValueLayout.JAVA_LONG, BLOCK_CYCLES);
        return blockStart() + state.get(ValueLayout.JAVA_LONG, BLOCK_EXTRA) + (insns == 0 ? 0 : cost * done / insns);
    }

    /** The state block, for native code that reads the clock (the counter in {@link NativeSysInsnFilter}). */
    MemorySegment state() {
        return state;
    }

    long committed() {
        return state.get(ValueLayout.JAVA_LONG, COMMITTED);
    }

    void committed(long cycles) {
        state.set(ValueLayout.JAVA_LONG, COMMITTED, cycles);
    }

    void deadline(long cycle) {
        state.set(ValueLayout.JAVA_LONG, DEADLINE, cycle);
        refreshLimit();
    }

    long blockAddress() {
        return state.get(ValueLayout.JAVA_LONG, BLOCK_ADDRESS);
    }

    /** Forgets the current block (after a run, nothing is "current"). */
    void clearBlock() {
        state.set(ValueLayout.JAVA_INT, BLOCK_SIZE, 0);
    }

    int blockSize() {
        return state.get(ValueLayout.JAVA_INT, BLOCK_SIZE);
    }

    long blockStart() {
        return state.get(ValueLayout.JAVA_LONG, BLOCK_START);
    }

    long retired() {
        return state.get(ValueLayout.JAVA_LONG, RETIRED);
    }

    void retired(long instructions) {
        state.set(ValueLayout.JAVA_LONG, RETIRED, instructions);
    }

    boolean stopRequested() {
        return state.get(ValueLayout.JAVA_INT, STOP) != 0;
    }

    /** Asks the hook to stop the CPU before its next block; safe from any thread. */
    void requestStop() {
        VarHandle.fullFence();
        state.set(ValueLayout.JAVA_INT, STOP, 1);
        VarHandle.fullFence();
        if (counter != null) {
            counter.set(ValueLayout.JAVA_LONG, COUNTER_LIMIT, 0L);
            VarHandle.fullFence();
        }
    }

    /** While per-instruction hooks exist, the hook only marks a stop and one of them performs it. */
    void deferStops(boolean defer) {
        state.set(ValueLayout.JAVA_INT, DEFER_STOP, defer ? 1 : 0);
    }

    /**
     * The next block starting at {@code address} (1: none) is the rest of a block a debugger cut
     * short: the hook charges it without checking for a stop, once.
     */
    void continuation(long address) {
        state.set(ValueLayout.JAVA_LONG, CONTINUATION, address);
        refreshLimit();
    }

    /**
     * What the cut before the continuation gave back: {@code cycles} for the block's last
     * {@code bytes}. With the a53 model the hook charges the continuation exactly that (when it is
     * those bytes), since the model already costed the whole block; the fixed model charges per
     * instruction, which is the same.
     */
    void continuationCost(long cycles, int bytes) {
        state.set(ValueLayout.JAVA_LONG, CONTINUATION_CYCLES, cycles);
        state.set(ValueLayout.JAVA_INT, CONTINUATION_SIZE, bytes);
    }

    /** The cycles {@link #continuationCost} last set (a snapshot saves them with the continuation). */
    long continuationCycles() {
        return state.get(ValueLayout.JAVA_LONG, CONTINUATION_CYCLES);
    }

    /** The bytes {@link #continuationCost} last set. */
    int continuationBytes() {
        return state.get(ValueLayout.JAVA_INT, CONTINUATION_SIZE);
    }

    void clearStop() {
        state.set(ValueLayout.JAVA_INT, STOP, 0);
        refreshLimit();
    }
}
