package org.vitrine.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.vitrine.cli.script.ScenarioResult;

import picocli.CommandLine;

/**
 * The scenario suite's figures for {@code vitrine bench} (issue 9's closing note): the wall time
 * of playing tests/scenarios/*.vts with {@code --jobs 1} and with {@code --jobs 2}, the CPU time
 * the process took for it (on a loaded host the wall time includes waiting for a core; the CPU
 * time does not), and the virtual seconds played per wall second and per CPU second. Each
 * scenario runs on its own fresh copy of the built disk; desktop-windows.vts is left out, since it
 * needs a disk without /BIN/EDITOR (its test, DesktopTerminalTest, makes one). The scenarios' own
 * output is not shown; how many passed is, with the host's cores and load and the command that
 * measures again.
 */
final class ScenarioSuiteBenchmark {
    /** Scenarios that need a disk prepared for them. */
    static final List<String> NEEDS_OWN_DISK = List.of("desktop-windows.vts");

    private ScenarioSuiteBenchmark() { }

    static void run(Path root, PrintStream out) throws IOException {
        List<String> scripts;
        try (Stream<Path> s = Files.list(root.resolve("tests/scenarios"))) {
            scripts = s.filter(p -> p.toString().endsWith(".vts") && !NEEDS_OWN_DISK.contains(p.getFileName().toString()))
                    .sorted().map(Path::toString).toList();
        }
        out.printf(Locale.ROOT, "scenario suite: %d scenarios of tests/scenarios (left out, needing a prepared disk: %s); "
                + "host: %d cores, load average %.1f%n", scripts.size(), String.join(", ", NEEDS_OWN_DISK),
                Runtime.getRuntime().availableProcessors(), loadAverage());
        for (int jobs : new int[] {1, 2}) {
            Path artifacts = Files.createTempDirectory("vitrine-bench-scenarios-");
            List<String> args = new ArrayList<>(List.of("--jobs", String.valueOf(jobs), "--artifacts", artifacts.toString()));
            args.addAll(scripts);
            ScriptCommand command = new ScriptCommand();
            PrintStream stdout = System.out, stderr = System.err;
            long t0 = System.nanoTime(), cpu0 = SuiteSpeedup.processCpuNanos();
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
                 PrintStream errors = new PrintStream(log, true, StandardCharsets.UTF_8)) {
                System.setOut(quiet);
                System.setErr(errors);
                new CommandLine(command).execute(args.toArray(String[]::new));
            } finally {
                System.setOut(stdout);
                System.setErr(stderr);
            }
            double wall = (System.nanoTime() - t0) / 1e9, cpu = (SuiteSpeedup.processCpuNanos() - cpu0) / 1e9;
            List<ScenarioResult> results = command.lastResults;
            double virtual = results.stream().mapToLong(ScenarioResult::virtualNanos).sum() / 1e9;
            List<String> failed = results.stream().filter(r -> !r.passed()).map(ScenarioResult::scenario).toList();
            out.printf(Locale.ROOT, "scenario suite --jobs %d: %.1f s wall, %.1f s CPU for %d scenarios (%d passed%s), %.2f s virtual: "
                    + "%.3f virtual seconds per wall second, %.3f per CPU second; load average %.1f after%n", jobs, wall, cpu,
                    results.size(), results.size() - failed.size(), failed.isEmpty() ? "" : "; failed: " + String.join(", ", failed),
                    virtual, virtual / wall, virtual / cpu, loadAverage());
            if (results.isEmpty() || !failed.isEmpty()) {
                // figures of a suite that did not play are no figures: say why
                List<String> lines = log.toString(StandardCharsets.UTF_8).lines().toList();
                lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> out.println("scenario suite:   | " + l));
            }
        }
        out.println("scenario suite: on a loaded host the wall times include waiting for a core, the CPU times do not; "
                + "measure again on a quiet machine with ./vitrine bench --only scenarios,text-search");
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
