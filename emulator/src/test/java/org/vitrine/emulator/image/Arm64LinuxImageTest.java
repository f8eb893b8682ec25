package org.vitrine.emulator.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The arm64 Image header parser: fields, placement as QEMU computes it, and refusal of bad files. */
class Arm64LinuxImageTest {
    static byte[] image(int length, long textOffset, long imageSize, long flags, int magic) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x91005a4d).putLong(8, textOffset).putLong(0x10, imageSize).putLong(0x18, flags).putInt(0x38, magic);
        return b.array();
    }

    @Test
    void readsTheHeaderFields() throws Exception {
        Arm64LinuxImage img = Arm64LinuxImage.parse(image(4096, 0, 0x1f00000, 0xa, Arm64LinuxImage.MAGIC));
        assertEquals(0, img.textOffset());
        assertEquals(0x1f00000, img.imageSize());
        assertEquals(0xa, img.flags());
        assertEquals(0x1f00000, img.footprint());
        assertTrue(Arm64LinuxImage.looksLikeImage(img.bytes()));
    }

    @Test
    void placementFollowsQemu() throws Exception {
        // text_offset 0 (every kernel since 5.8): QEMU moves it off its boot stub, to base + 2 MiB.
        assertEquals(0x20_0000L, Arm64LinuxImage.parse(image(64, 0, 0x10000, 0, Arm64LinuxImage.MAGIC)).loadOffset());
        // The historical 0x80000 is kept.
        assertEquals(0x8_0000L, Arm64LinuxImage.parse(image(64, 0x80000, 0x10000, 0, Arm64LinuxImage.MAGIC)).loadOffset());
        // image_size 0: a pre-3.17 kernel whose text_offset means nothing; 0x80000 is assumed.
        assertEquals(0x8_0000L, Arm64LinuxImage.parse(image(64, 0x1234, 0, 0, Arm64LinuxImage.MAGIC)).loadOffset());
    }

    @Test
    void inflatesAGzipImage() throws Exception {
        byte[] plain = image(8192, 0, 0x4000, 0, Arm64LinuxImage.MAGIC);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(plain);
        }
        assertTrue(Arm64LinuxImage.looksLikeImage(bos.toByteArray()));
        Arm64LinuxImage img = Arm64LinuxImage.parse(bos.toByteArray());
        assertArrayEquals(plain, img.bytes());
    }

    @Test
    void refusesBadFiles() throws IOException {
        assertThrows(Arm64LinuxImage.FormatException.class, () -> Arm64LinuxImage.parse(new byte[10]), "short");
        var wrongMagic = assertThrows(Arm64LinuxImage.FormatException.class,
                () -> Arm64LinuxImage.parse(image(64, 0, 0x1000, 0, 0x12345678)));
        assertTrue(wrongMagic.getMessage().contains("magic"), wrongMagic.getMessage());
        var bigEndian = assertThrows(Arm64LinuxImage.FormatException.class,
                () -> Arm64LinuxImage.parse(image(64, 0, 0x1000, 1, Arm64LinuxImage.MAGIC)));
        assertTrue(bigEndian.getMessage().contains("big-endian"));
        assertThrows(Arm64LinuxImage.FormatException.class, () -> Arm64LinuxImage.parse(image(64, 0x123, 0x1000, 0, Arm64LinuxImage.MAGIC)));
        assertThrows(Arm64LinuxImage.FormatException.class, () -> Arm64LinuxImage.parse(new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2}));
        assertFalse(Arm64LinuxImage.looksLikeImage(new byte[] {0x7f, 'E', 'L', 'F'}));
    }
}
