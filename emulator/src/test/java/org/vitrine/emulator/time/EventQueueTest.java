package org.vitrine.emulator.time;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link EventQueue}: events run in time order and, at equal times, in scheduling order; cancelled
 * events never run; runDue also runs what events schedule for "now" but nothing in the future; the
 * earlier-deadline callback fires only for a new earliest event; and the nanosecond conversions
 * round the safe way (time down, deadlines up).
 */
class EventQueueTest {
    @Test
    void orderByTimeThenBySchedulingOrder() {
        EventQueue q = new EventQueue(1_000_000_000L);
        List<String> ran = new ArrayList<>();
        q.schedule(20, () -> ran.add("A@20"));
        q.schedule(10, () -> ran.add("B@10"));
        q.schedule(10, () -> ran.add("C@10"));
        q.schedule(20, () -> ran.add("D@20"));
        q.schedule(15, () -> ran.add("E@15"));
        q.schedule(10, () -> ran.add("F@10"));
        assertEquals(10, q.nextDeadline());
        q.advanceTo(20);
        assertEquals(6, q.runDue());
        assertEquals(List.of("B@10", "C@10", "F@10", "E@15", "A@20", "D@20"), ran);
        assertEquals(Long.MAX_VALUE, q.nextDeadline());
    }

    @Test
    void runDueLeavesFutureEvents() {
        EventQueue q = new EventQueue(1000);
        List<Long> ran = new ArrayList<>();
        q.schedule(5, () -> ran.add(5L));
        q.schedule(6, () -> ran.add(6L));
        q.advanceTo(5);
        assertEquals(1, q.runDue());
        assertEquals(List.of(5L), ran);
        assertEquals(6, q.nextDeadline());
        assertEquals(0, q.runDue(), "nothing more is due");
    }

    @Test
    void cancelledEventsNeverRun() {
        EventQueue q = new EventQueue(1000);
        List<String> ran = new ArrayList<>();
        EventQueue.Event a = q.schedule(10, () -> ran.add("a"));
        q.schedule(20, () -> ran.add("b"));
        assertEquals(10, a.when());
        a.cancel();
        assertEquals(20, q.nextDeadline(), "a cancelled head is skipped");
        q.advanceTo(100);
        assertEquals(1, q.runDue());
        assertEquals(List.of("b"), ran);
    }

    @Test
    void eventCancelledByAnEarlierEventDoesNotRun() {
        EventQueue q = new EventQueue(1000);
        List<String> ran = new ArrayList<>();
        EventQueue.Event[] later = {null};
        q.schedule(1, () -> {
            ran.add("first");
            later[0].cancel();
        });
        later[0] = q.schedule(2, () -> ran.add("second"));
        q.advanceTo(2);
        q.runDue();
        assertEquals(List.of("first"), ran);
    }

    @Test
    void runDueRunsEventsScheduledForNowByOtherEvents() {
        EventQueue q = new EventQueue(1000);
        List<String> ran = new ArrayList<>();
        q.schedule(10, () -> {
            ran.add("outer");
            q.schedule(q.now(), () -> ran.add("same cycle"));
            q.schedule(3, () -> ran.add("in the past: now"));
            q.scheduleIn(0, () -> ran.add("in 0"));
            q.scheduleIn(1, () -> ran.add("next cycle"));
        });
        q.advanceTo(10);
        assertEquals(4, q.runDue());
        assertEquals(List.of("outer", "same cycle", "in the past: now", "in 0"), ran);
        assertEquals(11, q.nextDeadline());
    }

    @Test
    void scheduleClampsThePastToNow() {
        EventQueue q = new EventQueue(1000);
        q.advanceTo(50);
        assertEquals(50, q.schedule(10, () -> { }).when());
        assertEquals(50, q.scheduleIn(-5, () -> { }).when());
        assertEquals(57, q.scheduleIn(7, () -> { }).when());
    }

    @Test
    void clockNeverGoesBackwards() {
        EventQueue q = new EventQueue(1000);
        q.advanceTo(100);
        q.advanceTo(40);
        assertEquals(100, q.now());
    }

    @Test
    void onEarlierDeadlineFiresOnlyForANewEarliestEvent() {
        EventQueue q = new EventQueue(1000);
        int[] calls = {0};
        q.setOnEarlierDeadline(() -> calls[0]++);
        q.schedule(100, () -> { });
        assertEquals(1, calls[0], "first event: earlier than 'never'");
        q.schedule(200, () -> { });
        assertEquals(1, calls[0], "later: no call");
        q.schedule(100, () -> { });
        assertEquals(1, calls[0], "equal: no call");
        q.schedule(50, () -> { });
        assertEquals(2, calls[0], "earlier: call");
        q.setOnEarlierDeadline(() -> assertEquals(40, q.nextDeadline(), "the callback sees the new deadline"));
        q.schedule(40, () -> { });
    }

    @Test
    void onEarlierDeadlineIgnoresCancelledHead() {
        EventQueue q = new EventQueue(1000);
        int[] calls = {0};
        EventQueue.Event head = q.schedule(10, () -> { });
        q.schedule(100, () -> { });
        q.setOnEarlierDeadline(() -> calls[0]++);
        head.cancel();
        q.schedule(50, () -> { });
        assertEquals(1, calls[0], "50 is earlier than the live deadline 100");
    }

    @Test
    void nanosConversions() {
        EventQueue q = new EventQueue(3);                         // 3 Hz: one cycle = 333.33 ms
        assertEquals(0, q.nowNanos());
        q.advanceTo(1);
        assertEquals(333_333_333L, q.nowNanos(), "time rounds down");
        assertEquals(1, q.nanosToCycles(1), "deadlines round up");
        assertEquals(1, q.nanosToCycles(333_333_333L));
        assertEquals(2, q.nanosToCycles(333_333_334L));
        assertEquals(3, q.nanosToCycles(1_000_000_000L));

        EventQueue ghz = new EventQueue(1_000_000_000L);
        assertEquals(12_345, ghz.nanosToCycles(12_345));
        ghz.advanceTo(Long.MAX_VALUE);
        assertEquals(Long.MAX_VALUE, ghz.nowNanos());
        EventQueue slow = new EventQueue(62_500_000L);          // 16 ns per cycle
        assertEquals(2, slow.nanosToCycles(17));
        slow.advanceTo(Long.MAX_VALUE / 2);
        assertEquals(Long.MAX_VALUE, slow.nowNanos(), "beyond 2^63 ns: saturates, never negative");
        EventQueue fast = new EventQueue(16_000_000_000L);
        assertEquals(Long.MAX_VALUE, fast.nanosToCycles(Long.MAX_VALUE), "beyond 2^63 cycles: saturates, never negative");
    }

    @Test
    void frequencyMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new EventQueue(0));
        assertThrows(IllegalArgumentException.class, () -> new EventQueue(-1));
        assertEquals(1234, new EventQueue(1234).cyclesPerSecond());
    }
}
