package org.vitrine.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.vitrine.cli.log.GuestLogSession;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.display.HostInput;
import org.vitrine.emulator.display.HostInput.Event;
import org.vitrine.emulator.display.HostInput.Target;

/**
 * The desktop's figures (issue 8), printed by {@code vitrine bench}: rost's desktop (rost.desktop,
 * 1024x768, a fresh copy of the built disk) on in-process boards, and QEMU in the same run.
 * <ul>
 *   <li>boot to the ready desktop ("[wm] desktop up"): virtual and host wall time on Vitrine; wall
 *       time on QEMU (without -icount QEMU's virtual clock follows the host's, so its virtual time is
 *       its wall time less its own start-up);</li>
 *   <li>keystroke to pixels in Terminal: virtual time from a key's injection to the first frame the
 *       GPU shows after it (the terminal's echo composited and flushed by the window manager);</li>
 *   <li>frames the window manager composites per virtual second under continuous pointer motion (each
 *       move posted once the previous one is on screen);</li>
 *   <li>virtual-to-wall ratio of an interactive session paced to the wall clock (the pointer moving,
 *       then Snake when /BIN/SNAKE is on the disk);</li>
 *   <li>host CPU share of an idle desktop paced to the wall clock (the whole JVM, no window).</li>
 * </ul>
 * Unpaced runs go step by step: each step runs until the guest is idle again (nothing left to do
 * until input), so host input is delivered at a known virtual time.
 */
final class DesktopBenchmark {
    private static final String READY = "[wm] desktop up";
    /** Where the menu bar's Terminal and Snake entries are (guest-apps/wm/src/layout.rs). */
    private static final int MENU_Y = 14, TERMINAL_X = 100, SNAKE_X = 398;

    private final PrintStream out;
    private final GuestLogSession logs;
    private final Path kernel = RunCommand.defaultKernel();

    private DesktopBenchmark(PrintStream out, GuestLogSession logs) {
        this.out = out;
        this.logs = logs;
    }

    static void run(String qemu, PrintStream out, GuestLogSession logs) throws Exception {
        new DesktopBenchmark(out, logs).all(qemu);
    }

    /** A desktop board with its console collected line by line; `onLine` sees each line on the machine thread. */
    private final class Desktop implements AutoCloseable {
        final VirtBoard board;
        final Cpu cpu;
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong published = new AtomicLong(), lastPublishCycle = new AtomicLong(-1);
        volatile long readyCycle = -1, readyNanos;
        private final long cyclesPerSecond;
        private final StringBuilder line = new StringBuilder();
        private final CountDownLatch ready = new CountDownLatch(1);
        private final boolean stopWhenReady;

        Desktop(boolean stopWhenReady) throws Exception {
            this.stopWhenReady = stopWhenReady;
            VirtBoard.Options o = VirtBoard.Options.defaults().withDesktop(DesktopDefaults.SIZE)
                    .withDisk(DesktopDefaults.freshCopy(DesktopDefaults.builtDisk()), false)
                    .withBootArgs(DesktopDefaults.BOOT_ARGS).withGuestLog(logs.sink());
            cyclesPerSecond = o.timing().cyclesPerSecond();
            board = new VirtBoard(o, this::console);
            cpu = board.machine().cpu();
            board.frames().setOnPublish(() -> {
                published.incrementAndGet();
                lastPublishCycle.compareAndSet(-1, cpu.cycles());
            });
            board.loadKernel(kernel);
            logs.started(board.machine().guestLog());
        }

        private void console(int b) {
            if (b != '\n') {
                line.append((char) b);
                return;
            }
            String l = line.toString();
            line.setLength(0);
            lines.add(l);
            if (l.startsWith(READY) && readyCycle < 0) {
                readyCycle = cpu.cycles();
                readyNanos = System.nanoTime();
                ready.countDown();
                if (stopWhenReady) cpu.requestStop();
            }
        }

        boolean awaitReady(long seconds) throws InterruptedException {
            return ready.await(seconds, TimeUnit.SECONDS);
        }

        /** Runs until the guest waits for input (the run loop's "hang"); fails on anything else. */
        void runUntilIdle() {
            Cpu.Exit e = board.run(Long.MAX_VALUE);
            if (e.kind() != Cpu.ExitKind.HANG) throw new IllegalStateException("desktop did not go idle: " + e.message());
        }

        void post(Event... events) {
            for (Event e : events) board.input().post(e);
        }

        void moveTo(int x, int y) {
            int ax = (int) ((2L * x + 1) * 32768 / (2L * DesktopDefaults.SIZE.width()));
            int ay = (int) ((2L * y + 1) * 32768 / (2L * DesktopDefaults.SIZE.height()));
            post(new Event(Target.TABLET, HostInput.EV_ABS, HostInput.ABS_X, ax),
                    new Event(Target.TABLET, HostInput.EV_ABS, HostInput.ABS_Y, ay), HostInput.sync(Target.TABLET));
        }

        void click() {
            post(new Event(Target.TABLET, HostInput.EV_KEY, HostInput.BTN_LEFT, 1), HostInput.sync(Target.TABLET),
                    new Event(Target.TABLET, HostInput.EV_KEY, HostInput.BTN_LEFT, 0), HostInput.sync(Target.TABLET));
        }

        void key(int code) {
            post(new Event(Target.KEYBOARD, HostInput.EV_KEY, code, 1), HostInput.sync(Target.KEYBOARD),
                    new Event(Target.KEYBOARD, HostInput.EV_KEY, code, 0), HostInput.sync(Target.KEYBOARD));
        }

        boolean saw(String prefix) {
            synchronized (lines) {
                return lines.stream().anyMatch(l -> l.startsWith(prefix));
            }
        }

        boolean sawMatching(String regex) {
            java.util.regex.Pattern p = java.util.regex.Pattern.compile(regex);
            synchronized (lines) {
                return lines.stream().anyMatch(l -> p.matcher(l).matches());
            }
        }

        double seconds(long cycles) {
            return cycles / (double) cyclesPerSecond;
        }

        @Override
        public void close() {
            logs.finished(board.machine().guestLog());
            board.close();
        }
    }

    private void all(String qemu) throws Exception {
        out.printf("desktop (rost.desktop, %dx%d; host load average %.1f on %d cores: wall-clock figures grow with it):%n",
                DesktopDefaults.SIZE.width(), DesktopDefaults.SIZE.height(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
        stepwise();
        boolean snake = Files.isRegularFile(DesktopDefaults.builtDisk().resolveSibling("snake.elf"));
        paced(snake);
        qemuBoot(qemu);
    }

    /** Boot, keystroke latency and composited frames, on an unpaced board run step by step. */
    private void stepwise() throws Exception {
        long t0 = System.nanoTime();
        try (Desktop d = new Desktop(true)) {
            long t1 = System.nanoTime();
            Cpu.Exit boot = d.board.run(Long.MAX_VALUE);
            if (d.readyCycle < 0) throw new IllegalStateException("the desktop never came up: " + boot.message());
            out.printf("  boot to ready desktop, vitrine: %.3f s virtual (%d instructions), %.2f s host wall"
                    + " (%.2f s of it the board's set-up; first run in this JVM: translation and JIT included)%n",
                    d.seconds(d.readyCycle), d.cpu.instructionsRetired(), (d.readyNanos - t0) / 1e9, (t1 - t0) / 1e9);
            d.runUntilIdle();
            d.moveTo(TERMINAL_X, MENU_Y);
            d.click();
            d.runUntilIdle();
            if (!d.saw("[wm] window of task 3: Terminal")) throw new IllegalStateException("no Terminal window: " + d.lines);
            List<Long> latencies = new ArrayList<>();
            int[] keys = {30, 48, 46, 32, 18, 33, 34, 35, 23, 36, 37, 38, 50, 49, 24, 25, 16, 19, 31, 20}; // a..t
            for (int code : keys) {
                long before = d.cpu.cycles();
                d.lastPublishCycle.set(-1);
                d.key(code);
                d.runUntilIdle();
                long shown = d.lastPublishCycle.get();
                if (shown < 0) throw new IllegalStateException("a key drew nothing");
                latencies.add(shown - before);
            }
            Collections.sort(latencies);
            out.printf("  keystroke to pixels, Terminal: median %.0f us virtual (min %.0f, max %.0f; %d keys)%n",
                    d.seconds(latencies.get(latencies.size() / 2)) * 1e6, d.seconds(latencies.getFirst()) * 1e6,
                    d.seconds(latencies.getLast()) * 1e6, latencies.size());
            long frames0 = d.published.get(), c0 = d.cpu.cycles();
            int moves = 400;
            for (int i = 0; i < moves; i++) {
                double a = 2 * Math.PI * i / 200;
                d.moveTo(512 + (int) (300 * Math.cos(a)), 400 + (int) (300 * Math.sin(a)));
                d.runUntilIdle();
            }
            long frames = d.published.get() - frames0;
            double virt = d.seconds(d.cpu.cycles() - c0);
            out.printf("  window manager under continuous pointer motion: %.0f frames composited per virtual second"
                    + " (%d moves, %d frames in %.3f s virtual, Terminal open)%n", frames / virt, moves, frames, virt);
        }
    }

    /** The interactive ratio and the idle desktop's host CPU, on a board paced to the wall clock. */
    private void paced(boolean snake) throws Exception {
        try (Desktop d = new Desktop(false)) {
            d.cpu.setRealTime(true);
            d.cpu.setHostInputOpen(true);
            Thread machine = Thread.ofPlatform().name("bench-machine").start(() -> d.board.run(Long.MAX_VALUE));
            try {
                if (!d.awaitReady(120)) throw new IllegalStateException("the paced desktop never came up");
                Thread.sleep(2000);   // the boot's last work and the JIT settle
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long cpu0 = os.getProcessCpuTime(), w0 = System.nanoTime(), v0 = d.cpu.cycles();
                Thread.sleep(10_000);
                long cpu1 = os.getProcessCpuTime(), w1 = System.nanoTime(), v1 = d.cpu.cycles();
                out.printf("  idle desktop, paced: host CPU %.2f%% of one core over %.0f s (whole JVM, no window; the guest ran"
                        + " %.1f ms virtual: idle, it waits for input with no timer armed)%n",
                        100.0 * (cpu1 - cpu0) / (w1 - w0), (w1 - w0) / 1e9, d.seconds(v1 - v0) * 1e3);
                out.printf("  interactive, paced, pointer moving 100 times a second: virtual/wall %.3f%n", ratio(d, 5, false));
                if (snake) {
                    d.moveTo(SNAKE_X, MENU_Y);
                    d.click();
                    Thread.sleep(1000);
                    if (!d.sawMatching("\\[wm\\] window of task \\d+: Snake")) {   // its pid depends on what ran before
                        out.println("  Snake: its window did not open; no ratio");
                    } else {
                        out.printf("  interactive, paced, Snake running and the pointer moving: virtual/wall %.3f%n", ratio(d, 8, true));
                    }
                } else {
                    out.println("  Snake: /BIN/SNAKE is not built yet; no ratio while it runs");
                }
            } finally {
                d.cpu.requestStop();
                machine.join(10_000);
            }
        }
    }

    /**
     * Virtual over wall time while the pointer moves in a circle (and arrows turn a snake) for
     * `seconds`. An idle paced guest's virtual time stands still until the next event and then
     * catches up with the wall clock, so the count starts at a first move.
     */
    private static double ratio(Desktop d, int seconds, boolean arrows) throws InterruptedException {
        d.moveTo(500, 500);
        Thread.sleep(100);
        long w0 = System.nanoTime(), v0 = d.cpu.cycles();
        int[] turns = {103, 106, 108, 105};   // up, right, down, left
        for (int i = 0; System.nanoTime() - w0 < seconds * 1_000_000_000L; i++) {
            double a = 2 * Math.PI * i / 100;
            d.moveTo(512 + (int) (200 * Math.cos(a)), 500 + (int) (200 * Math.sin(a)));
            if (arrows && i % 50 == 0) d.key(turns[i / 50 % 4]);
            Thread.sleep(10);
        }
        return d.seconds(d.cpu.cycles() - v0) / ((System.nanoTime() - w0) / 1e9);   // at the last move's catch-up
    }

    /** QEMU with the desktop's devices: wall time from its start to the ready desktop. */
    private void qemuBoot(String qemu) throws Exception {
        Path disk = DesktopDefaults.freshCopy(DesktopDefaults.builtDisk());
        List<String> cmd = List.of(qemu, "-M", "virt", "-cpu", "cortex-a72", "-m", "512", "-nodefaults", "-nic", "none",
                "-display", "none", "-monitor", "none", "-serial", "stdio",
                "-device", "virtio-gpu-device,xres=" + DesktopDefaults.SIZE.width() + ",yres=" + DesktopDefaults.SIZE.height(),
                "-device", "virtio-keyboard-device", "-device", "virtio-tablet-device", "-global", "virtio-mmio.force-legacy=false",
                "-drive", "if=none,id=d0,file=" + disk + ",format=raw", "-device", "virtio-blk-device,drive=d0",
                "-append", DesktopDefaults.BOOT_ARGS, "-kernel", kernel.toString());
        long t0 = System.nanoTime();
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            out.println("  boot to ready desktop, qemu: not available (" + qemu + ")");
            return;
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            Thread watchdog = Thread.ofVirtual().start(() -> {
                try {
                    if (!p.waitFor(120, TimeUnit.SECONDS)) p.destroyForcibly();
                } catch (InterruptedException done) {
                    // the line came
                }
            });
            for (String l; (l = r.readLine()) != null; ) {
                if (l.startsWith(READY)) {
                    out.printf("  boot to ready desktop, qemu:    %.2f s host wall (process start included; its virtual clock"
                            + " follows the host's)%n", (System.nanoTime() - t0) / 1e9);
                    watchdog.interrupt();
                    return;
                }
            }
            out.println("  boot to ready desktop, qemu: the desktop never came up");
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(disk);
        }
    }
}
