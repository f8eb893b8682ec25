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
 * The first step of issue 8's lockstep differential: rost's desktop booted on QEMU
 * {@code -icount shift=0,sleep=off} and on Vitrine, compared at the same instant, named by an idle
 * entry ({@link KernelPoints}): the first time the kernel's idle context is about to execute its
 * WFI, when the desktop is up and waits for the user. There the screens must be pixel-identical,
 * the consoles identical line for line, and the instruction counts equal (QEMU's icount,
 * Vitrine's retired count; with shift=0 and Vitrine's 1 GHz at one cycle per instruction that is
 * also the same virtual time, no idle time having passed yet). QEMU is held at every device wait
 * until its device has answered ({@link QemuLockstep}): without that its count varies from run to
 * run by about half a million instructions.
 *
 * <p>Not yet here: input at equal instants. QEMU refuses QMP input while stopped, so input has to
 * go in while its vCPU is halted in the WFI of a quiescent idle entry; that path does not work
 * yet (see the report).
 */
class DesktopSessionDifferentialTest {
    @TempDir
    Path dir;

    private DesktopBoard vitrine;
    private IdleEntries vIdle;
    private QemuLockstep qemu;
    private final List<String> report = new ArrayList<>();

    @Test
    void bootedDesktopMatchesQemuAtTheSameInstant() throws Exception {
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
        report.add(String.format("[desktop-session-differential] %-13s idle entry %5d  Vitrine %.6f s virtual, %d instructions; QEMU %d instructions",
                name, k, cpu().cycles() / 1e9, vi, qi));
        assertEquals(qi, vi, "instructions executed by checkpoint " + name + " (idle entry " + k + ")");
    }
}
