package org.vitrine.cli.script;

import org.vitrine.cli.script.Scenario.Area;
import org.vitrine.emulator.display.Frame;

/**
 * Needle logic: areas of a frame cut out, compared with a reference image pixel for pixel, and
 * the difference drawn as an image (the actual area in grey, differing pixels in red) for the
 * person who reads the failure. Rendering is deterministic, so exact comparison is the default.
 */
public final class Regions {
    private Regions() { }

    /** Whether the area lies inside the frame. */
    public static boolean fits(Frame f, Area a) {
        return a.x() + a.w() <= f.width() && a.y() + a.h() <= f.height();
    }

    /** The area of the frame as a frame of its own (no cursor). */
    public static Frame crop(Frame f, Area a) {
        if (!fits(f, a)) throw new IllegalArgumentException("area " + a + " is outside the " + f.width() + "x" + f.height() + " screen");
        int[] out = new int[a.w() * a.h()];
        for (int y = 0; y < a.h(); y++) System.arraycopy(f.rgba(), (a.y() + y) * f.width() + a.x(), out, y * a.w(), a.w());
        return new Frame(a.w(), a.h(), out, f.sequence(), Frame.Cursor.HIDDEN);
    }

    /** How many pixels differ in R, G or B; -1 when the sizes differ. */
    public static int differences(Frame actual, Frame needle) {
        if (actual.width() != needle.width() || actual.height() != needle.height()) return -1;
        int n = 0;
        int[] a = actual.rgba(), b = needle.rgba();
        for (int i = 0; i < a.length; i++) if (((a[i] ^ b[i]) & 0xFFFFFF) != 0) n++;
        return n;
    }

    /** The actual area dimmed to grey, with every pixel that differs from the needle in red (same sizes). */
    public static Frame diffImage(Frame actual, Frame needle) {
        int[] a = actual.rgba(), b = needle.rgba(), out = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            if (((a[i] ^ b[i]) & 0xFFFFFF) != 0) {
                out[i] = 0xFF0000FF;  // red, in 0xAABBGGRR
            } else {
                int p = a[i], grey = ((p & 0xFF) + (p >> 8 & 0xFF) + (p >> 16 & 0xFF)) / 6 + 40;
                out[i] = 0xFF000000 | grey << 16 | grey << 8 | grey;
            }
        }
        return new Frame(actual.width(), actual.height(), out, 0, Frame.Cursor.HIDDEN);
    }
}
