package org.vitrine.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.vitrine.emulator.time.TimingModel;

/**
 * The cold half of {@code vitrine snapshot-bench}: save and restore as a user meets them, in a JVM
 * of their own ({@code vitrine run --save-snapshot} after booting the desktop, {@code vitrine run
 * --restore}), where the snapshot code runs for the first time: classes load and the JIT has not
 * compiled it yet. Each child prints its own figures (wall and CPU time per phase, classes loaded,
 * JIT time, JVM uptime); this prints them with the child's wall time from start to exit. The
 * children map the class-data-sharing archive the {@code vitrine} launcher keeps next to the jar
 * when there is a current one, as a launched run does.
 */
final class SnapshotColdBench {
    private final Path jar;
    private final PrintStream out;

    private SnapshotColdBench(Path jar, PrintStream out) {
        this.jar = jar;
        this.out = out;
    }

    /** The bench for the jar this class runs from, or null when it does not run from a jar (tests, an IDE). */
    static SnapshotColdBench ofThisJar(PrintStream out) {
        try {
            Path p = Path.of(SnapshotColdBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) && p.toString().endsWith(".jar") ? new SnapshotColdBench(p, out) : null;
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * Boots the desktop on {@code disk} to {@code atNanos} with the {@code timing} model and saves it,
     * then restores it {@code restores} times, each in a fresh JVM.
     */
    void run(Path disk, Path kernel, long atNanos, Path file, int restores, TimingModel.Pipeline timing) throws IOException, InterruptedException {
        child("cold save (boot, then save in the same JVM)", "[vitrine] snapshot at", "run", "--headless", "--display", "1024x768",
                "--append", "rost.desktop", "--disk", disk.toString(), "--kernel", kernel.toString(), "--until", atNanos + "ns",
                "--timing", timing.cliName(), "--save-snapshot", file.toString());
        for (int i = 0; i < restores; i++) {
            child("cold restore " + (i + 1), "[vitrine] restored", "run", "--headless", "--restore", file.toString(), "--disk", disk.toString(),
                    "--until", (atNanos + 1_000_000) + "ns");
        }
    }

    private void child(String what, String figures, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dvitrine.root=" + System.getProperty("vitrine.root", "."), "-jar", jar.toString()));
        Path archive = jar.resolveSibling("vitrine.jsa");
        boolean shared = Files.isRegularFile(archive) && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0;
        if (shared) cmd.addAll(1, List.of("-Xlog:cds=off,cds+dynamic=off,cds+class=off", "-XX:SharedArchiveFile=" + archive));
        cmd.addAll(List.of(args));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) p.destroyForcibly();
        long wall = System.nanoTime() - t0;
        String line = err.lines().filter(l -> l.startsWith(figures)).findFirst().orElse("(no figures: exit " + p.exitValue() + ")\n" + err);
        out.printf("%s, the child JVM %.0f ms from start to exit%s:%n  %s%n", what, wall / 1e6,
                shared ? " (class data sharing on)" : " (no class-data-sharing archive: run vitrine once through its launcher)", line);
    }
}
