package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9's "each scenario passes twice in a row with identical artifacts": two scenarios of
 * tests/scenarios played twice, each pass with {@code --jobs 2} into its own {@code --artifacts}
 * directory; the two directories must hold the same files, byte for byte (every screenshot PNG,
 * each console.log), and the same result.json and results.json once their wall-clock fields
 * (and the directory's own name) are set aside.
 *
 * <p>Which: desktop-kill.vts (the menu, two Terminals, hostile programs, kill) and
 * desktop-typing.vts (Terminal and Editor, long typed texts, a file written), the two of the suite
 * that run on the default fresh copy of the built disk; the others need a disk prepared for them
 * (DesktopTerminalTest deletes /BIN/EDITOR first) or read back what they wrote, and their own tests
 * play them. Playing the whole suite twice would take some ten minutes on a loaded 2-core CI worker.
 */
class ScenarioRepeatTest {
    static final List<String> SCENARIOS = List.of("desktop-kill.vts", "desktop-typing.vts");

    @TempDir
    Path dir;

    @Test
    void twoPassesGiveIdenticalArtifacts() throws Exception {
        Path[] passes = {dir.resolve("pass1"), dir.resolve("pass2")};
        for (Path out : passes) {
            String[] args = Stream.concat(Stream.of("script", "--jobs", "2", "--artifacts", out.toString()),
                    SCENARIOS.stream().map(s -> Guest.root().resolve("tests/scenarios/" + s).toString())).toArray(String[]::new);
            CliTest.Result r = CliTest.vitrine(args);
            assertEquals(0, r.exit(), r.stderr());
        }
        List<Path> files = files(passes[0]);
        assertEquals(files, files(passes[1]), "the same artifacts");
        int pngs = 0;
        for (Path f : files) {
            byte[] a = Files.readAllBytes(passes[0].resolve(f)), b = Files.readAllBytes(passes[1].resolve(f));
            if (f.getFileName().toString().endsWith(".json")) {
                assertEquals(comparable(a, passes[0]), comparable(b, passes[1]), f.toString());
            } else {
                assertArrayEquals(a, b, f + " differs between the passes");
            }
            if (f.toString().endsWith(".png")) pngs++;
        }
        assertTrue(pngs >= 5 && files.contains(Path.of("desktop-kill/console.log")), "screenshots and consoles compared: " + files);
        System.out.println("[repeat] " + files.size() + " artifacts identical in two passes (" + pngs + " PNGs): " + files);
    }

    private static List<Path> files(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }

    /** A result JSON without its wall-clock fields, its own directory named the same in both passes. */
    static String comparable(byte[] json, Path root) {
        return new String(json, StandardCharsets.UTF_8).replace(root.toString(), "ARTIFACTS")
                .replaceAll("\"wallSeconds\"\\s*:\\s*[0-9.eE+-]+", "\"wallSeconds\": _");
    }
}
