package org.vitrine.cli.debugview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ConsoleTailTest {
    private static void type(ConsoleTail t, String s) {
        for (char c : s.toCharArray()) t.append(c);
    }

    @Test
    void keepsTheLastLinesAndThePartialOne() {
        ConsoleTail t = new ConsoleTail(2);
        type(t, "one\r\ntwo\nthree\nfour");
        assertEquals(List.of("two", "three", "four"), t.lines());
        type(t, "\n");
        assertEquals(List.of("three", "four"), t.lines());
    }

    @Test
    void controlBytesShowAsDotsAndLongLinesAreCut() {
        ConsoleTail t = new ConsoleTail(10);
        t.append(0x1b);
        t.append(0xff);
        type(t, "x\n");
        assertEquals(List.of("..x"), t.lines());
        type(t, "y".repeat(1000));
        List<String> lines = t.lines();
        assertTrue(lines.size() >= 3 && lines.stream().allMatch(l -> l.length() <= 400), "a line without newlines is cut");
    }

    @Test
    void versionMovesWithEveryByte() {
        ConsoleTail t = new ConsoleTail(1);
        long v = t.version();
        t.append('a');
        assertTrue(t.version() > v);
        assertThrows(IllegalArgumentException.class, () -> new ConsoleTail(0));
    }

    @Test
    void wrapBreaksLongLinesAtASpaceOrAtTheWidthAndKeepsEveryCharacter() {
        assertEquals(List.of("short", ""), ConsoleTail.wrap(List.of("short", ""), 10));
        assertEquals(List.of("[rost] the ", "file server ", "started"), ConsoleTail.wrap(List.of("[rost] the file server started"), 12));
        assertEquals(List.of("abcdefghij", "klmnopqrst", "uv"), ConsoleTail.wrap(List.of("abcdefghijklmnopqrstuv"), 10));
        assertEquals(List.of("a bcdefghi", "jkl"), ConsoleTail.wrap(List.of("a bcdefghijkl"), 10), "a space too early to break at: cut at the width");
        String log = "[input] tablet x=8192 y=8192 buttons=0 wheel=0 ".repeat(5);
        List<String> rows = ConsoleTail.wrap(List.of(log), 33);
        assertEquals(log, String.join("", rows), "nothing lost");
        assertTrue(rows.stream().allMatch(r -> r.length() <= 33), rows.toString());
    }
}
