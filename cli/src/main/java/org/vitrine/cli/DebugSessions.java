package org.vitrine.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import org.vitrine.cli.debug.BatchDebugger;
import org.vitrine.devices.board.BoardSnapshot;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.debug.DebugEngine;
import org.vitrine.emulator.debug.Debugger;
import org.vitrine.emulator.debug.Symbols;
import org.vitrine.emulator.display.HostInput;
import org.vitrine.emulator.elf.ElfFormatException;
import org.vitrine.emulator.snapshot.Snapshot;
import org.vitrine.emulator.snapshot.SnapshotException;

/**
 * Builds a {@link DebugEngine} for a board (its snapshots as the engine's machine state, the
 * kernel's and rost's programs' symbols) and runs a batch script on it.
 */
public final class DebugSessions {
    private DebugSessions() { }

    /** A script line was bad; the message is FILE:LINE: what. */
    static final class BadScript extends Exception {
        BadScript(String message) {
            super(message);
        }
    }

    /** The engine over {@code board}, with symbols from {@code kernel} (may be null) and the built programs. */
    public static DebugEngine engine(VirtBoard board, Debugger debugger, Path kernel) {
        return engine(board, debugger, kernel, on -> { });
    }

    /** As above; {@code mute} is told when the guest's console output is a replay the user already saw. */
    public static DebugEngine engine(VirtBoard board, Debugger debugger, Path kernel, java.util.function.Consumer<Boolean> mute) {
        DebugEngine.MachineState state = new DebugEngine.MachineState() {
            @Override
            public Snapshot take() {
                return BoardSnapshot.take(board, "debugger");
            }

            @Override
            public void restore(Snapshot s) throws SnapshotException {
                BoardSnapshot.restore(board, s);
            }

            @Override
            public void replaying(boolean on) {
                mute.accept(on);
            }

            @Override
            public HostInput input() {
                return board.input();
            }
        };
        return new DebugEngine(debugger, state, symbols(kernel));
    }

    /** The kernel's symbols and those of rost's programs (unstripped ones first), or none when unreadable. */
    public static Symbols symbols(Path kernel) {
        Path root = Path.of(System.getProperty("vitrine.root", "."));
        List<Path> programs = List.of(root.resolve("guest-apps/target/aarch64-unknown-linux-gnu/release"), root.resolve("guest-apps/build"));
        try {
            return Symbols.load(kernel, programs);
        } catch (IOException | ElfFormatException e) {
            System.err.println("[vitrine] no symbols: " + e.getMessage());
            return Symbols.none();
        }
    }

    static Cpu.Exit batch(VirtBoard board, long limit, Path kernel, RunSession.DebugBatch batch, OutputStream out,
                          java.util.function.Consumer<Boolean> muteConsole) throws BadScript {
        PrintStream print = new PrintStream(out, true);
        try (Debugger debugger = new Debugger(board.machine())) {
            DebugEngine engine = engine(board, debugger, kernel, muteConsole);
            engine.setTimeLimit(limit);
            batch.rewind().applyTo(engine);
            try (engine) {
                Cpu.Exit exit = new BatchDebugger(engine, print).run(batch.script());
                print.flush();
                return exit != null ? exit : new Cpu.Exit(Cpu.ExitKind.STOPPED, 0, "debug script ended");
            }
        } catch (BatchDebugger.ScriptError e) {
            print.flush();
            throw new BadScript(e.getMessage());
        } catch (IOException e) {
            throw new BadScript("cannot read debug script " + batch.script() + ": " + e.getMessage());
        }
    }
}
