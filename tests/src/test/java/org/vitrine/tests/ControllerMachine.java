package org.vitrine.tests;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

import org.vitrine.cli.DebugSessions;
import org.vitrine.cli.debugview.DebugController;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.debug.Debugger;

/**
 * rost's kernel on a board served by the debugger view's controller and engine, as {@code vitrine
 * run --debug} runs it: the machine on its own thread, the commands from the test's. The console
 * gets what the guest prints once (a rewind's replay is muted); {@link #log} has the stop lines.
 */
final class ControllerMachine {
    /** How the served run ended: its exit and the CPU's counts then. */
    record End(Cpu.ExitKind kind, long instructions, long cycles) { }

    final DebugController controller;
    final ByteArrayOutputStream log;
    private final CompletableFuture<End> end;
    private final Thread thread;

    private ControllerMachine(DebugController controller, ByteArrayOutputStream log, CompletableFuture<End> end, Thread thread) {
        this.controller = controller;
        this.log = log;
        this.end = end;
        this.thread = thread;
    }

    /** Starts the machine stopped at the kernel's entry; runs end at {@code until} cycles. */
    static ControllerMachine start(VirtBoard.Options options, long until, IntConsumer console, Duration guard) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        AtomicBoolean muted = new AtomicBoolean();
        CompletableFuture<DebugController> made = new CompletableFuture<>();
        CompletableFuture<End> end = new CompletableFuture<>();
        Thread machine = Thread.ofPlatform().name("machine").start(() -> {
            try (VirtBoard board = new VirtBoard(options, b -> {
                    if (!muted.get()) console.accept(b);
                }); Debugger d = new Debugger(board.machine())) {
                board.loadKernel(Guest.kernel());
                d.setTimeLimit(until);
                var engine = DebugSessions.engine(board, d, Guest.kernel(), muted::set);
                engine.setTimeLimit(until);
                DebugController dc = new DebugController(engine, new PrintStream(log, true, StandardCharsets.UTF_8));
                made.complete(dc);
                Cpu.Exit exit = dc.serve("entry");
                Cpu cpu = board.machine().cpu();
                end.complete(new End(exit.kind(), cpu.instructionsRetired(), cpu.cycles()));
            } catch (Throwable t) {
                made.completeExceptionally(t);
                end.completeExceptionally(t);
            }
        });
        return new ControllerMachine(made.get(guard.toSeconds(), TimeUnit.SECONDS), log, end, machine);
    }

    /** Waits for the served run to end (the machine stopped by itself, or {@link DebugController#quit}). */
    End awaitEnd(Duration guard) throws Exception {
        End e = end.get(guard.toSeconds(), TimeUnit.SECONDS);
        thread.join();
        return e;
    }

    String log() {
        return log.toString(StandardCharsets.UTF_8);
    }
}
