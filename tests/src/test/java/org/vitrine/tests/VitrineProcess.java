package org.vitrine.tests;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code vitrine} command as a user starts it (the shaded jar in its own JVM), left running:
 * its standard output and error are followed line by line while the test interacts with it.
 */
final class VitrineProcess implements AutoCloseable {
    final Process process;
    final ConsoleLines out;
    final ConsoleLines err;

    private VitrineProcess(Process process) {
        this.process = process;
        this.out = ConsoleLines.follow(process.getInputStream(), "vitrine-out");
        this.err = ConsoleLines.follow(process.getErrorStream(), "vitrine-err");
    }

    /** The command line that runs the shaded jar with this JDK and the repository's kernel as default. */
    static List<String> command(String... args) {
        Path jar = Guest.root().resolve("cli/target/vitrine.jar");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dvitrine.root=" + Guest.root(), "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts {@code vitrine ARGS} with extra environment variables (e.g. DISPLAY). */
    static VitrineProcess start(Map<String, String> env, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(args));
        pb.environment().putAll(env);
        return new VitrineProcess(pb.start());
    }

    long pid() {
        return process.pid();
    }

    /** Waits for the process to exit and its output to be read; returns the exit status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("vitrine still running after " + timeout + "\nstdout:\n" + out.text() + "stderr:\n" + err.text());
        }
        out.awaitEnd(Duration.ofSeconds(10));
        err.awaitEnd(Duration.ofSeconds(10));
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
