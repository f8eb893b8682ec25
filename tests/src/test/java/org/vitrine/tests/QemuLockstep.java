package org.vitrine.tests;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.vitrine.emulator.display.Frame;

/**
 * QEMU (the reference) run in lockstep with a Vitrine board: {@code -icount shift=0,sleep=off}
 * (one instruction a nanosecond; an idle CPU skips straight to the next timer), started stopped
 * under its gdbstub, and moved from one {@link KernelPoints#idle idle entry} to a chosen later one.
 *
 * <p>On the way it stops at every {@link KernelPoints#deviceWait device wait} and holds the vCPU
 * until the GPU's and the disk's queues have answered (QMP {@code x-query-virtio-queue-element}
 * reads both ring indexes from guest memory), so that the kernel's first poll finds the answer,
 * as on Vitrine, whose devices answer at the doorbell; without that QEMU's instruction count
 * depends on when its main loop got round to the request.
 *
 * <p>Input ({@link #inputAtIdle}) goes in while the vCPU waits in the WFI of an idle entry, at that
 * entry's instruction count and virtual time: QEMU drops input while the VM is stopped (QMP
 * {@code input-send-event} says "VM not running"; the legacy {@code sendkey}, {@code mouse_move}
 * and {@code send-key} paths end in the same runstate check in {@code qemu_input_event_send} and
 * drop it silently), and a running QEMU whose vCPU idles with a timer armed moves its clock at
 * once to that timer ({@code sleep=off}). So the WFI is single-stepped with QEMU's
 * {@code SSTEP_NOTIMER} flag: the VM runs (input is accepted) but its virtual clock is disabled
 * while the step lasts (no warp, no timer fires); the event's interrupt ends the WFI and the step.
 */
final class QemuLockstep implements AutoCloseable {
    private static final Pattern AVAIL = Pattern.compile("\"avail\":\\{[^}]*\"idx\":(\\d+)"),
            USED = Pattern.compile("\"used\":\\{[^}]*\"idx\":(\\d+)"), PATH = Pattern.compile("\"name\":\"virtio-(gpu|blk)\",\"path\":\"([^\"]+)\"");
    /** Where the PC is in a {@code g} reply (x0..x30, sp, pc: 8 bytes each, as hex); QEMU answers {@code p} only after an XML target exchange. */
    private static final int PC_HEX = 32 * 16;

    private final Process qemu;
    private final GdbRemote gdb;
    private final Qmp qmp;
    private final KernelPoints points;
    private final List<String> answeringDevices = new ArrayList<>();
    final ConsoleLines out, err;
    /** Idle entries reached so far (the vCPU is stopped before the WFI of the last one, or past it). */
    private int idle;
    /** The breakpoint the vCPU is stopped at, which must be stepped over before going on; -1: none. */
    private long stoppedAt = -1;
    private int deviceWaits;

    QemuLockstep(List<String> command, Path gdbSocket, Path qmpSocket, KernelPoints points) throws Exception {
        qemu = new ProcessBuilder(command).start();
        qemu.getOutputStream().close();
        out = ConsoleLines.follow(qemu.getInputStream(), "qemu-out");
        err = ConsoleLines.follow(qemu.getErrorStream(), "qemu-err");
        this.points = points;
        gdb = GdbRemote.connect(gdbSocket, qemu);
        qmp = Qmp.connect(qmpSocket, qemu);
        gdb.request("?");
        gdb.allowInterruptsWhileStepping();
        gdb.insertBreakpoint(points.idle());
        gdb.insertBreakpoint(points.deviceWait());
        Matcher m = PATH.matcher(qmp.execute("x-query-virtio", null).replace(" ", ""));
        while (m.find()) answeringDevices.add(m.group(2));
        if (answeringDevices.size() != 2) throw new IOException("expected QEMU's virtio-gpu and virtio-blk, found " + answeringDevices);
    }

    /** QEMU's desktop command line plus icount, a stopped start and the gdbstub. */
    static List<String> command(Path disk, Path qmpSocket, Path gdbSocket) {
        List<String> cmd = new ArrayList<>(DesktopDifferentialTest.qemu(disk, qmpSocket, "rost.desktop"));
        cmd.addAll(List.of("-icount", "shift=0,sleep=off", "-S", "-gdb", "unix:" + gdbSocket + ",server,nowait"));
        return cmd;
    }

    /**
     * The device tree QEMU gives its guest with {@code command} (QEMU run once with
     * {@code -M virt,dumpdtb=}): 1 MiB, its 40 bytes of random seeds aside the same on every run.
     */
    static byte[] deviceTree(List<String> command, Path dir) throws IOException, InterruptedException {
        Path dtb = dir.resolve("qemu.dtb");
        List<String> cmd = new ArrayList<>(command);
        cmd.set(cmd.indexOf("virt"), "virt,dumpdtb=" + dtb);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException("QEMU did not dump its device tree: " + out);
        return java.nio.file.Files.readAllBytes(dtb);
    }

    int idleEntries() {
        return idle;
    }

    int deviceWaits() {
        return deviceWaits;
    }

    /** Runs until the vCPU is about to execute the WFI of idle entry {@code k} (later than the current one). */
    void runToIdle(int k) throws IOException, InterruptedException {
        if (k <= idle) throw new IllegalArgumentException("idle entry " + k + " is not ahead of " + idle);
        while (true) {
            stepOverBreakpoint();
            String stop = gdb.cont(DesktopDifferentialTest.GUARD.toMillis());
            long pc = pc();
            if (pc == points.deviceWait()) {
                awaitDevicesAnswered();
                deviceWaits++;
            } else if (pc == points.idle()) {
                if (++idle == k) {
                    stoppedAt = pc;
                    return;
                }
            } else {
                throw new AssertionError(String.format("QEMU stopped (%s) at 0x%x after %d instructions, not at a breakpoint, on its way"
                        + " from idle entry %d to %d; its console:%n%s", stop, pc, instructions(), idle, k, out.text()));
            }
            stoppedAt = pc;
        }
    }

    /**
     * Delivers one input report (QMP {@code input-send-event}'s events, QEMU adds the sync) while
     * the vCPU waits in the WFI of the idle entry it is stopped at, at exactly that instant: the
     * WFI is stepped with interrupts allowed but timers off, and once it has executed (the
     * instruction count moved by one: the vCPU is halted, not about to take an interrupt before
     * the WFI) the events go in; their interrupt wakes the vCPU and ends the step at the vector.
     */
    void inputAtIdle(String events) throws IOException, InterruptedException {
        if (stoppedAt != points.idle()) throw new IllegalStateException("QEMU is not stopped at an idle entry");
        long before = instructions();
        gdb.removeBreakpoint(stoppedAt);
        gdb.expectOk("Qqemu.sstep=" + (GdbRemote.SSTEP_ENABLE | GdbRemote.SSTEP_NOTIMER));
        gdb.send("s");
        long end = System.nanoTime() + DesktopDifferentialTest.GUARD.toNanos();
        while (instructions() != before + 1) {
            if (System.nanoTime() > end) throw new AssertionError("QEMU's vCPU did not execute the WFI of idle entry " + idle);
            Thread.sleep(0, 200_000);
        }
        qmp.sendInput(events);
        String stop = gdb.reply();
        gdb.allowInterruptsWhileStepping();
        gdb.insertBreakpoint(stoppedAt);
        stoppedAt = -1;
        if (instructions() != before + 1) {
            throw new AssertionError("QEMU's step over the WFI of idle entry " + idle + " ran " + (instructions() - before)
                    + " instructions (" + stop + "), not 1");
        }
    }

    /** Instructions QEMU executed so far (its icount; with shift=0 also the busy part of its virtual time in ns). */
    long instructions() throws IOException {
        Matcher m = Pattern.compile("\"icount\":\\s*(\\d+)").matcher(qmp.execute("query-replay", null));
        if (!m.find()) throw new IOException("query-replay gave no icount");
        return Long.parseLong(m.group(1));
    }

    /** The screen now (QMP screendump, which also works while the VM is stopped). */
    Frame screen(Path dir, String name) throws IOException {
        Path ppm = dir.resolve(name + ".ppm");
        qmp.screendump(ppm);
        return ScreenImages.readPpm(ppm);
    }

    private void stepOverBreakpoint() throws IOException {
        if (stoppedAt < 0) return;
        gdb.removeBreakpoint(stoppedAt);
        gdb.step();
        gdb.insertBreakpoint(stoppedAt);
        stoppedAt = -1;
    }

    private long pc() throws IOException {
        String hex = gdb.request("g");
        if (hex.length() < PC_HEX + 16) throw new IOException("short register reply: " + hex);
        long pc = 0;
        for (int i = 0; i < 8; i++) pc |= Long.parseLong(hex.substring(PC_HEX + 2 * i, PC_HEX + 2 * i + 2), 16) << (8 * i);
        return pc;
    }

    /** Waits until every request the guest put on the GPU's and the disk's queue 0 is answered. */
    private void awaitDevicesAnswered() throws IOException, InterruptedException {
        long end = System.nanoTime() + DesktopDifferentialTest.GUARD.toNanos();
        for (String path : answeringDevices) {
            while (true) {
                String e = qmp.execute("x-query-virtio-queue-element", "{\"path\":\"" + path + "\",\"queue\":0}").replace(" ", "");
                Matcher a = AVAIL.matcher(e), u = USED.matcher(e);
                if (!a.find() || !u.find()) throw new IOException("unexpected x-query-virtio-queue-element answer: " + e);
                if (a.group(1).equals(u.group(1))) break;
                if (System.nanoTime() > end) throw new AssertionError("QEMU's " + path + " did not answer: " + e);
                Thread.sleep(0, 200_000);
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            qmp.execute("quit", null);
        } catch (IOException gone) {
            // already gone
        }
        gdb.close();
        qmp.close();
        if (!qemu.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) qemu.destroyForcibly().waitFor();
    }
}
