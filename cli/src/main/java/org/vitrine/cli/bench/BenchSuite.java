package org.vitrine.cli.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.vitrine.cli.Benchmark;

/**
 * {@code vitrine bench}'s workloads and how they are run: each one on Vitrine and on QEMU in the
 * same invocation, {@code repeats} times per side, reported as medians with their spread and the
 * ratio of Vitrine's speed to QEMU's (at least 1.0: Vitrine is as fast or faster). New workloads
 * join the registry ({@link #standard}) as one {@link Workload} each.
 */
public final class BenchSuite {
    private BenchSuite() { }

    /** The registry, in the order the table prints them. */
    public static List<Workload> standard() {
        List<Workload> w = new ArrayList<>();
        w.add(new LoopWorkload("alu", "4-instruction ALU loop, MMU off", "MIPS",
                LoopWorkload.Target.bareMetal(n -> temp("alu", Benchmark.elf(n))), 200_000_000L, 2_000_000L, 4, 1e6));
        w.add(new LoopWorkload("syscall", "null system call: EL0 svc to an EL1 handler that returns", "calls/s",
                LoopWorkload.Target.bareMetal(n -> BenchGuest.write("syscall", n, 0)), 2_000_000L, 20_000L, 1, 1));
        w.add(new LoopWorkload("pointer-chase", "dependent loads over a 64 MiB ring, MMU on", "M loads/s",
                LoopWorkload.Target.bareMetal(n -> BenchGuest.write("memory", n, 0)), 50_000_000L, 200_000L, 1, 1e6));
        w.add(new LoopWorkload("stream-copy", "copy 32 MiB into the next 32 MiB with ldp/stp, MMU on", "MiB/s",
                LoopWorkload.Target.bareMetal(n -> BenchGuest.write("memory", n, 1)), 30, 10, 32, 1));
        w.add(new LoopWorkload("ipc", "IPC ping-pong between two rost processes: messages + a shared page",
                "round trips/s", new RostProgram("/BIN/PINGPONG"), 100_000L, 2_000L, 1, 1));
        w.add(new LinuxBootWorkload());
        return w;
    }

    private static Path temp(String name, byte[] elf) throws IOException {
        Path f = Files.createTempFile("vitrine-bench-" + name, ".elf");
        f.toFile().deleteOnExit();
        Files.write(f, elf);
        return f;
    }

    /** One workload's outcome. {@code skipped} is the reason it did not run, or null. */
    public record Result(String name, String description, String unit, boolean higherIsBetter, Summary vitrine, Summary qemu,
                         double ratio, String skipped) { }

    /** Runs {@code workloads}, printing a line per workload as it completes (unless {@code out} is null). */
    public static List<Result> run(List<Workload> workloads, BenchEnv env, int repeats, PrintStream out) throws Exception {
        List<Result> results = new ArrayList<>();
        if (out != null) {
            out.printf("%-14s %-10s %22s %22s %8s%n", "workload", "unit", "vitrine median ±spread", "qemu median ±spread", "ratio");
        }
        for (Workload w : workloads) {
            Optional<String> why = w.unavailable(env);
            Result r;
            if (why.isPresent()) {
                Summary none = Summary.of(new double[0]);
                r = new Result(w.name(), w.description(), w.unit(), w.higherIsBetter(), none, none, Double.NaN, why.get());
            } else {
                double[] v = new double[repeats], q = new double[repeats];
                for (int i = 0; i < repeats; i++) {   // alternate the sides so load changes hit both alike
                    v[i] = w.vitrine(env);
                    q[i] = w.qemu(env);
                }
                Summary vs = Summary.of(v), qs = Summary.of(q);
                double ratio = w.higherIsBetter() ? vs.median() / qs.median() : qs.median() / vs.median();
                r = new Result(w.name(), w.description(), w.unit(), w.higherIsBetter(), vs, qs, ratio, null);
            }
            results.add(r);
            if (out != null) print(r, out);
        }
        if (out != null) {
            out.println("ratio: Vitrine's speed / QEMU's (>= 1.0: Vitrine as fast or faster); medians of " + repeats
                    + " runs per side, ± half the min-max range");
            if (env.qemuIcount()) out.println("QEMU ran with " + String.join(" ", BenchEnv.QEMU_ICOUNT) + " (its deterministic mode)");
        }
        return results;
    }

    private static void print(Result r, PrintStream out) {
        if (r.skipped() != null) {
            out.printf("%-14s skipped: %s%n", r.name(), r.skipped());
            return;
        }
        out.printf("%-14s %-10s %22s %22s %8s%n", r.name(), r.unit(), figure(r.vitrine()), figure(r.qemu()),
                Double.isNaN(r.ratio()) ? "n/a" : String.format("%.2f", r.ratio()));
    }

    private static String figure(Summary s) {
        if (s.runs() == 0) return "not run";
        String v = Math.abs(s.median()) >= 100 ? String.format("%.0f", s.median()) : String.format("%.3g", s.median());
        return String.format("%s ±%.0f%%", v, s.spreadPercent());
    }

    /** The results as JSON (an object with the workloads in order). */
    public static String json(List<Result> results, int repeats) throws IOException {
        return json(results, repeats, false);
    }

    /** The same, saying whether QEMU ran in its deterministic mode ({@link BenchEnv#QEMU_ICOUNT}). */
    public static String json(List<Result> results, int repeats, boolean qemuIcount) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("repeats", repeats);
        root.put("qemuIcount", qemuIcount);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Result r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            m.put("description", r.description());
            m.put("unit", r.unit());
            m.put("higherIsBetter", r.higherIsBetter());
            if (r.skipped() != null) {
                m.put("skipped", r.skipped());
            } else {
                m.put("vitrine", side(r.vitrine()));
                m.put("qemu", side(r.qemu()));
                m.put("ratio", Double.isNaN(r.ratio()) ? null : r.ratio());
            }
            list.add(m);
        }
        root.put("workloads", list);
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
    }

    private static Map<String, Object> side(Summary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runs", s.runs());
        if (s.runs() > 0) {
            m.put("median", s.median());
            m.put("min", s.min());
            m.put("max", s.max());
        }
        return m;
    }
}
