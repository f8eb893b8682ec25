package org.vitrine.cli.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vitrine.cli.script.Scenario.RawInput;
import org.vitrine.cli.script.Scenario.Step;
import org.vitrine.emulator.display.HostInput;
import org.vitrine.emulator.display.HostInput.Event;
import org.vitrine.emulator.display.HostInput.Target;
import org.vitrine.emulator.time.Ratio;

/**
 * What {@code vitrine run --record} writes: each delivery at its instant, as the steps that post
 * exactly its events (checked by parsing the text back and posting what each step posts), and the
 * end of the session.
 */
class RecordingScriptTest {
    static Event ev(Target t, int type, int code, int value) {
        return new Event(t, type, code, value);
    }

    static final Event TSYN = HostInput.sync(Target.TABLET), KSYN = HostInput.sync(Target.KEYBOARD);

    @Test
    void namedStepsWhereTheyPostExactlyTheEventsRawInputElsewhere() {
        RecordingScript r = new RecordingScript(1_000_000_000L, 1024, 768);
        int ax = (int) ((2L * 100 + 1) * 32768 / 2048), ay = (int) ((2L * 14 + 1) * 32768 / 1536);
        assertEquals(List.of("move 100 14"), r.steps(List.of(ev(Target.TABLET, 3, 0, ax), ev(Target.TABLET, 3, 1, ay), TSYN)));
        // a scaled window's pointer value that is no pixel's centre
        assertEquals(List.of("input tablet 3:0:" + (ax + 3) + " 3:1:" + ay + " syn"),
                r.steps(List.of(ev(Target.TABLET, 3, 0, ax + 3), ev(Target.TABLET, 3, 1, ay), TSYN)));
        assertEquals(List.of("press left", "release right", "scroll -2"), r.steps(List.of(ev(Target.TABLET, 1, HostInput.BTN_LEFT, 1), TSYN,
                ev(Target.TABLET, 1, HostInput.BTN_RIGHT, 0), TSYN, ev(Target.TABLET, 2, HostInput.REL_WHEEL, -2), TSYN)));
        assertEquals(List.of("press shift", "press a", "release a", "input keyboard 1:30:2 syn"), r.steps(List.of(
                ev(Target.KEYBOARD, 1, 42, 1), KSYN, ev(Target.KEYBOARD, 1, 30, 1), KSYN, ev(Target.KEYBOARD, 1, 30, 0), KSYN,
                ev(Target.KEYBOARD, 1, 30, 2), KSYN)));
        // a group the machine took in two parts, and two devices' events interleaved
        assertEquals(List.of("input keyboard 1:30:1", "input tablet 3:0:5", "input keyboard syn"),
                r.steps(List.of(ev(Target.KEYBOARD, 1, 30, 1), ev(Target.TABLET, 3, 0, 5), KSYN)));
        // a key without a name the parser reads back (KEY_KPENTER)
        assertEquals(List.of("input keyboard 1:96:1 syn"), r.steps(List.of(ev(Target.KEYBOARD, 1, 96, 1), KSYN)));
    }

    @Test
    void theTextParsesBackToStepsThatPostTheSameEventsAtTheSameCycles() throws Exception {
        RecordingScript r = new RecordingScript(1_000_000_000L, 1024, 768);
        List<HostInput.Delivery> d = List.of(
                new HostInput.Delivery(0, List.of(ev(Target.TABLET, 3, 0, 16400), ev(Target.TABLET, 3, 1, 12000), TSYN)),
                new HostInput.Delivery(2_057_598_249L, List.of(ev(Target.KEYBOARD, 1, 18, 1), KSYN)),
                new HostInput.Delivery(2_057_598_249L, List.of(ev(Target.KEYBOARD, 1, 18, 0))),
                new HostInput.Delivery(2_100_000_000L, List.of(KSYN, ev(Target.TABLET, 1, HostInput.BTN_LEFT, 1), TSYN)));
        String h = "ab".repeat(32), c = "cd".repeat(32);
        String text = r.text(List.of("a header"), List.of("--display", "1024x768", "--append", ""), d,
                new RecordingScript.End(9_000_000_000L, false, "the window was closed here", h, c));
        assertEquals("""
                # a header
                boot --display 1024x768 --append ""
                input tablet 3:0:16400 3:1:12000 syn
                at 2057598249ns
                press e
                input keyboard 1:18:0
                at 2100000000ns
                input keyboard syn
                press left
                # the window was closed here
                at 9000000000ns
                expect screen-hash %s
                expect console-hash %s
                """.formatted(h, c), text);
        Scenario s = ScenarioParser.parse("rec.vts", Path.of("."), text.lines().toList());
        assertEquals(List.of("--display", "1024x768", "--append", ""), s.boot());
        // what the steps post, grouped by the instant they are posted at
        List<List<Event>> posted = new ArrayList<>();
        List<Long> instants = new ArrayList<>();
        for (Step step : s.steps()) {
            switch (step) {
                case Scenario.At a -> instants.add(a.nanos());
                case RawInput in -> add(posted, instants, in.events().stream()
                        .map(e -> ev(in.keyboard() ? Target.KEYBOARD : Target.TABLET, e.type(), e.code(), e.value())).toList());
                case Scenario.Edge e -> add(posted, instants, List.of(ev(e.key() ? Target.KEYBOARD : Target.TABLET, 1, e.code(), e.down() ? 1 : 0),
                        HostInput.sync(e.key() ? Target.KEYBOARD : Target.TABLET)));
                default -> { }
            }
        }
        assertEquals(List.of(d.get(0).events(), concat(d.get(1).events(), d.get(2).events()), d.get(3).events()), posted);
        assertEquals(List.of(2_057_598_249L, 2_100_000_000L, 9_000_000_000L), instants);
    }

    private static void add(List<List<Event>> posted, List<Long> instants, List<Event> events) {
        if (posted.size() <= instants.size()) posted.add(new ArrayList<>());
        posted.getLast().addAll(events);
    }

    private static List<Event> concat(List<Event> a, List<Event> b) {
        List<Event> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    @Test
    void aPowerOffEndsWithItsWaitAndExactTime() {
        RecordingScript r = new RecordingScript(62_500_000L, 640, 480);
        String text = r.text(List.of(), List.of("--display", "640x480"), List.of(),
                new RecordingScript.End(125_000_001L, true, "the guest powered off here", null, "00".repeat(32)));
        assertEquals("""
                boot --display 640x480
                # the guest powered off here
                wait-for power-off within 3s
                expect time 2000000016ns
                expect console-hash %s
                """.formatted("00".repeat(32)), text);
        assertEquals(125_000_001L, Ratio.scaleUp(2_000_000_016L, 62_500_000L, 1_000_000_000L), "the nanoseconds name the cycle");
        assertThrows(IllegalArgumentException.class, () -> new RecordingScript(2_000_000_000L, 640, 480));
    }
}
