package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.cli.window.Xvfb;

/**
 * The guest log as a user meets it: {@code vitrine run}, {@code script} and their {@code --log}
 * options (the shaded jar in its own JVM) with guests/guest-errors.S, a bare-metal guest that makes
 * 500,000 guest errors (a reserved PL011 offset read 200,000 times, the read-only UARTFR written
 * 100,000 times with a counter, then a reserved PL011 read and an empty virtio-mmio write taking
 * turns 100,000 times) and 2 unimplemented-feature notes. By default standard error has the run
 * line and one summary line, and nothing else; {@code --log} prints the collapsed log; the guest
 * console on standard output is exactly the guest's in every case. Each run's wall time is printed
 * (no assertion on it). In a window (under a private Xvfb) the title bar counts them.
 */
class GuestLogCliTest {
    static final String CONSOLE = """
            guest-errors: a driver stuck in bad loops
            phase 1: reads of a reserved PL011 offset
            phase 2: writes of a counter to the read-only UARTFR
            phase 3: a reserved PL011 read and an empty virtio-mmio write, in turn
            phase 4: the unimplemented UARTITCR, twice
            guest-errors: done
            """;
    static final String COUNTS = "guest errors: 500000 (pl011: 400000, virtio-mmio@0x0a000000: 100000); unimplemented: 2 (pl011: 2)";
    /** The run's summary line: the instructions are the guest's; its cycles are the timing model's (the default, a53). */
    static final java.util.regex.Pattern RUN_LINE = java.util.regex.Pattern.compile(
            "\\[vitrine\\] guest powered off \\(PSCI SYSTEM_OFF\\), status 0; [0-9]+ cycles \\(0\\.00[0-9] s virtual\\), 1401125 instructions, .*");
    static final String VIRTIO_WRITE = "[guest-error] virtio-mmio@0x0a000000: write of 0x0 to read-only NoDevice0 ignored";
    static final String RESERVED_READ = "[guest-error] pl011: read of reserved offset 0x050";

    @TempDir
    static Path dir;
    static Path guest;

    @BeforeAll
    static void build() throws Exception {
        guest = GuestImage.fromResource("guest-errors", dir);
    }

    /** The collapsed log of the guest's guest errors, as --log guest-errors prints it. */
    static List<String> guestErrorLog(boolean withUnimplemented) {
        List<String> l = new ArrayList<>(List.of(
                RESERVED_READ,
                "[guest-error] pl011: ... repeated 199999 times",
                "[guest-error] pl011: write of 0x0 to read-only UARTFR ignored",
                "[guest-error] pl011: ... repeated 99999 times with other values, the last: write of 0x1869f to read-only UARTFR ignored"));
        // phase 3: runs of one report each, until the PL011 read has printed its 100 runs (the first was phase 1's)
        for (int i = 0; i < 99; i++) {
            l.add(RESERVED_READ);
            l.add(VIRTIO_WRITE);
        }
        l.add("[guest-error] pl011: ... printed 100 times; from now on only counted (totals at the end)");
        l.add(VIRTIO_WRITE);                       // the PL011 reads are counted now: the writes make one run
        l.add("[guest-error] virtio-mmio@0x0a000000: ... repeated 99900 times");
        if (withUnimplemented) {
            l.add("[unimplemented] pl011: read of UARTITCR (0x080) ignored: integration test register not modelled");
            l.add("[unimplemented] pl011: ... repeated 1 time");
        }
        l.add("[guest-error] pl011: ... 99901 more not printed, the last: read of reserved offset 0x050");
        return l;
    }

    static CliTest.Result timed(String what, String... args) throws Exception {
        long t0 = System.nanoTime();
        CliTest.Result r = CliTest.vitrine(args);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String host = r.stderr().lines().filter(l -> l.startsWith("[vitrine] guest powered off")).findFirst()
                .map(l -> l.replaceAll(".*instructions, ", "")).orElse("?");
        System.out.printf("[guest-log] %-28s wall %5d ms (machine run %s), stderr %d lines / %d bytes%n", what, ms, host,
                r.stderr().lines().count(), r.stderr().length());
        return r;
    }

    @Test
    void byDefaultOnlyASummaryLineAndTheConsoleIsExact() throws Exception {
        CliTest.Result r = timed("default (log off)", "run", "--headless", "--kernel", guest.toString());
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(CONSOLE, r.stdout());
        List<String> err = r.stderr().lines().toList();
        assertEquals(2, err.size(), r.stderr());
        assertTrue(RUN_LINE.matcher(err.get(0)).matches(), err.get(0));
        assertEquals("[vitrine] " + COUNTS + "; --log guest-errors,unimp prints them", err.get(1));
    }

    @Test
    void logGuestErrorsPrintsTheCollapsedLogOnStandardError() throws Exception {
        CliTest.Result r = timed("--log guest-errors", "run", "--headless", "--kernel", guest.toString(), "--log", "guest-errors");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(CONSOLE, r.stdout(), "the console is not mixed with the log");
        List<String> err = r.stderr().lines().toList();
        List<String> expected = guestErrorLog(false);
        assertEquals(expected, err.subList(0, expected.size()));
        assertEquals(expected.size() + 2, err.size(), r.stderr());
        assertTrue(RUN_LINE.matcher(err.get(expected.size())).matches(), err.get(expected.size()));
        assertEquals("[vitrine] " + COUNTS + "; --log unimp prints them", err.getLast());
    }

    @Test
    void qemuNamesWorkToo() throws Exception {
        CliTest.Result r = timed("--log guest_errors,unimp", "run", "--headless", "--kernel", guest.toString(), "--log", "guest_errors,unimp");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(CONSOLE, r.stdout());
        List<String> err = r.stderr().lines().toList();
        assertEquals(guestErrorLog(true), err.subList(0, err.size() - 2));
        assertEquals("[vitrine] " + COUNTS, err.getLast(), "every kind was printed: nothing to point at");
    }

    @Test
    void logFileTakesTheLogAndStandardErrorKeepsTheSummary() throws Exception {
        Path file = dir.resolve("guest.log");
        CliTest.Result r = timed("--log-file FILE", "run", "--headless", "--kernel", guest.toString(), "--log-file", file.toString());
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(CONSOLE, r.stdout());
        assertEquals(guestErrorLog(true), Files.readAllLines(file), "a file alone logs every kind");
        System.out.printf("[guest-log] the log file: %d lines, %d bytes for 500002 reports%n", Files.readAllLines(file).size(), Files.size(file));
        List<String> err = r.stderr().lines().toList();
        assertEquals(2, err.size(), r.stderr());
        assertTrue(RUN_LINE.matcher(err.get(0)).matches(), err.get(0));
        assertEquals("[vitrine] " + COUNTS + "; logged in " + file, err.get(1));
    }

    @Test
    void quietSaysNothing() throws Exception {
        CliTest.Result r = CliTest.vitrine("run", "--headless", "--quiet", "--kernel", guest.toString());
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(CONSOLE, r.stdout());
        assertEquals("", r.stderr());
    }

    @Test
    void anUnknownLogNameIsAUsageError() throws Exception {
        CliTest.Result r = CliTest.vitrine("run", "--headless", "--kernel", guest.toString(), "--log", "guest-errors,in_asm");
        assertEquals(2, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("unknown log 'in_asm'; valid: guest-errors (QEMU's guest_errors), unimp (or unimplemented)"),
                r.stderr());
        assertEquals("", r.stdout(), "the machine never started");
    }

    @Test
    void aLogFileThatCannotBeWrittenStopsBeforeTheMachineStarts() throws Exception {
        Path file = dir.resolve("missing-dir/guest.log");
        CliTest.Result r = CliTest.vitrine("run", "--headless", "--kernel", guest.toString(), "--log-file", file.toString());
        assertEquals(2, r.exit(), r.stderr());
        assertEquals("vitrine: cannot write the log file " + file + ": no such directory\n", r.stderr());
        assertEquals("", r.stdout(), "the machine never started");
    }

    /** script: the same summary before the verdict, and --log as for run. */
    @Test
    void scriptSummarizesAndLogsAsRunDoes() throws Exception {
        Path stay = GuestImage.fromResource("guest-errors", dir, List.of("STAY=1"));
        // up to the line's end: a scenario ends at the instant its last step is satisfied
        Path script = Files.writeString(dir.resolve("errors.vts"), "wait-for console \"guest-errors: done\\s\" within 1s\n");
        CliTest.Result r = timed("script (log off)", "script", "--kernel", stay.toString(), script.toString());
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(CONSOLE, r.stdout());
        List<String> err = r.stderr().lines().toList();
        assertEquals(3, err.size(), r.stderr());
        assertEquals("[script] " + script + ":1:1 wait-for console /guest-errors: done\\s/ within 1000ms", err.get(0));
        assertEquals("[vitrine] " + COUNTS + "; --log guest-errors,unimp prints them", err.get(1));
        assertTrue(err.get(2).matches("\\[script\\] passed: .*errors\\.vts \\(1 section, [0-9.]+ s virtual\\)"), err.get(2));

        r = timed("script --log guest-errors", "script", "--kernel", stay.toString(), "--log", "guest-errors", script.toString());
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(CONSOLE, r.stdout());
        err = r.stderr().lines().toList();
        assertEquals(guestErrorLog(false), err.subList(1, err.size() - 2));
        assertEquals("[vitrine] " + COUNTS + "; --log unimp prints them", err.get(err.size() - 2));
    }

    /**
     * In a window the title counts what the guest did wrong. Under twm, when it is installed, so
     * that the screenshot kept in target/guest-log/ shows the title bar (without a window manager
     * nothing draws one; the title is read from the window's name either way).
     */
    @Test
    @Tag("window")
    void theWindowTitleCountsGuestErrors() throws Exception {
        Assumptions.assumeTrue(Xvfb.toolsInstalled(), "Xvfb, xdotool, xwininfo or ImageMagick not installed");
        Path stay = GuestImage.fromResource("guest-errors", dir, List.of("STAY=1"));
        Path shots = Files.createDirectories(Path.of("target", "guest-log"));
        try (Xvfb x = Xvfb.start(1024, 768)) {
            Assumptions.assumeTrue(x != null, "Xvfb did not start");
            Process wm = null;
            if (Xvfb.onPath("twm")) {
                // windows placed without asking; the server's built-in font (Xvfb may have no other)
                Path rc = Files.writeString(dir.resolve("twmrc"), String.join("\n", "RandomPlacement", "UsePPosition \"on\"",
                        "TitleFont \"fixed\"", "ResizeFont \"fixed\"", "MenuFont \"fixed\"", "IconFont \"fixed\"",
                        "IconManagerFont \"fixed\"", ""));
                ProcessBuilder pb = new ProcessBuilder("twm", "-f", rc.toString()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
                pb.environment().put("DISPLAY", x.display());
                wm = pb.start();
                Thread.sleep(500);
                if (!wm.isAlive()) wm = null;
            }
            try (VitrineProcess v = VitrineProcess.start(Map.of("DISPLAY", x.display()), "run", "--kernel", stay.toString(),
                    "--display", "640x400")) {
                v.out.await(l -> l.equals("guest-errors: done"), 0, Duration.ofSeconds(60));
                String title = "Vitrine - 500000 guest errors, 2 unimplemented";
                String id = x.run("xdotool", "search", "--sync", "--name", "^" + title + "$").trim().split("\\s+")[0];
                assertEquals(title, x.run("xdotool", "getwindowname", id).trim());
                Path shot = shots.resolve("window-title.png");
                x.run("import", "-window", "root", shot.toString());
                System.out.println("[guest-log] window titled \"" + title + "\"" + (wm != null ? " (twm draws it)" : "")
                        + "; screenshot " + shot.toAbsolutePath());
                assertEquals("", v.err.text(), "nothing on standard error while the window runs");
                x.deleteWindow(Long.parseLong(id));
                assertEquals(0, v.awaitExit(Duration.ofSeconds(20)), v.err.text());
                List<String> err = v.err.lines();
                assertEquals(2, err.size(), v.err.text());
                assertTrue(err.get(0).startsWith("[vitrine] window closed: guest powered off"), err.get(0));
                assertEquals("[vitrine] " + COUNTS + "; --log guest-errors,unimp prints them", err.get(1));
            } finally {
                if (wm != null) {
                    wm.destroy();
                    wm.waitFor();
                }
            }
        }
    }
}
