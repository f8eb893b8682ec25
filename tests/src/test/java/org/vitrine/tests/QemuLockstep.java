package org.vitrine.tests;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.vitrine.emulator.display.Frame;

/**
 * QEMU (the system's 7.2, the reference of every differential test) run in lockstep with a Vitrine board: {@code -icount shift=0,sleep=off}
 * (one instruction a nanosecond; an idle CPU skips straight to the next timer), started stopped
 * under its gdbstub, and moved from one {@link KernelPoints#idle idle entry} to a chosen later one,
 * where it stops having executed that entry's WFI, waiting, as Vitrine stops.
 *
 * <p>A TCG plugin (src/test/c/device_wait_plugin.c, built with gcc) reports each idle entry and
 * each {@link KernelPoints#deviceWait device wait} over a socket and holds the vCPU until this
 * class answers. A device wait is held until the GPU's and the disk's queues have answered (QMP
 * {@code x-query-virtio-queue-element} reads both ring indexes from guest memory), so that the
 * kernel's first poll finds the answer, as on Vitrine, whose devices answer at the doorbell;
 * without that QEMU's instruction count depends on when its main loop got round to the request.
 * At the wanted idle entry this class interrupts QEMU through the gdbstub and lets the vCPU go: it
 * executes the WFI and the stop finds it waiting there. Breakpoints would be simpler but are
 * unusable here: a breakpoint stop lets QEMU's main loop see an idle vCPU in a running VM and
 * warp the virtual clock to the next timer deadline (the guest's tick then fires early), or to
 * INT64_MAX after the virtual timer fired, where QEMU 7.2 and 10 alike spin for ever (the
 * plugin's comment has the path). The stops this class makes come at idle entries where Vitrine
 * found nothing left that could wake the guest, so nothing is armed and no warp can happen.
 *
 * <p>Input ({@link #inputAtIdle}) goes in while the vCPU waits in that WFI, at that entry's
 * instruction count and virtual time: QEMU drops input while the VM is stopped (QMP
 * {@code input-send-event} says "VM not running"; the legacy {@code sendkey}, {@code mouse_move}
 * and {@code send-key} paths end in the same runstate check in {@code qemu_input_event_send} and
 * drop it silently). So the waiting vCPU is single-stepped with QEMU's {@code SSTEP_NOTIMER} flag:
 * the VM runs (input is accepted) but its virtual clock is disabled while the step lasts; the
 * event's interrupt ends the wait and the step, at the vector. Where a timer is armed (a game
 * running) QEMU cannot be stopped, so input goes in while the plugin holds the vCPU before the
 * WFI of the chosen idle entry ({@link #inputAtEntry}).
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
    /** Idle entries reached so far, counted by the plugin's thread. */
    private volatile int idle;
    /** The idle entry at which the plugin's thread stops QEMU. */
    private volatile int target;
    /** Input reports for the plugin's thread to send at later idle entries, by entry. */
    private final java.util.Map<Integer, String> scheduled = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile int deviceWaits;
    private volatile Throwable holdFailure;
    private volatile boolean closing;
    private final ServerSocketChannel plugin;
    private final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);

    QemuLockstep(List<String> command, Path gdbSocket, Path qmpSocket, KernelPoints points, Path dir) throws Exception {
        this.points = points;
        Path pluginSocket = dir.resolve("plugin.sock");
        plugin = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        plugin.bind(UnixDomainSocketAddress.of(pluginSocket));
        List<String> cmd = new ArrayList<>(command);
        cmd.addAll(List.of("-plugin", DeviceWaitPlugin.build(dir) + ",wait=0x" + Long.toHexString(points.deviceWait())
                + ",idle=0x" + Long.toHexString(points.idle()) + ",socket=" + pluginSocket));
        qemu = new ProcessBuilder(cmd).start();
        qemu.getOutputStream().close();
        out = ConsoleLines.follow(qemu.getInputStream(), "qemu-out");
        err = ConsoleLines.follow(qemu.getErrorStream(), "qemu-err");
        // QEMU loads the plugin, which connects, before it opens its gdbstub.
        Thread.ofPlatform().daemon().name("qemu-plugin").start(this::servePlugin);
        gdb = GdbRemote.connect(gdbSocket, qemu);
        qmp = Qmp.connect(qmpSocket, qemu);
        gdb.request("?");
        Matcher m = PATH.matcher(qmp.execute("x-query-virtio", null).replace(" ", ""));
        while (m.find()) answeringDevices.add(m.group(2));
        if (answeringDevices.size() != 2) throw new IOException("expected QEMU's virtio-gpu and virtio-blk, found " + answeringDevices);
        started.countDown();
    }

    /** The desktop's QEMU command line (DesktopDifferentialTest's) plus icount, a stopped start and the gdbstub. */
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

    /**
     * Runs until the vCPU waits in the WFI of idle entry {@code k} (later than the current one),
     * which must be one where nothing is armed that could wake it (Vitrine's "idle": no timer, no
     * device busy), and stops it there.
     */
    void runToIdle(int k) throws IOException {
        if (k <= idle) throw new IllegalArgumentException("idle entry " + k + " is not ahead of " + idle);
        target = k;
        String stop = gdb.cont(DesktopDifferentialTest.GUARD.toMillis());
        if (holdFailure != null) throw new AssertionError("holding QEMU at a device wait or idle entry failed", holdFailure);
        if (!scheduled.isEmpty()) throw new AssertionError("input scheduled for idle entries " + scheduled.keySet() + " was not sent by " + k);
        long pc = pc();
        if (idle != k || pc != points.idle() + 4) {
            throw new AssertionError(String.format("QEMU stopped (%s) at 0x%x after %d instructions and %d idle entries, not waiting in the"
                    + " WFI of idle entry %d (0x%x); its console:%n%s", stop, pc, instructions(), idle, k, points.idle(), out.text()));
        }
    }

    /**
     * Delivers one input report (QMP {@code input-send-event}'s events, QEMU adds the sync) while
     * the vCPU waits in the WFI of the idle entry it is stopped at, at exactly that instant: a step
     * with interrupts allowed but timers off lets the VM run, the events go in, and their
     * interrupt wakes the vCPU and ends the step at the vector, no instruction executed.
     */
    void inputAtIdle(String events) throws IOException, InterruptedException {
        long before = instructions();
        gdb.expectOk("Qqemu.sstep=" + (GdbRemote.SSTEP_ENABLE | GdbRemote.SSTEP_NOTIMER));
        gdb.send("s");
        // The step has started once QEMU reports the VM running: input sent before would be dropped.
        long end = System.nanoTime() + DesktopDifferentialTest.GUARD.toNanos();
        while (!qmp.execute("query-status", null).replace(" ", "").contains("\"running\":true")) {
            if (System.nanoTime() > end) throw new AssertionError("QEMU's VM did not start the step at idle entry " + idle);
            Thread.sleep(0, 200_000);
        }
        qmp.sendInput(events);
        String stop = gdb.reply();
        gdb.allowInterruptsWhileStepping();
        if (instructions() != before) {
            throw new AssertionError("QEMU's step out of the WFI of idle entry " + idle + " ran " + (instructions() - before)
                    + " instructions (" + stop + "), not 0");
        }
    }

    /**
     * Delivers one input report when the vCPU is about to execute the WFI of idle entry {@code k},
     * a later one passed on the way of the next {@link #runToIdle}, where a timer may be armed (a
     * game running): the plugin holds the vCPU there while the events go in (the VM runs, so QEMU
     * takes them) and lets it go once their interrupt is pending, so the WFI does not wait and
     * the interrupt is taken right after it, as on Vitrine.
     */
    void inputAtEntry(int k, String events) {
        if (k <= idle) throw new IllegalArgumentException("idle entry " + k + " is not ahead of " + idle);
        scheduled.put(k, events);
    }

    /** Instructions QEMU executed so far (its icount; with shift=0 also the busy part of its virtual time in ns). */
    long instructions() throws IOException {
        Matcher m = Pattern.compile("\"icount\":\\s*(\\d+)").matcher(qmp.execute("query-replay", null));
        if (!m.find()) throw new IOException("query-replay gave no icount");
        return Long.parseLong(m.group(1));
    }

    /** The CPU time QEMU used so far, in seconds (0 where the system does not say). */
    double cpuSeconds() {
        return qemu.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    /** The screen now (QMP screendump, which also works while the VM is stopped). */
    Frame screen(Path dir, String name) throws IOException {
        Path ppm = dir.resolve(name + ".ppm");
        qmp.screendump(ppm);
        return ScreenImages.readPpm(ppm);
    }

    private long pc() throws IOException {
        String hex = gdb.request("g");
        if (hex.length() < PC_HEX + 16) throw new IOException("short register reply: " + hex);
        long pc = 0;
        for (int i = 0; i < 8; i++) pc |= Long.parseLong(hex.substring(PC_HEX + 2 * i, PC_HEX + 2 * i + 2), 16) << (8 * i);
        return pc;
    }

    /**
     * The plugin's side of the socket, on its own thread: a device wait ('W') is answered once
     * the devices have; an idle entry ('E') is counted and let go at once, except the target, at
     * which QEMU is interrupted first (the vCPU then executes the WFI and stops waiting there;
     * nothing is armed, so it waits whichever comes first). A failure is kept for
     * {@link #runToIdle} and closes the socket (the plugin then lets the guest run on unheld).
     */
    private void servePlugin() {
        try (java.nio.channels.SocketChannel vcpu = plugin.accept()) {
            started.await();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            while (true) {
                b.clear();
                if (vcpu.read(b) < 0) return;
                switch (b.get(0)) {
                    case 'W' -> {
                        awaitDevicesAnswered();
                        deviceWaits++;
                    }
                    case 'E' -> {
                        String events = scheduled.remove(++idle);
                        if (events != null) qmp.sendInput(events);
                        if (idle == target) gdb.interrupt();
                    }
                    default -> throw new IOException("unexpected byte from the lockstep plugin: " + b.get(0));
                }
                b.clear().put((byte) 'G').flip();
                vcpu.write(b);
            }
        } catch (Throwable t) {
            if (!closing) holdFailure = t;
        }
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
        closing = true;
        plugin.close();
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
