package org.vitrine.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

import org.vitrine.devices.board.BoardSnapshot;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.snapshot.Snapshot;
import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.SnapshotFile;

/**
 * The snapshot side of {@code vitrine run}: {@code --save-snapshot FILE [--at TIME]} saves the
 * machine at a virtual time or when the run ends (power-off, {@code --until}, window closed), and
 * {@code --restore FILE} starts from a saved machine instead of booting. Each save and restore
 * prints its host time and the file size (unless quiet): the figures of issue 10.
 */
final class SnapshotRun {
    /** What the run asks for. {@code saveAtCycle} -1: save when the run ends. */
    record Plan(Path saveTo, long saveAtCycle, Snapshot restoreFrom, Path restoredFile, boolean quiet) {
        static final Plan NONE = new Plan(null, -1, null, null, true);
    }

    /** The state a snapshot records for how the run stood. */
    static final String RUNNING = "running";
    private static final String POWERED_OFF = "powered-off ";

    private SnapshotRun() { }

    /** A save failed (the file cannot be written, or the machine cannot be saved now); the user has been told. */
    static final class SaveFailed extends RuntimeException {
        SaveFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** What reading the restored file cost (printed with the restore): wall and CPU nanoseconds. */
    private static long readNanos, readCpuNanos;

    /** Reads and checks a snapshot file before any machine is built. */
    static Snapshot read(Path file) throws SnapshotException {
        HostCost cost = HostCost.start();
        Snapshot s = SnapshotFile.read(file);
        readNanos = cost.wallNanos();
        readCpuNanos = cost.cpuNanos();
        return s;
    }

    /**
     * Host cost of a phase on this thread: wall and CPU time (on a loaded machine the wall time
     * mostly measures waiting for a core), classes loaded and JIT compilation time (what a cold
     * JVM spends besides the work itself).
     */
    record HostCost(long wall0, long cpu0, long classes0, long jit0) {
        private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

        static HostCost start() {
            var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
            return new HostCost(System.nanoTime(), THREADS.getCurrentThreadCpuTime(),
                    java.lang.management.ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount(),
                    jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0);
        }

        long wallNanos() {
            return System.nanoTime() - wall0;
        }

        long cpuNanos() {
            return THREADS.getCurrentThreadCpuTime() - cpu0;
        }

        /** "N classes loaded, M ms of JIT compilation" since the start. */
        String coldness() {
            HostCost now = start();
            return String.format("%d classes loaded, %d ms of JIT compilation", now.classes0 - classes0, now.jit0 - jit0);
        }
    }

    /**
     * Restores the plan's snapshot into the freshly built {@code board}; returns the exit of a
     * machine that had already powered off when it was saved, else null (run on).
     */
    static Cpu.Exit restore(VirtBoard board, Plan plan, PrintStream err) throws SnapshotException {
        HostCost cost = HostCost.start();
        BoardSnapshot.restore(board, plan.restoreFrom());
        if (!plan.quiet()) {
            long apply = cost.wallNanos(), applyCpu = cost.cpuNanos();
            err.printf("[vitrine] restored %s at %.3f s virtual in %d ms host, %d ms of CPU (read and decompress %d ms, %d of CPU; "
                            + "check and apply %d ms, %d of CPU; %s; the JVM started %d ms ago)%n", plan.restoredFile(),
                    board.machine().cpu().cycles() / (double) board.options().timing().cyclesPerSecond(),
                    (readNanos + apply) / 1_000_000, (readCpuNanos + applyCpu) / 1_000_000, readNanos / 1_000_000, readCpuNanos / 1_000_000,
                    apply / 1_000_000, applyCpu / 1_000_000, cost.coldness(),
                    java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
        }
        String state = plan.restoreFrom().description().getOrDefault("state", RUNNING);
        if (state.startsWith(POWERED_OFF)) {
            long status = Long.parseLong(state.substring(POWERED_OFF.length()));
            Cpu.Exit off = new Cpu.Exit(Cpu.ExitKind.POWER_OFF, status, "the snapshot's guest had powered off, status " + status);
            if (!plan.quiet()) err.println("[vitrine] " + off.message());
            return off;
        }
        return null;
    }

    /**
     * The machine of a scenario started from {@code s} ({@code vitrine script --restore}): the
     * snapshot's, on a fresh copy of its disk (or of {@code disk}), so that scenarios played one
     * after another or at once never share a disk; the restore brings the copy back to the
     * snapshot's contents.
     */
    static VirtBoard.Options startingFrom(Snapshot s, Path disk) throws SnapshotException, IOException {
        VirtBoard.Options o = BoardSnapshot.options(s, VirtBoard.Options.defaults(), null);
        Path source = disk != null ? disk : o.disk();
        if (source == null) return o;
        if (!java.nio.file.Files.isRegularFile(source)) {
            throw new SnapshotException("the snapshot's disk " + source + " is not there: name one with --disk (its contents come back from the snapshot)");
        }
        return o.withDisk(DesktopDefaults.freshCopy(source), o.diskReadOnly());
    }

    /** Restores a scenario's machine from {@code s} instead of booting it, and says how long that took. */
    static void startScenario(VirtBoard board, Snapshot s, Path file, PrintStream err) throws SnapshotException {
        long start = System.nanoTime();
        BoardSnapshot.restore(board, s);
        err.printf(java.util.Locale.ROOT, "[script] started from %s at %.3f s virtual (restored in %d ms host)%n", file,
                board.machine().cpu().cycles() / (double) board.options().timing().cyclesPerSecond(), (System.nanoTime() - start) / 1_000_000);
    }

    /** Runs to {@code limit}, saving on the way when the plan names a time before it. */
    static Cpu.Exit run(VirtBoard board, long limit, Plan plan, PrintStream err) {
        long at = plan.saveAtCycle();
        if (plan.saveTo() != null && at >= 0 && at < limit && at >= board.machine().cpu().cycles()) {
            Cpu.Exit first = board.run(at);
            if (first.kind() != Cpu.ExitKind.TIME_LIMIT) return first;
            save(board, plan, RUNNING, err);
        }
        return board.run(limit);
    }

    /** After the run ended with {@code exit}: saves when the plan asked for a save at the end. */
    static void afterRun(VirtBoard board, Cpu.Exit exit, Plan plan, PrintStream err) {
        if (plan.saveTo() == null || plan.saveAtCycle() >= 0) return;
        save(board, plan, exit.kind() == Cpu.ExitKind.POWER_OFF ? POWERED_OFF + exit.status() : RUNNING, err);
    }

    private static void save(VirtBoard board, Plan plan, String state, PrintStream err) {
        HostCost cost = HostCost.start();
        long start = cost.wall0();
        Snapshot s;
        long taken, takenCpu, end, size;
        try {
            s = BoardSnapshot.take(board, state);
            taken = System.nanoTime();
            takenCpu = cost.cpuNanos();
            SnapshotFile.write(s, plan.saveTo());
            end = System.nanoTime();
            size = java.nio.file.Files.size(plan.saveTo());
        } catch (IOException | RuntimeException e) {
            err.println("vitrine: cannot save a snapshot to " + plan.saveTo() + ": " + e.getMessage());
            throw new SaveFailed(e.getMessage(), e);
        }
        if (!plan.quiet()) {
            long cpu = cost.cpuNanos();
            err.printf("[vitrine] snapshot at %.3f s virtual saved to %s: %.1f MB (%.1f MB of state), %d ms host, %d ms of CPU (%d ms to take, "
                            + "%d of CPU; %d ms to compress and write, %d of CPU; %s)%n",
                    board.machine().cpu().cycles() / (double) board.options().timing().cyclesPerSecond(), plan.saveTo(),
                    size / 1e6, s.size() / 1e6, (end - start) / 1_000_000, cpu / 1_000_000,
                    (taken - start) / 1_000_000, takenCpu / 1_000_000, (end - taken) / 1_000_000, (cpu - takenCpu) / 1_000_000, cost.coldness());
        }
    }
}
