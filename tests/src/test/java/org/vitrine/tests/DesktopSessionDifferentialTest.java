package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.display.Frame;
import org.vitrine.emulator.display.HostInput;

/**
 * Issue 8's lockstep differential: rost's desktop booted on QEMU 7.2 {@code -icount
 * shift=0,sleep=off} and on Vitrine, given the same input at the same instants, compared at
 * checkpoints named by idle entries ({@link KernelPoints}): the n-th time the kernel's idle context
 * is about to execute its WFI is the same instant on every machine that runs the same
 * instructions. At each checkpoint the screens must be pixel-identical, the consoles identical
 * line for line, and the instruction counts equal (QEMU's icount, Vitrine's retired count; with
 * shift=0 and Vitrine's 1 GHz at one cycle per instruction that is also the same virtual time,
 * idle time being skipped to the same deadlines). QEMU is held at every device wait until its
 * device has answered ({@link QemuLockstep}): without that its count varies from run to run by
 * about half a million instructions.
 *
 * <p>The scripted session: the booted desktop; the pointer onto the menu's Terminal entry (its
 * hover highlight), then onto Editor; a click on Terminal, which opens, and "echo hi" typed and
 * run; a click on Editor, "hello" typed, ctrl+s and its save-as prompt ("/DOCS/"), "notes" and
 * enter, which saves; a click on Snake, a game started with an arrow and played on virtual time
 * for almost four seconds, steered up and left while the snake moves (it eats twice and hits the
 * left wall), another game started with space and steered up into the top wall; the bottom-right
 * window's close button with three windows open. Reports go in while both CPUs wait in the WFI of
 * the same idle entry, one where nothing is armed that could wake them
 * ({@link QemuLockstep#inputAtIdle}), and the instruction counts are compared once both are idle
 * again; during the game, where the snake's timer is armed, the steering reports go in at the WFI
 * of chosen idle entries without stopping QEMU ({@link QemuLockstep#inputAtEntry}). Screens and
 * consoles are compared at the checkpoints.
 */
class DesktopSessionDifferentialTest {
    /** The menu's Terminal, Editor and Snake entries and the menu bar's middle, in tablet units (1024 x 768 pixels: 32 and 42.7 a pixel). */
    static final int TERMINAL_X = 3600, EDITOR_X = 6016, SNAKE_X = 12800, MENU_Y = 600;
    /** The close button of the bottom-right window of three, (1004, 414) in pixels. */
    static final int CLOSE_X = 1004 * 32, CLOSE_Y = 414 * 32768 / 768;
    /** Linux key codes. */
    static final int CTRL = 29, KEY_S = 31, SPACE = 57, UP = 103, LEFT = 105, RIGHT = 106;
    private static final int[] LETTERS = {30, 48, 46, 32, 18, 33, 34, 35, 23, 36, 37, 38, 50, 49, 24, 25, 16, 19, 31, 20, 22, 47, 17, 45, 21, 44};

    @TempDir
    Path dir;

    private DesktopBoard vitrine;
    private IdleEntries vIdle;
    private QemuLockstep qemu;
    private final List<String> report = new ArrayList<>();
    private int steps;

    @Test
    void desktopMatchesQemuAtTheSameInstants() throws Exception {
        Files.createDirectories(ScreenImages.DIR);
        long t0 = System.nanoTime(), cpu0 = jvmCpuNanos();
        KernelPoints points = KernelPoints.of(Guest.kernel());
        Path qmpSocket = dir.resolve("qmp.sock"), gdbSocket = dir.resolve("gdb.sock");
        List<String> qemuCommand = QemuLockstep.command(Guest.disk(dir), qmpSocket, gdbSocket);
        byte[] qemuTree = QemuLockstep.deviceTree(qemuCommand, dir);
        try (DesktopBoard v = new DesktopBoard(DesktopDifferentialTest.W, DesktopDifferentialTest.H, Guest.disk(dir), "rost.desktop");
             IdleEntries idle = new IdleEntries(v.board().machine().cpu(), points.idle());
             QemuLockstep q = new QemuLockstep(qemuCommand, gdbSocket, qmpSocket, points, dir)) {
            // Both boot with the device tree QEMU gives its guest. Vitrine's own describes a subset of
            // QEMU's devices (DeviceTreeDifferentialTest), and rost walks the tree for its bootargs:
            // 288 instructions more on QEMU's, which would shift every later instant by 288 ns.
            v.board().machine().ram().write(VirtBoard.RAM_BASE, qemuTree, 0, qemuTree.length);
            vitrine = v;
            vIdle = idle;
            qemu = q;
            v.runUntilIdle();
            checkpointWhenIdle("boot");
            assertTrue(v.console().contains("[wm] desktop up"), v.console());
            hover("hover-terminal", TERMINAL_X);
            hover("hover-editor", EDITOR_X);

            click(TERMINAL_X, MENU_Y);
            checkpoint("terminal-open");
            assertTrue(vitrine.console().contains("[wm] window of task 3: Terminal"), vitrine.console());
            type("echo hi\n");
            checkpoint("terminal-echo");
            assertTrue(vitrine.lines().contains("[terminal] hi"), vitrine.console());

            click(EDITOR_X, MENU_Y);
            type("hello\n");
            keys(List.of(new DesktopInput.Key(CTRL, true), new DesktopInput.Key(KEY_S, true), new DesktopInput.Key(KEY_S, false),
                    new DesktopInput.Key(CTRL, false)));
            checkpoint("editor-save-as");
            assertTrue(vitrine.lines().contains("[editor] save as: a path, enter saves, esc cancels"), vitrine.console());
            type("notes\n");
            checkpoint("editor-saved");
            assertTrue(vitrine.lines().contains("[editor] saved /DOCS/notes (6 bytes)"), vitrine.console());

            click(SNAKE_X, MENU_Y);
            checkpoint("snake-ready");
            // An arrow starts the game, which runs on virtual time (both machines skip the idle time
            // to the same timer deadlines); while the snake moves it is steered up, then left, into
            // the left wall. Then space starts another game, steered up into the top wall.
            play(List.of(new DesktopInput.Key(RIGHT, true), new DesktopInput.Key(RIGHT, false), new DesktopInput.Key(UP, true),
                    new DesktopInput.Key(UP, false), new DesktopInput.Key(LEFT, true), new DesktopInput.Key(LEFT, false)), new int[] {2, 120, 2, 40, 2});
            checkpoint("snake-over");
            assertTrue(vitrine.lines().contains("[snake] ate: score 10, length 4") && vitrine.lines().contains("[snake] game over: score 20"),
                    vitrine.console());
            keys(List.of(new DesktopInput.Key(SPACE, true), new DesktopInput.Key(SPACE, false),
                    new DesktopInput.Key(UP, true), new DesktopInput.Key(UP, false)));
            checkpoint("snake-again");
            assertTrue(vitrine.lines().contains("[snake] game over: score 0"), vitrine.console());

            // Three windows: the close button of the one at the bottom right.
            click(CLOSE_X, CLOSE_Y);
            checkpoint("closed");
            assertTrue(vitrine.console().contains("[wm] window of task 5 closed"), vitrine.console());

            report.forEach(System.out::println);
            System.out.printf("[desktop-session-differential] %d checkpoints identical, %d input reports at equal instants;"
                    + " %d QEMU device waits held; %.1f s wall, CPU %.1f s in this JVM and %.1f s in QEMU%n", report.size(), steps,
                    q.deviceWaits(), (System.nanoTime() - t0) / 1e9, (jvmCpuNanos() - cpu0) / 1e9, q.cpuSeconds());
            assertTrue(q.err.lines().stream().allMatch(l -> l.contains("icount sleep disabled and no active timers")),
                    "QEMU complained:\n" + q.err.text());
        }
    }

    /** CPU time of this JVM so far (all threads: the test's, Vitrine's and the readers of QEMU's output). */
    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private Cpu cpu() {
        return vitrine.board().machine().cpu();
    }

    /** Both machines at the idle entry where Vitrine now waits (nothing armed: it ran until nothing could wake it). */
    private void checkpointWhenIdle(String name) throws Exception {
        int k = vIdle.entries();
        qemu.runToIdle(k);
        compare(name);
    }

    /** The pointer onto the menu entry at {@code x}, then a checkpoint once both are idle again. */
    private void hover(String name, int x) throws Exception {
        DesktopInput onto = new DesktopInput.Move(x, MENU_Y);
        input(onto);
        checkpoint(name);
        assertTrue(vitrine.lines().contains(onto.consoleLine()), vitrine.console());
    }

    /** The pointer to ({@code x}, {@code y}) in tablet units, and a left click there. */
    private void click(int x, int y) throws Exception {
        keys(List.of(new DesktopInput.Move(x, y), new DesktopInput.Button(HostInput.BTN_LEFT, true),
                new DesktopInput.Button(HostInput.BTN_LEFT, false)));
    }

    /** Each character of {@code text} (lower-case letters, space, dot, newline) pressed and released. */
    private void type(String text) throws Exception {
        List<DesktopInput> reports = new ArrayList<>();
        for (char c : text.toCharArray()) {
            int code = switch (c) {
                case ' ' -> SPACE;
                case '.' -> 52;
                case '\n' -> 28;
                default -> LETTERS[c - 'a'];
            };
            reports.add(new DesktopInput.Key(code, true));
            reports.add(new DesktopInput.Key(code, false));
        }
        keys(reports);
    }

    private void keys(List<DesktopInput> reports) throws Exception {
        for (DesktopInput r : reports) input(r);
    }

    /**
     * One input report to both at the idle entry where both stand, then both run until Vitrine is
     * idle again (nothing left that could wake it) and QEMU has reached that same idle entry: the
     * same instruction count there, or the step that made them differ is named.
     */
    private void input(DesktopInput r) throws Exception {
        inputAtIdle(r);
        vitrine.runUntilIdle();
        int k = vIdle.entries();
        qemu.runToIdle(k);
        steps++;
        assertEquals(qemu.instructions(), cpu().instructionsRetired(), "instructions executed by idle entry " + k + ", after " + r);
    }

    /** One input report to both while they wait in the WFI of the same idle entry. */
    private void inputAtIdle(DesktopInput r) throws Exception {
        assertEquals(vIdle.entries(), qemu.idleEntries(), "both stand at the same idle entry");
        qemu.inputAtIdle(r.qmpEvents());
        r.events().forEach(vitrine.board().input()::post);
    }

    /**
     * A game: the first report at the idle entry where both stand, each next one {@code gaps[i]}
     * idle entries after the one before, while the guest runs on (a timer armed: Vitrine is
     * stopped right after that entry's WFI, QEMU held before it), then both run until idle.
     */
    private void play(List<DesktopInput> reports, int[] gaps) throws Exception {
        inputAtIdle(reports.get(0));
        int k = vIdle.entries();
        for (int i = 1; i < reports.size(); i++) {
            DesktopInput r = reports.get(i);
            k += gaps[i - 1];
            vIdle.stopAt(k);
            Cpu.Exit e = vitrine.board().run(Long.MAX_VALUE);
            assertEquals(Cpu.ExitKind.STOPPED, e.kind(), "Vitrine on its way to idle entry " + k + " for " + r + ": " + e + "\n" + vitrine.console());
            assertEquals(k, vIdle.entries(), "Vitrine's idle entries when it stopped for " + r);
            qemu.inputAtEntry(k, r.qmpEvents());
            r.events().forEach(vitrine.board().input()::post);
        }
        vitrine.runUntilIdle();
        qemu.runToIdle(vIdle.entries());
        steps += reports.size();
        assertEquals(qemu.instructions(), cpu().instructionsRetired(), "instructions executed by idle entry " + vIdle.entries() + ", after " + reports);
    }

    /** Both stand at the same idle entry: the screens, the consoles and the instruction counts must agree. */
    private void checkpoint(String name) throws Exception {
        compare(name);
    }

    private void compare(String name) throws Exception {
        int k = vIdle.entries();
        Frame v = vitrine.frame(), q = qemu.screen(dir, name);
        ScreenImages.Diff d = ScreenImages.diff(q, v);
        Path vp = ScreenImages.save(v, "session-" + name + "-vitrine");
        if (!d.none()) {
            Path qp = ScreenImages.save(q, "session-" + name + "-qemu");
            throw new AssertionError("checkpoint " + name + " (idle entry " + k + "): QEMU vs Vitrine " + d + "; see " + qp + " and " + vp);
        }
        DesktopDifferentialTest.assertSameConsole(qemu.out, vitrine);
        long qi = qemu.instructions(), vi = cpu().instructionsRetired();
        report.add(String.format("[desktop-session-differential] %-14s idle entry %5d  Vitrine %.6f s virtual, %d instructions; QEMU %d instructions",
                name, k, cpu().cycles() / 1e9, vi, qi));
        assertEquals(qi, vi, "instructions executed by checkpoint " + name + " (idle entry " + k + ")");
    }
}
