package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vitrine.cli.window.Xvfb.cmd;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.cli.debugview.ViewLayout;
import org.vitrine.cli.window.Xvfb;

/**
 * The debugger view as a user meets it: {@code vitrine run --debug} (the shaded jar, the real rost
 * kernel) on a private Xvfb, the view beside the guest screen, the guest stopped at the kernel's
 * entry. xdotool clicks the view's Step button where {@link ViewLayout} says it is drawn; the
 * stop line on standard error says where the guest stopped and what changed, and screenshots show
 * it: the status line's PC text is different pixels, and the registers the step changed are
 * highlighted (amber) where before nothing was; the Back button (reverse step) then brings PC and
 * the listing back to where they were; a command typed in the command bar runs (until kmain). F12
 * in a plain run opens the view and stops the guest (F12 never reaches the guest); the view's
 * Continue and F12 (pause) resume and stop it again; the Processes tab shows rost's table. Closing
 * the window ends the run with status 0. Pictures are kept in target/desktop-e2e/debug-*.png.
 */
@Tag("window")
class DebugViewE2ETest {
    static final Pattern ENTRY = Pattern.compile("\\[debugger] stopped at the kernel's entry at 0x([0-9a-f]+)");
    static final Pattern STOP = Pattern.compile("\\[debugger] stopped \\((\\w+)\\) at 0x([0-9a-f]+)(?: \\((\\S+)\\))?; changed: (.*)");
    static final Duration GUARD = Duration.ofSeconds(60);
    static final Color AMBER_BG = new Color(0x3a3122);   // PanelPainter.CHANGED_BG

    @TempDir
    Path dir;

    @Test
    void stepButtonAdvancesPcAndHighlightsTheChangedRegisters() throws Exception {
        Assumptions.assumeTrue(Xvfb.toolsInstalled(), "Xvfb, xdotool, xwininfo or ImageMagick not installed");
        Files.createDirectories(ScreenImages.DIR);
        try (Xvfb x = Xvfb.start(2048, 1200)) {
            Assumptions.assumeTrue(x != null, "Xvfb did not start");
            Path disk = DesktopDifferentialTest.sparse(dir.resolve("disk.img"));
            try (VitrineProcess v = VitrineProcess.start(Map.of("DISPLAY", x.display()), "run", "--debug", "--disk", disk.toString(),
                    "--append", "")) {
                Matcher entry = ENTRY.matcher(v.err.await(l -> ENTRY.matcher(l).matches(), 0, GUARD));
                assertTrue(entry.matches());
                long pc0 = Long.parseUnsignedLong(entry.group(1), 16);
                String id = x.run("xdotool", "search", "--sync", "--onlyvisible", "--name", "^Vitrine").trim().split("\\s+")[0];
                int[] g = awaitWidth(x, id, 1024 + ViewLayout.PANEL_WIDTH);
                ViewLayout layout = ViewLayout.of(ViewLayout.PANEL_WIDTH, g[3]);
                int panelX = g[2] - ViewLayout.PANEL_WIDTH;

                BufferedImage before = awaitPicture(x, id, "debug-before.png", img -> hasText(img, panelX, layout.registers()));
                assertEquals(0, count(before, panelX, layout.registers(), AMBER_BG, 0), "nothing highlighted before the first step");

                // The Step button, clicked where it is drawn.
                ViewLayout.Rect step = layout.buttons().get(ViewLayout.Control.STEP);
                int from = v.err.size();
                click(x, g, panelX, step);
                Matcher stop = nextStop(v, from);
                assertEquals("step", stop.group(1));
                long pc1 = Long.parseUnsignedLong(stop.group(2), 16);
                assertEquals(pc0 + 4, pc1, "one instruction further (rost's entry starts straight-line)");
                Set<String> changed = Set.of(stop.group(4).trim().split(" "));
                assertTrue(changed.contains("pc"), "pc changed: " + changed);
                System.out.printf("[debug-view] Step clicked: pc 0x%x -> 0x%x (%s), changed %s%n", pc0, pc1, stop.group(3), changed);

                BufferedImage after = awaitPicture(x, id, "debug-after.png",
                        img -> count(img, panelX, layout.registers(), AMBER_BG, 0) > 0);
                int amber = count(after, panelX, layout.registers(), AMBER_BG, 0);
                assertTrue(amber >= changed.size() * 100, "each changed register highlighted: " + amber + " amber pixels for " + changed);
                assertFalse(same(before, after, panelX, layout.status()), "the status line (PC, instructions) shows the new PC");
                // the registers that did not change look as before: x30 is not touched by the entry's first instruction
                assertFalse(changed.contains("x30"));
                System.out.printf("[debug-view] screenshots %s and %s: %d highlighted pixels after the step, 0 before%n",
                        ScreenImages.DIR.resolve("debug-before.png").toAbsolutePath(), ScreenImages.DIR.resolve("debug-after.png").toAbsolutePath(), amber);

                // The Back button: one instruction back, the machine as before the step.
                ViewLayout.Rect back = layout.buttons().get(ViewLayout.Control.REVERSE_STEP);
                from = v.err.size();
                click(x, g, panelX, back);
                Matcher backStop = nextStop(v, from);
                assertEquals(pc0, Long.parseUnsignedLong(backStop.group(2), 16), "reverse step: PC back at the entry");
                assertEquals(changed, Set.of(backStop.group(4).trim().split(" ")), "going back changes what the step changed");
                BufferedImage backPicture = awaitPicture(x, id, "debug-back.png",
                        // the listing's rows (the hovered button's tooltip may cover the card's header)
                        img -> same(before, img, panelX, layout.code().body()) && count(img, panelX, layout.registers(), AMBER_BG, 0) > 0);
                assertFalse(same(after, backPicture, panelX, layout.code().body()), "the PC row moved back");
                System.out.printf("[debug-view] Back clicked: pc 0x%x -> 0x%x, the listing as before the step (%s)%n", pc1, pc0,
                        ScreenImages.DIR.resolve("debug-back.png").toAbsolutePath());

                // The command bar: typed (characters through the window's char callback), Enter runs it.
                ViewLayout.Rect bar = layout.command();
                from = v.err.size();
                click(x, g, panelX, bar);
                x.run("xdotool", "type", "--delay", "30", "until kmain");
                x.run("xdotool", "key", "Return");
                Matcher reached = nextStop(v, from);
                assertEquals("reached", reached.group(1));
                assertEquals("kmain", reached.group(3), "typed 'until kmain' ran to kmain");
                // The Stack tab (kmain called from the entry) and the Log tab with the command, on screen.
                ViewLayout.Rect stackTab = layout.tabButtons().get(ViewLayout.Tab.STACK);
                click(x, g, panelX, stackTab);
                awaitPicture(x, id, "debug-typed.png", img -> !same(backPicture, img, panelX, layout.tabs()) && hasText(img, panelX, layout.tabs()));

                x.deleteWindow(Long.parseLong(id));
                assertEquals(0, v.awaitExit(Duration.ofSeconds(30)), v.err.text());
                assertTrue(v.err.text().contains("window closed: guest powered off"), v.err.text());
            }
        }
    }

    @Test
    void f12StopsARunningGuestAndContinueAndPauseWork() throws Exception {
        inF12View("debug-f12.png", (x, v, o) -> {
            String id = o.id();
            int[] g = o.g();
            ViewLayout layout = o.layout();
            int panelX = o.panelX();
            int from;
            // F12 never reached the guest: its boot screen echoes keys on the console
            assertFalse(v.out.lines().stream().anyMatch(l -> l.startsWith("[input] key")), v.out.text());

            ViewLayout.Rect cont = layout.buttons().get(ViewLayout.Control.CONTINUE);
            from = v.err.size();
            click(x, g, panelX, cont);
            // running: the Pause button lights up (its amber icon) and no stop comes
            awaitPicture(x, id, "debug-running.png", img -> count(img, panelX, layout.buttons().get(ViewLayout.Control.PAUSE),
                    new Color(0xe5c07b), 0) > 5);
            Thread.sleep(500);
            assertFalse(v.err.lines().subList(from, v.err.size()).stream().anyMatch(l -> STOP.matcher(l).matches()),
                    "Continue runs on: " + v.err.text());
            from = v.err.size();
            x.run("xdotool", "key", "F12");   // a running guest under the view: F12 pauses
            Matcher stop = nextStop(v, from);
            assertEquals("interrupted", stop.group(1));
            BufferedImage paused = awaitPicture(x, id, "debug-paused.png", img -> count(img, panelX, layout.buttons().get(ViewLayout.Control.PAUSE),
                    new Color(0xe5c07b), 0) == 0);
            // The Processes tab: rost's table (the file server and the boot screen's processes), the current one marked.
            ViewLayout.Rect psTab = layout.tabButtons().get(ViewLayout.Tab.PROCESSES);
            click(x, g, panelX, psTab);
            awaitPicture(x, id, "debug-processes.png", img -> !same(paused, img, panelX, layout.tabs()) && hasText(img, panelX, layout.tabs()));

            x.deleteWindow(Long.parseLong(id));
            assertEquals(0, v.awaitExit(Duration.ofSeconds(30)), v.err.text());
        });
    }

    /**
     * Rewinding in the window over keys and pointer moves typed into the guest lands where the run
     * was: a breakpoint on the kernel's wake-up for input ({@code sched::Scheduler::woken}), a key
     * and a pointer move given while stopped, F5 to the wake-up they cause (A), F5 and a key typed
     * (B), then Shift+F5 (reverse continue) back to A: the same PC on the stop line, and the status
     * line's instruction and cycle counts the same pixels as at A. Without the input replayed, the
     * replay would find no wake-up before B.
     */
    @Test
    void reverseContinueOverKeysTypedInTheGuestLandsWhereTheyWokeIt() throws Exception {
        inF12View("debug-input-stopped.png", (x, v, o) -> {
            String id = o.id();
            int[] g = o.g();
            ViewLayout layout = o.layout();
            int panelX = o.panelX();
            int from;

            ViewLayout.Rect bar = layout.command();
            click(x, g, panelX, bar);
            x.run("xdotool", "type", "--delay", "30", "break sched::Scheduler::woken");
            x.run("xdotool", "key", "Return", "Escape");
            Thread.sleep(500);
            // Input while stopped: the pointer onto the guest screen and a key.
            x.run(cmd("xdotool", "mousemove", "--sync", g[0] + 400, g[1] + 300));
            x.run("xdotool", "key", "h");
            from = v.err.size();
            x.run("xdotool", "key", "F5");
            Matcher a = nextStop(v, from);
            assertEquals("breakpoint", a.group(1), "the input woke the guest: " + a.group());
            awaitPicture(x, id, "debug-input-a.png", img -> hasText(img, panelX, layout.registers()));
            Thread.sleep(500);   // the view has drawn the stop
            BufferedImage atA = awaitPicture(x, id, "debug-input-a.png", img -> true);

            // On, and a key typed while it runs: the next wake-up.
            from = v.err.size();
            x.run("xdotool", "key", "F5");
            x.run("xdotool", "key", "j");
            Matcher b = nextStop(v, from);
            assertEquals("breakpoint", b.group(1), b.group());
            Thread.sleep(500);
            BufferedImage atB = awaitPicture(x, id, "debug-input-b.png", img -> true);
            ViewLayout.Rect counts = new ViewLayout.Rect(layout.status().x() + layout.status().w() * 7 / 10, layout.status().y(),
                    layout.status().w() * 3 / 10, layout.status().h());
            assertFalse(same(atA, atB, panelX, counts), "B is further on than A: other counts on the status line");

            // Back over the input to A.
            from = v.err.size();
            x.run("xdotool", "key", "shift+F5");
            Matcher back = nextStop(v, from);
            assertEquals("breakpoint", back.group(1), "reverse continue found the wake-up A: " + back.group());
            assertEquals(a.group(2), back.group(2), "the PC at A");
            BufferedImage again = awaitPicture(x, id, "debug-input-back.png", img -> same(atA, img, panelX, counts));
            assertTrue(same(atA, again, panelX, counts));
            System.out.printf("[debug-view] reverse continue over typed input back to 0x%s: the counts as at A (%s, %s, %s)%n", a.group(2),
                    ScreenImages.DIR.resolve("debug-input-a.png").toAbsolutePath(), ScreenImages.DIR.resolve("debug-input-b.png").toAbsolutePath(),
                    ScreenImages.DIR.resolve("debug-input-back.png").toAbsolutePath());
            x.deleteWindow(Long.parseLong(id));
            assertEquals(0, v.awaitExit(Duration.ofSeconds(30)), v.err.text());
        });
    }

    /** Clicks the middle of {@code r}, a rectangle of the view's panel, in the window at {@code g}. */
    private static void click(Xvfb x, int[] g, int panelX, ViewLayout.Rect r) throws Exception {
        x.run(cmd("xdotool", "mousemove", "--sync", g[0] + panelX + r.centreX(), g[1] + r.centreY()));
        x.run("xdotool", "click", "1");
    }

    /** The first stop the debugger printed on standard error after line {@code from}. */
    private static Matcher nextStop(VitrineProcess v, int from) throws Exception {
        Matcher stop = STOP.matcher(v.err.await(l -> STOP.matcher(l).matches(), from, GUARD));
        assertTrue(stop.matches());
        return stop;
    }

    /** A test's part once the debugger view is open. */
    interface InView {
        void run(Xvfb x, VitrineProcess v, Opened o) throws Exception;
    }

    /**
     * Runs {@code body} on a plain desktop run in a window on a private Xvfb, once F12 opened its
     * debugger view ({@link #openWithF12}, the view kept as {@code picture}); skipped without Xvfb.
     */
    private void inF12View(String picture, InView body) throws Exception {
        Assumptions.assumeTrue(Xvfb.toolsInstalled(), "Xvfb, xdotool, xwininfo or ImageMagick not installed");
        Files.createDirectories(ScreenImages.DIR);
        try (Xvfb x = Xvfb.start(2048, 1200)) {
            Assumptions.assumeTrue(x != null, "Xvfb did not start");
            Path disk = DesktopDifferentialTest.sparse(dir.resolve("disk.img"));
            try (VitrineProcess v = VitrineProcess.start(Map.of("DISPLAY", x.display()), "run", "--disk", disk.toString(), "--append", "")) {
                body.run(x, v, openWithF12(x, v, picture));
            }
        }
    }

    /** The window of a plain run once F12 opened the debugger view: its id, geometry, the view's layout and x. */
    record Opened(String id, int[] g, ViewLayout layout, int panelX) { }

    /** Waits for the boot screen, presses F12, waits for the stop and the view drawn (kept as {@code picture}). */
    static Opened openWithF12(Xvfb x, VitrineProcess v, String picture) throws Exception {
        v.out.await(l -> l.equals("[rost] boot screen up, waiting for input"), 0, GUARD);
        String id = x.run("xdotool", "search", "--sync", "--onlyvisible", "--name", "^Vitrine").trim().split("\\s+")[0];
        assertEquals(1024, DesktopWindowE2ETest.geometry(x, id)[2], "no debugger: the guest's width");
        x.run("xdotool", "windowfocus", "--sync", id);
        int from = v.err.size();
        x.run("xdotool", "key", "F12");
        v.err.await(l -> l.startsWith("[debugger] stopped (F12) at 0x"), from, GUARD);
        int[] g = awaitWidth(x, id, 1024 + ViewLayout.PANEL_WIDTH);
        ViewLayout layout = ViewLayout.of(ViewLayout.PANEL_WIDTH, g[3]);
        int panelX = g[2] - ViewLayout.PANEL_WIDTH;
        awaitPicture(x, id, picture, img -> hasText(img, panelX, layout.registers()));
        return new Opened(id, g, layout, panelX);
    }

    /** Waits until the window is {@code width} wide (the view opened beside the guest); its geometry. */
    static int[] awaitWidth(Xvfb x, String id, int width) throws Exception {
        int[] g = null;
        for (long end = System.nanoTime() + GUARD.toNanos(); System.nanoTime() < end; Thread.sleep(100)) {
            g = DesktopWindowE2ETest.geometry(x, id);
            if (g[2] == width) return g;
        }
        throw new AssertionError("window width " + (g == null ? "?" : g[2]) + ", expected " + width);
    }

    /** Screenshots the window until {@code ready} holds; keeps the last in target/desktop-e2e/NAME. */
    static BufferedImage awaitPicture(Xvfb x, String id, String name, java.util.function.Predicate<BufferedImage> ready) throws Exception {
        Path shot = ScreenImages.DIR.resolve(name);
        BufferedImage img = null;
        for (long end = System.nanoTime() + GUARD.toNanos(); System.nanoTime() < end; Thread.sleep(200)) {
            x.run("import", "-window", id, shot.toString());
            img = ImageIO.read(shot.toFile());
            if (ready.test(img)) return img;
        }
        throw new AssertionError("the window never showed what was expected; see " + shot.toAbsolutePath());
    }

    /** Whether the panel's rectangle has light text on it (the view has drawn a state). */
    static boolean hasText(BufferedImage img, int panelX, ViewLayout.Rect r) {
        return count(img, panelX, r, new Color(0xd8dbe2), 0x30) > 200;
    }

    /** Pixels within {@code tolerance} per channel of {@code c} in {@code r} (panel coordinates). */
    static int count(BufferedImage img, int panelX, ViewLayout.Rect r, Color c, int tolerance) {
        int n = 0;
        for (int y = r.y(); y < r.y() + r.h() && y < img.getHeight(); y++) {
            for (int x = panelX + r.x(); x < panelX + r.x() + r.w() && x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                if (Math.abs((p >> 16 & 0xff) - c.getRed()) <= tolerance && Math.abs((p >> 8 & 0xff) - c.getGreen()) <= tolerance
                        && Math.abs((p & 0xff) - c.getBlue()) <= tolerance) n++;
            }
        }
        return n;
    }

    static boolean same(BufferedImage a, BufferedImage b, int panelX, ViewLayout.Rect r) {
        for (int y = r.y(); y < r.y() + r.h(); y++) {
            for (int x = panelX + r.x(); x < panelX + r.x() + r.w(); x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) return false;
            }
        }
        return true;
    }
}
