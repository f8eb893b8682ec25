package org.vitrine.devices.virtio.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** {@link Edid}: a valid E-EDID 1.4 base block whose preferred mode is the display's size. */
class EdidTest {
    static int u8(byte[] e, int i) {
        return e[i] & 0xFF;
    }

    @Test
    void headerVersionAndChecksum() {
        byte[] e = Edid.of(1024, 768);
        assertEquals(128, e.length);
        assertEquals(0x00FF_FFFF_FFFF_FF00L, java.nio.ByteBuffer.wrap(e, 0, 8).getLong());
        assertEquals(1, e[18]);
        assertEquals(4, e[19]);
        int sum = 0;
        for (byte b : e) sum += b & 0xFF;
        assertEquals(0, sum & 0xFF, "bytes sum to 0 mod 256");
        assertEquals("RHT", "" + (char) ('@' + ((u8(e, 8) >> 2) & 31)) + (char) ('@' + (((u8(e, 8) & 3) << 3) | (u8(e, 9) >> 5)))
                + (char) ('@' + (u8(e, 9) & 31)));
        assertEquals("QEMU Monitor\n", new String(e, 95, 13, StandardCharsets.US_ASCII));
        assertEquals(0, e[126], "no extension");
    }

    @Test
    void preferredModeIsTheDisplay() {
        for (int[] size : new int[][] {{1024, 768}, {1280, 800}, {1920, 1080}, {640, 480}, {3840, 2160}, {4095, 2000}}) {
            byte[] e = Edid.of(size[0], size[1]);
            int w = u8(e, 56) | ((u8(e, 58) >> 4) << 8), h = u8(e, 59) | ((u8(e, 61) >> 4) << 8);
            assertEquals(size[0], w, "width of " + size[0] + "x" + size[1]);
            assertEquals(size[1], h);
            assertEquals(0x06, e[24] & 0x06, "the detailed timing is the preferred, native mode");
        }
    }

    @Test
    void reducedBlankingTimingAsCvtComputesIt() {
        // VESA's CVT-RB table: 1920x1080 at 60 Hz reduced blanking is 138.50 MHz, 2080 x 1111 total.
        Edid.Timing t = Edid.cvtReducedBlanking(1920, 1080);
        assertEquals(138_500, t.pixelClockKhz());
        assertEquals(160, t.hBlank());
        assertEquals(31, t.vBlank());
        byte[] e = Edid.of(1920, 1080);
        assertEquals(13_850, u8(e, 54) | (u8(e, 55) << 8), "pixel clock in 10 kHz units");
    }

    @Test
    void sizesOutOfRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Edid.of(8, 600));
        assertThrows(IllegalArgumentException.class, () -> Edid.of(4096, 2160));
        assertThrows(IllegalArgumentException.class, () -> Edid.of(4000, 4000)); // the pixel clock does not fit
    }
}
