package org.vitrine.emulator.debug;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The checkpoints a debugging session keeps to go backwards, ordered by {@link Position}, with a
 * bounded count and a bounded total size. Past either bound one point is dropped: the one whose
 * removal leaves the smallest gap <em>relative to its distance from the newest point</em>, never
 * the first (the session's start) nor the newest few (which reverse steps use most). Points taken
 * at a steady pace so thin out geometrically towards the past: dense where the user is, sparse
 * but never gone further back, so going back a little replays a short stretch and going back far
 * replays a stretch in proportion.
 *
 * @param <S> what is kept at each point (the engine keeps a machine snapshot)
 */
final class RewindHistory<S> {
    record Entry<S>(Position position, S state) { }

    private static final int KEEP_NEWEST = 4;

    private final int capacity;
    private final long budget;
    private final ToLongFunction<S> size;
    private final List<Entry<S>> entries = new ArrayList<>();
    private long bytes;

    RewindHistory(int capacity) {
        this(capacity, Long.MAX_VALUE, s -> 0);
    }

    /** At most {@code capacity} points whose {@code size} adds up to at most {@code budget} (the first is always kept). */
    RewindHistory(int capacity, long budget, ToLongFunction<S> size) {
        if (capacity < KEEP_NEWEST + 2) throw new IllegalArgumentException("capacity too small: " + capacity);
        this.capacity = capacity;
        this.budget = budget;
        this.size = size;
    }

    /** Adds a point; one already kept at the same position is replaced. */
    void add(Position p, S state) {
        int i = entries.size();
        while (i > 0 && entries.get(i - 1).position().compareTo(p) > 0) i--;
        if (i > 0 && entries.get(i - 1).position().sameAs(p)) {
            bytes -= size.applyAsLong(entries.get(i - 1).state());
            entries.set(i - 1, new Entry<>(p, state));
            bytes += size.applyAsLong(state);
            return;
        }
        entries.add(i, new Entry<>(p, state));
        bytes += size.applyAsLong(state);
        while ((entries.size() > capacity || bytes > budget) && entries.size() > KEEP_NEWEST + 1) thin();
    }

    /** Drops the point whose gap, once it is gone, is the smallest fraction of its distance from the newest point. */
    private void thin() {
        int best = -1;
        double bestRatio = Double.MAX_VALUE;
        long newest = entries.getLast().position().retired();
        for (int i = 1; i < entries.size() - KEEP_NEWEST; i++) {
            long before = entries.get(i - 1).position().retired();
            long gap = entries.get(i + 1).position().retired() - before;
            double ratio = gap / (double) Math.max(1, newest - before);
            if (ratio < bestRatio) {
                bestRatio = ratio;
                best = i;
            }
        }
        if (best < 0) return;
        bytes -= size.applyAsLong(entries.remove(best).state());
    }

    /** The total size of the points kept. */
    long bytes() {
        return bytes;
    }

    /** The latest point at or before {@code p} (at it only when the PC matches too), or null. */
    Entry<S> atOrBefore(Position p) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry<S> e = entries.get(i);
            int c = e.position().compareTo(p);
            if (c < 0 || c == 0 && e.position().sameAs(p)) return e;
        }
        return null;
    }

    /** The latest point strictly before {@code p}, or null. */
    Entry<S> before(Position p) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).position().compareTo(p) < 0) return entries.get(i);
        }
        return null;
    }

    Entry<S> newest() {
        return entries.isEmpty() ? null : entries.getLast();
    }

    /** Forgets every point after {@code p} (the machine left that future: memory or registers were edited). */
    void dropAfter(Position p) {
        entries.removeIf(e -> {
            boolean after = e.position().compareTo(p) > 0;
            if (after) bytes -= size.applyAsLong(e.state());
            return after;
        });
    }

    int size() {
        return entries.size();
    }

    List<Position> positions() {
        return entries.stream().map(Entry::position).toList();
    }
}
