package org.vitrine.emulator.display;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Input from the host (window callbacks, scripted scenarios) on its way to the guest's input
 * devices. Any thread may {@link #post}; the emulation thread {@link #drain}s at a point in virtual
 * time, so the guest sees each event at a definite cycle.
 *
 * <p>Events use Linux input codes, as virtio-input does: {@code type} EV_KEY (1) with a KEY_* or
 * BTN_* code and value 1 press / 0 release; EV_ABS (3) with ABS_X / ABS_Y (0 / 1) in 0..32767;
 * EV_REL (2) with REL_WHEEL (8). A {@link #SYNC} event closes each group, as EV_SYN does.
 *
 * <p>Each {@link #deliver} that hands events to the devices is one {@link Delivery}, stamped with
 * the machine's cycle: {@code vitrine run --record} writes them down, and the debugger keeps them
 * to give them again when it replays a stretch it rewound over ({@link #replay}). While the
 * debugger replays the past, new host input is {@link #hold held} until the machine is back
 * in the present.
 */
public final class HostInput {
    public static final int EV_SYN = 0, EV_KEY = 1, EV_REL = 2, EV_ABS = 3;
    public static final int ABS_X = 0, ABS_Y = 1, REL_WHEEL = 8;
    public static final int BTN_LEFT = 0x110, BTN_RIGHT = 0x111, BTN_MIDDLE = 0x112;

    /** Which guest device an event is for. */
    public enum Target { KEYBOARD, TABLET }

    public record Event(Target target, int type, int code, int value) { }

    /** Events the devices were given at one virtual instant. */
    public record Delivery(long cycle, List<Event> events) {
        public Delivery {
            events = List.copyOf(events);
        }
    }

    public static Event sync(Target t) {
        return new Event(t, EV_SYN, 0, 0);
    }

    private final ConcurrentLinkedQueue<Event> queue = new ConcurrentLinkedQueue<>();
    private final List<Consumer<Delivery>> listeners = new CopyOnWriteArrayList<>();
    private volatile Runnable onPost = () -> { };
    private volatile Consumer<List<Event>> devices = events -> { };
    private volatile LongSupplier clock = () -> 0;
    private volatile boolean held;

    public void post(Event e) {
        post(List.of(e));
    }

    /**
     * Posts events that belong together (a pointer's X, Y and SYN; a key and its SYN) so that no
     * delivery takes part of them: the guest, the recording and the debugger's journal each see
     * the whole group at one instant, whatever the host's load.
     */
    public void post(List<Event> group) {
        synchronized (queue) {
            queue.addAll(group);
        }
        onPost.run();
    }

    /** Called after each post (the machine uses it to wake an idle CPU); must be cheap and thread-safe. */
    public void setOnPost(Runnable r) {
        onPost = r;
    }

    /** Where {@link #deliver} and {@link #replay} hand events (the machine's input devices), and the cycle that stamps them. */
    public void connect(Consumer<List<Event>> devices, LongSupplier cycle) {
        this.devices = devices;
        this.clock = cycle;
    }

    /**
     * Calls {@code listener} with every {@link Delivery}, on the emulation thread, at the virtual
     * instant it reaches the devices; returns what removes it.
     */
    public Runnable addDeliveryListener(Consumer<Delivery> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Hands what was posted to the devices, stamped with the cycle now (nothing while {@link #hold held}). Emulation thread. */
    public void deliver() {
        if (held) return;
        List<Event> events = drain();
        if (events.isEmpty()) return;
        devices.accept(events);
        Delivery d = new Delivery(clock.getAsLong(), events);
        for (Consumer<Delivery> l : listeners) l.accept(d);
    }

    /** Hands the events of an earlier delivery to the devices again (a debugger's replay); listeners are not told. */
    public void replay(Delivery d) {
        devices.accept(d.events());
    }

    /**
     * While held, {@link #deliver} leaves posted events waiting (the debugger replays a past the
     * host's new input must not land in); releasing asks for their delivery again.
     */
    public void hold(boolean on) {
        if (held == on) return;
        held = on;
        if (!on && !queue.isEmpty()) onPost.run();
    }

    /** Takes every posted event (for a consumer without devices: window tests). */
    public List<Event> drain() {
        List<Event> out = new ArrayList<>();
        synchronized (queue) {
            Event e;
            while ((e = queue.poll()) != null) out.add(e);
        }
        return out;
    }

    public boolean isEmpty() {
        return queue.isEmpty();
    }

    // ---- Snapshot --------------------------------------------------------------------------------

    /** Bound on the events a snapshot may carry (a host posts a few per key or pointer move). */
    static final int MAX_SAVED_EVENTS = 1 << 20;

    /**
     * This queue as a snapshot part: the events posted but not yet drained, which the machine
     * would have given its devices at the start of its next run. {@code redeliver} is run after a
     * restore that brings events back, to have them drained at the start of the restored machine's
     * next run, as they would have been ({@code VirtBoard}: posts the delivery to the CPU). A
     * restore replaces what is queued: input posted after the save is not part of the machine then.
     * A restore while {@link #hold held} (the debugger rewinding: its journal gives the past the
     * input it had, and what the host has posted meanwhile waits for the present) leaves the queue
     * as it is.
     *
     * <p>Layout (version 1): i32 n, n x (u8 target, i32 type, i32 code, i32 value), oldest first.
     */
    public org.vitrine.emulator.snapshot.Snapshottable snapshotPart(Runnable redeliver) {
        return new org.vitrine.emulator.snapshot.Snapshottable() {
            @Override
            public String snapshotName() {
                return "host-input";
            }

            @Override
            public int snapshotVersion() {
                return 1;
            }

            @Override
            public void save(org.vitrine.emulator.snapshot.StateWriter out) {
                List<Event> waiting;
                synchronized (queue) {  // saved between runs: another thread's group lands wholly before or after
                    waiting = List.copyOf(queue);
                }
                out.i32(waiting.size());
                for (Event e : waiting) out.u8(e.target().ordinal()).i32(e.type()).i32(e.code()).i32(e.value());
            }

            @Override
            public Runnable load(org.vitrine.emulator.snapshot.StateReader in, int version)
                    throws org.vitrine.emulator.snapshot.SnapshotException {
                int n = in.i32("queued host input events", 0, MAX_SAVED_EVENTS);
                List<Event> events = new ArrayList<>(n);
                Target[] targets = Target.values();
                for (int i = 0; i < n; i++) {
                    int t = in.u8();
                    if (t >= targets.length) throw in.bad("an input event for device " + t + ", not a keyboard or tablet");
                    events.add(new Event(targets[t], in.i32(), in.i32(), in.i32()));
                }
                return () -> {
                    if (held) return;
                    synchronized (queue) {
                        queue.clear();
                        queue.addAll(events);
                    }
                    if (!events.isEmpty()) redeliver.run();
                };
            }
        };
    }
}
