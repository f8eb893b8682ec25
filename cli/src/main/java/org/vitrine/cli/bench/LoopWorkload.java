package org.vitrine.cli.bench;

import java.nio.file.Path;

/**
 * A bare-metal loop run twice per side, with N and N/10 iterations: the difference cancels
 * start-up (board set-up and image loading, QEMU's process start), so the figure is the steady
 * state: guest MIPS, or operations (system calls, ...) per second.
 *
 * @param guest         the guest with a given iteration count, as a file
 * @param perIteration  what one iteration counts for in {@code unit} terms (instructions, calls)
 * @param scale         divisor of the rate (1e6 for MIPS, 1 for calls/s)
 */
record LoopWorkload(String name, String description, String unit, Guest guest, long iterations, long quickIterations,
                    double perIteration, double scale) implements Workload {

    /** Makes the guest file for an iteration count. */
    @FunctionalInterface
    interface Guest {
        Path file(long iterations) throws Exception;
    }

    @Override
    public boolean higherIsBetter() {
        return true;
    }

    private long big(BenchEnv env) {
        return env.quick() ? quickIterations : iterations;
    }

    @Override
    public double vitrine(BenchEnv env) throws Exception {
        long n = big(env);
        Path big = guest.file(n), small = guest.file(n / 10);
        double tBig = GuestRuns.vitrine(env, env.board(), big).seconds();
        double tSmall = GuestRuns.vitrine(env, env.board(), small).seconds();
        return rate(n, tBig, tSmall);
    }

    @Override
    public double qemu(BenchEnv env) throws Exception {
        long n = big(env);
        Path big = guest.file(n), small = guest.file(n / 10);
        double tBig = GuestRuns.qemu(env, big), tSmall = GuestRuns.qemu(env, small);
        return rate(n, tBig, tSmall);
    }

    private double rate(long n, double tBig, double tSmall) {
        if (Double.isNaN(tBig) || Double.isNaN(tSmall)) return Double.NaN;
        double work = (n - n / 10) * perIteration;
        return work / Math.max(tBig - tSmall, 1e-6) / scale;
    }
}
