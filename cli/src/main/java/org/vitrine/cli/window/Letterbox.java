package org.vitrine.cli.window;

/**
 * Where the guest picture sits in the window: scaled to fit, aspect ratio kept, centred, with bars
 * (of the background colour) on two sides. All values are in one coordinate space, normally the
 * window's framebuffer pixels, origin top left.
 */
public record Letterbox(int x, int y, int width, int height) {
    /** Largest value of an ABS_X / ABS_Y tablet axis. */
    public static final int TABLET_MAX = 32767;

    /** Fits a {@code srcW x srcH} picture into a {@code dstW x dstH} area. */
    public static Letterbox fit(int srcW, int srcH, int dstW, int dstH) {
        if (srcW <= 0 || srcH <= 0 || dstW <= 0 || dstH <= 0) return new Letterbox(0, 0, 0, 0);
        int w, h;
        if ((long) dstW * srcH <= (long) dstH * srcW) { // width is the limit
            w = dstW;
            h = (int) Math.max(1, Math.round((double) dstW * srcH / srcW));
        } else {
            h = dstH;
            w = (int) Math.max(1, Math.round((double) dstH * srcW / srcH));
        }
        return new Letterbox((dstW - w) / 2, (dstH - h) / 2, w, h);
    }

    public boolean isEmpty() {
        return width <= 0 || height <= 0;
    }

    /**
     * A horizontal position (same space, continuous: pixel {@code i} spans {@code [i, i+1)}) as an
     * ABS_X value. The guest finds the pixel as {@code abs * guestWidth / 32768}; positions in the
     * bars clamp to the picture's edge.
     */
    public int tabletX(double pos) {
        return toTablet(pos - x, width);
    }

    /** Like {@link #tabletX} for ABS_Y. */
    public int tabletY(double pos) {
        return toTablet(pos - y, height);
    }

    private static int toTablet(double offset, int length) {
        if (length <= 0) return 0;
        double v = Math.floor(offset * (TABLET_MAX + 1.0) / length);
        return (int) Math.max(0, Math.min(TABLET_MAX, v));
    }
}
