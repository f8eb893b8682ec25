package org.vitrine.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.vitrine.cli.debugview.DebugViewSession;
import org.vitrine.cli.gdb.GdbStub;
import org.vitrine.cli.log.GuestLogSession;
import org.vitrine.cli.window.DesktopWindow;
import org.vitrine.cli.window.Screenshots;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.debug.Debugger;
import org.vitrine.emulator.debug.Tracer;
import org.vitrine.emulator.display.Frame;
import org.vitrine.emulator.display.FrameExchange;
import org.vitrine.emulator.display.HostInput;
import org.vitrine.emulator.snapshot.SnapshotException;

/**
 * One {@code vitrine run} of the machine, across guest resets: builds the board, wires its console
 * to standard input and output, and runs it headless, in a window, or under gdb. Problems are told
 * to the user here; {@link RunCommand} turns the {@link Outcome} into the process exit status.
 * Each machine reports to the command's guest log as it starts and stops (so that the log's collapsed
 * repeats come before the run line, and the window's title counts guest errors across resets).
 *
 * <p>Threads: with a window, the window owns the main thread (GLFW needs it) and the machine runs on
 * {@code vitrine-machine}; headless, the machine runs on the calling thread.
 */
final class RunSession {
    /** What the run asks for beyond the board's own options. */
    record Settings(Path kernel, long untilCycle, boolean paced, TraceOptions trace, Integer gdbPort,
                    boolean quiet, Path screenshot, SnapshotRun.Plan snapshots, ProfileRun.Plan profile,
                    SessionRecorder recorder, boolean debugView) { }

    /** How the session ended. */
    sealed interface Outcome {
        /** The machine ran and stopped for this reason (the last run's, after any guest resets). */
        record Ran(Cpu.Exit exit) implements Outcome { }

        /** The session could not run or finish; the user has been told why. */
        record Failed(Failure failure) implements Outcome { }
    }

    enum Failure {
        /** The kernel or disk image could not be loaded. */
        BAD_IMAGE,
        /** No gdb connection: the port cannot be listened on, or the connection broke. */
        GDB_UNAVAILABLE,
        /** A debugger script (vitrine debug --batch) has a bad line. */
        BAD_SCRIPT,
        /** A window was asked for and none can be opened. */
        NO_WINDOW,
        /** The screenshot could not be written, or the machine thread failed. */
        HOST_ERROR
    }

    private final VirtBoard.Options options;
    private final Settings settings;
    private final GuestLogSession logs;
    // The window is opened before the first board exists, so these outlive board resets.
    private final FrameExchange frames = new FrameExchange();
    private final HostInput input = new HostInput();
    private volatile VirtBoard current;
    private volatile GdbStub debugStub;
    private volatile boolean closedByHost;
    private DebugBatch debugBatch;
    private volatile boolean consoleMuted;   // a debugger replays what the console already showed
    private volatile Tracer tracer;            // --trace, while the board runs
    private PrintStream traceOut = System.err;

    /** {@code vitrine debug --batch}: the script, and the cycles between rewind snapshots of a continue. */
    record DebugBatch(Path script, RewindOptions rewind) { }

    /** Makes the run a batch debugging session (null: a normal run). */
    void debugBatch(DebugBatch batch) {
        this.debugBatch = batch;
    }

    private volatile DebugViewSession debugView;   // with a window: the debugger view (F12, --debug)

    /**
     * @param options the board's options, whose guest log sink is {@code logs}'
     * @param logs    the command's guest log: each machine is reported to it as it starts and stops
     */
    RunSession(VirtBoard.Options options, Settings settings, GuestLogSession logs) {
        this.options = options;
        this.settings = settings;
        this.logs = logs;
    }

    /** Runs with the console on standard input and output and no window. */
    /** Where --trace writes (standard error unless set). */
    void traceTo(PrintStream out) {
        traceOut = out;
    }

    /** A debugger replays a stretch the console and the trace showed already (on) or is done (off). */
    private void replaying(boolean on) {
        consoleMuted = on;
        Tracer t = tracer;
        if (t != null) t.mute(on);
    }

    Outcome runHeadless() {
        return run(null);
    }

    /** Runs in a window showing the board's display; closing the window powers the guest off. */
    Outcome runInWindow(VirtBoard.Options.Display size) {
        DesktopWindow window;
        try {
            window = DesktopWindow.open(frames, input, DesktopWindow.Options.defaults()
                    .withSize(size.width(), size.height()));
        } catch (DesktopWindow.UnavailableException e) {
            System.err.println("vitrine: " + e.getMessage());
            return new Outcome.Failed(Failure.NO_WINDOW);
        }
        window.showStatus(logs.totals()::counter);
        if (settings.gdbPort() == null) {
            debugView = new DebugViewSession(settings.debugView(), System.err);
            debugView.attachTo(window);
        }
        AtomicReference<Outcome> result = new AtomicReference<>(new Outcome.Failed(Failure.HOST_ERROR));
        Thread machine = Thread.ofPlatform().name("vitrine-machine").start(() -> {
            try {
                result.set(run(window));
            } catch (Throwable t) {
                System.err.println("vitrine: host error: " + t);
                if (Boolean.getBoolean("vitrine.debug")) t.printStackTrace();
            } finally {
                window.requestClose();
            }
        });
        try (window) {
            window.loop(this::powerOffFromHost);
        }
        try {
            machine.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return result.get();
    }

    /** The window was closed: power the guest off, as pulling the plug on a real machine would. */
    private void powerOffFromHost() {
        closedByHost = true;
        VirtBoard b = current;
        if (b != null) b.machine().cpu().requestStop();
        GdbStub g = debugStub;
        if (g != null) g.close();
        DebugViewSession v = debugView;
        if (v != null) v.close();
    }

    private Outcome run(DesktopWindow window) {
        PrintStream err = System.err;
        OutputStream out = new BufferedOutputStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), 1 << 14);
        long hostStart = System.nanoTime();
        long elapsedBeforeReset = 0;   // --until counts the whole session, resets included
        SessionRecorder recorder = settings.recorder();
        // a recording holds what the window gives the guest: the serial console takes no input meanwhile
        ConsoleInput console = new ConsoleInput(recorder != null ? java.io.InputStream.nullInputStream() : System.in, window != null);
        while (true) {
            DebugViewSession view = debugView;
            try (VirtBoard board = new VirtBoard(options, b -> {
                if (!consoleMuted) console(out, b, view);
                if (recorder != null) recorder.consoleByte(b);
            }, frames, input)) {
                if (recorder != null) recorder.attach(board);
                Cpu.Exit restoredExit = null;
                try {
                    if (settings.snapshots().restoreFrom() != null && elapsedBeforeReset == 0) {
                        restoredExit = SnapshotRun.restore(board, settings.snapshots(), err);
                    } else {
                        board.boot(settings.kernel());
                    }
                } catch (VirtBoard.ImageException | SnapshotException e) {
                    err.println("vitrine: " + e.getMessage());
                    return new Outcome.Failed(Failure.BAD_IMAGE);
                }
                if (restoredExit != null) return new Outcome.Ran(restoredExit);
                Cpu cpu = board.machine().cpu();
                cpu.setRealTime(settings.paced());
                if (window != null) frames.setOnPublish(window::wake);
                console.attach(cpu, board.uart());   // with a window, host input stays open
                logs.started(board.machine().guestLog());
                current = board;
                if (closedByHost) return new Outcome.Ran(windowClosed());
                Cpu.Exit exit;
                ProfileRun profile = ProfileRun.start(settings.profile(), board, settings.kernel());
                tracer = settings.trace() == null ? null : settings.trace().start(board, settings.kernel(), traceOut);
                long until = settings.untilCycle();
                long limit = until == Long.MAX_VALUE ? until : Math.max(0, until - elapsedBeforeReset);
                try {
                    if (debugBatch != null) {
                        flush(out);
                        exit = DebugSessions.batch(board, limit, settings.kernel(), debugBatch, out, this::replaying);
                    } else if (settings.gdbPort() != null) {
                        exit = debug(board, limit, err);
                    } else if (view != null) {
                        exit = view.run(board.machine(), limit, settings.paced(), () -> SnapshotRun.run(board, limit, settings.snapshots(), err),
                                d -> DebugSessions.engine(board, d, settings.kernel(), on -> consoleMuted = on));
                    } else {
                        exit = SnapshotRun.run(board, limit, settings.snapshots(), err);
                    }
                } catch (DebugSessions.BadScript e) {
                    err.println(e.getMessage());
                    return new Outcome.Failed(Failure.BAD_SCRIPT);
                } catch (GdbUnavailableException e) {
                    err.println("vitrine: " + e.getMessage());
                    return new Outcome.Failed(Failure.GDB_UNAVAILABLE);
                } catch (SnapshotRun.SaveFailed e) {
                    return new Outcome.Failed(Failure.HOST_ERROR);
                } finally {
                    current = null;
                    if (tracer != null) tracer.close();
                    tracer = null;
                    flush(out);
                    logs.finished(board.machine().guestLog());   // its collapsed repeats before the run line
                }
                if (exit.kind() == Cpu.ExitKind.STOPPED && closedByHost) exit = windowClosed();
                if (profile != null && !profile.finish(board, err)) return new Outcome.Failed(Failure.HOST_ERROR);
                if (recorder != null && !recorder.finish(board, exit, err)) return new Outcome.Failed(Failure.HOST_ERROR);
                try {
                    SnapshotRun.afterRun(board, exit, settings.snapshots(), err);
                } catch (SnapshotRun.SaveFailed e) {
                    return new Outcome.Failed(Failure.HOST_ERROR);
                }
                if (!settings.quiet()) {
                    long hostMs = (System.nanoTime() - hostStart) / 1_000_000;
                    err.printf("[vitrine] %s; %d cycles (%.3f s virtual), %d instructions, %d ms host%n",
                            exit.message(), cpu.cycles(), cpu.cycles() / (double) options.timing().cyclesPerSecond(),
                            cpu.instructionsRetired(), hostMs);
                }
                if (Boolean.getBoolean("vitrine.stats")) err.println("[vitrine] " + cpu.statistics());
                if (exit.kind() == Cpu.ExitKind.RESET) {   // a new machine from the same image, as a board reset would
                    elapsedBeforeReset += cpu.cycles();
                    continue;
                }
                if (settings.screenshot() != null && !saveScreenshot(board.currentFrame())) {
                    return new Outcome.Failed(Failure.HOST_ERROR);
                }
                return new Outcome.Ran(exit);
            } catch (IOException e) {
                err.println("vitrine: cannot open disk image " + options.disk() + ": " + e.getMessage());
                return new Outcome.Failed(Failure.BAD_IMAGE);
            }
        }
    }

    private static Cpu.Exit windowClosed() {
        return new Cpu.Exit(Cpu.ExitKind.STOPPED, 0, "window closed: guest powered off");
    }

    /**
     * Runs the board under gdb: halted until gdb connects and resumes it. When gdb detaches the
     * debugger's hooks are gone and the machine runs on at full speed.
     */
    private Cpu.Exit debug(VirtBoard board, long limit, PrintStream err) throws GdbUnavailableException {
        try (Debugger debugger = new Debugger(board.machine())) {
            debugger.setTimeLimit(limit);
            org.vitrine.emulator.debug.DebugEngine engine = null;
            try {
                engine = DebugSessions.engine(board, debugger, settings.kernel(), this::replaying);
                engine.setTimeLimit(limit);
                engine.setWatchStopsBefore(true);   // gdb's AArch64 watchpoints trigger before the access and step over it
            } catch (IllegalStateException e) {   // a machine that cannot be snapshotted: no reverse execution nor watchpoints
                err.println("[vitrine] gdb without reverse execution: " + e.getMessage());
            }
            GdbStub.Outcome outcome;
            try (GdbStub stub = listen(debugger, engine)) {
                debugStub = stub;
                if (closedByHost) return windowClosed();
                err.printf("[vitrine] waiting for gdb on 127.0.0.1:%d (gdb-multiarch -ex 'target remote 127.0.0.1:%d' %s)%n",
                        stub.port(), stub.port(), settings.kernel());
                err.flush();
                outcome = stub.serve();
            } catch (IOException e) {
                throw new GdbUnavailableException("gdb connection failed: " + e.getMessage());
            } finally {
                debugStub = null;
                if (engine != null) engine.close();
            }
            switch (outcome.end()) {
                case EXITED -> { return outcome.exit(); }
                case KILLED -> { return new Cpu.Exit(Cpu.ExitKind.STOPPED, 0, "killed by the debugger"); }
                case CLOSED -> { return new Cpu.Exit(Cpu.ExitKind.STOPPED, 0, "debugger session closed"); }
                case DETACHED -> err.println("[vitrine] debugger detached; the machine runs on");
            }
        }
        return board.run(limit);
    }

    private GdbStub listen(Debugger debugger, org.vitrine.emulator.debug.DebugEngine engine) throws GdbUnavailableException {
        try {
            return GdbStub.listen(debugger, engine, settings.gdbPort());
        } catch (IOException e) {
            throw new GdbUnavailableException("cannot listen for gdb on 127.0.0.1:" + settings.gdbPort() + ": " + e.getMessage());
        }
    }

    /** The GDB port cannot be listened on (in use, not permitted) or the connection broke. */
    private static final class GdbUnavailableException extends Exception {
        GdbUnavailableException(String message) {
            super(message);
        }
    }

    private boolean saveScreenshot(Frame frame) {
        if (frame == null) {
            System.err.println("vitrine: no screenshot: the guest never showed anything on the display");
            return true;
        }
        try {
            Screenshots.writePng(frame, settings.screenshot(), true);
            return true;
        } catch (IOException e) {
            System.err.println("vitrine: cannot write screenshot " + settings.screenshot() + ": " + e.getMessage());
            return false;
        }
    }

    private static void console(OutputStream out, int b, DebugViewSession view) {
        if (view != null) view.consoleByte(b);
        try {
            out.write(b);
            if (b == '\n') out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void flush(OutputStream out) {
        try {
            out.flush();
        } catch (IOException ignored) {
            // standard output closed: nothing left to tell
        }
    }
}
