package org.vitrine.cli.debugview;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

import org.vitrine.emulator.capstone.Instruction;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.cpu.PageTableWalker;
import org.vitrine.emulator.cpu.SysReg;
import org.vitrine.emulator.debug.Debugger;
import org.vitrine.emulator.debug.StopEvent;
import org.vitrine.emulator.elf.SymbolTable;
import org.vitrine.emulator.memory.PhysicalMemory;
import org.vitrine.emulator.unicorn.Arm64Reg;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * The emulation-thread side of the debugger view: runs the {@link Debugger} on the commands the
 * window sends ({@link #submit}, from any thread) and publishes a {@link DebugState} after each
 * (read by the window with {@link #state()}). {@link #serve} is the machine's run while the view
 * is attached: it starts with the guest stopped and returns when the machine stops by itself or
 * {@link #quit} is called.
 *
 * <p>Guest time: the controller only reads the machine between commands (registers, RAM, the page
 * tables through the walker, no device registers), and every instruction runs through the
 * Debugger, which charges each one exactly once; so a debugged run keeps the cycle counts of an
 * undebugged one, however long it sits stopped.
 *
 * <p>Each stop prints one line on standard error ({@code [debugger] stopped (step) at 0x... ;
 * changed: pc x1}): where it stopped, for the person at the terminal and for tests.
 */
public final class DebugController {
    /** What the window asks for. */
    public sealed interface Command {
        record Continue() implements Command { }
        record Step() implements Command { }
        /** Steps, but runs a call ({@code bl}, {@code blr}) to its return address in one go. */
        record StepOver() implements Command { }
        record RunTo(long address) implements Command { }
        record ToggleBreakpoint(long address) implements Command { }
        record ReverseStep() implements Command { }
        record ReverseContinue() implements Command { }
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
    private static final Cpu.Exit QUIT = new Cpu.Exit(Cpu.ExitKind.STOPPED, 0, "window closed: guest powered off");

    private final Debugger debugger;
    private final Unicorn uc;
    private final Cpu cpu;
    private final PhysicalMemory ram;
    private final SymbolTable symbols;
    private final EngineHooks engine;
    private final PrintStream log;
    private final BlockingQueue<Command> queue = new LinkedBlockingQueue<>();
    private final AtomicReference<DebugState> state = new AtomicReference<>();
    private volatile Runnable onChange = () -> { };
    private volatile boolean quit;
    private final java.util.concurrent.atomic.AtomicInteger resumesQueued = new java.util.concurrent.atomic.AtomicInteger();

    // view parameters and the last stop, touched on the emulation thread only
    private long codeStart;
    private boolean codeStartChosen;   // false until the first listing: it starts a few lines before PC
    private boolean follow = true;
    private int visibleLines = 30;
    private long memAddress;
    private boolean memFollowsSp = true;   // until the user picks an address, memory shows the stack
    private boolean memPhysical;
    private int memRows = 16;
    private Registers lastRegs;
    private java.util.Set<String> lastChanged = java.util.Set.of();
    private String lastStatus = "stopped";

    /**
     * @param symbols the kernel's symbols (null: none)
     * @param engine  the debugger engine's extras ({@link EngineHooks#NONE} without one)
     */
    public DebugController(Debugger debugger, SymbolTable symbols, EngineHooks engine, PrintStream log) {
        this.debugger = Objects.requireNonNull(debugger);
        this.uc = debugger.machine().unicorn();
        this.cpu = debugger.machine().cpu();
        this.ram = debugger.machine().ram();
        this.symbols = symbols;
        this.engine = Objects.requireNonNull(engine);
        this.log = Objects.requireNonNull(log);
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
        if (!(c instanceof Command.ToggleBreakpoint || c instanceof Command.ViewCode || c instanceof Command.ViewMemory
                || c instanceof Command.ViewSize)) resumesQueued.incrementAndGet();
        queue.add(Objects.requireNonNull(c));
    }

    /**
     * Stops the running guest (the Pause button), or the resume already asked for and not started
     * yet (a pause pressed just after Continue). Any thread.
     */
    public void pause() {
        DebugState s = state.get();
        if ((s != null && s.running()) || resumesQueued.get() > 0) debugger.interrupt();
    }

    /** Ends {@link #serve} (the window was closed): the guest stops where it is. Any thread. */
    public void quit() {
        quit = true;
        queue.add(new Command.Continue()); // wakes a waiting serve; it sees quit first
        debugger.interrupt();
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
            StopEvent ev = execute(c);
            if (ev != null && ev.reason() == StopEvent.Reason.EXITED) {
                publish("the machine stopped: " + ev.exit().message());
                log.println("[debugger] the machine stopped: " + ev.exit().message());
                return ev.exit();
            }
            if (quit) return QUIT;
        }
    }

    private StopEvent execute(Command c) {
        return switch (c) {
            case Command.Continue x -> run(debugger::cont);
            case Command.Step x -> run(debugger::step);
            case Command.StepOver x -> isCall(debugger.pc()) ? run(() -> runTo(debugger.pc() + 4)) : run(debugger::step);
            case Command.RunTo r -> run(() -> runTo(r.address()));
            case Command.ReverseStep x -> engine.reverseAvailable() ? run(engine::reverseStep) : refuse();
            case Command.ReverseContinue x -> engine.reverseAvailable() ? run(engine::reverseContinue) : refuse();
            case Command.ToggleBreakpoint t -> {
                if (!debugger.removeBreakpoint(t.address())) debugger.addBreakpoint(t.address());
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
                    if (pa != PageTableWalker.FAULT) address = pa;
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

    private StopEvent refuse() {
        resumesQueued.decrementAndGet();
        log.println("[debugger] " + engine.reverseUnavailableReason());
        return null;
    }

    private StopEvent republish() {
        publish(lastStatus);
        return null;
    }

    /** Runs an executing command: marks the state running meanwhile, then publishes the stop. */
    private StopEvent run(java.util.function.Supplier<StopEvent> command) {
        resumesQueued.decrementAndGet();
        DebugState before = state.get();
        if (before != null) {
            state.set(before.asRunning());
            onChange.run();
        }
        Registers regsBefore = captureRegisters();
        StopEvent ev = command.get();
        if (ev.reason() == StopEvent.Reason.EXITED) return ev;
        Registers now = captureRegisters();
        lastChanged = now.changedSince(regsBefore);
        String why = "stopped (" + ev.reason().name().toLowerCase() + ")";
        publish(why);
        log.println("[debugger] " + why + " at 0x" + Long.toHexString(ev.pc()) + where(ev.pc())
                + "; changed: " + String.join(" ", lastChanged));
        return ev;
    }

    /** Runs until {@code target} with a breakpoint there for the occasion (kept if the user had one). */
    private StopEvent runTo(long target) {
        boolean added = debugger.addBreakpoint(target);
        try {
            return debugger.cont();
        } finally {
            if (added) debugger.removeBreakpoint(target);
        }
    }

    private boolean isCall(long pc) {
        List<Instruction> one = debugger.disassemble(pc, 1);
        if (one.isEmpty()) return false;
        String m = one.getFirst().mnemonic();
        return m.equals("bl") || m.equals("blr") || m.startsWith("blra");
    }

    private java.util.Optional<SymbolTable.Location> lookup(long address) {
        return symbols == null ? java.util.Optional.empty() : symbols.lookup(address);
    }

    /** {@code name+0x1c}, the name demangled. */
    private static String describe(SymbolTable.Location loc) {
        String name = SymbolNames.demangle(loc.symbol().name());
        return loc.offset() == 0 ? name : name + "+0x" + Long.toHexString(loc.offset());
    }

    private String where(long pc) {
        String s = symbolAt(pc);
        return s == null ? "" : " (" + s + ")";
    }

    private String symbolAt(long address) {
        var loc = lookup(address);
        if (loc.isPresent()) return describe(loc.get());
        return engine.symbolize(address).orElse(null);
    }

    // ---- capturing the state ----------------------------------------------------------------

    private void publish(String status) {
        lastStatus = status;
        Registers regs = captureRegisters();
        lastRegs = regs;
        if (memFollowsSp) memAddress = regs.get("sp") & ~7L;
        DebugState s = new DebugState(false, status, debugger.cycles(), debugger.instructionsRetired(), regs, lastChanged,
                disassembly(regs.get("pc")), debugger.breakpoints(), memory(), engine.reverseAvailable(),
                engine.reverseAvailable() ? "" : engine.reverseUnavailableReason());
        state.set(s);
        onChange.run();
    }

    Registers captureRegisters() {
        Map<String, Long> v = new LinkedHashMap<>();
        for (int i = 0; i <= 30; i++) v.put("x" + i, debugger.x(i));
        v.put("sp", debugger.sp());
        v.put("pc", debugger.pc());
        v.put("pstate", debugger.cpsr());
        v.put("sp_el0", uc.reg(Arm64Reg.SP_EL0));
        v.put("sp_el1", uc.reg(Arm64Reg.SP_EL1));
        v.put("elr_el1", SysReg.ELR_EL1.read(uc));
        v.put("spsr_el1", SysReg.SPSR_EL1.read(uc));
        v.put("esr_el1", SysReg.ESR_EL1.read(uc));
        v.put("far_el1", SysReg.FAR_EL1.read(uc));
        v.put("vbar_el1", SysReg.VBAR_EL1.read(uc));
        v.put("ttbr0_el1", SysReg.TTBR0_EL1.read(uc));
        v.put("ttbr1_el1", SysReg.TTBR1_EL1.read(uc));
        v.put("sctlr_el1", SysReg.SCTLR_EL1.read(uc));
        v.put("tcr_el1", SysReg.TCR_EL1.read(uc));
        return new Registers(v);
    }

    private List<DebugState.Line> disassembly(long pc) {
        long lastVisible = codeStart + 4L * (visibleLines - 3);
        if (!codeStartChosen || (follow && (Long.compareUnsigned(pc, codeStart) < 0 || Long.compareUnsigned(pc, lastVisible) > 0))) {
            codeStart = pc - 4L * Math.min(8, visibleLines / 4);
            codeStartChosen = true;
        }
        List<Instruction> insns = debugger.disassemble(codeStart, DISASSEMBLY_LINES);
        if (insns.isEmpty() && follow && (pc & ~0xfffL) != (codeStart & ~0xfffL)) {
            codeStart = pc & ~0xfffL;   // the lines before PC are on an unmapped page: start at PC's
            if (pc - codeStart > 4L * 8) codeStart = pc - 4L * 8;
            insns = debugger.disassemble(codeStart, DISASSEMBLY_LINES);
        }
        List<DebugState.Line> out = new ArrayList<>(insns.size());
        for (Instruction i : insns) {
            var loc = lookup(i.address());
            String label = loc.isPresent() && loc.get().offset() == 0 ? SymbolNames.demangle(loc.get().symbol().name()) : null;
            String where = loc.map(DebugController::describe).orElseGet(() -> engine.symbolize(i.address()).orElse(null));
            out.add(new DebugState.Line(i.address(), i.word(), i.mnemonic(), i.operandText(), label, where));
        }
        return out;
    }

    private DebugState.Memory memory() {
        int n = DebugState.Memory.BYTES_PER_ROW;
        List<byte[]> rows = new ArrayList<>(memRows);
        for (int r = 0; r < memRows; r++) {
            long a = memAddress + (long) r * n;
            rows.add(memPhysical ? physical(a, n) : debugger.readMemory(a, n));
        }
        String translation;
        if (memPhysical) {
            translation = "physical " + hex(memAddress) + (ram.contains(memAddress, 1) ? " (RAM)" : " (not RAM: not shown)");
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
