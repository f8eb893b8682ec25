package org.vitrine.cli.script;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scenario language: what parses, and that every bad line of a malformed script is named. */
class ScenarioTest {
    @Test
    void parsesEveryStep() throws Exception {
        Scenario s = Scenario.parse(List.of(
                "# a comment", "",
                "wait-for \"boot screen up\" within 5s",
                "run 250ms",
                "move 512 384",
                "click", "click right", "press middle", "release middle",
                "type \"Hi \\\"you\\\"\\n\"",
                "key ctrl+shift+c",
                "screenshot out.png",
                "expect \"[input] key 30 down\""));
        List<Scenario.Step> st = s.steps();
        assertEquals(11, st.size());
        assertEquals(new Scenario.WaitFor(3, "boot screen up", 5_000_000_000L), st.get(0));
        assertEquals(new Scenario.Run(4, 250_000_000L), st.get(1));
        assertEquals(new Scenario.Move(5, 512, 384), st.get(2));
        assertEquals(new Scenario.Button(6, 0x110, null), st.get(3));
        assertEquals(new Scenario.Button(7, 0x111, null), st.get(4));
        assertEquals(new Scenario.Button(8, 0x112, true), st.get(5));
        assertEquals(new Scenario.Type(10, "Hi \"you\"\n"), st.get(7));
        assertEquals(new Scenario.Key(11, List.of(29, 42), 46), st.get(8));
        assertEquals(new Scenario.Screenshot(12, "out.png"), st.get(9));
        assertEquals(new Scenario.Expect(13, "[input] key 30 down"), st.get(10));
        assertEquals(10_000_000_000L, ((Scenario.WaitFor) Scenario.parse(List.of("wait-for \"x\"")).steps().get(0)).withinNanos());
    }

    @Test
    void everyBadLineIsReportedWithItsNumber() {
        Scenario.ParseException e = assertThrows(Scenario.ParseException.class, () -> Scenario.parse(List.of(
                "wait-for boot",            // 1: not quoted
                "run 5",                    // 2: no unit
                "move 10",                  // 3: one coordinate
                "click sideways",           // 4: no such button
                "type \"caf\u00e9\"",       // 5: not on a US keyboard
                "key hyper",                // 6: no such key
                "jump 3",                   // 7: unknown step
                "run 1s",                   // fine
                "wait-for \"x\" after 3s"))); // 9: bad tail
        String m = e.getMessage();
        for (int line : new int[] {1, 2, 3, 4, 5, 6, 7, 9}) assertTrue(m.contains("line " + line + ":"), "line " + line + " in\n" + m);
        assertTrue(!m.contains("line 8:"), m);
        assertTrue(m.contains("unknown step 'jump'"), m);
        assertTrue(m.contains("cannot type '\u00e9'"), m);
    }

    @Test
    void emptyScriptIsRefused() {
        assertThrows(Scenario.ParseException.class, () -> Scenario.parse(List.of("# nothing", "")));
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
