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
        queue.add(e);
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
        Event e;
        while ((e = queue.poll()) != null) out.add(e);
        return out;
    }

    public boolean isEmpty() {
        return queue.isEmpty();
    }
}
