package org.vitrine.tests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.cli.window.Xvfb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `vitrine script --window` under Xvfb: a passing scenario shows its window and closes it by
 * itself; with --pause-on-failure a failing one keeps the window open at the failing screen, its
 * title naming the step, until the person (xdotool here) closes it; then the verdict is exit 1.
 */
class ScenarioWindowTest {
    @TempDir
    Path dir;

    @Test
    @Tag("window")
    void theWindowShowsThePlayAndPausesOnAFailure() throws Exception {
        Assumptions.assumeTrue(Xvfb.toolsInstalled(), "Xvfb, xdotool, xwininfo or ImageMagick not installed");
        Path pass = Files.write(dir.resolve("pass.vts"), List.of("wait-for \"boot screen up\" within 5s", "run 50ms"));
        Path fail = Files.write(dir.resolve("fail.vts"), List.of("wait-for \"boot screen up\" within 5s", "run 50ms",
                "expect screen \"no such text\""));
        Path shots = Files.createDirectories(Path.of("target", "scenario-window"));
        try (Xvfb x = Xvfb.start(1024, 768)) {
            Assumptions.assumeTrue(x != null, "Xvfb did not start");
            try (VitrineProcess v = VitrineProcess.start(Map.of("DISPLAY", x.display()), "script", "--append", "", "--window", pass.toString())) {
                assertEquals(0, v.awaitExit(Duration.ofSeconds(120)), v.err.text());
                assertTrue(v.err.text().contains("[script] passed: "), v.err.text());
            }
            try (VitrineProcess v = VitrineProcess.start(Map.of("DISPLAY", x.display()), "script", "--append", "", "--pause-on-failure", fail.toString())) {
                v.err.await(l -> l.contains(":3:1 expect screen \"no such text\""), 0, Duration.ofSeconds(120));
                String title = "vitrine script fail - FAILED at " + fail + ":3:1: close the window to end";
                String id = x.run("xdotool", "search", "--sync", "--name", "FAILED at").trim().split("\\s+")[0];
                assertEquals(title, x.run("xdotool", "getwindowname", id).trim());
                Thread.sleep(1000);
                assertTrue(v.process.isAlive(), "the window waits for the person");
                Path shot = shots.resolve("paused.png");
                x.run("import", "-window", "root", shot.toString());
                System.out.println("[scenario-window] paused at the failure; screenshot " + shot.toAbsolutePath());
                x.deleteWindow(Long.parseLong(id));
                assertEquals(1, v.awaitExit(Duration.ofSeconds(30)), v.err.text());
                assertTrue(v.err.text().contains("[script] FAILED: " + fail + ":3:1 expect screen \"no such text\""), v.err.text());
            }
        }
    }
}
