package org.vitrine.cli.window;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A private X server for window tests: {@code Xvfb -displayfd} picks a free display number itself
 * (no races with other test runs), and the X tools run against it with DISPLAY set. GLFW, running
 * in this JVM, reads DISPLAY with the C library's getenv, so {@link #exportDisplay} sets it there.
 */
final class Xvfb implements AutoCloseable {
    private final Process process;
    private final String display;

    private Xvfb(Process process, String display) {
        this.process = process;
        this.display = display;
    }

    /** Whether Xvfb and the X tools the tests use are installed. */
    static boolean toolsInstalled() {
        return onPath("Xvfb") && onPath("xdotool") && onPath("import") && onPath("xwininfo");
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Path.of(dir, tool).toFile().canExecute()) return true;
        }
        return false;
    }

    /** Starts Xvfb with one screen of the given size; null when it does not come up within 10 s. */
    static Xvfb start(int width, int height) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("Xvfb", "-displayfd", "1", "-screen", "0", width + "x" + height + "x24",
                "-nolisten", "tcp", "-noreset")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String n;
        try {
            n = line.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            n = null;
        }
        if (n == null || !n.trim().matches("\\d+")) {
            p.destroyForcibly().waitFor();
            return null;
        }
        return new Xvfb(p, ":" + n.trim());
    }

    String display() {
        return display;
    }

    /** Runs an X tool against this display; returns its output; fails on a non-zero exit or after 30 s. */
    String run(String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("xtool", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().put("DISPLAY", display);
            Process p = pb.start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IOException(String.join(" ", command) + ": timed out");
            }
            String s = Files.readString(out);
            if (p.exitValue() != 0) throw new IOException(String.join(" ", command) + ": exit " + p.exitValue() + ": " + s);
            return s;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** {@link #run} with a list. */
    String run(List<String> command) throws IOException, InterruptedException {
        return run(command.toArray(String[]::new));
    }

    static List<String> cmd(Object... parts) {
        List<String> l = new ArrayList<>();
        for (Object o : parts) l.add(String.valueOf(o));
        return l;
    }

    /** Sets (value non-null) or removes an environment variable of this process, as C code sees it. */
    static void exportDisplay(String value) {
        Linker linker = Linker.nativeLinker();
        try (Arena arena = Arena.ofConfined()) {
            if (value != null) {
                MethodHandle setenv = linker.downcallHandle(linker.defaultLookup().find("setenv").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
                int rc = (int) setenv.invokeExact(arena.allocateFrom("DISPLAY"), arena.allocateFrom(value), 1);
                if (rc != 0) throw new IllegalStateException("setenv failed");
            } else {
                MethodHandle unsetenv = linker.downcallHandle(linker.defaultLookup().find("unsetenv").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, ADDRESS));
                int rc = (int) unsetenv.invokeExact(arena.allocateFrom("DISPLAY"));
                if (rc != 0) throw new IllegalStateException("unsetenv failed");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
