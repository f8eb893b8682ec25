package org.vitrine.tests;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.display.Frame;

/**
 * rost's boot screen on an in-process Vitrine board with a display, keyboard, tablet and disk, run
 * in steps: each step runs the guest until it is idle again (WFI with nothing left to wake it: the
 * run loop reports a "hang", which here just means "done with everything it was given"). Host
 * input posted between steps is delivered at the start of the next one, so a run is deterministic.
 */
final class DesktopBoard implements AutoCloseable {
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final VirtBoard board;

    DesktopBoard(int width, int height, Path disk, String bootArgs) throws Exception {
        VirtBoard.Options o = VirtBoard.Options.defaults().withDesktop(new VirtBoard.Options.Display(width, height))
                .withDisk(disk, false).withBootArgs(bootArgs);
        board = new VirtBoard(o, b -> {
            synchronized (console) {
                console.write(b);
            }
        });
        board.loadKernel(Guest.kernel());
    }

    VirtBoard board() {
        return board;
    }

    /**
     * Runs until the guest waits for input; fails on anything else (power-off, error, still busy
     * after 60 s of host time). No cycle limit: with one, an idle guest would skip ahead to it
     * instead of reporting that it waits.
     */
    Cpu.Exit runUntilIdle() {
        Cpu cpu = board.machine().cpu();
        Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(60_000);
                cpu.requestStop();
            } catch (InterruptedException done) {
                // the guest went idle in time
            }
        });
        Cpu.Exit e;
        try {
            e = board.run(Long.MAX_VALUE);
        } finally {
            watchdog.interrupt();
        }
        if (e.kind() != Cpu.ExitKind.HANG) throw new AssertionError("guest did not go idle: " + e + "\n" + console());
        return e;
    }

    /** Posts the reports (each a group ending with SYN) and runs until the guest is idle again. */
    void input(List<DesktopInput> reports) {
        for (DesktopInput r : reports) r.events().forEach(board.input()::post);
        runUntilIdle();
    }

    void input(DesktopInput report) {
        input(List.of(report));
    }

    Frame frame() {
        return board.currentFrame();
    }

    String console() {
        synchronized (console) {
            return console.toString(StandardCharsets.UTF_8);
        }
    }

    List<String> lines() {
        return console().lines().toList();
    }

    @Override
    public void close() {
        board.close();
    }
}
