package org.vitrine.emulator.profile;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.vitrine.emulator.cpu.ContextObserver;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.cpu.Pstate;
import org.vitrine.emulator.cpu.SysReg;
import org.vitrine.emulator.debug.RostAddressSpace;
import org.vitrine.emulator.debug.Unwinder;
import org.vitrine.emulator.debug.VirtualMemory;
import org.vitrine.emulator.machine.Machine;
import org.vitrine.emulator.time.CacheCounts;
import org.vitrine.emulator.time.EventQueue;
import org.vitrine.emulator.unicorn.Arm64Reg;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * The OS-aware profiler of a rost guest: where virtual time goes, per process, per system call
 * and per function, without changing what the guest does or when.
 *
 * <p><b>Exact accounting</b> from the CPU's context changes ({@link ContextObserver}): each kernel
 * entry (the kernel saving SPSR_EL1) ends the span of what ran before, a user process (the pid
 * is rost's ASID in TTBR0_EL1 minus one), the idle context or boot, and each return (the kernel
 * restoring SPSR_EL1) ends the kernel's span, charged to the entry's cause: a system call (x8 at
 * the SVC, named by {@link RostSyscalls}), an interrupt (an entry without a synchronous exception
 * before it) or a fault. IPC latency is measured from a {@code send_message} entry to the
 * moment the kernel returns into the receiving process from its next {@code recv_message} (the
 * sends to each receiver queue in order, as rost's mailboxes do).
 *
 * <p>With the a53 timing model, the cache and TLB counts ({@link CacheCounts}) are read at the
 * same context changes and charged the same way: each process gets what its own code and the
 * kernel on its behalf did to the caches, idle and boot theirs.
 *
 * <p><b>Sampled call stacks</b> on virtual time: every {@code interval} cycles of execution an
 * event of the machine's clock takes the PC and walks the frame-pointer chain (AArch64 frame
 * records: [x29] = caller's x29, [x29 + 8] = return address), in the kernel and then, for a
 * kernel entered from a process, the process's code at ELR_EL1. Samples are never taken while
 * the CPU waits for an interrupt (idle is accounted exactly instead), and the next sample is
 * armed again by the next kernel entry, so the profiler never keeps an otherwise hung machine
 * running. The run loop stops exactly at each sample's cycle and resumes where it was: cycle
 * counts, console and screens are those of a run without the profiler (tests/ProfilerTest).
 * The sample's own event has no snapshot identity, so a snapshot is refused while profiling.
 */
public final class Profiler implements ContextObserver, AutoCloseable {
    /** How code addresses and address spaces are named; the debugger's symbols serve here. */
    public interface CodeNames {
        /** The function holding code address {@code va} in the address space {@code ttbr0}, or null. */
        String function(long va, long ttbr0);

        /** The program the process with address space {@code ttbr0} runs, or null. */
        String program(long ttbr0);

        CodeNames NONE = new CodeNames() {
            @Override
            public String function(long va, long ttbr0) {
                return null;
            }

            @Override
            public String program(long ttbr0) {
                return null;
            }
        };
    }

    /** One process's exact time and its samples. */
    public static final class Process {
        public final long pid;
        String program;
        public long userCycles, kernelCycles, userInstructions, kernelInstructions, syscalls, samples;
        /** Its cache and TLB traffic, user and kernel on its behalf (the a53 model only; ZERO otherwise). */
        public CacheCounts caches = CacheCounts.ZERO;

        Process(long pid) {
            this.pid = pid;
        }

        public String program() {
            return program != null ? program : pid == 0 ? "kernel" : "pid " + pid;
        }
    }

    /** Kernel entries of one cause: how many, and the cycles the kernel spent on them. */
    public static final class Calls {
        public long count, cycles;
    }

    private enum Where { BOOT, USER, KERNEL, IDLE }

    private static final int NO_EXCEPTION = -1, EXCP_SWI = 2, EXCP_UDEF = 1, EXCP_PREFETCH_ABORT = 3, EXCP_DATA_ABORT = 4;
    private static final int EC_SVC64 = 0x15, MAX_FRAMES = 48, MAX_IN_FLIGHT = 64;
    private static final long KERNEL_PID = 0;

    private final Cpu cpu;
    private final Unicorn uc;
    private final EventQueue clock;
    private final VirtualMemory memory;
    private final CodeNames names;
    private final long interval;

    private Where where = Where.BOOT;
    private long pid = KERNEL_PID, since, sinceInstructions;
    private int syncException = NO_EXCEPTION;
    private String entryCause = "boot";
    private long entryPid;
    private boolean armed;
    private EventQueue.Event pendingSample;
    private final long startCycle;

    private final Map<Long, Process> processes = new TreeMap<>();
    private final Map<String, Calls> kernelEntries = new TreeMap<>();
    private final Map<Long, ArrayDeque<Long>> inFlight = new HashMap<>();
    private final Set<Long> receiving = new HashSet<>();
    private final Log2Histogram ipcLatencyNs = new Log2Histogram();
    private final Map<String, Long> folded = new HashMap<>();
    private long idleCycles, bootCycles, samples;
    /** The model's counts at the last context change, and what idle and boot did (null: no caches modelled). */
    private CacheCounts cachesThen, idleCaches, bootCaches;

    /**
     * Starts profiling {@code machine} (between runs) with a sample every {@code intervalCycles}
     * of execution.
     */
    public Profiler(Machine machine, CodeNames names, long intervalCycles) {
        if (intervalCycles < 100) throw new IllegalArgumentException("sampling interval under 100 cycles");
        this.cpu = machine.cpu();
        this.uc = machine.unicorn();
        this.clock = machine.clock();
        this.memory = new VirtualMemory(cpu, machine.ram());
        this.names = names;
        this.interval = intervalCycles;
        this.startCycle = cpu.cycles();
        this.since = startCycle;
        this.sinceInstructions = cpu.instructionsRetired();
        this.cachesThen = cpu.cacheCounts();
        if (cachesThen != null) idleCaches = bootCaches = CacheCounts.ZERO;
        cpu.observeContexts(this);
        arm(cpu.cycles());
    }

    // ---- exact accounting ----------------------------------------------------------------------

    @Override
    public void exceptionTaken(int intno) {
        syncException = intno;
    }

    @Override
    public void stateSaved() {
        long now = cpu.cyclesNow(), retired = cpu.instructionsRetired();
        endSpan(now, retired);
        long spsr = SysReg.SPSR_EL1.read(uc);
        long from = Pstate.exceptionLevel(spsr) == 0 ? RostAddressSpace.pidOf(SysReg.TTBR0_EL1.read(uc)) : KERNEL_PID;
        String cause;
        if (syncException == NO_EXCEPTION) {
            cause = "[irq]";
        } else if (syncException == EXCP_SWI && (SysReg.ESR_EL1.read(uc) >>> 26) == EC_SVC64) {
            long number = uc.reg(Arm64Reg.X0 + 8);
            cause = "[syscall " + RostSyscalls.name(number) + "]";
            if (from != KERNEL_PID) {
                process(from).syscalls++;
                onSyscall(from, number, uc.reg(Arm64Reg.X0), now);
            }
        } else {
            cause = switch (syncException) {
                case EXCP_DATA_ABORT -> "[data abort]";
                case EXCP_PREFETCH_ABORT -> "[instruction abort]";
                case EXCP_UDEF -> "[undefined instruction]";
                default -> "[exception " + syncException + "]";
            };
        }
        syncException = NO_EXCEPTION;
        kernelEntries.computeIfAbsent(cause, c -> new Calls()).count++;
        where = Where.KERNEL;
        entryCause = cause;
        entryPid = from;
        if (!armed) arm(now);
    }

    @Override
    public void stateRestored(long spsr) {
        long now = cpu.cyclesNow(), retired = cpu.instructionsRetired();
        endSpan(now, retired);
        if (Pstate.exceptionLevel(spsr) == 0) {
            where = Where.USER;
            pid = RostAddressSpace.pidOf(SysReg.TTBR0_EL1.read(uc));
            if (receiving.remove(pid)) {
                ArrayDeque<Long> q = inFlight.get(pid);
                Long sent = q == null ? null : q.poll();
                if (sent != null) ipcLatencyNs.add((long) ((now - sent) * 1e9 / clock.cyclesPerSecond()));
            }
        } else {
            where = Where.IDLE; // rost returns to EL1 only into its idle context
        }
    }

    private void onSyscall(long caller, long number, long x0, long now) {
        if (number == RostSyscalls.SEND_MESSAGE && x0 != KERNEL_PID) {
            ArrayDeque<Long> q = inFlight.computeIfAbsent(x0, p -> new ArrayDeque<>());
            if (q.size() < MAX_IN_FLIGHT) q.add(now);
        } else if (number == RostSyscalls.RECV_MESSAGE) {
            receiving.add(caller);
        }
    }

    /** Charges the cycles since the last context change to what ran in between. */
    private void endSpan(long now, long retired) {
        long cycles = Math.max(0, now - since), instructions = Math.max(0, retired - sinceInstructions);
        CacheCounts caches = CacheCounts.ZERO;
        if (cachesThen != null) {
            CacheCounts c = cpu.cacheCounts();
            caches = c.minus(cachesThen);
            cachesThen = c;
        }
        switch (where) {
            case BOOT -> {
                bootCycles += cycles;
                if (bootCaches != null) bootCaches = bootCaches.plus(caches);
            }
            case IDLE -> {
                idleCycles += cycles;
                if (idleCaches != null) idleCaches = idleCaches.plus(caches);
            }
            case USER -> {
                Process p = process(pid);
                p.userCycles += cycles;
                p.userInstructions += instructions;
                p.caches = p.caches.plus(caches);
            }
            case KERNEL -> {
                Process p = process(entryPid);
                p.kernelCycles += cycles;
                p.kernelInstructions += instructions;
                p.caches = p.caches.plus(caches);
                kernelEntries.computeIfAbsent(entryCause, c -> new Calls()).cycles += cycles;
            }
        }
        since = now;
        sinceInstructions = retired;
    }

    // ---- sampling ----------------------------------------------------------------------------

    private void arm(long now) {
        armed = true;
        pendingSample = clock.schedule(now + interval, this::sample);
    }

    private void sample() {
        pendingSample = null;
        if (cpu.waitingForInterrupt()) {
            armed = false; // idle is counted exactly; the next kernel entry arms the next sample
            return;
        }
        samples++;
        long pc = uc.reg(Arm64Reg.PC);
        long ttbr0 = SysReg.TTBR0_EL1.read(uc);
        boolean user = Pstate.exceptionLevel(uc.reg(Arm64Reg.PSTATE)) == 0;
        List<String> stack = new ArrayList<>();
        long owner;
        if (user) {
            owner = RostAddressSpace.pidOf(ttbr0);
            stack.add(processName(owner, ttbr0));
            frames(stack, pc, uc.reg(Arm64Reg.X29), ttbr0);
        } else if (where == Where.KERNEL || where == Where.IDLE) {
            owner = where == Where.KERNEL ? entryPid : KERNEL_PID;
            stack.add(owner == KERNEL_PID ? "kernel" : processName(owner, ttbr0));
            if (owner != KERNEL_PID) stack.add(name(SysReg.ELR_EL1.read(uc), ttbr0));
            stack.add(where == Where.KERNEL ? entryCause : "[idle]");
            frames(stack, pc, uc.reg(Arm64Reg.X29), ttbr0);
        } else {
            owner = KERNEL_PID;
            stack.add("kernel");
            stack.add("[boot]");
            frames(stack, pc, uc.reg(Arm64Reg.X29), ttbr0);
        }
        process(owner).samples++;
        folded.merge(String.join(";", stack), 1L, Long::sum);
        arm(clock.now());
    }

    /** Appends the frames of the stack at {@code pc} / {@code fp} (the shared {@link Unwinder}), outermost first. */
    private void frames(List<String> stack, long pc, long fp, long ttbr0) {
        Unwinder unwinder = new Unwinder(memory::read, va -> {
            String n = names.function(va, ttbr0);
            return n == null ? null : new Unwinder.Named(n, Unwinder.Named.UNKNOWN_OFFSET);
        });
        List<Unwinder.Frame> inner = unwinder.walk(pc, fp, Unwinder.NO_LINK, MAX_FRAMES);
        for (int i = inner.size() - 1; i >= 0; i--) {
            Unwinder.Frame f = inner.get(i);
            stack.add(f.name() != null ? f.name().function().replace(';', ':') : String.format("0x%x", f.callSite()));
        }
    }

    private String name(long va, long ttbr0) {
        String n = names.function(va, ttbr0);
        return n != null ? n.replace(';', ':') : String.format("0x%x", va);
    }

    private String processName(long owner, long ttbr0) {
        Process p = process(owner);
        if (p.program == null) p.program = names.program(ttbr0);
        return p.program() + " (pid " + owner + ")";
    }

    // ---- results ----------------------------------------------------------------------------

    /** Ends profiling: the time since the last context change is charged, the observer removed. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        endSpan(cpu.cycles(), cpu.instructionsRetired());
        cpu.observeContexts(null);
        if (pendingSample != null) pendingSample.cancel();
    }

    private boolean closed;

    /** What was measured: call after {@link #close}. */
    public ProfileReport report() {
        return new ProfileReport(cpu.cycles() - startCycle, clock.cyclesPerSecond(), interval, samples, idleCycles, bootCycles,
                new ArrayList<>(processes.values()), new TreeMap<>(kernelEntries), ipcLatencyNs, new TreeMap<>(folded),
                idleCaches, bootCaches);
    }

    private Process process(long p) {
        return processes.computeIfAbsent(p, Process::new);
    }

}
