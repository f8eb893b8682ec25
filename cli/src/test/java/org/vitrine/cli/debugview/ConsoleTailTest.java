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
}
