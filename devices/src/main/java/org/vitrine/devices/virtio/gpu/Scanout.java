package org.vitrine.devices.virtio.gpu;

import java.util.Arrays;

import org.vitrine.devices.virtio.gpu.GpuResources.Resource;
import org.vitrine.emulator.display.Frame;
import org.vitrine.emulator.display.FrameExchange;

/**
 * Scanout 0 and the hardware cursor: what the guest shows, turned into {@link Frame}s published to
 * the {@link FrameExchange}. The exchange's latest frame is the one source of the current picture
 * (the window shows it, screenshots read it); this class keeps only the working copy it converts
 * into (the scanout rectangle, opaque RGBA) and the cursor state.
 */
final class Scanout {
    private final FrameExchange frames;
    private int displayWidth;
    private int displayHeight;

    /** Resource shown, 0 when the scanout is disabled. */
    private int resourceId;
    private long x;
    private long y;
    private int width;
    private int height;
    /**
     * The scanout rectangle converted to opaque RGBA; published as copies, never shared. Null
     * after a restore while it equals {@link #publishedPicture}: the copy is made when it is first
     * needed ({@link #picture()}), not by the restore.
     */
    private int[] picture;
    /**
     * The copy of {@link #picture} last published (frames that only move the cursor share it):
     * while the latest frame's pixels are this array they equal the picture, which only changes
     * just before it is published again, so a snapshot stores them once.
     */
    private int[] publishedPicture;

    private int[] cursorImage;
    private int cursorX;
    private int cursorY;
    private int cursorHotX;
    private int cursorHotY;
    private boolean cursorVisible;
    private long sequence;

    Scanout(FrameExchange frames, int displayWidth, int displayHeight) {
        this.frames = frames;
        resize(displayWidth, displayHeight);
    }

    /** The display size GET_DISPLAY_INFO reports (and a disabled scanout shows in black). */
    void resize(int w, int h) {
        if (w <= 0 || h <= 0) throw new IllegalArgumentException("display " + w + "x" + h);
        displayWidth = w;
        displayHeight = h;
    }

    int displayWidth() {
        return displayWidth;
    }

    int displayHeight() {
        return displayHeight;
    }

    /** The resource shown, 0 when disabled. */
    int resourceId() {
        return resourceId;
    }

    /** The newest frame published, or null before anything was shown (any thread). */
    Frame current() {
        return frames.latest();
    }

    /** SET_SCANOUT of a checked rectangle of a resource: converts and shows it. */
    void show(Resource r, Rect q) {
        resourceId = r.id;
        x = q.x();
        y = q.y();
        width = (int) q.w();
        height = (int) q.h();
        picture = new int[width * height];
        convert(r, x, y, q.w(), q.h());
        publish();
    }

    /** RESOURCE_FLUSH of a checked rectangle: shows what of it lies on the scanout, if the resource is shown. */
    void flush(Resource r, Rect q) {
        if (resourceId != r.id) return;
        long x0 = Math.max(q.x(), x);
        long y0 = Math.max(q.y(), y);
        long x1 = Math.min(q.x() + q.w(), x + width);
        long y1 = Math.min(q.y() + q.h(), y + height);
        if (x1 > x0 && y1 > y0) convert(r, x0, y0, x1 - x0, y1 - y0);
        publish();
    }

    /** SET_SCANOUT of resource 0, or the resource shown went away: a black display. */
    void disable() {
        if (resourceId == 0) return;
        resourceId = 0;
        picture = null;
        publishBlank();
    }

    /** Device reset: scanout disabled (black if something was shown), cursor forgotten. */
    void reset() {
        disable();
        cursorImage = null;
        cursorX = cursorY = cursorHotX = cursorHotY = 0;
        cursorVisible = false;
    }

    /**
     * UPDATE_CURSOR's shape: the hot spot, and the image of a 64x64 resource, or null to keep the
     * previous image (QEMU keeps it when the resource is bad).
     */
    void shapeCursor(int hotX, int hotY, Resource image) {
        cursorHotX = hotX;
        cursorHotY = hotY;
        if (image != null) {
            int[] img = new int[(int) (image.width * image.height)];
            for (int i = 0; i < img.length; i++) img[i] = image.format.rgba(image.pixels, i * PixelFormat.BYTES_PER_PIXEL);
            cursorImage = img;
        } else if (cursorImage == null) {
            cursorImage = new int[VirtioGpu.CURSOR_SIZE * VirtioGpu.CURSOR_SIZE];
        }
    }

    /** UPDATE_CURSOR / MOVE_CURSOR: the position, and whether the last command named a resource. */
    void moveCursor(int cx, int cy, boolean visible) {
        cursorX = cx;
        cursorY = cy;
        cursorVisible = visible;
        Frame f = frames.latest();
        if (f != null && resourceId != 0) {
            // Frames are immutable: the new one shares the pixels and carries the new cursor.
            frames.publish(new Frame(f.width(), f.height(), f.rgba(), ++sequence, cursorState()));
        }
    }

    private Frame.Cursor cursorState() {
        return new Frame.Cursor(cursorX, cursorY, cursorHotX, cursorHotY, cursorVisible ? cursorImage : null);
    }

    // ---- Snapshot (part of the GPU's section) ---------------------------------------------

    /** The working picture, made from the frame last published when a restore left it to be made. */
    private int[] picture() {
        if (picture == null && resourceId != 0) picture = publishedPicture.clone();
        return picture;
    }

    /** The picture's pixels as they stand, without making a working copy. */
    private int[] currentPicture() {
        return picture != null || resourceId == 0 ? picture : publishedPicture;
    }

    /** Whether the latest frame's pixels are the picture's (see {@link #publishedPicture}). */
    private boolean frameShowsPicture(Frame f) {
        return f != null && resourceId != 0 && f.rgba() == publishedPicture;
    }

    /** An upper bound of what {@link #save} writes (its writer reserves it at once: see VirtioGpu.save). */
    long snapshotBytes() {
        Frame f = frames.latest();
        long n = 256 + 4L * (currentPicture() == null ? 0 : currentPicture().length) + 4L * (cursorImage == null ? 0 : cursorImage.length);
        if (f != null) n += 4L * (f.cursor().image() == null ? 0 : f.cursor().image().length) + (frameShowsPicture(f) ? 0 : 4L * f.rgba().length);
        return n;
    }

    /**
     * Layout (version 2): i32 display width, height; i32 resource, i64 x, y, i32 width, height;
     * ints picture; ints cursor image, i32 x, y, hot x, hot y, bool visible; i64 sequence; then the
     * frame last published (bool present; i32 width, height; bool "its pixels are the picture's",
     * else ints pixels; i64 sequence, cursor), which the restore publishes again so the window and
     * screenshots show exactly what they showed. Version 1 always wrote the frame's pixels.
     */
    void save(org.vitrine.emulator.snapshot.StateWriter out) {
        out.i32(displayWidth).i32(displayHeight).i32(resourceId).i64(x).i64(y).i32(width).i32(height).ints(currentPicture())
                .ints(cursorImage).i32(cursorX).i32(cursorY).i32(cursorHotX).i32(cursorHotY).bool(cursorVisible).i64(sequence);
        Frame f = frames.latest();
        out.bool(f != null);
        if (f == null) return;
        Frame.Cursor c = f.cursor();
        boolean same = frameShowsPicture(f);
        out.i32(f.width()).i32(f.height()).bool(same);
        if (!same) out.ints(f.rgba());
        out.i64(f.sequence()).i32(c.x()).i32(c.y()).i32(c.hotX()).i32(c.hotY()).ints(c.image());
    }

    Runnable load(org.vitrine.emulator.snapshot.StateReader in, int version) throws org.vitrine.emulator.snapshot.SnapshotException {
        int dw = in.i32("the display width", 1, 8192), dh = in.i32("the display height", 1, 8192);
        int res = in.i32();
        long sx = in.i64(), sy = in.i64();
        int w = in.i32("the scanout width", 0, 1 << 16), h = in.i32("the scanout height", 0, 1 << 16);
        int[] pic = in.ints();
        if (res != 0 && (pic == null || pic.length != w * h)) throw in.bad("the scanout picture is not " + w + "x" + h);
        int[] cursor = in.ints();
        if (cursor != null && cursor.length != VirtioGpu.CURSOR_SIZE * VirtioGpu.CURSOR_SIZE) throw in.bad("the cursor image is not 64x64");
        int cx = in.i32(), cy = in.i32(), hx = in.i32(), hy = in.i32();
        boolean visible = in.bool();
        long seq = in.i64();
        Frame frame = null;
        boolean framePicture = false;
        if (in.bool()) {
            int fw = in.i32("a frame's width", 1, 1 << 16), fh = in.i32("a frame's height", 1, 1 << 16);
            framePicture = version >= 2 && in.bool();
            if (framePicture && (res == 0 || fw != w || fh != h)) throw in.bad("the frame shows the picture, but the scanout shows none of its size");
            int[] rgba = framePicture ? pic : in.ints("the frame's pixels", fw * fh);
            long fseq = in.i64();
            Frame.Cursor c = new Frame.Cursor(in.i32(), in.i32(), in.i32(), in.i32(), in.ints());
            frame = new Frame(fw, fh, rgba, fseq, c);
        }
        Frame shown = frame;
        int[] published = framePicture ? frame.rgba() : null;
        int[] working = framePicture ? null : pic;  // shown by the frame: the working copy is made when needed
        return () -> {
            publishedPicture = published;
            displayWidth = dw;
            displayHeight = dh;
            resourceId = res;
            x = sx;
            y = sy;
            width = w;
            height = h;
            picture = working;
            cursorImage = cursor;
            cursorX = cx;
            cursorY = cy;
            cursorHotX = hx;
            cursorHotY = hy;
            cursorVisible = visible;
            sequence = seq;
            if (shown != null) frames.publish(shown);
        };
    }

    /** Converts a rectangle (resource coordinates, inside the scanout) into the picture. */
    private void convert(Resource r, long rx, long ry, long w, long h) {
        PixelFormat format = r.format;
        byte[] pixels = r.pixels;
        int[] picture = picture();
        for (long row = ry; row < ry + h; row++) {
            int src = (int) ((row * r.width + rx) * PixelFormat.BYTES_PER_PIXEL);
            int dst = (int) ((row - y) * width + (rx - x));
            for (long col = 0; col < w; col++, src += PixelFormat.BYTES_PER_PIXEL, dst++) {
                picture[dst] = format.rgba(pixels, src) | 0xFF00_0000; // the screen is opaque
            }
        }
    }

    private void publish() {
        publishedPicture = picture().clone();
        frames.publish(new Frame(width, height, publishedPicture, ++sequence, cursorState()));
    }

    private void publishBlank() {
        int[] black = new int[displayWidth * displayHeight];
        Arrays.fill(black, 0xFF00_0000);
        frames.publish(new Frame(displayWidth, displayHeight, black, ++sequence, Frame.Cursor.HIDDEN));
    }
}
