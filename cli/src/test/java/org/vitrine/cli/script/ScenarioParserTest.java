package org.vitrine.cli.script;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.vitrine.cli.script.Scenario.*;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scenario language: every step parses to what it says, and every mistake is named with its line and column. */
class ScenarioParserTest {
    @TempDir
    Path dir;

    private Scenario parse(String... lines) throws Exception {
        return ScenarioParser.parse("t.vts", dir, List.of(lines));
    }

    private List<Step> steps(String... lines) throws Exception {
        return parse(lines).steps();
    }

    private Where at(int line) {
        return new Where("t.vts", dir, line, 1);
    }

    private static final long S = 1_000_000_000L, MS = 1_000_000L;

    @Test
    void parsesEveryStep() throws Exception {
        Files.write(dir.resolve("needle.png"), new byte[] {1});
        List<Step> st = steps(
                "# a comment", "",
                "wait-for \"boot screen up\" within 5s",                 // 3
                "wait-for console \"memory: \\d+ KiB\" within 2s",      // 4
                "wait-for screen \"Terminal\" in 0 0 200 28",           // 5
                "wait-for still for 100ms within 3s",                   // 6
                "wait-for still",                                       // 7
                "wait-for pixel 10 20 #5E9cd6 within 1s",               // 8
                "run 250ms",                                            // 9
                "move 512 384",                                         // 10
                "move-to \"Files\" #2",                                 // 11
                "click", "click right", "click \"Terminal\"",           // 12-14
                "double-click \"README.TXT\" in 10 20 300 400",         // 15
                "right-click", "right-click \"x\" #3",                  // 16-17
                "press middle", "release middle", "press ctrl", "release a",  // 18-21
                "drag 10 20 to 30 40", "drag 1 2 to 3 4 right",         // 22-23
                "scroll -3",                                            // 24
                "type \"Hi \\\"you\\\"\\n\"",                           // 25
                "key ctrl+shift+c",                                     // 26
                "console-type \"ls\\n\"",                               // 27
                "expect \"[input] key 30 down\"",                       // 28
                "expect console \"a.c\"",                               // 29
                "expect screen \"Editor\"", "expect no screen \"Snake\" in 0 0 10 10",  // 30-31
                "expect region 1 2 3 4 matches needle.png", "expect region 1 2 3 4 matches needle.png tolerance 5", // 32-33
                "save region 0 0 64 32 out/menu.png",                   // 34
                "screenshot out.png",                                   // 35
                "snapshot save booted", "snapshot restore booted");     // 36-37
        int i = 0;
        WaitConsole lit = (WaitConsole) st.get(i++);
        assertEquals("boot screen up", lit.pattern().literal());
        assertEquals(5 * S, lit.withinNanos());
        assertEquals(at(3), lit.at());
        WaitConsole re = (WaitConsole) st.get(i++);
        assertNull(re.pattern().literal());
        assertTrue(re.pattern().regex().matcher("memory: 123 KiB").find());
        assertEquals(new WaitScreen(at(5), new TextTarget("Terminal", 0, new Area(0, 0, 200, 28)), 10 * S), st.get(i++));
        assertEquals(new WaitStill(at(6), 100 * MS, 3 * S), st.get(i++));
        assertEquals(new WaitStill(at(7), 200 * MS, 10 * S), st.get(i++));
        assertEquals(new WaitPixel(at(8), 10, 20, 0x5e9cd6, S), st.get(i++));
        assertEquals(new Run(at(9), 250 * MS), st.get(i++));
        assertEquals(new Move(at(10), 512, 384), st.get(i++));
        assertEquals(new MoveTo(at(11), new TextTarget("Files", 2, null)), st.get(i++));
        assertEquals(new Click(at(12), 0x110, 1, null), st.get(i++));
        assertEquals(new Click(at(13), 0x111, 1, null), st.get(i++));
        assertEquals(new Click(at(14), 0x110, 1, new TextTarget("Terminal", 0, null)), st.get(i++));
        assertEquals(new Click(at(15), 0x110, 2, new TextTarget("README.TXT", 0, new Area(10, 20, 300, 400))), st.get(i++));
        assertEquals(new Click(at(16), 0x111, 1, null), st.get(i++));
        assertEquals(new Click(at(17), 0x111, 1, new TextTarget("x", 3, null)), st.get(i++));
        assertEquals(new Edge(at(18), false, 0x112, true), st.get(i++));
        assertEquals(new Edge(at(19), false, 0x112, false), st.get(i++));
        assertEquals(new Edge(at(20), true, 29, true), st.get(i++));
        assertEquals(new Edge(at(21), true, 30, false), st.get(i++));
        assertEquals(new Drag(at(22), 10, 20, 30, 40, 0x110), st.get(i++));
        assertEquals(new Drag(at(23), 1, 2, 3, 4, 0x111), st.get(i++));
        assertEquals(new Scroll(at(24), -3), st.get(i++));
        assertEquals(new Type(at(25), "Hi \"you\"\n"), st.get(i++));
        assertEquals(new Key(at(26), List.of(29, 42), 46), st.get(i++));
        assertEquals(new ConsoleType(at(27), "ls\n"), st.get(i++));
        assertEquals("[input] key 30 down", ((ExpectConsole) st.get(i++)).pattern().literal());
        assertEquals("a.c", ((ExpectConsole) st.get(i++)).pattern().regex().pattern());
        assertEquals(new ExpectScreen(at(30), new TextTarget("Editor", 0, null), true), st.get(i++));
        assertEquals(new ExpectScreen(at(31), new TextTarget("Snake", 0, new Area(0, 0, 10, 10)), false), st.get(i++));
        assertEquals(new ExpectRegion(at(32), new Area(1, 2, 3, 4), dir.resolve("needle.png"), 0), st.get(i++));
        assertEquals(new ExpectRegion(at(33), new Area(1, 2, 3, 4), dir.resolve("needle.png"), 5), st.get(i++));
        assertEquals(new SaveRegion(at(34), new Area(0, 0, 64, 32), "out/menu.png"), st.get(i++));
        assertEquals(new Screenshot(at(35), "out.png"), st.get(i++));
        assertEquals(new SnapshotStep(at(36), true, "booted"), st.get(i++));
        assertEquals(new SnapshotStep(at(37), false, "booted"), st.get(i++));
        assertEquals(st.size(), i);
    }

    @Test
    void literalWaitsFindTextWithRegexCharacters() throws Exception {
        WaitConsole w = (WaitConsole) steps("wait-for \"[wm] (x)\"").getFirst();
        assertTrue(w.pattern().regex().matcher("... [wm] (x) ...").find());
    }

    @Test
    void variablesSectionsAndBoot() throws Exception {
        Scenario s = parse(
                "boot --display 800x600 --append \"rost.desktop quiet\"",
                "set APP Terminal",
                "set WAIT 3s",
                "run 1ms",
                "section \"menu opens ${APP}\"",
                "click \"${APP}\"",
                "wait-for console \"window of task \\d+: ${APP}\" within ${WAIT}",
                "section \"second\"",
                "run 5ms");
        assertEquals(List.of("--display", "800x600", "--append", "rost.desktop quiet"), s.boot());
        assertEquals(1, s.bootAt().line());
        assertEquals(List.of("t", "menu opens Terminal", "second"), s.sections().stream().map(Section::name).toList());
        assertEquals(new Click(at(6), 0x110, 1, new TextTarget("Terminal", 0, null)), s.sections().get(1).steps().get(0));
        WaitConsole w = (WaitConsole) s.sections().get(1).steps().get(1);
        assertEquals("window of task \\d+: Terminal", w.pattern().regex().pattern());
        assertEquals(3 * S, w.withinNanos());
    }

    @Test
    void includesReadRelativeToTheIncludingFile() throws Exception {
        Files.createDirectories(dir.resolve("lib"));
        Files.write(dir.resolve("lib/login.vts"), List.of("# shared steps", "type \"${USER}\"", "include more.vts"));
        Files.write(dir.resolve("lib/more.vts"), List.of("key enter"));
        Files.write(dir.resolve("main.vts"), List.of("set USER root", "include lib/login.vts", "run 1ms"));
        Scenario s = ScenarioParser.parse(dir.resolve("main.vts"));
        List<Step> st = s.steps();
        assertEquals(3, st.size());
        assertEquals("root", ((Type) st.get(0)).text());
        assertEquals(2, st.get(0).at().line());
        assertTrue(st.get(0).at().file().endsWith("lib/login.vts"), st.get(0).at().file());
        assertTrue(st.get(1).at().file().endsWith("lib/more.vts"), st.get(1).at().file());
        assertEquals("main", s.name());
    }

    /** One malformed line and the diagnostic it must give. */
    @Test
    void parsesTheStepsOfARecording() throws Exception {
        String h = "0123456789abcdef".repeat(4);
        List<Step> st = steps("at 1234567ns", "wait-for power-off", "wait-for power-off within 3s",
                "input keyboard 1:30:2 syn", "input tablet 3:0:100 3:1:200 0:0:0",
                "expect screen-hash " + h.toUpperCase(), "expect console-hash " + h, "expect time 2s");
        assertEquals(List.of(new At(at(1), 1_234_567L), new WaitPowerOff(at(2), 10 * S), new WaitPowerOff(at(3), 3 * S),
                new RawInput(at(4), true, List.of(new RawEvent(1, 30, 2), new RawEvent(0, 0, 0))),
                new RawInput(at(5), false, List.of(new RawEvent(3, 0, 100), new RawEvent(3, 1, 200), new RawEvent(0, 0, 0))),
                new ExpectHash(at(6), true, h), new ExpectHash(at(7), false, h), new ExpectTime(at(8), 2 * S)), st);
        assertEquals("input keyboard 1:30:2 syn", ScenarioRunner.describe(st.get(3)));
        refused("at", 3, "expected a virtual time");
        refused("at 5", 4, "needs a unit");
        refused("wait-for power-off 3s", 20, "expected 'within'");
        refused("input", 6, "expected keyboard or tablet");
        refused("input mouse 1:2:3", 7, "the keyboard or the tablet, not 'mouse'");
        refused("input tablet", 13, "expected events");
        refused("input tablet 1:2", 14, "not an event TYPE:CODE:VALUE");
        refused("input tablet 1:x:3", 14, "not an event TYPE:CODE:VALUE");
        refused("input tablet 99:2:3", 14, "the type is 0..31");
        refused("expect screen-hash abc", 20, "not a SHA-256");
        refused("expect console-hash", 20, "expected a SHA-256");
        refused("expect time soon", 13, "needs a unit");
    }

    private void refused(String line, int col, String message) {
        ScenarioParser.ParseException e = assertThrows(ScenarioParser.ParseException.class, () -> parse("run 1ms", line),
                () -> "accepted: " + line);
        assertEquals(1, e.diagnostics().size(), e.getMessage());
        ScenarioParser.Diagnostic d = e.diagnostics().getFirst();
        assertEquals("t.vts:2:" + col, d.file() + ":" + d.line() + ":" + d.col(), line + " -> " + d);
        assertTrue(d.message().contains(message), line + " -> " + d.message());
        assertTrue(e.getMessage().contains("t.vts:2:" + col + ": "), e.getMessage());
    }

    @Test
    void everyMistakeIsNamedWithLineAndColumn() {
        refused("jump 3", 1, "unknown step 'jump'");
        refused("\"click\"", 1, "a line starts with a step");
        refused("wait-for boot", 10, "wait-for boot?");
        refused("wait-for", 9, "expected what to wait for");
        refused("wait-for \"x\" after 3s", 14, "expected 'within', found 'after'");
        refused("wait-for \"x\" within", 20, "expected a virtual time");
        refused("wait-for \"x\" within 5", 21, "needs a unit");
        refused("wait-for console x", 18, "in quotes");
        refused("wait-for console \"a(b\"", 22, "bad regular expression");
        refused("wait-for screen \"\"", 17, "the text to find is empty");
        refused("wait-for screen \"caf\u00e9\"", 17, "the guest's font has no");
        refused("wait-for screen \"x\" #2", 21, "#N picks a match");
        refused("wait-for still for", 19, "expected a virtual time");
        refused("wait-for pixel 1 2 red", 20, "not a colour #rrggbb");
        refused("wait-for pixel 1", 17, "expected Y");
        refused("run 5", 5, "needs a unit");
        refused("run -5ms", 5, "positive duration");
        refused("move 10", 8, "expected Y");
        refused("move 10 -1", 9, "not a pixel coordinate");
        refused("move ten 1", 6, "not a pixel coordinate X");
        refused("move 1 2 3", 10, "unexpected '3' at the end");
        refused("move-to Terminal", 9, "in quotes");
        refused("click sideways", 7, "button 'sideways'?");
        refused("click \"x\" #0", 11, "numbered from #1");
        refused("click \"x\" #two", 12, "not a match number");
        refused("click \"x\" in 1 2 0 5", 18, "width must be positive");
        refused("click \"x\" in 1 2 5", 19, "expected a height");
        refused("press hyper", 7, "no key named 'hyper'");
        refused("drag 1 2 3 4", 10, "expected 'to', found '3'");
        refused("drag 1 2 to 3 4 sideways", 17, "button 'sideways'?");
        refused("scroll 0", 8, "scroll 0 does nothing");
        refused("scroll up", 8, "not a number of wheel clicks");
        refused("type \"caf\u00e9\"", 6, "cannot type '\u00e9'");
        refused("type hello", 6, "in quotes");
        refused("type \"open", 6, "not closed");
        refused("type \"a\"b", 9, "a space must follow");
        refused("key ctrl+hyper", 10, "no key named 'hyper'");
        refused("key", 4, "expected a key");
        refused("console-type", 13, "expected the text for the console");
        refused("expect", 7, "expected what to expect");
        refused("expect maybe \"x\"", 8, "expect maybe?");
        refused("expect no \"x\"", 11, "expected 'screen'");
        refused("expect region 1 2 3 4 is a.png", 23, "expected 'matches'");
        refused("expect region 1 2 3 4 matches a.gif", 31, "not a .png file");
        refused("expect region 1 2 3 4 matches missing.png", 31, "no needle file");
        refused("save region 1 2 3 4", 20, "expected a PNG file");
        refused("save area 1 2 3 4 a.png", 6, "expected 'region'");
        refused("screenshot", 11, "expected a PNG file");
        refused("screenshot shot.jpg", 12, "not a .png file");
        refused("snapshot", 9, "expected save or restore");
        refused("snapshot take x", 10, "expected 'save' or 'restore', found 'take'");
        refused("snapshot save", 14, "expected the snapshot's name");
        refused("snapshot restore a b", 20, "unexpected 'b'");
        refused("set 1X 3", 5, "not a variable name");
        refused("set X", 6, "expected a value");
        refused("type \"${NOPE}\"", 7, "no variable NOPE");
        refused("type \"${NOPE\"", 7, "without its closing }");
        refused("include", 8, "expected a file to include");
        refused("include nowhere.vts", 9, "cannot read nowhere.vts");
        refused("section menu", 9, "must be quoted");
        refused("boot --disk d.img", 1, "boot must come before the first step");
    }

    /** The messages everyMistakeIsNamedWithLineAndColumn does not reach: each one, at its column. */
    @Test
    void theRemainingMistakesAreNamedToo() throws Exception {
        Files.write(dir.resolve("needle.png"), new byte[] {1});
        refused("wait-for \"\"", 10, "the console text is empty");
        refused("expect console \"\"", 16, "the regular expression is empty");
        refused("expect region 1 2 3 4 matches needle.png 3", 42, "expected 'tolerance', found '3'");
        refused("expect region 1 2 3 4 matches needle.png tolerance -1", 52, "the tolerance is a number of pixels, 0 or more");
        refused("expect region 1 2 3 4 matches needle.png tolerance few", 52, "'few' is not a number of pixels");
        refused("expect region 1 2 3 4 matches needle.png tolerance", 51, "expected a number of pixels");
        refused("click \"x\" in 1 2 5 0", 20, "the height must be positive");
        refused("double-click sideways", 14, "button 'sideways'?");
        refused("right-click \"\"", 13, "the text to find is empty");
        refused("move-to \"x\" #3 in 0 0 9", 24, "expected a height");
        refused("release", 8, "expected");
        refused("wait-for still for 1s within", 29, "expected a virtual time");
        refused("wait-for pixel 1 2 #12345", 20, "not a colour #rrggbb");
        refused("expect screen \"x\" #2", 19, "#N picks a match");
        var e = assertThrows(ScenarioParser.ParseException.class, () -> parse("boot", "run 1ms"));
        assertEquals("t.vts:1:5: boot needs machine options, e.g. --disk FILE", e.diagnostics().getFirst().toString());
    }

    @Test
    void structuralMistakes() throws Exception {
        var e = assertThrows(ScenarioParser.ParseException.class, () -> parse("boot --append x", "boot --append y", "run 1ms"));
        assertEquals("t.vts:2:1: a second boot line (the first is t.vts:1:1)", e.diagnostics().getFirst().toString());
        e = assertThrows(ScenarioParser.ParseException.class, () -> parse("boot append"));
        assertEquals("t.vts:1:6: boot takes options starting with --, e.g. --append rost.desktop", e.diagnostics().getFirst().toString());
        e = assertThrows(ScenarioParser.ParseException.class, () -> parse("section \"a\"", "section \"b\"", "run 1ms"));
        assertEquals("t.vts:1:1: section \"a\" has no steps", e.diagnostics().getFirst().toString());
        e = assertThrows(ScenarioParser.ParseException.class, () -> parse("# nothing", ""));
        assertEquals("t.vts:1:1: the script has no steps", e.diagnostics().getFirst().toString());
        Files.write(dir.resolve("a.vts"), List.of("include b.vts"));
        Files.write(dir.resolve("b.vts"), List.of("run 1ms", "include a.vts"));
        e = assertThrows(ScenarioParser.ParseException.class, () -> ScenarioParser.parse(dir.resolve("a.vts")));
        assertTrue(e.diagnostics().getFirst().toString().matches(".*b\\.vts:2:9: include cycle: .*a\\.vts includes itself"), e.getMessage());
        Files.write(dir.resolve("c.vts"), List.of("run 1ms", "click nowhere"));
        e = assertThrows(ScenarioParser.ParseException.class, () -> parse("include c.vts"));
        assertEquals("c.vts:2:7: button 'nowhere'? (left, right or middle)", e.diagnostics().getFirst().toString());
    }

    @Test
    void everyBadLineIsReportedWithACaret() {
        var e = assertThrows(ScenarioParser.ParseException.class, () -> parse(
                "wait-for boot", "run 5", "run 1s", "jump 3"));
        assertEquals(List.of(1, 2, 4), e.diagnostics().stream().map(ScenarioParser.Diagnostic::line).toList());
        assertTrue(e.getMessage().contains("t.vts:2:5: '5' needs a unit: ns, us, ms or s (e.g. 3s)\n    run 5\n        ^"), e.getMessage());
    }

    @Test
    void helpAndDocsListEveryVerb() throws Exception {
        String docs = Files.readString(Path.of("..", "docs", "scenarios.md"));
        for (String verb : ScenarioParser.VERBS) {
            assertTrue(ScenarioParser.HELP.contains(verb), verb + " in the help");
            assertTrue(docs.contains("`" + verb), verb + " in docs/scenarios.md");
        }
        assertFalse(ScenarioParser.HELP.isBlank());
    }

    @Test
    void usKeyboardTypesShiftedCharacters() {
        assertEquals(new UsKeyboard.Stroke(2, true), UsKeyboard.stroke('!'));
        assertEquals(new UsKeyboard.Stroke(30, false), UsKeyboard.stroke('a'));
        assertEquals(new UsKeyboard.Stroke(30, true), UsKeyboard.stroke('A'));
        assertEquals(28, UsKeyboard.named("Enter"));
        assertEquals(88, UsKeyboard.named("f12"));
        assertEquals(-1, UsKeyboard.named("hyper"));
    }
}
