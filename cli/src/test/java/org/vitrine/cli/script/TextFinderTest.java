package org.vitrine.cli.script;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.vitrine.cli.script.Scenario.Area;
import org.vitrine.cli.script.TextFinder.Match;
import org.vitrine.cli.script.TextFinder.Scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Text on the screen found through the guest's own font: every glyph at random places, colours,
 * backgrounds and scales; words over pictures; nothing found in noise; areas, the order of
 * matches, and the font read from guest-apps/ui/src/font.rs.
 */
class TextFinderTest {
    static GuestFont font;
    static TextFinder finder;
    static FontPainter painter;
    static final int W = 320, H = 200;

    @BeforeAll
    static void load() throws Exception {
        font = GuestFont.project();
        finder = new TextFinder(font);
        painter = new FontPainter(font);
    }

    static int[] plain(int rgb) {
        int[] px = new int[W * H];
        Arrays.fill(px, FontPainter.abgr(rgb));
        return px;
    }

    @Test
    void fontIsReadFromTheGuestSource() {
        // 'A' (0x3844447c44444400): row 0 is .##. at columns 2-4, row 3 the bar across columns 1-5
        assertTrue(font.on('A', 2, 0) && font.on('A', 4, 0) && !font.on('A', 1, 0));
        assertTrue(font.on('A', 1, 3) && font.on('A', 5, 3) && !font.on('A', 6, 3));
        for (int row = 0; row < 8; row++) for (int col = 0; col < 8; col++) assertTrue(!font.on(' ', col, row));
    }

    @Test
    void fontFileMistakesAreRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("font.rs");
        Files.writeString(f, "const GLYPHS: [u64; 95] = [ 0x0000000000000000 ];");
        assertTrue(assertThrows(java.io.IOException.class, () -> GuestFont.read(f)).getMessage().contains("1 glyphs, expected 95"));
        Files.writeString(f, "fn nothing() {}");
        assertTrue(assertThrows(java.io.IOException.class, () -> GuestFont.read(f)).getMessage().contains("no GLYPHS table"));
    }

    @Test
    void everyGlyphIsFoundAtRandomPlacesColoursAndScales() {
        SplittableRandom r = new SplittableRandom(42);
        int checked = 0;
        for (char c = GuestFont.FIRST + 1; c <= GuestFont.LAST; c++) {
            for (Scale s : TextFinder.SCALES) {
                int fg = r.nextInt(1 << 24), bg;
                do bg = r.nextInt(1 << 24); while (bg == fg);
                int x = r.nextInt(W - 8 * s.sx()), y = r.nextInt(H - 8 * s.sy());
                boolean over = r.nextBoolean();   // half drawn over the background (bg None), half with a background
                int[] px = plain(over ? bg : r.nextInt(1 << 24));
                painter.draw(px, W, x, y, s, String.valueOf(c), fg, over ? -1 : bg);
                List<Match> m = finder.find(px, W, H, String.valueOf(c), null);
                assertTrue(m.contains(new Match(x, y, 8 * s.sx(), 8 * s.sy(), fg, s)),
                        "'" + c + "' at (" + x + ", " + y + ") scale " + s + ": " + m);
                assertEquals(1, m.size(), "'" + c + "' scale " + s + ": " + m);
                checked++;
            }
        }
        assertEquals(94 * TextFinder.SCALES.size(), checked);
    }

    @Test
    void wordsAreFoundOverPicturesAndNothingElseIs() {
        SplittableRandom r = new SplittableRandom(5);
        int[] px = new int[W * H];
        for (int i = 0; i < px.length; i++) px[i] = 0xFF000000 | r.nextInt(1 << 24);   // a photograph, say
        Scale s = new Scale(1, 2);
        painter.draw(px, W, 13, 17, s, "Terminal", 0xd8dee9, -1);
        painter.draw(px, W, 100, 150, s, "README.TXT", 0x5e9cd6, 0x14181f);
        assertEquals(List.of(new Match(13, 17, 64, 16, 0xd8dee9, s)), finder.find(px, W, H, "Terminal", null));
        assertEquals(List.of(new Match(100, 150, 80, 16, 0x5e9cd6, s)), finder.find(px, W, H, "README.TXT", null));
        assertEquals(1, finder.find(px, W, H, "Term", null).size(), "a part of a word is found in it");
        assertEquals(List.of(), finder.find(px, W, H, "Terminal!", null));
        assertEquals(List.of(), finder.find(px, W, H, "terminal", null), "case matters");
    }

    @Test
    void noFalseMatchInANoisyScreen() {
        // few colours make accidental runs of one colour likely; every glyph alone, the least to match
        SplittableRandom r = new SplittableRandom(9);
        int w = 512, h = 384;
        int[] palette = {0x000000, 0xffffff, 0x5e9cd6, 0x2b3240};
        int[] px = new int[w * h];
        for (int i = 0; i < px.length; i++) px[i] = FontPainter.abgr(palette[r.nextInt(palette.length)]);
        for (char c = GuestFont.FIRST + 1; c <= GuestFont.LAST; c++) {
            List<Match> m = finder.find(px, w, h, String.valueOf(c), null);
            assertEquals(List.of(), m, "'" + c + "' in noise");
        }
    }

    static void fill(int[] px, int x, int y, int w, int h, int rgb) {
        for (int j = y; j < y + h; j++) Arrays.fill(px, j * W + x, j * W + x + w, FontPainter.abgr(rgb));
    }

    @Test
    void underlinedAndStruckTextIsFoundButNotUnderAThickBarOrInAPlainArea() {
        int[] px = plain(0x14181f);
        Scale s = new Scale(1, 2);
        painter.draw(px, W, 20, 30, s, "Code link", 0x5e9cd6, -1);
        fill(px, 20, 30 + 14, 72, 1, 0x5e9cd6);   // the Browser's underline: one pixel, two above the cells' bottom
        painter.draw(px, W, 20, 80, s, "struck", 0xd8dee9, -1);
        fill(px, 20, 80 + 8, 48, 1, 0xd8dee9);    // through the middle
        assertEquals(List.of(new Match(20, 30, 32, 16, 0x5e9cd6, s)), finder.find(px, W, H, "Code", null));
        assertEquals(List.of(new Match(60, 30, 32, 16, 0x5e9cd6, s)), finder.find(px, W, H, "link", null));
        assertEquals(List.of(new Match(20, 80, 48, 16, 0xd8dee9, s)), finder.find(px, W, H, "struck", null));
        assertEquals(List.of(new Match(20, 30, 32, 16, 0x5e9cd6, s)), finder.find(px, W, H, "Code", null, new Area(300, 0, 11, 17)),
                "with the pointer elsewhere");

        painter.draw(px, W, 150, 30, s, "Code", 0xe8b45a, -1);
        fill(px, 150, 30 + 12, 32, 4, 0xe8b45a);  // four rows thick: a bar over the text, no underline
        assertEquals(List.of(), finder.find(px, W, H, "Code", new Area(140, 20, 100, 40)));
        painter.draw(px, W, 150, 130, s, "Code", 0xe8b45a, -1);
        fill(px, 150, 130 + 14, 20, 1, 0xe8b45a); // a line under part of the text only
        assertEquals(List.of(), finder.find(px, W, H, "Code", new Area(140, 120, 100, 40)));

        int[] flat = plain(0x5e9cd6);
        for (char c = GuestFont.FIRST + 1; c <= GuestFont.LAST; c++) {
            assertEquals(List.of(), finder.find(flat, W, H, String.valueOf(c), null), "'" + c + "' in a plain area");
        }
    }

    @Test
    void matchesComeInReadingOrderAndAreasRestrictThem() {
        int[] px = plain(0x101820);
        Scale s = new Scale(1, 2);
        painter.draw(px, W, 200, 10, s, "Files", 0xffffff, -1);
        painter.draw(px, W, 20, 100, s, "Files", 0xff0000, -1);
        painter.draw(px, W, 10, 10, s, "Files", 0x00ff00, -1);
        List<Match> all = finder.find(px, W, H, "Files", null);
        assertEquals(List.of(10, 200, 20), all.stream().map(Match::x).toList());
        assertEquals(0xff0000, finder.find(px, W, H, "Files", new Area(0, 50, 100, 100)).getFirst().rgb());
        assertEquals(List.of(), finder.find(px, W, H, "Files", new Area(0, 50, 50, 20)), "the text must lie inside the area");
        assertEquals(List.of(), finder.find(px, W, H, "Files", new Area(300, 190, 500, 500)));
        Match m = all.getFirst();
        assertEquals(10 + 20, m.centreX());
        assertEquals(10 + 8, m.centreY());
    }

    @Test
    void aTextUnderThePointerIsStillFound() {
        int[] px = plain(0x2b3240);
        Scale s = new Scale(1, 2);
        painter.draw(px, W, 76, 6, s, "Terminal", 0xd8dee9, -1);
        Area pointer = new Area(108, 14, 11, 17);   // a click at the text's centre
        for (int y = 14; y < 31; y++) for (int x = 108; x < 119; x++) px[y * W + x] = FontPainter.abgr((x + y) % 2 == 0 ? 0 : 0xffffff);
        assertEquals(List.of(), finder.find(px, W, H, "Terminal", null), "the pointer hides part of it");
        assertEquals(List.of(new Match(76, 6, 64, 16, 0xd8dee9, s)), finder.find(px, W, H, "Terminal", null, pointer));
        assertEquals(List.of(), finder.find(px, W, H, "Editor", null, pointer));
        // a one-letter text mostly under the pointer is not guessed
        int[] q = plain(0x2b3240);
        painter.draw(q, W, 100, 10, s, "i", 0xd8dee9, -1);
        Area over = new Area(100, 10, 8, 12);
        for (int y = 10; y < 22; y++) for (int x = 100; x < 108; x++) q[y * W + x] = FontPainter.abgr(x % 2 == 0 ? 0 : 0xffffff);
        assertEquals(List.of(), finder.find(q, W, H, "i", null, over));
    }

    @Test
    void textWithNothingVisibleIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> finder.find(plain(0), W, H, "   ", null));
    }
}
