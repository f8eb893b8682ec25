package org.vitrine.emulator.display;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Input from the host (window callbacks, scripted scenarios) on its way to the guest's input
 * devices. Any thread may {@link #post}; the emulation thread {@link #drain}s at a point in virtual
 * time, so the guest sees each event at a definite cycle.
 *
 * <p>Events use Linux input codes, as virtio-input does: {@code type} EV_KEY (1) with a KEY_* or
 * BTN_* code and value 1 press / 0 release; EV_ABS (3) with ABS_X / ABS_Y (0 / 1) in 0..32767;
 * EV_REL (2) with REL_WHEEL (8). A {@link #SYNC} event closes each group, as EV_SYN does.
 */
public final class HostInput {
    public static final int EV_SYN = 0, EV_KEY = 1, EV_REL = 2, EV_ABS = 3;
    public static final int ABS_X = 0, ABS_Y = 1, REL_WHEEL = 8;
    public static final int BTN_LEFT = 0x110, BTN_RIGHT = 0x111, BTN_MIDDLE = 0x112;

    /** Which guest device an event is for. */
    public enum Target { KEYBOARD, TABLET }

    public record Event(Target target, int type, int code, int value) { }

    public static Event sync(Target t) {
        return new Event(t, EV_SYN, 0, 0);
    }

    private final ConcurrentLinkedQueue<Event> queue = new ConcurrentLinkedQueue<>();
    private volatile Runnable onPost = () -> { };
    private volatile java.util.function.Consumer<List<Event>> onDrain = events -> { };

    public void post(Event e) {
        queue.add(e);
        onPost.run();
    }

    /** Called after each post (the machine uses it to wake an idle CPU); must be cheap and thread-safe. */
    public void setOnPost(Runnable r) {
        onPost = r;
    }

    /**
     * Called with every non-empty {@link #drain}'s events, on the draining (emulation) thread, at
     * the virtual instant they reach the devices: how {@code vitrine run --record} writes down what
     * the guest was given and when.
     */
    public void setOnDrain(java.util.function.Consumer<List<Event>> listener) {
        onDrain = listener;
    }

    public List<Event> drain() {
        List<Event> out = new ArrayList<>();
        Event e;
        while ((e = queue.poll()) != null) out.add(e);
        if (!out.isEmpty()) onDrain.accept(List.copyOf(out));
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
                List<Event> waiting = List.copyOf(queue);  // saved between runs: only other threads' posts can race, and land after
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
                    queue.clear();
                    queue.addAll(events);
                    if (!events.isEmpty()) redeliver.run();
                };
            }
        };
    }
}
