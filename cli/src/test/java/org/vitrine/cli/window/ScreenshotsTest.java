package org.vitrine.cli.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.emulator.display.Frame;

class ScreenshotsTest {
    @TempDir
    Path dir;

    static int rgba(int r, int g, int b, int a) {
        return a << 24 | b << 16 | g << 8 | r;
    }

    static Frame gradient(int w, int h, int alpha) {
        int[] px = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) px[y * w + x] = rgba(x * 255 / w, y * 255 / h, (x ^ y) & 0xFF, alpha);
        }
        return new Frame(w, h, px, 7, Frame.Cursor.HIDDEN);
    }

    @Test
    void pngRoundTripKeepsEveryPixel() throws IOException {
        Frame f = gradient(97, 61, 0xFF);
        Path png = dir.resolve("sub/shot.png");
        Screenshots.writePng(f, png);
        Frame back = Screenshots.readPng(png);
        assertEquals(97, back.width());
        assertEquals(61, back.height());
        assertArrayEquals(f.rgba(), back.rgba());
        assertTrue(Screenshots.sameRgb(f, back));
    }

    @Test
    void channelsAreNotSwappedAndAlphaIsIgnored() throws IOException {
        // An XRGB guest leaves alpha 0: the screenshot must still be opaque and show the colour.
        Frame f = new Frame(2, 1, new int[] {rgba(255, 0, 0, 0), rgba(0, 0, 255, 0)}, 1, Frame.Cursor.HIDDEN);
        Path png = dir.resolve("red-blue.png");
        Screenshots.writePng(f, png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(0xFFFF0000, img.getRGB(0, 0));
        assertEquals(0xFF0000FF, img.getRGB(1, 0));
        Frame back = Screenshots.readPng(png);
        assertEquals(rgba(255, 0, 0, 255), back.rgba()[0]);
        assertTrue(Screenshots.sameRgb(f, back));
        assertFalse(Screenshots.sameRgb(f, gradient(2, 1, 255)));
    }

    @Test
    void cursorIsBlendedAtItsHotspotAndClipped() throws IOException {
        int[] bg = new int[8 * 8];
        java.util.Arrays.fill(bg, rgba(0, 0, 0, 255));
        int[] cur = new int[4 * 4];
        cur[0] = rgba(255, 255, 255, 255); // opaque white at image (0,0)
        cur[1] = rgba(255, 0, 0, 128);     // half red at (1,0)
        cur[15] = rgba(0, 255, 0, 255);    // (3,3)
        Frame f = new Frame(8, 8, bg, 1, new Frame.Cursor(6, 6, 1, 1, cur));
        int[] out = Screenshots.composeCursor(f);
        assertEquals(rgba(255, 255, 255, 255), out[5 * 8 + 5]); // (6-1, 6-1)
        assertEquals(rgba(128, 0, 0, 255), out[5 * 8 + 6]);
        assertEquals(rgba(0, 0, 0, 255), out[0]);
        // (3,3) of the image lands at (8,8): outside, clipped without error.
        Screenshots.writePng(f, dir.resolve("c.png"), true);
        assertEquals(rgba(255, 255, 255, 255), Screenshots.readPng(dir.resolve("c.png")).rgba()[5 * 8 + 5]);
        assertSame(bg, Screenshots.composeCursor(new Frame(8, 8, bg, 1, Frame.Cursor.HIDDEN)));
    }

    @Test
    void worksHeadless() throws IOException {
        // Nothing here may need a display: ImageIO and BufferedImage only.
        String before = System.getProperty("java.awt.headless");
        System.setProperty("java.awt.headless", "true");
        try {
            Screenshots.writePng(gradient(16, 16, 255), dir.resolve("h.png"));
            assertEquals(16, Screenshots.readPng(dir.resolve("h.png")).width());
        } finally {
            if (before == null) System.clearProperty("java.awt.headless"); else System.setProperty("java.awt.headless", before);
        }
    }
}
