package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --trace instructions|syscalls|ipc|exceptions --trace-file F} end to end on the real kernel
 * and programs (issue 11): every line carries rost's pid and program, addresses are named by the
 * kernel's and the program's symbols, system calls by the ABI's names, messages with the other
 * side's pid and their kind; and a traced run takes exactly the cycles, instructions and console
 * output of an untraced one.
 */
class TraceTest {
    private static final Pattern SUMMARY = Pattern.compile("\\[vitrine\\] .*; (\\d+) cycles \\(.*\\), (\\d+) instructions");

    @TempDir
    Path dir;

    record Run(String console, String cycles, String instructions) { }

    private Run run(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("run", "--headless"));
        a.addAll(List.of(args));
        try (VitrineProcess p = VitrineProcess.start(Map.of(), a.toArray(String[]::new))) {
            int status = p.awaitExit(Duration.ofMinutes(10));
            assertEquals(0, status, p.err.text());
            Matcher m = SUMMARY.matcher(p.err.text());
            assertTrue(m.find(), p.err.text());
            return new Run(p.out.text(), m.group(1), m.group(2));
        }
    }

    @Test
    void systemCallsMessagesAndExceptionsOfAPingPongWithPidsAndNamesAtUnchangedTime() throws Exception {
        String boot = "rost.init=/BIN/PINGPONG -- 5";
        Run plain = run("--disk", Guest.disk(dir).toString(), "--append", boot);
        Path file = dir.resolve("trace.txt");
        Run traced = run("--disk", Guest.disk(dir).toString(), "--append", boot, "--trace", "syscalls,ipc,exceptions", "--trace-file",
                file.toString());
        assertEquals(plain, traced, "the same console, cycles and instructions with the trace");

        List<String> lines = Files.readAllLines(file);
        assertTrue(lines.stream().allMatch(l -> l.matches("\\[trace\\] pid \\d+ [\\w?]+: .* \\(cycle \\d+\\)")),
                "every line has the pid, the program and the cycle: " + lines.stream().filter(
                        l -> !l.matches("\\[trace\\] pid \\d+ [\\w?]+: .* \\(cycle \\d+\\)")).findFirst().orElse(""));
        // pingpong's two sides: ping is pid 2 (started by the file server, pid 1), pong the copy it spawns
        Matcher spawn = Pattern.compile("\\[trace\\] pid (\\d+) pingpong: syscall spawn\\(.*\\) at <pingpong:librost::[\\w:]+\\+0x[0-9a-f]+>")
                .matcher(String.join("\n", lines));
        assertTrue(spawn.find(), "the ping side spawns pong, named by the ABI and the program's symbols");
        long ping = Long.parseLong(spawn.group(1));
        List<Long> pongs = lines.stream().map(l -> Pattern.compile("^\\[trace\\] pid (\\d+) pingpong: ipc receive from pid " + ping
                + " kind 2, ").matcher(l)).filter(Matcher::find).map(m -> Long.parseLong(m.group(1))).distinct().toList();
        assertEquals(1, pongs.size(), "one pong receives the pings (kind 2) from ping: " + pongs);
        long pong = pongs.getFirst();
        assertEquals(5, count(lines, "[trace] pid " + ping + " pingpong: ipc send to pid " + pong + " kind 2, "), "five pings");
        assertEquals(5, count(lines, "[trace] pid " + pong + " pingpong: ipc receive from pid " + ping + " kind 2, "), "five pings received");
        assertTrue(count(lines, "[trace] pid " + ping + " pingpong: ipc receive from pid " + pong + " kind ") >= 5, "the answers");
        assertTrue(count(lines, "[trace] pid " + ping + " pingpong: syscall send_message(0x" + Long.toHexString(pong) + ", ") >= 5,
                "send_message by name with the receiver in x0");
        assertTrue(count(lines, "[trace] pid " + pong + " pingpong: exception SVC from EL0: ESR=0x56000000 ELR=0x") > 0,
                "the exceptions, with the pid and the program");
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\[trace\\] pid \\d+ pingpong: exception SVC .* ELR=0x[0-9a-f]+ <pingpong:librost::.*")),
                "ELR named in the program");
    }

    /** Under either timing model: the a53 model costs whole blocks, which the trace's hook must not cut or re-cost. */
    @ParameterizedTest
    @ValueSource(strings = {"fixed", "a53"})
    void eachInstructionIsTracedWithItsDisassemblyAtUnchangedTime(String timing) throws Exception {
        Run plain = run("--until", "200us", "--timing", timing);
        Path file = dir.resolve("insn-" + timing + ".txt");
        Run traced = run("--until", "200us", "--timing", timing, "--trace", "instructions", "--trace-file", file.toString());
        assertEquals(plain, traced, "the same console, cycles and instructions with the trace");
        List<String> lines = Files.readAllLines(file);
        assertEquals(Long.parseLong(traced.instructions()), lines.size(), "one line per instruction retired (no aborts in this stretch)");
        assertEquals("[trace] pid 0 kernel: 0x40100000 <__kernel_start> mrs x0, mpidr_el1 (cycle 0)", lines.getFirst());
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\[trace\\] pid 0 kernel: 0x[0-9a-f]+ <rost_kernel::\\w+::.*> \\w+.* \\(cycle \\d+\\)")),
                "kernel functions by their demangled names");
    }

    private static long count(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).count();
    }
}
