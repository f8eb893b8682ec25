package org.vitrine.emulator.time;

import java.util.PriorityQueue;
import java.util.function.LongSupplier;

/**
 * The machine's one clock and its event queue. Time is counted in CPU cycles since reset; it is
 * advanced only by the CPU run loop (executed instructions through the timing model, and idle
 * skips to the next event), so every device event happens at a reproducible cycle.
 *
 * <p>Events at the same cycle run in the order they were scheduled (a sequence number breaks
 * ties), which keeps runs deterministic. Used only from the emulation thread.
 */
public final class EventQueue {
    /** A scheduled action; {@link #cancel()} makes it never run. */
    public static final class Event implements Comparable<Event> {
        final long when;
        final long seq;
        final Runnable action;
        boolean cancelled;

        Event(long when, long seq, Runnable action) {
            this.when = when;
            this.seq = seq;
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
        long previous = nextDeadline();
        Event e = new Event(Math.max(cycle, now()), seq++, action);
        queue.add(e);
        if (e.when < previous) onEarlierDeadline.run();
        return e;
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
