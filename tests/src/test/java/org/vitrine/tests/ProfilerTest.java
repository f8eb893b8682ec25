package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * {@code --profile DIR} (emulator/profile) from the command line, on rost's real programs: a
 * profiled run is the same run (console, cycles, instructions) as an unprofiled one, and the
 * profile says what rost did: the processes by program name with their cycles, the system calls
 * counted exactly, IPC latencies, and a flame graph that is valid SVG.
 */
class ProfilerTest {
    static final Pattern SUMMARY = Pattern.compile("\\[vitrine\\] guest powered off .*; (\\d+) cycles .*, (\\d+) instructions");

    @TempDir
    Path dir;

    private record Ran(String stdout, String cycles, String instructions) { }

    private Ran run(String... extra) throws Exception {
        String[] args = new String[] {"run", "--headless", "--disk", Guest.disk(dir).toString(), "--append", "rost.init=/BIN/PINGPONG -- 1000"};
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.Arrays.stream(extra)).toArray(String[]::new);
        try (VitrineProcess v = VitrineProcess.start(Map.of(), all)) {
            assertEquals(0, v.awaitExit(Duration.ofMinutes(3)), v.err.text());
            Matcher m = SUMMARY.matcher(v.err.text());
            assertTrue(m.find(), v.err.text());
            return new Ran(v.out.text(), m.group(1), m.group(2));
        }
    }

    @Test
    void profiledIpcRunIsTheSameRunAndCountsEveryMessage() throws Exception {
        Path profile = dir.resolve("profile");
        // the fixed model's profile (the a53 model's, the default, with its cache figures: the test below)
        Ran plain = run("--timing", "fixed"), profiled = run("--timing", "fixed", "--profile", profile.toString(), "--profile-interval", "5us");
        assertEquals(plain, profiled, "the profiler must not change the run");

        String text = Files.readString(profile.resolve("profile.txt"));
        // pingpong (pid 2) and its pong side (pid 3), named from their ELF; the file server is pid 1
        assertTrue(Pattern.compile("(?m)^\\s+2\\s+pingpong\\s").matcher(text).find(), text);
        assertTrue(Pattern.compile("(?m)^\\s+3\\s+pingpong\\s").matcher(text).find(), text);
        assertTrue(Pattern.compile("(?m)^\\s+1\\s+fsd\\s").matcher(text).find(), text);
        // 1000 pings and 1000 answers, plus the set-up, the stop and the file server's replies
        long sends = count(text, "\\[syscall send_message\\]");
        assertTrue(sends >= 2002 && sends < 2100, text);
        assertTrue(count(text, "\\[syscall recv_message\\]") >= 2000, text);
        Matcher ipc = Pattern.compile("IPC latency.*?: ([\\d,]+) messages, min ([\\d,]+)").matcher(text);
        assertTrue(ipc.find(), text);
        assertTrue(number(ipc.group(1)) >= 2000 && number(ipc.group(2)) > 0, text);

        assertFalse(text.contains("Caches and TLBs"), "the fixed model has no caches to count:\n" + text);

        String folded = Files.readString(profile.resolve("stacks.folded"));
        assertTrue(folded.lines().anyMatch(l -> l.startsWith("pingpong (pid 2);") && l.contains("[syscall send_message]")
                && l.contains("rost_kernel::")), folded.lines().limit(20).toList().toString());
        svg(profile.resolve("flamegraph.svg"), "pingpong (pid 3)");
    }

    @Test
    void withTheA53ModelEachProcessHasItsCacheAndTlbMissRates() throws Exception {
        Path profile = dir.resolve("profile");
        Ran plain = run("--timing", "a53"), profiled = run("--timing", "a53", "--profile", profile.toString());
        assertEquals(plain, profiled, "the profiler must not change the a53 run either");

        String text = Files.readString(profile.resolve("profile.txt"));
        assertTrue(text.contains("Caches and TLBs (a53 model"), text);
        long[] ping = caches(text, 2, "pingpong"), pong = caches(text, 3, "pingpong"), all = caches(text, -1, "all");
        // {L1I accesses, L1D reads, L2 accesses, TLB lookups}: both sides run the same code for the
        // same 1000 round trips, so what each was charged is alike, and together under the run's total
        for (int i = 0; i < 4; i++) {
            assertTrue(ping[i] > 0 && pong[i] > 0, "level " + i + ":\n" + text);
            assertTrue(Math.abs(ping[i] - pong[i]) < 0.25 * Math.max(ping[i], pong[i]), "level " + i + " alike:\n" + text);
            assertTrue(ping[i] + pong[i] < all[i], "level " + i + ":\n" + text);
        }
        // a 1000-message ping-pong loops over a few pages of code and data: L1 mostly hits
        assertTrue(ping[0] >= 1000 * 50 && ping[1] >= 1000 * 20, text);
        Matcher rates = Pattern.compile("(?m)^\\s+2\\s+pingpong\\s+[\\d,]+\\s+([\\d.]+)%\\s+[\\d,]+\\s+([\\d.]+)%").matcher(text);
        assertTrue(rates.find(), text);
        assertTrue(Double.parseDouble(rates.group(1)) < 10 && Double.parseDouble(rates.group(2)) < 10, text);
    }

    /** A cache-section row's accesses: L1 I, L1 D, L2 and TLB lookups ({@code pid} -1: a row without one). */
    private static long[] caches(String text, long pid, String name) {
        String section = text.substring(text.indexOf("Caches and TLBs"));
        String lead = pid < 0 ? "" : pid + "\\s+";
        Matcher m = Pattern.compile("(?m)^\\s+" + lead + name + "\\s+([\\d,]+)\\s+\\S+\\s+([\\d,]+)\\s+\\S+\\s+([\\d,]+)\\s+\\S+\\s+([\\d,]+)\\s")
                .matcher(section);
        assertTrue(m.find(), name + " in:\n" + section);
        return new long[] {number(m.group(1)), number(m.group(2)), number(m.group(3)), number(m.group(4))};
    }

    @Test
    void desktopSessionProfileShowsTheWindowManagerEveryAppAndTheKernel() throws Exception {
        Path profile = dir.resolve("profile"), profiledArtifacts = dir.resolve("a2");
        ScenarioPlays.Play plain = ScenarioPlays.first("desktop-profile.vts"); // the suite's play, shared with ScenarioRepeatTest
        assertEquals(0, plain.result().exit(), plain.all());
        String script = Guest.root().resolve("tests/scenarios/desktop-profile.vts").toString();
        try (VitrineProcess v = VitrineProcess.start(Map.of(), "script", "--disk", Guest.disk(dir).toString(),
                "--artifacts", profiledArtifacts.toString(), "--profile", profile.toString(), script)) {
            assertEquals(0, v.awaitExit(Duration.ofMinutes(5)), v.err.text());
        }
        assertEquals(Files.readString(plain.artifact("console.log")),
                Files.readString(profiledArtifacts.resolve("desktop-profile/console.log")), "the profiler must not change the session");
        assertEquals(Files.mismatch(plain.artifact("desktop-profile.png"),
                profiledArtifacts.resolve("desktop-profile/desktop-profile.png")), -1L, "same final screen");

        String text = Files.readString(profile.resolve("profile.txt"));
        long wm = cycles(text, "wm");
        for (String app : new String[] {"terminal", "browser", "files", "snake", "editor", "fsd"}) {
            long c = cycles(text, app);
            assertTrue(c > 0 && c < wm, app + " has a share, below the window manager's:\n" + text);
        }
        assertTrue(Pattern.compile("(?m)^\\s+idle\\s").matcher(text).find(), text);
        assertTrue(text.contains("[syscall fb_flush]") && text.contains("[irq]"), text);
        svg(profile.resolve("flamegraph.svg"), "wm (pid 2)");
    }

    /** User plus kernel cycles of the process running {@code program}. */
    private static long cycles(String text, String program) {
        Matcher m = Pattern.compile("(?m)^\\s+\\d+\\s+" + program + "\\s+([\\d,]+)\\s+([\\d,]+)\\s").matcher(text);
        assertTrue(m.find(), program + " in:\n" + text);
        return number(m.group(1)) + number(m.group(2));
    }

    private static long count(String text, String cause) {
        Matcher m = Pattern.compile("(?m)^\\s+" + cause + "\\s+([\\d,]+)\\s").matcher(text);
        assertTrue(m.find(), cause + " in:\n" + text);
        return number(m.group(1));
    }

    private static long number(String s) {
        return Long.parseLong(s.replace(",", ""));
    }

    /** The flame graph parses as XML, and one of its boxes is {@code frame}. */
    private static void svg(Path file, String frame) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        assertEquals("svg", doc.getDocumentElement().getTagName());
        NodeList titles = doc.getElementsByTagName("title");
        boolean found = false;
        for (int i = 0; i < titles.getLength(); i++) found |= titles.item(i).getTextContent().startsWith(frame + " (");
        assertTrue(found, frame + " among the boxes of " + file);
    }
}
