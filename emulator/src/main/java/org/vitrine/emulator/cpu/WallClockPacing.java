package org.vitrine.emulator.cpu;

import java.util.function.BooleanSupplier;

import org.vitrine.emulator.time.Ratio;

/**
 * Where the emulation thread waits in wall-clock time. With pacing on (interactive runs) virtual
 * time follows the wall clock: the CPU runs in slices of one virtual millisecond and never gets
 * ahead of real time, and an idle CPU sleeps until its next event instead of skipping to it.
 * Scripted runs leave pacing off and go as fast as they can. Either way, an idle CPU with nothing
 * scheduled but host input still possible waits here for that input.
 *
 * <p>Every wait ends early when the host needs the CPU (an action was posted, a stop was asked):
 * {@link #wake()}, safe from any thread, is how they say so. The rest is for the emulation thread.
 * Only <em>when</em> on the host things happen depends on the wall clock, never what the guest sees
 * at a given cycle: the run loop stamps host actions with the cycle it has reached.
 */
final class WallClockPacing {
    private final long cyclesPerSecond;
    private final BooleanSupplier hostNeedsCpu;
    private final Object wake = new Object();
    private boolean on;
    // the wall-clock instant and the cycle that pacing matches up, taken when a run starts
    private long wallStart;
    private long cycleStart;

    /** @param hostNeedsCpu true when a wait must end: a host action is waiting or a stop was asked */
    WallClockPacing(long cyclesPerSecond, BooleanSupplier hostNeedsCpu) {
        this.cyclesPerSecond = cyclesPerSecond;
        this.hostNeedsCpu = hostNeedsCpu;
    }

    void setOn(boolean paced) {
        on = paced;
    }

    boolean on() {
        return on;
    }

    /** Ends the current wait early; safe from any thread. */
    void wake() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /** A run starts at {@code cycle} now: virtual time from here on is matched to the wall clock from now on. */
    void start(long cycle) {
        wallStart = System.nanoTime();
        cycleStart = cycle;
    }

    /** Where a paced CPU next stops to look at the wall clock: one millisecond of virtual time after {@code now}. */
    long sliceEnd(long now) {
        return now + Math.max(1, cyclesPerSecond / 1000);
    }

    /** The cycle the wall clock has reached. */
    long wallCycle() {
        return cycleForWall(System.nanoTime());
    }

    private long wallNanosFor(long cycle) {
        return wallStart + Ratio.scale(Math.max(0, cycle - cycleStart), 1_000_000_000L, cyclesPerSecond);
    }

    private long cycleForWall(long wallNanos) {
        return cycleStart + Ratio.scale(Math.max(0, wallNanos - wallStart), cyclesPerSecond, 1_000_000_000L);
    }

    /** Waits until the wall clock reaches {@code cycle}, or the host needs the CPU. */
    void sleepUntilWallReaches(long cycle) {
        long target = wallNanosFor(cycle);
        synchronized (wake) {
            long left;
            while (!hostNeedsCpu.getAsBoolean() && (left = target - System.nanoTime()) > 0) {
                try {
                    wake.wait(left / 1_000_000, (int) (left % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Waits, with no event scheduled, until the host needs the CPU or {@code inputOpen} turns false
     * (no host input can arrive any more). False when the thread was interrupted instead.
     */
    boolean awaitHost(BooleanSupplier inputOpen) {
        synchronized (wake) {
            while (!hostNeedsCpu.getAsBoolean() && inputOpen.getAsBoolean()) {
                try {
                    wake.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }
}
