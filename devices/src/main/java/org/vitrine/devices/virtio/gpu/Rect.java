package org.vitrine.devices.virtio.gpu;

import java.nio.ByteBuffer;

/**
 * A struct virtio_gpu_rect (le32 x, y, width, height) read from a command, held in 64 bits so sums
 * cannot wrap.
 */
record Rect(long x, long y, long w, long h) {
    /** The rectangle at byte {@code at} of a little-endian command. */
    static Rect read(ByteBuffer b, int at) {
        return new Rect(u32(b, at), u32(b, at + 4), u32(b, at + 8), u32(b, at + 12));
    }

    /** QEMU's check that the rectangle lies inside a width x height resource. */
    boolean inside(long width, long height) {
        return x <= width && y <= height && w <= width && h <= height && x + w <= width && y + h <= height;
    }

    static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & 0xFFFF_FFFFL;
    }

    @Override
    public String toString() {
        return "(" + x + "," + y + ")+" + w + "x" + h;
    }
}
