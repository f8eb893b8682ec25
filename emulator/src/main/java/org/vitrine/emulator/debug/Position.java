package org.vitrine.emulator.debug;

/**
 * A point in a run's instruction stream, as the rewind needs it: the instructions retired and the
 * synchronous exceptions taken before the next instruction (together they grow by at least one at
 * each instruction, aborted ones included), the cycle then, and the next instruction's address.
 * Two positions of one deterministic run are equal exactly when the machine was in the same state.
 *
 * @param pc {@link #ANY_PC} in a target means "the first instruction at or after this count"
 */
public record Position(long retired, long taken, long cycle, long pc) implements Comparable<Position> {
    public static final long ANY_PC = 1;   // no instruction is at an odd address

    /** Orders by instructions, then exceptions (the cycle and PC follow from them). */
    @Override
    public int compareTo(Position o) {
        int c = Long.compare(retired, o.retired);
        return c != 0 ? c : Long.compare(taken, o.taken);
    }

    /** Same count and, unless either says {@link #ANY_PC}, the same next instruction. */
    public boolean sameAs(Position o) {
        return compareTo(o) == 0 && (pc == ANY_PC || o.pc == ANY_PC || pc == o.pc);
    }

    @Override
    public String toString() {
        return "#" + retired + (taken == 0 ? "" : "+" + taken + "x") + " @0x" + Long.toHexString(pc);
    }
}
