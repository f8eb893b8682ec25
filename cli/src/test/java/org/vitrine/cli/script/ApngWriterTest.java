package org.vitrine.cli.script;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Inflater;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** --record-video's animated PNG: chunk order, sequence numbers, CRCs, frame count, delays, and pixels that decode back. */
class ApngWriterTest {
    record Chunk(String type, byte[] data) { }

    static List<Chunk> chunks(byte[] png) throws Exception {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(png));
        in.skipNBytes(8);
        List<Chunk> out = new ArrayList<>();
        while (in.available() > 0) {
            int n = in.readInt();
            byte[] type = in.readNBytes(4), data = in.readNBytes(n);
            CRC32 crc = new CRC32();
            crc.update(type);
            crc.update(data);
            assertEquals((int) crc.getValue(), in.readInt(), "CRC of " + new String(type, StandardCharsets.US_ASCII));
            out.add(new Chunk(new String(type, StandardCharsets.US_ASCII), data));
        }
        return out;
    }

    static int[] solid(int w, int h, int abgr) {
        int[] px = new int[w * h];
        Arrays.fill(px, abgr);
        return px;
    }

    @Test
    void framesStillStretchesAndDecodes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("v.png");
        int w = 5, h = 3;
        int[] a = solid(w, h, 0xFF0000FF), b = solid(w, h, 0xFF00FF00);
        b[7] = 0xFFFF0000;
        try (ApngWriter v = new ApngWriter(f, w, h)) {
            v.frame(a, 100);
            v.frame(a.clone(), 100);   // still: one frame of 200 ms
            v.frame(b, 100);
            assertEquals(2, v.frames());
        }
        byte[] png = Files.readAllBytes(f);
        List<Chunk> c = chunks(png);
        assertEquals(List.of("IHDR", "acTL", "fcTL", "IDAT", "fcTL", "fdAT", "IEND"), c.stream().map(Chunk::type).toList());
        DataInputStream ac = new DataInputStream(new ByteArrayInputStream(c.get(1).data()));
        assertEquals(2, ac.readInt(), "frame count");
        assertEquals(0, ac.readInt(), "plays forever");
        DataInputStream fc0 = new DataInputStream(new ByteArrayInputStream(c.get(2).data()));
        assertEquals(0, fc0.readInt());
        fc0.skipNBytes(16);
        assertEquals(200, fc0.readUnsignedShort(), "the still stretch");
        assertEquals(1000, fc0.readUnsignedShort());
        assertEquals(1, new DataInputStream(new ByteArrayInputStream(c.get(4).data())).readInt());
        assertEquals(2, new DataInputStream(new ByteArrayInputStream(c.get(5).data())).readInt(), "fdAT's sequence number");

        // the default image is the first frame; the second decodes to its pixels
        var img = ImageIO.read(f.toFile());
        assertEquals(0xff0000, img.getRGB(2, 1) & 0xffffff);
        byte[] second = inflate(Arrays.copyOfRange(c.get(5).data(), 4, c.get(5).data().length));
        assertArrayEquals(rgbRows(b, w, h), unfilterSub(second, w, h));
    }

    static byte[] inflate(byte[] z) throws Exception {
        Inflater i = new Inflater();
        i.setInput(z);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!i.finished()) o.write(buf, 0, i.inflate(buf));
        return o.toByteArray();
    }

    static byte[] unfilterSub(byte[] raw, int w, int h) {
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            int row = y * (1 + 3 * w);
            assertEquals(1, raw[row], "Sub filter");
            for (int x = 0; x < 3 * w; x++) {
                int left = x >= 3 ? out[y * 3 * w + x - 3] : 0;
                out[y * 3 * w + x] = (byte) (raw[row + 1 + x] + left);
            }
        }
        return out;
    }

    static byte[] rgbRows(int[] abgr, int w, int h) {
        byte[] out = new byte[w * h * 3];
        for (int i = 0; i < abgr.length; i++) {
            out[3 * i] = (byte) abgr[i];
            out[3 * i + 1] = (byte) (abgr[i] >> 8);
            out[3 * i + 2] = (byte) (abgr[i] >> 16);
        }
        return out;
    }
}
