package org.vitrine.emulator.time;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.LongSupplier;

import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.snapshot.StateReader;
import org.vitrine.emulator.snapshot.StateWriter;

/**
 * The machine's one clock and its event queue. Time is counted in CPU cycles since reset; it is
 * advanced only by the CPU run loop (executed instructions through the timing model, and idle
 * skips to the next event), so every device event happens at a reproducible cycle.
 *
 * <p>Events at the same cycle run in the order they were scheduled (a sequence number breaks
 * ties), which keeps runs deterministic. Used only from the emulation thread.
 *
 * <p>Snapshots: an event scheduled with an identity ({@link #schedule(long, String, Runnable)},
 * identities {@link #declare declared} by their owners when the machine is built) can be saved;
 * a snapshot keeps each pending event's cycle, sequence number and identity, and on restore each
 * owner {@link #reclaim reclaims} its events with its own action, so they run at the same cycle
 * and in the same order as if the machine had never stopped. A snapshot taken while an event
 * without an identity is pending is refused.
 */
public final class EventQueue implements Snapshottable {
    /** A scheduled action; {@link #cancel()} makes it never run. */
    public static final class Event implements Comparable<Event> {
        final long when;
        final long seq;
        final Runnable action;
        final String id;
        boolean cancelled;

        Event(long when, long seq, String id, Runnable action) {
            this.when = when;
            this.seq = seq;
            this.id = id;
            this.action = action;
        }

        public long when() {
            return when;
        }

        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Event o) {
            int c = Long.compare(when, o.when);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final long cyclesPerSecond;
    private long now;
    private long seq;
    private Runnable onEarlierDeadline = () -> { };
    private LongSupplier liveTime;
    private final Set<String> declared = new HashSet<>();
    /** Events a restore put back, by identity, until their owners reclaim them. */
    private final Map<String, Event> restored = new HashMap<>();

    public EventQueue(long cyclesPerSecond) {
        if (cyclesPerSecond <= 0) throw new IllegalArgumentException("cyclesPerSecond must be positive");
        this.cyclesPerSecond = cyclesPerSecond;
    }

    /** CPU clock frequency: how many cycles make one second of virtual time. */
    public long cyclesPerSecond() {
        return cyclesPerSecond;
    }

    /** Current virtual time in nanoseconds (rounded down). */
    public long nowNanos() {
        return Ratio.scale(now(), 1_000_000_000L, cyclesPerSecond);
    }

    /** Cycles that make {@code nanos} nanoseconds (rounded up, so a deadline is never early). */
    public long nanosToCycles(long nanos) {
        return Ratio.scaleUp(nanos, cyclesPerSecond, 1_000_000_000L);
    }

    /** Current time in cycles (while the CPU runs: including the block it is executing). */
    public long now() {
        LongSupplier live = liveTime;
        return live == null ? now : Math.max(now, live.getAsLong());
    }

    /**
     * Lets the CPU expose the time it has reached while it runs, so devices scheduling events
     * from MMIO callbacks count from the current block, not from the start of the run.
     */
    public void setLiveTime(LongSupplier source) {
        this.liveTime = source;
    }

    /** Schedules {@code action} to run when the clock reaches {@code cycle} (now, if in the past). */
    public Event schedule(long cycle, Runnable action) {
        return schedule(cycle, null, action);
    }

    /**
     * Schedules {@code action} as the event {@code id} (declared with {@link #declare}): an event
     * with an identity can be saved in a snapshot and {@link #reclaim reclaimed} after a restore.
     */
    public Event schedule(long cycle, String id, Runnable action) {
        if (id != null && !declared.contains(id)) throw new IllegalArgumentException("event identity " + id + " was not declared");
        long previous = nextDeadline();
        Event e = new Event(Math.max(cycle, now()), seq++, id, action);
        queue.add(e);
        if (e.when < previous) onEarlierDeadline.run();
        return e;
    }

    /**
     * Declares an event identity (once, when the owner is built): snapshots may hold pending events
     * with it, and the owner must {@link #reclaim} it whenever it restores its own state.
     */
    public void declare(String id) {
        if (!declared.add(id)) throw new IllegalArgumentException("event identity " + id + " declared twice");
    }

    /**
     * After a restore: the pending event {@code id} the snapshot held, now running {@code action},
     * or null if none was pending. Called by the event's owner as it restores itself.
     */
    public Event reclaim(String id, Runnable action) {
        Event old = restored.remove(id);
        if (old == null) return null;
        Event e = new Event(old.when, old.seq, id, action);
        queue.add(e);
        return e;
    }

    // ---- snapshot --------------------------------------------------------------------------

    @Override
    public String snapshotName() {
        return "clock";
    }

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /** Layout: i64 now, i64 next sequence number, i32 n, n x (i64 cycle, i64 sequence, string identity). */
    @Override
    public void save(StateWriter out) {
        List<Event> live = new ArrayList<>();
        for (Event e : queue) {
            if (e.cancelled) continue;
            if (e.id == null) {
                throw new IllegalStateException("an event without an identity is pending at cycle " + e.when
                        + " (scheduled with a plain action): this machine cannot be saved now");
            }
            live.add(e);
        }
        live.sort(null);
        out.i64(now).i64(seq).i32(live.size());
        for (Event e : live) out.i64(e.when).i64(e.seq).string(e.id);
    }

    @Override
    public Runnable load(StateReader in, int version) throws SnapshotException {
        long savedNow = in.i64("the clock", 0, Long.MAX_VALUE);
        long savedSeq = in.i64("the event sequence", 0, Long.MAX_VALUE);
        int n = in.i32("pending events", 0, declared.size());
        Map<String, Event> events = new HashMap<>();
        for (int i = 0; i < n; i++) {
            long when = in.i64("an event's cycle", 0, Long.MAX_VALUE);
            long s = in.i64("an event's sequence", 0, savedSeq - 1);
            String id = in.string();
            if (id == null || !declared.contains(id)) throw in.bad("pending event '" + id + "' has no owner on this machine");
            if (events.put(id, new Event(when, s, id, null)) != null) throw in.bad("event '" + id + "' is pending twice");
        }
        return () -> {
            queue.clear();
            restored.clear();
            restored.putAll(events);
            now = savedNow;
            seq = savedSeq;
        };
    }

    public Event scheduleIn(long cycles, Runnable action) {
        return schedule(now() + Math.max(0, cycles), action);
    }

    /** Cycle of the earliest pending event, or {@link Long#MAX_VALUE} when none is pending. */
    public long nextDeadline() {
        Event head;
        while ((head = queue.peek()) != null && head.cancelled) queue.poll();
        return head == null ? Long.MAX_VALUE : head.when;
    }

    /**
     * Moves the clock forward to {@code cycle} (never backwards) without running events; the run
     * loop calls {@link #runDue()} afterwards.
     */
    public void advanceTo(long cycle) {
        if (cycle > now) now = cycle;
    }

    /** Runs every event whose time has come, including ones those events schedule for now. */
    public int runDue() {
        int ran = 0;
        Event head;
        while ((head = queue.peek()) != null && head.when <= now) {
            queue.poll();
            if (!head.cancelled) {
                head.action.run();
                ran++;
            }
        }
        return ran;
    }

    /** Called when an event is scheduled earlier than every pending one (the CPU must stop sooner). */
    public void setOnEarlierDeadline(Runnable r) {
        onEarlierDeadline = r;
    }
}
