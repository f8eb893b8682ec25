package org.vitrine.devices.virtio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.vitrine.emulator.display.HostInput;

/**
 * VirtIO input device (VirtIO 1.2 section 5.8, device ID {@value #DEVICE_ID}) in the two flavours
 * rost needs, as QEMU 7.2's hw/input/virtio-input.c and virtio-input-hid.c present them:
 * {@code virtio-keyboard-device} ({@link Kind#KEYBOARD}) and {@code virtio-tablet-device}
 * ({@link Kind#TABLET}, an absolute pointer).
 *
 * <h2>Interface</h2>
 * <ul>
 *   <li>Behind a {@link VirtioMmio} transport. Queue 0 (eventq): the device fills driver buffers
 *       with 8-byte events {le16 type, le16 code, le32 value} in Linux input codes. Queue 1
 *       (statusq): the driver sends events to the device (keyboard LEDs); they are consumed and
 *       ignored.</li>
 *   <li>Host input: the board drains {@link HostInput} on the emulation thread and hands the list
 *       to {@link #deliver(List)} of every input device; each takes the events whose
 *       {@link HostInput.Target} is its own flavour. An event group ends with EV_SYN/SYN_REPORT
 *       ({@link HostInput#sync}) and reaches the guest whole or not at all, as in QEMU.</li>
 * </ul>
 *
 * <h2>Configuration space (struct virtio_input_config)</h2>
 * u8 select, u8 subsel, u8 size, u8 reserved[5], then the answer; the space is 8 bytes plus the
 * longest answer, as QEMU sizes it. Answers, exactly QEMU's:
 * <ul>
 *   <li>ID_NAME (0x01): "QEMU Virtio Keyboard" / "QEMU Virtio Tablet", size counting the NUL
 *       (QEMU uses sizeof of the literal).</li>
 *   <li>ID_SERIAL (0x02): the serial given to the constructor, without NUL; absent (size 0) when
 *       there is none, QEMU's default.</li>
 *   <li>ID_DEVIDS (0x03): bustype 0x06 (BUS_VIRTUAL), vendor 0x0627, product 0x0001 keyboard /
 *       0x0003 tablet, version 0x0001 keyboard / 0x0002 tablet (QEMU's tablet reports version 2
 *       since it gained its wheel axis; the keyboard stays at 1).</li>
 *   <li>PROP_BITS (0x10): none (size 0) for both.</li>
 *   <li>EV_BITS (0x11), subsel = event type. Keyboard: EV_KEY, the {@value #KEYBOARD_KEY_COUNT}
 *       Linux key codes QEMU's qcode-to-linux table can produce (keycodemapdb as of QEMU 7.2, up to
 *       KEY_MEDIA 226: bitmap of 29 bytes); EV_REP (size 1, empty bitmap); EV_LED (NUML, CAPSL,
 *       SCROLLL). Tablet: EV_KEY with BTN_LEFT, BTN_RIGHT, BTN_MIDDLE, BTN_SIDE, BTN_EXTRA,
 *       BTN_GEAR_DOWN, BTN_GEAR_UP (QEMU 7.2's keymap_button); EV_ABS with ABS_X, ABS_Y; EV_REL
 *       with REL_WHEEL.</li>
 *   <li>ABS_INFO (0x12), tablet, subsel ABS_X / ABS_Y: min 0, max 32767, fuzz, flat, res 0.</li>
 *   <li>Anything else: the whole space reads as zeros (select and subsel included), as QEMU.</li>
 * </ul>
 * Writing select or subsel raises a configuration-change interrupt once DRIVER_OK is set, as
 * QEMU's virtio_input_set_config does.
 *
 * <h2>Events</h2>
 * Events are dropped while DRIVER_OK is clear (QEMU's "active"), and events of a type or code the
 * device does not advertise are dropped with a log line. A completed group goes to the guest when
 * the event queue has a buffer for each of its events; otherwise it waits (QEMU would drop it;
 * Vitrine keeps it so scripted input is not lost to a busy guest). At most {@value #MAX_PENDING}
 * events wait: beyond that the oldest groups are dropped, with a log line. A group longer than
 * the queue can ever hold is dropped at once. A buffer shorter than 8 bytes gets what fits (a
 * guest error, as QEMU writes what fits).
 *
 * <h2>Not modelled</h2>
 * The mouse and multi-touch flavours, keyboard LED state (status events are read and ignored;
 * QEMU forwards them to the host keyboard), and input latency: events reach the guest at the cycle
 * {@link #deliver} is called. The status queue's used length is 0 (bytes written by the device,
 * per the spec; QEMU puts the bytes it read there).
 *
 * <p>Used only from the emulation thread; not thread-safe.
 */
public final class VirtioInput implements VirtioDevice {
    public static final int DEVICE_ID = 18;

    /** Which QEMU device this is. */
    public enum Kind { KEYBOARD, TABLET }

    public static final int QUEUE_EVENTS = 0;
    public static final int QUEUE_STATUS = 1;
    /** Events that may wait for guest buffers before the oldest groups are dropped. */
    public static final int MAX_PENDING = 1024;
    static final int EVENT_SIZE = 8;

    // ---- Configuration selectors (section 5.8.4) -----------------------------------------------
    public static final int CFG_UNSET = 0x00;
    public static final int CFG_ID_NAME = 0x01;
    public static final int CFG_ID_SERIAL = 0x02;
    public static final int CFG_ID_DEVIDS = 0x03;
    public static final int CFG_PROP_BITS = 0x10;
    public static final int CFG_EV_BITS = 0x11;
    public static final int CFG_ABS_INFO = 0x12;

    private static final int CFG_SELECT = 0;
    private static final int CFG_SUBSEL = 1;
    private static final int CFG_SIZE = 2;
    private static final int CFG_UNION = 8;
    private static final int CFG_UNION_MAX = 128;

    // ---- Linux input codes (linux/input-event-codes.h) ----------------------------------------
    static final int EV_SYN = 0x00;
    static final int EV_KEY = 0x01;
    static final int EV_REL = 0x02;
    static final int EV_ABS = 0x03;
    static final int EV_LED = 0x11;
    static final int EV_REP = 0x14;
    static final int SYN_REPORT = 0;
    static final int LED_NUML = 0;
    static final int LED_CAPSL = 1;
    static final int LED_SCROLLL = 2;
    static final int ABS_X = 0x00;
    static final int ABS_Y = 0x01;
    static final int REL_WHEEL = 0x08;
    static final int BTN_LEFT = 0x110;
    static final int BTN_RIGHT = 0x111;
    static final int BTN_MIDDLE = 0x112;
    static final int BTN_SIDE = 0x113;
    static final int BTN_EXTRA = 0x114;
    static final int BTN_GEAR_DOWN = 0x150;
    static final int BTN_GEAR_UP = 0x151;
    static final int BUS_VIRTUAL = 0x06;
    static final int VENDOR_QEMU = 0x0627;
    /** INPUT_EVENT_ABS_MAX of QEMU's ui/input. */
    public static final int ABS_MAX = 0x7FFF;

    /**
     * Linux key codes QEMU's keyboard sends (those in qemu_input_map_qcode_to_linux, from
     * keycodemapdb's keymaps.csv as QEMU 7.2 ships it), as inclusive ranges.
     */
    private static final int[][] KEYBOARD_KEYS = {
        {1, 83}, {86, 89}, {91, 94}, {96, 111}, {113, 117}, {119, 119}, {121, 140}, {142, 143},
        {155, 159}, {163, 166}, {172, 173}, {226, 226},
    };
    static final int KEYBOARD_KEY_COUNT = 147;
    private static final int[] TABLET_BUTTONS = {BTN_LEFT, BTN_RIGHT, BTN_MIDDLE, BTN_SIDE, BTN_EXTRA, BTN_GEAR_DOWN, BTN_GEAR_UP};

    private record Event(int type, int code, int value) { }

    // ---- State --------------------------------------------------------------------------------

    private final Kind kind;
    private final HostInput.Target target;
    /** Answers by (select << 8 | subsel). */
    private final Map<Integer, byte[]> answers = new LinkedHashMap<>();
    private final int configSize;
    private final Set<Long> warnedUnsupported = new HashSet<>();
    private Transport transport;

    private int select;
    private int subsel;
    private List<Event> group = new ArrayList<>();
    private final ArrayDeque<List<Event>> pending = new ArrayDeque<>();
    private int pendingEvents;
    private long dropped;

    public VirtioInput(Kind kind) {
        this(kind, null);
    }

    /** @param serial the ID_SERIAL answer (QEMU's {@code serial=} property), or null for none */
    public VirtioInput(Kind kind, String serial) {
        this.kind = kind;
        if (kind == Kind.KEYBOARD) {
            target = HostInput.Target.KEYBOARD;
            answer(CFG_ID_NAME, 0, cString("QEMU Virtio Keyboard"));
            answer(CFG_ID_DEVIDS, 0, devids(0x0001, 0x0001));
            answer(CFG_EV_BITS, EV_REP, new byte[1]);
            answer(CFG_EV_BITS, EV_LED, bitmap(LED_NUML, LED_CAPSL, LED_SCROLLL));
            List<Integer> keys = new ArrayList<>();
            for (int[] r : KEYBOARD_KEYS) for (int k = r[0]; k <= r[1]; k++) keys.add(k);
            answer(CFG_EV_BITS, EV_KEY, bitmap(keys.stream().mapToInt(Integer::intValue).toArray()));
        } else {
            target = HostInput.Target.TABLET;
            answer(CFG_ID_NAME, 0, cString("QEMU Virtio Tablet"));
            answer(CFG_ID_DEVIDS, 0, devids(0x0003, 0x0002));
            answer(CFG_EV_BITS, EV_ABS, bitmap(ABS_X, ABS_Y));
            answer(CFG_EV_BITS, EV_REL, bitmap(REL_WHEEL));
            answer(CFG_ABS_INFO, ABS_X, absinfo(0, ABS_MAX));
            answer(CFG_ABS_INFO, ABS_Y, absinfo(0, ABS_MAX));
            answer(CFG_EV_BITS, EV_KEY, bitmap(TABLET_BUTTONS));
        }
        if (serial != null) {
            byte[] s = serial.getBytes(StandardCharsets.UTF_8);
            answer(CFG_ID_SERIAL, 0, java.util.Arrays.copyOf(s, Math.min(s.length, CFG_UNION_MAX - 1)));
        }
        int longest = 0;
        for (byte[] a : answers.values()) longest = Math.max(longest, a.length);
        this.configSize = CFG_UNION + longest;
    }

    private void answer(int sel, int sub, byte[] payload) {
        answers.put(sel << 8 | sub, payload);
    }

    private static byte[] cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return java.util.Arrays.copyOf(b, b.length + 1);
    }

    private static byte[] devids(int product, int version) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) BUS_VIRTUAL).putShort((short) VENDOR_QEMU).putShort((short) product).putShort((short) version).array();
    }

    /** A bitmap as QEMU builds one: as many bytes as reach the highest bit. */
    private static byte[] bitmap(int... bits) {
        int top = 0;
        for (int b : bits) top = Math.max(top, b);
        byte[] map = new byte[top / 8 + 1];
        for (int b : bits) map[b / 8] |= (byte) (1 << (b % 8));
        return map;
    }

    private static byte[] absinfo(int min, int max) {
        return ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putInt(min).putInt(max).array(); // fuzz, flat, res 0
    }

    public Kind kind() {
        return kind;
    }

    // ---- Host side ----------------------------------------------------------------------------

    /**
     * Hands host events to the guest: those for this flavour are taken, the others ignored. Call
     * on the emulation thread, with the events of a {@link HostInput.Delivery}.
     */
    public void deliver(List<HostInput.Event> events) {
        for (HostInput.Event e : events) {
            if (e.target() == target) accept(e.type(), e.code(), e.value());
        }
        flush();
    }

    /** One event (on the emulation thread); {@code deliver(List)} is the usual way. */
    public void deliver(HostInput.Event e) {
        deliver(List.of(e));
    }

    /** Events waiting for guest buffers (complete groups only). */
    public int pendingEvents() {
        return pendingEvents;
    }

    private void accept(int type, int code, int value) {
        if (transport == null || !transport.driverOk()) return; // QEMU: not active, dropped
        if (type == EV_SYN && code == SYN_REPORT) {
            if (group.isEmpty()) return; // an empty report tells the guest nothing
            group.add(new Event(type, code, value));
            pending.addLast(group);
            pendingEvents += group.size();
            group = new ArrayList<>();
            while (pendingEvents > MAX_PENDING && pending.size() > 1) dropOldest("the guest is not taking events");
            return;
        }
        if (!supported(type, code)) {
            if (warnedUnsupported.add((long) type << 32 | code)) {
                hostLog("dropping event type 0x%x code 0x%x: not advertised by the %s", type, code, kind.name().toLowerCase());
            }
            return;
        }
        if (group.size() >= MAX_PENDING) {
            hostLog("event group longer than %d events without EV_SYN; dropping its oldest event", MAX_PENDING);
            group.remove(0);
        }
        group.add(new Event(type, code, value));
    }

    private boolean supported(int type, int code) {
        // EV_REP and EV_LED are advertised but travel guest-to-device only.
        if (type == EV_REP || type == EV_LED || type < 0 || type > 0xFF || code < 0) return false;
        byte[] bits = answers.get(CFG_EV_BITS << 8 | type);
        return bits != null && code / 8 < bits.length && (bits[code / 8] & (1 << (code % 8))) != 0;
    }

    private void dropOldest(String why) {
        List<Event> g = pending.pollFirst();
        if (g == null) return;
        pendingEvents -= g.size();
        if (dropped == 0) hostLog("%s: dropping the oldest event groups", why);
        dropped += g.size();
    }

    /** Moves waiting groups into the guest's buffers while whole groups fit. */
    private void flush() {
        if (transport == null || transport.broken()) return;
        Virtqueue q = transport.queue(QUEUE_EVENTS);
        if (!q.isReady()) return;
        boolean pushed = false;
        while (!pending.isEmpty()) {
            List<Event> g = pending.peekFirst();
            if (g.size() > q.size()) {
                dropOldest("event group of " + g.size() + " events cannot fit a queue of " + q.size());
                continue;
            }
            if (q.available() < g.size()) break;
            for (Event e : g) {
                Virtqueue.Chain c = q.pop();
                if (c == null) return; // malformed queue: the device is now broken
                byte[] ev = ByteBuffer.allocate(EVENT_SIZE).order(ByteOrder.LITTLE_ENDIAN)
                        .putShort((short) e.type()).putShort((short) e.code()).putInt(e.value()).array();
                if (c.writableBytes() < EVENT_SIZE) {
                    transport.log().guestError("event buffer %d has %d device-writable bytes, an event takes %d",
                            c.head(), c.writableBytes(), EVENT_SIZE);
                }
                int n = c.write(0, ev, 0, EVENT_SIZE);
                if (n < 0) return;
                q.push(c, n);
                pushed = true;
            }
            pending.removeFirst();
            pendingEvents -= g.size();
            if (dropped > 0) {
                hostLog("delivering again after dropping %d events", dropped);
                dropped = 0;
            }
        }
        if (pushed) q.notifyGuest();
    }

    private void drainStatus() {
        Virtqueue q = transport.queue(QUEUE_STATUS);
        boolean pushed = false;
        Virtqueue.Chain c;
        while ((c = q.pop()) != null) {
            byte[] ev = c.readAll(EVENT_SIZE);
            if (ev == null) return;
            if (ev.length < EVENT_SIZE) {
                transport.log().guestError("status buffer %d has %d device-readable bytes, an event takes %d", c.head(), ev.length, EVENT_SIZE);
            }
            // EV_LED from the keyboard driver: the host keyboard's LEDs are not modelled.
            q.push(c, 0);
            pushed = true;
        }
        if (pushed) q.notifyGuest();
    }

    private void hostLog(String fmt, Object... args) {
        System.err.println("[" + name() + "] " + String.format(fmt, args));
    }

    // ---- VirtioDevice -------------------------------------------------------------------------

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public String name() {
        return kind == Kind.KEYBOARD ? "virtio-keyboard" : "virtio-tablet";
    }

    @Override
    public long deviceFeatures() {
        return 0;
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public int configSize() {
        return configSize;
    }

    @Override
    public byte[] readConfig() {
        byte[] cfg = new byte[configSize];
        byte[] a = answers.get(select << 8 | subsel);
        if (a != null) {
            cfg[CFG_SELECT] = (byte) select;
            cfg[CFG_SUBSEL] = (byte) subsel;
            cfg[CFG_SIZE] = (byte) a.length;
            System.arraycopy(a, 0, cfg, CFG_UNION, Math.min(a.length, configSize - CFG_UNION));
        }
        return cfg;
    }

    @Override
    public void writeConfig(int offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            int at = offset + i;
            if (at == CFG_SELECT) select = data[i] & 0xFF;
            else if (at == CFG_SUBSEL) subsel = data[i] & 0xFF;
            // QEMU ignores writes to the rest (read-only fields).
        }
        transport.configChanged(); // QEMU virtio_input_set_config -> virtio_notify_config
    }

    @Override
    public void attach(Transport t) {
        this.transport = t;
    }

    @Override
    public void onNotify(int index) {
        if (index == QUEUE_EVENTS) {
            flush(); // new buffers: waiting events may fit now
        } else {
            drainStatus();
        }
    }

    @Override
    public void reset() {
        select = 0;
        subsel = 0;
        group = new ArrayList<>();
        pending.clear();
        pendingEvents = 0;
        dropped = 0;
    }

    // ---- Snapshot (nested in the transport's section) ------------------------------------------

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /** Layout: i32 select, subsel; the group being built; i32 n waiting groups, each; i64 dropped. A group: i32 n, n x 3 i32. */
    @Override
    public void save(org.vitrine.emulator.snapshot.StateWriter out) {
        out.i32(select).i32(subsel);
        saveGroup(out, group);
        out.i32(pending.size());
        for (List<Event> g : pending) saveGroup(out, g);
        out.i64(dropped);
    }

    private static void saveGroup(org.vitrine.emulator.snapshot.StateWriter out, List<Event> g) {
        out.i32(g.size());
        for (Event e : g) out.i32(e.type()).i32(e.code()).i32(e.value());
    }

    private static List<Event> loadGroup(org.vitrine.emulator.snapshot.StateReader in) throws org.vitrine.emulator.snapshot.SnapshotException {
        int n = in.i32("an event group's length", 0, MAX_PENDING);
        List<Event> g = new ArrayList<>(n);
        for (int i = 0; i < n; i++) g.add(new Event(in.i32("an event type", 0, 0xFFFF), in.i32("an event code", 0, 0xFFFF), in.i32()));
        return g;
    }

    @Override
    public Runnable load(org.vitrine.emulator.snapshot.StateReader in, int version) throws org.vitrine.emulator.snapshot.SnapshotException {
        int sel = in.i32("the config select", 0, 0xFF), sub = in.i32("the config subselect", 0, 0xFF);
        List<Event> building = loadGroup(in);
        int n = in.i32("waiting groups", 0, MAX_PENDING);
        List<List<Event>> waiting = new ArrayList<>(n);
        int events = 0;
        for (int i = 0; i < n; i++) {
            List<Event> g = loadGroup(in);
            events += g.size();
            waiting.add(g);
        }
        long drops = in.i64("events dropped", 0, Long.MAX_VALUE);
        int total = events;
        return () -> {
            select = sel;
            subsel = sub;
            group = new ArrayList<>(building);
            pending.clear();
            pending.addAll(waiting);
            pendingEvents = total;
            dropped = drops;
        };
    }
}
