package org.vitrine.devices.iommu;

import java.util.function.BooleanSupplier;

import org.vitrine.emulator.time.EventQueue;

/**
 * Runs an IOMMU's command queue in virtual time: each command completes {@code latency} cycles
 * after the previous one (or after the driver made it available), so a driver that does not wait
 * for completion really sees the old state in between. Commands execute one at a time in queue
 * order; a sync / wait command therefore completes after everything before it, as the specs ask.
 *
 * <p>Latency 0 executes the commands at once, inside the register write that made them available
 * (what QEMU does for all three IOMMUs).
 *
 * <p>Default latencies come from each model (see their {@code DEFAULT_COMMAND_NANOS}).
 *
 * <p>Snapshots: the completion in flight is a clock event with the declared identity
 * {@code <model>.command}, so the clock saves it and {@link #reclaim} takes it back on restore.
 */
final class CommandPump {
    private final EventQueue clock;
    private final long latency;
    private final BooleanSupplier pending;
    private final Runnable execute;
    private final String eventId;
    private EventQueue.Event next;

    /** @param owner the model's name: the completion event's identity is {@code owner.command} */
    CommandPump(EventQueue clock, String owner, long latencyCycles, BooleanSupplier pending, Runnable execute) {
        if (latencyCycles < 0) throw new IllegalArgumentException("latency " + latencyCycles);
        this.clock = clock;
        this.eventId = owner + ".command";
        clock.declare(eventId);
        this.latency = latencyCycles;
        this.pending = pending;
        this.execute = execute;
    }

    long latencyCycles() {
        return latency;
    }

    /** The queue may have new work (a producer index, an enable, an error acknowledged). */
    void kick() {
        if (next != null) return;
        if (latency == 0) {
            // Each step consumes a command or stops the queue with an error: bounded by the queue.
            while (pending.getAsBoolean()) execute.run();
            return;
        }
        if (pending.getAsBoolean()) next = clock.schedule(clock.now() + latency, eventId, this::fire);
    }

    /** Drops a scheduled completion (the queue was disabled or reset). */
    void cancel() {
        if (next != null) next.cancel();
        next = null;
    }

    /** True while a command is in flight. */
    boolean busy() {
        return next != null;
    }

    /** After the clock was restored: the completion the snapshot had in flight (if any) is this pump's again. */
    void reclaim() {
        if (next != null) next.cancel();
        next = clock.reclaim(eventId, this::fire);
    }

    private void fire() {
        next = null;
        if (pending.getAsBoolean()) execute.run();
        kick();
    }
}
