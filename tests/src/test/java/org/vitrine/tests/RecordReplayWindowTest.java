package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vitrine.cli.window.Xvfb.cmd;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.cli.window.Screenshots;
import org.vitrine.cli.window.Xvfb;

/**
 * {@code vitrine run --record} then {@code vitrine script}: a person's session in the desktop
 * window, recorded and replayed. xdotool is the person on a private Xvfb (XTEST pointer motion,
 * a click on the menu's "Terminal", a few keys typed); the window is closed as a window manager's
 * close button does. The recording names every input at its virtual instant and ends with the
 * screen's and the console's SHA-256; {@code vitrine script} must replay it to the same final
 * screen and console (its own {@code expect} lines check them) and the same console, line for
 * line, as the window session printed. Skipped without Xvfb and xdotool; the replay's last
 * screen is kept in target/desktop-e2e/record-replay.png.
 */
@Tag("window")
class RecordReplayWindowTest {
    static final Duration GUARD = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aRecordedWindowSessionReplaysToTheSameScreenAndConsole() throws Exception {
        Assumptions.assumeTrue(Xvfb.toolsInstalled(), "Xvfb, xdotool, xwininfo or ImageMagick not installed");
        Files.createDirectories(ScreenImages.DIR);
        Path recording = dir.resolve("session.vts");
        List<String> console;
        String runSummary;
        try (Xvfb x = Xvfb.start(1280, 1024)) {
            Assumptions.assumeTrue(x != null, "Xvfb did not start");
            try (VitrineProcess v = VitrineProcess.start(Map.of("DISPLAY", x.display()), "run", "--record", recording.toString())) {
                v.out.await(l -> l.startsWith("[wm] desktop up"), 0, Duration.ofSeconds(120));
                String id = x.run("xdotool", "search", "--sync", "--onlyvisible", "--name", "^Vitrine$").trim().split("\\s+")[0];
                int[] g = DesktopWindowE2ETest.geometry(x, id);
                x.run(cmd("xdotool", "mousemove", "--sync", g[0] + 100, g[1] + 14));   // the menu's "Terminal"
                x.run("xdotool", "click", "1");
                v.out.await(l -> l.startsWith("[wm] window of task") && l.endsWith("Terminal"), 0, GUARD);
                Thread.sleep(500);
                x.run("xdotool", "windowfocus", "--sync", id);
                x.run("xdotool", "type", "--delay", "40", "echo hi");
                x.run("xdotool", "key", "Return");
                v.out.await(l -> l.equals("[terminal] $ echo hi"), 0, GUARD);
                v.out.await(l -> l.equals("[terminal] hi"), 0, GUARD);
                // the console line comes before the redraw, and a loaded host runs the guest behind the wall
                // clock: close the window once it shows the Terminal drawn (its inside no longer black)
                Path shot = ScreenImages.DIR.resolve("record-window.png");
                for (long end = System.nanoTime() + GUARD.toNanos(); ; Thread.sleep(200)) {
                    x.run("import", "-window", id, shot.toString());
                    if ((Screenshots.toImage(Screenshots.readPng(shot), false).getRGB(500, 400) & 0xffffff) != 0) break;
                    assertTrue(System.nanoTime() < end, "the Terminal was never drawn; see " + shot.toAbsolutePath());
                }
                x.deleteWindow(Long.parseLong(id));
                assertEquals(0, v.awaitExit(GUARD), v.err.text());
                assertTrue(v.err.text().contains("[vitrine] recorded "), v.err.text());
                console = v.out.lines();
                runSummary = v.err.text();
            }
        }
        String text = Files.readString(recording);
        System.out.println("[record-replay] the recording:\n" + text);
        List<String> lines = text.lines().toList();
        assertEquals("boot --timing a53 --display 1024x768", lines.stream().filter(l -> l.startsWith("boot ")).findFirst().orElseThrow(), text);
        assertTrue(lines.contains("move 100 14"), "the pointer at the menu's Terminal, pixel exact:\n" + text);
        assertTrue(lines.contains("press left") && lines.contains("release left"), text);
        for (String key : List.of("e", "c", "h", "o", "space", "i", "enter")) {
            assertTrue(text.contains("press " + key + "\n") || text.contains("input keyboard " + keyDown(key)), "key " + key + ":\n" + text);
        }
        assertTrue(lines.stream().anyMatch(l -> l.matches("at \\d+ns")), text);
        assertTrue(lines.stream().anyMatch(l -> l.matches("expect screen-hash [0-9a-f]{64}")), text);
        assertTrue(lines.stream().anyMatch(l -> l.matches("expect console-hash [0-9a-f]{64}")), text);
        assertTrue(lines.contains("# the window was closed here"), text);
        // the recording ends at the cycle the window session stopped at (1 GHz: a nanosecond a cycle)
        java.util.regex.Matcher end = java.util.regex.Pattern.compile("window closed: guest powered off; (\\d+) cycles").matcher(runSummary);
        assertTrue(end.find(), runSummary);
        String endCycle = end.group(1);
        assertEquals("at " + endCycle + "ns", lines.get(lines.indexOf("# the window was closed here") + 1), text);

        // The replay, headless and as fast as the host goes, with a screenshot of its last screen.
        Files.writeString(recording, "screenshot record-replay.png\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        Path artifacts = dir.resolve("replay");
        CliTest.Result r = CliTest.vitrine("script", "--artifacts", artifacts.toString(), recording.toString());
        assertEquals(0, r.exit(), r.stdout() + r.stderr());
        assertEquals(console, r.stdout().lines().toList(), "the replay's console is the window session's");
        assertTrue(r.stderr().contains(String.format(java.util.Locale.ROOT, "(1 section, %.3f s virtual)", Long.parseLong(endCycle) / 1e9)),
                "the replay ends on the recorded cycle " + endCycle + ":\n" + r.stderr());
        Files.copy(artifacts.resolve("session/record-replay.png"), ScreenImages.DIR.resolve("record-replay.png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.out.println("[record-replay] replayed: " + r.stderr().lines().filter(l -> l.startsWith("[script] passed")).toList());
    }

    /** A key's press as a raw input step writes it (the recording uses raw steps for a key whose EV_SYN came apart). */
    private static String keyDown(String name) {
        return "1:" + org.vitrine.cli.script.UsKeyboard.named(name) + ":1";
    }

    @Test
    void aRecordingThatCannotBeWrittenIsRefusedBeforeAnyWindow() throws Exception {
        CliTest.Result r = CliTest.vitrine("run", "--record", dir.resolve("no/such/dir/x.vts").toString());
        assertEquals(2, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("--record: no directory " + dir.resolve("no/such/dir")), r.stderr());
        CliTest.Result d = CliTest.vitrine("run", "--record", dir.toString());
        assertEquals(2, d.exit(), d.stderr());
        assertTrue(d.stderr().contains("--record: " + dir + " is a directory"), d.stderr());
        CliTest.Result h = CliTest.vitrine("run", "--headless", "--record", dir.resolve("x.vts").toString());
        assertEquals(2, h.exit(), h.stderr());
        assertTrue(h.stderr().contains("--record: records a window session"), h.stderr());
        assertFalse(Files.exists(dir.resolve("x.vts")));
    }
}
