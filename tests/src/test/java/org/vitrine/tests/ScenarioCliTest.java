package org.vitrine.tests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `vitrine script` end to end on the real kernel's boot screen: a video recorded, needles saved and matched
 * (exactly, within a tolerance, and a mismatch with its actual and difference images), sections
 * as JUnit test cases with the failing one's screenshot, the artifacts folder, several scenarios
 * with --jobs 2 giving the same results as one by one, and --shard.
 */
class ScenarioCliTest {
    @TempDir
    Path dir;

    private Path script(String name, String... lines) throws Exception {
        return Files.write(dir.resolve(name), List.of(lines));
    }

    @Test
    void needlesMatchExactlyOrWithinATolerance() throws Exception {
        // the boot screen's texts, drawn by the kernel in the guest font at scales 4 and 2, are found
        Path save = script("save.vts", "wait-for \"boot screen up\" within 5s", "move 1000 740", "run 50ms",
                "expect screen \"rost boot screen\"", "expect screen \"1024x768 - type here, move the pointer\"",
                "expect no screen \"rost boot screen!\"", "save region 0 0 200 100 needle.png");
        Path video = dir.resolve("video.png");
        CliTest.Result r = CliTest.vitrine("script", "--append", "", "--record-video", video.toString(), save.toString());
        assertEquals(0, r.exit(), r.stderr());
        Path needle = dir.resolve("needle.png");
        assertTrue(Files.size(needle) > 0);
        // an animated PNG of the boot screen: still images read its first frame
        assertEquals("acTL", new String(Files.readAllBytes(video), 37, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(1024, javax.imageio.ImageIO.read(video.toFile()).getWidth());
        assertTrue(r.stderr().matches("(?s).*\\[script\\] video: .*video\\.png \\(\\d+ frames\\).*"), r.stderr());

        // the needle with one pixel changed: exact fails with images, tolerance 1 passes
        var img = javax.imageio.ImageIO.read(needle.toFile());
        img.setRGB(10, 10, img.getRGB(10, 10) ^ 0x00ff00);
        javax.imageio.ImageIO.write(img, "png", dir.resolve("changed.png").toFile());
        Path check = script("check.vts", "wait-for \"boot screen up\" within 5s", "run 50ms",
                "section \"exact\"", "expect region 0 0 200 100 matches needle.png",
                "section \"tolerant\"", "expect region 0 0 200 100 matches changed.png tolerance 1",
                "section \"strict\"", "expect region 0 0 200 100 matches changed.png",
                "section \"never reached\"", "run 1ms");
        Path art = dir.resolve("art");
        r = CliTest.vitrine("script", "--append", "", "--artifacts", art.toString(), "--junit", dir.resolve("junit.xml").toString(), check.toString());
        assertEquals(1, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("[script] FAILED: " + check + ":8:1 expect region 0 0 200 100 matches changed.png tolerance 0 (section \"strict\")"), r.stderr());
        assertTrue(r.stderr().contains("found:    1 pixels different; actual area: "), r.stderr());
        assertTrue(r.stderr().contains("[script]   skipped: section \"never reached\""), r.stderr());
        Path own = art.resolve("check");
        assertTrue(Files.isRegularFile(own.resolve("changed-line8-actual.png")));
        assertTrue(Files.isRegularFile(own.resolve("changed-line8-diff.png")));
        assertTrue(Files.isRegularFile(own.resolve("failure-" + check.toString().replaceAll("[^A-Za-z0-9._-]", "_") + "-8.png")));
        assertTrue(Files.readString(own.resolve("console.log")).contains("boot screen up"));
        assertTrue(Files.readString(own.resolve("result.json")).contains("\"status\" : \"failed\""));
        String junit = Files.readString(dir.resolve("junit.xml"));
        assertTrue(junit.contains("tests=\"5\"") && junit.contains("failures=\"1\"") && junit.contains("skipped=\"1\""), junit);
        assertTrue(junit.contains("<testcase classname=\"check\" name=\"exact\""), junit);
        // the actual area is the saved needle: the run is deterministic
        assertEquals(0, differingPixels(own.resolve("changed-line8-actual.png"), needle));
    }

    private static int differingPixels(Path a, Path b) throws Exception {
        var x = javax.imageio.ImageIO.read(a.toFile());
        var y = javax.imageio.ImageIO.read(b.toFile());
        int n = 0;
        for (int j = 0; j < x.getHeight(); j++) for (int i = 0; i < x.getWidth(); i++) if (x.getRGB(i, j) != y.getRGB(i, j)) n++;
        return n;
    }

    /** What can be checked before a machine starts is: a bad boot line, an output that cannot be written. */
    @Test
    void badBootLinesAndOutputsStopBeforeBooting() throws Exception {
        Path bad = script("bad.vts", "# machine options", "boot --display 800x600 --nope", "run 1ms");
        CliTest.Result r = CliTest.vitrine("script", "--append", "", bad.toString());
        assertEquals(2, r.exit(), r.stderr());
        assertTrue(r.stderr().startsWith(bad + ":2:1: boot: Unknown option: '--nope'"), r.stderr());
        assertEquals("", r.stdout(), "the machine never started");

        Path ok = script("ok.vts", "run 1ms");
        Path file = Files.writeString(dir.resolve("plain-file"), "");
        r = CliTest.vitrine("script", "--append", "", "--junit", file.resolve("junit.xml").toString(), ok.toString());
        assertEquals(2, r.exit(), r.stderr());
        assertEquals("vitrine: cannot write into " + file + "\n", r.stderr());
        assertEquals("", r.stdout(), "the machine never started");
    }

    @Test
    void jobsGiveTheSameResultsAsOneByOne() throws Exception {
        Path a = script("a.vts", "wait-for \"boot screen up\" within 5s", "move 100 500", "click", "type \"one\"", "run 30ms",
                "expect console \"key 24 down\"", "screenshot a.png");
        Path b = script("b.vts", "wait-for \"boot screen up\" within 5s", "move 600 300", "type \"two!\"", "run 30ms",
                "expect console \"key 17 down\"", "screenshot b.png");
        CliTest.Result one = CliTest.vitrine("script", "--append", "", a.toString());
        CliTest.Result two = CliTest.vitrine("script", "--append", "", b.toString());
        assertEquals(0, one.exit(), one.stderr());
        assertEquals(0, two.exit(), two.stderr());
        byte[] aPng = Files.readAllBytes(dir.resolve("a.png")), bPng = Files.readAllBytes(dir.resolve("b.png"));
        Files.delete(dir.resolve("a.png"));
        Files.delete(dir.resolve("b.png"));

        CliTest.Result both = CliTest.vitrine("script", "--append", "", "--jobs", "2", "--junit", dir.resolve("j.xml").toString(), a.toString(), b.toString());
        assertEquals(0, both.exit(), both.stderr());
        assertEquals(one.stdout() + two.stdout(), both.stdout(), "each console whole, in the order given");
        assertArrayEquals(aPng, Files.readAllBytes(dir.resolve("a.png")));
        assertArrayEquals(bPng, Files.readAllBytes(dir.resolve("b.png")));
        assertTrue(both.stderr().contains("[script] 2 of 2 scenarios passed"), both.stderr());
        String verdictA = one.stderr().lines().filter(l -> l.startsWith("[script] passed")).findFirst().orElseThrow();
        assertTrue(both.stderr().contains(verdictA), "same virtual time: " + verdictA + "\n" + both.stderr());
        String junit = Files.readString(dir.resolve("j.xml"));
        assertTrue(junit.contains("name=\"a\"") && junit.contains("name=\"b\"") && junit.contains("tests=\"2\""), junit);

        CliTest.Result shard = CliTest.vitrine("script", "--append", "", "--shard", "2/2", a.toString(), b.toString());
        assertEquals(0, shard.exit(), shard.stderr());
        assertEquals(two.stdout(), shard.stdout(), "shard 2 of 2 is the second scenario");
        assertFalse(shard.stderr().contains("a.vts"), shard.stderr());
        assertTrue(Arrays.equals(bPng, Files.readAllBytes(dir.resolve("b.png"))));

        // one writable disk, used in place, cannot serve two machines at once: refused before either starts
        Path disk = Files.write(dir.resolve("one.img"), new byte[512]);
        CliTest.Result shared = CliTest.vitrine("script", "--append", "", "--disk", disk.toString(), "--jobs", "2", a.toString(), b.toString());
        assertEquals(2, shared.exit(), shared.stderr());
        assertTrue(shared.stderr().contains("--disk is used in place: with --jobs 2 several machines would write it at once"), shared.stderr());
        assertEquals("", shared.stdout(), "no machine started");
    }
}
