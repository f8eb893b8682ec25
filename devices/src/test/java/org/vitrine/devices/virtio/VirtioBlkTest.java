package org.vitrine.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vitrine.devices.virtio.VirtioTestDriver.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.devices.virtio.VirtioTestDriver.Queue;

class VirtioBlkTest {
    static final int SECTORS = 128;

    @TempDir
    Path dir;
    Path image;
    VirtioBlk blk;
    VirtioTestDriver d;
    Queue q;

    @AfterEach
    void tearDown() throws IOException {
        if (d != null) d.close();
        if (blk != null) blk.close();
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte) (i * 7 + seed + (i >> 9));
        return b;
    }

    void open(boolean readOnly, String serial) throws IOException {
        image = dir.resolve("disk.img");
        Files.write(image, pattern(SECTORS * 512, 3));
        blk = new VirtioBlk(image, readOnly, serial);
        d = new VirtioTestDriver(blk);
        d.init(INDIRECT_DESC);
        q = d.queue(0, 16);
        d.driverOk();
    }

    long header(int type, long sector) {
        return d.put(le(16).putInt(type).putInt(0).putLong(sector).array());
    }

    /** Posts header + data + status as three buffers; returns the status byte address. */
    long request(int type, long sector, Buf data) {
        long status = d.alloc(1);
        d.write(status, new byte[] {(byte) 0x7F});
        if (data == null) {
            q.post(out(header(type, sector), 16), in(status, 1));
        } else {
            q.post(out(header(type, sector), 16), data, in(status, 1));
        }
        q.kick();
        return status;
    }

    int statusAt(long status) {
        return d.read(status, 1)[0] & 0xFF;
    }

    @Test
    void configAndFeatures() throws IOException {
        open(false, null);
        long f = d.deviceFeatures();
        assertTrue((f & (1L << VirtioBlk.F_SEG_MAX)) != 0);
        assertTrue((f & (1L << VirtioBlk.F_BLK_SIZE)) != 0);
        assertTrue((f & (1L << VirtioBlk.F_FLUSH)) != 0);
        assertEquals(0, f & (1L << VirtioBlk.F_RO));
        assertEquals(2, d.reg(DEVICE_ID));
        assertEquals(SECTORS, d.configWord(0));
        assertEquals(0, d.configWord(4));
        assertEquals(254, d.configWord(12), "seg_max");
        assertEquals(512, d.configWord(20), "blk_size");
        assertEquals(1, d.configByte(32), "writeback");
        assertEquals(1, d.mmio.read(CONFIG + 34, 2), "num_queues");
        assertEquals(0xFFFF_FFFFL, d.mmio.read(CONFIG + 36, 4), "past the config space");
    }

    @Test
    void readSectors() throws IOException {
        open(false, null);
        long buf = d.alloc(1024);
        long st = request(VirtioBlk.T_IN, 2, in(buf, 1024));
        assertEquals(new Used(0, 1025), q.takeOne(), "used length = whole writable part");
        assertEquals(VirtioBlk.S_OK, statusAt(st));
        byte[] want = java.util.Arrays.copyOfRange(pattern(SECTORS * 512, 3), 1024, 2048);
        assertArrayEquals(want, d.read(buf, 1024));
        assertEquals(1, d.reg(INTERRUPT_STATUS));
    }

    @Test
    void readIntoScatteredBuffersWithStatusInLastOne() throws IOException {
        open(false, null);
        long a = d.alloc(300);
        long b = d.alloc(212 + 1); // data tail + status in one buffer
        q.post(out(header(VirtioBlk.T_IN, 0), 16), in(a, 300), in(b, 213));
        q.kick();
        assertEquals(513, q.takeOne().len());
        byte[] want = pattern(512, 3);
        assertArrayEquals(java.util.Arrays.copyOfRange(want, 0, 300), d.read(a, 300));
        assertArrayEquals(java.util.Arrays.copyOfRange(want, 300, 512), d.read(b, 212));
        assertEquals(VirtioBlk.S_OK, d.read(b + 212, 1)[0]);
    }

    @Test
    void writeThenReadBack() throws IOException {
        open(false, null);
        byte[] data = pattern(1024, 99);
        long st = request(VirtioBlk.T_OUT, 5, out(d.put(data), 1024));
        assertEquals(1, q.takeOne().len(), "only the status byte is writable");
        assertEquals(VirtioBlk.S_OK, statusAt(st));
        long buf = d.alloc(1024);
        request(VirtioBlk.T_IN, 5, in(buf, 1024));
        q.takeOne();
        assertArrayEquals(data, d.read(buf, 1024));
    }

    @Test
    void writeWithHeaderAndDataInOneBufferThroughIndirectTable() throws IOException {
        open(false, null);
        byte[] data = pattern(512, 42);
        byte[] req = le(16 + 512).putInt(VirtioBlk.T_OUT).putInt(0).putLong(9).put(data).array();
        long status = d.alloc(1);
        q.postIndirect(out(d.put(req), req.length), in(status, 1));
        q.kick();
        q.takeOne();
        assertEquals(VirtioBlk.S_OK, statusAt(status));
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            ByteBuffer got = ByteBuffer.allocate(512);
            ch.read(got, 9 * 512L);
            assertArrayEquals(data, got.array());
        }
    }

    @Test
    void flushMakesWritesDurable() throws IOException {
        open(false, null);
        byte[] data = "durable bytes through virtio-blk FLUSH".getBytes(StandardCharsets.US_ASCII);
        byte[] sector = java.util.Arrays.copyOf(data, 512);
        long st = request(VirtioBlk.T_OUT, 77, out(d.put(sector), 512));
        q.takeOne();
        assertEquals(VirtioBlk.S_OK, statusAt(st));
        long fst = request(VirtioBlk.T_FLUSH, 0, null);
        assertEquals(1, q.takeOne().len());
        assertEquals(VirtioBlk.S_OK, statusAt(fst));
        // A fresh channel, as another process would see the file.
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            ByteBuffer got = ByteBuffer.allocate(512);
            ch.read(got, 77 * 512L);
            assertArrayEquals(sector, got.array());
        }
    }

    @Test
    void getIdShortSerialIsNulTerminated() throws IOException {
        open(false, "vitrine-d0");
        long id = d.alloc(20);
        d.write(id, pattern(20, 1));
        long st = request(VirtioBlk.T_GET_ID, 0, in(id, 20));
        assertEquals(21, q.takeOne().len());
        assertEquals(VirtioBlk.S_OK, statusAt(st));
        byte[] got = d.read(id, 20);
        assertEquals("vitrine-d0", new String(got, 0, 10, StandardCharsets.US_ASCII));
        assertEquals(0, got[10]);
    }

    @Test
    void getIdLongSerialFillsTwentyBytesWithoutNul() throws IOException {
        open(false, "0123456789ABCDEFGHIJKLMNOP");
        long id = d.alloc(20);
        long st = request(VirtioBlk.T_GET_ID, 0, in(id, 20));
        q.takeOne();
        assertEquals(VirtioBlk.S_OK, statusAt(st));
        assertEquals("0123456789ABCDEFGHIJ", new String(d.read(id, 20), StandardCharsets.US_ASCII));
    }

    @Test
    void requestsBeyondCapacityAreIoErrors() throws IOException {
        open(false, null);
        long before = d.log.count();
        long buf = d.alloc(1024);
        assertEquals(VirtioBlk.S_IOERR, statusAt(request(VirtioBlk.T_IN, SECTORS, in(buf, 512))));
        assertEquals(VirtioBlk.S_IOERR, statusAt(request(VirtioBlk.T_IN, SECTORS - 1, in(buf, 1024))));
        assertEquals(VirtioBlk.S_IOERR, statusAt(request(VirtioBlk.T_OUT, SECTORS - 1, out(buf, 1024))));
        assertEquals(VirtioBlk.S_IOERR, statusAt(request(VirtioBlk.T_IN, -1L, in(buf, 512))));
        assertEquals(VirtioBlk.S_IOERR, statusAt(request(VirtioBlk.T_IN, 0, in(buf, 100))), "not whole sectors");
        assertEquals(VirtioBlk.S_OK, statusAt(request(VirtioBlk.T_IN, SECTORS - 1, in(buf, 512))), "last sector");
        assertEquals(6, q.takeUsed().size());
        assertTrue(d.log.count() > before);
        assertEquals(0, d.status() & NEEDS_RESET, "an error status, not a broken device");
    }

    @Test
    void readOnlyDisk() throws IOException {
        open(true, null);
        assertTrue((d.deviceFeatures() & (1L << VirtioBlk.F_RO)) != 0);
        byte[] before = Files.readAllBytes(image);
        long st = request(VirtioBlk.T_OUT, 1, out(d.put(pattern(512, 5)), 512));
        q.takeOne();
        assertEquals(VirtioBlk.S_IOERR, statusAt(st));
        assertArrayEquals(before, Files.readAllBytes(image));
        long buf = d.alloc(512);
        assertEquals(VirtioBlk.S_OK, statusAt(request(VirtioBlk.T_IN, 1, in(buf, 512))));
        assertEquals(VirtioBlk.S_OK, statusAt(request(VirtioBlk.T_FLUSH, 0, null)));
    }

    @Test
    void unsupportedTypes() throws IOException {
        open(false, null);
        long buf = d.alloc(512);
        assertEquals(VirtioBlk.S_UNSUPP, statusAt(request(VirtioBlk.T_DISCARD, 0, out(buf, 16))));
        assertEquals(VirtioBlk.S_UNSUPP, statusAt(request(VirtioBlk.T_WRITE_ZEROES, 0, out(buf, 16))));
        assertEquals(VirtioBlk.S_UNSUPP, statusAt(request(99, 0, null)));
        assertEquals(VirtioBlk.S_UNSUPP, statusAt(request(VirtioBlk.T_GET_LIFETIME, 0, in(buf, 16))));
        assertEquals(4, q.takeUsed().size());
    }

    @Test
    void partialLastSectorReadsAsZeros() throws IOException {
        image = dir.resolve("odd.img");
        Files.write(image, pattern(1000, 1));
        blk = new VirtioBlk(image, false, null);
        assertEquals(2, blk.capacity(), "1000 bytes round up to 2 sectors");
        d = new VirtioTestDriver(blk);
        d.init(0);
        q = d.queue(0, 8);
        d.driverOk();
        long buf = d.alloc(512);
        d.write(buf, pattern(512, 77));
        assertEquals(VirtioBlk.S_OK, statusAt(request(VirtioBlk.T_IN, 1, in(buf, 512))));
        byte[] want = new byte[512];
        System.arraycopy(pattern(1000, 1), 512, want, 0, 488);
        assertArrayEquals(want, d.read(buf, 512));
    }

    @Test
    void missingStatusBufferBreaksTheDevice() throws IOException {
        open(false, null);
        long before = d.log.count();
        q.post(out(header(VirtioBlk.T_IN, 0), 16));
        q.kick();
        assertTrue((d.status() & NEEDS_RESET) != 0);
        assertTrue((d.reg(INTERRUPT_STATUS) & 2) != 0);
        assertTrue(d.log.count() > before);
        assertTrue(q.takeUsed().isEmpty());
    }

    @Test
    void shortHeaderBreaksTheDevice() throws IOException {
        open(false, null);
        q.post(out(d.alloc(8), 8), in(d.alloc(1), 1));
        q.kick();
        assertTrue((d.status() & NEEDS_RESET) != 0);
    }

    @Test
    void barrierBitIsIgnored() throws IOException {
        open(false, null);
        long buf = d.alloc(512);
        assertEquals(VirtioBlk.S_OK, statusAt(request(0x8000_0000 | VirtioBlk.T_IN, 3, in(buf, 512))));
    }
}
