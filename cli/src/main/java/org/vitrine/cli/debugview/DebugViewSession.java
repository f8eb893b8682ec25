package org.vitrine.cli.debugview;

import java.io.PrintStream;
import java.util.function.Function;
import java.util.function.Supplier;

import org.vitrine.cli.window.DesktopWindow;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.debug.DebugEngine;
import org.vitrine.emulator.debug.Debugger;
import org.vitrine.emulator.machine.Machine;

/**
 * The debugger view's part of a {@code vitrine run} in a window: the view beside the guest (opened
 * at once with {@code --debug}, or by F12), the console lines it shows, and the machine's run while
 * it is attached. Once the debugger has been opened it stays: the rest of the run, and each machine
 * after a guest reset (stopped at its entry), goes through a {@link DebugController} on the
 * machine's {@link DebugEngine}, which the run session makes (it knows the board and its snapshots).
 */
public final class DebugViewSession {
    private final boolean startStopped;
    private final PrintStream err;
    private final ConsoleTail console = new ConsoleTail(200);
    private final DebugView view = new DebugView(console, this::requestStop);
    private volatile boolean debugging;
    private volatile Machine machine;
    private volatile boolean runningNormally;   // the machine runs without the debugger: F12's stop is for this run
    private volatile DebugController controller;
    private volatile boolean closed;

    /** @param startStopped {@code --debug}: the view is open and the guest stopped at its first instruction */
    public DebugViewSession(boolean startStopped, PrintStream err) {
        this.startStopped = startStopped;
        this.debugging = startStopped;
        this.err = err;
    }

    /** Puts the view in the window (shown at once with {@code --debug}). Window thread. */
    public void attachTo(DesktopWindow window) {
        window.attachPanel(view);
        if (startStopped) view.show();
    }

    /** One byte of the guest's console (the Console panel). Emulation thread. */
    public void consoleByte(int b) {
        console.append(b);
    }

    /**
     * Runs {@code m} until it stops by itself: normally ({@code normalRun}) until F12 asks for the
     * debugger, then under the view's controller on the engine {@code engineFor} makes (with the
     * run's time limit set). {@code paced}: the run keeps to the wall clock (rewinds go without).
     * Emulation thread.
     */
    public Cpu.Exit run(Machine m, long limit, boolean paced, Supplier<Cpu.Exit> normalRun, Function<Debugger, DebugEngine> engineFor) {
        machine = m;
        try {
            String why = "stopped at the kernel's entry";
            if (!debugging) {
                Cpu.Exit exit;
                runningNormally = true;
                try {
                    exit = normalRun.get();
                } finally {
                    runningNormally = false;   // a stop F12 posted and the run did not take is void now
                }
                if (!debugging || closed || exit.kind() != Cpu.ExitKind.STOPPED) return exit;
                why = "stopped (F12)";
            }
            try (Debugger d = new Debugger(m); DebugEngine engine = engine(engineFor, d)) {
                if (engine == null) {
                    view.detach();
                    return normalRun.get();
                }
                d.setTimeLimit(limit);
                engine.setTimeLimit(limit);
                Cpu cpu = m.cpu();
                DebugController c = new DebugController(engine, err, fast -> cpu.setRealTime(paced && !fast));
                controller = c;
                view.attach(c);
                if (closed) return new Cpu.Exit(Cpu.ExitKind.STOPPED, 0, "window closed: guest powered off");
                err.println("[debugger] " + why + " at 0x" + Long.toHexString(d.pc()));
                return c.serve(why);
            } finally {
                controller = null;
                view.detach();
            }
        } finally {
            machine = null;
        }
    }

    /** The engine, or null (said on standard error) when this machine cannot be snapshotted, so not debugged. */
    private DebugEngine engine(Function<Debugger, DebugEngine> engineFor, Debugger d) {
        try {
            return engineFor.apply(d);
        } catch (IllegalStateException e) {
            err.println("[debugger] cannot debug this machine: " + e.getMessage());
            return null;
        }
    }

    /** The window was closed: the controller stops serving. Any thread. */
    public void close() {
        closed = true;
        DebugController c = controller;
        if (c != null) c.quit();
    }

    /** F12 on a running guest: stop it and attach the debugger. Window thread. */
    private void requestStop() {
        debugging = true;
        Machine m = machine;
        if (m == null) return;   // between machines: the next one starts under the debugger
        Cpu cpu = m.cpu();
        cpu.requestStop();
        // In case the run had not started yet (starting clears the request). Posted actions run at
        // the next run's start: once the debugger runs the machine, this one must not stop it.
        cpu.post(() -> {
            if (runningNormally) cpu.requestStop();
        });
    }
}
