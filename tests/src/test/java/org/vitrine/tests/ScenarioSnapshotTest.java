package org.vitrine.tests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scenario steps {@code snapshot save NAME} / {@code snapshot restore NAME} (issue 10, item 1)
 * on the real kernel's boot screen: a key typed after the save shows on the screen and the console;
 * after the restore the screen is the saved one pixel for pixel, the console no longer has the key,
 * and the run goes on from there (another key typed shows). And {@code vitrine script --restore
 * FILE}: scenarios that start from a snapshot file instead of booting.
 */
class ScenarioSnapshotTest {
    @TempDir
    Path dir;

    @Test
    void restoreGoesBackToTheSavedInstant() throws Exception {
        Path script = Files.write(dir.resolve("snap.vts"), List.of(
                "wait-for \"boot screen up\" within 5s", "move 1000 740", "run 50ms",
                "snapshot save booted", "screenshot saved.png",
                "type \"a\"", "wait-for \"[input] key 30 down\" within 1s", "run 50ms", "screenshot typed.png",
                "snapshot restore booted", "screenshot restored.png",
                "type \"b\"", "wait-for \"[input] key 48 down\" within 1s", "run 50ms",
                "snapshot restore nothing"));
        Path art = dir.resolve("art");
        CliTest.Result r = CliTest.vitrine("script", "--append", "", "--artifacts", art.toString(), script.toString());
        assertEquals(1, r.exit(), "the last step restores a snapshot never saved\n" + r.stderr());
        assertTrue(r.stderr().contains("[script] FAILED: " + script + ":15:1 snapshot restore nothing"), r.stderr());
        assertTrue(r.stderr().contains("expected: a snapshot saved as nothing"), r.stderr());
        Path own = art.resolve("snap");
        byte[] saved = Files.readAllBytes(own.resolve("saved.png")), typed = Files.readAllBytes(own.resolve("typed.png"));
        assertFalse(java.util.Arrays.equals(saved, typed), "the typed key changed the screen");
        assertArrayEquals(saved, Files.readAllBytes(own.resolve("restored.png")), "the restored screen is the saved one");
        String console = Files.readString(own.resolve("console.log"));
        assertTrue(console.contains("[input] key 48 down"), "the run went on after the restore:\n" + console);
        assertFalse(console.contains("[input] key 30 down"), "the key typed before the restore is gone from the console:\n" + console);
    }

    /**
     * {@code vitrine script --restore FILE}: two scenarios start from the booted boot screen saved by
     * {@code vitrine run --save-snapshot}, each on its own machine (the screen is the saved one, the
     * console holds nothing from before, a key typed shows); a scenario with a boot line and a file
     * that is not a snapshot are refused before any machine starts.
     */
    @Test
    void aSuiteStartsFromASnapshotFileInsteadOfBooting() throws Exception {
        Path saved = dir.resolve("booted.vtsnap"), shot = dir.resolve("booted.png");
        CliTest.Result r = CliTest.vitrine("run", "--headless", "--display", "1024x768", "--append", "", "--until", "1s",
                "--save-snapshot", saved.toString(), "--screenshot", shot.toString());
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stdout().contains("boot screen up"), r.stdout());
        Path a = Files.write(dir.resolve("a.vts"), List.of("screenshot start.png", "type \"a\"", "wait-for \"[input] key 30 down\" within 1s"));
        Path b = Files.write(dir.resolve("b.vts"), List.of("type \"b\"", "wait-for \"[input] key 48 down\" within 1s"));
        Path art = dir.resolve("suite");
        r = CliTest.vitrine("script", "--restore", saved.toString(), "--artifacts", art.toString(), a.toString(), b.toString());
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("[script] started from " + saved + " at 1.000 s virtual"), r.stderr());
        assertTrue(r.stderr().contains("[script] 2 of 2 scenarios passed"), r.stderr());
        assertArrayEquals(pixels(shot), pixels(art.resolve("a").resolve("start.png")), "the scenario starts on the saved screen");
        String console = Files.readString(art.resolve("b").resolve("console.log"));
        assertFalse(console.contains("boot screen up") || console.contains("key 30"), "b's console starts at the snapshot, alone:\n" + console);

        Path booting = Files.write(dir.resolve("boots.vts"), List.of("boot --append rost.desktop", "run 1ms"));
        r = CliTest.vitrine("script", "--restore", saved.toString(), booting.toString());
        assertEquals(2, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("boots nothing"), r.stderr());
        r = CliTest.vitrine("script", "--restore", a.toString(), b.toString());
        assertEquals(5, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("not a Vitrine snapshot"), r.stderr());
    }

    private static int[] pixels(Path png) throws java.io.IOException {
        java.awt.image.BufferedImage i = javax.imageio.ImageIO.read(png.toFile());
        return i.getRGB(0, 0, i.getWidth(), i.getHeight(), null, 0, i.getWidth());
    }
}
