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

/**
 * Issue 8's lockstep differential: rost's desktop booted on QEMU {@code -icount shift=0,sleep=off}
 * and on Vitrine, given the same input at the same instants, compared at checkpoints named by idle
 * entries ({@link KernelPoints}): the n-th time the kernel's idle context is about to execute its
 * WFI is the same instant on every machine that runs the same instructions. At each checkpoint
 * the screens must be pixel-identical, the consoles identical line for line, and the instruction
 * counts equal (QEMU's icount, Vitrine's retired count; with shift=0 and Vitrine's 1 GHz at one
 * cycle per instruction that is also the same virtual time, idle time being skipped to the same
 * deadlines). QEMU is held at every device wait until its device has answered
 * ({@link QemuLockstep}): without that its count varies from run to run by about half a million
 * instructions.
 *
 * <p>Checkpoints: the booted desktop, waiting for the user; then the pointer onto the menu's
 * Terminal entry (its hover highlight), then onto Editor. Each report goes in while the CPU waits
 * in the WFI of the idle entry where both stand, at that entry's instruction count and virtual
 * time ({@link QemuLockstep#inputAtIdle}; Vitrine is given it where it stopped, right after that
 * WFI). The rest of the scripted session (a click that opens Terminal, typing, an Editor save,
 * Snake, a close) is not here: with its gdbstub holding device waits, QEMU 7.2 livelocks while
 * the clicked Terminal loads (issue 8's report).
 */
class DesktopSessionDifferentialTest {
    /** The menu's Terminal and Editor entries and the menu bar's middle, in tablet units (1024 x 768 pixels: 32 and 42.7 a pixel). */
    static final int TERMINAL_X = 3600, EDITOR_X = 6016, MENU_Y = 600;

    @TempDir
    Path dir;

    private DesktopBoard vitrine;
    private IdleEntries vIdle;
    private QemuLockstep qemu;
    private final List<String> report = new ArrayList<>();

    @Test
    void desktopMatchesQemuAtTheSameInstants() throws Exception {
        Files.createDirectories(ScreenImages.DIR);
        long t0 = System.nanoTime();
        KernelPoints points = KernelPoints.of(Guest.kernel());
        Path qmpSocket = dir.resolve("qmp.sock"), gdbSocket = dir.resolve("gdb.sock");
        List<String> qemuCommand = QemuLockstep.command(Guest.disk(dir), qmpSocket, gdbSocket);
        byte[] qemuTree = QemuLockstep.deviceTree(qemuCommand, dir);
        try (DesktopBoard v = new DesktopBoard(DesktopDifferentialTest.W, DesktopDifferentialTest.H, Guest.disk(dir), "rost.desktop");
             IdleEntries idle = new IdleEntries(v.board().machine().cpu(), points.idle());
             QemuLockstep q = new QemuLockstep(qemuCommand, gdbSocket, qmpSocket, points)) {
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

            report.forEach(System.out::println);
            System.out.printf("[desktop-session-differential] %d checkpoints identical; %d QEMU device waits held; %.1f s%n",
                    report.size(), q.deviceWaits(), (System.nanoTime() - t0) / 1e9);
            assertTrue(q.err.lines().stream().allMatch(l -> l.contains("icount sleep disabled and no active timers")),
                    "QEMU complained:\n" + q.err.text());
        }
    }

    private Cpu cpu() {
        return vitrine.board().machine().cpu();
    }

    /** Both machines at the idle entry where Vitrine now waits (nothing armed: it ran until nothing could wake it). */
    private void checkpointWhenIdle(String name) throws Exception {
        int k = vIdle.entries();
        qemu.runToIdle(k);
        // Vitrine executed that entry's WFI (that is how it knows it waits); QEMU is stopped before it.
        compare(name, k, 1);
    }

    /** The pointer onto the menu entry at {@code x}, then a checkpoint once both are idle again. */
    private void hover(String name, int x) throws Exception {
        DesktopInput onto = new DesktopInput.Move(x, MENU_Y);
        inputAtIdle(onto);
        vitrine.runUntilIdle();
        checkpointWhenIdle(name);
        assertTrue(vitrine.lines().contains(onto.consoleLine()), vitrine.console());
    }

    /** One input report to both while they wait at the same idle entry: QEMU before its WFI, Vitrine right after it. */
    private void inputAtIdle(DesktopInput r) throws Exception {
        assertEquals(vIdle.entries(), qemu.idleEntries(), "both stand at the same idle entry");
        qemu.inputAtIdle(r.qmpEvents());
        r.events().forEach(vitrine.board().input()::post);
    }

    private void compare(String name, int k, long vitrineAhead) throws Exception {
        Frame v = vitrine.frame(), q = qemu.screen(dir, name);
        ScreenImages.Diff d = ScreenImages.diff(q, v);
        Path vp = ScreenImages.save(v, "session-" + name + "-vitrine");
        if (!d.none()) {
            Path qp = ScreenImages.save(q, "session-" + name + "-qemu");
            throw new AssertionError("checkpoint " + name + " (idle entry " + k + "): QEMU vs Vitrine " + d + "; see " + qp + " and " + vp);
        }
        DesktopDifferentialTest.assertSameConsole(qemu.out, vitrine);
        long qi = qemu.instructions(), vi = cpu().instructionsRetired() - vitrineAhead;
        report.add(String.format("[desktop-session-differential] %-14s idle entry %5d  Vitrine %.6f s virtual, %d instructions; QEMU %d instructions",
                name, k, cpu().cycles() / 1e9, vi, qi));
        assertEquals(qi, vi, "instructions executed by checkpoint " + name + " (idle entry " + k + ")");
    }
}
