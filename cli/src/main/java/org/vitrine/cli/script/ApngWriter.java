package org.vitrine.cli.script;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * An animated PNG (APNG, viewable in any current browser) written frame by frame as a run goes,
 * so a long recording never sits in memory: {@code --record-video}. Every frame is a whole RGB
 * picture of the first frame's size; a frame equal to the one before only lengthens that one's
 * display time, so a still screen costs nothing. The frame count in the acTL chunk is written at
 * {@link #close()}.
 *
 * <p>Chunks: signature, IHDR, acTL, then per frame fcTL and its data (IDAT for the first, which is
 * also the still image non-animating viewers show, fdAT after), IEND.
 */
public final class ApngWriter implements Closeable {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int MAX_DELAY_MS = 65_535;   // fcTL's delay numerator is 16 bits

    private final Path file;
    private final DataOutputStream out;
    private final int width, height;
    private final long acTlOffset;
    private long written;
    private int sequence, frames;
    private int[] pendingPixels;
    private byte[] pendingData;
    private long pendingMs;

    public ApngWriter(Path file, int width, int height) throws IOException {
        this.file = file;
        this.width = width;
        this.height = height;
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
        out.write(SIGNATURE);
        written = SIGNATURE.length;
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(width);
        h.writeInt(height);
        h.write(new byte[] {8, 2, 0, 0, 0});   // 8 bits, RGB, deflate, no filter method, no interlace
        chunk("IHDR", ihdr.toByteArray());
        acTlOffset = written;
        chunk("acTL", new byte[8]);            // frame count and plays (0: forever), patched at close
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** A frame (0xAABBGGRR pixels of the writer's size) shown for {@code ms} milliseconds. */
    public void frame(int[] abgr, long ms) throws IOException {
        if (abgr.length != width * height) throw new IllegalArgumentException("a frame of " + abgr.length + " pixels, not " + width * height);
        if (pendingPixels != null && Arrays.equals(pendingPixels, abgr) && pendingMs + ms <= MAX_DELAY_MS) {
            pendingMs += ms;
            return;
        }
        flush();
        pendingPixels = abgr.clone();
        pendingData = compress(abgr);
        pendingMs = ms;
    }

    private void flush() throws IOException {
        if (pendingData == null) return;
        ByteArrayOutputStream fc = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(fc);
        d.writeInt(sequence++);
        d.writeInt(width);
        d.writeInt(height);
        d.writeInt(0);
        d.writeInt(0);
        d.writeShort((int) Math.max(1, pendingMs));
        d.writeShort(1000);
        d.writeByte(0);   // dispose: none
        d.writeByte(0);   // blend: source
        chunk("fcTL", fc.toByteArray());
        if (frames == 0) {
            chunk("IDAT", pendingData);
        } else {
            byte[] fd = new byte[4 + pendingData.length];
            fd[0] = (byte) (sequence >>> 24);
            fd[1] = (byte) (sequence >>> 16);
            fd[2] = (byte) (sequence >>> 8);
            fd[3] = (byte) sequence;
            sequence++;
            System.arraycopy(pendingData, 0, fd, 4, pendingData.length);
            chunk("fdAT", fd);
        }
        frames++;
        pendingData = null;
    }

    /** Rows with the Sub filter (screens are mostly flat, so differences compress well). */
    private byte[] compress(int[] abgr) {
        byte[] raw = new byte[height * (1 + 3 * width)];
        int i = 0;
        for (int y = 0; y < height; y++) {
            raw[i++] = 1;
            int pr = 0, pg = 0, pb = 0;
            for (int x = 0; x < width; x++) {
                int p = abgr[y * width + x], r = p & 0xFF, g = p >> 8 & 0xFF, b = p >> 16 & 0xFF;
                raw[i++] = (byte) (r - pr);
                raw[i++] = (byte) (g - pg);
                raw[i++] = (byte) (b - pb);
                pr = r;
                pg = g;
                pb = b;
            }
        }
        Deflater z = new Deflater(Deflater.BEST_SPEED);
        z.setInput(raw);
        z.finish();
        ByteArrayOutputStream o = new ByteArrayOutputStream(raw.length / 8);
        byte[] buf = new byte[1 << 16];
        while (!z.finished()) o.write(buf, 0, z.deflate(buf));
        z.end();
        return o.toByteArray();
    }

    private void chunk(String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt(data.length);
        out.write(t);
        out.write(data);
        out.writeInt((int) crc.getValue());
        written += 12 + data.length;
    }

    /** The frames written so far (a still stretch counts once). */
    public int frames() {
        return frames + (pendingData != null ? 1 : 0);
    }

    @Override
    public void close() throws IOException {
        flush();
        chunk("IEND", new byte[0]);
        out.close();
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] ac = new byte[8];
            ac[0] = (byte) (frames >>> 24);
            ac[1] = (byte) (frames >>> 16);
            ac[2] = (byte) (frames >>> 8);
            ac[3] = (byte) frames;
            f.seek(acTlOffset + 8);
            f.write(ac);
            CRC32 crc = new CRC32();
            crc.update("acTL".getBytes(StandardCharsets.US_ASCII));
            crc.update(ac);
            f.writeInt((int) crc.getValue());
        }
    }
}
