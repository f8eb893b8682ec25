package org.vitrine.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.vitrine.cli.script.GuestFont;
import org.vitrine.cli.script.ScenarioParser;
import org.vitrine.cli.script.ScenarioResult;
import org.vitrine.cli.script.ScenarioRunner;
import org.vitrine.cli.script.TextFinder;
import org.vitrine.devices.board.BoardSnapshot;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.snapshot.Snapshot;

/**
 * The scenario-suite half of {@code vitrine snapshot-bench} (issue 10: "a scenario suite that
 * starts from a snapshot instead of booting reports its speed-up"): a small desktop suite played
 * twice, each scenario on its own machine and disk copy — once booting the desktop first, as
 * {@code vitrine script} does, once restored from a snapshot of the booted desktop, as
 * {@code vitrine script --restore} does. Both must print the same console after the desktop is
 * up (the restored machine is the booted one); the host times and the speed-up are printed.
 */
final class SuiteSpeedup {
    /** The step that makes a booting scenario wait for what the snapshot already holds. */
    static final String DESKTOP_UP = "wait-for \"[wm] desktop up\" within 10s";
    /** The suite: the Terminal twice and Snake, from the menu bar (guest-apps/wm/src/layout.rs). */
    static final List<List<String>> SUITE = List.of(
            List.of("move 100 14", "click", "wait-for \"[wm] window of task\" within 10s", "run 200ms",
                    "type \"echo one\"", "key enter", "wait-for \"[terminal] one\" within 5s"),
            List.of("move 400 14", "click", "wait-for \"[snake] high score\" within 10s", "run 300ms", "key right", "run 300ms"),
            List.of("move 100 14", "click", "wait-for \"[wm] window of task\" within 10s", "run 200ms",
                    "type \"ls /BIN\"", "key enter", "wait-for \"[terminal] \" within 5s", "run 200ms"));

    /** The whole process's CPU time: the machine runs on threads of its own, and the JIT and GC count too. */
    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
    }

    private final VirtBoard.Options machine;
    private final Path kernel, disk, work;
    private final TextFinder finder;
    private final PrintStream out;

    SuiteSpeedup(VirtBoard.Options machine, Path kernel, Path disk, Path work, PrintStream out) throws java.io.IOException {
        this.machine = machine;
        this.kernel = kernel;
        this.disk = disk;
        this.work = work;
        this.out = out;
        this.finder = new TextFinder(GuestFont.project());
    }

    /** One played scenario: its console, host wall and CPU time, and the virtual time its machine ran. */
    private record Played(String console, long wallNanos, long cpuNanos, long virtualNanos) { }

    void run() throws Exception {
        long t0 = System.nanoTime(), c0 = processCpuNanos();
        Snapshot booted;
        double bootVirtual;
        try (Machine m = new Machine()) {
            m.board.loadKernel(kernel);
            m.play(List.of(DESKTOP_UP));
            booted = BoardSnapshot.take(m.board, SnapshotRun.RUNNING);
            bootVirtual = m.virtualNanos() / 1e9;
        }
        long bootWall = System.nanoTime() - t0, bootCpu = processCpuNanos() - c0;
        out.printf("scenario suite (%d scenarios, each on its own machine): booting the desktop (%.3f s virtual) once and saving it: "
                + "%.0f ms host, %.0f ms of CPU%n", SUITE.size(), bootVirtual, bootWall / 1e6, bootCpu / 1e6);
        long[] boot = new long[3], restore = new long[3];
        for (int i = 0; i < SUITE.size(); i++) {
            Played b = play(null, SUITE.get(i)), r = play(booted, SUITE.get(i));
            if (!b.console().endsWith(r.console())) {
                throw new IllegalStateException("scenario " + (i + 1) + " printed another console from the snapshot than after booting:\n"
                        + r.console() + "\n---\n" + b.console());
            }
            out.printf("  scenario %d: booting %6.0f ms host (%5.0f ms of CPU, %.3f s virtual), from the snapshot %6.0f ms host "
                            + "(%5.0f ms of CPU, %.3f s virtual), same console%n", i + 1, b.wallNanos() / 1e6, b.cpuNanos() / 1e6,
                    b.virtualNanos() / 1e9, r.wallNanos() / 1e6, r.cpuNanos() / 1e6, r.virtualNanos() / 1e9);
            for (int k = 0; k < 3; k++) {
                boot[k] += k == 0 ? b.wallNanos() : k == 1 ? b.cpuNanos() : b.virtualNanos();
                restore[k] += k == 0 ? r.wallNanos() : k == 1 ? r.cpuNanos() : r.virtualNanos();
            }
        }
        out.printf("suite: booting %.0f ms host (%.0f ms of CPU, %.3f s virtual emulated), from the snapshot %.0f ms host (%.0f ms of CPU, "
                        + "%.3f s virtual): speed-up %.2fx host, %.2fx CPU (%.2fx host counting the one boot and save)%n",
                boot[0] / 1e6, boot[1] / 1e6, boot[2] / 1e9, restore[0] / 1e6, restore[1] / 1e6, restore[2] / 1e9,
                boot[0] / (double) restore[0], boot[1] / (double) restore[1], boot[0] / (double) (restore[0] + bootWall));
    }

    /** Plays {@code steps} on a fresh machine: restored from {@code start}, or booted and waited for the desktop when null. */
    private Played play(Snapshot start, List<String> steps) throws Exception {
        long t0 = System.nanoTime(), c0 = processCpuNanos();
        try (Machine m = new Machine()) {
            List<String> all = new ArrayList<>(steps);
            if (start == null) {
                m.board.loadKernel(kernel);
                all.addFirst(DESKTOP_UP);
            } else {
                BoardSnapshot.restore(m.board, start);
            }
            long v0 = m.virtualNanos();
            m.play(all);
            return new Played(m.console.toString(StandardCharsets.ISO_8859_1), System.nanoTime() - t0, processCpuNanos() - c0,
                    m.virtualNanos() - v0);
        }
    }

    /** A machine on a fresh copy of the disk, with its console captured and a scenario player on it. */
    private final class Machine implements AutoCloseable {
        final ByteArrayOutputStream console = new ByteArrayOutputStream();
        final VirtBoard board;
        final ScenarioRunner runner;
        private final Path copy;

        Machine() throws Exception {
            copy = Files.copy(disk, Files.createTempFile(work, "suite", ".img"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            ScenarioRunner[] r = new ScenarioRunner[1];
            board = new VirtBoard(machine.withDisk(copy, false), b -> {
                console.write(b);
                if (r[0] != null) r[0].consoleByte(b);
            });
            runner = r[0] = new ScenarioRunner(board, new PrintStream(OutputStream.nullOutputStream()), work, work, finder);
        }

        /** Virtual time since power-on: the CPU's cycle count (the clock's own time moves only at events). */
        long virtualNanos() {
            return org.vitrine.emulator.time.Ratio.scale(board.machine().cpu().cycles(), 1_000_000_000L, board.options().timing().cyclesPerSecond());
        }

        void play(List<String> steps) throws Exception {
            ScenarioResult result = runner.play(ScenarioParser.parse("suite.vts", work, steps), "suite.vts");
            if (!result.passed()) throw new IllegalStateException("the suite's scenario failed: " + result.sections() + "\n" + console);
        }

        @Override
        public void close() throws Exception {
            board.close();
            Files.deleteIfExists(copy);
        }
    }
}
