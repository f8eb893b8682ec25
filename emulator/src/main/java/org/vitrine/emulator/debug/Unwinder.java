package org.vitrine.emulator.debug;

import java.util.ArrayList;
import java.util.List;

/**
 * Walks an AArch64 call stack by frame pointers: the one unwinder behind the debugger's
 * backtrace ({@link DebugEngine#backtrace}) and the profiler's sampled stacks
 * ({@code emulator/profile/Profiler}).
 *
 * <p>rustc and GCC keep a frame record {previous x29, return address} at x29 in every function
 * that calls another, so the chain from x29 gives each caller's return address. Callers are named
 * by the call instruction (return address - 4): a call that is the last instruction of a function
 * returns past its end, into the next symbol. At a function's first two instructions its own
 * record does not exist yet, so x29 still names the caller's record and the caller itself is
 * only in x30: when {@code lr} is given and the PC is that close to a symbol's start, x30 is the
 * first caller.
 *
 * <p>The walk ends at a null or misaligned frame pointer, an unreadable record, a zero return
 * address, or a record that is not above the previous one (stacks grow down, so a caller's record
 * is higher: this also ends loops in a corrupt chain).
 */
public final class Unwinder {
    /** Reads guest memory by virtual address: the bytes at [va, va + length), fewer when some are unreachable. */
    public interface Memory {
        byte[] read(long va, int length);
    }

    /** Names code addresses: the function holding {@code va} and the offset into it, or null when no symbol covers it. */
    public interface Namer {
        Named name(long va);
    }

    /** A function name and an offset into it ({@link #UNKNOWN_OFFSET} when the namer does not know it). */
    public record Named(String function, long offset) {
        public static final long UNKNOWN_OFFSET = -1;

        @Override
        public String toString() {
            return offset <= 0 ? function : function + "+0x" + Long.toHexString(offset);
        }
    }

    /**
     * One frame: level 0 is where the CPU is; above it, callers.
     *
     * @param pc       the PC (level 0) or the return address
     * @param callSite the address named: the PC at level 0, the call instruction (return address - 4) above
     * @param name     the function at {@code callSite}, null when unknown
     */
    public record Frame(int level, long pc, long callSite, Named name) {
        /** {@code function+0x1c} for {@link #pc} (its offset, although the call site chose the function), or its hex address. */
        public String where() {
            if (name == null) return "0x" + Long.toHexString(pc);
            if (name.offset() == Named.UNKNOWN_OFFSET) return name.function();
            return new Named(name.function(), name.offset() + (pc - callSite)).toString();
        }
    }

    /** No x30 to offer: the at-entry rule is not used. */
    public static final long NO_LINK = 1;
    /** Instructions at a function's start before its frame record exists (stp x29, x30, [sp, #-N]!; mov x29, sp). */
    private static final long PROLOGUE_BYTES = 8;

    private final Memory memory;
    private final Namer namer;

    public Unwinder(Memory memory, Namer namer) {
        this.memory = memory;
        this.namer = namer;
    }

    /**
     * The frames of the stack at {@code pc} with frame pointer {@code fp} (x29) and link register
     * {@code lr} (x30, or {@link #NO_LINK}), innermost first, at most {@code max}.
     */
    public List<Frame> walk(long pc, long fp, long lr, int max) {
        List<Frame> frames = new ArrayList<>();
        if (max < 1) return frames;
        Named here = namer.name(pc);
        frames.add(new Frame(0, pc, pc, here));
        boolean atEntry = here != null && here.offset() != Named.UNKNOWN_OFFSET && here.offset() < PROLOGUE_BYTES;
        if (lr != NO_LINK && atEntry && lr != 0 && frames.size() < max) frames.add(caller(1, lr));
        while (fp != 0 && (fp & 7) == 0 && frames.size() < max) {
            byte[] record = memory.read(fp, 16);
            if (record.length < 16) break;
            long previous = littleEndian(record, 0), ret = littleEndian(record, 8);
            if (ret == 0) break;
            frames.add(caller(frames.size(), ret));
            if (Long.compareUnsigned(previous, fp) <= 0) break;
            fp = previous;
        }
        return frames;
    }

    private Frame caller(int level, long ret) {
        long call = ret - 4;
        return new Frame(level, ret, call, namer.name(call));
    }

    private static long littleEndian(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = v << 8 | (b[at + i] & 0xff);
        return v;
    }
}
