package org.vitrine.emulator.time;

/**
 * The a53 timing model's cache and TLB traffic (docs/timing-a53.md): accesses and misses of the
 * L1 instruction and data caches, the unified L2, the micro-TLBs and the L2 TLB (a miss there is
 * a page walk). Counts only grow while a machine runs, so what happened between two moments is
 * the {@link #minus difference} of two readings; the profiler charges such differences to the
 * process that ran, as it charges cycles.
 *
 * <p>Accesses: L1 I = each executed block's 64-byte lines; L1 D = each guest data read (stores
 * are not modelled); L2 = the L1 misses of both sides; TLB = every L1 access's translation (the
 * micro-TLBs); L2 TLB = the micro-TLB misses.
 */
public record CacheCounts(long l1iAccesses, long l1iMisses, long l1dAccesses, long l1dMisses, long l2Misses,
                          long microTlbMisses, long tlbMisses) {
    public static final CacheCounts ZERO = new CacheCounts(0, 0, 0, 0, 0, 0, 0);

    /** Misses of either L1: the L2's accesses. */
    public long l2Accesses() {
        return l1iMisses + l1dMisses;
    }

    /** Translations looked up in the micro-TLBs: one per L1 access. */
    public long tlbAccesses() {
        return l1iAccesses + l1dAccesses;
    }

    /**
     * What happened since {@code earlier}. A count that went backwards (the model was reset, as a
     * restored snapshot resets it) counts from zero.
     */
    public CacheCounts minus(CacheCounts earlier) {
        return new CacheCounts(since(l1iAccesses, earlier.l1iAccesses), since(l1iMisses, earlier.l1iMisses),
                since(l1dAccesses, earlier.l1dAccesses), since(l1dMisses, earlier.l1dMisses), since(l2Misses, earlier.l2Misses),
                since(microTlbMisses, earlier.microTlbMisses), since(tlbMisses, earlier.tlbMisses));
    }

    private static long since(long now, long then) {
        return now >= then ? now - then : now;
    }

    public CacheCounts plus(CacheCounts o) {
        return new CacheCounts(l1iAccesses + o.l1iAccesses, l1iMisses + o.l1iMisses, l1dAccesses + o.l1dAccesses,
                l1dMisses + o.l1dMisses, l2Misses + o.l2Misses, microTlbMisses + o.microTlbMisses, tlbMisses + o.tlbMisses);
    }

    /** {@code misses} per {@code accesses} in percent, or NaN with no access. */
    public static double percent(long misses, long accesses) {
        return accesses == 0 ? Double.NaN : 100.0 * misses / accesses;
    }
}
