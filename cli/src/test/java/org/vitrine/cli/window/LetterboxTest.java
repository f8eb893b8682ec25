package org.vitrine.cli.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LetterboxTest {
    @Test
    void sameSizeFillsTheWindow() {
        assertEquals(new Letterbox(0, 0, 1024, 768), Letterbox.fit(1024, 768, 1024, 768));
    }

    @Test
    void tallWindowGetsBarsTopAndBottom() {
        assertEquals(new Letterbox(0, 100, 800, 600), Letterbox.fit(1024, 768, 800, 800));
    }

    @Test
    void wideWindowGetsBarsLeftAndRight() {
        assertEquals(new Letterbox(160, 0, 960, 720), Letterbox.fit(1024, 768, 1280, 720));
    }

    @Test
    void integerUpscale() {
        assertEquals(new Letterbox(0, 0, 2048, 1536), Letterbox.fit(1024, 768, 2048, 1536));
    }

    @Test
    void degenerateSizesGiveAnEmptyBox() {
        assertTrue(Letterbox.fit(1024, 768, 0, 0).isEmpty());
        assertTrue(Letterbox.fit(0, 0, 100, 100).isEmpty());
    }

    @Test
    void tabletCoordinatesCoverTheDisplayedAreaAndClampInTheBars() {
        Letterbox b = Letterbox.fit(1024, 768, 800, 800); // picture at y 100..700
        assertEquals(0, b.tabletX(0));
        assertEquals(16384, b.tabletX(400));
        assertEquals(32767, b.tabletX(800));
        assertEquals(32767, b.tabletX(5000));
        assertEquals(0, b.tabletY(50));   // top bar clamps to the top edge
        assertEquals(0, b.tabletY(100));
        assertEquals(16384, b.tabletY(400));
        assertEquals(32767, b.tabletY(750)); // bottom bar clamps to the bottom edge
        assertEquals(0, b.tabletX(-20));
    }

    @Test
    void everyPixelCentreMapsBackToItsPixelAt1To1() {
        Letterbox b = Letterbox.fit(1024, 768, 1024, 768);
        for (int px = 0; px < 1024; px++) {
            int abs = b.tabletX(px + 0.5);
            assertEquals(px, abs * 1024 / 32768, "x " + px);
            assertEquals(px, Math.round(abs * 1023.0 / 32767), "x " + px + " with the (max-1)/max convention");
        }
        for (int py = 0; py < 768; py++) {
            assertEquals(py, b.tabletY(py + 0.5) * 768 / 32768, "y " + py);
        }
    }
}
