package org.vitrine.emulator.debug;

import java.util.ArrayList;
import java.util.List;

import org.vitrine.emulator.display.HostInput;

/**
 * The host input a debugged machine was given (window keys, pointer moves), with where in the run
 * each delivery reached it, so that a replay after a rewind gives the same input at the same
 * instants and lands in the same past. Pure bookkeeping; {@link DebugEngine} runs the machine.
 *
 * <p>It knows three things: the deliveries in run order, how many of them the machine has had
 * ({@link #delivered()}: a checkpoint keeps this count, a restore sets it back), and the
 * {@link #present()}: the furthest cycle the run has reached. Before the present the input is
 * known (the journal's); new host input waits until the machine is back there. A change to the
 * machine (an edit of memory or a register) makes where it is the present and forgets the
 * deliveries after it, as the engine forgets its checkpoints after it.
 */
final class InputJournal {
    /**
     * One delivery: where it happened and the events. {@code atStop}: it came at the start of a
     * resume, at the instruction where the user had stopped (input posted while the debugger held
     * the guest); the machine stopped there had not had it yet.
     */
    record Entry(Position at, boolean atStop, HostInput.Delivery delivery) { }

    private final List<Entry> entries = new ArrayList<>();
    private int delivered;
    private long present;

    /** @param start the cycle the journal starts at (the present until the run goes further) */
    InputJournal(long start) {
        present = start;
    }

    /** A delivery the machine just had (live input): it follows every one had so far; any known after them are forgotten. */
    void record(Entry e) {
        forgetFuture();
        entries.add(e);
        delivered = entries.size();
        reached(e.at().cycle());
    }

    /** The next delivery the machine has not had, or null. */
    Entry next() {
        return delivered < entries.size() ? entries.get(delivered) : null;
    }

    /** The machine had {@link #next()} (a replay gave it). */
    void markDelivered() {
        if (delivered >= entries.size()) throw new IllegalStateException("no delivery pending");
        delivered++;
    }

    /** How many deliveries the machine has had. */
    int delivered() {
        return delivered;
    }

    /** The machine was restored to a checkpoint taken after {@code count} deliveries. */
    void rewindTo(int count) {
        if (count < 0 || count > entries.size()) throw new IllegalArgumentException("no such point in the input journal: " + count);
        delivered = count;
    }

    /** The machine ran (not replaying) to {@code cycle}: the present moves up to it. */
    void reached(long cycle) {
        present = Math.max(present, cycle);
    }

    long present() {
        return present;
    }

    /** Whether {@code cycle} is before the present (the input there is the journal's, not the host's). */
    boolean inPast(long cycle) {
        return cycle < present;
    }

    /** The machine at {@code cycle} was changed: that is the present now and deliveries not yet had are forgotten. */
    void branchAt(long cycle) {
        forgetFuture();
        present = cycle;
    }

    private void forgetFuture() {
        entries.subList(delivered, entries.size()).clear();
    }

    int size() {
        return entries.size();
    }
}
