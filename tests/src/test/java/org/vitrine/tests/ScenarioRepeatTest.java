package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 9's "each scenario passes twice in a row with identical artifacts", for every scenario
 * of tests/scenarios: its first play ({@link ScenarioPlays#first}, shared with the test that
 * checks what the scenario did, so usually already made) and one more on a new copy of the disk
 * must both pass and leave the same artifacts, byte for byte: every screenshot PNG, console.log,
 * result.json and results.json once their wall-clock fields and their own directory's name are
 * set aside, and the disk image the scenario wrote.
 *
 * <p>The second plays go two at a time (one vitrine process each), as a 2-core CI worker allows;
 * each scenario is its own test, so one that does not replay does not hide the others.
 */
class ScenarioRepeatTest {
    @TestFactory
    List<DynamicTest> everyScenarioPlaysTwiceWithIdenticalArtifacts() throws Exception {
        List<String> scenarios = ScenarioPlays.all();
        assertTrue(scenarios.size() >= 10, "the suite: " + scenarios);
        List<DynamicTest> tests = new ArrayList<>();
        try (ExecutorService two = Executors.newFixedThreadPool(2)) {
            List<Future<ScenarioPlays.Play[]>> plays = new ArrayList<>();
            for (String s : scenarios) {
                plays.add(two.submit(() -> new ScenarioPlays.Play[] {ScenarioPlays.first(s), ScenarioPlays.again(s)}));
            }
            for (int i = 0; i < scenarios.size(); i++) {
                Future<ScenarioPlays.Play[]> play = plays.get(i);
                tests.add(DynamicTest.dynamicTest(scenarios.get(i), () -> {
                    ScenarioPlays.Play[] p = play.get();
                    try {
                        identical(p[0], p[1]);
                    } finally {
                        ScenarioPlays.delete(p[1].artifacts().getParent());
                    }
                }));
            }
        }
        return tests;
    }

    private static void identical(ScenarioPlays.Play first, ScenarioPlays.Play second) throws Exception {
        assertEquals(0, first.result().exit(), "first play:\n" + first.all());
        assertEquals(0, second.result().exit(), "second play:\n" + second.all());
        List<Path> files = files(first.artifacts());
        assertEquals(files, files(second.artifacts()), "the same artifacts");
        for (Path f : files) {
            byte[] a = Files.readAllBytes(first.artifacts().resolve(f)), b = Files.readAllBytes(second.artifacts().resolve(f));
            if (f.getFileName().toString().endsWith(".json")) {
                assertEquals(comparable(a, first), comparable(b, second), f.toString());
            } else {
                assertArrayEquals(a, b, f + " differs between the plays");
            }
        }
        assertTrue(files.contains(first.own().getFileName().resolve("console.log")), "the console compared: " + files);
        assertEquals(-1L, Files.mismatch(first.disk(), second.disk()), "the disk the scenario wrote");
        long pngs = files.stream().filter(f -> f.toString().endsWith(".png")).count();
        System.out.println("[repeat] " + first.scenario() + ": " + files.size() + " artifacts (" + pngs + " PNGs) and the disk identical in two plays");
    }

    private static List<Path> files(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }

    /** A result JSON without its wall-clock fields, the play's own directories named the same in both plays. */
    static String comparable(byte[] json, ScenarioPlays.Play play) {
        return new String(json, StandardCharsets.UTF_8).replace(play.artifacts().toString(), "ARTIFACTS")
                .replace(play.disk().toString(), "DISK")
                .replaceAll("\"wallSeconds\"\\s*:\\s*[0-9.eE+-]+", "\"wallSeconds\": _");
    }
}
