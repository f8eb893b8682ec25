package org.vitrine.devices.virtio.gpu;

import java.nio.charset.StandardCharsets;

/**
 * The EDID a display tells its source about itself (VESA E-EDID 1.4, the 128-byte base block), made
 * for a display of a given size: what virtio-gpu's GET_EDID answers (VIRTIO_GPU_F_EDID), so a
 * driver (Linux's) takes the window's size as the preferred mode, as it does with QEMU's monitor.
 *
 * <p>Contents: manufacturer "RHT" and product 0x1234 as QEMU's virtual monitor identifies itself,
 * a digital 8-bit input, sRGB chromaticity and gamma 2.2, the preferred mode as a detailed timing
 * at 60 Hz with CVT reduced blanking (its pixel clock from the CVT-RB formula), range limits, and
 * the monitor's name. No extension block.
 */
public final class Edid {
    public static final int SIZE = 128;
    /** Physical size assumed for the image: 96 pixels an inch, as desktop systems assume. */
    private static final double PIXELS_PER_MM = 96 / 25.4;
    private static final String NAME = "QEMU Monitor";

    private Edid() { }

    /**
     * Whether a base block can describe the mode: a detailed timing holds 12-bit sizes and a pixel
     * clock up to 655.35 MHz (larger displays need a DisplayID extension, which this does not make).
     */
    public static boolean describes(int width, int height) {
        return width >= 16 && height >= 16 && width <= 4095 && height <= 4095 && cvtReducedBlanking(width, height).pixelClockKhz() <= 655_350;
    }

    /** The EDID of a {@code width} x {@code height} display; see {@link #describes}. */
    public static byte[] of(int width, int height) {
        if (!describes(width, height)) {
            throw new IllegalArgumentException("an EDID base block cannot describe a " + width + "x" + height + " display");
        }
        byte[] e = new byte[SIZE];
        byte[] header = {0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0};
        System.arraycopy(header, 0, e, 0, 8);
        int vendor = (('R' - '@') << 10) | (('H' - '@') << 5) | ('T' - '@');
        e[8] = (byte) (vendor >> 8);
        e[9] = (byte) vendor;
        e[10] = 0x34;                 // product code 0x1234, little-endian
        e[11] = 0x12;
        e[16] = 1;                    // week 1 of
        e[17] = (byte) (2026 - 1990); // 2026
        e[18] = 1;                    // EDID 1.4
        e[19] = 4;
        e[20] = (byte) 0xA5;          // digital, 8 bits a colour, DisplayPort
        int widthMm = (int) Math.round(width / PIXELS_PER_MM), heightMm = (int) Math.round(height / PIXELS_PER_MM);
        e[21] = (byte) Math.max(1, Math.min(255, (widthMm + 5) / 10));   // centimetres
        e[22] = (byte) Math.max(1, Math.min(255, (heightMm + 5) / 10));
        e[23] = (byte) 120;           // gamma 2.2: (2.2 - 1) * 100
        e[24] = 0x06;                 // sRGB is the default colour space; the preferred mode is native
        chromaticity(e);
        for (int i = 38; i < 54; i++) e[i] = 1; // no standard timings
        detailedTiming(e, 54, width, height, widthMm, heightMm);
        rangeLimits(e, 72);
        monitorName(e, 90);
        e[108 + 3] = 0x10;            // dummy descriptor
        int sum = 0;
        for (int i = 0; i < SIZE - 1; i++) sum += e[i] & 0xFF;
        e[SIZE - 1] = (byte) (-sum);
        return e;
    }

    /** sRGB primaries and D65 white point, 10 bits each: two low bits packed, then the high eight. */
    private static void chromaticity(byte[] e) {
        double[] xy = {0.640, 0.330, 0.300, 0.600, 0.150, 0.060, 0.3127, 0.3290};
        int[] v = new int[8];
        for (int i = 0; i < 8; i++) v[i] = (int) Math.round(xy[i] * 1024);
        e[25] = (byte) (((v[0] & 3) << 6) | ((v[1] & 3) << 4) | ((v[2] & 3) << 2) | (v[3] & 3));
        e[26] = (byte) (((v[4] & 3) << 6) | ((v[5] & 3) << 4) | ((v[6] & 3) << 2) | (v[7] & 3));
        for (int i = 0; i < 8; i++) e[27 + i] = (byte) (v[i] >> 2);
    }

    /** Timing of a mode at 60 Hz with CVT reduced blanking (VESA CVT 1.2, RB version 1). */
    record Timing(int pixelClockKhz, int hBlank, int hFront, int hSync, int vBlank, int vFront, int vSync) { }

    static Timing cvtReducedBlanking(int width, int height) {
        final double refresh = 60, minVBlankUs = 460;
        final int hBlank = 160, hSync = 32, hFront = 48, vFront = 3, vSync = 6, minVBackPorch = 6;
        double hPeriodUs = (1_000_000 / refresh - minVBlankUs) / height;
        int vBlank = Math.max((int) Math.floor(minVBlankUs / hPeriodUs) + 1, vFront + vSync + minVBackPorch);
        int totalH = width + hBlank, totalV = height + vBlank;
        // The pixel clock in steps of 250 kHz, rounded down, as CVT says.
        int clockKhz = (int) (Math.floor(refresh * totalH * totalV / 250_000) * 250);
        return new Timing(clockKhz, hBlank, hFront, hSync, vBlank, vFront, vSync);
    }

    private static void detailedTiming(byte[] e, int at, int w, int h, int wMm, int hMm) {
        Timing t = cvtReducedBlanking(w, h);
        int clock = t.pixelClockKhz() / 10; // in 10 kHz units
        e[at] = (byte) clock;
        e[at + 1] = (byte) (clock >> 8);
        e[at + 2] = (byte) w;
        e[at + 3] = (byte) t.hBlank();
        e[at + 4] = (byte) (((w >> 8) << 4) | (t.hBlank() >> 8));
        e[at + 5] = (byte) h;
        e[at + 6] = (byte) t.vBlank();
        e[at + 7] = (byte) (((h >> 8) << 4) | (t.vBlank() >> 8));
        e[at + 8] = (byte) t.hFront();
        e[at + 9] = (byte) t.hSync();
        e[at + 10] = (byte) (((t.vFront() & 15) << 4) | (t.vSync() & 15));
        e[at + 11] = (byte) (((t.hFront() >> 8) << 6) | ((t.hSync() >> 8) << 4) | ((t.vFront() >> 4) << 2) | (t.vSync() >> 4));
        e[at + 12] = (byte) wMm;
        e[at + 13] = (byte) hMm;
        e[at + 14] = (byte) (((wMm >> 8) << 4) | (hMm >> 8));
        e[at + 17] = 0x1A;            // digital separate sync, hsync +, vsync - (reduced blanking)
    }

    /** Display range limits: 50-125 Hz, 30-160 kHz, up to 600 MHz; no timing formula. */
    private static void rangeLimits(byte[] e, int at) {
        e[at + 3] = (byte) 0xFD;
        e[at + 5] = 50;
        e[at + 6] = 125;
        e[at + 7] = 30;
        e[at + 8] = (byte) 160;
        e[at + 9] = 60;               // 600 MHz in 10 MHz units
        e[at + 10] = 1;               // range limits only
        e[at + 11] = 0x0A;
        for (int i = at + 12; i < at + 18; i++) e[i] = 0x20;
    }

    private static void monitorName(byte[] e, int at) {
        e[at + 3] = (byte) 0xFC;
        byte[] name = NAME.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 13; i++) e[at + 5 + i] = i < name.length ? name[i] : (byte) (i == name.length ? 0x0A : 0x20);
    }
}
