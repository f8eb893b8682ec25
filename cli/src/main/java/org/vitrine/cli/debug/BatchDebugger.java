package org.vitrine.cli.debug;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.debug.DebugEngine;
import org.vitrine.emulator.debug.ProcessTable;

/**
 * {@code vitrine debug --batch FILE}: runs debugger commands from a file, one a line, against a
 * {@link DebugEngine}, printing each command (after {@code (vitrine) }) and its results on
 * standard output. Blank lines and {@code #} comments are skipped. The first unknown command, bad
 * argument or unreadable address ends the script with one line {@code FILE:LINE: message} on
 * standard error; {@link #run} then reports failure (the command exits with status 2).
 *
 * <p>Commands: {@code break SYMBOL|ADDR [if pid N]}, {@code watch ADDR LEN [r|w|rw]},
 * {@code catch syscall N|any [if pid P]}, {@code catch exception EC}, {@code catch irq}, {@code catch switch}, {@code catch off},
 * {@code continue}, {@code step [N]}, {@code next}, {@code finish}, {@code until ADDR},
 * {@code reverse-step [N]}, {@code reverse-continue}, {@code who-wrote ADDR LEN}, {@code regs},
 * {@code mem ADDR LEN}, {@code bt}, {@code ps}, {@code delete N}, {@code quit}. An address is a
 * number (0x.. or decimal), a symbol (the kernel's, or {@code program:name}), a register
 * ({@code $sp}, {@code $x0}, {@code $pc}), optionally {@code +OFFSET}.
 */
public final class BatchDebugger {
    /** The script stopped on a bad line (already reported). */
    public static final class ScriptError extends Exception {
        ScriptError(String message) {
            super(message);
        }
    }

    private final DebugEngine engine;
    private final PrintStream out;

    public BatchDebugger(DebugEngine engine, PrintStream out) {
        this.engine = engine;
        this.out = out;
    }

    /**
     * Runs the script; returns the machine's exit when it stopped by itself (power-off, time
     * limit), else null (the script ended or quit with the machine halted).
     */
    public Cpu.Exit run(Path script) throws ScriptError, IOException {
        List<String> lines = Files.readAllLines(script);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            out.println("(vitrine) " + line);
            try {
                Result r = execute(line);
                out.flush();
                if (r.exit() != null) return r.exit();
                if (r.quit()) return null;
            } catch (IllegalArgumentException e) {
                throw new ScriptError(script + ":" + (i + 1) + ": " + e.getMessage());
            }
        }
        return null;
    }

    /**
     * Runs one command line (the debugger view's command bar), its results printed as a script's
     * are; returns the machine's exit when it stopped by itself, else null ({@code quit} does
     * nothing here). A bad line throws {@link IllegalArgumentException} with the message.
     */
    public Cpu.Exit command(String line) {
        return execute(line.strip()).exit();
    }

    private record Result(boolean quit, Cpu.Exit exit) {
        static final Result OK = new Result(false, null);
    }

    private Result execute(String line) {
        String[] w = line.split("\\s+");
        String cmd = w[0].toLowerCase(Locale.ROOT);
        switch (cmd) {
            case "break", "b" -> {
                args(w, 2, 5);
                OptionalLong pid = OptionalLong.empty();
                if (w.length > 2) {
                    if (w.length != 5 || !w[2].equals("if") || !w[3].equals("pid")) throw new IllegalArgumentException("expected: break ADDR [if pid N]");
                    pid = OptionalLong.of(number(w[4]));
                }
                String program = w[1].matches("[A-Za-z_][\\w-]*:[^:].*") ? w[1].substring(0, w[1].indexOf(':')) : null;
                DebugEngine.Breakpoint b = engine.breakAt(address(w[1]), pid, program);
                out.printf("breakpoint %d at 0x%x %s%s%n", b.id(), b.address(), b.where(), pid.isPresent() ? " if pid " + pid.getAsLong() : "");
            }
            case "watch" -> {
                args(w, 3, 4);
                DebugEngine.WatchKind kind = w.length == 3 ? DebugEngine.WatchKind.WRITE : switch (w[3]) {
                    case "r" -> DebugEngine.WatchKind.READ;
                    case "w" -> DebugEngine.WatchKind.WRITE;
                    case "rw" -> DebugEngine.WatchKind.ACCESS;
                    default -> throw new IllegalArgumentException("watch kind must be r, w or rw: " + w[3]);
                };
                long a = address(w[1]);
                DebugEngine.Watchpoint wp = engine.watch(a, number(w[2]), kind);
                out.printf("watchpoint %d: %s 0x%x len %d%n", wp.id(), kind.name().toLowerCase(Locale.ROOT), a, wp.length());
            }
            case "catch" -> {
                args(w, 2, 6);
                switch (w[1]) {
                    case "syscall" -> {
                        OptionalLong pid = OptionalLong.empty();
                        if (w.length > 3) {
                            if (w.length != 6 || !w[3].equals("if") || !w[4].equals("pid")) throw new IllegalArgumentException("expected: catch syscall N|any [if pid P]");
                            pid = OptionalLong.of(number(w[5]));
                        }
                        engine.catchSyscall(w.length == 2 || w[2].equals("any") ? -1 : number(w[2]), pid);
                    }
                    case "exception" -> {
                        args(w, 3, 3);
                        engine.catchException((int) number(w[2]));
                    }
                    case "irq" -> engine.catchIrq(true);
                    case "switch" -> engine.catchProcessSwitch(true);
                    case "off" -> engine.clearCatches();
                    default -> throw new IllegalArgumentException("catch what? syscall N|any, exception EC, irq or switch");
                }
                out.println("catching " + line.substring(6).strip());
            }
            case "delete" -> {
                args(w, 2, 2);
                int id = (int) number(w[1]);
                if (!engine.deleteBreakpoint(id) && !engine.deleteWatchpoint(id)) throw new IllegalArgumentException("no breakpoint or watchpoint " + id);
                out.println("deleted " + id);
            }
            case "continue", "c" -> {
                args(w, 1, 1);
                return report(engine.cont());
            }
            case "step", "stepi", "si" -> {
                args(w, 1, 2);
                return report(engine.step(w.length == 2 ? number(w[1]) : 1));
            }
            case "next", "nexti", "ni" -> {
                args(w, 1, 1);
                return report(engine.next());
            }
            case "finish" -> {
                args(w, 1, 1);
                return report(engine.finish());
            }
            case "until", "advance" -> {
                args(w, 2, 2);
                return report(engine.runTo(address(w[1])));
            }
            case "reverse-step", "reverse-stepi", "rsi" -> {
                args(w, 1, 2);
                return report(engine.reverseStep(w.length == 2 ? number(w[1]) : 1));
            }
            case "reverse-continue", "rc" -> {
                args(w, 1, 1);
                return report(engine.reverseCont());
            }
            case "who-wrote" -> {
                args(w, 3, 3);
                long a = address(w[1]);
                Optional<DebugEngine.Access> last = engine.lastWriter(a, number(w[2]));
                out.println(last.map(x -> String.format("last written by %s (0x%x), pid %d, value 0x%x, before instruction #%d",
                        engine.describe(x.pc()), x.pc(), x.pid(), x.value(), x.after().retired()))
                        .orElse("no write to it in the recorded history"));
            }
            case "regs", "info-registers" -> {
                args(w, 1, 1);
                for (Map.Entry<String, Long> e : engine.registers().entrySet()) out.printf("%s = 0x%016x%n", e.getKey(), e.getValue());
            }
            case "mem", "x" -> {
                args(w, 3, 3);
                dump(address(w[1]), (int) Math.min(number(w[2]), 1 << 16));
            }
            case "bt", "backtrace" -> {
                args(w, 1, 1);
                for (DebugEngine.Frame f : engine.backtrace(64)) out.printf("#%d 0x%016x %s%n", f.level(), f.pc(), f.where());
            }
            case "ps" -> {
                args(w, 1, 1);
                List<ProcessTable.Process> ps = engine.processes();
                if (ps.isEmpty()) out.println("no process table: " + engine.processTableProblem() + " (current pid " + engine.currentPid() + ", " + engine.programName() + ")");
                for (ProcessTable.Process p : ps) {
                    out.printf("%s pid %d %-16s %-9s %s%n", p.current() ? "*" : " ", p.pid(), p.name(), p.state(),
                            p.cpuNs() < 0 ? "?" : p.cpuNs() + " ns");
                }
            }
            case "quit", "q" -> {
                return new Result(true, null);
            }
            default -> throw new IllegalArgumentException("unknown command '" + w[0] + "'");
        }
        return Result.OK;
    }

    private Result report(DebugEngine.Stop s) {
        out.printf("stopped: %s: %s at 0x%x %s (pid %d %s, instruction #%d, cycle %d)%n", s.reason().name().toLowerCase(Locale.ROOT),
                s.detail(), s.pc(), engine.describe(s.pc()), engine.currentPid(), engine.programName(), s.position().retired(), s.position().cycle());
        return s.reason() == DebugEngine.Reason.EXITED ? new Result(false, s.exit()) : Result.OK;
    }

    private void dump(long address, int length) {
        byte[] b = engine.readMemory(address, length);
        if (b.length == 0) throw new IllegalArgumentException(String.format("cannot read memory at 0x%x (not mapped to RAM)", address));
        for (int i = 0; i < b.length; i += 16) {
            StringBuilder hex = new StringBuilder(), ascii = new StringBuilder();
            for (int k = i; k < Math.min(b.length, i + 16); k++) {
                hex.append(String.format(" %02x", b[k]));
                ascii.append(b[k] >= 0x20 && b[k] < 0x7f ? (char) b[k] : '.');
            }
            out.printf("0x%016x:%-48s |%s|%n", address + i, hex, ascii);
        }
        if (b.length < length) out.printf("(memory ends at 0x%x)%n", address + b.length);
    }

    private static void args(String[] w, int min, int max) {
        if (w.length < min || w.length > max) {
            throw new IllegalArgumentException("'" + w[0] + "' takes " + (min == max ? min - 1 : (min - 1) + " to " + (max - 1)) + " argument(s)");
        }
    }

    /** A number (0x.. hex or decimal). */
    static long number(String s) {
        try {
            return s.startsWith("0x") || s.startsWith("0X") ? Long.parseUnsignedLong(s.substring(2).replace("_", ""), 16)
                    : Long.parseLong(s.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number '" + s + "'");
        }
    }

    /** A number, a symbol, or a register, optionally +OFFSET or -OFFSET. */
    long address(String s) {
        long offset = 0;
        int sign = Math.max(s.lastIndexOf('+'), s.lastIndexOf('-'));
        if (sign > 0 && !s.substring(sign + 1).isEmpty() && Character.isDigit(s.charAt(sign + 1))) {
            offset = number(s.substring(sign + 1)) * (s.charAt(sign) == '-' ? -1 : 1);
            s = s.substring(0, sign);
        }
        if (s.startsWith("$")) {
            Long v = engine.registers().get(s.substring(1).toLowerCase(Locale.ROOT));
            if (v == null) throw new IllegalArgumentException("no register " + s);
            return v + offset;
        }
        if (Character.isDigit(s.charAt(0))) return number(s) + offset;
        OptionalLong a = engine.symbols().resolve(s);
        if (a.isEmpty()) throw new IllegalArgumentException("no symbol '" + s + "'");
        return a.getAsLong() + offset;
    }
}
