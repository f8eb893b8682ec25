package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * A scenario's long {@code type} reaches the app whole: tests/scenarios/desktop-typing.vts types a
 * 107-character command into the Terminal and an 82-character line into the Editor, each far more
 * than an app's 64-message mailbox holds when the keys come at once (they used to: keys were lost
 * after 25 to 30). The runner now paces keystrokes on virtual time; the Terminal's console line
 * and the file the Editor saved (read back from the disk with mtype) hold every character.
 */
class ScenarioTypingTest {
    static final String COMMAND = "echo The Quick Brown Fox Jumps Over The Lazy Dog; THE QUICK BROWN FOX (0123456789) jumps over the lazy dog!";
    static final String LINE = "fn Main() { let Quick = \"Brown fox\"; jumps(over, THE_LAZY_DOG); } // 0123456789 ok";

    @Test
    void longTextsReachTheTerminalAndTheEditorWhole() throws Exception {
        ScenarioPlays.Play p = ScenarioPlays.first("desktop-typing.vts");
        CliTest.Result r = p.result();
        Path disk = p.disk();
        String all = p.all();
        assertEquals(0, r.exit(), all);
        java.util.List<String> lines = r.stdout().lines().map(String::strip).toList();
        // (the Terminal's console line of 124 characters comes without its newline: the next one follows on it)
        assertTrue(r.stdout().contains("[terminal] $ " + COMMAND), all);
        assertTrue(lines.contains("[editor] saved /docs/long.rs (" + LINE.length() + " bytes)"), all);
        assertEquals(LINE, RostSystestTest.host("mtype", "-i", disk.toString(), "::/DOCS/LONG.RS"));
        long keysDown = r.stdout().lines().filter(l -> l.matches("\\[input] key \\d+ down")).count();
        System.out.println("[typing] " + COMMAND.length() + " + " + LINE.length() + " characters typed; " + keysDown + " key presses reached the kernel");
    }
}
