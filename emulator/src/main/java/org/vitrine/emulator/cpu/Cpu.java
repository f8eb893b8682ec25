package org.vitrine.emulator.cpu;

import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;

import org.vitrine.emulator.memory.PhysicalMemory;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.InterruptLine;
import org.vitrine.emulator.time.CacheCounts;
import org.vitrine.emulator.time.EventQueue;
import org.vitrine.emulator.time.TimingModel;
import org.vitrine.emulator.unicorn.Arm64Reg;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * One AArch64 CPU: Unicorn's instruction execution completed into an architectural CPU, and the
 * run loop that drives it in virtual time, runs the events due on the event queue and decides why
 * and when a run stops.
 *
 * <p>What the host adds to Unicorn (see design/unicorn.md for the measurements behind each), each
 * in its own class wired up here:
 * <ul>
 *   <li>Synchronous exception entry ({@link ExceptionEntry}): Unicorn reports exceptions but does
 *       not take them.</li>
 *   <li>Synchronous external aborts ({@link ExternalAborts}) on accesses and page-table walks that
 *       reach a physical address where nothing is mapped: Unicorn ends the run (or reports a
 *       translation fault) instead.</li>
 *   <li>The IRQ input: HCR_EL2.VI, which QEMU itself takes as an IRQ at EL1/EL0 (here).</li>
 *   <li>PSCI over HVC/SMC ({@link Psci}; here, because its calls end runs).</li>
 *   <li>The generic timer's registers and instruction-cache maintenance ({@link SystemInstructions}).</li>
 *   <li>Pacing to the wall clock for interactive runs, and the waits of an idle CPU ({@link WallClockPacing}).</li>
 * </ul>
 *
 * <p>Time: a native block hook ({@link NativeBlockClock}) charges each translated block's cycles
 * (from the {@link TimingModel}: a fixed cost per instruction, or the a53 model's per-block cost
 * plus its branch, cache and TLB costs, see {@link NativeA53Model}) when it starts, and stops the CPU before a block once the next
 * event is due or a stop was asked for; a fault in the middle of a block gives back the cycles of
 * the instructions that did not run. As on QEMU with -icount, an instruction that aborts (data or
 * instruction abort, external or not) is not counted, and taking an exception costs nothing. WFI
 * skips to the next event, or with pacing on sleeps until the wall clock reaches it.
 *
 * <p>A guest that keeps aborting without completing an instruction (its vector table or handler
 * in a hole) would spin for ever with virtual time standing still, as QEMU does; after
 * {@link #STUCK_ABORTS} such aborts in a row the run ends with {@link ExitKind#ABORT_LOOP}.
 *
 * <p>The debugger adds per-instruction hooks ({@link #hookInstructions}) only while it has
 * breakpoints or steps, and ends a run before an instruction with {@link #breakBefore}; without
 * them the run loop is exactly as above.
 *
 * <p>Hooks never call uc_emu_stop from MRS/MSR/SYS callbacks: in libunicorn 2.1.1 that resumed
 * at a stale PC (rost's timer interrupt handler re-ran earlier instructions and crashed). They
 * ask the block hook to stop instead, which is exact.
 */
public final class Cpu {
    private static final int WFI = 0xD503207F;
    /** An address no instruction can be at (unaligned), used as uc_emu_start's `until`. */
    private static final long NEVER = 1;

    /** Aborts in a row, with no instruction completed in between, after which the guest is stuck. */
    static final int STUCK_ABORTS = 1000;

    /**
     * Why {@link #run} returned. {@link #ABORT_LOOP}: the guest is stuck taking aborts (see
     * {@link #STUCK_ABORTS}); {@link #EMULATION_ERROR}: libunicorn failed or raised an exception
     * Vitrine does not model.
     */
    public enum ExitKind { POWER_OFF, RESET, TIME_LIMIT, HANG, ABORT_LOOP, EMULATION_ERROR, STOPPED }

    public record Exit(ExitKind kind, long status, String message) { }

    private final Unicorn uc;
    private final EventQueue clock;
    private final PhysicalMemory ram;
    private final GuestLog guestLog;
    private final GuestLog.Source log;
    private final ExceptionEntry exceptions;
    private final ExternalAborts externalAborts;
    private final Psci psci = new Psci();
    private final PageTableWalker walker;
    private final SystemInstructions systemInstructions;
    private GenericTimer timer;
    private PmuV3 pmu;

    private final NativeBlockClock blocks;
    /** The interrupt hook: SVCs entered natively while nothing watches exceptions, the rest in {@link #onException}. */
    private final NativeSvcEntry svcEntry;
    /** IC IVAU on RAM, natively (with the fixed model). */
    private final NativeCodeInvalidation codeInvalidation;
    private boolean exceptionsTraced;
    /** The a53 timing model's native state, or null with the fixed model. */
    private final NativeA53Model a53;
    private final NativeSysInsnFilter mrsFilter;
    private final NativeSysInsnFilter msrFilter;
    private ContextObserver contextObserver;
    private long untilCycle = Long.MAX_VALUE;

    // the host side: actions posted from other threads, and the waits on the wall clock
    private final ConcurrentLinkedQueue<Runnable> hostActions = new ConcurrentLinkedQueue<>();
    private final WallClockPacing pacing;
    private volatile boolean hostInputOpen;

    // stop bookkeeping
    private volatile boolean externalStop;
    private Exit exit;
    private boolean irqLevel;
    private boolean appliedIrqLevel;
    private boolean waitingForInterrupt;
    // a block cut short by a debugger stop: where the next run resumes it, and the run doing so
    private long continuation = NEVER;
    private long resumedAt = NEVER;
    private long retiredAtLastAbort = -1;
    private int abortsInARow;
    private final RunStatistics statistics = new RunStatistics();
    /** Why the current run was asked to stop (the first reason given), for {@link #statistics}. */
    private RunStatistics.Stop stopReason;

    public Cpu(Unicorn uc, EventQueue clock, TimingModel timing, PhysicalMemory ram, GuestLog guestLog) {
        this.uc = uc;
        this.clock = clock;
        this.ram = ram;
        this.guestLog = guestLog;
        this.log = guestLog.source("cpu");
        this.walker = new PageTableWalker(ram);
        this.externalAborts = new ExternalAborts(uc, ram, this::walk, log);
        this.exceptions = new ExceptionEntry(uc, this::cycles, externalAborts, this::instructionAt);
        this.systemInstructions = new SystemInstructions(uc, ram, this::translateVa,
                () -> stopBeforeNextBlock(RunStatistics.Stop.CODE_INVALIDATION), statistics);
        this.pacing = new WallClockPacing(clock.cyclesPerSecond(), () -> !hostActions.isEmpty() || externalStop);
        CpuSetup.configure(uc);
        this.a53 = timing.pipeline() == TimingModel.Pipeline.A53 ? new NativeA53Model(uc) : null;
        this.blocks = new NativeBlockClock(uc, timing.cyclesPerInstruction(), a53);
        if (a53 != null) uc.onCodeChange(a53::invalidate);
        clock.setOnEarlierDeadline(this::refreshDeadline);
        clock.setLiveTime(blocks::committed);
        this.svcEntry = new NativeSvcEntry(uc, blocks, this::onException);
        enterSvcNatively();
        this.mrsFilter = new NativeSysInsnFilter(uc, Unicorn.INS_MRS, SystemInstructions.mrsKeys(), systemInstructions::onMrs);
        systemInstructions.onCntkctlWrite(mrsFilter::cntkctl);
        this.msrFilter = new NativeSysInsnFilter(uc, Unicorn.INS_MSR, SystemInstructions.msrKeys(), systemInstructions::onMsr);
        if (a53 != null) msrFilter.reportContextSwitches(a53);
        this.codeInvalidation = new NativeCodeInvalidation(uc, ram);
        codeInvalidation.enable(a53 == null);
        new NativeSysInsnFilter(uc, Unicorn.INS_SYS, SystemInstructions.sysKeys(), systemInstructions::onSys, codeInvalidation);
        // Holes are outside RAM: a memory hook over RAM would put every guest store to it on
        // libunicorn's slow path (Unicorn.hookMemoryEvent; docs/speed.md, the IPC workload).
        if (ram.base() != 0) uc.hookMemoryEvent(Unicorn.HOOK_MEM_UNMAPPED, externalAborts::onUnmapped, 0, ram.base() - 1);
        if (ram.end() != 0) uc.hookMemoryEvent(Unicorn.HOOK_MEM_UNMAPPED, externalAborts::onUnmapped, ram.end(), -1L);
    }

    /**
     * Names the physical addresses that answer besides RAM (the machine's device pages): a
     * page-table walk that reads one is not an external abort.
     */
    public void devicePages(LongPredicate mapped) {
        externalAborts.devices(mapped);
    }

    /** Connects the generic timer's outputs (physical timer, virtual timer) to interrupt controller inputs. */
    public GenericTimer attachTimer(InterruptLine physical, InterruptLine virtual) {
        timer = new GenericTimer(clock, this::preciseCycle, physical, virtual, guestLog);
        systemInstructions.attachTimer(timer);
        mrsFilter.answerCounters(blocks, GenericTimer.FREQUENCY, clock.cyclesPerSecond());
        return timer;
    }

    public GenericTimer timer() {
        return timer;
    }

    /** Connects the PMU's overflow interrupt to an interrupt controller input; from then on the PMU registers are modelled. */
    public PmuV3 attachPmu(InterruptLine overflow) {
        pmu = new PmuV3(clock, this::preciseCycle, overflow, guestLog);
        systemInstructions.attachPmu(pmu);
        return pmu;
    }

    /** The PMU, once {@link #attachPmu} connected it; null before. */
    public PmuV3 pmu() {
        return pmu;
    }

    /** The CPU's IRQ input, driven by the interrupt controller. */
    public InterruptLine irqInput() {
        return this::setIrq;
    }

    public void traceExceptions(Consumer<String> sink) {
        exceptions.trace(sink);
        exceptionsTraced = sink != null;
        enterSvcNatively();
    }

    /** Names code addresses in traces (the loaded image's symbols), e.g. {@code <rost_trap+0x1c>}. */
    public void setSymbolizer(LongFunction<Optional<String>> symbolizer) {
        exceptions.symbolizer(symbolizer);
    }

    public Unicorn unicorn() {
        return uc;
    }

    /**
     * Tells {@code observer} about exceptions and the kernel's SPSR_EL1 accesses from now on (a
     * profiler; see {@link ContextObserver}); null stops it. Nothing the guest sees changes. Not
     * while running.
     */
    public void observeContexts(ContextObserver observer) {
        if (observer != null && contextObserver == null) {
            mrsFilter.addKey(SysReg.SPSR_EL1.key());
            msrFilter.addKey(SysReg.SPSR_EL1.key());
        }
        contextObserver = observer;
        enterSvcNatively();
        systemInstructions.observeSpsr(observer);
    }

    /** The observer {@link #observeContexts} installed, or null (a tracer passes events on to a profiler's). */
    public ContextObserver contextObserver() {
        return contextObserver;
    }

    /**
     * The cycle count at the instruction executing now, from a hook inside a run (the clock
     * charges whole blocks as they start), or the committed count between runs.
     */
    public long cyclesNow() {
        return preciseCycle();
    }

    /** True while the CPU sits in WFI with no interrupt pending (between runs). */
    public boolean waitingForInterrupt() {
        return waitingForInterrupt;
    }

    public long instructionsRetired() {
        return blocks.retired();
    }

    /** Of {@link #exceptionsTaken}, the SVCs entered natively (NativeSvcEntry). */
    long svcsEnteredNatively() {
        return svcEntry.taken();
    }

    public long exceptionsTaken() {
        return exceptions.taken() + svcEntry.taken();
    }

    /**
     * Runs {@code action} on the emulation thread at the next opportunity (within one slice of a
     * running CPU, at once when it idles) and wakes an idle CPU. Safe from any thread: this is how
     * windows, consoles and scripts deliver input, which the devices then stamp with the cycle.
     */
    public void post(Runnable action) {
        hostActions.add(action);
        stopBeforeNextBlock(RunStatistics.Stop.HOST);
        pacing.wake();
    }

    /**
     * While host input may still arrive (a window is open, a console is attached), an idle guest
     * with nothing scheduled is waiting for it rather than hung.
     */
    public void setHostInputOpen(boolean open) {
        hostInputOpen = open;
        pacing.wake();
    }

    /**
     * Paces virtual time to the wall clock (interactive use): the CPU never runs ahead of real
     * time, and idle periods are slept through instead of skipped. Scripted runs leave this off
     * and go as fast as possible.
     */
    public void setRealTime(boolean on) {
        pacing.setOn(on);
    }

    /** Asks the run loop to return soon; safe from any thread. */
    public void requestStop() {
        externalStop = true;
        stopBeforeNextBlock(RunStatistics.Stop.HOST);
        pacing.wake();
    }

    // ---- instruction hooks (the debugger) ------------------------------------------------------

    /** A per-instruction hook installed with {@link #hookInstructions}; closing removes it. */
    public final class InstructionHook implements AutoCloseable {
        private Unicorn.Hook hook;

        private InstructionHook(Unicorn.Hook hook) {
            this.hook = hook;
        }

        @Override
        public void close() {
            if (hook == null) return;
            hook.remove();
            hook = null;
            if (--instructionHooks == 0) {
                stopHook.remove();
                stopHook = null;
                blocks.deferStops(false);
            }
            uc.retranslate(); // translated blocks still call the removed hook's slot otherwise
        }
    }

    private int instructionHooks;
    private Unicorn.Hook stopHook;
    private Unicorn.CodeStub stopStub;

    /**
     * While instruction hooks exist, stops asked for by the block clock (deadlines, host actions,
     * cache maintenance) happen here, before the first instruction of the block the hook declined
     * to charge: see vitrine_hooks.c for why the block hook cannot stop exactly then.
     */
    private void stopIfAsked(long address, int size) {
        // Only where the block hook declined to charge a block (it marks that by an empty block):
        // the undebugged run stops there and nowhere else; a stop asked for by a block's own hook
        // (the a53 model's windows) or in its middle (an MSR, a device) waits for the next block.
        if (!blocks.stopRequested() || blocks.blockSize() != 0) return;
        cutBefore(address);
        uc.stop();
    }

    /**
     * Gives back the rest of the running block from {@code pc} and, when the block was charged,
     * remembers {@code pc} so the next run resumes it as the same block ({@link #run}), charged
     * what was given back (the a53 model costed the whole block as it started, and must not see
     * it twice, nor its rest as another block).
     */
    private void cutBefore(long pc) {
        int size = blocks.blockSize();
        long address = blocks.blockAddress();
        boolean charged = size != 0 && pc >= address && pc < address + size;
        long before = blocks.committed();
        truncateBlock(pc);
        continuation = charged ? pc : NEVER;
        if (charged) blocks.continuationCost(before - blocks.committed(), (int) (address + size - pc));
    }

    /**
     * Where the next run resumes a block cut short in the middle by a debugger stop (1: it does
     * not), with what the cut gave back: part of the machine's state between runs, saved in the
     * CPU's snapshot section, so that a replay from a debugger's checkpoint follows the original run.
     */
    public long continuation() {
        return continuation;
    }

    /** From an instruction or memory hook: the cycle at which the instruction at {@code address} starts. */
    public long cycleBefore(long address) {
        int size = blocks.blockSize();
        long start = blocks.blockAddress();
        if (size != 0 && address >= start && address <= start + size) return blocks.cycleWithinBlock((address - start) >>> 2);
        return blocks.committed();
    }

    /**
     * From an instruction hook: the number of instructions retired before the one at
     * {@code address} (which is about to run, or, in a memory hook, running).
     */
    public long retiredBefore(long address) {
        int size = blocks.blockSize();
        long start = blocks.blockAddress();
        if (size != 0 && address >= start && address < start + size) return blocks.retired() - ((start + size - address) >>> 2);
        return blocks.retired();
    }

    /**
     * Calls {@code stub} before each instruction whose address is in [begin, end] (begin &gt; end:
     * every instruction): the debugger's breakpoints and stepping. A Java upcall per hooked
     * instruction is slow, so remove it when no longer needed. Translated code is flushed because
     * Unicorn only instruments blocks translated after the hook exists. Not while running.
     */
    public InstructionHook hookInstructions(Unicorn.CodeStub stub, long begin, long end) {
        if (instructionHooks++ == 0) {
            if (stopStub == null) stopStub = uc.codeStub(this::stopIfAsked);
            stopHook = uc.hookCode(stopStub, 1, 0);
            blocks.deferStops(true);
        }
        Unicorn.Hook h = uc.hookCode(stub, begin, end);
        uc.retranslate();
        return new InstructionHook(h);
    }

    /**
     * From an instruction hook: ends the run before the instruction at {@code pc} executes, giving
     * back the cycles the block clock charged for it and the rest of its block. {@link #run}
     * returns {@link ExitKind#STOPPED}.
     */
    public void breakBefore(long pc) {
        cutBefore(pc);
        externalStop = true;
        uc.stop();
    }

    // ---- interrupt input -------------------------------------------------------------------

    /**
     * The line's level is applied to HCR_EL2.VI between runs: a VI change written while the CPU
     * runs (from an MMIO callback) is not seen by QEMU's interrupt logic until the next entry, so
     * an acknowledged interrupt was taken a second time. A change during a run stops the CPU at
     * the end of the current block instead, where the real machine would also notice it.
     */
    private void setIrq(boolean level) {
        if (level == irqLevel) return;
        irqLevel = level;
        if (level) waitingForInterrupt = false;
        if (uc.isRunning()) {
            stopBeforeNextBlock(RunStatistics.Stop.IRQ_LINE);
        } else {
            applyIrqLevel();
        }
    }

    /**
     * Makes the CPU stop before its next block. Calling uc_emu_stop from an MRS/MSR/SYS hook
     * resumed at a stale PC (re-running earlier instructions of the block) in libunicorn 2.1.1,
     * so hooks only set the flag and the block hook, where stopping is exact, acts on it.
     */
    private void stopBeforeNextBlock(RunStatistics.Stop why) {
        if (stopReason == null) stopReason = why;
        blocks.requestStop();
    }

    /**
     * What the a53 timing model counted so far (blocks decoded, branch mispredicts, L1 D / L2 / TLB
     * misses and data reads, the D side's measured in its detailed windows and estimated between
     * them), or an empty string with the fixed model.
     */
    public String timingCounts() {
        if (a53 == null) return "";
        NativeA53Model.Counts c = a53.counts();
        return String.format("a53 model: %,d blocks costed, %,d mispredicts, %,d reads, %,d L1D misses, %,d L2 misses, %,d TLB misses"
                        + " (D side in %,d detailed windows, %,d instructions)",
                c.blocksDecoded(), c.mispredicts(), c.reads(), c.l1dMisses(), c.l2Misses(), c.tlbMisses(), c.windows(),
                c.detailedInstructions());
    }

    /** The a53 timing model's cache and TLB traffic so far, or null with the fixed model (which has no caches). */
    public CacheCounts cacheCounts() {
        return a53 == null ? null : a53.counts().caches();
    }

    /** Why and how often runs ended so far, and the system-instruction upcalls. */
    public RunStatistics statistics() {
        statistics.nativeCounterReads = mrsFilter.counterReads();
        statistics.codeInvalidatedNatively = codeInvalidation.done();
        statistics.svcEnteredNatively = svcEntry.taken();
        return statistics;
    }

    private void applyIrqLevel() {
        if (appliedIrqLevel == irqLevel) return;
        appliedIrqLevel = irqLevel;
        SysReg.HCR_EL2.write(uc, CpuSetup.HCR_EL2_VALUE | (irqLevel ? CpuSetup.HCR_VI : 0));
    }

    // ---- time ------------------------------------------------------------------------------

    private void refreshDeadline() {
        blocks.deadline(Math.min(clock.nextDeadline(), untilCycle));
    }

    /** The cycle now, counting the instructions of the running block executed so far. */
    long preciseCycle() {
        long committed = blocks.committed();
        int size = blocks.blockSize();
        if (!uc.isRunning() || size == 0) return committed;
        long address = blocks.blockAddress();
        long pc = uc.reg(Arm64Reg.PC);
        if (pc >= address && pc < address + size) return blocks.cycleWithinBlock((pc - address) >>> 2);
        return committed;
    }

    /** Gives back the cycles of a block cut short at {@code resumePc} (the first instruction that did not run). */
    private void truncateBlock(long resumePc) {
        int size = blocks.blockSize();
        long address = blocks.blockAddress();
        if (size == 0) return;
        long end = address + size;
        // resumePc == address: a debugger stop before the block's first instruction gives it all back
        if (resumePc >= address && resumePc < end) {
            blocks.committed(blocks.cycleWithinBlock((resumePc - address) >>> 2));
            blocks.retired(blocks.retired() - ((end - resumePc) >>> 2));
        }
        blocks.clearBlock();
    }

    // ---- the run loop ----------------------------------------------------------------------

    /**
     * Runs until the guest powers off or resets, until {@code untilCycle} (exclusive; use
     * Long.MAX_VALUE for no limit), a hang (WFI with nothing that could ever wake it), an abort
     * loop, an emulation error, or {@link #requestStop()}.
     */
    public Exit run(long untilCycle) {
        this.untilCycle = untilCycle;
        exit = null;
        externalStop = false;
        pacing.start(blocks.committed());
        // The rest of a block a debugger stopped in: events due now wait for its end, as they would have without the stop.
        boolean resuming = continuation != NEVER && uc.reg(Arm64Reg.PC) == continuation;
        try {
            while (true) {
                if (!resuming) {
                    clock.advanceTo(blocks.committed());
                    runHostActions();
                    clock.runDue();
                }
                systemInstructions.applyCodeInvalidations();
                applyIrqLevel();
                if (exit != null) return exit;
                if (externalStop) return new Exit(ExitKind.STOPPED, 0, "stopped");
                long now = blocks.committed();
                if (now >= untilCycle) return new Exit(ExitKind.TIME_LIMIT, 0, "time limit reached");
                if (waitingForInterrupt) {
                    if (irqLevel) {
                        waitingForInterrupt = false;
                    } else {
                        long next = Math.min(clock.nextDeadline(), untilCycle);
                        if (next == Long.MAX_VALUE && !hostInputOpen) {
                            return new Exit(ExitKind.HANG, 1, String.format(
                                    "guest hang: WFI at PC 0x%x with no pending interrupt and no timer or device event that could wake it",
                                    uc.reg(Arm64Reg.PC) - 4));
                        }
                        idleUntil(next);
                        continue;
                    }
                }
                refreshDeadline();
                if (pacing.on()) blocks.deadline(Math.min(Math.min(clock.nextDeadline(), untilCycle), pacing.sliceEnd(now)));
                blocks.clearStop();
                stopReason = null;
                if (!hostActions.isEmpty() && !resuming) stopBeforeNextBlock(RunStatistics.Stop.HOST);
                blocks.clearBlock();
                resumedAt = resuming ? continuation : NEVER;
                blocks.continuation(resumedAt);
                continuation = NEVER;
                resuming = false;
                // Not within a cut block: the undebugged run enters or leaves a window at the next block.
                if (a53 != null && resumedAt == NEVER) a53.applySampling();
                int err = uc.start(uc.reg(Arm64Reg.PC), NEVER, 0, 0);
                blocks.continuation(NEVER);
                resumedAt = NEVER;
                boolean stoppedByUs = blocks.stopRequested();
                countStop(err, stoppedByUs);
                ExternalAborts.Access access = externalAborts.takePending();
                Exit failed = err == 0 ? null : takeExternalAbort(err, access);
                blocks.clearBlock();
                if (failed != null) return failed;
                if (err == 0 && !stoppedByUs && exit == null && !externalStop && endedOnWfi()) {
                    waitingForInterrupt = !irqLevel;
                }
                if (pacing.on()) pacing.sleepUntilWallReaches(blocks.committed());
            }
        } finally {
            this.untilCycle = Long.MAX_VALUE;
        }
    }

    private void countStop(int err, boolean stoppedByUs) {
        RunStatistics.Stop why;
        if (err != 0) why = RunStatistics.Stop.ERROR;
        else if (stopReason != null) why = stopReason;
        else if (stoppedByUs) why = RunStatistics.Stop.DEADLINE;
        else if (exit == null && !externalStop) why = RunStatistics.Stop.WFI;
        else why = RunStatistics.Stop.OTHER;
        statistics.stopped(why);
    }

    private void runHostActions() {
        Runnable a;
        while ((a = hostActions.poll()) != null) a.run();
    }

    /**
     * The CPU waits for an interrupt and the next event is at {@code next} (MAX_VALUE: none). Fast
     * mode skips straight there; real-time mode sleeps until then. Either way a posted host action
     * ends the wait early, at the virtual time the wall clock says (real time) or at once (fast).
     */
    private void idleUntil(long next) {
        if (next == Long.MAX_VALUE) {
            if (!pacing.awaitHost(() -> hostInputOpen)) externalStop = true;
        } else if (pacing.on()) {
            pacing.sleepUntilWallReaches(next);
        } else {
            blocks.committed(next);
            return;
        }
        if (pacing.on()) {
            long reached = Math.min(next, pacing.wallCycle());
            if (reached > blocks.committed()) blocks.committed(reached);
        }
    }

    /** True when the CPU stopped by itself right after executing WFI (the only such stop). */
    private boolean endedOnWfi() {
        long pc = uc.reg(Arm64Reg.PC);
        long pa = translateVa(pc - 4);
        if (pa == PageTableWalker.FAULT) return false;
        try {
            return ram.read32(pa) == WFI;
        } catch (PhysicalMemory.BadAddressException e) {
            return false;
        }
    }

    /**
     * After a run that ended with an error: an access to a hole that the unmapped-memory hook
     * recorded becomes a synchronous external abort into the guest (the aborting instruction and
     * the rest of its block are given back, as QEMU does), and the loop runs on. Anything else is
     * an emulation error that ends the run, as is a guest stuck taking aborts.
     */
    private Exit takeExternalAbort(int err, ExternalAborts.Access a) {
        boolean unmapped = err == Unicorn.ERR_READ_UNMAPPED || err == Unicorn.ERR_WRITE_UNMAPPED || err == Unicorn.ERR_FETCH_UNMAPPED;
        if (a == null || !unmapped) {
            return new Exit(ExitKind.EMULATION_ERROR, 1, "emulation error: " + Unicorn.strerror(err) + " at PC 0x"
                    + Long.toHexString(uc.reg(Arm64Reg.PC)));
        }
        truncateBlock(a.pc());
        if (stuckInAborts()) return abortLoop(a.pc());
        int esr = ExternalAborts.syndrome(a.kind(), Pstate.exceptionLevel(uc.reg(Arm64Reg.PSTATE)));
        exceptions.enterExternalAbort(esr, a.pc(), a.far(), a.pa());
        return null;
    }

    /** Counts an abort; true once {@link #STUCK_ABORTS} were taken in a row without an instruction completing. */
    private boolean stuckInAborts() {
        long retired = blocks.retired();
        abortsInARow = retired == retiredAtLastAbort ? abortsInARow + 1 : 1;
        retiredAtLastAbort = retired;
        return abortsInARow >= STUCK_ABORTS;
    }

    private Exit abortLoop(long pc) {
        return new Exit(ExitKind.ABORT_LOOP, 1, String.format("guest stuck taking aborts: %d in a row, the last at 0x%x, with no "
                + "instruction completed in between (is the vector table at VBAR_EL1 0x%x, or its handler, in a hole?)",
                abortsInARow, pc, SysReg.VBAR_EL1.read(uc)));
    }

    // ---- synchronous exceptions --------------------------------------------------------------

    /**
     * SVCs are entered natively (NativeSvcEntry) unless something needs each exception in Java: the
     * exception trace, a context observer (profiler, syscall tracer), the a53 model (which forgets
     * its previous block at an exception), or a libunicorn whose PC writes need the run to stop.
     */
    private void enterSvcNatively() {
        svcEntry.enable(a53 == null && contextObserver == null && !exceptionsTraced && Unicorn.canJumpFromHook());
    }

    /**
     * Unicorn's interrupt hook: PC is the next instruction for SVC/HVC/SMC and the faulting one
     * otherwise. Cycles: SVC, HVC, SMC, UDF and BRK complete (QEMU counts them); an instruction
     * or data abort does not, as on QEMU, where the faulting access gives back its instruction.
     */
    private void onException(int intno) {
        long pc = uc.reg(Arm64Reg.PC);
        if (a53 != null) a53.forgetPreviousBlock();
        switch (intno) {
            case ExceptionEntry.EXCP_SWI, ExceptionEntry.EXCP_HVC, ExceptionEntry.EXCP_SMC,
                 ExceptionEntry.EXCP_PREFETCH_ABORT, ExceptionEntry.EXCP_DATA_ABORT -> truncateBlock(pc);
            case ExceptionEntry.EXCP_UDEF, ExceptionEntry.EXCP_BKPT -> truncateBlock(pc + 4);
            default -> { }
        }
        if (intno == ExceptionEntry.EXCP_HVC || intno == ExceptionEntry.EXCP_SMC) {
            psciCall();
            return;
        }
        boolean abort = intno == ExceptionEntry.EXCP_PREFETCH_ABORT || intno == ExceptionEntry.EXCP_DATA_ABORT;
        if (abort && stuckInAborts()) {
            stopWith(abortLoop(pc));
            return;
        } else if (!exceptions.enter(intno, pc)) {
            stopWith(new Exit(ExitKind.EMULATION_ERROR, 1, String.format("unsupported CPU exception %d at PC 0x%x", intno, pc)));
            return;
        }
        if (contextObserver != null) contextObserver.exceptionTaken(intno);
        if (!Unicorn.canJumpFromHook()) {
            // Entry wrote PC with uc_reg_write, which leaves libunicorn 2.1.4's skip_sync_pc_on_exit
            // set until the run ends: an access to a hole later in the same run would report a stale
            // PC. Ending the run before the vector's first block (a new run clears the flag) keeps
            // the external abort's ELR exact. With uc_reg_write2 (the normal case) the run goes on
            // into the vector: leaving and re-entering uc_emu_start cost several microseconds per
            // exception, which made system calls ~10x slower than on QEMU.
            stopBeforeNextBlock(RunStatistics.Stop.EXCEPTION);
        }
    }

    /** From a hook: ends the run with {@code e}. */
    private void stopWith(Exit e) {
        exit = e;
        stopBeforeNextBlock(RunStatistics.Stop.OTHER);
        uc.stop();
    }

    private void psciCall() {
        Psci.Result r = psci.call(uc.reg(Arm64Reg.x(0)), uc.reg(Arm64Reg.x(1)), uc.reg(Arm64Reg.x(2)), uc.reg(Arm64Reg.x(3)));
        long status = uc.reg(Arm64Reg.x(1));
        uc.reg(Arm64Reg.x(0), r.x0());
        if (r.action() != Psci.Action.NONE) {
            stopWith(r.action() == Psci.Action.POWER_OFF
                    ? new Exit(ExitKind.POWER_OFF, status, "guest powered off (PSCI SYSTEM_OFF), status " + status)
                    : new Exit(ExitKind.RESET, 0, "guest reset (PSCI SYSTEM_RESET)"));
        }
    }

    // ---- memory ------------------------------------------------------------------------------

    /** Stage-1 translation with the CPU's current EL1&amp;0 regime, or {@link PageTableWalker#FAULT}. */
    /** The instruction word at {@code va} in the current regime, or 0 when it does not translate to RAM. */
    private int instructionAt(long va) {
        long pa = translateVa(va);
        if (pa == PageTableWalker.FAULT) return 0;
        try {
            return ram.read32(pa);
        } catch (PhysicalMemory.BadAddressException e) {
            return 0;
        }
    }

    public long translateVa(long va) {
        return walk(va).pa();
    }

    /** The stage-1 walk of {@code va} in the CPU's current EL1&amp;0 regime. */
    PageTableWalker.Walk walk(long va) {
        long sctlr = SysReg.SCTLR_EL1.read(uc);
        if ((sctlr & 1) == 0) return walker.walk(va, sctlr, 0, 0, 0);
        return walker.walk(va, sctlr, SysReg.TCR_EL1.read(uc), SysReg.TTBR0_EL1.read(uc), SysReg.TTBR1_EL1.read(uc));
    }

    // ---- snapshot (the state itself is in CpuSnapshot) ----------------------------------------

    /** The CPU's part of a machine snapshot; saved and restored between runs only. */
    public org.vitrine.emulator.snapshot.Snapshottable snapshotPart() {
        return new CpuSnapshot(this);
    }

    CpuSnapshot.LoopState loopState() {
        return new CpuSnapshot.LoopState(irqLevel, appliedIrqLevel, waitingForInterrupt, retiredAtLastAbort, abortsInARow);
    }

    CpuSnapshot.Continuation continuationState() {
        return new CpuSnapshot.Continuation(continuation, blocks.continuationCycles(), blocks.continuationBytes());
    }

    /** The a53 timing model's state, or null with the fixed model. */
    NativeA53Model a53() {
        return a53;
    }

    long timerControl() {
        return systemInstructions.timerControl();
    }

    /**
     * Installs a loaded CPU section's run-loop state; {@code model}: the a53 model's saved state
     * (null with the fixed model), installed after the translations were dropped.
     */
    void restoreLoop(long cycles, long retired, long taken, CpuSnapshot.LoopState s, long cntkctl, CpuSnapshot.Continuation cut,
                     byte[] model) {
        blocks.committed(cycles);
        blocks.retired(retired);
        continuation = cut.pc();
        blocks.continuationCost(cut.cycles(), cut.bytes());
        if (a53 != null) a53.restore(model);
        blocks.clearBlock();
        blocks.clearStop();
        exceptions.taken(taken);
        svcEntry.resetTaken();
        irqLevel = s.irqLevel();
        appliedIrqLevel = s.appliedIrqLevel();
        waitingForInterrupt = s.waitingForInterrupt();
        retiredAtLastAbort = s.retiredAtLastAbort();
        abortsInARow = s.abortsInARow();
        systemInstructions.restore(cntkctl);
    }

    /** Cycles elapsed since reset (exact when the CPU is stopped). */
    public long cycles() {
        return blocks.committed();
    }
}
