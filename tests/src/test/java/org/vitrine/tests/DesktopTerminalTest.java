package org.vitrine.tests;

import java.awt.image.BufferedImage;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The desktop end to end (issue 8, first step), on the real kernel, window manager and terminal:
 * `vitrine script` boots `--display 1024x768 --append rost.desktop` on a copy of the built disk
 * and plays tests/scenarios/desktop-terminal.vts: a click on the menu's Terminal entry, then
 * `echo hello`, `ls /BIN`, `ps`, `mem` and `cat` of a missing file typed into the terminal. The
 * console must show the window, the commands and their output; the screenshot must show the
 * focused window's chrome in the accent colour, the menu bar, and the typed text inside the window.
 */
class DesktopTerminalTest {
    static final int ACCENT = 0x5e9cd6;
    static final int MENU = 0x2b3240;
    static final int TERMINAL_TEXT = 0xd8dee9;

    @Test
    void menuOpensTerminalWhichRunsCommands() throws Exception {
        ScenarioPlays.Play p = ScenarioPlays.first("desktop-terminal.vts");
        String all = p.all();
        assertEquals(0, p.result().exit(), all);
        assertTrue(all.contains("[wm] desktop up, 1024x768"), all);
        assertTrue(all.contains("[wm] window of task ") && all.contains(": Terminal"), all);
        assertTrue(all.contains("[terminal] $ echo hello\n[terminal] hello\n"), all);
        assertTrue(all.contains("[terminal] $ ls /BIN\n"), all);
        assertTrue(all.contains("[terminal] WM "), all);
        assertTrue(all.contains("[terminal] TERMINAL "), all);
        assertTrue(all.matches("(?s).*\\[terminal\\] +2 +1 +\\w+ +\\d+ +WM\n.*"), "ps lists the window manager: " + all);
        assertTrue(all.matches("(?s).*\\[terminal\\] +3 +2 +ready +\\d+ +TERMINAL\n.*"), "ps lists the terminal: " + all);
        assertTrue(all.matches("(?s).*\\[terminal\\] memory: \\d+ KiB free of \\d+ KiB\n.*"), all);
        assertTrue(all.contains("[terminal] /NOPE: no such file or directory\n"), all);

        assertTerminalShot(ImageIO.read(p.artifact("desktop-terminal.png").toFile()));
    }

    /** desktop-terminal.vts's screenshot: the menu bar, the focused Terminal, the echoed text in it. */
    static void assertTerminalShot(BufferedImage shot) {
        assertEquals(1024, shot.getWidth());
        assertEquals(768, shot.getHeight());
        assertEquals(MENU, shot.getRGB(600, 5) & 0xffffff, "the menu bar");
        assertEquals(ACCENT, shot.getRGB(500, 40) & 0xffffff, "the focused window's title bar");
        // Lines 2-4 of the terminal (8 px padding, 16 px rows, from y = 36 + 24): the echo.
        int text = 0;
        for (int y = 60 + 8 + 16; y < 60 + 8 + 3 * 16; y++) {
            for (int x = 17; x < 17 + 12 * 8; x++) {
                if ((shot.getRGB(x, y) & 0xffffff) == TERMINAL_TEXT) text++;
            }
        }
        assertTrue(text > 100, "typed text shows in the terminal: " + text + " text pixels");
    }

    static final int TITLE = 0x3a4252;

    /**
     * tests/scenarios/desktop-windows.vts: Editor (taken off this disk copy) gives a notice, four
     * terminals tile 2x2, a fifth is refused, a click focuses the first and the typed command
     * runs there, the close button of the second ends it and the other three are re-tiled.
     */
    @Test
    void windowsTileTakeFocusAndClose() throws Exception {
        ScenarioPlays.Play p = ScenarioPlays.first("desktop-windows.vts"); // on a disk without /BIN/EDITOR
        String all = p.all();
        assertEquals(0, p.result().exit(), all);
        assertTrue(all.contains("[rost] task 4 exited (code 0)"), "Close made the app exit: " + all);

        BufferedImage four = ImageIO.read(p.artifact("desktop-four.png").toFile());
        int[][] titles = {{200, 40}, {700, 40}, {200, 406}, {700, 406}};
        for (int i = 0; i < 4; i++) {
            int want = i == 3 ? ACCENT : TITLE; // the newest window has the focus
            assertEquals(want, four.getRGB(titles[i][0], titles[i][1]) & 0xffffff, "title bar of tile " + i);
        }

        BufferedImage three = ImageIO.read(p.artifact("desktop-three.png").toFile());
        assertEquals(ACCENT, three.getRGB(200, 40) & 0xffffff, "the clicked window has the focus");
        assertEquals(TITLE, three.getRGB(700, 40) & 0xffffff, "tile 1: the former third window");
        assertEquals(TITLE, three.getRGB(700, 406) & 0xffffff, "tile 2: the former fourth window");
        assertEquals(0x14181f, three.getRGB(300, 600) & 0xffffff, "the first window now fills the left half");
        assertTrue(textPixels(three, 17, 100) > 20, "'one' printed in the focused (first) window");
        assertEquals(0, textPixels(three, 525, 100), "nothing typed into the others");
    }

    /** Pixels of terminal text in the 3-character cell row at (x, y). */
    static int textPixels(BufferedImage img, int x0, int y0) {
        int n = 0;
        for (int y = y0; y < y0 + 16; y++) {
            for (int x = x0; x < x0 + 24; x++) {
                if ((img.getRGB(x, y) & 0xffffff) == TERMINAL_TEXT) n++;
            }
        }
        return n;
    }
}
