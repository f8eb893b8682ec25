package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.emulator.display.Frame;
import org.vitrine.emulator.display.HostInput;
import org.vitrine.tests.DesktopInput.Button;
import org.vitrine.tests.DesktopInput.Key;
import org.vitrine.tests.DesktopInput.Move;

/**
 * The desktop (bootargs {@code rost.desktop}: the window manager and the terminal from the disk)
 * on QEMU (the reference) and on Vitrine with the same input: the pointer onto the menu's
 * Terminal entry, a click, then {@code echo hi} and {@code ls} typed into the terminal, then Browser
 * and Snake opened from the menu. Screens
 * must be pixel-identical after boot and after every input report, and the consoles identical
 * line for line. Driven like {@link DesktopDifferentialTest} (QEMU through QMP, polled until its
 * screen shows what Vitrine's showed). The same for an Editor session (a new file, typed into).
 */
class DesktopTerminalDifferentialTest {
    static final int ENTER = 28, SPACE = 57;
    /** evdev codes of the letters typed. */
    static final int E = 18, C = 46, H = 35, O = 24, I = 23, L = 38, S = 31;

    @TempDir
    Path dir;

    static List<DesktopInput> keys(int... codes) {
        List<DesktopInput> out = new ArrayList<>();
        for (int c : codes) {
            out.add(new Key(c, true));
            out.add(new Key(c, false));
        }
        return out;
    }

    @Test
    void desktopSessionMatchesQemu() throws Exception {
        List<DesktopInput> script = new ArrayList<>(List.of(
                new Move(3600, 600),                  // onto "Terminal" in the menu bar: hover highlight
                new Button(HostInput.BTN_LEFT, true), new Button(HostInput.BTN_LEFT, false)));
        script.addAll(keys(E, C, H, O, SPACE, H, I, ENTER, L, S, ENTER));
        // Browser and Snake from the menu (x 264 and 400 of 1024): the index page laid out and the
        // board waiting for its first key, in three tiles.
        for (int x : new int[] {264, 400}) {
            script.addAll(List.of(new Move(x * 32, 600),
                    new Button(HostInput.BTN_LEFT, true), new Button(HostInput.BTN_LEFT, false)));
        }
        List<String> v = sameOnBoth(dir, script, "desktop-terminal");
        assertTrue(v.contains("[terminal] hi"), String.join("\n", v));
        assertTrue(v.contains("[terminal] BIN/"), String.join("\n", v));
        assertTrue(v.contains("[browser] title: rost: sample pages"), String.join("\n", v));
        assertTrue(v.contains("[snake] high score 0"), String.join("\n", v));
    }

    /** evdev codes of Tab, F, N, T. */
    static final int TAB = 15, F = 33, N = 49, T = 20;

    /**
     * The Editor (issue 8, item 6) started from the menu on a new file, and a little Rust typed
     * into it (highlighting, line numbers, the modified marker, auto-indent): the same screens.
     */
    @Test
    void editorSessionMatchesQemu() throws Exception {
        List<DesktopInput> script = new ArrayList<>(List.of(
                new Move(6016, 600),                  // onto "Editor" in the menu bar
                new Button(HostInput.BTN_LEFT, true), new Button(HostInput.BTN_LEFT, false)));
        script.addAll(keys(F, N, SPACE, F, ENTER, TAB, L, E, T, SPACE, S, ENTER));
        List<String> v = sameOnBoth(dir, script, "desktop-editor");
        assertTrue(v.contains("[editor] new file: ctrl+s saves it"), String.join("\n", v));
    }

    /**
     * Boots the desktop on QEMU and on Vitrine, feeds both `script`, and checks that the screens
     * are pixel-identical after boot and after every input report and the consoles identical
     * line for line; returns Vitrine's console lines.
     */
    static List<String> sameOnBoth(Path dir, List<DesktopInput> script, String name) throws Exception {
        Path qemuDisk = Guest.disk(dir), vitrineDisk = Guest.disk(dir);
        Path socket = dir.resolve("qmp.sock");
        Process qemu = new ProcessBuilder(DesktopDifferentialTest.qemu(qemuDisk, socket, "rost.desktop")).start();
        qemu.getOutputStream().close();
        ConsoleLines qOut = ConsoleLines.follow(qemu.getInputStream(), "qemu-out");
        ConsoleLines qErr = ConsoleLines.follow(qemu.getErrorStream(), "qemu-err");
        int screens = 0;
        List<String> v;
        try (DesktopBoard vitrine = new DesktopBoard(DesktopDifferentialTest.W, DesktopDifferentialTest.H, vitrineDisk, "rost.desktop")) {
            vitrine.runUntilIdle();
            Frame vBoot = vitrine.frame();
            assertTrue(vitrine.console().contains("[wm] desktop up"), vitrine.console());
            qOut.await(l -> l.startsWith("[wm] desktop up"), 0, java.time.Duration.ofSeconds(60));
            try (Qmp qmp = Qmp.connect(socket, qemu)) {
                DesktopDifferentialTest.awaitSameScreen(qmp, vBoot, name + "-boot", dir);
                screens++;
                for (int i = 0; i < script.size(); i++) {
                    DesktopInput step = script.get(i);
                    vitrine.input(step);
                    qmp.sendInput(step.qmpEvents());
                    qOut.awaitCount(DesktopInput::isInputLine, 0, i + 1, DesktopDifferentialTest.GUARD);
                    DesktopDifferentialTest.awaitSameScreen(qmp, vitrine.frame(), name + "-step" + (i + 1), dir);
                    screens++;
                }
                List<String> q = DesktopDifferentialTest.assertSameConsole(qOut, vitrine);
                v = vitrine.lines();
                ScreenImages.save(vitrine.frame(), name + "-differential-vitrine");
                System.out.printf("[%s-differential] %d console lines and %d screens identical on QEMU and Vitrine%n",
                        name, q.size(), screens);
                qmp.execute("quit", null);
            }
            assertTrue(qemu.waitFor(20, TimeUnit.SECONDS), "QEMU quits");
        } finally {
            if (qemu.isAlive()) qemu.destroyForcibly().waitFor();
        }
        assertTrue(qErr.lines().isEmpty(), "QEMU complained:\n" + qErr.text());
        return v;
    }
}
