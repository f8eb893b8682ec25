package org.vitrine.devices.virtio.gpu;

/**
 * The formats of a 2D resource (enum virtio_gpu_formats): the eight 32-bit ones QEMU's 2D device
 * accepts. A name gives the byte order in memory (B8G8R8A8: blue first); an X byte is ignored and
 * read as opaque.
 */
public enum PixelFormat {
    B8G8R8A8_UNORM(1, 2, 1, 0, 3),
    B8G8R8X8_UNORM(2, 2, 1, 0, -1),
    A8R8G8B8_UNORM(3, 1, 2, 3, 0),
    X8R8G8B8_UNORM(4, 1, 2, 3, -1),
    R8G8B8A8_UNORM(67, 0, 1, 2, 3),
    X8B8G8R8_UNORM(68, 3, 2, 1, -1),
    A8B8G8R8_UNORM(121, 3, 2, 1, 0),
    R8G8B8X8_UNORM(134, 0, 1, 2, -1);

    /** Every format is 4 bytes a pixel (QEMU's calc_image_hostmem). */
    public static final int BYTES_PER_PIXEL = 4;

    private final int id;
    // Byte offsets of each channel within a pixel; alpha -1 when the format has none.
    private final int red;
    private final int green;
    private final int blue;
    private final int alpha;

    PixelFormat(int id, int red, int green, int blue, int alpha) {
        this.id = id;
        this.red = red;
        this.green = green;
        this.blue = blue;
        this.alpha = alpha;
    }

    /** The format's number in the protocol. */
    public int id() {
        return id;
    }

    /** The format numbered {@code id}, or null when the device does not accept it. */
    public static PixelFormat byId(int id) {
        for (PixelFormat f : values()) {
            if (f.id == id) return f;
        }
        return null;
    }

    /** The pixel at {@code p[at..at+3]} as 0xAABBGGRR, the {@code Frame} layout (alpha 0xFF for X formats). */
    public int rgba(byte[] p, int at) {
        int a = alpha < 0 ? 0xFF : p[at + alpha] & 0xFF;
        return (p[at + red] & 0xFF) | (p[at + green] & 0xFF) << 8 | (p[at + blue] & 0xFF) << 16 | a << 24;
    }
}
