package org.vitrine.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.vitrine.devices.RecordingLine;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.memory.HostMemory;
import org.vitrine.emulator.memory.IdentityDmaPort;
import org.vitrine.emulator.memory.PhysicalMemory;

/**
 * A minimal virtio-mmio driver for tests: guest RAM (HostMemory + PhysicalMemory, no CPU), a
 * {@link VirtioMmio} transport over an identity DMA port, and the steps a real driver takes —
 * the initialisation sequence of VirtIO 1.2 section 3.1.1, queue setup through the MMIO
 * registers, and descriptor chains written into RAM and published in the available ring.
 *
 * <p>Low-level helpers ({@link Queue#writeDesc}, {@link Queue#publish}, {@link Queue#setAvailIdx})
 * let tests build malformed queues on purpose.
 */
public final class VirtioTestDriver implements AutoCloseable {
    public static final long RAM_BASE = 0x4000_0000L;
    public static final long RAM_SIZE = 16L << 20;

    // Register offsets (VirtIO 1.2 section 4.2.2).
    public static final int MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, VENDOR_ID = 0x00C, DEVICE_FEATURES = 0x010,
            DEVICE_FEATURES_SEL = 0x014, DRIVER_FEATURES = 0x020, DRIVER_FEATURES_SEL = 0x024, QUEUE_SEL = 0x030,
            QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050, INTERRUPT_STATUS = 0x060,
            INTERRUPT_ACK = 0x064, STATUS = 0x070, QUEUE_DESC_LOW = 0x080, QUEUE_DESC_HIGH = 0x084, QUEUE_DRIVER_LOW = 0x090,
            QUEUE_DRIVER_HIGH = 0x094, QUEUE_DEVICE_LOW = 0x0A0, QUEUE_DEVICE_HIGH = 0x0A4, CONFIG_GENERATION = 0x0FC,
            CONFIG = 0x100;
    public static final int ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, NEEDS_RESET = 0x40;
    public static final long VERSION_1 = 1L << 32, INDIRECT_DESC = 1L << 28, EVENT_IDX = 1L << 29;
    public static final int NEXT = 1, WRITE = 2, INDIRECT = 4;

    /** A buffer of a chain: device-readable ("out") or device-writable ("in"). */
    public record Buf(long addr, int len, boolean writable) { }

    /** A used-ring element. */
    public record Used(int id, int len) { }

    public static Buf out(long addr, int len) {
        return new Buf(addr, len, false);
    }

    public static Buf in(long addr, int len) {
        return new Buf(addr, len, true);
    }

    public final Arena arena = Arena.ofConfined();
    public final PhysicalMemory ram = new PhysicalMemory(RAM_BASE, HostMemory.allocate(RAM_SIZE, arena));
    public final IdentityDmaPort dma = new IdentityDmaPort(ram, "test");
    public final RecordingLine irq = new RecordingLine();
    /** The guest log of this driver's machine: counts the device's and the transport's reports. */
    public final GuestLog log = GuestLog.silent();
    public final VirtioMmio mmio;
    private long next = RAM_BASE + 0x1000;

    public VirtioTestDriver(VirtioDevice device) {
        mmio = new VirtioMmio(device, dma, irq, log);
    }

    /** A driver whose device reaches this RAM through the port {@code port} makes (an IOMMU's). */
    public VirtioTestDriver(VirtioDevice device, java.util.function.Function<PhysicalMemory, org.vitrine.emulator.spi.DmaPort> port) {
        mmio = new VirtioMmio(device, port.apply(ram), irq, log);
    }

    @Override
    public void close() {
        arena.close();
    }

    // ---- Registers ----------------------------------------------------------------------------

    public int reg(int offset) {
        return (int) mmio.read(offset, 4);
    }

    public void reg(int offset, long value) {
        mmio.write(offset, 4, value & 0xFFFF_FFFFL);
    }

    public int status() {
        return reg(STATUS);
    }

    public long deviceFeatures() {
        reg(DEVICE_FEATURES_SEL, 0);
        long lo = reg(DEVICE_FEATURES) & 0xFFFF_FFFFL;
        reg(DEVICE_FEATURES_SEL, 1);
        long hi = reg(DEVICE_FEATURES) & 0xFFFF_FFFFL;
        return hi << 32 | lo;
    }

    /** Reset, ACKNOWLEDGE, DRIVER, write {@code features}, FEATURES_OK; returns Status read back. */
    public int negotiate(long features) {
        reg(STATUS, 0);
        reg(STATUS, ACKNOWLEDGE);
        reg(STATUS, ACKNOWLEDGE | DRIVER);
        reg(DRIVER_FEATURES_SEL, 0);
        reg(DRIVER_FEATURES, features);
        reg(DRIVER_FEATURES_SEL, 1);
        reg(DRIVER_FEATURES, features >>> 32);
        reg(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK);
        return status();
    }

    /** The usual start: VERSION_1 plus whatever of {@code extra} the device offers; asserts FEATURES_OK. */
    public void init(long extra) {
        long offered = deviceFeatures();
        int st = negotiate((VERSION_1 | extra) & offered);
        assertTrue((st & FEATURES_OK) != 0, "FEATURES_OK refused");
    }

    public void driverOk() {
        reg(STATUS, status() | DRIVER_OK);
        assertEquals(0, status() & NEEDS_RESET, "device needs reset after DRIVER_OK");
    }

    public void ack() {
        reg(INTERRUPT_ACK, reg(INTERRUPT_STATUS));
    }

    public int configByte(int offset) {
        return (int) mmio.read(CONFIG + offset, 1);
    }

    public int configWord(int offset) {
        return (int) mmio.read(CONFIG + offset, 4);
    }

    // ---- Guest memory -------------------------------------------------------------------------

    public long alloc(long size, int align) {
        next = (next + align - 1) & -align;
        long a = next;
        next += size;
        if (next > RAM_BASE + RAM_SIZE) throw new IllegalStateException("test RAM exhausted");
        return a;
    }

    public long alloc(long size) {
        return alloc(size, 16);
    }

    /** Allocates a buffer holding {@code data}. */
    public long put(byte[] data) {
        long a = alloc(data.length);
        write(a, data);
        return a;
    }

    public void write(long addr, byte[] data) {
        try {
            ram.write(addr, data, 0, data.length);
        } catch (PhysicalMemory.BadAddressException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    public byte[] read(long addr, int len) {
        try {
            return ram.read(addr, len);
        } catch (PhysicalMemory.BadAddressException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    public ByteBuffer readLe(long addr, int len) {
        return ByteBuffer.wrap(read(addr, len)).order(ByteOrder.LITTLE_ENDIAN);
    }

    public void write16(long addr, int v) {
        write(addr, new byte[] {(byte) v, (byte) (v >>> 8)});
    }

    public void write32(long addr, int v) {
        write(addr, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    public void write64(long addr, long v) {
        write(addr, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    public int read16(long addr) {
        return readLe(addr, 2).getShort(0) & 0xFFFF;
    }

    public int read32(long addr) {
        return readLe(addr, 4).getInt(0);
    }

    public static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    // ---- Queues -------------------------------------------------------------------------------

    /** Allocates rings for queue {@code index} of {@code size} entries and makes it ready. */
    public Queue queue(int index, int size) {
        long desc = alloc(16L * size, 16);
        long avail = alloc(6 + 2L * size, 2);
        long used = alloc(6 + 8L * size, 4);
        return queue(index, size, desc, avail, used);
    }

    /** Programs queue {@code index} with the given rings (which may be bogus) and sets QueueReady. */
    public Queue queue(int index, int size, long desc, long avail, long used) {
        reg(QUEUE_SEL, index);
        reg(QUEUE_NUM, size);
        reg(QUEUE_DESC_LOW, desc);
        reg(QUEUE_DESC_HIGH, desc >>> 32);
        reg(QUEUE_DRIVER_LOW, avail);
        reg(QUEUE_DRIVER_HIGH, avail >>> 32);
        reg(QUEUE_DEVICE_LOW, used);
        reg(QUEUE_DEVICE_HIGH, used >>> 32);
        reg(QUEUE_READY, 1);
        return new Queue(index, size, desc, avail, used);
    }

    public final class Queue {
        public final int index;
        public final int size;
        public final long desc;
        public final long avail;
        public final long used;
        private int nextDesc;
        private int availIdx;
        private int lastUsed;

        public Queue(int index, int size, long desc, long avail, long used) {
            this.index = index;
            this.size = size;
            this.desc = desc;
            this.avail = avail;
            this.used = used;
        }

        public void writeDesc(int i, long addr, long len, int flags, int next) {
            writeDescAt(desc + 16L * i, addr, len, flags, next);
        }

        public void writeDescAt(long at, long addr, long len, int flags, int next) {
            ByteBuffer b = le(16).putLong(addr).putInt((int) len).putShort((short) flags).putShort((short) next);
            write(at, b.array());
        }

        /** Writes {@code bufs} as a chain into free descriptors; returns the head index. */
        public int chain(Buf... bufs) {
            int head = nextDesc;
            for (int k = 0; k < bufs.length; k++) {
                int i = (nextDesc + k) % size;
                int n = (nextDesc + k + 1) % size;
                int flags = (bufs[k].writable() ? WRITE : 0) | (k + 1 < bufs.length ? NEXT : 0);
                writeDesc(i, bufs[k].addr(), bufs[k].len(), flags, k + 1 < bufs.length ? n : 0);
            }
            nextDesc = (nextDesc + bufs.length) % size;
            return head;
        }

        /** Writes {@code bufs} as an indirect table in RAM and one descriptor pointing at it. */
        public int chainIndirect(Buf... bufs) {
            long table = alloc(16L * bufs.length, 16);
            for (int k = 0; k < bufs.length; k++) {
                int flags = (bufs[k].writable() ? WRITE : 0) | (k + 1 < bufs.length ? NEXT : 0);
                writeDescAt(table + 16L * k, bufs[k].addr(), bufs[k].len(), flags, k + 1 < bufs.length ? k + 1 : 0);
            }
            int head = nextDesc;
            writeDesc(head, table, 16L * bufs.length, INDIRECT, 0);
            nextDesc = (nextDesc + 1) % size;
            return head;
        }

        /** Puts {@code head} in the available ring and advances its index. */
        public void publish(int head) {
            write16(avail + 4 + 2L * (availIdx % size), head);
            availIdx = (availIdx + 1) & 0xFFFF;
            write16(avail + 2, availIdx);
        }

        public void setAvailIdx(int idx) {
            availIdx = idx & 0xFFFF;
            write16(avail + 2, availIdx);
        }

        public void setAvailFlags(int flags) {
            write16(avail, flags);
        }

        /** used_event, at the end of the available ring (EVENT_IDX). */
        public void setUsedEvent(int v) {
            write16(avail + 4 + 2L * size, v);
        }

        /** avail_event, at the end of the used ring (EVENT_IDX). */
        public int availEvent() {
            return read16(used + 4 + 8L * size);
        }

        public int post(Buf... bufs) {
            int head = chain(bufs);
            publish(head);
            return head;
        }

        public int postIndirect(Buf... bufs) {
            int head = chainIndirect(bufs);
            publish(head);
            return head;
        }

        public void kick() {
            reg(QUEUE_NOTIFY, index);
        }

        public int usedIdx() {
            return read16(used + 2);
        }

        /** Used elements added since the last call. */
        public List<Used> takeUsed() {
            List<Used> out = new ArrayList<>();
            int idx = usedIdx();
            while (lastUsed != idx) {
                long slot = used + 4 + 8L * (lastUsed % size);
                out.add(new Used(read32(slot), read32(slot + 4)));
                lastUsed = (lastUsed + 1) & 0xFFFF;
            }
            return out;
        }

        /** Exactly one new used element. */
        public Used takeOne() {
            List<Used> u = takeUsed();
            assertEquals(1, u.size(), "used elements");
            return u.get(0);
        }
    }
}
