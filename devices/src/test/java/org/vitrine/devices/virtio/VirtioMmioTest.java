package org.vitrine.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vitrine.devices.virtio.VirtioTestDriver.*;

import org.vitrine.devices.virtio.VirtioTestDriver.Queue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.MmioDevice;

class VirtioMmioTest {
    /**
     * A device that takes every chain, remembers its readable bytes and writable size, fills the
     * writable part with 0xA5 and returns it.
     */
    static final class SinkDevice implements VirtioDevice {
        record Seen(int head, byte[] readable, long writable, int segments) { }

        final List<Seen> seen = new ArrayList<>();
        byte[] config = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        Transport transport;
        int resets;

        @Override public int deviceId() { return 42; }
        @Override public String name() { return "virtio-sink"; }
        @Override public long deviceFeatures() { return 1L << 3; }
        @Override public int queueCount() { return 1; }
        @Override public int configSize() { return config.length; }
        @Override public byte[] readConfig() { return config.clone(); }
        @Override public void writeConfig(int offset, byte[] data) { System.arraycopy(data, 0, config, offset, data.length); }
        @Override public void attach(Transport t) { transport = t; }
        @Override public void reset() { resets++; }
        @Override public int snapshotVersion() { return 1; }
        @Override public void save(org.vitrine.emulator.snapshot.StateWriter out) { out.i32(resets); }
        @Override public Runnable load(org.vitrine.emulator.snapshot.StateReader in, int version)
                throws org.vitrine.emulator.snapshot.SnapshotException {
            int r = in.i32();
            return () -> resets = r;
        }

        @Override
        public void onNotify(int index) {
            Virtqueue q = transport.queue(index);
            Virtqueue.Chain c;
            boolean any = false;
            while ((c = q.pop()) != null) {
                byte[] r = c.readAll(1 << 20);
                byte[] fill = new byte[(int) c.writableBytes()];
                java.util.Arrays.fill(fill, (byte) 0xA5);
                c.write(0, fill, 0, fill.length);
                seen.add(new Seen(c.head(), r, c.writableBytes(), c.readableSegments() + c.writableSegments()));
                q.push(c, fill.length);
                any = true;
            }
            if (any) q.notifyGuest();
        }
    }

    SinkDevice dev;
    VirtioTestDriver d;

    @BeforeEach
    void setUp() {
        dev = new SinkDevice();
        d = new VirtioTestDriver(dev);
    }

    @AfterEach
    void tearDown() {
        d.close();
    }

    Queue ready(long extra) {
        d.init(extra);
        Queue q = d.queue(0, 8);
        d.driverOk();
        return q;
    }

    // ---- Identification and negotiation ------------------------------------------------------

    @Test
    void identification() {
        assertEquals(0x74726976, d.reg(MAGIC));
        assertEquals(2, d.reg(VERSION));
        assertEquals(42, d.reg(DEVICE_ID));
        assertEquals(0x554D4551, d.reg(VENDOR_ID));
        assertEquals(0x200, d.mmio.size());
    }

    @Test
    void offersVersion1RingFeaturesAndDeviceBits() {
        long f = d.deviceFeatures();
        assertEquals(VERSION_1 | INDIRECT_DESC | EVENT_IDX | (1L << 3), f);
        d.reg(DEVICE_FEATURES_SEL, 2);
        assertEquals(0, d.reg(DEVICE_FEATURES));
    }

    @Test
    void behindAnIommuAccessPlatformIsOfferedAndNeedNotBeAccepted() {
        VirtioMmio behind = new VirtioMmio(new SinkDevice(), d.dma, d.irq, d.log, true);
        behind.write(DEVICE_FEATURES_SEL, 4, 1);
        assertEquals((VERSION_1 | 1L << VirtioMmio.F_ACCESS_PLATFORM) >>> 32, behind.read(DEVICE_FEATURES, 4));
        assertEquals(0, (d.deviceFeatures() >>> VirtioMmio.F_ACCESS_PLATFORM) & 1, "not offered without an IOMMU");
        // A driver that ignores it (rost's) still gets FEATURES_OK.
        behind.write(STATUS, 4, ACKNOWLEDGE | DRIVER);
        behind.write(DRIVER_FEATURES_SEL, 4, 1);
        behind.write(DRIVER_FEATURES, 4, VERSION_1 >>> 32);
        behind.write(STATUS, 4, ACKNOWLEDGE | DRIVER | FEATURES_OK);
        assertEquals(ACKNOWLEDGE | DRIVER | FEATURES_OK, behind.read(STATUS, 4));
    }

    @Test
    void handshakeReachesDriverOk() {
        d.reg(STATUS, ACKNOWLEDGE);
        assertEquals(ACKNOWLEDGE, d.status());
        d.reg(STATUS, ACKNOWLEDGE | DRIVER);
        assertEquals(ACKNOWLEDGE | DRIVER, d.status());
        int st = d.negotiate(VERSION_1 | INDIRECT_DESC);
        assertEquals(ACKNOWLEDGE | DRIVER | FEATURES_OK, st);
        assertEquals(VERSION_1 | INDIRECT_DESC, d.mmio.negotiatedFeatures());
        d.queue(0, 8);
        d.driverOk();
        assertEquals(ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK, d.status());
    }

    @Test
    void refusesDriverWithoutVersion1() {
        long before = d.log.count();
        int st = d.negotiate(INDIRECT_DESC);
        assertEquals(0, st & FEATURES_OK);
        assertTrue(d.log.count() > before);
        assertEquals(0, d.mmio.negotiatedFeatures());
    }

    @Test
    void refusesFeaturesNotOffered() {
        int st = d.negotiate(VERSION_1 | (1L << 5));
        assertEquals(0, st & FEATURES_OK);
    }

    @Test
    void featuresAreFixedAfterFeaturesOk() {
        d.negotiate(VERSION_1);
        d.reg(DRIVER_FEATURES_SEL, 0);
        d.reg(DRIVER_FEATURES, INDIRECT_DESC);
        d.reg(STATUS, d.status() | DRIVER_OK);
        assertEquals(VERSION_1, d.mmio.negotiatedFeatures());
    }

    @Test
    void queueRegisters() {
        d.reg(QUEUE_SEL, 0);
        assertEquals(1024, d.reg(QUEUE_NUM_MAX));
        assertEquals(0, d.reg(QUEUE_READY));
        d.reg(QUEUE_SEL, 1);
        assertEquals(0, d.reg(QUEUE_NUM_MAX), "no queue 1");
        d.init(0);
        d.queue(0, 8);
        d.reg(QUEUE_SEL, 0);
        assertEquals(1, d.reg(QUEUE_READY));
        d.reg(QUEUE_READY, 0);
        assertEquals(0, d.reg(QUEUE_READY));
    }

    @Test
    void writeZeroResets() {
        Queue q = ready(0);
        q.post(out(d.put(new byte[] {1}), 1));
        q.kick();
        assertNotEquals(0, d.reg(INTERRUPT_STATUS));
        d.reg(STATUS, 0);
        assertEquals(0, d.status());
        assertEquals(0, d.reg(INTERRUPT_STATUS));
        assertFalse(d.irq.level);
        d.reg(QUEUE_SEL, 0);
        assertEquals(0, d.reg(QUEUE_READY));
        assertEquals(0, d.mmio.negotiatedFeatures());
        assertTrue(dev.resets >= 2);
    }

    @Test
    void badRegisterAccessesAreGuestErrors() {
        long before = d.log.count();
        assertEquals(0, d.mmio.read(MAGIC, 2), "16-bit register read");
        assertEquals(0, d.mmio.read(0x0E0, 4), "reserved offset");
        assertEquals(0, d.mmio.read(QUEUE_NOTIFY, 4), "write-only");
        assertEquals(0, d.mmio.read(0x040, 4), "legacy QueuePFN");
        d.reg(MAGIC, 0);
        d.mmio.write(STATUS, 1, 1);
        assertEquals(0, d.status());
        assertEquals(before + 6, d.log.count());
        assertEquals(0xFFFF_FFFFL, d.mmio.read(0x0B0, 4) & 0xFFFF_FFFFL, "SHMLenLow: no region");
    }

    @Test
    void configSpaceAccessSizes() {
        assertEquals(0x01, d.configByte(0));
        assertEquals(0x0403, d.mmio.read(CONFIG + 2, 2));
        assertEquals(0x08070605, d.configWord(4));
        assertEquals(0xFFFF, d.mmio.read(CONFIG + 9, 2), "past the end: all ones");
        d.mmio.write(CONFIG + 1, 2, 0xBEEF);
        assertEquals(0xEF, dev.config[1] & 0xFF);
        assertEquals(0xBE, dev.config[2] & 0xFF);
        d.mmio.write(CONFIG + 8, 4, 0);
        assertEquals(9, dev.config[8], "write past the end ignored");
    }

    @Test
    void configChangeBumpsGenerationAndInterrupts() {
        ready(0);
        int gen = d.reg(CONFIG_GENERATION);
        dev.transport.configChanged();
        assertEquals(gen + 1, d.reg(CONFIG_GENERATION));
        assertEquals(2, d.reg(INTERRUPT_STATUS));
        assertTrue(d.irq.level);
        d.reg(INTERRUPT_ACK, 2);
        assertFalse(d.irq.level);
    }

    // ---- Virtqueue mechanics --------------------------------------------------------------------

    @Test
    void chainedBuffersAndInterruptLevel() {
        Queue q = ready(0);
        long a = d.put(new byte[] {1, 2, 3});
        long b = d.put(new byte[] {4, 5});
        long w1 = d.alloc(4);
        long w2 = d.alloc(6);
        int head = q.post(out(a, 3), out(b, 2), in(w1, 4), in(w2, 6));
        q.kick();
        Used u = q.takeOne();
        assertEquals(head, u.id());
        assertEquals(10, u.len());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, dev.seen.get(0).readable());
        assertArrayEquals(new byte[] {(byte) 0xA5, (byte) 0xA5, (byte) 0xA5, (byte) 0xA5}, d.read(w1, 4));
        assertEquals(1, d.reg(INTERRUPT_STATUS));
        assertTrue(d.irq.level, "level = (InterruptStatus != 0)");
        d.ack();
        assertFalse(d.irq.level);
    }

    @Test
    void indirectChain() {
        Queue q = ready(INDIRECT_DESC);
        long a = d.put(new byte[] {9, 8, 7});
        long w = d.alloc(5);
        int head = q.postIndirect(out(a, 3), in(w, 5));
        q.kick();
        assertEquals(new Used(head, 5), q.takeOne());
        assertArrayEquals(new byte[] {9, 8, 7}, dev.seen.get(0).readable());
        assertEquals(2, dev.seen.get(0).segments());
        assertEquals(0, d.status() & NEEDS_RESET);
    }

    @Test
    void manyChainsAndRingWrap() {
        Queue q = ready(0);
        for (int round = 0; round < 40; round++) {
            q.post(out(d.put(new byte[] {(byte) round}), 1));
            q.post(out(d.put(new byte[] {(byte) (round + 100)}), 1));
            q.kick();
            assertEquals(2, q.takeUsed().size());
        }
        assertEquals(80, dev.seen.size());
        assertEquals(39 + 100, dev.seen.get(79).readable()[0] & 0xFF);
    }

    @Test
    void noInterruptFlagSuppressesInterrupt() {
        Queue q = ready(0);
        q.setAvailFlags(1);
        q.post(out(d.put(new byte[] {1}), 1));
        q.kick();
        assertEquals(1, q.takeUsed().size());
        assertEquals(0, d.reg(INTERRUPT_STATUS));
        assertFalse(d.irq.level);
    }

    @Test
    void eventIdxUsedEventAndAvailEvent() {
        Queue q = ready(EVENT_IDX);
        assertTrue(d.mmio.negotiatedFeatures() != 0 && (d.mmio.negotiatedFeatures() & EVENT_IDX) != 0);
        q.post(out(d.put(new byte[] {1}), 1));
        q.kick();
        assertEquals(1, q.availEvent(), "avail_event follows the device");
        assertEquals(1, d.reg(INTERRUPT_STATUS), "first completion always interrupts");
        d.ack();
        // The driver asks for an interrupt only once used idx passes 3.
        q.setUsedEvent(3);
        q.post(out(d.put(new byte[] {2}), 1));
        q.kick(); // used idx 2: no interrupt
        assertEquals(0, d.reg(INTERRUPT_STATUS));
        q.post(out(d.put(new byte[] {3}), 1));
        q.kick(); // used idx 3: not yet past 3
        assertEquals(0, d.reg(INTERRUPT_STATUS));
        q.post(out(d.put(new byte[] {4}), 1));
        q.kick(); // used idx 4 passes used_event 3
        assertEquals(1, d.reg(INTERRUPT_STATUS));
        assertEquals(4, q.availEvent());
        assertEquals(4, q.takeUsed().size());
    }

    @Test
    void notifyOfQueueNotReadyOrMissingIsIgnored() {
        d.init(0);
        long before = d.log.count();
        d.reg(QUEUE_NOTIFY, 0);
        d.reg(QUEUE_NOTIFY, 7);
        assertEquals(before + 2, d.log.count());
        assertTrue(dev.seen.isEmpty());
    }

    // ---- Malformed queues: DEVICE_NEEDS_RESET, a config interrupt, a guest error, no exception --

    /** Sets up a ready queue, lets {@code corrupt} break it, kicks, and checks the device gave up. */
    void assertNeedsReset(long features, Consumer<Queue> corrupt) {
        Queue q = ready(features);
        long before = d.log.count();
        corrupt.accept(q);
        q.kick();
        assertTrue((d.status() & NEEDS_RESET) != 0, "DEVICE_NEEDS_RESET");
        assertTrue((d.reg(INTERRUPT_STATUS) & 2) != 0, "configuration-change interrupt");
        assertTrue(d.irq.level);
        assertTrue(d.log.count() > before, "guest error logged");
        assertTrue(q.takeUsed().isEmpty(), "nothing completed");
        // A broken device ignores further notifications...
        int seen = dev.seen.size();
        q.post(out(d.put(new byte[] {1}), 1));
        q.kick();
        assertEquals(seen, dev.seen.size());
        // ...until the driver resets it; then it works again.
        Queue fresh = ready(features);
        assertEquals(0, d.status() & NEEDS_RESET);
        fresh.post(out(d.put(new byte[] {7}), 1));
        fresh.kick();
        assertEquals(1, fresh.takeUsed().size());
    }

    @Test
    void descriptorAddressOutsideRam() {
        assertNeedsReset(0, q -> {
            q.writeDesc(0, 0x1000, 16, 0, 0); // below RAM
            q.publish(0);
        });
    }

    @Test
    void descriptorAddressAboveRam() {
        assertNeedsReset(0, q -> {
            q.writeDesc(0, RAM_BASE + RAM_SIZE + 0x1000, 16, WRITE, 0);
            q.publish(0);
        });
    }

    @Test
    void descriptorLengthPastRam() {
        assertNeedsReset(0, q -> {
            q.writeDesc(0, RAM_BASE + RAM_SIZE - 8, 16, 0, 0);
            q.publish(0);
        });
    }

    @Test
    void hugeDescriptorLength() {
        assertNeedsReset(0, q -> {
            q.writeDesc(0, RAM_BASE, 0xFFFF_FFFFL, 0, 0);
            q.publish(0);
        });
    }

    @Test
    void zeroLengthDescriptor() {
        assertNeedsReset(0, q -> {
            q.writeDesc(0, d.alloc(16), 0, 0, 0);
            q.publish(0);
        });
    }

    @Test
    void loopInChain() {
        assertNeedsReset(0, q -> {
            long b = d.alloc(16);
            q.writeDesc(0, b, 16, NEXT, 1);
            q.writeDesc(1, b, 16, NEXT, 0);
            q.publish(0);
        });
    }

    @Test
    void selfLoop() {
        assertNeedsReset(0, q -> {
            q.writeDesc(3, d.alloc(16), 16, NEXT | WRITE, 3);
            q.publish(3);
        });
    }

    @Test
    void nextIndexPastTable() {
        assertNeedsReset(0, q -> {
            q.writeDesc(0, d.alloc(16), 16, NEXT, 8);
            q.publish(0);
        });
    }

    @Test
    void headIndexPastTable() {
        assertNeedsReset(0, q -> q.publish(9));
    }

    @Test
    void availIndexJumpsPastQueueSize() {
        assertNeedsReset(0, q -> q.setAvailIdx(9));
    }

    @Test
    void readableAfterWritable() {
        assertNeedsReset(0, q -> q.post(in(d.alloc(4), 4), out(d.alloc(4), 4)));
    }

    @Test
    void indirectInsideIndirect() {
        assertNeedsReset(INDIRECT_DESC, q -> {
            long inner = d.alloc(16);
            q.writeDescAt(inner, d.alloc(8), 8, 0, 0);
            long table = d.alloc(32);
            q.writeDescAt(table, d.alloc(8), 8, NEXT, 1);
            q.writeDescAt(table + 16, inner, 16, INDIRECT, 0);
            q.writeDesc(0, table, 32, INDIRECT, 0);
            q.publish(0);
        });
    }

    @Test
    void indirectTableBadLength() {
        assertNeedsReset(INDIRECT_DESC, q -> {
            q.writeDesc(0, d.alloc(32), 20, INDIRECT, 0);
            q.publish(0);
        });
    }

    @Test
    void indirectTableEmpty() {
        assertNeedsReset(INDIRECT_DESC, q -> {
            q.writeDesc(0, d.alloc(32), 0, INDIRECT, 0);
            q.publish(0);
        });
    }

    @Test
    void indirectTableOutsideRam() {
        assertNeedsReset(INDIRECT_DESC, q -> {
            q.writeDesc(0, 0x10_0000_0000L, 64, INDIRECT, 0);
            q.publish(0);
        });
    }

    @Test
    void indirectTableLoop() {
        assertNeedsReset(INDIRECT_DESC, q -> {
            long table = d.alloc(32);
            long b = d.alloc(8);
            q.writeDescAt(table, b, 8, NEXT, 1);
            q.writeDescAt(table + 16, b, 8, NEXT, 0);
            q.writeDesc(0, table, 32, INDIRECT, 0);
            q.publish(0);
        });
    }

    @Test
    void indirectInMiddleOfChain() {
        assertNeedsReset(INDIRECT_DESC, q -> {
            long table = d.alloc(16);
            q.writeDescAt(table, d.alloc(8), 8, 0, 0);
            q.writeDesc(0, d.alloc(8), 8, NEXT, 1);
            q.writeDesc(1, table, 16, INDIRECT, 0);
            q.publish(0);
        });
    }

    /** A queue whose rings are bad is refused at QueueReady (before DRIVER_OK: no interrupt, as QEMU). */
    void assertBadRings(int size, long desc, long avail, long used) {
        d.init(0);
        long before = d.log.count();
        d.queue(0, size, desc, avail, used);
        assertTrue((d.status() & NEEDS_RESET) != 0, "DEVICE_NEEDS_RESET");
        assertTrue(d.log.count() > before);
        assertEquals(0, d.reg(INTERRUPT_STATUS), "no interrupt before DRIVER_OK");
        d.reg(STATUS, d.status() | DRIVER_OK);
        assertTrue((d.status() & NEEDS_RESET) != 0, "stays set");
        d.reg(QUEUE_NOTIFY, 0);
        assertTrue(dev.seen.isEmpty());
        d.reg(STATUS, 0);
        assertEquals(0, d.status());
    }

    @Test
    void descriptorTableOutsideRam() {
        assertBadRings(8, 0x2000, d.alloc(64), d.alloc(128));
    }

    @Test
    void availRingOutsideRam() {
        assertBadRings(8, d.alloc(128), RAM_BASE + RAM_SIZE - 4, d.alloc(128));
    }

    @Test
    void usedRingOutsideRam() {
        assertBadRings(8, d.alloc(128), d.alloc(64), -16L);
    }

    @Test
    void queueSizeNotPowerOfTwo() {
        assertBadRings(6, d.alloc(128), d.alloc(64), d.alloc(128));
    }

    @Test
    void queueSizeZeroOrTooBig() {
        assertBadRings(0, d.alloc(128), d.alloc(64), d.alloc(128));
        assertBadRings(2048, d.alloc(2048 * 16), d.alloc(6000), d.alloc(20000));
    }

    @Test
    void errorAfterDriverOkRaisesConfigInterruptOnce() {
        Queue q = ready(0);
        q.publish(100);
        q.kick();
        int gen = d.reg(CONFIG_GENERATION);
        d.ack();
        q.publish(100);
        q.kick();
        assertEquals(0, d.reg(INTERRUPT_STATUS), "already broken: no second interrupt");
        assertEquals(gen, d.reg(CONFIG_GENERATION));
    }

    // ---- A slot with no device ----------------------------------------------------------------

    @Test
    void aTransportWithoutDeviceAnswersNoDevice() {
        GuestLog log = GuestLog.silent();
        MmioDevice empty = VirtioMmio.withoutDevice("virtio-mmio-3 (empty)", log);
        assertEquals("virtio-mmio-3 (empty)", empty.name());
        assertEquals(VirtioMmio.SIZE, empty.size());
        assertEquals(VirtioMmio.MAGIC, empty.read(MAGIC, 4));
        assertEquals(VirtioMmio.VERSION, empty.read(VERSION, 4));
        assertEquals(0, empty.read(DEVICE_ID, 4), "device ID 0: no device");
        assertEquals(VirtioMmio.VENDOR_QEMU, empty.read(VENDOR_ID, 4));
        assertEquals(0, empty.read(STATUS, 4));
        assertEquals(0, empty.read(CONFIG + 0xFC, 4));
        assertEquals(0, log.count(), "probing is not a mistake");
        empty.write(STATUS, 4, ACKNOWLEDGE);
        empty.write(MAGIC, 4, 0);
        assertEquals(2, log.count(GuestLog.Kind.GUEST_ERROR), "writes to an empty slot are");
        assertEquals(2, log.source("virtio-mmio-3 (empty)").count());
        assertEquals(0, empty.read(STATUS, 4));
    }
}
