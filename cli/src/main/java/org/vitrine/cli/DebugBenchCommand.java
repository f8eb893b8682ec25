package org.vitrine.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.debug.DebugEngine;
import org.vitrine.emulator.debug.Debugger;
import org.vitrine.emulator.spi.GuestLog;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vitrine debug-bench}: the debugger engine's figures (issue 11). The host time of one
 * reverse step at 1 M, 100 M and 1 G instructions into a run (rost's IPC ping-pong, which keeps
 * the CPU busy past 1 G instructions), twice at each point: the first from the checkpoints a
 * continue keeps, the second from the one the first left near its target; with the snapshot
 * restores each took. Then rost's console demo (10 programs, ~280 M instructions to power-off)
 * through the engine with no watchpoint, and with one write watchpoint on a kernel variable.
 */
@Command(name = "debug-bench", mixinStandardHelpOptions = true,
        description = "Measure the debugger engine: one reverse step at points of a run, and run speed with a watchpoint.")
public final class DebugBenchCommand implements Callable<Integer> {
    private static final long[] POINTS = {1_000_000, 100_000_000, 1_000_000_000};
    /** More round trips than 1 G instructions take (a round trip is ~10 k instructions). */
    private static final String BUSY_WORKLOAD = "rost.init=/BIN/PINGPONG -- 1000000";

    @Option(names = "--kernel", paramLabel = "FILE", description = "Kernel (default: the built rost image).")
    Path kernel;

    @CommandLine.Mixin
    RewindOptions rewind;

    @Override
    public Integer call() {
        Path image = kernel != null ? kernel : RunCommand.defaultKernel();
        VirtBoard.Options quiet = VirtBoard.Options.defaults().withGuestLog(GuestLog.Sink.NONE);
        try {
            VirtBoard.Options busy = quiet.withBootArgs(BUSY_WORKLOAD).withDisk(DesktopDefaults.freshCopy(DesktopDefaults.builtDisk()), false);
            reverseSteps(image, busy);
        } catch (VirtBoard.ImageException | IOException ex) {
            System.err.println("vitrine: " + ex.getMessage());
            return ExitCodes.BAD_IMAGE;
        }
        long bare = runToEnd(image, quiet, false, false);
        long plain = runToEnd(image, quiet, false, true);
        long watched = runToEnd(image, quiet, true, true);
        System.out.printf("console demo to power-off: %d ms host without a watchpoint, %d ms with one write watchpoint (%.2fx); "
                + "%d ms without checkpoints either (checkpoints cost %.2fx)%n", plain, watched, watched / (double) plain, bare,
                plain / (double) bare);
        return 0;
    }

    private void reverseSteps(Path image, VirtBoard.Options o) throws VirtBoard.ImageException, IOException {
        System.out.printf("reverse steps in %s, a checkpoint every %,d cycles of a continue:%n", BUSY_WORKLOAD, rewind.snapshotEvery);
        try (VirtBoard board = new VirtBoard(o, b -> { }); Debugger d = new Debugger(board.machine())) {
            board.boot(image);
            DebugEngine e = DebugSessions.engine(board, d, image);
            rewind.applyTo(e);
            for (long at : POINTS) {
                e.setTimeLimit(at);
                long t0 = System.nanoTime();
                DebugEngine.Stop run = e.cont();
                long runMs = (System.nanoTime() - t0) / 1_000_000;
                if (run.reason() == DebugEngine.Reason.EXITED && run.exit().kind() != org.vitrine.emulator.cpu.Cpu.ExitKind.TIME_LIMIT) {
                    throw new IllegalStateException("the workload ended before cycle " + at + ": " + run.detail());
                }
                System.out.printf("  continue to cycle %,d: %,d ms host%n", at, runMs);
                for (String which : new String[] {"first", "second"}) {
                    long before = e.position().retired(), restores = e.restores();
                    t0 = System.nanoTime();
                    DebugEngine.Stop s = e.reverseStep(1);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    System.out.printf("  reverse-step at instruction %,d (%s): %d ms host, %d restore%s (now at #%,d, %s; %d checkpoints, %,d KiB)%n",
                            before, which, ms, e.restores() - restores, e.restores() - restores == 1 ? "" : "s", s.position().retired(),
                            s.reason(), e.history().size(), e.historyBytes() >> 10);
                }
            }
        }
    }

    /** Host ms of the whole demo through the engine, with or without a write watchpoint on the scheduler, and checkpoints. */
    private long runToEnd(Path image, VirtBoard.Options o, boolean watch, boolean checkpoints) {
        try (VirtBoard board = new VirtBoard(o, b -> { }); Debugger d = new Debugger(board.machine())) {
            board.boot(image);
            DebugEngine e = DebugSessions.engine(board, d, image);
            if (checkpoints) rewind.applyTo(e);
            else e.setSnapshotInterval(Long.MAX_VALUE / 4);
            OptionalLong sched = e.symbols().resolve("sched::SCHEDULER");
            if (watch) e.watch(sched.orElseThrow(), 8, DebugEngine.WatchKind.WRITE);
            long t0 = System.nanoTime();
            DebugEngine.Stop s;
            int hits = 0;
            do {
                s = e.cont();
                if (s.reason() == DebugEngine.Reason.WATCHPOINT) hits++;
            } while (s.reason() != DebugEngine.Reason.EXITED);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("  %s: %s after %,d instructions, %d watchpoint stops, %d restores%n", watch ? "watched" : checkpoints ? "plain" : "no checkpoints", s.detail(),
                    e.position().retired(), hits, e.restores());
            return ms;
        } catch (VirtBoard.ImageException | IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
