package org.vitrine.cli.window;

import org.vitrine.emulator.display.Frame;
import org.vitrine.emulator.display.FrameExchange;

/**
 * A stand-in for the GPU model: publishes colour bars with a square moving along the top band
 * (rows 16..79) at about 60 frames a second, and a guest cursor at {@link #CURSOR_X},{@link #CURSOR_Y}.
 * Pixels have alpha 0, as an XRGB scanout does. The bars never change, so a screenshot taken at any
 * moment can be compared with {@link #expected} outside the top band and the cursor.
 */
final class SyntheticFrames implements AutoCloseable {
    static final int[] BARS = {rgb(235, 235, 235), rgb(235, 235, 16), rgb(16, 235, 235), rgb(16, 235, 16),
        rgb(235, 16, 235), rgb(235, 16, 16), rgb(16, 16, 235), rgb(40, 40, 40)};
    static final int SQUARE = rgb(255, 255, 255);
    static final int BAND_TOP = 16, BAND_BOTTOM = 80;
    static final int CURSOR_X = 200, CURSOR_Y = 600, HOT_X = 4, HOT_Y = 4;
    static final int CURSOR_OPAQUE = rgb(255, 128, 0) | 0xFF000000;
    static final int CURSOR_HALF = rgb(255, 255, 255) | 0x80000000;

    private final FrameExchange out;
    private final Thread thread;
    private final int[] cursor = cursorImage();
    private volatile int width, height;
    private volatile boolean paused, stopped;
    private long sequence;

    SyntheticFrames(FrameExchange out, int width, int height) {
        this.out = out;
        this.width = width;
        this.height = height;
        publish(); // the first frame is there before the window opens
        thread = Thread.ofPlatform().daemon().name("synthetic-frames").start(this::run);
    }

    static int rgb(int r, int g, int b) {
        return b << 16 | g << 8 | r; // alpha 0, like XRGB
    }

    /** The bar colour at column {@code x} of a {@code w}-wide frame. */
    static int bar(int x, int w) {
        return BARS[x * BARS.length / w];
    }

    void resize(int w, int h) {
        width = w;
        height = h;
    }

    /** Pausing waits for a frame being published: once it returns, no new frame comes until resumed. */
    synchronized void pause(boolean p) {
        paused = p;
    }

    /** The sequence number of the newest frame published. */
    synchronized long lastSequence() {
        return sequence;
    }

    private void run() {
        while (!stopped) {
            try {
                Thread.sleep(16);   // the frame rate, not a wait for anything
            } catch (InterruptedException e) {
                return;
            }
            publishUnlessPaused();
        }
    }

    private synchronized void publishUnlessPaused() {
        if (!paused) publish();
    }

    private synchronized void publish() {
        int w = width, h = height;
        int[] px = new int[w * h];
        int[] row = new int[w];
        for (int x = 0; x < w; x++) row[x] = bar(x, w);
        for (int y = 0; y < h; y++) System.arraycopy(row, 0, px, y * w, w);
        int sx = (int) (sequence * 6 % (w - 64));
        for (int y = BAND_TOP; y < BAND_BOTTOM; y++) {
            for (int x = sx; x < sx + 64; x++) px[y * w + x] = SQUARE;
        }
        out.publish(new Frame(w, h, px, ++sequence, new Frame.Cursor(CURSOR_X, CURSOR_Y, HOT_X, HOT_Y, cursor)));
    }

    /** 64x64: an opaque orange block at (0..15, 0..15), a half-transparent white one right of it. */
    private static int[] cursorImage() {
        int[] img = new int[64 * 64];
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img[y * 64 + x] = CURSOR_OPAQUE;
                img[y * 64 + 16 + x] = CURSOR_HALF;
            }
        }
        return img;
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
