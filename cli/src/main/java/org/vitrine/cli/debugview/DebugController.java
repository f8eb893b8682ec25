package org.vitrine.cli.debugview;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.vitrine.cli.debug.BatchDebugger;
import org.vitrine.emulator.capstone.Instruction;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.cpu.PageTableWalker;
import org.vitrine.emulator.debug.DebugEngine;
import org.vitrine.emulator.debug.ProcessTable;
import org.vitrine.emulator.memory.PhysicalMemory;

/**
 * The emulation-thread side of the debugger view: drives the {@link DebugEngine} on the commands
 * the window sends ({@link #submit}, from any thread) and publishes a {@link DebugState} after each
 * (read by the window with {@link #state()}). {@link #serve} is the machine's run while the view
 * is attached: it starts with the guest stopped and returns when the machine stops by itself or
 * {@link #quit} is called.
 *
 * <p>The buttons map to the engine's resumes (continue, step, next, finish, run to, reverse step,
 * reverse continue). Everything else the engine offers (breakpoints by symbol with a pid condition,
 * watchpoints, catches, "who last wrote", bt, ps, mem) is a line of {@code vitrine debug --batch}'s
 * language ({@link BatchDebugger}) typed in the command bar or made by a click (the gutter, the
 * memory panel's buttons, a process row), so the view and a batch script say the same things the
 * same way; the lines and what they print are the Log. One line is the view's own: {@code sched PID}
 * toggles "stop when pid PID is scheduled" (a process switch to it).
 *
 * <p>Guest time: the controller only reads the machine between commands (registers, RAM, the page
 * tables through the walker, no device registers), and the engine charges every instruction
 * exactly once, replays included; so a debugged run keeps the cycle counts of an undebugged one,
 * however long it sits stopped and however often it goes back.
 *
 * <p>Each stop prints one line on standard error ({@code [debugger] stopped (step) at 0x... ;
 * changed: pc x1}): where it stopped, for the person at the terminal and for tests.
 */
public final class DebugController {
    /** What the window asks for. */
    public sealed interface Command {
        /** Whether it runs the machine (the state shows running meanwhile). */
        default boolean resumes() {
            return false;
        }

        /** Whether it runs the machine only forward, so that Pause may cut it (a rewind's replays run to their end). */
        default boolean forward() {
            return resumes();
        }

        /** A command that runs the machine. */
        sealed interface Resume extends Command {
            @Override
            default boolean resumes() {
                return true;
            }
        }

        record Continue() implements Resume { }
        record Step() implements Resume { }
        /** Steps, but runs a call or a system call to its return in one go. */
        record StepOver() implements Resume { }
        /** Runs until the current function returns to its caller. */
        record StepOut() implements Resume { }
        record RunTo(long address) implements Resume { }
        record ReverseStep() implements Resume {
            @Override
            public boolean forward() {
                return false;
            }
        }

        record ReverseContinue() implements Resume {
            @Override
            public boolean forward() {
                return false;
            }
        }

        /** Adds a breakpoint at the address, or deletes the ones there. */
        record ToggleBreakpoint(long address) implements Command { }

        /** A command line: {@code vitrine debug --batch}'s language, or {@code sched PID}. */
        record Typed(String line) implements Command {
            @Override
            public boolean resumes() {
                return CommandLine.resumes(line);
            }

            @Override
            public boolean forward() {
                return CommandLine.forward(line);
            }
        }

        /** Sets a general register (x0..x30, sp, pc, cpsr). */
        record SetRegister(String name, long value) implements Command { }

        /** Writes bytes at a virtual address, or at a physical one (RAM only) when {@code physical}. */
        record WriteMemory(long address, byte[] bytes, boolean physical) implements Command {
            public WriteMemory(long address, byte[] bytes) {
                this(address, bytes, false);
            }
        }

        /**
         * Where the disassembly starts: {@code follow} keeps PC inside the visible lines (moving
         * the listing only when PC leaves them); otherwise it stays at {@code start}.
         */
        record ViewCode(long start, boolean follow) implements Command { }

        record ViewMemory(long address, boolean physical, int rows) implements Command { }

        /** How many disassembly lines and memory rows the panels have room for. */
        record ViewSize(int codeLines, int memoryRows) implements Command { }
    }

    private static final int DISASSEMBLY_LINES = 96;
    private static final int STACK_FRAMES = 32;
    private static final int LOG_LINES = 300;
    private static final Cpu.Exit QUIT = new Cpu.Exit(Cpu.ExitKind.STOPPED, 0, "window closed: guest powered off");

    private final DebugEngine engine;
    private final Cpu cpu;
    private final PhysicalMemory ram;
    private final PrintStream log;
    private final Consumer<Boolean> fast;
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final BatchDebugger lines;
    private final BlockingQueue<Command> queue = new LinkedBlockingQueue<>();
    private final AtomicReference<DebugState> state = new AtomicReference<>();
    private final AtomicInteger forwardQueued = new AtomicInteger();   // forward resumes submitted and not started
    private volatile Runnable onChange = () -> { };
    private volatile boolean quit;
    private volatile boolean interruptible;   // a forward resume runs: Pause may cut it (a rewind may not)

    // view parameters, the rules and the last stop: the emulation thread's only
    private long codeStart;
    private boolean codeStartChosen;   // false until the first listing: it starts a few lines before PC
    private boolean follow = true;
    private int visibleLines = 30;
    private long memAddress;
    private boolean memFollowsSp = true;   // until the user picks an address, memory shows the stack
    private boolean memPhysical;
    private long toggledFrom = -1, toggledTo = -1;   // the last virtual -> physical toggle: va and pa
    private int memRows = 16;
    private Set<String> lastChanged = Set.of();
    private String lastStatus = "stopped";
    private final Set<Long> scheduledBreaks = new TreeSet<>();
    private final Set<String> catches = new LinkedHashSet<>();
    private final ArrayDeque<String> transcript = new ArrayDeque<>();

    /**
     * @param fast told {@code true} while the engine rewinds or replays (the session turns the wall
     *             clock pacing of an interactive run off meanwhile), {@code false} after
     */
    public DebugController(DebugEngine engine, PrintStream log, Consumer<Boolean> fast) {
        this.engine = Objects.requireNonNull(engine);
        this.cpu = engine.debugger().machine().cpu();
        this.ram = engine.debugger().machine().ram();
        this.log = Objects.requireNonNull(log);
        this.fast = Objects.requireNonNull(fast);
        this.lines = new BatchDebugger(engine, new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    public DebugController(DebugEngine engine, PrintStream log) {
        this(engine, log, on -> { });
    }

    /** Called (on the emulation thread) after each new state: the window wakes up to draw it. */
    public void onChange(Runnable r) {
        onChange = Objects.requireNonNull(r);
    }

    /** The newest state, or null before the first stop. Any thread. */
    public DebugState state() {
        return state.get();
    }

    /** Queues a command. Any thread. While the guest runs, only a pause ({@link #pause}) is acted on at once. */
    public void submit(Command c) {
        if (c.forward()) forwardQueued.incrementAndGet();
        queue.add(Objects.requireNonNull(c));
    }

    /**
     * Stops the running guest (the Pause button), or the resume already asked for and not started
     * yet (a pause pressed just after Continue). A rewind (or one asked for) runs to its end: a
     * replay cut short would leave the machine at the wrong instruction. Any thread.
     */
    public void pause() {
        if (interruptible || forwardQueued.get() > 0) engine.interrupt();
    }

    /** Ends {@link #serve} (the window was closed): the guest stops where it is. Any thread. */
    public void quit() {
        quit = true;
        queue.add(new Command.ViewCode(0, true));   // wakes a waiting serve; it sees quit first
        engine.interrupt();
    }

    /**
     * Serves commands with the guest stopped until the machine stops by itself (returns its exit)
     * or {@link #quit}. Runs on the emulation thread.
     */
    public Cpu.Exit serve(String why) {
        publish(why);
        while (true) {
            Command c;
            try {
                c = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return QUIT;
            }
            if (quit) return QUIT;
            Cpu.Exit exit = execute(c);
            if (exit != null) {
                publish("the machine stopped: " + exit.message());
                log.println("[debugger] the machine stopped: " + exit.message());
                return exit;
            }
            if (quit) return QUIT;
        }
    }

    /** Runs one command; the machine's exit when it stopped by itself, else null. */
    private Cpu.Exit execute(Command c) {
        return switch (c) {
            case Command.Continue x -> resume("continue", true, this::cont);
            case Command.Step x -> resume("step", true, () -> engine.step(1));
            case Command.StepOver x -> resume("step over", true, engine::next);
            case Command.StepOut x -> resume("step out", true, engine::finish);
            case Command.RunTo r -> resume("run to", true, () -> engine.runTo(r.address()));
            case Command.ReverseStep x -> resume("reverse step", false, () -> engine.reverseStep(1));
            case Command.ReverseContinue x -> resume("reverse continue", false, engine::reverseCont);
            case Command.Typed t -> typed(t.line().strip());
            case Command.ToggleBreakpoint t -> {
                List<DebugEngine.Breakpoint> there = engine.breakpoints().stream().filter(b -> b.address() == t.address()).toList();
                if (there.isEmpty()) yield typed(String.format("break 0x%x", t.address()));
                for (DebugEngine.Breakpoint b : there) typed("delete " + b.id());
                yield null;
            }
            case Command.SetRegister r -> {
                try {
                    engine.writeRegister(r.name(), r.value());
                    note(String.format("%s = 0x%x", r.name(), r.value()));
                } catch (IllegalArgumentException e) {
                    note("error: " + e.getMessage());
                }
                lastChanged = Set.of(r.name());
                yield republish();
            }
            case Command.WriteMemory w -> {
                int n = w.physical() ? engine.writePhysical(w.address(), w.bytes()) : engine.writeMemory(w.address(), w.bytes());
                if (n < w.bytes().length) {
                    note(String.format("error: wrote %d of %d bytes at %s 0x%x (%s)", n, w.bytes().length, w.physical() ? "physical" : "virtual",
                            w.address(), w.physical() ? "not RAM" : "not mapped to RAM"));
                }
                yield republish();
            }
            case Command.ViewCode v -> {
                codeStart = v.start() & ~3L;
                codeStartChosen = true;
                follow = v.follow();
                yield republish();
            }
            case Command.ViewSize v -> {
                visibleLines = Math.max(4, Math.min(v.codeLines(), DISASSEMBLY_LINES));
                memRows = Math.max(1, Math.min(v.memoryRows(), 256));
                yield republish();
            }
            case Command.ViewMemory m -> {
                long address = m.address();
                if (m.physical() && !memPhysical && address == memAddress) {
                    long pa = cpu.translateVa(address);   // the toggle shows the same bytes by their physical address
                    if (pa != PageTableWalker.FAULT) {
                        toggledFrom = address;
                        toggledTo = pa;
                        address = pa;
                    }
                } else if (!m.physical() && memPhysical && address == memAddress && address == toggledTo) {
                    address = toggledFrom;   // and back: the virtual address it was looked at by
                }
                // scrolling, typing an address or looking at physical memory ends following the stack
                memFollowsSp = memFollowsSp && address == memAddress && !m.physical();
                memAddress = address;
                memPhysical = m.physical();
                memRows = Math.max(1, Math.min(m.rows(), 256));
                yield republish();
            }
        };
    }

    /**
     * A continue that honours "stop when pid N is scheduled": the engine stops at every process
     * switch meanwhile, and the ones to other processes run on (unless the user catches switches).
     */
    private DebugEngine.Stop cont() {
        if (scheduledBreaks.isEmpty()) return engine.cont();
        engine.catchProcessSwitch(true);
        try {
            while (true) {
                DebugEngine.Stop s = engine.cont();
                if (s.reason() != DebugEngine.Reason.PROCESS_SWITCH || catches.contains("switch")) return s;
                long pid = engine.currentPid();
                if (scheduledBreaks.contains(pid)) {
                    return new DebugEngine.Stop(s.reason(), s.pc(), "pid " + pid + " (" + engine.programName() + ") scheduled",
                            s.position(), null, null);
                }
            }
        } finally {
            if (!catches.contains("switch")) engine.catchProcessSwitch(false);
        }
    }

    /** A command line: the view's own {@code sched}, or the batch language (its printout goes to the log). */
    private Cpu.Exit typed(String line) {
        if (line.isEmpty()) return republish();
        if (CommandLine.isContinue(line)) {
            note("(vitrine) " + line);
            return resume("continue", true, this::cont);
        }
        String[] w = line.split("\\s+");
        if (w[0].equals("sched")) {
            note("(vitrine) " + line);
            if (w.length != 2 || !w[1].matches("\\d+")) {
                note("error: expected: sched PID");
            } else {
                long pid = Long.parseLong(w[1]);
                if (!scheduledBreaks.remove(pid)) scheduledBreaks.add(pid);
                note(scheduledBreaks.contains(pid) ? "stopping when pid " + pid + " is scheduled" : "no longer stopping for pid " + pid);
            }
            return republish();
        }
        Supplier<DebugEngine.Stop> run = () -> {
            printed.reset();
            note("(vitrine) " + line);
            String[] stopLine = {null};
            Cpu.Exit exit;
            try {
                exit = lines.command(line);
                if (w[0].equals("catch") && w.length > 1) {
                    if (w[1].equals("off")) catches.clear();
                    else catches.add(line.substring(6).strip());
                }
            } catch (IllegalArgumentException e) {
                exit = null;
                String out = printed.toString(StandardCharsets.UTF_8);
                printed.reset();
                out.lines().forEach(this::note);
                note("error: " + e.getMessage());
            }
            for (String l : printed.toString(StandardCharsets.UTF_8).lines().toList()) {
                note(l);
                if (l.startsWith("stopped: ")) stopLine[0] = l.substring(9);
            }
            printed.reset();
            if (exit != null) return new DebugEngine.Stop(DebugEngine.Reason.EXITED, engine.debugger().pc(), exit.message(), engine.position(), null, exit);
            if (stopLine[0] == null) return null;
            int colon = stopLine[0].indexOf(':');
            DebugEngine.Reason reason;
            try {
                reason = DebugEngine.Reason.valueOf(stopLine[0].substring(0, Math.max(0, colon)).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                reason = DebugEngine.Reason.STEP;
            }
            String detail = stopLine[0].substring(colon + 1).strip();
            int at = detail.lastIndexOf(" at 0x");   // the batch line goes on with where, pid and counts: the view shows those itself
            return new DebugEngine.Stop(reason, engine.debugger().pc(), at > 0 ? detail.substring(0, at) : detail, engine.position(), null, null);
        };
        if (!CommandLine.resumes(line)) {
            DebugEngine.Stop s = run.get();
            return s != null && s.exit() != null ? s.exit() : republish();
        }
        return resume(line, CommandLine.forward(line), run);
    }

    private Cpu.Exit republish() {
        publish(lastStatus);
        return null;
    }

    /**
     * Runs an executing command: marks the state running meanwhile, then publishes the stop.
     * {@code forward}: it only runs ahead (Pause may cut it; the wall clock pacing stays).
     */
    private Cpu.Exit resume(String what, boolean forward, Supplier<DebugEngine.Stop> command) {
        if (forward) forwardQueued.decrementAndGet();
        DebugState before = state.get();
        if (before != null) {
            state.set(before.asRunning(forward ? "running: " + what : what + "\u2026"));
            onChange.run();
        }
        Registers regsBefore = captureRegisters();
        DebugEngine.Stop stop;
        interruptible = forward;
        if (!forward) fast.accept(true);
        try {
            stop = command.get();
        } catch (RuntimeException e) {   // e.g. a rewind that cannot restore: the view says so and stays usable
            note("error: " + e.getMessage());
            stop = null;
        } finally {
            interruptible = false;
            if (!forward) fast.accept(false);
        }
        if (stop != null && stop.reason() == DebugEngine.Reason.EXITED) return stop.exit();
        lastChanged = captureRegisters().changedSince(regsBefore);
        String why = stop == null ? (transcript.isEmpty() ? "stopped" : transcript.getLast()) : stop.reason() == DebugEngine.Reason.STEP && stop.detail().equals("step") ? "step"
                : stop.detail();
        publish(why);
        log.println("[debugger] stopped (" + (stop == null ? "command" : stop.reason().name().toLowerCase(Locale.ROOT)) + ") at 0x"
                + Long.toHexString(engine.debugger().pc()) + where(engine.debugger().pc()) + "; changed: " + String.join(" ", lastChanged));
        return null;
    }

    private void note(String line) {
        transcript.addLast(line);
        while (transcript.size() > LOG_LINES) transcript.removeFirst();
    }

    private String where(long pc) {
        String s = engine.describe(pc);
        return s.startsWith("0x") ? "" : " (" + s + ")";
    }

    // ---- capturing the state ----------------------------------------------------------------

    private void publish(String status) {
        lastStatus = status;
        Registers regs = captureRegisters();
        if (memFollowsSp) memAddress = regs.get("sp") & ~7L;
        long pid = engine.currentPid();
        String where = pid == 0 ? "kernel" : "pid " + pid + " " + engine.programName();
        List<ProcessTable.Process> table = engine.processes();
        List<DebugState.Process> procs = table.stream().map(p -> new DebugState.Process(p.pid(), p.name(), p.state(), p.cpuNs(),
                p.current(), scheduledBreaks.contains(p.pid()))).toList();
        List<DebugState.Frame> stack = engine.backtrace(STACK_FRAMES).stream()
                .filter(f -> f.level() == 0 || f.pc() != 0)   // a zero link register at an entry point: no caller
                .map(f -> new DebugState.Frame(f.level(), f.pc(), f.where())).toList();
        Set<Long> addresses = new TreeSet<>(Long::compareUnsigned);
        for (DebugEngine.Breakpoint b : engine.breakpoints()) addresses.add(b.address());
        DebugState s = new DebugState(false, status, where, cpu.cycles(), cpu.instructionsRetired(), regs, lastChanged,
                disassembly(regs.get("pc")), addresses, stopRules(), memory(), stack, procs,
                table.isEmpty() ? engine.processTableProblem() : "", List.copyOf(transcript));
        state.set(s);
        onChange.run();
    }

    private List<DebugState.StopRule> stopRules() {
        List<DebugState.StopRule> out = new ArrayList<>();
        for (DebugEngine.Breakpoint b : engine.breakpoints()) {
            out.add(new DebugState.StopRule("break", String.format("%d  0x%x %s%s", b.id(), b.address(), b.where(),
                    b.pid().isPresent() ? "  if pid " + b.pid().getAsLong() : ""), "delete " + b.id()));
        }
        for (DebugEngine.Watchpoint w : engine.watchpoints()) {
            out.add(new DebugState.StopRule("watch", String.format("%d  %s 0x%x len %d", w.id(),
                    switch (w.kind()) { case READ -> "read"; case WRITE -> "write"; case ACCESS -> "access"; }, w.address(), w.length()),
                    "delete " + w.id()));
        }
        for (long pid : scheduledBreaks) out.add(new DebugState.StopRule("sched", "pid " + pid + " is scheduled", "sched " + pid));
        for (String c : catches) out.add(new DebugState.StopRule("catch", c, "catch off"));
        return out;
    }

    Registers captureRegisters() {
        return new Registers(engine.registers());
    }

    private List<DebugState.Line> disassembly(long pc) {
        long lastVisible = codeStart + 4L * (visibleLines - 3);
        if (!codeStartChosen || (follow && (Long.compareUnsigned(pc, codeStart) < 0 || Long.compareUnsigned(pc, lastVisible) > 0))) {
            codeStart = pc - 4L * Math.min(8, visibleLines / 4);
            codeStartChosen = true;
        }
        List<Instruction> insns = engine.debugger().disassemble(codeStart, DISASSEMBLY_LINES);
        if (insns.isEmpty() && follow && (pc & ~0xfffL) != (codeStart & ~0xfffL)) {
            codeStart = pc & ~0xfffL;   // the lines before PC are on an unmapped page: start at PC's
            if (pc - codeStart > 4L * 8) codeStart = pc - 4L * 8;
            insns = engine.debugger().disassemble(codeStart, DISASSEMBLY_LINES);
        }
        List<DebugState.Line> out = new ArrayList<>(insns.size());
        for (Instruction i : insns) {
            String where = engine.describe(i.address());
            boolean known = !where.startsWith("0x");
            String label = known && !where.contains("+0x") ? where : null;
            out.add(new DebugState.Line(i.address(), i.word(), i.mnemonic(), i.operandText(), label, known ? where : null));
        }
        return out;
    }

    private DebugState.Memory memory() {
        int n = DebugState.Memory.BYTES_PER_ROW;
        List<byte[]> rows = new ArrayList<>(memRows);
        for (int r = 0; r < memRows; r++) {
            long a = memAddress + (long) r * n;
            rows.add(memPhysical ? physical(a, n) : engine.readMemory(a, n));
        }
        String translation;
        if (memPhysical) {
            translation = "physical " + hex(memAddress) + (ram.contains(memAddress, 1) ? " (RAM)" : " (not RAM: not shown)")
                    + (memAddress == toggledTo ? " <- va " + hex(toggledFrom) : "");
        } else {
            long pa = cpu.translateVa(memAddress);
            translation = pa == PageTableWalker.FAULT ? "va " + hex(memAddress) + " does not translate"
                    : "va " + hex(memAddress) + " -> pa " + hex(pa);
        }
        return new DebugState.Memory(memAddress, memPhysical, rows, translation);
    }

    /** RAM only: device registers have side effects on read. */
    private byte[] physical(long pa, int n) {
        if (!ram.contains(pa, n)) return new byte[0];
        try {
            return ram.read(pa, n);
        } catch (PhysicalMemory.BadAddressException e) {
            return new byte[0];
        }
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
