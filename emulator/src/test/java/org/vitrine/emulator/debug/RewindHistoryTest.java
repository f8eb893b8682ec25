package org.vitrine.emulator.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The rewind history's order, lookups and thinning, on plain positions. */
class RewindHistoryTest {
    private static Position at(long retired) {
        return new Position(retired, 0, retired, 0x1000 + 4 * retired);
    }

    @Test
    void findsTheLatestPointAtOrBeforeAndStrictlyBefore() {
        RewindHistory<String> h = new RewindHistory<>(8);
        h.add(at(100), "b");
        h.add(at(0), "a");
        h.add(at(300), "c");
        assertEquals("b", h.atOrBefore(at(100)).state());
        assertEquals("a", h.before(at(100)).state());
        assertEquals("b", h.atOrBefore(at(299)).state());
        assertNull(h.before(at(0)));
        assertEquals(List.of(at(0), at(100), at(300)), h.positions());
        // same count, another instruction (an exception entry after an abort): not the same point
        assertEquals("a", h.atOrBefore(new Position(100, 0, 100, 0x9999)).state());
    }

    @Test
    void aPointAtTheSamePositionIsReplacedAndEditsDropTheFuture() {
        RewindHistory<String> h = new RewindHistory<>(8);
        h.add(at(10), "old");
        h.add(at(10), "new");
        h.add(at(20), "later");
        assertEquals(2, h.size());
        assertEquals("new", h.atOrBefore(at(10)).state());
        h.dropAfter(at(15));
        assertEquals(List.of(at(10)), h.positions());
    }

    @Test
    void thinningKeepsTheStartAndTheNewestAndDropsTheSmallestGapForItsAge() {
        RewindHistory<Integer> h = new RewindHistory<>(6);
        long[] points = {0, 4000, 4010, 5000, 5500, 5600};
        for (long p : points) h.add(at(p), (int) p);
        h.add(at(5700), 5700);
        assertEquals(6, h.size());
        assertEquals(List.of(at(0), at(4000), at(5000), at(5500), at(5600), at(5700)), h.positions(),
                "of 4000 and 4010, which sat closest together for their distance from the newest point, one goes");
        for (int i = 6; i < 40; i++) h.add(at(i * 1000L), i);
        assertEquals(6, h.size());
        assertEquals(at(0), h.positions().getFirst(), "the session's start stays");
        assertEquals(at(39_000), h.newest().position());
    }

    @Test
    void pointsTakenAtASteadyPaceThinOutGeometricallyTowardsThePast() {
        RewindHistory<Integer> h = new RewindHistory<>(16);
        for (int i = 0; i <= 1000; i++) h.add(at(i * 1000L), i);
        List<Position> kept = h.positions();
        assertEquals(16, kept.size());
        assertEquals(at(0), kept.getFirst());
        assertEquals(at(1_000_000), kept.getLast());
        // the newest points are 1000 apart; the gaps grow going back, and no gap is most of the run
        assertEquals(1000, kept.get(15).retired() - kept.get(14).retired());
        long previousGap = 0;
        for (int i = kept.size() - 1; i > 1; i--) {
            long gap = kept.get(i).retired() - kept.get(i - 1).retired();
            assertTrue(gap >= previousGap / 2, "gaps grow towards the past: " + kept);
            previousGap = Math.max(previousGap, gap);
        }
        assertTrue(kept.get(1).retired() < 600_000, "the far past keeps points too: " + kept);
        assertTrue(kept.get(14).retired() >= 990_000, "the present is dense: " + kept);
    }

    @Test
    void theTotalSizeStaysWithinTheBudget() {
        RewindHistory<Integer> h = new RewindHistory<>(100, 10_000, s -> s);
        for (int i = 0; i < 50; i++) h.add(at(i * 1000L), 1000);
        assertEquals(10, h.size());
        assertEquals(10_000, h.bytes());
        h.dropAfter(at(0));
        assertEquals(1000, h.bytes());
    }
}
