package org.vitrine.devices.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vitrine.devices.virtio.VirtioTestDriver.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vitrine.devices.virtio.VirtioTestDriver.Queue;
import org.vitrine.emulator.display.HostInput;
import org.vitrine.emulator.display.HostInput.Target;

class VirtioInputTest {
    static final int KEY_A = 30, KEY_ENTER = 28, KEY_LEFTSHIFT = 42, KEY_MEDIA = 226, KEY_F13 = 183;

    VirtioInput dev;
    VirtioTestDriver d;
    Queue events;
    Queue status;
    final List<Long> buffers = new ArrayList<>();

    @AfterEach
    void tearDown() {
        if (d != null) d.close();
    }

    void open(VirtioInput.Kind kind, String serial, boolean driverOk) {
        dev = new VirtioInput(kind, serial);
        d = new VirtioTestDriver(dev);
        d.init(0);
        events = d.queue(0, 64);
        status = d.queue(1, 64);
        if (driverOk) d.driverOk();
    }

    /** Posts {@code n} 8-byte event buffers (without kicking). */
    void addBuffers(int n) {
        for (int i = 0; i < n; i++) {
            long b = d.alloc(8);
            d.write(b, new byte[] {-1, -1, -1, -1, -1, -1, -1, -1});
            buffers.add(b);
            events.post(in(b, 8));
        }
    }

    record Ev(int type, int code, int value) { }

    /** The events the device has completed since the last call, in order. */
    List<Ev> received() {
        List<Ev> out = new ArrayList<>();
        for (Used u : events.takeUsed()) {
            assertEquals(8, u.len());
            ByteBuffer b = d.readLe(buffers.get(u.id()), 8);
            out.add(new Ev(b.getShort(0) & 0xFFFF, b.getShort(2) & 0xFFFF, b.getInt(4)));
        }
        return out;
    }

    static HostInput.Event key(int code, int value) {
        return new HostInput.Event(Target.KEYBOARD, HostInput.EV_KEY, code, value);
    }

    /** Selects (select, subsel) and returns size and the answer bytes. */
    byte[] query(int select, int subsel) {
        d.mmio.write(CONFIG, 1, select);
        d.mmio.write(CONFIG + 1, 1, subsel);
        int size = d.configByte(2);
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) b[i] = (byte) d.configByte(8 + i);
        return b;
    }

    static boolean bit(byte[] map, int n) {
        return n / 8 < map.length && (map[n / 8] & (1 << (n % 8))) != 0;
    }

    // ---- Configuration ------------------------------------------------------------------------

    @Test
    void keyboardConfig() {
        open(VirtioInput.Kind.KEYBOARD, null, false);
        assertEquals(18, d.reg(DEVICE_ID));
        assertEquals(8 + 29, dev.configSize(), "8 + the longest answer (the key bitmap)");
        assertArrayEquals("QEMU Virtio Keyboard\0".getBytes(StandardCharsets.US_ASCII), query(0x01, 0));
        assertEquals(0, query(0x02, 0).length, "no serial");
        ByteBuffer ids = ByteBuffer.wrap(query(0x03, 0)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(8, ids.capacity());
        assertEquals(0x06, ids.getShort(0));
        assertEquals(0x0627, ids.getShort(2));
        assertEquals(0x0001, ids.getShort(4));
        assertEquals(0x0001, ids.getShort(6));
        assertEquals(0, query(0x10, 0).length, "no property bits");
        byte[] keys = query(0x11, 0x01);
        assertEquals(29, keys.length);
        assertTrue(bit(keys, KEY_A) && bit(keys, KEY_ENTER) && bit(keys, KEY_LEFTSHIFT) && bit(keys, KEY_MEDIA));
        assertFalse(bit(keys, 0) || bit(keys, 84) || bit(keys, 85) || bit(keys, 120) || bit(keys, KEY_F13));
        int count = 0;
        for (int k = 0; k < 29 * 8; k++) if (bit(keys, k)) count++;
        assertEquals(147, count);
        assertArrayEquals(new byte[] {0}, query(0x11, 0x14), "EV_REP: size 1, empty");
        assertArrayEquals(new byte[] {7}, query(0x11, 0x11), "EV_LED: NUML, CAPSL, SCROLLL");
        assertEquals(0, query(0x11, 0x02).length, "no EV_REL");
        assertEquals(0, query(0x12, 0x00).length, "no ABS_INFO");
    }

    @Test
    void unknownSelectionReadsAllZero() {
        open(VirtioInput.Kind.KEYBOARD, null, false);
        query(0x7F, 3);
        for (int i = 0; i < dev.configSize(); i++) assertEquals(0, d.configByte(i), "byte " + i);
        assertEquals(0xFF, d.mmio.read(CONFIG + dev.configSize(), 1), "past the space");
    }

    @Test
    void tabletConfig() {
        open(VirtioInput.Kind.TABLET, "tab-1", false);
        assertArrayEquals("QEMU Virtio Tablet\0".getBytes(StandardCharsets.US_ASCII), query(0x01, 0));
        assertArrayEquals("tab-1".getBytes(StandardCharsets.US_ASCII), query(0x02, 0));
        ByteBuffer ids = ByteBuffer.wrap(query(0x03, 0)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x0003, ids.getShort(4));
        assertEquals(0x0002, ids.getShort(6), "QEMU's tablet with a wheel axis is version 2");
        byte[] btn = query(0x11, 0x01);
        assertEquals(0x151 / 8 + 1, btn.length);
        assertTrue(bit(btn, HostInput.BTN_LEFT) && bit(btn, HostInput.BTN_RIGHT) && bit(btn, HostInput.BTN_MIDDLE));
        assertFalse(bit(btn, KEY_A));
        assertArrayEquals(new byte[] {3}, query(0x11, 0x03), "EV_ABS: ABS_X, ABS_Y");
        assertArrayEquals(new byte[] {0, 1}, query(0x11, 0x02), "EV_REL: REL_WHEEL");
        for (int axis = 0; axis < 2; axis++) {
            ByteBuffer abs = ByteBuffer.wrap(query(0x12, axis)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            assertEquals(20, abs.capacity());
            assertEquals(0, abs.getInt(0));
            assertEquals(32767, abs.getInt(4));
            assertEquals(0, abs.getInt(8) | abs.getInt(12) | abs.getInt(16));
        }
        assertEquals(0, query(0x12, 2).length);
        assertEquals(8 + 43, dev.configSize());
    }

    @Test
    void selectWriteAfterDriverOkRaisesConfigInterruptAsQemu() {
        open(VirtioInput.Kind.KEYBOARD, null, true);
        int gen = d.reg(CONFIG_GENERATION);
        query(0x01, 0);
        assertEquals(2, d.reg(INTERRUPT_STATUS) & 2);
        assertTrue(d.reg(CONFIG_GENERATION) > gen);
    }

    // ---- Events -------------------------------------------------------------------------------

    @Test
    void keyPressReachesTheGuest() {
        open(VirtioInput.Kind.KEYBOARD, null, true);
        addBuffers(4);
        events.kick();
        dev.deliver(List.of(key(KEY_A, 1), HostInput.sync(Target.KEYBOARD), key(KEY_A, 0), HostInput.sync(Target.KEYBOARD)));
        assertEquals(List.of(new Ev(1, KEY_A, 1), new Ev(0, 0, 0), new Ev(1, KEY_A, 0), new Ev(0, 0, 0)), received());
        assertEquals(1, d.reg(INTERRUPT_STATUS));
        assertTrue(d.irq.level);
    }

    @Test
    void tabletMoveAndClick() {
        open(VirtioInput.Kind.TABLET, null, true);
        addBuffers(8);
        dev.deliver(List.of(
                new HostInput.Event(Target.TABLET, HostInput.EV_ABS, HostInput.ABS_X, 16384),
                new HostInput.Event(Target.TABLET, HostInput.EV_ABS, HostInput.ABS_Y, 100),
                new HostInput.Event(Target.TABLET, HostInput.EV_KEY, HostInput.BTN_LEFT, 1),
                HostInput.sync(Target.TABLET),
                new HostInput.Event(Target.TABLET, HostInput.EV_REL, HostInput.REL_WHEEL, -1),
                HostInput.sync(Target.TABLET)));
        assertEquals(List.of(new Ev(3, 0, 16384), new Ev(3, 1, 100), new Ev(1, 0x110, 1), new Ev(0, 0, 0),
                new Ev(2, 8, -1), new Ev(0, 0, 0)), received());
    }

    @Test
    void eventsWaitForBuffers() {
        open(VirtioInput.Kind.KEYBOARD, null, true);
        dev.deliver(List.of(key(KEY_ENTER, 1), HostInput.sync(Target.KEYBOARD)));
        assertEquals(2, dev.pendingEvents());
        assertEquals(0, d.reg(INTERRUPT_STATUS));
        addBuffers(1);
        events.kick();
        assertTrue(received().isEmpty(), "a group goes whole or not at all");
        addBuffers(1);
        events.kick();
        assertEquals(List.of(new Ev(1, KEY_ENTER, 1), new Ev(0, 0, 0)), received());
        assertEquals(0, dev.pendingEvents());
    }

    @Test
    void pendingEventsAreBoundedDroppingOldest() {
        open(VirtioInput.Kind.KEYBOARD, null, true);
        for (int i = 0; i < 1000; i++) {
            dev.deliver(List.of(key(KEY_A, i & 1), HostInput.sync(Target.KEYBOARD)));
        }
        assertTrue(dev.pendingEvents() <= VirtioInput.MAX_PENDING);
        assertEquals(VirtioInput.MAX_PENDING, dev.pendingEvents());
        addBuffers(64);
        events.kick();
        List<Ev> got = received();
        assertEquals(64, got.size());
        // 1000 groups of 2, 512 kept: the first kept is group 488 (value 0).
        assertEquals(new Ev(1, KEY_A, 0), got.get(0));
    }

    @Test
    void eventsBeforeDriverOkAreDropped() {
        open(VirtioInput.Kind.KEYBOARD, null, false);
        addBuffers(4);
        dev.deliver(List.of(key(KEY_A, 1), HostInput.sync(Target.KEYBOARD)));
        assertEquals(0, dev.pendingEvents());
        d.driverOk();
        events.kick();
        assertTrue(received().isEmpty());
    }

    @Test
    void otherTargetsAndUnadvertisedCodesAreIgnored() {
        open(VirtioInput.Kind.KEYBOARD, null, true);
        addBuffers(8);
        dev.deliver(List.of(
                new HostInput.Event(Target.TABLET, HostInput.EV_ABS, 0, 5), HostInput.sync(Target.TABLET),
                key(KEY_F13, 1), key(KEY_A, 1), HostInput.sync(Target.KEYBOARD)));
        assertEquals(List.of(new Ev(1, KEY_A, 1), new Ev(0, 0, 0)), received());
    }

    @Test
    void statusQueueIsConsumed() {
        open(VirtioInput.Kind.KEYBOARD, null, true);
        long led = d.put(le(8).putShort((short) 0x11).putShort((short) 1).putInt(1).array());
        status.post(out(led, 8));
        status.kick();
        assertEquals(new Used(0, 0), status.takeOne());
        assertEquals(1, d.reg(INTERRUPT_STATUS));
        assertEquals(0, d.status() & NEEDS_RESET);
    }

    @Test
    void shortEventBufferGetsWhatFits() {
        open(VirtioInput.Kind.KEYBOARD, null, true);
        long before = d.log.count();
        long small = d.alloc(4);
        events.post(in(small, 4));
        events.post(in(d.alloc(8), 8));
        dev.deliver(List.of(key(KEY_A, 1), HostInput.sync(Target.KEYBOARD)));
        List<Used> used = events.takeUsed();
        assertEquals(4, used.get(0).len());
        assertEquals(8, used.get(1).len());
        assertTrue(d.log.count() > before);
    }

    @Test
    void resetForgetsPendingEvents() {
        open(VirtioInput.Kind.KEYBOARD, null, true);
        dev.deliver(List.of(key(KEY_A, 1), HostInput.sync(Target.KEYBOARD)));
        assertEquals(2, dev.pendingEvents());
        d.reg(STATUS, 0);
        assertEquals(0, dev.pendingEvents());
    }
}
