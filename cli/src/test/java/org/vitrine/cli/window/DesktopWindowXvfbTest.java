package org.vitrine.cli.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.vitrine.cli.window.Xvfb.cmd;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.vitrine.emulator.display.Frame;
import org.vitrine.emulator.display.FrameExchange;
import org.vitrine.emulator.display.HostInput;
import org.vitrine.emulator.display.HostInput.Event;
import org.vitrine.emulator.display.HostInput.Target;

/**
 * The real window under a private Xvfb: GLFW and llvmpipe in this JVM, the pointer and keyboard
 * driven with xdotool (XTEST events, as a user's), the screen read back with ImageMagick's import.
 * Skipped when Xvfb, xdotool, ImageMagick or xwininfo is missing or Xvfb does not start.
 * Screenshots are kept in target/window-test/ for a look.
 *
 * <p>The test thread is the window's thread (as the main thread is in {@code vitrine run}); a
 * driver thread plays the user and checks what arrives in {@link HostInput}.
 */
@Tag("window")
class DesktopWindowXvfbTest {
    private static final Path SHOTS = Path.of("target", "window-test");
    private static final String ORIGINAL_DISPLAY = System.getenv("DISPLAY");
    private static Xvfb x;

    @BeforeAll
    static void startX() throws Exception {
        Assumptions.assumeTrue(Xvfb.toolsInstalled(), "Xvfb, xdotool, xwininfo or ImageMagick not installed");
        x = Xvfb.start(1280, 1024);
        Assumptions.assumeTrue(x != null, "Xvfb did not start");
        Xvfb.exportDisplay(x.display());
        System.setProperty("vitrine.glfw.platform", "x11");
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stopX() throws Exception {
        System.clearProperty("vitrine.glfw.platform");
        if (x != null) {
            Xvfb.exportDisplay(ORIGINAL_DISPLAY);
            x.close();
        }
    }

    /** Runs {@code driver} on another thread while this thread runs the window; rethrows its failure. */
    private static void withWindow(FrameExchange frames, HostInput input, DesktopWindow.Options options,
                                   Runnable onClose, Driver driver) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        DesktopWindow.Stats stats;
        Thread t;
        windowThread = Thread.currentThread().threadId();
        try (DesktopWindow w = DesktopWindow.open(frames, input, options)) {
            t = Thread.ofPlatform().name("window-test-driver").start(() -> {
                try {
                    driver.drive(w);
                } catch (Throwable e) {
                    failure.set(e);
                    w.requestClose();
                }
            });
            w.loop(onClose);
            stats = w.stats();
        }
        t.join(30_000);
        if (failure.get() != null) {
            if (failure.get() instanceof Exception e) throw e;
            if (failure.get() instanceof Error e) throw e;
        }
        System.out.printf("[window-test] %d draws, %d uploads, %.3f ms per %s upload%n",
                stats.draws(), stats.uploads(), stats.averageUploadMillis(), "frame");
    }

    interface Driver {
        void drive(DesktopWindow w) throws Exception;
    }

    @Test
    void showsFramesAndForwardsMouseAndKeyboard() throws Exception {
        HostInput input = new HostInput();
        FrameExchange frames = new FrameExchange();
        AtomicBoolean closed = new AtomicBoolean();
        try (SyntheticFrames producer = new SyntheticFrames(frames, 1024, 768)) {
            withWindow(frames, input, DesktopWindow.Options.defaults().withSize(1024, 768), () -> closed.set(true), w -> {
                String id = x.run("xdotool", "search", "--sync", "--onlyvisible", "--name", "^Vitrine$").trim().split("\\s+")[0];
                int[] g = awaitGeometry(id, 1024, 768);
                awaitUploads(w, 2);

                // The picture, 1:1: everything below the moving square's band equals the frame, but the cursor.
                Frame shot = awaitScreen("initial", s -> barsMatch(s, g, 1024, 768) == 0);
                checkCursor(shot, g);

                // Pointer at the window centre: the guest's tablet reads the centre pixel.
                x.run(cmd("xdotool", "mousemove", "--sync", g[0] + 512, g[1] + 384));
                List<Event> e = awaitEvents(input, l -> lastAbs(l, HostInput.ABS_X) >= 0);
                int ax = lastAbs(e, HostInput.ABS_X), ay = lastAbs(e, HostInput.ABS_Y);
                System.out.printf("[window-test] pointer at the window centre -> ABS %d,%d%n", ax, ay);
                assertTrue(Math.abs(ax - 16383) <= 32 && Math.abs(ay - 16383) <= 32, ax + "," + ay);
                assertEquals(512, ax * 1024 / 32768);
                assertEquals(384, ay * 768 / 32768);
                assertEquals(HostInput.sync(Target.TABLET), e.getLast());
                x.run(cmd("xdotool", "mousemove", "--sync", g[0] + 10, g[1] + 20));
                e = awaitEvents(input, l -> lastAbs(l, HostInput.ABS_X) >= 0);
                assertEquals(10, lastAbs(e, HostInput.ABS_X) * 1024 / 32768);
                assertEquals(20, lastAbs(e, HostInput.ABS_Y) * 768 / 32768);
                x.run(cmd("xdotool", "mousemove", "--sync", g[0] + 512, g[1] + 384));
                awaitEvents(input, l -> lastAbs(l, HostInput.ABS_X) >= 0);

                // Buttons and wheel.
                Event tsync = HostInput.sync(Target.TABLET);
                x.run("xdotool", "click", "1");
                assertEquals(List.of(btn(HostInput.BTN_LEFT, 1), tsync, btn(HostInput.BTN_LEFT, 0), tsync),
                        awaitEvents(input, l -> l.size() >= 4));
                x.run("xdotool", "click", "3");
                assertEquals(List.of(btn(HostInput.BTN_RIGHT, 1), tsync, btn(HostInput.BTN_RIGHT, 0), tsync),
                        awaitEvents(input, l -> l.size() >= 4));
                x.run("xdotool", "click", "2");
                assertEquals(List.of(btn(HostInput.BTN_MIDDLE, 1), tsync, btn(HostInput.BTN_MIDDLE, 0), tsync),
                        awaitEvents(input, l -> l.size() >= 4));
                x.run("xdotool", "click", "4", "click", "5");
                assertEquals(List.of(wheel(1), tsync, wheel(-1), tsync), awaitEvents(input, l -> l.size() >= 4));

                // Keyboard: the pointer is over the window, and with no window manager focus follows it.
                x.run("xdotool", "windowfocus", "--sync", id);
                Event ksync = HostInput.sync(Target.KEYBOARD);
                x.run("xdotool", "type", "a");
                assertEquals(List.of(key(30, 1), ksync, key(30, 0), ksync), awaitEvents(input, l -> l.size() >= 4));
                x.run("xdotool", "key", "Return", "shift+Left", "F12", "KP_Enter", "BackSpace");
                List<Event> keys = awaitEvents(input, l -> l.size() >= 24);
                assertEquals(List.of(key(28, 1), key(28, 0), key(42, 1), key(105, 1), key(42, 0), key(105, 0), // xdotool lets go of shift first
                        key(88, 1), key(88, 0), key(96, 1), key(96, 0), key(14, 1), key(14, 0)),
                        keys.stream().filter(ev -> ev.type() == HostInput.EV_KEY).toList());
                assertTrue(keys.stream().allMatch(ev -> ev.target() == Target.KEYBOARD));
                assertEquals(12, keys.stream().filter(ksync::equals).count());

                // An idle window (no new frames) does not redraw, and costs (almost) no CPU. Idle
                // starts once the window shows the last frame published before the pause.
                producer.pause(true);
                long last = producer.lastSequence();
                awaitCondition("the last frame on screen", () -> w.stats().shownSequence() == last);
                long d0 = w.stats().draws();
                long cpu0 = threadCpu(), t0 = System.nanoTime();
                Thread.sleep(2000);   // the period measured
                double idle = (threadCpu() - cpu0) * 100.0 / (System.nanoTime() - t0);
                long d1 = w.stats().draws();
                System.out.printf("[window-test] idle: %d redraws in 2 s, window thread %.2f%% of a core%n", d1 - d0, idle);
                assertTrue(d1 - d0 <= 1, (d1 - d0) + " redraws while idle");
                // The window thread's own CPU time: a loaded host does not add to it (waiting costs
                // nothing), and a loop that redrew or spun would use far more than 5%.
                assertTrue(idle < 5, "idle window thread uses " + idle + "% CPU");
                producer.pause(false);

                // Resize to 800x800: the picture is letterboxed to 800x600 at y=100, bars dark.
                x.run("xdotool", "windowsize", "--sync", id, "800", "800");
                int[] g2 = awaitGeometry(id, 800, 800);
                Frame boxed = awaitScreen("letterboxed", s -> isBackground(pixel(s, g2[0] + 400, g2[1] + 50))
                        && isBackground(pixel(s, g2[0] + 400, g2[1] + 750))
                        && near(pixel(s, g2[0] + 400, g2[1] + 400), SyntheticFrames.bar(560, 1024), 2));
                for (int i = 0; i < 8; i++) { // each bar's middle, scaled
                    int col = (int) ((i * 128 + 64) * 800 / 1024.0);
                    assertTrue(near(pixel(boxed, g2[0] + col, g2[1] + 500), SyntheticFrames.BARS[i], 2), "bar " + i);
                }
                // A pointer in the top bar clamps to the picture's top edge.
                input.drain();
                x.run(cmd("xdotool", "mousemove", "--sync", g2[0] + 400, g2[1] + 50));
                e = awaitEvents(input, l -> lastAbs(l, HostInput.ABS_Y) >= 0);
                assertEquals(0, lastAbs(e, HostInput.ABS_Y));
                assertEquals(16384, lastAbs(e, HostInput.ABS_X), 32);

                // The guest changes resolution: the window follows.
                producer.resize(640, 480);
                int[] g3 = awaitGeometry(id, 640, 480);
                awaitScreen("640x480", s -> barsMatch(s, g3, 640, 480) == 0);
                w.simulateUserClose();
            });
        }
        assertTrue(closed.get(), "closing the window calls onClose");
    }

    @Test
    void darkBeforeTheFirstFrameAndRequestCloseEndsTheLoopWithoutOnClose() throws Exception {
        HostInput input = new HostInput();
        FrameExchange frames = new FrameExchange();
        AtomicBoolean closed = new AtomicBoolean();
        withWindow(frames, input, DesktopWindow.Options.defaults().withSize(640, 400), () -> closed.set(true), w -> {
            String id = x.run("xdotool", "search", "--sync", "--onlyvisible", "--name", "^Vitrine$").trim().split("\\s+")[0];
            int[] g = awaitGeometry(id, 640, 400);
            awaitScreen("before-first-frame", s -> isBackground(pixel(s, g[0] + 320, g[1] + 200))
                    && isBackground(pixel(s, g[0] + 5, g[1] + 5)));
            w.requestClose(); // the guest powered off
        });
        assertFalse(closed.get(), "requestClose does not call onClose");
    }

    /** The status (the guest error counter) shows after the name in the title; an empty one leaves the name alone. */
    @Test
    void theStatusShowsInTheTitle() throws Exception {
        withWindow(new FrameExchange(), new HostInput(), DesktopWindow.Options.defaults().withSize(320, 200), null, w -> {
            String id = x.run("xdotool", "search", "--sync", "--onlyvisible", "--name", "^Vitrine$").trim().split("\\s+")[0];
            AtomicLong errors = new AtomicLong();   // set here, read on the window's thread
            w.showStatus(() -> errors.get() == 0 ? "" : errors.get() + " guest errors");
            errors.set(458563);
            awaitCondition("the counter in the title", () -> windowName(id).equals("Vitrine - 458563 guest errors"));
            errors.set(0);
            awaitCondition("the plain name back", () -> windowName(id).equals("Vitrine"));
            w.requestClose();
        });
    }

    private static String windowName(String id) {
        try {
            return x.run("xdotool", "getwindowname", id).trim();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static long threadCpu() {
        return ManagementFactory.getThreadMXBean().getThreadCpuTime(windowThread);
    }

    /** The thread that runs the window (the test's own). */
    private static volatile long windowThread;

    private static Event btn(int code, int v) {
        return new Event(Target.TABLET, HostInput.EV_KEY, code, v);
    }

    private static Event wheel(int v) {
        return new Event(Target.TABLET, HostInput.EV_REL, HostInput.REL_WHEEL, v);
    }

    private static Event key(int code, int v) {
        return new Event(Target.KEYBOARD, HostInput.EV_KEY, code, v);
    }

    private static int lastAbs(List<Event> l, int code) {
        int v = -1;
        for (Event e : l) if (e.type() == HostInput.EV_ABS && e.code() == code) v = e.value();
        return v;
    }

    /** A failure guard for every wait here: generous, so that a loaded host (Xvfb, llvmpipe, xdotool) still makes it. */
    private static final long GUARD_NANOS = 30_000_000_000L;

    private static void awaitCondition(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + GUARD_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) fail("not reached: " + what);
            Thread.sleep(10);
        }
    }

    /**
     * Collects input events until {@code done} holds for them; the queue is left empty. After that
     * it listens 100 ms more, so that an unexpected extra event is likely caught by the caller's
     * exact comparison (under load one may come later and go unnoticed: never a false failure).
     */
    private static List<Event> awaitEvents(HostInput input, Predicate<List<Event>> done) throws InterruptedException {
        List<Event> got = new ArrayList<>();
        long end = System.nanoTime() + GUARD_NANOS;
        while (System.nanoTime() < end) {
            got.addAll(input.drain());
            if (done.test(got)) {
                Thread.sleep(100); // nothing more should follow
                got.addAll(input.drain());
                return got;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("input events not as expected: " + got);
    }

    private static void awaitUploads(DesktopWindow w, long n) throws InterruptedException {
        awaitCondition(n + " frames shown", () -> w.stats().uploads() >= n);
    }

    /** xwininfo's absolute position and size of the window, once it has the expected size. */
    private static int[] awaitGeometry(String id, int w, int h) throws Exception {
        long end = System.nanoTime() + GUARD_NANOS;
        int[] g;
        do {
            String info = x.run("xwininfo", "-id", id);
            g = new int[] {field(info, "Absolute upper-left X"), field(info, "Absolute upper-left Y"),
                field(info, "Width"), field(info, "Height")};
            if (g[2] == w && g[3] == h) return g;
            Thread.sleep(50);
        } while (System.nanoTime() < end);
        throw new AssertionError("window is " + g[2] + "x" + g[3] + ", expected " + w + "x" + h);
    }

    private static int field(String info, String name) {
        Matcher m = Pattern.compile(Pattern.quote(name) + ":\\s*(-?\\d+)").matcher(info);
        if (!m.find()) throw new AssertionError("no " + name + " in " + info);
        return Integer.parseInt(m.group(1));
    }

    /** Screenshots the root window until {@code ok} holds; keeps the last one as NAME.png. */
    private static Frame awaitScreen(String name, Predicate<Frame> ok) throws Exception {
        Path file = SHOTS.resolve(name + ".png");
        long end = System.nanoTime() + GUARD_NANOS;
        while (true) {
            x.run("import", "-window", "root", file.toString());
            Frame s = Screenshots.readPng(file);
            if (ok.test(s)) return s;
            if (System.nanoTime() > end) throw new AssertionError("screen not as expected; see " + file.toAbsolutePath());
            Thread.sleep(100);
        }
    }

    private static int pixel(Frame s, int px, int py) {
        return s.rgba()[py * s.width() + px];
    }

    private static boolean near(int a, int b, int tolerance) {
        for (int shift = 0; shift < 24; shift += 8) {
            if (Math.abs(((a >> shift) & 0xFF) - ((b >> shift) & 0xFF)) > tolerance) return false;
        }
        return true;
    }

    private static boolean isBackground(int p) {
        int bg = Math.round(FrameRenderer.BG_R * 255) | Math.round(FrameRenderer.BG_G * 255) << 8
                | Math.round(FrameRenderer.BG_B * 255) << 16;
        return near(p, bg, 2);
    }

    /**
     * How many screen pixels in the window at {@code g} differ from the bars of a {@code w x h}
     * synthetic frame shown 1:1, outside the moving square's band and the cursor.
     */
    private static int barsMatch(Frame s, int[] g, int w, int h) {
        int diff = 0;
        int cx0 = SyntheticFrames.CURSOR_X - SyntheticFrames.HOT_X, cy0 = SyntheticFrames.CURSOR_Y - SyntheticFrames.HOT_Y;
        for (int y = SyntheticFrames.BAND_BOTTOM; y < h; y++) {
            for (int xx = 0; xx < w; xx++) {
                if (xx >= cx0 && xx < cx0 + 64 && y >= cy0 && y < cy0 + 64) continue;
                if (((pixel(s, g[0] + xx, g[1] + y) ^ SyntheticFrames.bar(xx, w)) & 0xFFFFFF) != 0) diff++;
            }
        }
        return diff;
    }

    /** The guest cursor: opaque block at its position minus the hotspot, the half-transparent one blended. */
    private static void checkCursor(Frame s, int[] g) {
        int ox = g[0] + SyntheticFrames.CURSOR_X - SyntheticFrames.HOT_X, oy = g[1] + SyntheticFrames.CURSOR_Y - SyntheticFrames.HOT_Y;
        assertTrue(near(pixel(s, ox, oy), SyntheticFrames.CURSOR_OPAQUE, 0), "cursor's top-left pixel");
        assertTrue(near(pixel(s, ox + 15, oy + 15), SyntheticFrames.CURSOR_OPAQUE, 0), "cursor's block");
        int under = SyntheticFrames.bar(SyntheticFrames.CURSOR_X, 1024);
        assertTrue(near(pixel(s, ox - 1, oy), under, 0), "left of the cursor: the bar");
        int half = 0;
        for (int shift = 0; shift < 24; shift += 8) {
            half |= ((((under >> shift) & 0xFF) * 127 + 255 * 128) / 255) << shift;
        }
        assertTrue(near(pixel(s, ox + 20, oy + 5), half, 3),
                String.format("blended cursor pixel %06x, expected ~%06x", pixel(s, ox + 20, oy + 5) & 0xFFFFFF, half));
        assertTrue(near(pixel(s, ox + 40, oy + 5), under, 0), "transparent part of the cursor");
    }
}
