package org.vitrine.emulator.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
    void thinningKeepsTheStartAndTheNewestAndDropsTheSmallestGap() {
        RewindHistory<Integer> h = new RewindHistory<>(6);
        long[] points = {0, 1000, 1010, 2000, 3000, 4000, 5000};
        for (long p : points) h.add(at(p), (int) p);
        assertEquals(6, h.size());
        assertEquals(List.of(at(0), at(1000), at(2000), at(3000), at(4000), at(5000)), h.positions(),
                "1010 sat closest to its neighbours");
        for (int i = 6; i < 40; i++) h.add(at(i * 1000L), i);
        assertEquals(6, h.size());
        assertEquals(at(0), h.positions().getFirst(), "the session's start stays");
        assertEquals(at(39_000), h.newest().position());
    }
}
