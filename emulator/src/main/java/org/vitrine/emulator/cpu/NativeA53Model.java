package org.vitrine.emulator.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import org.vitrine.emulator.time.CacheCounts;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * The a53 timing model's native state (src/main/c/vitrine_a53.c), owned here: the per-block cost
 * table, the branch predictor, the caches and the TLBs. The block clock's hook and the data-read
 * hook call into it from native code; Java only creates it, tells it when code changed,
 * lets it switch between detailed windows and estimated stretches between
 * runs ({@link #applySampling}), reads its counts, and saves and restores its whole state with
 * the CPU's snapshot section ({@link #save}, {@link #restore}).
 */
final class NativeA53Model {
    private static final Linker LINKER = Linker.nativeLinker();
    private static MethodHandle size, init, invalidate, forget, counts, staticCost, attach, apply, save, check, restore, inWindow;

    /** The counts the model keeps (vitrine_a53_counts), in its order. */
    record Counts(long blocksDecoded, long mispredicts, long l1dMisses, long l2Misses, long tlbMisses, long reads,
                  long instructionFetches, long l1iMisses, long microTlbMisses, long windows, long detailedInstructions) {
        CacheCounts caches() {
            return new CacheCounts(instructionFetches, l1iMisses, reads, l1dMisses, l2Misses, microTlbMisses, tlbMisses);
        }
    }

    private static final int COUNTS = 11;

    private final MemorySegment state;
    private final Unicorn uc;

    NativeA53Model(Unicorn uc) {
        bind();
        this.uc = uc;
        try {
            state = uc.arena().allocate((long) size.invokeExact(), 64);
            init.invokeExact(state, uc.symbol("uc_vmem_read"), uc.symbol("uc_hook_add"), uc.symbol("uc_hook_del"),
                    uc.symbol("uc_ctl"));
        } catch (Throwable t) {
            throw new IllegalStateException("cannot start the a53 timing model: " + t, t);
        }
    }

    private static synchronized void bind() {
        if (size != null) return;
        size = handle("vitrine_a53_size", FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        init = handle("vitrine_a53_init", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        attach = handle("vitrine_a53_attach", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        apply = handle("vitrine_a53_apply", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        invalidate = handle("vitrine_a53_invalidate", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        forget = handle("vitrine_a53_forget_previous", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        counts = handle("vitrine_a53_counts", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        staticCost = handle("vitrine_a53_static_cost", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        save = handle("vitrine_a53_save", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG));
        check = handle("vitrine_a53_check", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        restore = handle("vitrine_a53_restore", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        inWindow = handle("vitrine_a53_in_window", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(NativeHooks.function(name), fd, Linker.Option.critical(false));
    }

    MemorySegment state() {
        return state;
    }

    /**
     * The block clock ({@code struct vitrine_clock}) whose stop flag the model raises to end a run
     * before entering or leaving a detailed window, and which its read hook charges.
     */
    void attach(MemorySegment clock) {
        try {
            attach.invokeExact(state, clock);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Between runs: enters the detailed window the model asked for (installs its data-read hook
     * and drops every translation, so that all code is translated again with the hook) or drops
     * the translations made with the hook after one ended. Nothing when it asked for neither.
     */
    void applySampling() {
        int done;
        try {
            done = (int) apply.invokeExact(state);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (done < 0) throw new IllegalStateException("the a53 model could not install its data-read hook");
    }

    /** Code changed somewhere (IC maintenance, host writes, a flush): every block is costed again. */
    void invalidate() {
        call(invalidate);
    }

    /**
     * The whole state as bytes (src/main/c/vitrine_a53_state.c: the table sparsely, pointers as
     * slots); the same state always gives the same bytes.
     */
    byte[] save() {
        try (Arena arena = Arena.ofConfined()) {
            long n = (long) save.invokeExact(state, MemorySegment.NULL, 0L);
            MemorySegment buf = arena.allocate(n);
            long written = (long) save.invokeExact(state, buf, n);
            if (written != n) throw new IllegalStateException("the a53 model's state changed size while saved");
            return buf.toArray(ValueLayout.JAVA_BYTE);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Null when {@code bytes} is a state {@link #restore} takes, else what is wrong with it. */
    static String check(byte[] bytes) {
        bind();
        try (Arena arena = Arena.ofConfined()) {
            return message((MemorySegment) check.invokeExact(arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes), (long) bytes.length));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Replaces the whole state with {@code bytes} (checked by {@link #check}), between runs after
     * the CPU's translations were dropped: inside a detailed window it installs the read hook again.
     */
    void restore(byte[] bytes) {
        String error;
        try (Arena arena = Arena.ofConfined()) {
            error = message((MemorySegment) restore.invokeExact(state, uc.engine(), arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes),
                    (long) bytes.length));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (error != null) throw new IllegalStateException(error);
    }

    /** Inside a detailed window (its data-read hook on): for tests that save at both kinds of instant. */
    boolean inWindow() {
        try {
            return (int) inWindow.invokeExact(state) != 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static String message(MemorySegment error) {
        return error.equals(MemorySegment.NULL) ? null : error.reinterpret(256).getString(0);
    }

    /** The next block does not follow the last one by a branch (an exception was entered). */
    void forgetPreviousBlock() {
        call(forget);
    }

    private void call(MethodHandle h) {
        try {
            h.invokeExact(state);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    Counts counts() {
        try {
            long[] c = ((MemorySegment) counts.invokeExact(state)).reinterpret(8L * COUNTS).toArray(ValueLayout.JAVA_LONG);
            return new Counts(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10]);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * The static cost the model gives a block made of {@code words} ({@code loop}: a block that
     * branches back to itself, costed in its steady state); for unit tests of the pipeline rules.
     */
    static int staticCost(int[] words, boolean loop) {
        bind();
        try (var arena = Arena.ofConfined()) {
            MemorySegment w = arena.allocateFrom(ValueLayout.JAVA_INT, words);
            return (int) staticCost.invokeExact(w, words.length, loop ? 1 : 0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
