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
 * and the run goes on from there (another key typed shows).
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
}
