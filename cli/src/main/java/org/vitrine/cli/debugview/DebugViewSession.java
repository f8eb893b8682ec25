package org.vitrine.cli.debugview;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.Function;

import org.vitrine.cli.window.DesktopWindow;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.debug.Debugger;
import org.vitrine.emulator.elf.ElfFile;
import org.vitrine.emulator.elf.SymbolTable;
import org.vitrine.emulator.machine.Machine;

/**
 * The debugger view's part of a {@code vitrine run} in a window: the view beside the guest (opened
 * at once with {@code --debug}, or by F12), the console lines it shows, and the machine's run while
 * it is attached. Once the debugger has been opened it stays: the rest of the run, and each machine
 * after a guest reset (stopped at its entry), goes through a {@link DebugController}.
 *
 * <p>The hook for the debugger engine: {@link #engine} makes the {@link EngineHooks} for each
 * machine's Debugger ({@link EngineHooks#NONE} until the engine lands; then reverse execution,
 * processes and backtraces light up in the view without changes here).
 */
public final class DebugViewSession {
    private final boolean startStopped;
    private final Path kernel;
    private final PrintStream err;
    private final ConsoleTail console = new ConsoleTail(200);
    private final DebugView view = new DebugView(console, this::requestStop);
    private volatile Function<Debugger, EngineHooks> engine = d -> EngineHooks.NONE;
    private volatile boolean debugging;
    private volatile Machine machine;
    private volatile DebugController controller;
    private volatile boolean closed;
    private SymbolTable symbols;

    /**
     * @param startStopped {@code --debug}: the view is open and the guest stopped at its first instruction
     * @param kernel       the kernel whose symbols the disassembly shows (null: none)
     */
    public DebugViewSession(boolean startStopped, Path kernel, PrintStream err) {
        this.startStopped = startStopped;
        this.debugging = startStopped;
        this.kernel = kernel;
        this.err = err;
    }

    /** Puts the view in the window (shown at once with {@code --debug}). Window thread. */
    public void attachTo(DesktopWindow window) {
        window.attachPanel(view);
        if (startStopped) view.show();
    }

    /** Plugs in the debugger engine: {@code hooks} makes the engine's extras for each machine's Debugger. */
    public void engine(Function<Debugger, EngineHooks> hooks) {
        engine = hooks;
    }

    /** One byte of the guest's console (the Console panel). Emulation thread. */
    public void consoleByte(int b) {
        console.append(b);
    }

    /**
     * Runs {@code m} until it stops by itself: normally ({@code normalRun}) until F12 asks for the
     * debugger, then under the view's controller. Emulation thread.
     */
    public Cpu.Exit run(Machine m, long limit, java.util.function.Supplier<Cpu.Exit> normalRun) {
        machine = m;
        try {
            String why = "stopped at the kernel's entry";
            if (!debugging) {
                Cpu.Exit exit = normalRun.get();
                if (!debugging || closed || exit.kind() != Cpu.ExitKind.STOPPED) return exit;
                why = "stopped (F12)";
            }
            try (Debugger d = new Debugger(m)) {
                d.setTimeLimit(limit);
                DebugController c = new DebugController(d, symbols(), engine.apply(d), err);
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
        cpu.post(cpu::requestStop);   // in case the run had not started yet (it clears the request)
    }

    private SymbolTable symbols() {
        if (symbols == null && kernel != null) {
            try {
                symbols = ElfFile.read(kernel).symbols();
            } catch (Exception e) {   // a Linux Image, or no symbols: the disassembly goes without
                err.println("[debugger] no symbols from " + kernel + ": " + e.getMessage());
            }
        }
        return symbols;
    }
}
