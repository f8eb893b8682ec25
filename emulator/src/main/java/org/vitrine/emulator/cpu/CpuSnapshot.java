package org.vitrine.emulator.cpu;

import java.lang.foreign.MemorySegment;

import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.snapshot.StateReader;
import org.vitrine.emulator.snapshot.StateWriter;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * The CPU's section of a snapshot: everything the guest can observe of the CPU, and the run loop's
 * own bookkeeping.
 *
 * <ul>
 *   <li>Unicorn's CPU context ({@code uc_context_save}): QEMU's whole CPUARMState up to its
 *       internal fields — the general and FP/SIMD registers, PC, PSTATE and NZCV, SP_EL0/SP_EL1,
 *       every system register QEMU keeps (SCTLR, TTBRn, TCR, MAIR, VBAR, ELR/SPSR/ESR/FAR, TPIDRs,
 *       CPACR, CNTKCTL, HCR_EL2 with the IRQ line, ...), the exclusive monitor and the cached
 *       translation flags. {@code UnicornContextTest} and {@code CpuSnapshotTest} prove that it
 *       carries each of them, into a fresh engine too, and holds no per-process pointers. The raw
 *       image is tied to the library build, so the machine description names the libunicorn
 *       version and a restore checks the context size.</li>
 *   <li>The cycle clock (cycles committed, instructions retired), the IRQ line's level as the CPU
 *       last saw it, whether the CPU waits in WFI, the abort-loop counters, and CNTKCTL_EL1 as the
 *       timer hooks check it.</li>
 *   <li>A block a debugger cut short, which the next run resumes (the debugger's checkpoints),
 *       and the timing model: with a53 its whole state (caches, TLBs, predictor, block costs and
 *       sampling schedule, {@link NativeA53Model#save}), so a restored run counts exactly the
 *       cycles of one that never stopped. A section made with the other timing model is refused,
 *       naming both.</li>
 * </ul>
 * The generic timer and the clock's events are sections of their own. A restore drops every
 * translated block and the TLB: they were built for the code and page tables before the restore;
 * and it has the engine derive its pending virtual IRQ from the restored HCR_EL2.VI again (QEMU
 * keeps that flag outside the context image).
 */
final class CpuSnapshot implements Snapshottable {
    /** The run loop's own state, kept by {@link Cpu}. */
    record LoopState(boolean irqLevel, boolean appliedIrqLevel, boolean waitingForInterrupt, long retiredAtLastAbort,
                     int abortsInARow) { }

    /**
     * A block a debugger stopped in the middle of: the next run resumes it at {@code pc} (1: none),
     * charging it what the cut gave back ({@code cycles} for its last {@code bytes}).
     */
    record Continuation(long pc, long cycles, int bytes) {
        static final Continuation NONE = new Continuation(1, 0, 0);
    }

    /** The timing models a section names (layout 2). */
    private static final int FIXED = 0, A53 = 1;
    private static final String[] MODEL_NAMES = { "fixed", "a53" };

    /**
     * libunicorn 2.1.4's {@code struct uc_context} header before the CPU state: context size, mode,
     * arch, snapshot level, a ramblock flag and a RAMBlock pointer (used only by memory snapshots,
     * which Vitrine does not use). It holds a per-process pointer and uninitialised padding, so only
     * the bytes after it are saved, and a restore keeps the fresh context's own header.
     * {@code CpuSnapshotTest.contextImageHoldsNoPerEnginePointers} checks that nothing past it differs
     * between engines.
     */
    static final int CONTEXT_HEADER = 32;

    private final Cpu cpu;

    CpuSnapshot(Cpu cpu) {
        this.cpu = cpu;
    }

    @Override
    public String snapshotName() {
        return "cpu";
    }

    @Override
    public int snapshotVersion() {
        return 2;
    }

    /**
     * Layout: bytes context, i64 cycles, i64 instructions retired, i64 exceptions taken, bool IRQ
     * level, bool applied IRQ level, bool waiting for an interrupt, i64 retired at the last abort,
     * i32 aborts in a row, i64 CNTKCTL_EL1; since layout 2: i64 continuation PC, i64 and i32 what
     * its cut gave back, u8 timing model (0 fixed, 1 a53) and, for a53, bytes the model's whole
     * state (src/main/c/vitrine_a53_state.c). Layout 1 (before the model's state was saved) still
     * loads into a fixed-model machine; an a53 machine refuses it.
     */
    @Override
    public void save(StateWriter out) {
        Unicorn uc = cpu.unicorn();
        try (Unicorn.Context ctx = uc.newContext()) {
            ctx.save();
            MemorySegment b = ctx.bytes();
            int n = (int) b.byteSize() - CONTEXT_HEADER;
            out.i32(n).raw(b, CONTEXT_HEADER, n);
        }
        LoopState s = cpu.loopState();
        out.i64(cpu.cycles()).i64(cpu.instructionsRetired()).i64(cpu.exceptionsTaken())
                .bool(s.irqLevel()).bool(s.appliedIrqLevel()).bool(s.waitingForInterrupt())
                .i64(s.retiredAtLastAbort()).i32(s.abortsInARow()).i64(cpu.timerControl());
        Continuation cut = cpu.continuationState();
        if (cut.pc() == Continuation.NONE.pc()) cut = Continuation.NONE;  // what an earlier cut gave back means nothing now
        out.i64(cut.pc()).i64(cut.cycles()).i32(cut.bytes());
        NativeA53Model a53 = cpu.a53();
        out.u8(a53 == null ? FIXED : A53);
        if (a53 != null) out.bytes(a53.save());
    }

    @Override
    public Runnable load(StateReader in, int version) throws SnapshotException {
        Unicorn uc = cpu.unicorn();
        long size = uc.contextSize() - CONTEXT_HEADER;
        int n = in.i32();
        if (n != size) {
            throw in.bad("CPU context of " + n + " bytes; this libunicorn's is " + size + " (made with another libunicorn build?)");
        }
        int at = in.skip(n);
        byte[] context = java.util.Arrays.copyOfRange(in.buffer(), at, at + n);
        long cycles = in.i64("cycles", 0, Long.MAX_VALUE);
        long retired = in.i64("instructions retired", 0, Long.MAX_VALUE);
        long taken = in.i64("exceptions taken", 0, Long.MAX_VALUE);
        LoopState s = new LoopState(in.bool(), in.bool(), in.bool(), in.i64(), in.i32("aborts in a row", 0, Cpu.STUCK_ABORTS));
        long cntkctl = in.i64();
        Continuation cut = Continuation.NONE;
        byte[] model = null;
        int mine = cpu.a53() == null ? FIXED : A53;
        if (version >= 2) {
            cut = new Continuation(in.i64(), in.i64("cycles given back by a cut", 0, Long.MAX_VALUE), in.i32("bytes of a cut block", 0, 1 << 20));
            int theirs = in.u8();
            if (theirs != mine) {
                throw in.bad("made with the " + (theirs < MODEL_NAMES.length ? MODEL_NAMES[theirs] : "unknown (" + theirs + ")")
                        + " timing model; this machine uses the " + MODEL_NAMES[mine] + " model (--timing " + MODEL_NAMES[mine] + ")");
            }
            if (theirs == A53) {
                model = in.bytes();
                String why = NativeA53Model.check(model);
                if (why != null) throw in.bad(why);
            }
        } else if (mine == A53) {
            throw in.bad("layout 1 (an older Vitrine) has no a53 timing model state; this machine uses the a53 model: restore it with --timing fixed");
        }
        byte[] a53State = model;
        Continuation resume = cut;
        return () -> {
            try (Unicorn.Context ctx = uc.newContext()) {
                ctx.save();  // the header as this engine fills it
                MemorySegment.copy(MemorySegment.ofArray(context), 0, ctx.bytes(), CONTEXT_HEADER, n);
                ctx.restore();
            }
            // Whether a virtual IRQ is pending lives outside the context (QEMU's interrupt_request,
            // derived from HCR_EL2.VI when HCR_EL2 is written): left alone it keeps the engine's
            // value from before the restore, and an IRQ raised after the snapshot was taken would be
            // taken after restoring it (or a pending one lost). Writing the restored HCR_EL2 back
            // derives it again.
            SysReg.HCR_EL2.write(uc, SysReg.HCR_EL2.read(uc));
            uc.flushTranslations();
            uc.flushTlb();
            cpu.restoreLoop(cycles, retired, taken, s, cntkctl, resume, a53State);
        };
    }
}
