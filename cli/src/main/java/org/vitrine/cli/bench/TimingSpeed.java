package org.vitrine.cli.bench;

import java.io.PrintStream;
import java.util.List;

import org.vitrine.emulator.time.TimingModel;

/**
 * The a53 timing model's cost in host speed (issue 15's goal: at least 0.5x the fixed model's on
 * every workload): each workload's Vitrine side run with {@code --timing fixed} and with
 * {@code --timing a53}, alternately, {@code repeats} times each; medians, spreads and the ratio.
 * Both sides are Vitrine in this process, so each run is timed by its thread's CPU time: on the
 * shared, loaded machines this runs on, wall time varied by +-50 % between runs and mostly
 * measured the other processes.
 */
public final class TimingSpeed {
    private TimingSpeed() { }

    /** One workload's figures: the fixed and a53 medians and a53's speed relative to fixed. */
    public record Result(String name, String unit, Summary fixed, Summary a53, double ratio) { }

    public static List<Result> run(List<Workload> workloads, BenchEnv env, int repeats, PrintStream out) throws Exception {
        out.printf("%-14s %-10s %22s %22s %8s%n", "workload", "unit", "fixed median ±spread", "a53 median ±spread", "a53/fixed");
        List<Result> results = new java.util.ArrayList<>();
        env = env.withThreadCpuTime();
        for (Workload w : workloads) {
            if (w.unavailable(env).isPresent()) {
                out.printf("%-14s skipped: %s%n", w.name(), w.unavailable(env).get());
                continue;
            }
            double[] f = new double[repeats], a = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                f[i] = w.vitrine(env.withTiming(TimingModel.Pipeline.FIXED));
                a[i] = w.vitrine(env.withTiming(TimingModel.Pipeline.A53));
            }
            Summary fs = Summary.of(f), as = Summary.of(a);
            double ratio = w.higherIsBetter() ? as.median() / fs.median() : fs.median() / as.median();
            Result r = new Result(w.name(), w.unit(), fs, as, ratio);
            results.add(r);
            out.printf("%-14s %-10s %14.4g ±%4.0f%% %14.4g ±%4.0f%% %8.2f%n", r.name(), r.unit(), fs.median(), fs.spreadPercent(),
                    as.median(), as.spreadPercent(), ratio);
        }
        out.println("a53/fixed: the a53 model's host speed relative to the fixed model's (goal >= 0.5); medians of " + repeats
                + " runs each, ± half the min-max range; rates per second of the running thread's CPU time");
        return results;
    }
}
