package org.vitrine.emulator.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.display.HostInput;

class InputJournalTest {
    private static InputJournal.Entry at(long cycle) {
        HostInput.Event key = new HostInput.Event(HostInput.Target.KEYBOARD, HostInput.EV_KEY, 30, 1);
        return new InputJournal.Entry(new Position(cycle / 2, 0, cycle, 0x1000), false, new HostInput.Delivery(cycle, List.of(key)));
    }

    @Test
    void liveDeliveriesMoveThePresentAndARewindReplaysThemInOrder() {
        InputJournal j = new InputJournal(100);
        assertFalse(j.inPast(100));
        InputJournal.Entry a = at(150), b = at(300);
        j.record(a);
        j.record(b);
        j.reached(400);
        assertEquals(2, j.delivered());
        assertNull(j.next());
        assertEquals(400, j.present());

        j.rewindTo(0);   // a checkpoint taken before both
        assertTrue(j.inPast(200));
        assertSame(a, j.next());
        j.markDelivered();
        assertSame(b, j.next());
        j.markDelivered();
        assertNull(j.next());
        assertThrows(IllegalStateException.class, j::markDelivered);
        assertThrows(IllegalArgumentException.class, () -> j.rewindTo(3));
        j.reached(350);   // a replay's cycles never move the present back
        assertEquals(400, j.present());
    }

    @Test
    void anEditInThePastForgetsTheDeliveriesAfterIt() {
        InputJournal j = new InputJournal(0);
        j.record(at(10));
        j.record(at(20));
        j.record(at(30));
        j.rewindTo(1);
        j.branchAt(15);
        assertEquals(1, j.size());
        assertEquals(15, j.present());
        assertFalse(j.inPast(15));
        j.record(at(40));   // new input in the new future
        assertEquals(2, j.size());
        assertEquals(40, j.present());
    }

    @Test
    void aLiveDeliveryAfterARewindReplacesTheOldFuture() {
        InputJournal j = new InputJournal(0);
        j.record(at(10));
        j.record(at(20));
        j.rewindTo(1);
        j.record(at(25));
        assertEquals(2, j.size());
        assertNull(j.next());
        assertEquals(25, j.present());
    }
}
