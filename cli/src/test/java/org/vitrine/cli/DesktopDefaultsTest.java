package org.vitrine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user's desktop disk: where it lives, made once, never overwritten by a rebuild, made again on request. */
class DesktopDefaultsTest {
    @TempDir
    Path dir;

    final ByteArrayOutputStream said = new ByteArrayOutputStream();
    final PrintStream err = new PrintStream(said, true, StandardCharsets.UTF_8);

    @Test
    void userDiskFollowsXdgDataHomeElseHome() {
        assertEquals(Path.of("/data/vitrine/disk.img"), DesktopDefaults.userDisk(Map.of("XDG_DATA_HOME", "/data", "HOME", "/h")));
        assertEquals(Path.of("/h/.local/share/vitrine/disk.img"), DesktopDefaults.userDisk(Map.of("HOME", "/h")));
        assertEquals(Path.of("/h/.local/share/vitrine/disk.img"), DesktopDefaults.userDisk(Map.of("XDG_DATA_HOME", "", "HOME", "/h")));
    }

    @Test
    void madeOnceThenKeptAcrossRebuildsAndMadeAgainOnRequest() throws Exception {
        Path built = Files.write(dir.resolve("built.img"), new byte[] {1, 2, 3});
        Path disk = dir.resolve("share/vitrine/disk.img");

        assertEquals(disk, DesktopDefaults.userDisk(disk, built, false, err));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(disk));
        assertTrue(said().contains("your disk (kept across rebuilds; --reset-disk makes it again): " + disk), said());

        Files.write(disk, new byte[] {1, 2, 3, 9});   // the user saved something
        DesktopDefaults.userDisk(disk, built, false, err);
        assertEquals("", said(), "nothing to say while the built image is the one the disk came from");
        assertArrayEquals(new byte[] {1, 2, 3, 9}, Files.readAllBytes(disk));

        Files.write(built, new byte[] {4, 5});   // a rebuild with new programs
        DesktopDefaults.userDisk(disk, built, false, err);
        assertArrayEquals(new byte[] {1, 2, 3, 9}, Files.readAllBytes(disk), "the user's files are kept");
        String note = said();
        assertTrue(note.contains("has changed") && note.contains("--reset-disk"), note);

        DesktopDefaults.userDisk(disk, built, true, err);
        assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(disk));
        assertArrayEquals(new byte[] {1, 2, 3, 9}, Files.readAllBytes(dir.resolve("share/vitrine/disk.img.old")));
        assertTrue(said().contains("made again"), said());
        DesktopDefaults.userDisk(disk, built, false, err);
        assertEquals("", said());
    }

    @Test
    void freshCopiesAreIndependentAndAMissingImageIsNamed() throws Exception {
        Path built = Files.write(dir.resolve("built.img"), new byte[] {7, 7});
        Path a = DesktopDefaults.freshCopy(built), b = DesktopDefaults.freshCopy(built);
        assertNotEquals(a, b);
        Files.write(a, new byte[] {0});
        assertArrayEquals(new byte[] {7, 7}, Files.readAllBytes(b));
        Files.delete(a);
        Files.delete(b);
        Path none = dir.resolve("none.img");
        var e = assertThrows(DesktopDefaults.MissingImageException.class, () -> DesktopDefaults.freshCopy(none));
        assertTrue(e.getMessage().contains(none + " not found (build it with ./vitrine build)"), e.getMessage());
        assertThrows(DesktopDefaults.MissingImageException.class, () -> DesktopDefaults.userDisk(dir.resolve("u.img"), none, false, err));
        assertFalse(Files.exists(dir.resolve("u.img")));
    }

    private String said() {
        String s = said.toString(StandardCharsets.UTF_8);
        said.reset();
        return s;
    }
}
