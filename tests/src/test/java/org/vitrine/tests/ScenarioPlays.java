package org.vitrine.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.stream.Stream;

/**
 * The scenario suite (tests/scenarios/*.vts) played as CI plays it: each scenario by
 * {@code vitrine script} straight from tests/scenarios, on its own fresh copy of the built disk
 * (prepared first when the scenario needs it, {@link #PREPARE}), its screenshots, console.log and
 * result.json in its own {@code --artifacts} directory.
 *
 * <p>The first play of each scenario is kept for the whole test run ({@link #first}): the test
 * that checks what the scenario did (DesktopKillTest, DesktopAppsTest, ...) and
 * ScenarioRepeatTest, which plays every scenario once more ({@link #again}) and compares the
 * artifacts, share it whichever runs first. So issue 9's "each scenario passes twice in a row with
 * identical artifacts" costs one more play a scenario, not two.
 */
final class ScenarioPlays {
    /**
     * What a scenario's disk needs before it plays, beyond being a fresh copy of the built one.
     * desktop-windows.vts clicks the menu's Editor entry of an app not on the disk.
     */
    static final Map<String, List<String>> PREPARE = Map.of(
            "desktop-windows.vts", List.of("mdel", "-i", "DISK", "::/BIN/EDITOR"));

    /** One play: what vitrine printed, its artifacts (ARTIFACTS/NAME/...), the disk as the play left it. */
    record Play(String scenario, CliTest.Result result, Path artifacts, Path disk) {
        /** The scenario's own artifact directory: screenshots, console.log, result.json. */
        Path own() {
            return artifacts.resolve(scenario.substring(0, scenario.length() - ".vts".length()));
        }

        /** A file the scenario wrote (a screenshot step's PNG). */
        Path artifact(String name) {
            return own().resolve(name);
        }

        /** Standard output and error together, for assertions and their messages. */
        String all() {
            return result.stdout() + result.stderr();
        }
    }

    private static final Map<String, Future<Play>> FIRST = new ConcurrentHashMap<>();
    private static Path root;

    private ScenarioPlays() { }

    /** Every scenario of the suite, by file name, sorted. */
    static List<String> all() throws IOException {
        try (Stream<Path> s = Files.list(Guest.root().resolve("tests/scenarios"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".vts")).sorted().toList();
        }
    }

    /** The scenario's first play in this test run: played now, or the one another test already made. */
    static Play first(String scenario) throws Exception {
        FutureTask<Play> mine = new FutureTask<>(() -> play(scenario));
        Future<Play> play = FIRST.putIfAbsent(scenario, mine);
        if (play == null) {
            mine.run();
            play = mine;
        }
        try {
            return play.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    /** A new play of the scenario, on a new disk. */
    static Play again(String scenario) throws Exception {
        return play(scenario);
    }

    private static Play play(String scenario) throws Exception {
        Path dir = Files.createTempDirectory(root(), scenario.replace(".vts", "-"));
        Path disk = Guest.disk(dir), artifacts = dir.resolve("artifacts");
        List<String> prepare = PREPARE.get(scenario);
        if (prepare != null) {
            RostSystestTest.host(prepare.stream().map(w -> w.equals("DISK") ? disk.toString() : w).toArray(String[]::new));
        }
        long t0 = System.nanoTime();
        CliTest.Result r = CliTest.vitrine("script", "--disk", disk.toString(), "--artifacts", artifacts.toString(),
                Guest.root().resolve("tests/scenarios/" + scenario).toString());
        System.out.printf(java.util.Locale.ROOT, "[scenario] %s played in %.1f s wall (exit %d)%n", scenario, (System.nanoTime() - t0) / 1e9, r.exit());
        return new Play(scenario, r, artifacts, disk);
    }

    /** The directory every play goes under, removed when the test JVM ends. */
    private static synchronized Path root() throws IOException {
        if (root == null) {
            root = Files.createTempDirectory("vitrine-scenario-plays-");
            Path made = root;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(made)));
        }
        return root;
    }

    static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind: nothing to report at exit
        }
    }
}
