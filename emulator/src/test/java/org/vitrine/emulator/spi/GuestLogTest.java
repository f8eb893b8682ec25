package org.vitrine.emulator.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.spi.GuestLog.Kind;

/**
 * {@link GuestLog}: every report is counted by kind and by source whatever the sink prints; the
 * sink receives kind, source and formatted text, or the format and its arguments when it asks for
 * them; a sink that does not want a kind is not even asked to format it; two machines' logs do not
 * see each other's reports.
 */
class GuestLogTest {
    record Line(Kind kind, String source, String text) { }

    @Test
    void countsByKindAndBySource() {
        GuestLog log = GuestLog.silent();
        GuestLog.Source uart = log.source("pl011");
        GuestLog.Source gic = log.source("gic-dist");
        uart.guestError("bad %d", 1);
        uart.guestError("bad %d", 2);
        uart.unimplemented("not modelled");
        gic.guestError("reserved");

        assertEquals(2, uart.count(Kind.GUEST_ERROR));
        assertEquals(1, uart.count(Kind.UNIMPLEMENTED));
        assertEquals(3, uart.count());
        assertEquals(1, gic.count());
        assertEquals(3, log.count(Kind.GUEST_ERROR));
        assertEquals(1, log.count(Kind.UNIMPLEMENTED));
        assertEquals(4, log.count());
        assertEquals(List.of("pl011", "gic-dist"), log.sources().stream().map(GuestLog.Source::name).toList(),
                "sources in the order they were first asked for");
    }

    @Test
    void aNameIsOneSource() {
        GuestLog log = GuestLog.silent();
        assertSame(log.source("virtio-blk"), log.source("virtio-blk"));
        log.source("virtio-blk").guestError("x");
        log.source("virtio-blk").guestError("y");
        assertEquals(2, log.source("virtio-blk").count());
    }

    @Test
    void theSinkGetsKindSourceAndFormattedText() {
        List<Line> lines = new ArrayList<>();
        GuestLog log = new GuestLog((kind, source, text) -> lines.add(new Line(kind, source, text)));
        log.source("pl031").guestError("write of 0x%x to read-only %s", 5, "RTCDR");
        log.source("pl031").unimplemented("RTCITCR");
        assertEquals(List.of(new Line(Kind.GUEST_ERROR, "pl031", "write of 0x5 to read-only RTCDR"),
                new Line(Kind.UNIMPLEMENTED, "pl031", "RTCITCR")), lines);
    }

    @Test
    void aSinkMayTakeTheFormatAndArgumentsUnformatted() {
        List<String> got = new ArrayList<>();
        GuestLog log = new GuestLog(new GuestLog.Sink() {
            @Override
            public void message(Kind kind, String source, String text) {
                throw new AssertionError("formatted: " + text);
            }

            @Override
            public void report(Kind kind, String source, String format, Object[] args) {
                got.add(kind.tag() + " " + source + " " + format + " " + List.of(args));
            }
        });
        log.source("pl011").guestError("read of reserved offset 0x%03x", 0x50L);
        log.source("pl011").unimplemented("UARTITCR");
        assertEquals(List.of("guest-error pl011 read of reserved offset 0x%03x [80]", "unimplemented pl011 UARTITCR []"), got);
        assertEquals(2, log.count());
    }

    @Test
    void unwantedKindsAreCountedButNeverFormatted() {
        List<String> printed = new ArrayList<>();
        GuestLog log = new GuestLog(new GuestLog.Sink() {
            @Override
            public void message(Kind kind, String source, String text) {
                printed.add(text);
            }

            @Override
            public boolean wants(Kind kind) {
                return kind == Kind.GUEST_ERROR;
            }
        });
        Object explodes = new Object() {
            @Override
            public String toString() {
                throw new AssertionError("formatted although nobody prints it");
            }
        };
        log.source("gic-cpu").unimplemented("%s", explodes);
        log.source("gic-cpu").guestError("shown");
        assertEquals(List.of("shown"), printed);
        assertEquals(2, log.count());
    }

    @Test
    void machinesDoNotShareCounts() {
        GuestLog a = GuestLog.silent();
        GuestLog b = GuestLog.silent();
        a.source("cpu").guestError("unmapped");
        assertEquals(1, a.count());
        assertEquals(0, b.count());
        assertEquals(0, b.source("cpu").count());
    }

    @Test
    void kindTagsAreTheLinePrefixes() {
        assertEquals("guest-error", Kind.GUEST_ERROR.tag());
        assertEquals("unimplemented", Kind.UNIMPLEMENTED.tag());
    }
}
