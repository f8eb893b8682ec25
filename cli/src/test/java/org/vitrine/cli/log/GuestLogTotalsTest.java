package org.vitrine.cli.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.GuestLog.Kind;

/**
 * {@link GuestLogTotals}: the summary line and the window's counter over every machine of a
 * command (finished ones and the one running), by kind and by source, and what the summary says
 * about where the messages are.
 */
class GuestLogTotalsTest {
    static final Set<Kind> NONE = EnumSet.noneOf(Kind.class);

    @Test
    void nothingWhenTheGuestsMadeNoReport() {
        GuestLogTotals t = new GuestLogTotals();
        GuestLog log = GuestLog.silent();
        log.source("pl011");   // a source that never reported
        t.watch(log);
        assertNull(t.summary(NONE, null));
        assertEquals("", t.counter());
        t.finished(log);
        assertNull(t.summary(NONE, null));
    }

    @Test
    void countsByKindAndSourceLargestFirstAndPointsAtTheOptionThatPrintsThem() {
        GuestLogTotals t = new GuestLogTotals();
        GuestLog log = GuestLog.silent();
        for (int i = 0; i < 3; i++) log.source("pl011").guestError("x");
        for (int i = 0; i < 5; i++) log.source("virtio-mmio@0x0a003e00").guestError("y");
        log.source("gic-cpu").unimplemented("z");
        log.source("gic-cpu").unimplemented("z");
        t.watch(log);
        assertEquals("guest errors: 8 (virtio-mmio@0x0a003e00: 5, pl011: 3); unimplemented: 2 (gic-cpu: 2); "
                + "--log guest-errors,unimp prints them", t.summary(NONE, null), "the running machine counts");
        assertEquals("8 guest errors, 2 unimplemented", t.counter());
        t.finished(log);
        assertEquals("8 guest errors, 2 unimplemented", t.counter(), "counted once after it finished");
        assertEquals("guest errors: 8 (virtio-mmio@0x0a003e00: 5, pl011: 3); unimplemented: 2 (gic-cpu: 2); "
                + "--log unimp prints them", t.summary(EnumSet.of(Kind.GUEST_ERROR), null));
        assertEquals("guest errors: 8 (virtio-mmio@0x0a003e00: 5, pl011: 3); unimplemented: 2 (gic-cpu: 2)",
                t.summary(EnumSet.allOf(Kind.class), null), "printed on standard error already: no pointer");
        assertEquals("guest errors: 8 (virtio-mmio@0x0a003e00: 5, pl011: 3); unimplemented: 2 (gic-cpu: 2); logged in /tmp/g.log",
                t.summary(EnumSet.allOf(Kind.class), "/tmp/g.log"));
    }

    /** A guest reset builds a new machine: the totals add its counts to the previous ones'. */
    @Test
    void addsUpTheMachinesOfOneCommand() {
        GuestLogTotals t = new GuestLogTotals();
        GuestLog first = GuestLog.silent(), second = GuestLog.silent();
        first.source("pl011").guestError("x");
        t.watch(first);
        t.finished(first);
        second.source("pl011").guestError("x");
        second.source("pl031").guestError("x");
        t.watch(second);
        assertEquals("3 guest errors", t.counter());
        assertEquals("guest errors: 3 (pl011: 2, pl031: 1); --log guest-errors prints them", t.summary(NONE, null));
        t.finished(second);
        assertEquals(3, t.count(Kind.GUEST_ERROR));
        assertEquals(0, t.count(Kind.UNIMPLEMENTED));
    }

    @Test
    void namesTheLargestSourcesAndAddsUpTheRest() {
        GuestLogTotals t = new GuestLogTotals();
        GuestLog log = GuestLog.silent();
        for (int s = 1; s <= 7; s++) {
            for (int i = 0; i < s; i++) log.source("src" + s).guestError("x");
        }
        t.finished(log);
        assertEquals("guest errors: 28 (src7: 7, src6: 6, src5: 5, src4: 4, 3 others: 6); --log guest-errors prints them",
                t.summary(NONE, null));
        GuestLog five = GuestLog.silent();
        for (int s = 1; s <= 5; s++) five.source("s" + s).guestError("x");
        GuestLogTotals t5 = new GuestLogTotals();
        t5.finished(five);
        assertEquals("guest errors: 5 (s1: 1, s2: 1, s3: 1, s4: 1, s5: 1); --log guest-errors prints them", t5.summary(NONE, null),
                "a fifth source is named rather than called '1 others'; ties keep the order they first reported in");
    }

    @Test
    void oneGuestErrorIsSingular() {
        GuestLogTotals t = new GuestLogTotals();
        GuestLog log = GuestLog.silent();
        log.source("cpu").guestError("x");
        t.watch(log);
        assertEquals("1 guest error", t.counter());
    }
}
