package org.vitrine.cli.window;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
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
 *
 * <p>Public, and published in this module's test-jar, for the end-to-end tests (module
 * {@code tests}), which drive the real {@code vitrine run} window under it.
 */
public final class Xvfb implements AutoCloseable {
    private final Process process;
    private final String display;

    private Xvfb(Process process, String display) {
        this.process = process;
        this.display = display;
    }

    /** Whether Xvfb and the X tools the tests use are installed. */
    public static boolean toolsInstalled() {
        return onPath("Xvfb") && onPath("xdotool") && onPath("import") && onPath("xwininfo");
    }

    public static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Path.of(dir, tool).toFile().canExecute()) return true;
        }
        return false;
    }

    /** Starts Xvfb with one screen of the given size; null when it does not come up within 10 s. */
    public static Xvfb start(int width, int height) throws IOException, InterruptedException {
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

    public String display() {
        return display;
    }

    /** Runs an X tool against this display; returns its output; fails on a non-zero exit or after 30 s. */
    public String run(String... command) throws IOException, InterruptedException {
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
    public String run(List<String> command) throws IOException, InterruptedException {
        return run(command.toArray(String[]::new));
    }

    public static List<String> cmd(Object... parts) {
        List<String> l = new ArrayList<>();
        for (Object o : parts) l.add(String.valueOf(o));
        return l;
    }

    /** Sets (value non-null) or removes an environment variable of this process, as C code sees it. */
    public static void exportDisplay(String value) {
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

    /**
     * Asks a window to close as a window manager's close button does: a WM_PROTOCOLS client
     * message carrying WM_DELETE_WINDOW, sent to the window's owner (libX11 through FFM; there is
     * no window manager on this server, and xdotool 3.2016's {@code windowclose} destroys the window
     * instead, which a real user cannot do).
     */
    public void deleteWindow(long window) {
        final int clientMessage = 33;
        Linker linker = Linker.nativeLinker();
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup x11 = SymbolLookup.libraryLookup("libX11.so.6", arena);
            MethodHandle open = linker.downcallHandle(x11.find("XOpenDisplay").orElseThrow(),
                    FunctionDescriptor.of(ADDRESS, ADDRESS));
            MethodHandle intern = linker.downcallHandle(x11.find("XInternAtom").orElseThrow(),
                    FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT));
            MethodHandle send = linker.downcallHandle(x11.find("XSendEvent").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS));
            MethodHandle flush = linker.downcallHandle(x11.find("XFlush").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
            MethodHandle closeDisplay = linker.downcallHandle(x11.find("XCloseDisplay").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS));
            MemorySegment dpy = (MemorySegment) open.invokeExact(arena.allocateFrom(display));
            if (dpy.equals(MemorySegment.NULL)) throw new IllegalStateException("XOpenDisplay(" + display + ") failed");
            try {
                long protocols = (long) intern.invokeExact(dpy, arena.allocateFrom("WM_PROTOCOLS"), 0);
                long delete = (long) intern.invokeExact(dpy, arena.allocateFrom("WM_DELETE_WINDOW"), 0);
                // XClientMessageEvent (LP64): type@0, serial@8, send_event@16, display@24, window@32,
                // message_type@40, format@48, data.l[5]@56; an XEvent is 24 longs.
                MemorySegment ev = arena.allocate(24 * 8, 8);
                ev.set(JAVA_INT, 0, clientMessage);
                ev.set(JAVA_LONG, 32, window);
                ev.set(JAVA_LONG, 40, protocols);
                ev.set(JAVA_INT, 48, 32);
                ev.set(JAVA_LONG, 56, delete);
                ev.set(JAVA_LONG, 64, 0L); // CurrentTime
                int status = (int) send.invokeExact(dpy, window, 0, 0L, ev);
                if (status == 0) throw new IllegalStateException("XSendEvent failed");
                int ignored = (int) flush.invokeExact(dpy);
            } finally {
                int ignored = (int) closeDisplay.invokeExact(dpy);
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
