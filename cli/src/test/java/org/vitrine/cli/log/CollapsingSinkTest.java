package org.vitrine.cli.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.GuestLog.Kind;

/**
 * {@link CollapsingSink} through a real {@link GuestLog}: runs of one message (identical, or with
 * other values) print as the first plus one count line, in the order they happened; each message
 * prints a bounded number of runs and is then counted, with its total at the end; only the kinds
 * asked for are printed (or formatted); a failing file hands over to standard error losing no line.
 */
class CollapsingSinkTest {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    CollapsingSink sink(Set<Kind> kinds, int runsPerMessage) {
        return new CollapsingSink(kinds, new PrintStream(bytes, false, StandardCharsets.UTF_8), "log file t.log", err, runsPerMessage);
    }

    List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void identicalRepeatsPrintOnceAndTheirCountWhenAnotherMessageComes() {
        CollapsingSink sink = sink(EnumSet.allOf(Kind.class), 100);
        GuestLog.Source uart = new GuestLog(sink).source("pl011");
        for (int i = 0; i < 12345; i++) uart.guestError("read of reserved offset 0x%03x", 0x50);
        assertEquals(List.of("[guest-error] pl011: read of reserved offset 0x050"), lines(), "the count waits for the run to end");
        uart.guestError("write of 0x%x to read-only %s ignored", 1, "UARTFR");
        uart.guestError("write of 0x%x to read-only %s ignored", 1, "UARTFR");
        uart.unimplemented("UARTITCR not modelled");
        sink.flush();
        assertEquals(List.of(
                "[guest-error] pl011: read of reserved offset 0x050",
                "[guest-error] pl011: ... repeated 12344 times",
                "[guest-error] pl011: write of 0x1 to read-only UARTFR ignored",
                "[guest-error] pl011: ... repeated 1 time",
                "[unimplemented] pl011: UARTITCR not modelled"), lines());
    }

    @Test
    void theSameMessageWithOtherValuesIsOneRunThatKeepsItsLastValues() {
        CollapsingSink sink = sink(EnumSet.allOf(Kind.class), 100);
        GuestLog.Source uart = new GuestLog(sink).source("pl011");
        for (int i = 0; i < 1000; i++) uart.guestError("write of 0x%x to read-only %s ignored", i, "UARTFR");
        sink.flush();
        assertEquals(List.of(
                "[guest-error] pl011: write of 0x0 to read-only UARTFR ignored",
                "[guest-error] pl011: ... repeated 999 times with other values, the last: write of 0x3e7 to read-only UARTFR ignored"),
                lines());
    }

    @Test
    void anotherSourceOrKindIsAnotherMessage() {
        CollapsingSink sink = sink(EnumSet.allOf(Kind.class), 100);
        GuestLog log = new GuestLog(sink);
        log.source("gic-dist").guestError("reserved %d", 1);
        log.source("gic-cpu").guestError("reserved %d", 1);
        log.source("gic-cpu").unimplemented("reserved %d", 1);
        log.source("gic-cpu").unimplemented("reserved %d", 1);
        sink.flush();
        assertEquals(List.of(
                "[guest-error] gic-dist: reserved 1",
                "[guest-error] gic-cpu: reserved 1",
                "[unimplemented] gic-cpu: reserved 1",
                "[unimplemented] gic-cpu: ... repeated 1 time"), lines());
    }

    /** A loop alternating between two devices: no run is longer than one, the per-message budget bounds it. */
    @Test
    void eachMessagePrintsABoundedNumberOfRunsThenIsCountedWithItsTotalAtTheEnd() {
        CollapsingSink sink = sink(EnumSet.allOf(Kind.class), 3);
        GuestLog log = new GuestLog(sink);
        for (int i = 0; i < 100_000; i++) {
            log.source("pl011").guestError("read of reserved offset 0x%03x", 0x50 + 4 * (i % 2));
            log.source("virtio-mmio@0x0a000000").guestError("write of 0x%x to read-only %s ignored", 0, "NoDevice0");
        }
        sink.flush();
        assertEquals(List.of(
                "[guest-error] pl011: read of reserved offset 0x050",
                "[guest-error] virtio-mmio@0x0a000000: write of 0x0 to read-only NoDevice0 ignored",
                "[guest-error] pl011: read of reserved offset 0x054",
                "[guest-error] virtio-mmio@0x0a000000: write of 0x0 to read-only NoDevice0 ignored",
                "[guest-error] pl011: read of reserved offset 0x050",
                "[guest-error] virtio-mmio@0x0a000000: write of 0x0 to read-only NoDevice0 ignored",
                "[guest-error] pl011: ... printed 3 times; from now on only counted (totals at the end)",
                "[guest-error] virtio-mmio@0x0a000000: ... printed 3 times; from now on only counted (totals at the end)",
                "[guest-error] pl011: ... 99997 more not printed, the last: read of reserved offset 0x054",
                "[guest-error] virtio-mmio@0x0a000000: ... 99997 more not printed, the last: write of 0x0 to read-only NoDevice0 ignored"),
                lines());
        assertEquals(200_000, log.count());
    }

    /** A message only counted does not end the run in progress: that run goes on collapsing. */
    @Test
    void aCountedMessageDoesNotEndTheRunInProgress() {
        CollapsingSink sink = sink(EnumSet.allOf(Kind.class), 2);
        GuestLog log = new GuestLog(sink);
        log.source("pl011").guestError("reserved");
        log.source("pl031").guestError("x");
        log.source("pl011").guestError("reserved");               // pl011 has spent its two runs
        log.source("gic-dist").guestError("bad SGI");
        for (int i = 0; i < 1000; i++) {
            log.source("pl011").guestError("reserved");           // counted
            log.source("gic-dist").guestError("bad SGI");          // one run, from the second on
        }
        sink.flush();
        assertEquals(List.of(
                "[guest-error] pl011: reserved",
                "[guest-error] pl031: x",
                "[guest-error] pl011: reserved",
                "[guest-error] gic-dist: bad SGI",
                "[guest-error] pl011: ... printed 2 times; from now on only counted (totals at the end)",
                "[guest-error] gic-dist: bad SGI",
                "[guest-error] gic-dist: ... repeated 999 times",
                "[guest-error] pl011: ... 1000 more not printed, the last: reserved"), lines());
    }

    @Test
    void theSinkGoesOnAfterAFlushAndItsBudgetStaysSpent() {
        CollapsingSink sink = sink(EnumSet.allOf(Kind.class), 1);
        GuestLog.Source s = new GuestLog(sink).source("pl031");
        s.guestError("a");
        s.guestError("b");
        s.guestError("a");
        sink.flush();
        s.guestError("a");      // a new machine after a guest reset, say
        sink.flush();
        assertEquals(List.of("[guest-error] pl031: a", "[guest-error] pl031: b",
                "[guest-error] pl031: ... printed 1 times; from now on only counted (totals at the end)",
                "[guest-error] pl031: ... 1 more not printed, the last: a",
                "[guest-error] pl031: ... printed 1 times; from now on only counted (totals at the end)",
                "[guest-error] pl031: ... 1 more not printed, the last: a"), lines());
    }

    @Test
    void onlyTheKindsAskedForArePrintedOrFormatted() {
        CollapsingSink sink = sink(EnumSet.of(Kind.GUEST_ERROR), 100);
        assertTrue(sink.wants(Kind.GUEST_ERROR));
        assertFalse(sink.wants(Kind.UNIMPLEMENTED));
        GuestLog log = new GuestLog(sink);
        Object explodes = new Object() {
            @Override
            public String toString() {
                throw new AssertionError("formatted although not printed");
            }
        };
        log.source("gic-cpu").unimplemented("%s", explodes);
        log.source("gic-cpu").guestError("shown");
        sink.flush();
        assertEquals(List.of("[guest-error] gic-cpu: shown"), lines());
        assertEquals(2, log.count());
    }

    /** A run is compared, not formatted: a million repeats format the first and the last report only. */
    @Test
    void aRunFormatsItsFirstAndLastReportOnly() {
        CollapsingSink sink = sink(EnumSet.allOf(Kind.class), 100);
        GuestLog.Source s = new GuestLog(sink).source("virtio-blk");
        int[] formatted = {0};
        record Counted(int value, int[] formatted) {
            @Override
            public String toString() {
                formatted[0]++;
                return Integer.toString(value);
            }
        }
        for (int i = 0; i < 1_000_000; i++) s.guestError("request %s", new Counted(i, formatted));
        sink.flush();
        assertEquals(2, formatted[0]);
        assertEquals("[guest-error] virtio-blk: ... repeated 999999 times with other values, the last: request 999999", lines().get(1));
    }

    @Test
    void textFormattedByItsSourceIsPrintedAsItIs() {
        CollapsingSink sink = sink(EnumSet.allOf(Kind.class), 100);
        sink.message(Kind.GUEST_ERROR, "cpu", "100% odd");
        sink.message(Kind.GUEST_ERROR, "cpu", "100% odd");
        sink.flush();
        assertEquals(List.of("[guest-error] cpu: 100% odd", "[guest-error] cpu: ... repeated 1 time"), lines());
    }

    /** The log file fails (disk full): a note on standard error, and that line and the rest follow it there. */
    @Test
    void aFailingFileHandsOverToStandardErrorWithoutLosingALine() {
        OutputStream full = new OutputStream() {
            int room = 60;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len > room) throw new IOException("No space left on device");
                room -= len;
                bytes.write(b, off, len);
            }
        };
        CollapsingSink sink = new CollapsingSink(EnumSet.allOf(Kind.class), new PrintStream(full, false, StandardCharsets.UTF_8),
                "log file t.log", err, 100);
        GuestLog.Source s = new GuestLog(sink).source("pl011");
        s.guestError("first message, %d bytes long", 42);
        s.guestError("second message, which does not fit");
        s.guestError("third");
        sink.flush();
        assertEquals(List.of("[guest-error] pl011: first message, 42 bytes long"), lines());
        assertEquals(List.of("vitrine: cannot write the guest log to log file t.log; the rest of it follows here",
                "[guest-error] pl011: second message, which does not fit", "[guest-error] pl011: third"),
                errBytes.toString(StandardCharsets.UTF_8).lines().toList());
    }
}
