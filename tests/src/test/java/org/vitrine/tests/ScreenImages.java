package org.vitrine.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.vitrine.cli.window.Screenshots;
import org.vitrine.emulator.display.Frame;

/** Screens as {@link Frame}s (0xAABBGGRR pixels): QEMU's PPM screendumps, comparisons, and files to look at. */
final class ScreenImages {
    /** Where the desktop tests keep their pictures (module directory's target/). */
    static final Path DIR = Path.of("target", "desktop-e2e");

    private ScreenImages() { }

    /** Reads a binary PPM (P6, maxval 255), what QEMU's QMP screendump writes. */
    static Frame readPpm(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int[] pos = {0};
        String magic = token(b, pos);
        if (!magic.equals("P6")) throw new IOException(file + ": not a binary PPM (" + magic + ")");
        int w = Integer.parseInt(token(b, pos)), h = Integer.parseInt(token(b, pos)), max = Integer.parseInt(token(b, pos));
        if (max != 255) throw new IOException(file + ": maxval " + max);
        int at = pos[0] + 1; // one whitespace byte after maxval
        if (b.length - at < 3L * w * h) throw new IOException(file + ": truncated (" + b.length + " bytes for " + w + "x" + h + ")");
        int[] px = new int[w * h];
        for (int i = 0; i < px.length; i++, at += 3) {
            px[i] = 0xFF00_0000 | (b[at + 2] & 0xFF) << 16 | (b[at + 1] & 0xFF) << 8 | (b[at] & 0xFF);
        }
        return new Frame(w, h, px, 0, Frame.Cursor.HIDDEN);
    }

    private static String token(byte[] b, int[] pos) {
        int i = pos[0];
        while (i < b.length) { // whitespace and comments
            if (b[i] == '#') {
                while (i < b.length && b[i] != '\n') i++;
            } else if (Character.isWhitespace(b[i])) {
                i++;
            } else {
                break;
            }
        }
        int s = i;
        while (i < b.length && !Character.isWhitespace(b[i])) i++;
        pos[0] = i;
        return new String(b, s, i - s, StandardCharsets.US_ASCII);
    }

    /** How two screens differ: pixel count and bounding box of the differing pixels. */
    record Diff(int pixels, int x0, int y0, int x1, int y1, String sizes) {
        boolean none() {
            return pixels == 0 && sizes == null;
        }

        @Override
        public String toString() {
            if (sizes != null) return "sizes differ: " + sizes;
            return pixels == 0 ? "identical" : pixels + " pixels differ within (" + x0 + "," + y0 + ")-(" + x1 + "," + y1 + ")";
        }
    }

    /** Compares R, G and B of two screens (the scanout is opaque; alpha is not part of the picture). */
    static Diff diff(Frame a, Frame b) {
        if (a.width() != b.width() || a.height() != b.height()) {
            return new Diff(-1, 0, 0, 0, 0, a.width() + "x" + a.height() + " vs " + b.width() + "x" + b.height());
        }
        int n = 0, x0 = Integer.MAX_VALUE, y0 = Integer.MAX_VALUE, x1 = -1, y1 = -1;
        int[] pa = a.rgba(), pb = b.rgba();
        for (int y = 0; y < a.height(); y++) {
            for (int x = 0; x < a.width(); x++) {
                int i = y * a.width() + x;
                if (((pa[i] ^ pb[i]) & 0xFFFFFF) != 0) {
                    n++;
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        return n == 0 ? new Diff(0, 0, 0, 0, 0, null) : new Diff(n, x0, y0, x1, y1, null);
    }

    /** Saves a screen as DIR/name.png (without a cursor plane); returns the file. */
    static Path save(Frame f, String name) throws IOException {
        Path p = DIR.resolve(name + ".png");
        Screenshots.writePng(f, p);
        return p.toAbsolutePath();
    }

    /** The screen as the window shows it: the guest's cursor plane (if it uses one) blended on top. */
    static Frame withCursor(Frame f) {
        return new Frame(f.width(), f.height(), Screenshots.composeCursor(f), f.sequence(), Frame.Cursor.HIDDEN);
    }
}
