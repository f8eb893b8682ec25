package org.vitrine.devices.virtio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vitrine.emulator.spi.DmaPort;
import org.vitrine.emulator.spi.DmaPort.DmaException;
import org.vitrine.emulator.spi.GuestLog;

/**
 * The device side of one split virtqueue (VirtIO 1.2 section 2.7), as QEMU's hw/virtio/virtio.c
 * implements it: taking descriptor chains from the available ring ({@link #pop()}), returning
 * them through the used ring ({@link #push}) and deciding whether the driver wants an interrupt
 * ({@link #notifyGuest()}).
 *
 * <h2>Layout in guest memory (all little-endian)</h2>
 * <pre>
 *   descriptor table  16 bytes x QueueNum: le64 addr, le32 len, le16 flags, le16 next
 *   available ring    le16 flags, le16 idx, le16 ring[QueueNum], le16 used_event (EVENT_IDX)
 *   used ring         le16 flags, le16 idx, {le32 id, le32 len}[QueueNum], le16 avail_event (EVENT_IDX)
 * </pre>
 *
 * <h2>Modelled</h2>
 * Chained descriptors, indirect descriptor tables (VIRTIO_F_INDIRECT_DESC), the available ring's
 * NO_INTERRUPT flag, and VIRTIO_F_EVENT_IDX in both directions (the device publishes avail_event
 * after each pop and honours used_event with QEMU's signalled-used bookkeeping). The used ring's
 * NO_NOTIFY flag is never set: the model handles every notification at once, inside the
 * QueueNotify write, so it never wants fewer of them.
 *
 * <h2>What is a malformed queue</h2>
 * Each of these makes the transport set DEVICE_NEEDS_RESET ({@link VirtioDevice.Transport#deviceError})
 * and the queue stop, never an exception: a ring (descriptor table, available or used ring) not in
 * guest memory or a queue size that is not a power of two in 1..QueueNumMax when QueueReady is set;
 * the available index moving by more than the queue size; a head or next index past the table; a
 * chain with more descriptors than the table has entries (a loop) or than {@value #MAX_SIZE}; a
 * zero-length buffer or one not wholly in guest memory; an indirect table whose length is zero or
 * not a multiple of 16, that is not in guest memory, that holds an indirect descriptor, or that is
 * referenced from anywhere but the head of a chain; a device-readable buffer after a
 * device-writable one; and any DMA fault while the queue is being used.
 *
 * <p>Used only from the emulation thread; not thread-safe.
 */
public final class Virtqueue {
    /** The largest queue (QEMU's VIRTQUEUE_MAX_SIZE), and the most buffers one chain may have. */
    public static final int MAX_SIZE = 1024;

    // Descriptor flags.
    public static final int DESC_F_NEXT = 1;
    public static final int DESC_F_WRITE = 2;
    public static final int DESC_F_INDIRECT = 4;
    /** Available ring flag: the driver does not want interrupts (ignored with EVENT_IDX). */
    public static final int AVAIL_F_NO_INTERRUPT = 1;

    static final int DESC_SIZE = 16;
    private static final long PAGE = 4096;

    /** What a queue needs from its transport. */
    interface Host {
        /** Where the queue reports guest mistakes that do not break the device. */
        GuestLog.Source log();

        DmaPort dma();

        boolean broken();

        boolean eventIdx();

        void deviceError(String fmt, Object... args);

        void raiseUsedInterrupt();
    }

    private final Host host;
    private final int index;
    private final int maxSize;

    // Registers as the driver programs them; they take effect when QueueReady is set.
    private int regNum;
    private long regDesc;
    private long regDriver;
    private long regDevice;

    // The ring in use.
    private boolean ready;
    private int size;
    private long desc;
    private long avail;
    private long used;
    private int lastAvail;
    private int usedIdx;
    private int signalledUsed;
    private boolean signalledUsedValid;

    Virtqueue(Host host, int index, int maxSize) {
        this.host = host;
        this.index = index;
        this.maxSize = maxSize;
    }

    public int index() {
        return index;
    }

    /** QueueNum in use (0 until the queue is ready). */
    public int size() {
        return ready ? size : 0;
    }

    public boolean isReady() {
        return ready;
    }

    int maxSize() {
        return maxSize;
    }

    // ---- Transport side -----------------------------------------------------------------------

    void setNum(int num) {
        regNum = num;
    }

    void setDescLow(int v) {
        regDesc = (regDesc & 0xFFFF_FFFF_0000_0000L) | (v & 0xFFFF_FFFFL);
    }

    void setDescHigh(int v) {
        regDesc = (regDesc & 0xFFFF_FFFFL) | ((long) v << 32);
    }

    void setDriverLow(int v) {
        regDriver = (regDriver & 0xFFFF_FFFF_0000_0000L) | (v & 0xFFFF_FFFFL);
    }

    void setDriverHigh(int v) {
        regDriver = (regDriver & 0xFFFF_FFFFL) | ((long) v << 32);
    }

    void setDeviceLow(int v) {
        regDevice = (regDevice & 0xFFFF_FFFF_0000_0000L) | (v & 0xFFFF_FFFFL);
    }

    void setDeviceHigh(int v) {
        regDevice = (regDevice & 0xFFFF_FFFFL) | ((long) v << 32);
    }

    // ---- Snapshot (part of the transport's section) ---------------------------------------

    /** Layout: i32 QueueNum, i64 x3 programmed rings; bool ready, i32 size, i64 x3 rings in use, i32 x3 indexes, bool. */
    void save(org.vitrine.emulator.snapshot.StateWriter out) {
        out.i32(regNum).i64(regDesc).i64(regDriver).i64(regDevice)
                .bool(ready).i32(size).i64(desc).i64(avail).i64(used).i32(lastAvail).i32(usedIdx).i32(signalledUsed).bool(signalledUsedValid);
    }

    Runnable load(org.vitrine.emulator.snapshot.StateReader in) throws org.vitrine.emulator.snapshot.SnapshotException {
        int num = in.i32();
        long rd = in.i64(), rdr = in.i64(), rdv = in.i64();
        boolean r = in.bool();
        int sz = in.i32("queue " + index + "'s size", 0, maxSize);
        long d = in.i64(), a = in.i64(), u = in.i64();
        int la = in.i32("queue " + index + "'s last available index", 0, 0xFFFF);
        int ui = in.i32("queue " + index + "'s used index", 0, 0xFFFF);
        int su = in.i32("queue " + index + "'s signalled used index", 0, 0xFFFF);
        boolean sv = in.bool();
        if (!r && (sz != 0 || la != 0 || ui != 0)) throw in.bad("queue " + index + " is not ready but has a ring in use");
        return () -> {
            regNum = num;
            regDesc = rd;
            regDriver = rdr;
            regDevice = rdv;
            ready = r;
            size = sz;
            desc = d;
            avail = a;
            used = u;
            lastAvail = la;
            usedIdx = ui;
            signalledUsed = su;
            signalledUsedValid = sv;
        };
    }

    /** Forgets everything (device reset). */
    void reset() {
        regNum = 0;
        regDesc = regDriver = regDevice = 0;
        disable();
    }

    /** QueueReady = 0. */
    void disable() {
        ready = false;
        size = 0;
        desc = avail = used = 0;
        lastAvail = usedIdx = signalledUsed = 0;
        signalledUsedValid = false;
    }

    /**
     * QueueReady = 1: takes the programmed size and ring addresses and checks them. A bad one is a
     * device error; the queue reads back as ready but is never used (the device is broken).
     */
    void enable() {
        disable();
        ready = true;
        size = regNum;
        desc = regDesc;
        avail = regDriver;
        used = regDevice;
        if (size <= 0 || size > maxSize || (size & (size - 1)) != 0) {
            host.deviceError("queue %d: QueueNum %d is not a power of 2 in 1..%d", index, regNum, maxSize);
            return;
        }
        int event = host.eventIdx() ? 2 : 0;
        if (!accessible(host.dma(), desc, (long) DESC_SIZE * size)) {
            host.deviceError("queue %d: descriptor table 0x%x (+0x%x) is not in guest memory", index, desc, DESC_SIZE * size);
        } else if (!accessible(host.dma(), avail, 4 + 2L * size + event)) {
            host.deviceError("queue %d: available ring 0x%x is not in guest memory", index, avail);
        } else if (!accessible(host.dma(), used, 4 + 8L * size + event)) {
            host.deviceError("queue %d: used ring 0x%x is not in guest memory", index, used);
        } else if ((desc & 15) != 0 || (avail & 1) != 0 || (used & 3) != 0) {
            // Spec 2.7: 16-, 2- and 4-byte alignment. QEMU does not check; neither do we, beyond a log line.
            host.log().guestError("queue %d: misaligned rings (desc 0x%x, driver 0x%x, device 0x%x), used anyway", index, desc, avail, used);
        }
    }

    // ---- Device side --------------------------------------------------------------------------

    /**
     * Chains the driver has made available and the device has not taken yet (0 when the queue is
     * not ready, broken, or its available index is corrupt).
     */
    public int available() {
        if (!ready || host.broken()) return 0;
        try {
            int pending = (host.dma().read16(avail + 2) - lastAvail) & 0xFFFF;
            if (pending > size) {
                host.deviceError("queue %d: available index moved %d entries past the last one taken (queue size %d)", index, pending, size);
                return 0;
            }
            return pending;
        } catch (DmaException e) {
            host.deviceError("queue %d: reading the available ring: %s", index, e.getMessage());
            return 0;
        }
    }

    /**
     * Takes the next available chain, or returns null when there is none, the queue is not ready,
     * or the queue is malformed (then the device has been marked as needing a reset).
     */
    public Chain pop() {
        if (!ready || host.broken()) return null;
        DmaPort dma = host.dma();
        int head;
        try {
            int availIdx = dma.read16(avail + 2);
            int pending = (availIdx - lastAvail) & 0xFFFF;
            if (pending == 0) return null;
            if (pending > size) {
                host.deviceError("queue %d: driver moved the available index from %d to %d (queue size %d)", index, lastAvail, availIdx, size);
                return null;
            }
            head = dma.read16(avail + 4 + 2L * (lastAvail % size));
            lastAvail = (lastAvail + 1) & 0xFFFF;
            if (host.eventIdx()) dma.write16(used + 4 + 8L * size, lastAvail); // avail_event
        } catch (DmaException e) {
            host.deviceError("queue %d: reading the available ring: %s", index, e.getMessage());
            return null;
        }
        try {
            return walk(dma, head);
        } catch (DmaException e) {
            host.deviceError("queue %d: reading descriptors of chain %d: %s", index, head, e.getMessage());
            return null;
        }
    }

    private Chain walk(DmaPort dma, int head) throws DmaException {
        if (head >= size) {
            host.deviceError("queue %d: available ring names descriptor %d, the table has %d", index, head, size);
            return null;
        }
        long table = desc;
        long max = size;
        int i = head;
        Desc d = readDesc(dma, table, i);
        boolean indirect = false;
        if ((d.flags & DESC_F_INDIRECT) != 0) {
            if (d.len == 0 || d.len % DESC_SIZE != 0) {
                host.deviceError("queue %d: indirect table of %d bytes in descriptor %d (not a non-zero multiple of 16)", index, d.len, head);
                return null;
            }
            if (!accessible(dma, d.addr, d.len)) {
                host.deviceError("queue %d: indirect table 0x%x (+0x%x) is not in guest memory", index, d.addr, d.len);
                return null;
            }
            table = d.addr;
            max = d.len / DESC_SIZE;
            indirect = true;
            i = 0;
            d = readDesc(dma, table, 0);
        }
        Chain chain = new Chain(this, head);
        int count = 0;
        while (true) {
            if ((d.flags & DESC_F_INDIRECT) != 0) {
                host.deviceError(indirect ? "queue %d: indirect descriptor inside the indirect table of chain %d"
                        : "queue %d: indirect descriptor in the middle of chain %d", index, head);
                return null;
            }
            if (++count > max || count > MAX_SIZE) {
                host.deviceError("queue %d: chain %d has more than %d descriptors (a loop?)", index, head, Math.min(max, MAX_SIZE));
                return null;
            }
            if (d.len == 0) {
                host.deviceError("queue %d: zero-length buffer in chain %d", index, head);
                return null;
            }
            DmaException refused = inaccessible(dma, d.addr, d.len);
            if (refused != null && !refused.translationFault()) {
                host.deviceError("queue %d: buffer 0x%x (+0x%x) of chain %d is not in guest memory", index, d.addr, d.len, head);
                return null;
            }
            // An IOMMU refused it (and recorded the fault): the request goes to the device, which fails it.
            if (refused != null) chain.faulted = true;
            boolean writable = (d.flags & DESC_F_WRITE) != 0;
            if (!writable && chain.writableBytes > 0) {
                host.deviceError("queue %d: device-readable buffer after a device-writable one in chain %d", index, head);
                return null;
            }
            chain.add(d.addr, d.len, writable);
            if ((d.flags & DESC_F_NEXT) == 0) return chain;
            i = d.next;
            if (i >= max) {
                host.deviceError("queue %d: next index %d in chain %d is past the table (%d entries)", index, i, head, max);
                return null;
            }
            d = readDesc(dma, table, i);
        }
    }

    private record Desc(long addr, long len, int flags, int next) { }

    private static Desc readDesc(DmaPort dma, long table, long i) throws DmaException {
        ByteBuffer b = ByteBuffer.wrap(dma.read(table + DESC_SIZE * i, DESC_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
        return new Desc(b.getLong(0), b.getInt(8) & 0xFFFF_FFFFL, b.getShort(12) & 0xFFFF, b.getShort(14) & 0xFFFF);
    }

    /**
     * Returns {@code chain} to the driver through the used ring, saying the device wrote
     * {@code written} bytes into its device-writable buffers. Does not interrupt: call
     * {@link #notifyGuest()} after a batch.
     */
    public void push(Chain chain, long written) {
        if (!ready || host.broken()) return;
        if (chain.queue != this) throw new IllegalArgumentException("chain of queue " + chain.queue.index + " pushed to queue " + index);
        DmaPort dma = host.dma();
        try {
            long slot = used + 4 + 8L * (usedIdx % size);
            dma.write32(slot, chain.head);
            dma.write32(slot + 4, (int) Math.min(Math.max(written, 0), 0xFFFF_FFFFL));
            int old = usedIdx;
            usedIdx = (usedIdx + 1) & 0xFFFF;
            dma.write16(used + 2, usedIdx);
            // QEMU virtqueue_split_flush: the index wrapped past the last signalled value.
            if ((short) (usedIdx - signalledUsed) < ((usedIdx - old) & 0xFFFF)) signalledUsedValid = false;
        } catch (DmaException e) {
            host.deviceError("queue %d: writing the used ring: %s", index, e.getMessage());
        }
    }

    /**
     * Raises the used-buffer interrupt unless the driver suppressed it (NO_INTERRUPT, or
     * used_event with EVENT_IDX). Call after pushing one or more chains.
     */
    public void notifyGuest() {
        if (!ready || host.broken()) return;
        boolean notify;
        try {
            if (!host.eventIdx()) {
                notify = (host.dma().read16(avail) & AVAIL_F_NO_INTERRUPT) == 0;
            } else {
                boolean valid = signalledUsedValid;
                signalledUsedValid = true;
                int old = signalledUsed;
                signalledUsed = usedIdx;
                int usedEvent = host.dma().read16(avail + 4 + 2L * size);
                notify = !valid || needEvent(usedEvent, usedIdx, old);
            }
        } catch (DmaException e) {
            host.deviceError("queue %d: reading the available ring: %s", index, e.getMessage());
            return;
        }
        if (notify) host.raiseUsedInterrupt();
    }

    /** vring_need_event: has the index gone past {@code event} going from {@code old} to {@code now}? */
    static boolean needEvent(int event, int now, int old) {
        return ((now - event - 1) & 0xFFFF) < ((now - old) & 0xFFFF);
    }

    /**
     * True when [address, address + length) can be reached through {@code dma}: the whole range
     * at once, or (through an IOMMU that maps page by page) each 4 KiB piece of it.
     */
    public static boolean accessible(DmaPort dma, long address, long length) {
        return inaccessible(dma, address, length) == null;
    }

    /** Why [address, address + length) cannot be reached through {@code dma}, or null when it can (see {@link #accessible}). */
    static DmaException inaccessible(DmaPort dma, long address, long length) {
        if (length < 0 || address < 0 || address + length < address) {
            return new DmaException(String.format("range 0x%x+0x%x wraps", address, length));
        }
        try {
            dma.window(address, length);
            return null;
        } catch (DmaException whole) {
            long a = address;
            long end = address + length;
            while (a < end) {
                long piece = Math.min(end, (a & ~(PAGE - 1)) + PAGE) - a;
                try {
                    dma.window(a, piece);
                } catch (DmaException e) {
                    return e;
                }
                a += piece;
            }
            return null;
        }
    }

    /**
     * One descriptor chain taken from the available ring: its device-readable buffers, then its
     * device-writable ones, each wholly in guest memory (checked by {@link #pop()}). The copy
     * methods address the readable and the writable bytes as two separate streams.
     */
    public static final class Chain {
        private final Virtqueue queue;
        private final int head;
        private long[] addr = new long[4];
        private long[] len = new long[4];
        private int count;
        private int readableCount;
        private long readableBytes;
        private long writableBytes;
        /** Some buffer of the chain was refused by an IOMMU (the fault is recorded there). */
        private boolean faulted;

        Chain(Virtqueue queue, int head) {
            this.queue = queue;
            this.head = head;
        }

        private void add(long a, long l, boolean writable) {
            if (count == addr.length) {
                addr = java.util.Arrays.copyOf(addr, count * 2);
                len = java.util.Arrays.copyOf(len, count * 2);
            }
            addr[count] = a;
            len[count] = l;
            count++;
            if (writable) {
                writableBytes += l;
            } else {
                readableCount++;
                readableBytes += l;
            }
        }

        /**
         * True when an IOMMU refused one of the chain's buffers: the device should fail the request
         * the way it reports errors (virtio-blk: VIRTIO_BLK_S_IOERR) rather than touch its data.
         */
        public boolean faulted() {
            return faulted;
        }

        /** Index of the head descriptor (the id returned in the used ring). */
        public int head() {
            return head;
        }

        /** Total length of the device-readable buffers. */
        public long readableBytes() {
            return readableBytes;
        }

        /** Total length of the device-writable buffers. */
        public long writableBytes() {
            return writableBytes;
        }

        public int readableSegments() {
            return readableCount;
        }

        public int writableSegments() {
            return count - readableCount;
        }

        /** Length of writable buffer {@code i} (0-based among the writable ones). */
        public long writableSegmentLength(int i) {
            return len[readableCount + i];
        }

        /**
         * Copies up to {@code length} device-readable bytes, starting {@code offset} bytes into the
         * readable stream, to {@code dst}. Returns how many were copied (fewer at the end of the
         * stream), or -1 after a DMA fault (the device is then broken).
         */
        public int read(long offset, byte[] dst, int dstOffset, int length) {
            return copy(false, offset, dst, dstOffset, length);
        }

        /** Reads the first {@code min(readableBytes, max)} readable bytes, or null after a DMA fault. */
        public byte[] readAll(int max) {
            byte[] b = new byte[(int) Math.min(readableBytes, max)];
            return read(0, b, 0, b.length) < 0 ? null : b;
        }

        /**
         * Copies up to {@code length} bytes from {@code src} into the device-writable stream,
         * starting {@code offset} bytes into it. Returns how many were copied (fewer when the
         * buffers end), or -1 after a DMA fault (the device is then broken).
         */
        public int write(long offset, byte[] src, int srcOffset, int length) {
            return copy(true, offset, src, srcOffset, length);
        }

        private int copy(boolean toGuest, long offset, byte[] buf, int bufOffset, int length) {
            int first = toGuest ? readableCount : 0;
            int last = toGuest ? count : readableCount;
            int done = 0;
            long skip = offset;
            DmaPort dma = queue.host.dma();
            for (int s = first; s < last && done < length; s++) {
                if (skip >= len[s]) {
                    skip -= len[s];
                    continue;
                }
                int n = (int) Math.min(len[s] - skip, length - done);
                try {
                    if (toGuest) {
                        dma.write(addr[s] + skip, buf, bufOffset + done, n);
                    } else {
                        dma.read(addr[s] + skip, buf, bufOffset + done, n);
                    }
                } catch (DmaException e) {
                    queue.host.deviceError("queue %d: DMA %s buffer 0x%x of chain %d failed: %s", queue.index,
                            toGuest ? "to" : "from", addr[s] + skip, head, e.getMessage());
                    return -1;
                }
                done += n;
                skip = 0;
            }
            return done;
        }
    }
}
