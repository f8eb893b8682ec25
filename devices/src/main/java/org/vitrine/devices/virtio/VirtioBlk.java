package org.vitrine.devices.virtio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;


/**
 * VirtIO block device (VirtIO 1.2 section 5.2, device ID {@value #DEVICE_ID}) backed by a raw
 * image file, as QEMU's {@code -drive if=none,id=d0,file=disk.img,format=raw -device
 * virtio-blk-device,drive=d0} presents it (hw/block/virtio-blk.c, QEMU 7.2 defaults).
 *
 * <h2>Interface</h2>
 * <ul>
 *   <li>Behind a {@link VirtioMmio} transport; one request queue (queue 0).</li>
 *   <li>The image is a file opened with {@link FileChannel} (read-write, or read-only when asked);
 *       {@link #close()} closes it.</li>
 * </ul>
 *
 * <h2>Modelled</h2>
 * <ul>
 *   <li>Features: VIRTIO_BLK_F_SEG_MAX (seg_max = 254, QEMU's queue-size 256 minus 2),
 *       VIRTIO_BLK_F_BLK_SIZE (512), VIRTIO_BLK_F_TOPOLOGY (all zero: 512-byte physical blocks,
 *       no alignment offset, no I/O size hints), VIRTIO_BLK_F_FLUSH, and VIRTIO_BLK_F_RO for a
 *       read-only image.</li>
 *   <li>Configuration space (36 bytes, the part of struct virtio_blk_config before the discard
 *       fields, as QEMU sizes it without discard/write-zeroes): capacity in 512-byte sectors (the
 *       file size rounded up, as QEMU's block layer does; the tail of a partial last sector reads
 *       as zeros), size_max 0, seg_max, geometry 0, blk_size, topology, writeback 1,
 *       num_queues 1.</li>
 *   <li>Requests: a 16-byte header (le32 type, le32 reserved, le64 sector) in the device-readable
 *       part, data, and a status byte at the very end of the device-writable part.
 *       VIRTIO_BLK_T_IN (0), VIRTIO_BLK_T_OUT (1), VIRTIO_BLK_T_FLUSH (4, {@code
 *       FileChannel.force(true)}), VIRTIO_BLK_T_GET_ID (8: the serial, NUL-terminated only when
 *       shorter than 20 bytes, as QEMU). The BARRIER bit and the OUT bit of other types are
 *       ignored, as QEMU does. Status VIRTIO_BLK_S_IOERR for a transfer that is not a whole number
 *       of sectors, reaches past the capacity or is longer than QEMU's 2 GiB request limit, for a
 *       write to a read-only image and for a host I/O error; VIRTIO_BLK_S_UNSUPP for any other
 *       type. The used length is the whole device-writable size, status byte included (QEMU's
 *       in_len).</li>
 *   <li>A request with a buffer an IOMMU refuses (the fault recorded there) completes with
 *       VIRTIO_BLK_S_IOERR, as a bus error on the transfer would; the device stays usable.</li>
 *   <li>A request with no device-readable or no device-writable buffer, or with a header shorter
 *       than 16 bytes, is a device error (DEVICE_NEEDS_RESET), as QEMU's virtio_error.</li>
 * </ul>
 *
 * <h2>Not modelled</h2>
 * VIRTIO_BLK_F_GEOMETRY (QEMU offers a guessed CHS geometry; nothing in Vitrine's guests needs
 * it), VIRTIO_BLK_F_CONFIG_WCE (the writeback field reads 1 and writes to it are logged and
 * ignored), VIRTIO_BLK_F_DISCARD, VIRTIO_BLK_F_WRITE_ZEROES, VIRTIO_BLK_F_MQ, secure erase and
 * lifetime: not offered, and their request types answer UNSUPP. Requests complete at once, inside
 * the QueueNotify write; there is no modelled disk latency.
 *
 * <p>Used only from the emulation thread; not thread-safe.
 */
public final class VirtioBlk implements VirtioDevice, AutoCloseable {
    public static final int DEVICE_ID = 2;
    public static final int SECTOR_SIZE = 512;

    // ---- Feature bits (VirtIO 1.2 section 5.2.3) ----------------------------------------------
    public static final int F_SIZE_MAX = 1;
    public static final int F_SEG_MAX = 2;
    public static final int F_GEOMETRY = 4;
    public static final int F_RO = 5;
    public static final int F_BLK_SIZE = 6;
    public static final int F_FLUSH = 9;
    public static final int F_TOPOLOGY = 10;
    public static final int F_CONFIG_WCE = 11;

    // ---- Request types and status (section 5.2.6) ---------------------------------------------
    public static final int T_IN = 0;
    public static final int T_OUT = 1;
    public static final int T_FLUSH = 4;
    public static final int T_GET_ID = 8;
    public static final int T_GET_LIFETIME = 10;
    public static final int T_DISCARD = 11;
    public static final int T_WRITE_ZEROES = 13;
    public static final int T_SECURE_ERASE = 14;
    /** Legacy flag QEMU ignores. */
    private static final int T_BARRIER = 0x8000_0000;
    public static final int S_OK = 0;
    public static final int S_IOERR = 1;
    public static final int S_UNSUPP = 2;
    /** Length of the GET_ID answer. */
    public static final int ID_BYTES = 20;

    private static final int HEADER_SIZE = 16;
    /** QEMU's default queue-size; seg_max is two less (header and status take a buffer each). */
    static final int QUEUE_SIZE = 256;
    static final int SEG_MAX = QUEUE_SIZE - 2;
    /** QEMU's BDRV_REQUEST_MAX_SECTORS (INT_MAX >> 9). */
    private static final long MAX_REQUEST_SECTORS = Integer.MAX_VALUE >> 9;
    private static final int CHUNK = 64 * 1024;

    // ---- Configuration space (struct virtio_blk_config) ---------------------------------------
    private static final int CFG_CAPACITY = 0;     // le64
    private static final int CFG_SIZE_MAX = 8;     // le32
    private static final int CFG_SEG_MAX = 12;     // le32
    private static final int CFG_GEOMETRY = 16;    // le16 cylinders, u8 heads, u8 sectors
    private static final int CFG_BLK_SIZE = 20;    // le32
    private static final int CFG_TOPOLOGY = 24;    // u8 physical_block_exp, u8 alignment_offset, le16 min_io_size, le32 opt_io_size
    private static final int CFG_WRITEBACK = 32;   // u8
    private static final int CFG_NUM_QUEUES = 34;  // le16 (after u8 unused0)
    private static final int CONFIG_SIZE = 36;

    // ---- State --------------------------------------------------------------------------------

    private final FileChannel file;
    private final boolean readOnly;
    private final byte[] serial;
    private final long capacity;
    private Transport transport;

    /**
     * Opens {@code image} as the disk.
     *
     * @param readOnly open the file read-only and offer VIRTIO_BLK_F_RO
     * @param serial   what GET_ID answers (QEMU's {@code serial=} property; "" when unset)
     */
    public VirtioBlk(Path image, boolean readOnly, String serial) throws IOException {
        this.file = readOnly ? FileChannel.open(image, StandardOpenOption.READ)
                : FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.readOnly = readOnly;
        this.serial = serial == null ? new byte[0] : serial.getBytes(StandardCharsets.US_ASCII);
        long bytes = file.size();
        this.capacity = (bytes + SECTOR_SIZE - 1) / SECTOR_SIZE;
    }

    /** A writable disk with no serial. */
    public VirtioBlk(Path image) throws IOException {
        this(image, false, "");
    }

    /** Capacity in 512-byte sectors. */
    public long capacity() {
        return capacity;
    }

    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    // ---- Snapshot (nested in the transport's section) ------------------------------------------

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /**
     * The disk's whole contents as a page image (only non-zero pages; compressed with the rest of
     * the snapshot), so a restore brings the image back to this instant whatever was written to
     * it since. The device itself keeps no other state: every request completes when notified.
     */
    @Override
    public void save(org.vitrine.emulator.snapshot.StateWriter out) {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            long size = file.size();
            java.lang.foreign.MemorySegment image = size == 0 ? java.lang.foreign.MemorySegment.NULL
                    : file.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, size, arena);
            org.vitrine.emulator.snapshot.PageImage.save(out, image.reinterpret(size), false);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the disk image for the snapshot: " + e.getMessage(), e);
        }
    }

    /**
     * Checks the image's size. A read-only disk must already hold the saved contents (it cannot be
     * written back); a writable one gets them back, page by page where they differ.
     */
    @Override
    public Runnable load(org.vitrine.emulator.snapshot.StateReader in, int version) throws org.vitrine.emulator.snapshot.SnapshotException {
        long size;
        try {
            size = file.size();
        } catch (IOException e) {
            throw new org.vitrine.emulator.snapshot.SnapshotException("cannot read the disk image: " + e.getMessage(), e);
        }
        org.vitrine.emulator.snapshot.PageImage.Loaded contents = org.vitrine.emulator.snapshot.PageImage.load(in, size);
        if (readOnly) {
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                java.lang.foreign.MemorySegment image = size == 0 ? java.lang.foreign.MemorySegment.NULL
                        : file.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, size, arena);
                if (!contents.matches(image.reinterpret(size))) {
                    throw in.bad("the read-only disk image differs from the snapshot's, and cannot be written back");
                }
            } catch (IOException e) {
                throw new org.vitrine.emulator.snapshot.SnapshotException("cannot read the disk image: " + e.getMessage(), e);
            }
            return () -> { };
        }
        return () -> {
            if (size == 0) return;
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                java.lang.foreign.MemorySegment image = file.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, size, arena);
                if (contents.applyTo(image, false) > 0) image.force();  // only an image that changed is written out
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot write the disk image back: " + e.getMessage(), e);
            }
        };
    }

    // ---- VirtioDevice -------------------------------------------------------------------------

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public String name() {
        return "virtio-blk";
    }

    @Override
    public long deviceFeatures() {
        long f = (1L << F_SEG_MAX) | (1L << F_BLK_SIZE) | (1L << F_FLUSH) | (1L << F_TOPOLOGY);
        if (readOnly) f |= 1L << F_RO;
        return f;
    }

    @Override
    public int queueCount() {
        return 1;
    }

    @Override
    public int configSize() {
        return CONFIG_SIZE;
    }

    @Override
    public byte[] readConfig() {
        ByteBuffer b = ByteBuffer.allocate(CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(CFG_CAPACITY, capacity);
        b.putInt(CFG_SIZE_MAX, 0);
        b.putInt(CFG_SEG_MAX, SEG_MAX);
        b.putInt(CFG_GEOMETRY, 0);
        b.putInt(CFG_BLK_SIZE, SECTOR_SIZE);
        b.putLong(CFG_TOPOLOGY, 0);
        b.put(CFG_WRITEBACK, (byte) 1);
        b.putShort(CFG_NUM_QUEUES, (short) 1);
        return b.array();
    }

    @Override
    public void writeConfig(int offset, byte[] data) {
        transport.log().guestError("write of %d bytes to configuration offset %d ignored (VIRTIO_BLK_F_CONFIG_WCE not offered)",
                data.length, offset);
    }

    @Override
    public void attach(Transport t) {
        this.transport = t;
    }

    @Override
    public void reset() {
        // Nothing is in flight: every request completes inside the notification.
    }

    @Override
    public void onNotify(int index) {
        Virtqueue q = transport.queue(index);
        boolean completed = false;
        Virtqueue.Chain c;
        while ((c = q.pop()) != null) {
            if (!handle(q, c)) break;
            completed = true;
        }
        if (completed) q.notifyGuest();
    }

    // ---- Requests -----------------------------------------------------------------------------

    /** Serves one request; false when the device is now broken. */
    private boolean handle(Virtqueue q, Virtqueue.Chain c) {
        if (c.readableSegments() < 1 || c.writableSegments() < 1) {
            transport.deviceError("request %d has no %s buffer", c.head(), c.readableSegments() < 1 ? "header" : "status");
            return false;
        }
        if (c.faulted()) {
            // An IOMMU refused a buffer: fail the request with an I/O error in its status byte, as a
            // bus error on the device's DMA would, if the status byte itself can be written.
            transport.log().guestError("request %d: a buffer was refused by the IOMMU; completed with VIRTIO_BLK_S_IOERR", c.head());
            if (c.write(c.writableBytes() - 1, new byte[] {(byte) S_IOERR}, 0, 1) < 0) return false;
            q.push(c, 1);
            return true;
        }
        byte[] header = new byte[HEADER_SIZE];
        int got = c.read(0, header, 0, HEADER_SIZE);
        if (got < 0) return false;
        if (got < HEADER_SIZE) {
            transport.deviceError("request %d header is %d bytes, not %d", c.head(), got, HEADER_SIZE);
            return false;
        }
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        int type = h.getInt(0);
        long sector = h.getLong(8);
        long inLen = c.writableBytes();
        int status = switch (type & ~(T_OUT | T_BARRIER)) {
            case T_IN -> (type & T_OUT) != 0 ? write(c, sector) : read(c, sector);
            case T_FLUSH -> flush();
            case T_GET_ID -> getId(c);
            default -> S_UNSUPP;
        };
        if (status < 0 || transport.broken()) return false;
        if (c.write(inLen - 1, new byte[] {(byte) status}, 0, 1) < 0) return false;
        q.push(c, inLen);
        return true;
    }

    /** QEMU virtio_blk_sect_range_ok. */
    private boolean rangeOk(String op, long sector, long bytes) {
        long sectors = bytes / SECTOR_SIZE;
        if (bytes % SECTOR_SIZE != 0) {
            transport.log().guestError("%s of %d bytes at sector %d: not a whole number of sectors", op, bytes, sector);
            return false;
        }
        if (sectors > MAX_REQUEST_SECTORS) {
            transport.log().guestError("%s of %d sectors: longer than the 2 GiB request limit", op, sectors);
            return false;
        }
        if (sector < 0 || sector > capacity || sectors > capacity - sector) {
            transport.log().guestError("%s of %d sectors at sector %d: past the capacity of %d sectors", op, sectors, sector, capacity);
            return false;
        }
        return true;
    }

    private int read(Virtqueue.Chain c, long sector) {
        long length = c.writableBytes() - 1;
        if (!rangeOk("read", sector, length)) return S_IOERR;
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(length, 1))];
        long pos = sector * SECTOR_SIZE;
        try {
            for (long done = 0; done < length; ) {
                int n = (int) Math.min(buf.length, length - done);
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    int r = file.read(bb, pos + done + bb.position());
                    if (r < 0) { // the partial last sector: zeros past the end of the file
                        java.util.Arrays.fill(buf, bb.position(), n, (byte) 0);
                        break;
                    }
                }
                if (c.write(done, buf, 0, n) < 0) return -1;
                done += n;
            }
        } catch (IOException e) {
            hostError("reading sector %d: %s", sector, e);
            return S_IOERR;
        }
        return S_OK;
    }

    private int write(Virtqueue.Chain c, long sector) {
        long length = c.readableBytes() - HEADER_SIZE;
        if (!rangeOk("write", sector, length)) return S_IOERR;
        if (readOnly) {
            transport.log().guestError("write to sector %d of a read-only disk", sector);
            return S_IOERR;
        }
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(length, 1))];
        long pos = sector * SECTOR_SIZE;
        try {
            for (long done = 0; done < length; ) {
                int n = (int) Math.min(buf.length, length - done);
                if (c.read(HEADER_SIZE + done, buf, 0, n) < 0) return -1;
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) file.write(bb, pos + done + bb.position());
                done += n;
            }
        } catch (IOException e) {
            hostError("writing sector %d: %s", sector, e);
            return S_IOERR;
        }
        return S_OK;
    }

    private int flush() {
        try {
            file.force(true);
            return S_OK;
        } catch (IOException e) {
            hostError("flush: %s", e);
            return S_IOERR;
        }
    }

    private int getId(Virtqueue.Chain c) {
        long room = c.writableBytes() - 1;
        // QEMU: strlen + 1, at most the buffer and 20 bytes; so the NUL is there only when it fits.
        int n = (int) Math.min(serial.length + 1L, Math.min(room, ID_BYTES));
        byte[] id = java.util.Arrays.copyOf(serial, n);
        return c.write(0, id, 0, n) < 0 ? -1 : S_OK;
    }

    private void hostError(String fmt, Object... args) {
        System.err.println("[host-error] " + name() + ": " + String.format(fmt, args));
    }
}
