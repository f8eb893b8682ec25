package org.vitrine.emulator.debug;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.vitrine.emulator.capstone.Instruction;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.cpu.SysReg;
import org.vitrine.emulator.display.HostInput;
import org.vitrine.emulator.snapshot.Snapshot;
import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.unicorn.Arm64Reg;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * The debugger engine behind {@code vitrine debug --batch} and the debugger view: OS-aware stops
 * and rewinding on top of {@link Debugger} (registers, memory, disassembly, the run itself).
 *
 * <p><b>API</b> (all on the emulation thread, between runs; {@link #interrupt()} from anywhere):
 * <ul>
 *   <li>Breakpoints: {@link #breakAt} (address or {@link Symbols#resolve symbol}, optionally only
 *       in one pid), {@link #deleteBreakpoint}; watchpoints on a virtual range: {@link #watch}
 *       (read, write or access; a user address is watched in the address space current when set),
 *       {@link #deleteWatchpoint}; catches: {@link #catchSyscall}, {@link #catchException},
 *       {@link #catchIrq}, {@link #catchProcessSwitch}.</li>
 *   <li>Forward: {@link #cont}, {@link #step}, {@link #next} (over calls and system calls),
 *       {@link #finish} (to the caller), {@link #runTo}.</li>
 *   <li>Backward: {@link #reverseStep}, {@link #reverseCont} (to the previous breakpoint or
 *       watchpoint hit), {@link #lastWriter} ("who last wrote this address", without moving).</li>
 *   <li>State: {@link #registers}, {@link #readMemory}, {@link #backtrace}, {@link #processes},
 *       {@link #currentPid}, {@link #describe}, {@link #position}; {@link #debugger()} for the rest
 *       (vector registers, disassembly).</li>
 * </ul>
 * Every resume returns a {@link Stop}: why, where, and for a watchpoint the access.
 *
 * <p><b>Rewinding.</b> The machine is deterministic, so going back is restoring an earlier
 * checkpoint and running forward to the instruction wanted. The engine keeps checkpoints (through
 * {@link MachineState}) at its start, at stops that are far enough from the previous one, and
 * every {@link #setSnapshotInterval snapshot interval} of a continue, in a bounded
 * {@link RewindHistory} that thins them geometrically towards the past. A point of the run is a
 * {@link Position}: instructions retired plus exceptions taken, both exact at every instruction.
 * Going to a position runs at full speed to a little before its cycle, then with a
 * per-instruction hook to the position itself; a long full-speed stretch leaves a checkpoint
 * there for the next rewind. One reverse step is one restore and one replay that stops right
 * before the present ({@link #isPrevious}). A debugger stop in the middle of a translated block
 * does not change where interrupts land afterwards ({@link Cpu#continuation}, kept in every checkpoint), so a debugged run,
 * a replayed one and an undebugged one take the same path.
 *
 * <p><b>Host input.</b> What the window gave the guest (keys, pointer) is part of the past a rewind
 * returns to: the engine keeps each delivery in an {@link InputJournal} with where it reached the
 * machine, and a replay gives it again there (a run is split at its cycle, as the live run was by
 * the host's delivery); a checkpoint keeps how many deliveries it had. Input the host posts while
 * the machine is in the past (after a rewind) or replaying waits, and reaches the guest when a
 * forward run gets back to the furthest point the run had reached; input posted while the user
 * looks at the present reaches it at the next resume, as without a debugger. A delivery that came
 * at a stop (posted while the debugger held the guest) is given after that instruction: a replay
 * that ends there leaves it for the resume that follows, as the live run did.
 *
 * <p><b>Watchpoints</b> are Unicorn memory hooks over the RAM behind the watched range (libunicorn
 * 2.1.4 hands memory hooks physical addresses), installed only while a watchpoint exists (loads
 * and stores then take a slower path). An access asks the CPU to stop;
 * the engine then rewinds to the instruction right after the accessing one, so the stop is exact
 * whatever block the access was in.
 *
 * <p><b>Processes</b> are rost's: the pid is the ASID of TTBR0_EL1 minus one (rost gives pid n
 * the ASID n mod 65535 + 1), the program is found by {@link Symbols#programOf}; the whole table
 * comes from the kernel's memory ({@link ProcessTable}).
 */
public final class DebugEngine implements AutoCloseable {
    /** How the engine saves and restores the whole machine (a board's snapshot API). */
    public interface MachineState {
        Snapshot take();

        void restore(Snapshot s) throws SnapshotException;

        /**
         * The engine is replaying a stretch the user already saw (on) or done (off): a frontend
         * mutes the guest's console meanwhile, or it would print that output twice.
         */
        default void replaying(boolean on) { }

        /** Where the host's input reaches this machine (its deliveries are journaled and replayed), or null: none. */
        default HostInput input() {
            return null;
        }
    }

    public enum WatchKind { READ, WRITE, ACCESS }

    public enum Reason { BREAKPOINT, WATCHPOINT, STEP, REACHED, EXCEPTION, SYSCALL, PROCESS_SWITCH, HISTORY_START, INTERRUPTED, EXITED }

    /** @param program only in processes running this program (a user address of {@code program:symbol}), or null */
    public record Breakpoint(int id, long address, OptionalLong pid, String program, String where) {
        boolean matches(long pidNow, java.util.function.Supplier<String> programNow) {
            return (pid.isEmpty() || pid.getAsLong() == pidNow) && (program == null || program.equals(programNow.get()));
        }
    }

    /**
     * @param address  the virtual address watched
     * @param physical where it is in RAM (libunicorn's memory hooks see physical addresses, so an
     *                 access through any mapping of it, e.g. the kernel's, is seen)
     */
    public record Watchpoint(int id, long address, long length, WatchKind kind, long physical) { }

    /** A watched access: the instruction, what it touched, and the positions of the instruction and right after it. */
    public record Access(Watchpoint watchpoint, long pc, long address, int size, long value, boolean write, long pid, Position at,
                         Position after) {
        /** Where a watchpoint stop leaves the machine. */
        Position stop(boolean before) {
            return before ? at : after;
        }
    }

    /** Why a resume ended: {@code detail} is one line for people, {@code access} set for watchpoints, {@code exit} for EXITED. */
    public record Stop(Reason reason, long pc, String detail, Position position, Access access, Cpu.Exit exit) { }

    public record Frame(int level, long pc, String where) { }

    private static final long NONE = 1;
    /**
     * Cycles before a rewind target where the full-speed part of a replay ends: more than one
     * translated block costs with the fixed timing (at most 512 instructions); a run that still
     * goes past the target (the a53 model's slow blocks) is tried again with 16 times the margin.
     */
    private static final long MARGIN = 1 << 12;
    private static final long STOP_SNAPSHOT_GAP = 2_000_000;
    /** At most this many checkpoints, of at most this many bytes together (a rost console session's are ~1 MB each). */
    private static final int HISTORY = 64;
    private static final long HISTORY_BYTES = 512L << 20;
    /** A rewind that runs more cycles than this from its checkpoint leaves a new one near its target, for the next. */
    private static final long CHECKPOINT_ON_THE_WAY = 1 << 18;

    /** Cycles between the checkpoints a continue takes: a take costs ~1-5 ms (~5 % of the run at this pace). */
    public static final long DEFAULT_SNAPSHOT_EVERY = 8_000_000;

    private enum Mode { RUN, STEP, REPLAY }

    /** A checkpoint: the machine, where a cut block resumes, and how many host input deliveries it had had. */
    private record Saved(Snapshot snapshot, int inputs) { }

    private final Debugger dbg;
    private final Cpu cpu;
    private final Unicorn uc;
    private final MachineState state;
    private final Symbols symbols;
    private final Unicorn.CodeStub stub;
    private final RewindHistory<Saved> history = new RewindHistory<>(HISTORY, HISTORY_BYTES, s -> s.snapshot().size());
    private long restores;
    private final ProcessTable processTable;
    private final Unwinder unwinder;
    private final HostInput input;
    private final InputJournal journal;
    private final Runnable stopListening;
    /** Between a restore and the end of the command: the machine replays a past (host input waits). */
    private boolean rewinding;
    /** Where the user's forward resume in progress started (a delivery there came at a stop), or null. */
    private Position resumeStart;
    private Cpu.InstructionHook hook;
    private final List<Unicorn.Hook> watchHooks = new ArrayList<>();

    private final TreeMap<Long, List<Breakpoint>> breakpoints = new TreeMap<>(Long::compareUnsigned);
    private final List<Watchpoint> watchpoints = new ArrayList<>();
    private final Set<Integer> catchClasses = new TreeSet<>();
    private final Set<Long> catchSyscalls = new TreeSet<>();
    private long catchPid = -1;
    private boolean catchAnySyscall, catchIrq, catchSwitch;
    private int nextId = 1;
    private long untilCycle = Long.MAX_VALUE;
    private long snapshotEvery = DEFAULT_SNAPSHOT_EVERY;
    /** Cycles to the next checkpoint of a continue: {@link #snapshotEvery}, or more while takes are slow ({@link #pace}). */
    private long checkpointPace = DEFAULT_SNAPSHOT_EVERY;
    private static final long MAX_PACE = 16;
    private boolean watchStopsBefore;

    // the resume in progress (hooks run on the emulation thread)
    private Mode mode = Mode.RUN;
    private long stepsLeft;
    private long skipAddress = NONE;
    private Reason hookReason;
    private String hookDetail;
    private Access pendingAccess;
    private long tempAddress = NONE, tempMinSp, tempAsid = -1;
    private long vbar;
    private boolean lastWasUser;
    private long lastUserAsid = -1;
    private boolean watchesOn = true;
    // a replay: where it stops, the positions it went through (newest last), the hits it saw
    private Position target;
    private Position lastSeen;
    private Deque<Position> ring;
    private int ringSize;
    private List<Position> hitPositions;
    private List<Access> hitAccesses;
    // a replay to the position right before its target: stopped there, or passed it (then the last position before)
    private boolean toPrevious, foundPrevious;
    private Position passedAfter;

    public DebugEngine(Debugger debugger, MachineState state, Symbols symbols) {
        this.dbg = debugger;
        this.cpu = debugger.machine().cpu();
        this.uc = debugger.machine().unicorn();
        this.state = state;
        this.symbols = symbols;
        this.stub = uc.codeStub(this::onInstruction);
        this.processTable = new ProcessTable(this::readMemory, () -> symbols.resolve("sched::SCHEDULER"));
        this.unwinder = new Unwinder(this::readMemory, va -> symbols.locate(va, isUser(va) ? currentProgram() : Optional.empty()));
        this.input = state.input();
        this.journal = new InputJournal(cpu.cycles());
        this.stopListening = input == null ? () -> { } : input.addDeliveryListener(this::onLiveInput);
        snapshot();
    }

    public Debugger debugger() {
        return dbg;
    }

    public Symbols symbols() {
        return symbols;
    }

    /** Runs end at this cycle (exclusive), as {@link Cpu#run}'s limit. */
    public void setTimeLimit(long cycle) {
        untilCycle = cycle;
    }

    /** Cycles between the snapshots a continue takes for rewinding (and so the most a rewind replays at full speed). */
    public void setSnapshotInterval(long cycles) {
        if (cycles < 1) throw new IllegalArgumentException("snapshot interval must be positive");
        snapshotEvery = cycles;
        checkpointPace = cycles;
    }

    /**
     * Where a watchpoint stops: after the accessing instruction (default, as x86 and the batch
     * debugger report it) or before it (as AArch64 hardware does: gdb then steps over the access
     * itself to show the new value).
     */
    public void setWatchStopsBefore(boolean before) {
        watchStopsBefore = before;
    }

    /** Stops a resume in progress; safe from any thread. */
    public void interrupt() {
        dbg.interrupt();
    }

    // ---- breakpoints, watchpoints, catches --------------------------------------------------------

    public Breakpoint breakAt(long address, OptionalLong pid) {
        return breakAt(address, pid, null);
    }

    /** A breakpoint that stops only where {@code pid} (if given) runs {@code program} (if not null). */
    public Breakpoint breakAt(long address, OptionalLong pid, String program) {
        String where = program != null ? symbols.describe(address, symbols.programs().stream().filter(p -> p.name().equals(program)).findFirst())
                : describe(address);
        Breakpoint b = new Breakpoint(nextId++, address, pid, program, where);
        breakpoints.computeIfAbsent(address, a -> new ArrayList<>()).add(b);
        return b;
    }

    public boolean deleteBreakpoint(int id) {
        boolean removed = false;
        for (List<Breakpoint> l : breakpoints.values()) removed |= l.removeIf(b -> b.id() == id);
        breakpoints.values().removeIf(List::isEmpty);
        return removed;
    }

    public List<Breakpoint> breakpoints() {
        return breakpoints.values().stream().flatMap(List::stream).toList();
    }

    /**
     * Watches [address, address + length), a virtual range of the current address space, by the
     * RAM behind it, which must be mapped and contiguous now.
     */
    public Watchpoint watch(long address, long length, WatchKind kind) {
        if (length < 1 || length > 1 << 20) throw new IllegalArgumentException("watch length must be 1..1048576: " + length);
        Watchpoint w = new Watchpoint(nextId++, address, length, kind, physical(address, length));
        watchpoints.add(w);
        return w;
    }

    private long physical(long address, long length) {
        long pa = cpu.translateVa(address);
        if (pa == org.vitrine.emulator.cpu.PageTableWalker.FAULT) {
            throw new IllegalArgumentException(String.format("0x%x is not mapped in the current address space", address));
        }
        for (long page = (address | 0xfff) + 1; Long.compareUnsigned(page, address + length) < 0; page += 0x1000) {
            if (cpu.translateVa(page) != pa + (page - address)) {
                throw new IllegalArgumentException(String.format("0x%x..0x%x is not contiguous in RAM: watch each page", address, address + length));
            }
        }
        return pa;
    }

    public boolean deleteWatchpoint(int id) {
        return watchpoints.removeIf(w -> w.id() == id);
    }

    public List<Watchpoint> watchpoints() {
        return List.copyOf(watchpoints);
    }

    /** Stop when the kernel is entered for system call {@code number} (x8), or any with -1. */
    public void catchSyscall(long number) {
        catchSyscall(number, OptionalLong.empty());
    }

    /** As {@link #catchSyscall(long)}, only for system calls of {@code pid} (when given; one pid for all catches). */
    public void catchSyscall(long number, OptionalLong pid) {
        catchPid = pid.orElse(-1);
        if (number < 0) catchAnySyscall = true;
        else catchSyscalls.add(number);
    }

    /** Stop on entry to a synchronous exception of this class (ESR_EL1.EC, e.g. 0x24 data abort). */
    public void catchException(int ec) {
        catchClasses.add(ec);
    }

    public void catchIrq(boolean on) {
        catchIrq = on;
    }

    /** Stop when user code of another process than the last one starts running. */
    public void catchProcessSwitch(boolean on) {
        catchSwitch = on;
    }

    /** Removes every catch. */
    public void clearCatches() {
        catchSyscalls.clear();
        catchClasses.clear();
        catchAnySyscall = catchIrq = catchSwitch = false;
        catchPid = -1;
    }

    private boolean catching() {
        return catchAnySyscall || catchIrq || catchSwitch || !catchSyscalls.isEmpty() || !catchClasses.isEmpty();
    }

    // ---- forward --------------------------------------------------------------------------------

    /** Runs until a breakpoint, watchpoint, catch, interrupt or the machine stops by itself. */
    public Stop cont() {
        skipAddress = dbg.pc();
        return resume(Mode.RUN);
    }

    /** Executes {@code count} instructions (an exception entry counts as where the next one is). */
    public Stop step(long count) {
        if (count < 1) throw new IllegalArgumentException("step count must be positive: " + count);
        stepsLeft = count;
        return resume(Mode.STEP);
    }

    /**
     * One instruction, but a call (BL, BLR) or a system call (SVC) runs until it returns here: the
     * next instruction with the stack no deeper, in the same process for user code (kernel code
     * returns on its own stack even when the call switched processes).
     */
    public Stop next() {
        long pc = dbg.pc();
        List<Instruction> insn = dbg.disassemble(pc, 1);
        String m = insn.isEmpty() ? "" : insn.getFirst().mnemonic();
        if (!m.equals("bl") && !m.equals("blr") && !m.equals("svc")) return step(1);
        return runUntil(pc + 4, dbg.sp(), isUser(pc) ? currentAsid() : -1);
    }

    /** Runs until the current function returns to its caller (frame 1 of the backtrace). */
    public Stop finish() {
        List<Frame> frames = backtrace(2);
        if (frames.size() < 2) return new Stop(Reason.STEP, dbg.pc(), "finish: no caller found (no frame record)", position(), null, null);
        return runUntil(frames.get(1).pc(), dbg.sp(), isUser(dbg.pc()) ? currentAsid() : -1);
    }

    /** Runs until {@code address} is reached (in any process). */
    public Stop runTo(long address) {
        return runUntil(address, 0, -1);
    }

    private Stop runUntil(long address, long minSp, long asid) {
        tempAddress = address;
        tempMinSp = minSp;
        tempAsid = asid;
        try {
            return cont();
        } finally {
            tempAddress = NONE;
        }
    }

    private Stop resume(Mode m) {
        mode = m;
        rewinding = false;
        resumeStart = position();
        hookReason = null;
        hookDetail = null;
        pendingAccess = null;
        vbar = SysReg.VBAR_EL1.read(uc);
        lastWasUser = isUser(dbg.pc());
        if (lastWasUser) lastUserAsid = currentAsid();
        syncHooks();
        StopEvent ev;
        try {
            while (true) {
                long chunkEnd = m == Mode.RUN && checkpointPace < Long.MAX_VALUE - cpu.cycles()
                        ? Math.min(untilCycle, cpu.cycles() + checkpointPace) : untilCycle;
                dbg.setTimeLimit(chunkEnd);
                long ran = System.nanoTime();
                ev = run(chunkEnd);
                ran = System.nanoTime() - ran;
                boolean chunkDone = ev.reason() == StopEvent.Reason.EXITED && ev.exit().kind() == Cpu.ExitKind.TIME_LIMIT
                        && cpu.cycles() < untilCycle && hookReason == null && pendingAccess == null;
                if (!chunkDone) break;
                long took = System.nanoTime();
                snapshot();
                pace(ran, System.nanoTime() - took);
            }
        } finally {
            mode = Mode.RUN;
            skipAddress = NONE;
            resumeStart = null;
        }
        Access access = pendingAccess;
        if (access != null) {
            if (!position().sameAs(access.stop(watchStopsBefore))) goTo(access.stop(watchStopsBefore));
            return stopped(Reason.WATCHPOINT, describeAccess(access), access, null);
        }
        if (hookReason != null) return stopped(hookReason, hookDetail, null, null);
        if (ev.reason() == StopEvent.Reason.EXITED) return stopped(Reason.EXITED, ev.exit().message(), null, ev.exit());
        return stopped(Reason.INTERRUPTED, "interrupted", null, null);
    }

    private Stop stopped(Reason r, String detail, Access access, Cpu.Exit exit) {
        endReplay();
        if (exit == null) maybeSnapshot();
        return new Stop(r, dbg.pc(), detail, position(), access, exit);
    }

    /** The instruction hook, installed while breakpoints, catches, a step, a temporary stop or a replay need it. */
    private void onInstruction(long address, int size) {
        switch (mode) {
            case REPLAY -> replayHook(address);
            case STEP -> {
                if (stepsLeft-- == 0) stopHere(address, Reason.STEP, "step");
            }
            case RUN -> runHook(address);
        }
    }

    private void runHook(long address) {
        if (address == skipAddress) {
            skipAddress = NONE;
            return;
        }
        if (address == tempAddress && Long.compareUnsigned(uc.reg(Arm64Reg.SP), tempMinSp) >= 0
                && (tempAsid < 0 || tempAsid == currentAsid())) {
            stopHere(address, Reason.REACHED, "reached " + describe(address));
            return;
        }
        List<Breakpoint> bs = breakpoints.get(address);
        if (bs != null) {
            for (Breakpoint b : bs) {
                if (b.matches(currentPid(), this::programName)) {
                    stopHere(address, Reason.BREAKPOINT, "breakpoint " + b.id() + " at " + describe(address) + " pid " + currentPid());
                    return;
                }
            }
        }
        if (catching()) checkCatches(address);
    }

    private void checkCatches(long address) {
        boolean user = isUser(address);
        if (user != lastWasUser) vbar = SysReg.VBAR_EL1.read(uc);   // the kernel may have set it since the resume
        long offset = address - vbar;
        if (offset >= 0 && offset < 0x800) {
            int kind = (int) (offset >> 7) & 3;
            if (kind == 0) {
                int ec = (int) (SysReg.ESR_EL1.read(uc) >>> 26) & 0x3f;
                long elr = SysReg.ELR_EL1.read(uc);
                if (ec == 0x15) {
                    long nr = uc.reg(Arm64Reg.x(8));
                    if ((catchAnySyscall || catchSyscalls.contains(nr)) && (catchPid < 0 || catchPid == currentPid())) {
                        stopHere(address, Reason.SYSCALL, "syscall " + nr + " from pid " + currentPid() + " at " + describe(elr - 4));
                    }
                } else if (catchClasses.contains(ec)) {
                    stopHere(address, Reason.EXCEPTION, String.format("exception class 0x%x from pid %d at %s", ec, currentPid(), describe(elr)));
                }
            } else if (kind == 1 && catchIrq) {
                stopHere(address, Reason.EXCEPTION, "irq at " + describe(SysReg.ELR_EL1.read(uc)));
            }
        }
        if (catchSwitch && user && !lastWasUser) {
            long asid = currentAsid();
            if (lastUserAsid >= 0 && asid != lastUserAsid) {
                stopHere(address, Reason.PROCESS_SWITCH, "process switch: pid " + (lastUserAsid - 1) + " -> pid " + (asid - 1)
                        + " (" + programName() + ")");
            }
            lastUserAsid = asid;
        }
        lastWasUser = user;
    }

    private void stopHere(long address, Reason r, String detail) {
        if (hookReason != null) return;
        hookReason = r;
        hookDetail = detail;
        cpu.breakBefore(address);
    }

    private boolean isUser(long va) {
        return Long.compareUnsigned(va, RostAddressSpace.USER_TOP) < 0 && !symbols.inKernel(va);
    }

    // ---- watchpoints ------------------------------------------------------------------------------

    /** A memory hook: {@code pa} is physical (see {@link Watchpoint}); reported as the watched virtual address. */
    private void onAccess(Watchpoint w, boolean write, long pa, int size, long value) {
        if (!watchesOn || Long.compareUnsigned(pa + size, w.physical()) <= 0
                || Long.compareUnsigned(pa, w.physical() + w.length()) >= 0) return;
        long address = w.address() + (pa - w.physical());
        long pc = uc.reg(Arm64Reg.PC);
        if (!write) value = littleEndian(readPhysical(pa, Math.min(size, 8)));
        long retired = cpu.retiredBefore(pc);
        Position at = new Position(retired, cpu.exceptionsTaken(), cpu.cycleBefore(pc), pc);
        Position after = new Position(retired + 1, cpu.exceptionsTaken(), cpu.cycleBefore(pc + 4), Position.ANY_PC);
        Access a = new Access(w, pc, address, size, value, write, currentPid(), at, after);
        if (hitAccesses != null) {
            hitAccesses.add(a);
        } else if (mode != Mode.REPLAY && pendingAccess == null) {
            pendingAccess = a;
            cpu.requestStop();
        }
    }

    private byte[] readPhysical(long pa, int n) {
        try {
            return dbg.machine().ram().read(pa, n);
        } catch (RuntimeException | org.vitrine.emulator.memory.PhysicalMemory.BadAddressException e) {
            return new byte[0];
        }
    }

    private static long littleEndian(byte[] b) {
        long v = 0;
        for (int i = Math.min(8, b.length) - 1; i >= 0; i--) v = v << 8 | (b[i] & 0xff);
        return v;
    }

    private String describeAccess(Access a) {
        return String.format("watchpoint %d: %s of %d bytes at 0x%x (value 0x%x) by %s, pid %d", a.watchpoint().id(),
                a.write() ? "write" : "read", a.size(), a.address(), a.value(), describe(a.pc()), a.pid());
    }

    /** Installs exactly the hooks the current state needs (none: the machine runs as without a debugger). */
    private void syncHooks() {
        boolean code = mode != Mode.RUN || tempAddress != NONE || !breakpoints.isEmpty() || catching() || target != null;
        if (code && hook == null) hook = cpu.hookInstructions(stub, 1, 0);
        if (!code && hook != null) {
            hook.close();
            hook = null;
        }
        for (Unicorn.Hook h : watchHooks) h.remove();
        if (!watchHooks.isEmpty()) flushForMemoryHooks();
        watchHooks.clear();
        if (!watchesOn) return;
        for (Watchpoint w : watchpoints) {
            long begin = w.physical() - 15, end = w.physical() + w.length() - 1;   // a wide access may start before the range
            if (w.kind() != WatchKind.WRITE) {
                watchHooks.add(uc.hookMemory(Unicorn.HOOK_MEM_READ, (t, a, s, v) -> onAccess(w, false, a, s, v), begin, end));
            }
            if (w.kind() != WatchKind.READ) {
                watchHooks.add(uc.hookMemory(Unicorn.HOOK_MEM_WRITE, (t, a, s, v) -> onAccess(w, true, a, s, v), begin, end));
            }
        }
        if (!watchHooks.isEmpty()) flushForMemoryHooks();
    }

    /** Translated code and TLB entries made without (or with) memory hooks keep their fast (or slow) path otherwise. */
    private void flushForMemoryHooks() {
        uc.retranslate();
        uc.flushTlb();
    }

    // ---- rewinding --------------------------------------------------------------------------------

    /** Where the machine is now. */
    public Position position() {
        return new Position(cpu.instructionsRetired(), cpu.exceptionsTaken(), cpu.cycles(), dbg.pc());
    }

    private void snapshot() {
        history.add(position(), new Saved(state.take(), journal.delivered()));
    }

    /**
     * Keeps checkpoints at most ~1/10 of a continue's host time: a take that cost more than that
     * of the stretch it follows (a guest with much RAM in use, a loaded host) doubles the cycles
     * to the next one, up to {@link #MAX_PACE} times the interval asked for; a cheap one halves
     * them back. Only the host's time changes: where checkpoints fall never changes what the
     * guest does.
     */
    private void pace(long ranNanos, long tookNanos) {
        if (tookNanos * 10 > ranNanos) {
            long most = snapshotEvery > Long.MAX_VALUE / MAX_PACE ? snapshotEvery : snapshotEvery * MAX_PACE;
            checkpointPace = Math.min(checkpointPace > Long.MAX_VALUE / 2 ? checkpointPace : checkpointPace * 2, most);
        } else if (tookNanos * 40 < ranNanos) {
            checkpointPace = Math.max(checkpointPace / 2, snapshotEvery);
        }
    }

    private void maybeSnapshot() {
        RewindHistory.Entry<Saved> e = history.atOrBefore(position());
        if (e == null || position().retired() - e.position().retired() >= STOP_SNAPSHOT_GAP) snapshot();
    }

    private void restore(RewindHistory.Entry<Saved> e) {
        restores++;
        rewinding = true;
        hookReason = null;   // what stopped the last forward run: a replay's runs are not cut by it
        pendingAccess = null;
        state.replaying(true);
        // held before the restore: the snapshot's queue of undelivered host input is then left
        // alone (HostInput.snapshotPart), since the journal gives the past its input and what the
        // host posts now belongs to the present
        if (input != null) input.hold(true);
        try {
            state.restore(e.state().snapshot());
        } catch (SnapshotException ex) {
            throw new IllegalStateException("the debugger's own snapshot did not restore: " + ex.getMessage(), ex);
        }
        journal.rewindTo(e.state().inputs());
    }

    /** The command's replays are over (the console may speak again). */
    private void endReplay() {
        rewinding = false;
        state.replaying(false);
    }

    /** Goes back {@code count} instructions (exception entries count as one). */
    public Stop reverseStep(long count) {
        if (count < 1) throw new IllegalArgumentException("step count must be positive: " + count);
        Position now = position();
        if (count == 1) {
            RewindHistory.Entry<Saved> e = history.before(now);
            if (e == null) return stopped(Reason.HISTORY_START, "no history before this point", null, null);
            goToPrevious(e, now);
            return stopped(Reason.STEP, "reverse-step", null, null);
        }
        for (RewindHistory.Entry<Saved> e = history.before(now); e != null; e = history.before(e.position())) {
            List<Position> seen = positionsBefore(e, now, count);
            if (seen.size() >= count) {
                goTo(seen.get(seen.size() - (int) count));
                return stopped(Reason.STEP, "reverse-step", null, null);
            }
            if (history.before(e.position()) == null) {
                restore(e);
                return stopped(Reason.HISTORY_START, "reached the start of the recorded history", null, null);
            }
        }
        return stopped(Reason.HISTORY_START, "no history before this point", null, null);
    }

    /** The last {@code count} positions before {@code end}, replaying from {@code e} (the machine ends at {@code end}). */
    private List<Position> positionsBefore(RewindHistory.Entry<Saved> e, Position end, long count) {
        long margin = MARGIN * Math.max(1, Math.min(count, 1 << 10));
        for (boolean fast : new boolean[] {true, false}) {
            restore(e);
            if (fast && end.cycle() - margin <= cpu.cycles()) continue;
            if (fast) approach(e, end, margin);
            ring = new ArrayDeque<>();
            ringSize = (int) Math.min(count, 1 << 20);
            replayTo(end);
            List<Position> seen = new ArrayList<>(ring);
            ring = null;
            if (seen.size() >= count || !fast) return seen;
        }
        return List.of();
    }

    /** Back to the previous breakpoint or watchpoint hit (or the start of the history). */
    public Stop reverseCont() {
        Position now = position();
        Position end = now;
        for (RewindHistory.Entry<Saved> e = history.before(now); e != null; e = history.before(e.position())) {
            restore(e);
            hitPositions = new ArrayList<>();
            hitAccesses = new ArrayList<>();
            List<Position> bps;
            List<Access> accesses;
            try {
                replayTo(end);
            } finally {
                bps = hitPositions;
                accesses = hitAccesses;
                hitPositions = null;
                hitAccesses = null;
            }
            Position best = null;
            Access bestAccess = null;
            for (Position p : bps) if (p.compareTo(now) < 0 && (best == null || p.compareTo(best) > 0)) best = p;
            for (Access a : accesses) {
                Position p = a.stop(watchStopsBefore);
                if (p.compareTo(now) < 0 && (best == null || p.compareTo(best) > 0)) {
                    best = p;
                    bestAccess = a;
                }
            }
            if (best != null) {
                goTo(best);
                if (bestAccess != null) return stopped(Reason.WATCHPOINT, describeAccess(bestAccess), bestAccess, null);
                return stopped(Reason.BREAKPOINT, "breakpoint at " + describe(dbg.pc()) + " pid " + currentPid(), null, null);
            }
            end = e.position();
            if (history.before(e.position()) == null) {
                restore(e);
                return stopped(Reason.HISTORY_START, "reached the start of the recorded history", null, null);
            }
        }
        return stopped(Reason.HISTORY_START, "no history before this point", null, null);
    }

    /**
     * The last write to [address, address + length) before now, found by replaying the recorded
     * history backwards segment by segment; the machine ends where it was. Empty when none was
     * recorded.
     */
    public Optional<Access> lastWriter(long address, long length) {
        Position now = position();
        Watchpoint probe = new Watchpoint(0, address, length, WatchKind.WRITE, physical(address, length));
        watchpoints.add(probe);
        Optional<Access> found = Optional.empty();
        try {
            Position end = now;
            for (RewindHistory.Entry<Saved> e = history.before(now); e != null && found.isEmpty(); e = history.before(e.position())) {
                restore(e);
                hitAccesses = new ArrayList<>();
                replayTo(end);
                for (Access a : hitAccesses) if (a.watchpoint() == probe && a.after().compareTo(now) <= 0) found = Optional.of(a);
                end = e.position();
            }
        } finally {
            hitAccesses = null;
            watchpoints.remove(probe);
            goTo(now);
            endReplay();
        }
        return found;
    }

    /** Puts the machine at {@code p}: restores the latest snapshot at or before it and runs forward. */
    private void goTo(Position p) {
        RewindHistory.Entry<Saved> e = history.atOrBefore(p);
        if (e == null) throw new IllegalStateException("no snapshot at or before " + p);
        restore(e);
        if (e.position().sameAs(p)) return;
        approach(e, p, MARGIN);
        replayTo(p);
    }

    /**
     * Puts the machine at the position right before {@code p} with one restore (of {@code e},
     * strictly before {@code p}) and one replay, which stops where the next position can only be
     * {@code p} ({@link #isPrevious}). When it cannot tell (an instruction before an exception
     * entry that may or may not have trapped) it runs on; arriving at {@code p} then, it goes to
     * the last position it saw before with a second replay.
     */
    private void goToPrevious(RewindHistory.Entry<Saved> e, Position p) {
        restore(e);
        approach(e, p, MARGIN);
        toPrevious = true;
        foundPrevious = false;
        passedAfter = null;
        try {
            replayTo(p);
        } finally {
            toPrevious = false;
        }
        if (!foundPrevious && passedAfter != null) goTo(passedAfter);
    }

    /**
     * With the machine restored from {@code e}, runs at full speed to {@code margin} cycles before
     * {@code p} (and back to {@code e} if that went too far, which only odd timing could do); a long
     * stretch leaves a checkpoint there, so the next rewind near {@code p} replays only the margin.
     */
    private void approach(RewindHistory.Entry<Saved> e, Position p, long margin) {
        for (long m = margin; p.cycle() - m > cpu.cycles(); m *= 16) {
            fastRun(p.cycle() - m);
            if (position().compareTo(p) < 0) {
                if (cpu.cycles() - e.position().cycle() > CHECKPOINT_ON_THE_WAY) snapshot();
                return;
            }
            restore(e);
        }
    }

    /**
     * Whether the position after {@code q} (the instruction at {@code address}) must be {@code p}.
     * Positions of a run only grow, by one instruction retired (and an interrupt possibly taken
     * after it), one exception entered without retiring (an abort), or both (SVC, BRK); a count
     * pair appears once in a run. So one instruction fewer, or one exception fewer, than {@code p}
     * is right before it; one of each is only when the instruction traps and retires (checked for
     * SVC and BRK: anything else is left to the fallback).
     */
    private boolean isPrevious(Position q, Position p, long address) {
        long dr = p.retired() - q.retired(), dt = p.taken() - q.taken();
        if (dr == 1 && dt == 0 || dr == 0 && dt == 1) return true;
        if (dr != 1 || dt != 1) return false;
        byte[] b = readMemory(address, 4);
        if (b.length < 4) return false;
        int insn = (int) littleEndian(b);
        return (insn & 0xffe0001f) == 0xd4000001 || (insn & 0xffe0001f) == 0xd4200000;   // SVC #imm, BRK #imm
    }

    /** Snapshot restores done so far (a benchmark's measure of what a rewind cost). */
    public long restores() {
        return restores;
    }

    /** Runs without hooks to {@code cycle} (the full speed of an undebugged run). */
    private void fastRun(long cycle) {
        Mode saved = mode;
        mode = Mode.RUN;
        boolean watches = watchesOn;
        watchesOn = false;
        List<Breakpoint> keep = new ArrayList<>(breakpoints());
        boolean[] catches = {catchAnySyscall, catchIrq, catchSwitch};
        Set<Long> syscalls = Set.copyOf(catchSyscalls);
        Set<Integer> classes = Set.copyOf(catchClasses);
        breakpoints.clear();
        catchAnySyscall = catchIrq = catchSwitch = false;
        catchSyscalls.clear();
        catchClasses.clear();
        try {
            syncHooks();
            run(Math.min(cycle, untilCycle));
        } finally {
            for (Breakpoint b : keep) breakpoints.computeIfAbsent(b.address(), a -> new ArrayList<>()).add(b);
            catchAnySyscall = catches[0];
            catchIrq = catches[1];
            catchSwitch = catches[2];
            catchSyscalls.addAll(syscalls);
            catchClasses.addAll(classes);
            watchesOn = watches;
            mode = saved;
        }
    }

    /** Runs with the hook from where the machine is to {@code p}, recording positions and hits as asked. */
    private void replayTo(Position p) {
        target = p;
        mode = Mode.REPLAY;
        lastSeen = null;
        try {
            syncHooks();
            // First to the target's cycle: a target waiting in WFI is reached by time, no instruction runs there.
            StopEvent ev = run(p.cycle());
            if (timeLimit(ev) && position().sameAs(p) && cpu.cycles() == p.cycle()) {
                endReplayHere();
                return;
            }
            // a target where a time limit stopped the run starts the block the limit kept from running
            if (timeLimit(ev)) ev = run(Math.max(untilCycle, p.cycle() + 1));
            if (ev.reason() == StopEvent.Reason.EXITED) {
                throw new IllegalStateException("replay ended before reaching " + p + ": " + ev.exit().message());
            }
        } finally {
            target = null;
            mode = Mode.RUN;
            syncHooks();
        }
    }

    private void replayHook(long address) {
        Position here = new Position(cpu.retiredBefore(address), cpu.exceptionsTaken(), cpu.cycleBefore(address), address);
        if (lastSeen != null && lastSeen.sameAs(here)) return;   // the hook runs again for an instruction a stop came before
        Position before = lastSeen;
        lastSeen = here;
        if (reachedTarget(here)) {
            if (toPrevious) passedAfter = before;
            cpu.breakBefore(address);
            return;
        }
        if (toPrevious && isPrevious(here, target, address)) {
            foundPrevious = true;
            cpu.breakBefore(address);
            return;
        }
        if (ring != null) {
            ring.addLast(here);
            if (ring.size() > ringSize) ring.removeFirst();
        }
        if (hitPositions != null) {
            List<Breakpoint> bs = breakpoints.get(address);
            if (bs != null) {
                for (Breakpoint b : bs) {
                    if (b.matches(currentPid(), this::programName)) {
                        hitPositions.add(here);
                        break;
                    }
                }
            }
        }
    }

    private boolean reachedTarget(Position here) {
        int c = here.compareTo(target);
        return c > 0 || c == 0 && here.sameAs(target);
    }

    // ---- host input -------------------------------------------------------------------------------

    /**
     * Runs the machine as {@link Debugger#cont} to {@code limit}, giving it the journal's input on
     * the way: the run stops at each delivery's cycle to hand it over, and (going forward, not
     * replaying) at the present, from where the host's input flows again.
     */
    private StopEvent run(long limit) {
        while (true) {
            if (!deliverDue()) return endReplayHere();
            boolean live = !rewinding && !journal.inPast(cpu.cycles());
            if (input != null) input.hold(!live);
            long stopAt = limit;
            InputJournal.Entry next = journal.next();
            if (next != null) stopAt = Math.min(stopAt, Math.max(next.at().cycle(), cpu.cycles() + 1));
            if (!rewinding && !live) stopAt = Math.min(stopAt, journal.present());
            dbg.setTimeLimit(stopAt);
            StopEvent ev = dbg.cont();
            if (live) journal.reached(cpu.cycles());
            boolean split = stopAt < limit && timeLimit(ev) && hookReason == null && pendingAccess == null;
            if (!split) return ev;
        }
    }

    /**
     * Gives the machine the journal's deliveries that are due; false when one came at a stop where
     * this replay ends (it is left for the resume after, and the replay must end here: the machine
     * may be waiting in WFI, where no instruction hook would stop it).
     */
    private boolean deliverDue() {
        InputJournal.Entry e;
        while ((e = journal.next()) != null && e.at().cycle() <= cpu.cycles()) {
            if (e.atStop() && mode == Mode.REPLAY && (reachedTarget(position()) || toPrevious && isPrevious(position(), target, dbg.pc()))) {
                return false;
            }
            input.replay(e.delivery());
            journal.markDelivered();
        }
        return true;
    }

    private static boolean timeLimit(StopEvent ev) {
        return ev.reason() == StopEvent.Reason.EXITED && ev.exit().kind() == Cpu.ExitKind.TIME_LIMIT;
    }

    /** Ends a replay where the machine is, as {@link #replayHook} would at this instruction. */
    private StopEvent endReplayHere() {
        if (reachedTarget(position())) {
            if (toPrevious) passedAfter = lastSeen;
        } else {
            foundPrevious = true;
        }
        return new StopEvent(StopEvent.Reason.STEP, dbg.pc(), null);
    }

    /** The host's input reached the machine in a live run (emulation thread, inside the run). */
    private void onLiveInput(HostInput.Delivery d) {
        Position at = position();
        Position start = resumeStart;
        boolean atStop = start != null && at.retired() == start.retired() && at.taken() == start.taken() && at.cycle() == start.cycle();
        journal.record(new InputJournal.Entry(at, atStop, d));
    }

    /** Host input deliveries the machine had so far in this session (journaled for replays). */
    public int inputDeliveries() {
        return journal.size();
    }

    /** Positions kept for rewinding (oldest first). */
    public List<Position> history() {
        return history.positions();
    }

    /** The size of the checkpoints kept for rewinding. */
    public long historyBytes() {
        return history.bytes();
    }

    // ---- state ----------------------------------------------------------------------------------

    private long currentAsid() {
        return RostAddressSpace.asid(SysReg.TTBR0_EL1.read(uc));
    }

    /** rost's pid of the address space in TTBR0_EL1 (0: the kernel's own, i.e. idle or booting). */
    public long currentPid() {
        return RostAddressSpace.pidOf(SysReg.TTBR0_EL1.read(uc));
    }

    /** The name of the program the current process runs, or "?" when none of the known ones matches. */
    public String programName() {
        return currentProgram().map(Symbols.Program::name).orElse("?");
    }

    private Optional<Symbols.Program> currentProgram() {
        return symbols.programOf(SysReg.TTBR0_EL1.read(uc), this::readMemory);
    }

    /** {@code symbol+0x..} for a code address in the kernel or the current process's program. */
    public String describe(long va) {
        return symbols.describe(va, isUser(va) ? currentProgram() : Optional.empty());
    }

    public byte[] readMemory(long va, int length) {
        return dbg.readMemory(va, length);
    }

    /** Writes memory; the recorded future is forgotten (it would no longer follow). */
    public int writeMemory(long va, byte[] data) {
        int n = dbg.writeMemory(va, data);
        forgetFuture();
        return n;
    }

    /** Writes RAM by physical address (as {@link Debugger#writePhysical}); the recorded future is forgotten. */
    public int writePhysical(long pa, byte[] data) {
        int n = dbg.writePhysical(pa, data);
        forgetFuture();
        return n;
    }

    /**
     * Sets one of the general registers {@link #registers} names (x0..x30, sp, pc, cpsr); as for
     * memory, the recorded future is forgotten.
     */
    public void writeRegister(String name, long value) {
        switch (name) {
            case "sp" -> dbg.sp(value);
            case "pc" -> dbg.pc(value);
            case "cpsr" -> dbg.cpsr(value);
            default -> {
                int n = name.matches("x\\d{1,2}") ? Integer.parseInt(name.substring(1)) : -1;
                if (n < 0 || n > 30) throw new IllegalArgumentException("not a writable register: " + name);
                dbg.x(n, value);
            }
        }
        forgetFuture();
    }

    /**
     * The machine was just changed here: its recorded future (checkpoints, host input) no longer
     * follows, and a checkpoint here (replacing one taken before the change) keeps the change for
     * rewinds that come back here.
     */
    private void forgetFuture() {
        history.dropAfter(position());
        journal.branchAt(cpu.cycles());
        snapshot();
    }

    /** The registers the view and {@code regs} show, in order: x0..x30, sp, pc, cpsr, then EL1 system registers. */
    public Map<String, Long> registers() {
        Map<String, Long> r = new LinkedHashMap<>();
        for (int i = 0; i <= 30; i++) r.put("x" + i, dbg.x(i));
        r.put("sp", dbg.sp());
        r.put("pc", dbg.pc());
        r.put("cpsr", dbg.cpsr());
        r.put("sp_el0", uc.reg(Arm64Reg.SP_EL0));
        r.put("sp_el1", uc.reg(Arm64Reg.SP_EL1));
        for (SysReg s : List.of(SysReg.ELR_EL1, SysReg.SPSR_EL1, SysReg.ESR_EL1, SysReg.FAR_EL1, SysReg.VBAR_EL1,
                SysReg.TTBR0_EL1, SysReg.TTBR1_EL1, SysReg.TCR_EL1, SysReg.SCTLR_EL1)) {
            r.put(s.name().toLowerCase(java.util.Locale.ROOT), s.read(uc));
        }
        return r;
    }

    /**
     * The call stack by frame pointers ({@link Unwinder}: x29 chains {previous x29, return
     * address} records, as rustc and GCC lay them out), symbolised; at a function's first two
     * instructions, before its frame record exists, the caller is taken from x30.
     */
    public List<Frame> backtrace(int max) {
        List<Frame> frames = new ArrayList<>();
        for (Unwinder.Frame f : unwinder.walk(dbg.pc(), dbg.x(29), dbg.x(30), max)) frames.add(new Frame(f.level(), f.pc(), f.where()));
        return frames;
    }

    /** rost's processes, read from the kernel's memory (empty when its scheduler cannot be found). */
    public List<ProcessTable.Process> processes() {
        return processTable.read(currentPid());
    }

    /** Why {@link #processes} came back empty ("" when it did not). */
    public String processTableProblem() {
        return processTable.problem();
    }

    @Override
    public void close() {
        watchpoints.clear();
        breakpoints.clear();
        catchSyscalls.clear();
        catchClasses.clear();
        catchAnySyscall = catchIrq = catchSwitch = false;
        watchesOn = false;
        syncHooks();
        stopListening.run();
        if (input != null) input.hold(false);
    }
}
