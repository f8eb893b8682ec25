package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.cli.DebugSessions;
import org.vitrine.cli.debug.BatchDebugger;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.debug.DebugEngine;
import org.vitrine.emulator.debug.Debugger;
import org.vitrine.emulator.display.HostInput;

/**
 * {@code vitrine debug --batch} end to end on the real kernel and programs (issue 11): a stop on a
 * system call of the desktop's window manager, a step over the kernel's call into rost_trap, and
 * reverse execution back to the instruction before with every register and the stack memory the
 * steps wrote as they were; a write watchpoint on a static of the hello program that names the
 * storing instruction and the pid; a bad script line reported with its line number.
 */
class DebugBatchTest {
    @TempDir
    Path dir;

    @Test
    void syscallStopThenStepsAndReverseStepsRestoreEveryRegisterAndTheStack() throws Exception {
        long bl = callSite("rost_trap");
        String out = run(write("r.dbg", stepScript(bl, 2)), "--display", "1024x768");
        checkSteps(out, bl, 2, "wm", "WM");
        // the window manager's previous kernel entry left other bytes where rost_trap's prologue stores (so "restored" means something)
        List<Map<Long, Integer>> mems = sections(out, "mem").stream().map(DebugBatchTest::memory).toList();
        assertTrue(touched(mems.get(0), mems.get(1)), "rost_trap's prologue stored below the caller's stack pointer");
        assertTrue(out.matches("(?s).*  pid 1 fsd +\\w+ .*"), "ps lists the file server: " + out);
    }

    /**
     * The same in the desktop's Terminal app, opened from the menu: a key typed into it wakes it and
     * the batch commands (BatchDebugger, what --batch runs) stop on its system call, step over the
     * kernel's call into rost_trap and reverse back with every register and the stack as they were.
     * In process, with the same engine --batch makes (DebugSessions): a --batch run has no window
     * input to open the Terminal with.
     */
    @Test
    void theTerminalAppsSyscallThenStepsAndReverseStepsRestoreEveryRegisterAndTheStack() throws Exception {
        long bl = callSite("rost_trap");
        try (DesktopBoard d = new DesktopBoard(DesktopDifferentialTest.W, DesktopDifferentialTest.H, Guest.disk(dir), "rost.desktop")) {
            d.runUntilIdle();
            d.input(List.of(new DesktopInput.Move(DesktopSessionDifferentialTest.TERMINAL_X, DesktopSessionDifferentialTest.MENU_Y),
                    new DesktopInput.Button(HostInput.BTN_LEFT, true), new DesktopInput.Button(HostInput.BTN_LEFT, false)));
            Matcher opened = Pattern.compile("\\[wm] window of task (\\d+): Terminal").matcher(d.console());
            assertTrue(opened.find(), "the menu opened the Terminal: " + d.console());
            long pid = Long.parseLong(opened.group(1));
            Path script = write("t.dbg", stepScript(bl, pid));
            java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
            Cpu cpu = d.board().machine().cpu();
            try (Debugger debugger = new Debugger(d.board().machine()); DebugEngine engine = DebugSessions.engine(d.board(), debugger, Guest.kernel())) {
                engine.setTimeLimit(cpu.cycles() + 4_000_000_000L);
                for (DesktopInput key : List.of(new DesktopInput.Key(30, true), new DesktopInput.Key(30, false))) {
                    key.events().forEach(d.board().input()::post);   // an 'a' for the Terminal, given when the script continues
                }
                new BatchDebugger(engine, new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8)).run(script);
            }
            String out = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
            System.out.printf("[debug-batch] the Terminal (pid %d):%n%s", pid, out.lines().filter(l -> l.startsWith("stopped: ")).map(l -> l + "\n")
                    .reduce("", String::concat));
            checkSteps(out, bl, pid, "terminal", "TERMINAL");
        }
    }

    /** Stops at a system call of {@code pid}, at its trap's call into rost_trap, steps in and back, over and back. */
    private static String stepScript(long bl, long pid) {
        return """
                catch syscall any if pid %d
                continue
                bt
                catch off
                break 0x%x if pid %d
                continue
                regs
                mem $sp-512 1024
                step 3
                regs
                mem $sp-512 1024
                reverse-step 3
                regs
                mem $sp-512 1024
                next
                regs
                reverse-continue
                regs
                mem $sp-512 1024
                ps
                """.formatted(pid, bl, pid);
    }

    /** What {@link #stepScript} must print for {@code program} ({@code psName} in ps) as {@code pid}. */
    private static void checkSteps(String out, long bl, long pid, String program, String psName) {
        List<String> stops = lines(out, "stopped: ");
        assertTrue(stops.getFirst().matches("stopped: syscall: syscall \\d+ from pid " + pid + " at " + program + ":.* \\(pid " + pid + " "
                + program + ",.*"), out);
        assertTrue(out.contains("#1 0x") && out.contains(" " + program + ":"), "the backtrace reaches the program's code: " + out);
        assertTrue(stops.get(1).startsWith("stopped: breakpoint: breakpoint 1 at trap_save+"), out);

        List<Map<String, Long>> regs = sections(out, "regs").stream().map(DebugBatchTest::registers).toList();
        List<Map<Long, Integer>> mems = sections(out, "mem").stream().map(DebugBatchTest::memory).toList();
        Map<String, Long> atCall = regs.get(0), inside = regs.get(1), back = regs.get(2), over = regs.get(3), backAgain = regs.get(4);
        assertEquals(bl, atCall.get("pc"));
        assertEquals(bl + 4, inside.get("x30"), "the call set the link register");
        assertNotEquals(atCall, inside);
        assertEquals(atCall, back, "reverse-step 3: every register as before the steps");
        assertEquals(mems.get(0), mems.get(2), "reverse-step 3: the stack as before the steps");
        assertEquals(bl + 4, over.get("pc"), "next stepped over the call");
        assertTrue(instruction(stops.get(4)) - instruction(stops.get(1)) > 3, "the call ran many instructions: " + stops);
        assertEquals(atCall, backAgain, "reverse-continue: back at the breakpoint with every register restored");
        assertEquals(mems.get(0), mems.get(3), "reverse-continue: the stack restored");
        assertTrue(out.matches("(?s).*\\* pid " + pid + " " + psName + " +\\w+ .*"), "ps marks the " + program + " current: " + out);
    }

    /**
     * Single reverse steps (one checkpoint restore and one replay each) retrace the forward steps
     * exactly, across a system call's exception entry (from the vector back to the SVC, the one
     * case where the position before is not known from the counts alone), in rost's console demo.
     */
    @Test
    void singleReverseStepsRetraceEachForwardStepAcrossAnSvc() throws Exception {
        Path script = write("s.dbg", """
                catch syscall any
                continue
                catch off
                regs
                reverse-step
                regs
                reverse-step
                regs
                step
                regs
                step
                regs
                step 3
                reverse-step
                reverse-step
                reverse-step
                regs
                """);
        String out = run(script);
        List<Map<String, Long>> regs = sections(out, "regs").stream().map(DebugBatchTest::registers).toList();
        Map<String, Long> atVector = regs.get(0), atSvc = regs.get(1), beforeSvc = regs.get(2);
        assertEquals(atVector.get("elr_el1") - 4, atSvc.get("pc"), "one step back from the vector is the SVC: " + out);
        assertEquals(0, atSvc.get("cpsr") & 0xf, "the SVC ran at EL0");
        assertNotEquals(atSvc, beforeSvc);
        assertEquals(atSvc, regs.get(3), "a step forward again: the SVC, every register as the reverse step left it");
        assertEquals(atVector, regs.get(4), "and into the vector again");
        assertEquals(atVector, regs.get(5), "three steps and three reverse steps: back at the vector");
        List<String> stops = lines(out, "stopped: ");
        assertTrue(stops.stream().filter(l -> l.startsWith("stopped: step: reverse-step")).count() == 5, out);
    }

    @Test
    void writeWatchpointOnAProgramsStaticNamesTheStoreAndThePid() throws Exception {
        Path script = write("w.dbg", """
                break hello:main
                continue
                watch hello:COUNTER 8 w
                continue
                who-wrote hello:COUNTER 8
                continue
                """);
        String out = run(script, "--append", "rost.init=/BIN/HELLO", "--disk", Guest.disk(dir).toString());
        Matcher pid = Pattern.compile("task (\\d+): argc 1: /BIN/HELLO").matcher(out);
        assertTrue(pid.find(), out);
        Matcher hit = Pattern.compile("stopped: watchpoint: watchpoint 2: write of 8 bytes at (0x[0-9a-f]+) \\(value 0x2a\\) by "
                + "hello:hello::main\\+0x([0-9a-f]+), pid (\\d+) at 0x([0-9a-f]+) ").matcher(out);
        assertTrue(hit.find(), out);
        assertEquals(pid.group(1), hit.group(3), "the pid of the task that printed the value");
        long storeAt = Long.parseLong(hit.group(2), 16);
        String insn = disassembleAt(Guest.root().resolve("guest-apps/target/aarch64-unknown-linux-gnu/release/hello"), "main",
                storeAt);
        assertTrue(insn.startsWith("str"), "the reported writer is a store: " + insn);
        assertTrue(out.contains("last written by hello:hello::main+0x" + hit.group(2) + " "), out);
        assertTrue(out.contains("task " + pid.group(1) + ": writable data: 42"), "the program goes on and prints what it stored: " + out);
    }

    /**
     * Catches by number and by class: {@code catch syscall 1} stops on the first print_debug (ABI
     * number 1, x8 = 1 at the kernel's entry), {@code catch exception 0x24} on the data abort of a
     * program that reads address 0 (hostile null): ESR_EL1's class 0x24, FAR_EL1 0, in its pid.
     */
    @Test
    void catchesStopOnASystemCallByNumberAndAnExceptionByClass() throws Exception {
        Path disk = Guest.disk(dir);
        String out = run(write("c.dbg", """
                catch syscall 1
                continue
                regs
                catch off
                catch exception 0x24
                continue
                regs
                """), "--append", "rost.init=/BIN/HOSTILE -- null", "--disk", disk.toString());
        List<String> stops = lines(out, "stopped: ");
        assertTrue(stops.getFirst().matches("stopped: syscall: syscall 1 from pid \\d+ at .*"), out);
        List<Map<String, Long>> regs = sections(out, "regs").stream().map(DebugBatchTest::registers).toList();
        assertEquals(1L, regs.get(0).get("x8"), "the system call's number in x8");
        Matcher abort = Pattern.compile("stopped: exception: exception class 0x24 from pid (\\d+) at hostile:").matcher(stops.get(1));
        assertTrue(abort.find(), out);
        assertTrue(Long.parseLong(abort.group(1)) >= 2, "a user process: " + stops.get(1));
        assertEquals(0x24L, regs.get(1).get("esr_el1") >>> 26, "ESR_EL1's exception class");
        assertEquals(0L, regs.get(1).get("far_el1"), "the faulting address");
    }

    @Test
    void aBadLineIsReportedWithItsNumberAndExitStatus2() throws Exception {
        Path script = write("bad.dbg", "# a comment\nregs\nfrobnicate 3\nregs\n");
        try (VitrineProcess p = VitrineProcess.start(Map.of(), "debug", "--batch", script.toString(), "--quiet")) {
            assertEquals(2, p.awaitExit(Duration.ofMinutes(3)));
            assertTrue(p.err.text().contains(script + ":3: unknown command 'frobnicate'"), p.err.text());
            assertEquals(1, lines(p.out.text(), "(vitrine) regs").size(), "the script stopped at the bad line");
        }
        Path unmapped = write("bad2.dbg", "mem 0xdead000000 16\n");
        try (VitrineProcess p = VitrineProcess.start(Map.of(), "debug", "--batch", unmapped.toString(), "--quiet")) {
            assertEquals(2, p.awaitExit(Duration.ofMinutes(3)));
            assertTrue(p.err.text().contains(unmapped + ":1: cannot read memory at 0xdead000000"), p.err.text());
        }
    }

    private String run(Path script, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("debug", "--batch", script.toString()));
        args.addAll(List.of(options));
        try (VitrineProcess p = VitrineProcess.start(Map.of(), args.toArray(String[]::new))) {
            int status = p.awaitExit(Duration.ofMinutes(10));
            assertEquals(0, status, p.out.text() + p.err.text());
            return p.out.text();
        }
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static List<String> lines(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).toList();
    }

    private static long instruction(String stop) {
        Matcher m = Pattern.compile("instruction #(\\d+)").matcher(stop);
        assertTrue(m.find(), stop);
        return Long.parseLong(m.group(1));
    }

    /** The output of each command starting with {@code command}, up to the next command. */
    private static List<String> sections(String out, String command) {
        List<String> found = new ArrayList<>();
        for (String part : out.split("\\(vitrine\\) ")) if (part.startsWith(command)) found.add(part);
        return found;
    }

    private static Map<String, Long> registers(String section) {
        Map<String, Long> r = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^(\\w+) = 0x([0-9a-f]{16})$").matcher(section);
        while (m.find()) r.put(m.group(1), Long.parseUnsignedLong(m.group(2), 16));
        assertTrue(r.size() >= 34, section);
        return r;
    }

    private static Map<Long, Integer> memory(String section) {
        Map<Long, Integer> bytes = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^0x([0-9a-f]{16}):((?: [0-9a-f]{2})+)").matcher(section);
        while (m.find()) {
            long a = Long.parseUnsignedLong(m.group(1), 16);
            String[] hex = m.group(2).strip().split(" ");
            for (int i = 0; i < hex.length; i++) bytes.put(a + i, Integer.parseInt(hex[i], 16));
        }
        assertEquals(1024, bytes.size(), section);
        return bytes;
    }

    /** True when some address both dumps show holds different bytes. */
    private static boolean touched(Map<Long, Integer> before, Map<Long, Integer> after) {
        return before.entrySet().stream().anyMatch(e -> after.containsKey(e.getKey()) && !after.get(e.getKey()).equals(e.getValue()));
    }

    /** The kernel's first {@code bl <target>} instruction (objdump from binutils-aarch64-linux-gnu). */
    private static long callSite(String target) throws Exception {
        for (String line : objdump(Guest.kernel(), List.of())) {
            if (line.matches("\\s*[0-9a-f]+:\\s+[0-9a-f]{8}\\s+bl\\s+[0-9a-f]+ <" + Pattern.quote(target) + ">")) {
                return Long.parseLong(line.strip().split(":")[0], 16);
            }
        }
        throw new AssertionError("no bl <" + target + "> in the kernel");
    }

    /** The mnemonic and operands at {@code offset} into the function whose demangled name ends with {@code ::name}. */
    private static String disassembleAt(Path elf, String name, long offset) throws Exception {
        long start = -1;
        for (String line : objdump(elf, List.of("-C"))) {
            Matcher f = Pattern.compile("^([0-9a-f]+) <(.*)>:$").matcher(line);
            if (f.matches()) {
                start = f.group(2).endsWith("::" + name) ? Long.parseLong(f.group(1), 16) : -1;
                continue;
            }
            Matcher i = Pattern.compile("^\\s*([0-9a-f]+):\\s+[0-9a-f]{8}\\s+(.*)$").matcher(line);
            if (start >= 0 && i.matches() && Long.parseLong(i.group(1), 16) == start + offset) return i.group(2).strip();
        }
        throw new AssertionError("no instruction at " + name + "+0x" + Long.toHexString(offset));
    }

    private static List<String> objdump(Path elf, List<String> extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("aarch64-linux-gnu-objdump", "-d"));
        cmd.addAll(extra);
        cmd.add(elf.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertEquals(0, p.waitFor());
        return lines;
    }
}
