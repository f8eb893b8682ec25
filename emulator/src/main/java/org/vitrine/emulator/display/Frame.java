package org.vitrine.emulator.display;

/**
 * One complete picture of the scanout: {@code width * height} pixels, row-major, each an int
 * 0xAABBGGRR in memory order R, G, B, A (what GL_RGBA / GL_UNSIGNED_BYTE uploads fastest and what
 * PNG encoders take after a swap), plus the cursor as the guest last set it.
 *
 * <p>Frames are immutable once published: the producer builds a new array (or reuses one the
 * consumer has given back) instead of writing into a frame someone may be reading.
 */
public record Frame(int width, int height, int[] rgba, long sequence, Cursor cursor) {
    /** The hardware cursor (virtio-gpu cursor queue); {@code image} is 64x64 RGBA or null when hidden. */
    public record Cursor(int x, int y, int hotX, int hotY, int[] image) {
        public static final Cursor HIDDEN = new Cursor(0, 0, 0, 0, null);
    }

    public Frame {
        if (width <= 0 || height <= 0 || rgba.length != width * height) {
            throw new IllegalArgumentException("frame " + width + "x" + height + " with " + rgba.length + " pixels");
        }
    }
}
