package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

/**
 * Killing misbehaving apps on the desktop (issue 8, "Done when"), on the real kernel, window
 * manager, terminals and /BIN/HOSTILE: `vitrine script` plays tests/scenarios/desktop-kill.vts
 * (the desktop defaults: rost.desktop on a fresh copy of the built disk). From a Terminal's shell,
 * hostile programs fuzz the system calls and dereference null; one opens a window, sends the window
 * manager malformed damage and crashes, and its window goes; a spinning program is killed from the
 * other Terminal, which then kills the first Terminal (a live app with a window). The kernel, the
 * window manager and the surviving Terminal keep working, and each dead app's window is gone with
 * a clean redraw (checked on the screenshots).
 */
class DesktopKillTest {
    static final int TERMINAL_BG = 0x14181f;
    static final int HOSTILE_RED = 0x802020;

    @Test
    void killedAndCrashedAppsLoseTheirWindowsAndEverythingElseRuns() throws Exception {
        ScenarioPlays.Play p = ScenarioPlays.first("desktop-kill.vts");
        String all = p.all();
        assertEquals(0, p.result().exit(), all);
        for (String line : new String[] {
            "[terminal] task 5 exited with 0",                      // 3000 random syscalls survived
            "[rost] task 6 killed: data abort",                    // null dereference
            "[wm] task 7 damaged pixels outside its buffer: clipped",
            "[wm] task 7 sent an empty or outside damage rectangle: dropped",
            "[wm] dropped a malformed message from task 7",         // an UpdateBuffer cut short
            "[rost] task 7 killed: data abort",
            "[wm] window of task 7 closed",
            "[rost] task 8 killed by task 4",                      // the spinning program, from the other Terminal
            "[terminal] task 8 was killed",                        // ... and its Terminal goes on
            "[rost] task 3 killed by task 4",                      // a live Terminal
            "[wm] window of task 3 closed",
            "[terminal] still here",
        }) {
            assertTrue(all.contains(line), "missing: " + line + "\n" + all);
        }
        assertTrue(all.matches("(?s).*\\[terminal\\] +2 +1 +\\w+ +\\d+ +WM\n\\[terminal\\] +4 +2 +\\w+ +\\d+ +TERMINAL\n.*"),
                "ps: the window manager and the surviving Terminal, nothing else: " + all);
        assertFalse(all.contains("panicked") || all.contains("[rost] task 2 "), "the window manager never died: " + all);

        BufferedImage crashing = ImageIO.read(p.artifact("kill-hostile-window.png").toFile());
        assertTrue(count(crashing, HOSTILE_RED) > 100_000, "the hostile window is shown before it crashes");

        BufferedImage afterCrash = ImageIO.read(p.artifact("kill-after-crash.png").toFile());
        assertEquals(0, count(afterCrash, HOSTILE_RED), "no trace of the crashed app's window");
        assertEquals(TERMINAL_BG, afterCrash.getRGB(760, 600) & 0xffffff, "the right Terminal takes the whole right half again");
        assertEquals(TERMINAL_BG, afterCrash.getRGB(250, 600) & 0xffffff, "the left Terminal is still there");

        BufferedImage afterKill = ImageIO.read(p.artifact("kill-after-kill.png").toFile());
        assertEquals(0, count(afterKill, HOSTILE_RED));
        for (int x : new int[] {20, 511, 1000}) {
            assertEquals(TERMINAL_BG, afterKill.getRGB(x, 700) & 0xffffff, "the last Terminal fills the desktop (x=" + x + ")");
        }
        assertTrue(DesktopTerminalTest.textPixels(afterKill, 17, 76) > 20, "its text is drawn");
    }

    private static int count(BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == rgb) n++;
            }
        }
        return n;
    }
}
