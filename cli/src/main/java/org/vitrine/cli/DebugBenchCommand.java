package org.vitrine.cli;

import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.debug.DebugEngine;
import org.vitrine.emulator.debug.Debugger;
import org.vitrine.emulator.spi.GuestLog;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vitrine debug-bench}: the debugger engine's figures (issue 11) on rost's console demo
 * (10 programs, ~280 M instructions to power-off): the host time of one reverse step at several
 * points of the run (with the engine's periodic snapshots, as {@code vitrine debug} takes them),
 * and the run's host time with no watchpoint, then with one write watchpoint on a kernel variable.
 */
@Command(name = "debug-bench", mixinStandardHelpOptions = true,
        description = "Measure the debugger engine: one reverse step at points of a run, and run speed with a watchpoint.")
public final class DebugBenchCommand implements Callable<Integer> {
    @Option(names = "--kernel", paramLabel = "FILE", description = "Kernel (default: the built rost image).")
    Path kernel;

    @Option(names = "--snapshot-every", paramLabel = "CYCLES", defaultValue = "100000000",
            description = "Cycles between the engine's snapshots during a continue (default: ${DEFAULT-VALUE}).")
    long snapshotEvery;

    @Override
    public Integer call() {
        Path image = kernel != null ? kernel : RunCommand.defaultKernel();
        VirtBoard.Options o = VirtBoard.Options.defaults().withGuestLog(GuestLog.Sink.NONE);
        try (VirtBoard board = new VirtBoard(o, b -> { }); Debugger d = new Debugger(board.machine())) {
            board.boot(image);
            DebugEngine e = DebugSessions.engine(board, d, image);
            e.setSnapshotInterval(snapshotEvery);
            for (long at : new long[] {1_000_000, 10_000_000, 100_000_000, 250_000_000}) {
                e.setTimeLimit(at);
                e.cont();
                long before = e.position().retired();
                long t0 = System.nanoTime();
                DebugEngine.Stop s = e.reverseStep(1);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf("reverse-step at instruction %,d: %d ms host (now at #%,d, %s; %d snapshots kept)%n",
                        before, ms, s.position().retired(), s.reason(), e.history().size());
            }
        } catch (VirtBoard.ImageException | java.io.IOException ex) {
            System.err.println("vitrine: " + ex.getMessage());
            return ExitCodes.BAD_IMAGE;
        }
        long plain = runToEnd(image, o, false);
        long watched = runToEnd(image, o, true);
        System.out.printf("console demo to power-off: %d ms host without a watchpoint, %d ms with one write watchpoint (%.2fx)%n",
                plain, watched, watched / (double) plain);
        return 0;
    }

    /** Host ms of the whole demo through the engine, with or without a write watchpoint on the scheduler. */
    private static long runToEnd(Path image, VirtBoard.Options o, boolean watch) {
        try (VirtBoard board = new VirtBoard(o, b -> { }); Debugger d = new Debugger(board.machine())) {
            board.boot(image);
            DebugEngine e = DebugSessions.engine(board, d, image);
            e.setSnapshotInterval(Long.MAX_VALUE / 4);   // measure the watchpoint, not snapshots
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
            System.out.printf("  %s: %s after %,d instructions, %d watchpoint stops%n", watch ? "watched" : "plain", s.detail(),
                    e.position().retired(), hits);
            return ms;
        } catch (VirtBoard.ImageException | java.io.IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
