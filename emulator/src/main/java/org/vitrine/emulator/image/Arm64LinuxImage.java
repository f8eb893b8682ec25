package org.vitrine.emulator.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPInputStream;

/**
 * An arm64 Linux {@code Image}: the 64-byte header the boot protocol defines
 * (Documentation/arch/arm64/booting.rst) and the bytes to place in RAM.
 *
 * <pre>
 *   0x00 code0, code1    0x08 text_offset (u64 LE)   0x10 image_size (u64 LE)
 *   0x18 flags (u64 LE: bit 0 big-endian kernel, bits 1-2 page size, bit 3 placement)
 *   0x38 magic "ARM\x64"
 * </pre>
 *
 * <p>A gzip-compressed Image ({@code Image.gz}) is accepted and inflated first, as QEMU does. Where
 * the image goes follows QEMU's loader (hw/arm/boot.c): at a 2 MiB-aligned base plus text_offset,
 * where an image_size of 0 (kernels before 3.17) means text_offset is unknown and 0x80000 is used;
 * an offset inside the first 4 KiB is moved up by 2 MiB because QEMU keeps them for its boot stub.
 */
public record Arm64LinuxImage(byte[] bytes, long textOffset, long imageSize, long flags) {
    public static final int HEADER_SIZE = 64;
    public static final int MAGIC = 0x644d5241; // "ARM\x64" little-endian
    private static final int MAGIC_OFFSET = 0x38;
    /** Offset QEMU uses when the header gives none (image_size 0). */
    public static final long LEGACY_TEXT_OFFSET = 0x8_0000L;
    public static final long ALIGN = 2L << 20;
    /** Bytes at the start of RAM QEMU reserves for its boot stub (BOOTLOADER_MAX_SIZE). */
    public static final long BOOT_STUB_SIZE = 0x1000;
    /** Inflated images larger than this are refused before they exhaust the host heap. */
    public static final int MAX_INFLATED = 1 << 30;

    /** A file that is not a usable Image: the message says why. */
    public static final class FormatException extends Exception {
        public FormatException(String message) {
            super(message);
        }
    }

    /** True when {@code file} starts like an Image (plain or gzip) rather than something else, e.g. ELF. */
    public static boolean looksLikeImage(byte[] file) {
        return isGzip(file) || (file.length >= HEADER_SIZE && le32(file, MAGIC_OFFSET) == MAGIC);
    }

    /** Parses an Image (inflating it first when gzip-compressed) and checks its header. */
    public static Arm64LinuxImage parse(byte[] file) throws FormatException {
        byte[] b = isGzip(file) ? inflate(file) : file;
        if (b.length < HEADER_SIZE) {
            throw new FormatException("arm64 Image too short: " + b.length + " bytes, the header alone is " + HEADER_SIZE);
        }
        int magic = le32(b, MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new FormatException(String.format("not an arm64 Image: magic at 0x38 is 0x%08x, expected 0x%08x (\"ARM\\x64\")", magic, MAGIC));
        }
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long textOffset = h.getLong(0x08), imageSize = h.getLong(0x10), flags = h.getLong(0x18);
        if ((flags & 1) != 0) throw new FormatException("arm64 Image is a big-endian kernel (flags bit 0); the board is little-endian");
        if (imageSize != 0 && (textOffset < 0 || textOffset >= ALIGN * 512 || (textOffset & 0xfff) != 0)) {
            throw new FormatException(String.format("arm64 Image text_offset 0x%x is not a 4 KiB-aligned offset below 1 GiB", textOffset));
        }
        if (imageSize < 0 || imageSize > (1L << 40)) throw new FormatException(String.format("arm64 Image image_size 0x%x is absurd", imageSize));
        return new Arm64LinuxImage(b, textOffset, imageSize, flags);
    }

    /** Offset from the start of RAM at which QEMU places the image (see the class comment). */
    public long loadOffset() {
        if (imageSize == 0) return LEGACY_TEXT_OFFSET;
        return textOffset < BOOT_STUB_SIZE ? textOffset + ALIGN : textOffset;
    }

    /** Bytes of RAM the kernel claims from its load address: image_size, or the file when unknown. */
    public long footprint() {
        return Math.max(imageSize, bytes.length);
    }

    private static boolean isGzip(byte[] b) {
        return b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
    }

    private static byte[] inflate(byte[] gz) throws FormatException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            byte[] out = in.readNBytes(MAX_INFLATED);
            if (in.read() != -1) throw new FormatException("gzip-compressed Image inflates to more than " + (MAX_INFLATED >> 20) + " MiB");
            return out;
        } catch (IOException e) {
            throw new FormatException("gzip-compressed Image is corrupt: " + e.getMessage());
        }
    }

    private static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }
}
