package org.vitrine.cli;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.vitrine.cli.script.ScenarioResult;
import org.vitrine.cli.window.DesktopWindow;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.display.HostInput;

/**
 * {@code vitrine script --window}: the scenario plays on its own thread while this (main) thread
 * shows its display in a desktop window, so a person can watch it. The window's input goes
 * nowhere (a scenario's run must not depend on who watches). When the scenario ends the window
 * closes, unless it failed with {@code --pause-on-failure}: then it stays at the failing screen,
 * its title saying what failed, until the person closes it.
 */
final class WatchedRun {
    /** Plays a scenario: given a hook that receives the machine before it starts. */
    interface Scenario {
        ScenarioResult play(Consumer<VirtBoard> onBoard) throws IOException;
    }

    private WatchedRun() { }

    static ScenarioResult play(String name, VirtBoard.Options.Display size, boolean pauseOnFailure, Scenario scenario) throws IOException {
        CompletableFuture<VirtBoard> machine = new CompletableFuture<>();
        CompletableFuture<ScenarioResult> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(scenario.play(machine::complete));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            } finally {
                machine.complete(null);   // the machine never started: nothing to show
            }
        }, "vitrine-script");
        t.start();
        VirtBoard board = machine.join();
        if (board != null) {
            DesktopWindow w;
            try {
                w = DesktopWindow.open(board.frames(), new HostInput(), DesktopWindow.Options.defaults().withTitle("vitrine script " + name).withSize(size.width(), size.height()));
            } catch (DesktopWindow.UnavailableException e) {
                System.err.println("vitrine: " + e.getMessage() + " (the scenario plays on without a window)");
                return join(result);
            }
            try (w) {
                result.whenComplete((r, e) -> {
                    if (r != null && !r.passed() && pauseOnFailure) {
                        String failed = r.sections().stream().filter(s -> s.failure() != null).map(s -> s.failure().where()).findFirst().orElse("");
                        w.showStatus(() -> "FAILED at " + failed + ": close the window to end");
                        w.wake();
                    } else {
                        w.requestClose();
                        w.wake();
                    }
                });
                w.loop(null);
            }
        }
        return join(result);
    }

    private static ScenarioResult join(CompletableFuture<ScenarioResult> result) throws IOException {
        try {
            return result.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw e;
        }
    }
}
