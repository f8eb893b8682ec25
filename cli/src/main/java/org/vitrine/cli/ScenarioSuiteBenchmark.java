package org.vitrine.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.vitrine.cli.script.ScenarioResult;

import picocli.CommandLine;

/**
 * The scenario suite's figures for {@code vitrine bench} (issue 9's closing note): the wall time
 * of playing tests/scenarios/*.vts with {@code --jobs 1} and with {@code --jobs 2}, and the
 * virtual seconds played per wall second. Each scenario runs on its own fresh copy of the built
 * disk; desktop-windows.vts is left out, since it needs a disk without /BIN/EDITOR (its test,
 * DesktopTerminalTest, makes one). The scenarios' own output is not shown; how many passed is.
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
        for (int jobs : new int[] {1, 2}) {
            Path artifacts = Files.createTempDirectory("vitrine-bench-scenarios-");
            List<String> args = new ArrayList<>(List.of("--jobs", String.valueOf(jobs), "--artifacts", artifacts.toString()));
            args.addAll(scripts);
            ScriptCommand command = new ScriptCommand();
            PrintStream stdout = System.out, stderr = System.err;
            long t0 = System.nanoTime();
            try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
                System.setOut(quiet);
                System.setErr(quiet);
                new CommandLine(command).execute(args.toArray(String[]::new));
            } finally {
                System.setOut(stdout);
                System.setErr(stderr);
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            List<ScenarioResult> results = command.lastResults;
            double virtual = results.stream().mapToLong(ScenarioResult::virtualNanos).sum() / 1e9;
            long passed = results.stream().filter(ScenarioResult::passed).count();
            out.printf(java.util.Locale.ROOT, "scenario suite --jobs %d: %.1f s wall for %d scenarios (%d passed), %.2f s virtual: "
                    + "%.3f virtual seconds per wall second%n", jobs, wall, results.size(), passed, virtual, virtual / wall);
        }
    }
}
