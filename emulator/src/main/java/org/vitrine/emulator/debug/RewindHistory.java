package org.vitrine.emulator.debug;

import java.util.ArrayList;
import java.util.List;

/**
 * The snapshots a debugging session keeps to go backwards, ordered by {@link Position}, with a
 * bounded count: past {@link #capacity} the one that leaves the smallest gap in the run is
 * dropped (never the first, the session's start, nor the newest few, which reverse steps use
 * most), so the history thins out towards the past instead of forgetting it.
 *
 * @param <S> what is kept at each point (the engine keeps a machine snapshot)
 */
final class RewindHistory<S> {
    record Entry<S>(Position position, S state) { }

    private static final int KEEP_NEWEST = 4;

    private final int capacity;
    private final List<Entry<S>> entries = new ArrayList<>();

    RewindHistory(int capacity) {
        if (capacity < KEEP_NEWEST + 2) throw new IllegalArgumentException("capacity too small: " + capacity);
        this.capacity = capacity;
    }

    /** Adds a point; one already kept at the same position is replaced. */
    void add(Position p, S state) {
        int i = entries.size();
        while (i > 0 && entries.get(i - 1).position().compareTo(p) > 0) i--;
        if (i > 0 && entries.get(i - 1).position().sameAs(p)) {
            entries.set(i - 1, new Entry<>(p, state));
            return;
        }
        entries.add(i, new Entry<>(p, state));
        if (entries.size() > capacity) thin();
    }

    private void thin() {
        int best = -1;
        long bestGap = Long.MAX_VALUE;
        for (int i = 1; i < entries.size() - KEEP_NEWEST; i++) {
            long gap = entries.get(i + 1).position().retired() - entries.get(i - 1).position().retired();
            if (gap < bestGap) {
                bestGap = gap;
                best = i;
            }
        }
        entries.remove(best);
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
        entries.removeIf(e -> e.position().compareTo(p) > 0);
    }

    int size() {
        return entries.size();
    }

    List<Position> positions() {
        return entries.stream().map(Entry::position).toList();
    }
}
