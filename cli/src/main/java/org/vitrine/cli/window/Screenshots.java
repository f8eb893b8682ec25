package org.vitrine.cli.window;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.vitrine.emulator.display.Frame;

/**
 * Frames to PNG files and back (for {@code --screenshot FILE.png} and for tests that compare what
 * the guest drew). Uses only {@code BufferedImage} and ImageIO, which need no display, so it works
 * in headless runs and never initialises the AWT toolkit.
 *
 * <p>Pixels are compared as {@link Frame} stores them (0xAABBGGRR). The scanout is opaque — a guest
 * using an XRGB format leaves the alpha byte undefined — so PNGs are written as RGB and read back
 * with alpha 0xFF; {@link #sameRgb} compares ignoring alpha.
 */
public final class Screenshots {
    private Screenshots() { }

    /** Writes the frame (without the cursor plane, as a scanout dump) to a PNG file. */
    public static void writePng(Frame frame, Path file) throws IOException {
        writePng(frame, file, false);
    }

    /** Writes the frame to a PNG file, with the guest cursor blended on top when {@code withCursor}. */
    public static void writePng(Frame frame, Path file, boolean withCursor) throws IOException {
        BufferedImage image = toImage(frame, withCursor);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        if (!ImageIO.write(image, "png", file.toFile())) throw new IOException("no PNG writer available");
    }

    /** The frame as an opaque RGB image, with the cursor blended in when asked and visible. */
    public static BufferedImage toImage(Frame frame, boolean withCursor) {
        int w = frame.width(), h = frame.height();
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        int[] src = withCursor ? composeCursor(frame) : frame.rgba();
        for (int i = 0; i < dst.length; i++) dst[i] = swapRb(src[i]) & 0xFFFFFF;
        return image;
    }

    /** Reads a PNG (any type ImageIO reads) into a frame: 0xAABBGGRR pixels, sequence 0, no cursor. */
    public static Frame readPng(Path file) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) throw new IOException(file + ": not an image ImageIO can read");
        int w = image.getWidth(), h = image.getHeight();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) argb[i] = swapRb(argb[i]);
        return new Frame(w, h, argb, 0, Frame.Cursor.HIDDEN);
    }

    /** Whether two frames have the same size and the same colours, ignoring alpha. */
    public static boolean sameRgb(Frame a, Frame b) {
        return a.width() == b.width() && a.height() == b.height() && countRgbDifferences(a.rgba(), b.rgba()) == 0;
    }

    /** How many pixels of two equally long arrays differ in R, G or B. */
    public static int countRgbDifferences(int[] a, int[] b) {
        if (a.length != b.length) throw new IllegalArgumentException(a.length + " vs " + b.length + " pixels");
        int n = 0;
        for (int i = 0; i < a.length; i++) if (((a[i] ^ b[i]) & 0xFFFFFF) != 0) n++;
        return n;
    }

    /**
     * The frame's pixels with the cursor image alpha-blended at its position (hotspot respected,
     * clipped to the frame). Returns the frame's own array when the cursor is hidden.
     */
    public static int[] composeCursor(Frame frame) {
        Frame.Cursor c = frame.cursor();
        int side = c == null || c.image() == null ? 0 : cursorSide(c.image());
        if (side == 0) return frame.rgba();
        int[] out = frame.rgba().clone();
        int w = frame.width(), h = frame.height();
        int ox = c.x() - c.hotX(), oy = c.y() - c.hotY();
        for (int cy = 0; cy < side; cy++) {
            int y = oy + cy;
            if (y < 0 || y >= h) continue;
            for (int cx = 0; cx < side; cx++) {
                int x = ox + cx;
                if (x < 0 || x >= w) continue;
                int s = c.image()[cy * side + cx];
                int a = s >>> 24;
                if (a == 0) continue;
                int d = out[y * w + x];
                out[y * w + x] = a == 255 ? s | 0xFF000000 : blend(s, d, a);
            }
        }
        return out;
    }

    /** The side of a square cursor image (64 for virtio-gpu), or 0 when the array is not square. */
    static int cursorSide(int[] image) {
        int side = (int) Math.round(Math.sqrt(image.length));
        return side > 0 && side * side == image.length ? side : 0;
    }

    private static int blend(int s, int d, int a) {
        int r = ((s & 0xFF) * a + (d & 0xFF) * (255 - a) + 127) / 255;
        int g = (((s >> 8) & 0xFF) * a + ((d >> 8) & 0xFF) * (255 - a) + 127) / 255;
        int b = (((s >> 16) & 0xFF) * a + ((d >> 16) & 0xFF) * (255 - a) + 127) / 255;
        return 0xFF000000 | b << 16 | g << 8 | r;
    }

    /** 0xAABBGGRR <-> 0xAARRGGBB (the swap is its own inverse). */
    static int swapRb(int p) {
        return (p & 0xFF00FF00) | ((p & 0xFF) << 16) | ((p >>> 16) & 0xFF);
    }
}
