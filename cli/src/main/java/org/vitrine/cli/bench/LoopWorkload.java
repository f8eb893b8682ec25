package org.vitrine.cli.bench;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A loop run twice per side, with N and N/10 iterations: the difference cancels start-up (board
 * set-up, image loading and boot, QEMU's process start), so the figure is the steady state: guest
 * MIPS, or operations (system calls, round trips, ...) per second.
 *
 * @param target        how one run with a given iteration count is made on each side
 * @param perIteration  what one iteration counts for in {@code unit} terms (instructions, calls)
 * @param scale         divisor of the rate (1e6 for MIPS, 1 for calls/s)
 */
record LoopWorkload(String name, String description, String unit, Target target, long iterations, long quickIterations,
                    double perIteration, double scale) implements Workload {

    /** Makes the bare-metal guest file for an iteration count. */
    @FunctionalInterface
    interface Guest {
        Path file(long iterations) throws Exception;
    }

    /** One timed run to power-off with a given iteration count, on each side. */
    interface Target {
        /** Host seconds of a Vitrine run. */
        double vitrine(BenchEnv env, long iterations) throws Exception;

        /** Host seconds of a QEMU run, or NaN when QEMU cannot be run. */
        double qemu(BenchEnv env, long iterations) throws Exception;

        /** Why it cannot run here, or empty. */
        default Optional<String> unavailable(BenchEnv env) {
            return Optional.empty();
        }

        /** A bare-metal guest booted directly on the default board. */
        static Target bareMetal(Guest guest) {
            return new Target() {
                @Override
                public double vitrine(BenchEnv env, long n) throws Exception {
                    return GuestRuns.vitrine(env, env.board(), guest.file(n)).seconds();
                }

                @Override
                public double qemu(BenchEnv env, long n) throws Exception {
                    return GuestRuns.qemu(env, guest.file(n));
                }
            };
        }
    }

    @Override
    public boolean higherIsBetter() {
        return true;
    }

    @Override
    public Optional<String> unavailable(BenchEnv env) {
        return target.unavailable(env);
    }

    private long big(BenchEnv env) {
        return env.quick() ? quickIterations : iterations;
    }

    @Override
    public double vitrine(BenchEnv env) throws Exception {
        long n = big(env);
        return rate(n, target.vitrine(env, n), target.vitrine(env, n / 10));
    }

    @Override
    public double qemu(BenchEnv env) throws Exception {
        long n = big(env);
        return rate(n, target.qemu(env, n), target.qemu(env, n / 10));
    }

    private double rate(long n, double tBig, double tSmall) {
        if (Double.isNaN(tBig) || Double.isNaN(tSmall)) return Double.NaN;
        double work = (n - n / 10) * perIteration;
        return work / Math.max(tBig - tSmall, 1e-6) / scale;
    }
}
