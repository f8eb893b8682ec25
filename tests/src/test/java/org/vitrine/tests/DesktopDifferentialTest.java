package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * rost's boot screen on QEMU 7.2 (the reference) and on Vitrine, with the same four virtio devices
 * (gpu 1024x768, keyboard, tablet, an 8 MiB disk), given the same input: the console logs must be
 * identical line for line (device list, disk self-test, boot-screen line, every {@code [input]}
 * line), and the screens pixel-identical after boot and after every input report.
 *
 * <p>QEMU gets the input through QMP {@code input-send-event} (one command per report; QEMU sends
 * a sync after each), Vitrine through {@link HostInput} (each report a group ending with SYN). QMP
 * absolute values are in QEMU's 0..32767 input range, which is also the virtio tablet's ABS range:
 * the test checks that the guest receives them unchanged on both. QEMU runs in real time, so each
 * of its screens is polled until it shows what Vitrine showed (10 s at most).
 */
class DesktopDifferentialTest {
    static final int W = 1024, H = 768;
    /** How long a step may take before it counts as failed: generous, for a loaded host running QEMU as well. */
    static final Duration GUARD = Duration.ofSeconds(30);
    static final long SECTORS = (8L << 20) / 512;
    static final int SHIFT = 42, KEY_H = 35, KEY_I = 23, KEY_1 = 2, ENTER = 28;

    /** A few tablet moves (centre, both corners: the pointer clipped at the edges), a click, "Hi!", Enter, "h". */
    static final List<DesktopInput> SCRIPT = List.of(
            new Move(16384, 16384),                  // where the pointer starts: logged, nothing to redraw
            new Move(0, 0),
            new Move(32767, 32767),
            new Move(9000, 21000),                   // over the text box
            new Button(HostInput.BTN_LEFT, true), new Button(HostInput.BTN_LEFT, false),
            new Key(SHIFT, true), new Key(KEY_H, true), new Key(KEY_H, false), new Key(SHIFT, false),
            new Key(KEY_I, true), new Key(KEY_I, false),
            new Move(2432, 18347),                   // onto the next text cell: the echo is drawn under the pointer
            new Key(SHIFT, true), new Key(KEY_1, true), new Key(KEY_1, false), new Key(SHIFT, false),
            new Key(ENTER, true), new Key(ENTER, false),
            new Key(KEY_H, true), new Key(KEY_H, false));

    @TempDir
    Path dir;

    @Test
    void consoleScreensAndInputMatchQemu() throws Exception {
        Files.createDirectories(ScreenImages.DIR);
        Path qemuDisk = sparse(dir.resolve("qemu.img")), vitrineDisk = sparse(dir.resolve("vitrine.img"));
        Path socket = dir.resolve("qmp.sock");
        Process qemu = new ProcessBuilder(qemu(qemuDisk, socket, null)).start();
        qemu.getOutputStream().close();
        ConsoleLines qOut = ConsoleLines.follow(qemu.getInputStream(), "qemu-out");
        ConsoleLines qErr = ConsoleLines.follow(qemu.getErrorStream(), "qemu-err");
        int screens = 0;
        long t0 = System.nanoTime();
        try (DesktopBoard vitrine = new DesktopBoard(W, H, vitrineDisk, null)) {
            vitrine.runUntilIdle();
            Frame vBoot = vitrine.frame();
            assertTrue(vBoot != null, "Vitrine's guest showed nothing:\n" + vitrine.console());
            assertTrue(vitrine.console().contains("[rost] boot screen up"), vitrine.console());

            qOut.await(l -> l.startsWith("[rost] boot screen up"), 0, Duration.ofSeconds(60));
            try (Qmp qmp = Qmp.connect(socket, qemu)) {
                awaitSameScreen(qmp, vBoot, "boot", dir);
                screens++;
                List<String> qemuInput = new ArrayList<>();
                for (int i = 0; i < SCRIPT.size(); i++) {
                    DesktopInput step = SCRIPT.get(i);
                    vitrine.input(step);
                    qmp.sendInput(step.qmpEvents());
                    List<String> got = qOut.awaitCount(DesktopInput::isInputLine, 0, i + 1, GUARD);
                    qemuInput.add(got.get(i));
                    awaitSameScreen(qmp, vitrine.frame(), "step" + (i + 1), dir);
                    screens++;
                }
                // QMP's absolute values reach the guest as they were sent, on both machines.
                assertEquals(SCRIPT.stream().map(DesktopInput::consoleLine).toList(), qemuInput, "QEMU's guest saw other values");
                List<String> q = assertSameConsole(qOut, vitrine), v = vitrine.lines();
                for (String expected : List.of("[virtio] slot 31: gpu, display 1024x768", "[virtio] slot 30: keyboard \"QEMU Virtio Keyboard\"",
                        "[virtio] slot 29: tablet \"QEMU Virtio Tablet\"", "[virtio] slot 28: blk, " + SECTORS + " sectors",
                        "[blk] self-test ok (capacity " + SECTORS + " sectors)", "[rost] boot screen up, waiting for input")) {
                    assertTrue(v.contains(expected), "missing: " + expected + "\n" + vitrine.console());
                }
                ScreenImages.save(vitrine.frame(), "differential-final-vitrine");
                System.out.printf("[desktop-differential] %d console lines and %d screens (1024x768) identical on QEMU and Vitrine;"
                        + " %d input reports; %.1f s%n", q.size(), screens, SCRIPT.size(), (System.nanoTime() - t0) / 1e9);
                qmp.execute("quit", null);
            }
            assertTrue(qemu.waitFor(20, TimeUnit.SECONDS), "QEMU quits");
        } finally {
            if (qemu.isAlive()) qemu.destroyForcibly().waitFor();
        }
        // Both disks were self-tested and restored: the images are equal (all zeros, as created).
        assertArrayEquals(Files.readAllBytes(qemuDisk), Files.readAllBytes(vitrineDisk), "disk images after the self-test");
        assertTrue(qErr.lines().isEmpty(), "QEMU complained:\n" + qErr.text());
    }

    /**
     * QEMU with the desktop's devices (gpu W x H, keyboard, tablet, {@code disk} as virtio-blk), QMP on
     * {@code socket}, the console on stdout, and {@code bootArgs} (none if null).
     */
    static List<String> qemu(Path disk, Path socket, String bootArgs) {
        List<String> cmd = new ArrayList<>(List.of(Qemu.BINARY, "-M", "virt", "-cpu", "cortex-a72", "-m", "512", "-nodefaults",
                "-nic", "none", "-display", "none", "-device", "virtio-gpu-device,xres=" + W + ",yres=" + H,
                "-device", "virtio-keyboard-device", "-device", "virtio-tablet-device"));
        List<String> drive = Guest.qemuDisk(disk, bootArgs == null ? "" : bootArgs);
        cmd.addAll(bootArgs == null ? drive.subList(0, drive.size() - 2) : drive);
        cmd.addAll(List.of("-qmp", "unix:" + socket + ",server,nowait", "-serial", "stdio", "-kernel", Guest.kernel().toString()));
        return cmd;
    }

    /**
     * Asserts that QEMU's console equals Vitrine's line for line; returns QEMU's lines. Vitrine ran
     * to idle after each step, so its console is complete: this waits until QEMU's has as many
     * lines (QEMU runs on its own, and a loaded host may keep it behind).
     */
    static List<String> assertSameConsole(ConsoleLines qOut, DesktopBoard vitrine) throws InterruptedException {
        List<String> v = vitrine.lines();
        try {
            qOut.awaitCount(l -> true, 0, v.size(), GUARD);
        } catch (AssertionError fewer) {
            // QEMU printed less: the comparison below names the first line that differs
        }
        List<String> q = qOut.lines();
        for (int i = 0; i < Math.max(q.size(), v.size()); i++) {
            String ql = i < q.size() ? q.get(i) : "<end>", vl = i < v.size() ? v.get(i) : "<end>";
            assertEquals(ql, vl, "console line " + (i + 1) + " differs\n--- QEMU ---\n" + qOut.text() + "--- Vitrine ---\n"
                    + vitrine.console());
        }
        return q;
    }

    static Path sparse(Path p) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(8L << 20);
        }
        return p;
    }

    /** Takes QEMU screendumps (into {@code dir}) until one equals {@code expected} (Vitrine's screen), for {@link #GUARD} at most. */
    static void awaitSameScreen(Qmp qmp, Frame expected, String name, Path dir) throws Exception {
        Path ppm = dir.resolve(name + ".ppm");
        long end = System.nanoTime() + GUARD.toNanos();
        while (true) {
            qmp.screendump(ppm);
            Frame q = ScreenImages.readPpm(ppm);
            ScreenImages.Diff d = ScreenImages.diff(q, expected);
            if (d.none()) return;
            if (System.nanoTime() > end) {
                Path qp = ScreenImages.save(q, "differential-" + name + "-qemu");
                Path vp = ScreenImages.save(expected, "differential-" + name + "-vitrine");
                throw new AssertionError("screen '" + name + "': QEMU vs Vitrine " + d + "; see " + qp + " and " + vp);
            }
            Thread.sleep(20);
        }
    }
}
