package org.vitrine.cli.script;

import org.junit.jupiter.api.Test;
import org.vitrine.cli.script.Scenario.Area;
import org.vitrine.emulator.display.Frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Needles: areas cut out of a frame, compared exactly or within a tolerance, and the difference image. */
class RegionsTest {
    static Frame frame(int w, int h) {
        int[] px = new int[w * h];
        for (int i = 0; i < px.length; i++) px[i] = 0xFF000000 | (i * 40503) & 0xFFFFFF;
        return new Frame(w, h, px, 1, Frame.Cursor.HIDDEN);
    }

    @Test
    void cropTakesTheArea() {
        Frame f = frame(10, 8);
        Frame c = Regions.crop(f, new Area(2, 3, 4, 2));
        assertEquals(4, c.width());
        assertEquals(2, c.height());
        assertEquals(f.rgba()[3 * 10 + 2], c.rgba()[0]);
        assertEquals(f.rgba()[4 * 10 + 5], c.rgba()[7]);
        assertTrue(Regions.fits(f, new Area(6, 6, 4, 2)));
        assertFalse(Regions.fits(f, new Area(7, 6, 4, 2)));
        assertThrows(IllegalArgumentException.class, () -> Regions.crop(f, new Area(0, 7, 1, 2)));
    }

    @Test
    void differencesCountPixelsIgnoringAlpha() {
        Frame a = frame(6, 5);
        int[] px = a.rgba().clone();
        px[0] ^= 0xFF000000;                 // alpha only: the same colour
        assertEquals(0, Regions.differences(a, new Frame(6, 5, px, 0, Frame.Cursor.HIDDEN)));
        px[7] ^= 1;
        px[29] ^= 0x010000;
        Frame b = new Frame(6, 5, px, 0, Frame.Cursor.HIDDEN);
        assertEquals(2, Regions.differences(a, b));
        assertEquals(-1, Regions.differences(a, frame(5, 6)), "sizes differ");

        Frame d = Regions.diffImage(a, b);
        assertEquals(0xFF0000FF, d.rgba()[7]);
        assertEquals(0xFF0000FF, d.rgba()[29]);
        int grey = d.rgba()[1];
        assertEquals(grey & 0xFF, grey >> 8 & 0xFF);
        assertEquals(grey & 0xFF, grey >> 16 & 0xFF);
        assertArrayEquals(new int[] {6, 5}, new int[] {d.width(), d.height()});
    }
}
