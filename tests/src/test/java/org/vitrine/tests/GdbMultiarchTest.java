package org.vitrine.tests;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vitrine.emulator.elf.ElfFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real gdb-multiarch debugging rost on Vitrine: it connects, reads the target description,
 * stops at a breakpoint on {@code kmain}, steps one instruction, disassembles and kills.
 */
class GdbMultiarchTest {
    @Test
    void gdbBreaksAtKmainAndSteps() throws Exception {
        Path kernel = Guest.kernel();
        long kmain = ElfFile.read(kernel).symbols().byName("kmain").orElseThrow().value();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (VitrineProcess p = VitrineProcess.start(Map.of(), "run", "--headless", "--gdb", Integer.toString(port),
                "--kernel", kernel.toString())) {
            p.err.await(l -> l.contains("waiting for gdb on 127.0.0.1:" + port), 0, Duration.ofSeconds(30));
            // "break *kmain": at the symbol itself ("break kmain" would skip the prologue)
            Process gdb = new ProcessBuilder(List.of("gdb-multiarch", "-batch", "-nx",
                    "-ex", "set architecture aarch64",
                    "-ex", "target remote 127.0.0.1:" + port,
                    "-ex", "break *kmain",
                    "-ex", "continue",
                    "-ex", "info registers pc",
                    "-ex", "stepi",
                    "-ex", "x/4i $pc",
                    "-ex", "kill",
                    kernel.toString())).redirectErrorStream(true).start();
            String out = new String(gdb.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(gdb.waitFor(30, TimeUnit.SECONDS), out);
            assertEquals(0, gdb.exitValue(), out);

            Matcher pc = Pattern.compile("(?m)^pc\\s+0x([0-9a-f]+)").matcher(out);
            assertTrue(pc.find(), out);
            assertEquals(kmain, Long.parseUnsignedLong(pc.group(1), 16), "stopped at kmain:\n" + out);
            assertTrue(out.contains("Breakpoint 1, 0x" + String.format("%016x", kmain) + " in kmain ()"), out);
            Matcher next = Pattern.compile("(?m)^=> 0x([0-9a-f]+) <kmain\\+(\\d+)>:").matcher(out);
            assertTrue(next.find(), "x/4i after stepi shows the new pc:\n" + out);
            assertEquals(kmain + 4, Long.parseUnsignedLong(next.group(1), 16), "stepi advanced one instruction:\n" + out);
            assertTrue(out.contains("[Inferior 1 (Remote target) killed]"), out);
            assertEquals(0, p.awaitExit(Duration.ofSeconds(20)), p.err.text());
        }
    }

    /**
     * Stopping, stepping (also inside the trap handler, where timer interrupts arrive) and then
     * detaching leaves the guest's virtual time untouched: the run ends on the same cycle and
     * instruction counts as one without a debugger. Under either timing model: the a53 model costs
     * whole blocks, so a step or breakpoint that cuts one must charge its rest what it gave back.
     */
    @ParameterizedTest
    @ValueSource(strings = {"fixed", "a53"})
    void debuggingDoesNotChangeVirtualTime(String timing) throws Exception {
        Path kernel = Guest.kernel();
        String plain = summary(CliTest.vitrine("run", "--headless", "--timing", timing, "--kernel", kernel.toString()).stderr());
        try (VitrineProcess p = VitrineProcess.start(Map.of(), "run", "--headless", "--gdb", "0", "--timing", timing,
                "--kernel", kernel.toString())) {
            int port = GdbStubTest.port(p);
            Process gdb = new ProcessBuilder(List.of("gdb-multiarch", "-batch", "-nx",
                    "-ex", "target remote 127.0.0.1:" + port,
                    "-ex", "break *kmain", "-ex", "continue", "-ex", "stepi 100", "-ex", "delete",
                    "-ex", "break rost_trap", "-ex", "continue", "-ex", "continue", "-ex", "stepi 3", "-ex", "delete",
                    "-ex", "detach", kernel.toString())).redirectErrorStream(true).start();
            String out = new String(gdb.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(gdb.waitFor(30, TimeUnit.SECONDS), out);
            assertTrue(out.contains("in rost_trap ()") && out.contains("detached]"), out);
            assertEquals(0, p.awaitExit(Duration.ofSeconds(30)), p.err.text());
            assertEquals(plain, summary(p.err.text()));
        }
    }

    /**
     * gdb's watchpoints, reverse execution and threads against the engine: a hardware write
     * watchpoint on the scheduler's next pid (rost's kernel writes it at each spawn), {@code info
     * threads} listing rost's processes with pid and name, {@code reverse-stepi} back onto the
     * store, and {@code reverse-continue} back to the previous write.
     */
    @Test
    void gdbWatchesReversesAndListsProcessesAsThreads() throws Exception {
        Path kernel = Guest.kernel();
        long scheduler = ElfFile.read(kernel).symbols().symbols().stream()
                .filter(s -> s.name().contains("5sched9SCHEDULER")).findFirst().orElseThrow().value();
        long nextPid = scheduler + 0x30;   // Scheduler::next_pid in rost's layout today
        try (VitrineProcess p = VitrineProcess.start(Map.of(), "run", "--headless", "--gdb", "0", "--kernel", kernel.toString())) {
            int port = GdbStubTest.port(p);
            Process gdb = new ProcessBuilder(List.of("gdb-multiarch", "-batch", "-nx",
                    "-ex", "set architecture aarch64",
                    "-ex", "target remote 127.0.0.1:" + port,
                    "-ex", "break *kmain", "-ex", "continue", "-ex", "delete",
                    "-ex", String.format("watch *(long *)0x%x", nextPid),
                    "-ex", "continue", "-ex", "continue", "-ex", "continue",
                    "-ex", "info threads",
                    "-ex", "print $pc",
                    "-ex", "reverse-stepi",
                    "-ex", "print $pc",
                    "-ex", "reverse-continue",
                    "-ex", "print $pc",
                    "-ex", "kill", kernel.toString())).redirectErrorStream(true).start();
            String out = new String(gdb.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(gdb.waitFor(120, TimeUnit.SECONDS), out);
            assertEquals(0, gdb.exitValue(), out);
            Matcher hits = Pattern.compile("Hardware watchpoint 2: \\*\\(long \\*\\)0x[0-9a-f]+\\s+Old value = (\\d+)\\s+New value = (\\d+)")
                    .matcher(out);
            List<long[]> values = new java.util.ArrayList<>();
            while (hits.find()) values.add(new long[] {Long.parseLong(hits.group(1)), Long.parseLong(hits.group(2))});
            assertTrue(values.size() >= 4, "three watchpoint stops and the reverse-continue back onto one:\n" + out);
            for (long[] v : values) assertTrue(v[0] != v[1], out);
            assertTrue(out.matches("(?s).*Thread 2 \\(pid 1 fsd \\w+.*"), "info threads lists the file server:\n" + out);
            assertTrue(out.matches("(?s).*Thread 3 \\(pid 2 \\w+ \\w+.*"), "and the next process:\n" + out);
            Matcher pcs = Pattern.compile("(?m)^\\$\\d+ = \\(void \\(\\*\\)\\(\\)\\) 0x([0-9a-f]+)").matcher(out);
            List<Long> pc = new java.util.ArrayList<>();
            while (pcs.find()) pc.add(Long.parseUnsignedLong(pcs.group(1), 16));
            assertEquals(3, pc.size(), out);
            assertEquals(pc.get(0) - 4, pc.get(1), "reverse-stepi went back onto the store:\n" + out);
            assertTrue(pc.get(2) < pc.get(0) || !pc.get(2).equals(pc.get(0)), out);
            assertTrue(out.contains("[Inferior 1 (Remote target) killed]"), out);
        }
    }

    /** "N cycles (...), M instructions" of the run summary. */
    static String summary(String stderr) {
        Matcher m = Pattern.compile("(\\d+ cycles \\([^)]*\\), \\d+ instructions)").matcher(stderr);
        assertTrue(m.find(), stderr);
        return m.group(1);
    }
}
