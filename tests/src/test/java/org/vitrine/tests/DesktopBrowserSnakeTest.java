package org.vitrine.tests;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Browser and Snake end to end (issue 8, items 7 and 9), on the real kernel, window manager and
 * apps: `vitrine script` boots the desktop at 1024x768 on a copy of the built disk and plays
 * tests/scenarios/desktop-browser.vts and desktop-snake.vts. The apps' `[browser]`/`[snake]`
 * console lines and the window manager's title changes say what happened; the screenshots must
 * show it (colours of the Browser's view.rs and Snake's draw.rs); the high score is read from
 * the disk image on the host with mtype.
 */
class DesktopBrowserSnakeTest {
    static final int ACCENT = 0x5e9cd6;
    static final int LINK = 0x5e9cd6;
    static final int HEADING = 0xe8b45a;
    static final int CODE = 0xa3be8c;
    static final int PANEL = 0x222834;
    static final int THUMB = 0x4c566a;

    /** The scenario's play (the suite's first, shared with ScenarioRepeatTest). */
    private ScenarioPlays.Play played;

    /** The desktop played `scenario` on a fresh disk copy; the console. */
    private String play(String scenario) throws Exception {
        played = ScenarioPlays.first(scenario);
        String all = played.all();
        assertEquals(0, played.result().exit(), all);
        assertFalse(all.contains("panicked"), all);
        return all;
    }

    private BufferedImage shot(String name) throws Exception {
        BufferedImage img = ImageIO.read(played.artifact(name).toFile());
        assertEquals(1024, img.getWidth());
        return img;
    }

    /**
     * Each of `lines` starts a console line, in this order (the script's own `[script] line N:
     * wait-for "..."` echoes never start with them).
     */
    static void inOrder(String console, String... lines) {
        int at = 0;
        for (String s : lines) {
            int i = console.indexOf("\n" + s, at);
            assertTrue(i >= 0, "\"" + s + "\" after offset " + at + ":\n" + console);
            at = i + 1 + s.length();
        }
    }

    /** How many console lines start with `prefix`. */
    static long lines(String console, String prefix) {
        return console.lines().filter(l -> l.startsWith(prefix)).count();
    }

    /** Pixels of `colour` in the rectangle. */
    static int count(BufferedImage img, int colour, int x0, int y0, int w, int h) {
        int n = 0;
        for (int y = y0; y < y0 + h; y++) {
            for (int x = x0; x < x0 + w; x++) {
                if ((img.getRGB(x, y) & 0xffffff) == colour) n++;
            }
        }
        return n;
    }

    @Test
    void browserFollowsLinksGoesBackScrollsAndSurvivesOddFiles() throws Exception {
        String all = play("desktop-browser.vts");
        // The pages, in order, each titled in the window manager's chrome.
        String[] sequence = {
            "[browser] open /DOCS/INDEX.HTM, 880 bytes", "[wm] window of task 3 now: rost: sample pages",
            "[browser] link web/code.htm -> /DOCS/web/code.htm", "[wm] window of task 3 now: Code",
            "[browser] back to /DOCS/INDEX.HTM", "[wm] window of task 3 now: The rost desktop",
            "[browser] open /BIN/SNAKE, ", "[wm] window of task 3 now: SNAKE",
            "[browser] cannot open /DOCS/web/nothing.htm: no such file",
            "[wm] window of task 3 now: Not found: /DOCS/web/nothing.htm",
            "[browser] open /DOCS/web/garbage.htm, 5851 bytes", "[wm] window of task 3 now: Garbage",
            "[browser] not a file on this disk: http://example.com/", "[rost] task 3 exited (code 0)",
        };
        inOrder(all, sequence);
        assertEquals(1, lines(all, "[rost] task 3 exited"), "the Browser ended once, by its close button: " + all);

        BufferedImage index = shot("browser-index.png");
        assertEquals(ACCENT, index.getRGB(500, 40) & 0xffffff, "the focused window's title bar");
        assertTrue(count(index, HEADING, 21, 72, 70, 32) > 100, "the h1 in the heading colour");
        assertTrue(count(index, LINK, 53, 216, 32, 16) > 20, "the link 'Code' in the link colour");
        assertEquals(LINK, index.getRGB(60, 230) & 0xffffff, "links are underlined");

        BufferedImage code = shot("browser-code.png");
        assertEquals(PANEL, code.getRGB(900, 150) & 0xffffff, "the pre block's panel");
        assertTrue(count(code, CODE, 21, 136, 400, 96) > 200, "the pre text in the code colour");
        assertTrue(count(code, HEADING, 21, 72, 70, 32) > 100, "the page's own h1");

        BufferedImage back = shot("browser-back.png");
        for (int y = 60; y < 210; y++) {
            for (int x = 0; x < 1024; x++) {
                assertEquals(index.getRGB(x, y), back.getRGB(x, y), "back shows the index as it was, at " + x + "," + y);
            }
        }

        BufferedImage scrolled = shot("browser-scrolled.png");
        assertEquals(THUMB, scrolled.getRGB(1009, 722) & 0xffffff, "End: the scroll bar's thumb at the bottom");
        assertEquals(PANEL, scrolled.getRGB(1009, 76) & 0xffffff, "and not at the top");
        assertEquals(0, count(scrolled, HEADING, 21, 72, 300, 32), "the big h1 scrolled away");

        assertTrue(count(shot("browser-binary.png"), CODE, 21, 72, 976, 640) > 5000, "a program shown as text");
        assertTrue(count(shot("browser-missing.png"), HEADING, 21, 72, 300, 32) > 100, "the error page's heading");
        assertTrue(count(shot("browser-garbage.png"), HEADING, 21, 72, 140, 32) > 100, "garbage.htm's h1");
    }

    static final int BODY = 0x5e9cd6;
    static final int HEAD = 0xa8d0f0;
    static final int FOOD = 0xe8b45a;
    static final int OVER = 0xd05050;

    @Test
    void snakeIsPlayedToGameOverAndKeepsItsHighScoreOnTheDisk() throws Exception {
        String all = play("desktop-snake.vts");
        Path disk = played.disk();
        String[] sequence = {
            "[snake] high score 0", "[wm] window of task 3: Snake", "[snake] go", "[snake] ate: score 10, length 4",
            "[snake] game over: score 10", "[snake] new high score 10 saved to /SNAKE.HI", "[rost] task 3 exited (code 0)",
            "[snake] high score 10", "[wm] window of task 4: Snake", "[snake] game over: score 0", "[snake] new game",
            "[snake] game over: score 10",
        };
        inOrder(all, sequence);
        assertEquals(1, lines(all, "[snake] new high score"), "a tie is not saved: " + all);
        assertEquals("10\n", RostSystestTest.host("mtype", "-i", disk.toString(), "::/SNAKE.HI"));

        // The board is 512x384 (16-pixel cells), centred in the window's inside (9, 60, 1006, 699).
        BufferedImage playing = shot("snake-playing.png");
        int bx = 9 + (1006 - 512) / 2, by = 60 + (699 - 384) / 2;
        assertEquals(3 * 14 * 14, count(playing, BODY, bx, by, 512, 384), "three body cells");
        assertEquals(14 * 14, count(playing, HEAD, bx, by, 512, 384), "one head cell");
        assertTrue(count(playing, FOOD, bx, by, 512, 384) > 100, "the food");
        assertTrue(count(shot("snake-over.png"), OVER, 0, by + 384, 1024, 60) > 100, "the game-over line");
        assertTrue(count(shot("snake-again.png"), OVER, 0, by + 384, 1024, 60) > 100, "game over again");
    }
}
