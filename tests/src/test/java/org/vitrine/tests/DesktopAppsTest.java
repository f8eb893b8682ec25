package org.vitrine.tests;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Editor and Files end to end (issue 8, items 6 and 8), on the real kernel, window manager,
 * terminal, editor and file manager: `vitrine script` plays tests/scenarios/desktop-editor.vts
 * and desktop-files.vts on a copy of the built disk, and the host then reads what they wrote
 * from that image with mtools and checks it with fsck.fat. The screenshots must show Rust
 * highlighting, line numbers and the modified marker (colours of ui::palette), and the listing.
 */
class DesktopAppsTest {
    // ui::palette
    static final int KEYWORD = 0xc68fd6, STRING = 0xa3c98a, NUMBER = 0xe09a68, COMMENT = 0x6b7589;
    static final int CURSOR = 0xe8b45a, ACCENT = 0x5e9cd6, SELECTED = 0x2c3a52;

    Path disk;

    /** The scenario's play (the suite's first, shared with ScenarioRepeatTest); its disk kept in {@link #disk}. */
    ScenarioPlays.Play play(String scenario) throws Exception {
        ScenarioPlays.Play p = ScenarioPlays.first(scenario);
        assertEquals(0, p.result().exit(), p.all());
        disk = p.disk();
        return p;
    }

    String host(String... command) throws Exception {
        return RostSystestTest.host(command);
    }

    void assertFsckClean() throws Exception {
        String fsck = Files.exists(Path.of("/usr/sbin/fsck.fat")) ? "/usr/sbin/fsck.fat" : "fsck.fat";
        String out = host(fsck, "-n", disk.toString());
        assertFalse(out.contains("\n  ") || out.toLowerCase().contains("wrong"), "fsck.fat found problems:\n" + out);
    }

    @Test
    void editorSavesAnEditedFileAndANewOne() throws Exception {
        ScenarioPlays.Play p = play("desktop-editor.vts");
        String all = p.all();
        String original = Files.readString(Guest.root().resolve("guest-apps/docs/sample.rs"));
        assertTrue(all.contains("[editor] opened /docs/sample.rs (" + original.length() + " bytes)\n"), all);

        // What the scenario did: a line on top, "too," of the block comment's first line
        // replaced, and the empty line above it joined away.
        String before = "\n\n/* Block comments are highlighted too,\n";
        assertTrue(original.contains(before), "docs/sample.rs changed: update the scenario");
        String want = "// edited on rost.\n" + original.replace(before, "\n/* Block comments are highlighted shown:\n");
        assertEquals(want, host("mtype", "-i", disk.toString(), "::/DOCS/SAMPLE.RS"));
        assertTrue(all.contains("[editor] saved /docs/sample.rs (" + want.length() + " bytes)\n"), all);

        assertTrue(all.contains("[editor] new file /docs/new.rs\n"), all);
        assertEquals("fn main() {\n    let x = 1;\n}", host("mtype", "-i", disk.toString(), "::/DOCS/NEW.RS"));
        assertFsckClean();

        // The editor is the right half: inside x 517..1015, y 60..759; status line at the bottom.
        BufferedImage sample = ImageIO.read(p.artifact("editor-sample.png").toFile());
        for (int colour : new int[] {KEYWORD, STRING, NUMBER, COMMENT}) {
            assertTrue(count(sample, 560, 60, 1015, 730, colour) > 40,
                    "highlighting colour " + Integer.toHexString(colour) + " in the text");
        }
        assertTrue(count(sample, 517, 60, 555, 730, COMMENT) > 200, "line numbers in the gutter");
        assertEquals(0, count(sample, 517, 735, 1015, 760, CURSOR), "saved: no modified marker");
        BufferedImage modified = ImageIO.read(p.artifact("editor-modified.png").toFile());
        assertTrue(count(modified, 517, 735, 1015, 760, CURSOR) > 60, "the modified marker in the status line");
    }

    @Test
    void filesMakesRenamesDeletesAndOpens() throws Exception {
        ScenarioPlays.Play p = play("desktop-files.vts");
        String all = p.all();
        assertTrue(all.contains("[files] could not delete: not allowed"), "a folder with pages is kept: " + all);
        long sample = Files.size(Guest.root().resolve("guest-apps/docs/sample.rs"));
        assertTrue(all.contains("[editor] opened /DOCS/SAMPLE.RS (" + sample + " bytes)\n"), all);
        assertTrue(all.contains("[files] started /BIN/BROWSER /DOCS/INDEX.HTM as task ")
                || all.contains("[files] BROWSER is not installed yet\n"), "INDEX.HTM goes to the Browser: " + all);
        Matcher hello = Pattern.compile("\\[files\\] started /BIN/HELLO as task (\\d+)\n").matcher(all);
        assertTrue(hello.find(), all);
        assertTrue(all.contains("[rost] task " + hello.group(1) + " exited (code 0)"), "HELLO ran: " + all);

        String root = host("mdir", "-i", disk.toString(), "::/");
        assertTrue(root.contains("projects"), "the new folder: " + root);
        String docs = host("mdir", "-i", disk.toString(), "::/DOCS");
        assertTrue(docs.contains("notes.txt") && !docs.contains("README"), "README.TXT renamed: " + docs);
        assertEquals(Files.readString(Guest.root().resolve("guest-apps/docs/readme.txt")),
                host("mtype", "-i", disk.toString(), "::/DOCS/notes.txt"), "a rename keeps the content");
        String web = host("mdir", "-i", disk.toString(), "::/DOCS/WEB");
        assertTrue(!web.contains("CODE") && web.contains("LISTS"), "CODE.HTM deleted, the rest kept: " + web);
        assertFsckClean();

        // Files alone: folders in the accent colour, the selected row highlighted.
        BufferedImage docsShot = ImageIO.read(p.artifact("files-docs.png").toFile());
        assertTrue(count(docsShot, 20, 130, 60, 150, ACCENT) > 20, "WEB, a folder, in the accent colour");
        assertTrue(count(docsShot, 9, 170, 1015, 190, SELECTED) > 5000, "the renamed file's row is selected");
        assertTrue(count(docsShot, 800, 110, 1015, 210, COMMENT) > 200, "sizes and dates");
        // Files and the Editor side by side, the source highlighted.
        BufferedImage both = ImageIO.read(p.artifact("files-editor.png").toFile());
        assertTrue(count(both, 560, 60, 1015, 730, KEYWORD) > 40, "SAMPLE.RS highlighted in the Editor");
    }

    /** Pixels of `colour` in [x0, x1) x [y0, y1). */
    static int count(BufferedImage img, int x0, int y0, int x1, int y1, int colour) {
        int n = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                if ((img.getRGB(x, y) & 0xffffff) == colour) n++;
            }
        }
        return n;
    }
}
