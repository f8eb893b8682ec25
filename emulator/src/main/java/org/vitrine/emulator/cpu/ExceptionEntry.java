package org.vitrine.emulator.cpu;

import java.lang.foreign.ValueLayout;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

import org.vitrine.emulator.unicorn.Arm64Reg;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * Synchronous exception entry to EL1, which Unicorn reports (its interrupt hook, with QEMU's
 * EXCP_* number) but does not perform. ESR and FAR come from QEMU's exception record in the saved
 * context, at the offsets {@link SyndromeCalibration} measured, except where the abort was really
 * external ({@link ExternalAborts}): an access to a hole, which Unicorn reports as an error of the
 * run ({@link #enterExternalAbort}), or a page-table walk into a hole, which it reports as a
 * translation fault (rewritten here). IRQs are not entered here: QEMU takes them itself through
 * HCR_EL2.VI (see {@link Cpu}). Optionally traces each exception taken.
 */
final class ExceptionEntry {
    /** QEMU's EXCP_* numbers as Unicorn reports them to the interrupt hook. */
    static final int EXCP_UDEF = 1, EXCP_SWI = 2, EXCP_PREFETCH_ABORT = 3, EXCP_DATA_ABORT = 4, EXCP_BKPT = 7,
            EXCP_HVC = 11, EXCP_SMC = 13;

    /** The four blocks of VBAR_EL1's table: which level and stack the exception comes from. */
    static final long FROM_CURRENT_EL_SP0 = 0x000, FROM_CURRENT_EL_SPX = 0x200, FROM_LOWER_EL_AARCH64 = 0x400,
            FROM_LOWER_EL_AARCH32 = 0x600;
    /** The entry of each exception type within a block. */
    static final long SYNC = 0x000, IRQ = 0x080, FIQ = 0x100, SERROR = 0x180;

    /** The syndrome of an exception QEMU left none for: EC 0 (unknown reason) with IL set. */
    private static final int UNKNOWN_SYNDROME = 1 << 25;
    /** SCTLR_EL1.UMA: EL0 may write the interrupt masks. */
    private static final long SCTLR_UMA = 1L << 9;

    private final Unicorn uc;
    private final LongSupplier cycle;
    private final ExternalAborts externalAborts;
    private final java.util.function.LongToIntFunction instructionAt;
    private final SyndromeCalibration.Offsets offsets;
    private final Unicorn.Context context;
    /** Read at entry: PSTATE, SP, SP_EL1, VBAR_EL1. */
    private final Unicorn.Batch before;
    private final Unicorn.Batch entryWithFar, entryWithoutFar;
    private Consumer<String> trace;
    private LongFunction<Optional<String>> symbolizer = a -> Optional.empty();
    private long taken;

    /**
     * @param cycle          the cycle clock, for the trace
     * @param externalAborts tells a translation fault from a walk into a hole
     * @param instructionAt  the instruction word at a virtual address of the current regime (0 when unreadable)
     */
    ExceptionEntry(Unicorn uc, LongSupplier cycle, ExternalAborts externalAborts, java.util.function.LongToIntFunction instructionAt) {
        this.uc = uc;
        this.cycle = cycle;
        this.externalAborts = externalAborts;
        this.instructionAt = instructionAt;
        this.offsets = SyndromeCalibration.offsets();
        this.context = uc.newContext();
        this.before = uc.batch(4).register(0, Arm64Reg.PSTATE).register(1, Arm64Reg.SP).register(2, Arm64Reg.SP_EL1)
                .register(3, Arm64Reg.VBAR_EL1);
        this.entryWithFar = entryBatch(true);
        this.entryWithoutFar = entryBatch(false);
    }

    /** The registers {@link #take} writes; entry 0 (which SP to bank into) is chosen per exception. */
    private Unicorn.Batch entryBatch(boolean far) {
        Unicorn.Batch b = uc.batch(far ? 8 : 7);
        int i = 1;
        b.register(i++, Arm64Reg.ELR_EL1).register(i++, Arm64Reg.ESR_EL1);
        if (far) b.register(i++, Arm64Reg.FAR_EL1);
        b.register(i++, Arm64Reg.PSTATE);
        SysReg spsr = SysReg.SPSR_EL1;
        b.sysReg(i++, spsr.op0(), spsr.op1(), spsr.crn(), spsr.crm(), spsr.op2());
        b.register(i++, Arm64Reg.SP).register(i, Arm64Reg.PC);
        return b;
    }

    void trace(Consumer<String> sink) {
        this.trace = sink;
    }

    void symbolizer(LongFunction<Optional<String>> names) {
        this.symbolizer = names;
    }

    void taken(long count) {
        taken = count;
    }

    long taken() {
        return taken;
    }

    /**
     * Takes exception {@code intno} (an EXCP_* number other than HVC/SMC, which are firmware calls)
     * raised by the instruction at {@code pc}. False when it is not one Vitrine models.
     */
    boolean enter(int intno, long pc) {
        switch (intno) {
            case EXCP_UDEF, EXCP_SWI, EXCP_BKPT -> {
                int syndrome = savedSyndrome();
                if (intno == EXCP_UDEF && (syndrome >>> 26) == 0) syndrome = trappedAtEl0(pc, syndrome);
                take(syndrome == 0 ? UNKNOWN_SYNDROME : syndrome, pc, 0, false, null);
            }
            case EXCP_PREFETCH_ABORT, EXCP_DATA_ABORT -> {
                int esr = savedSyndrome();
                long far = savedFaultAddress();
                PageTableWalker.Walk hole = ExternalAborts.isTranslationFault(esr) ? externalAborts.walkIntoHole(far, pc) : null;
                if (hole == null) {
                    take(esr, pc, far, true, null);
                } else {
                    take(ExternalAborts.onWalk(esr, hole.level()), pc, far, true, new External(hole.tableEntry(), hole.level()));
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * An UNDEF libunicorn reports without a syndrome that the architecture reports as a trapped
     * system instruction: MSR DAIFSet/DAIFClr at EL0 with SCTLR_EL1.UMA clear ({@link DaifImmediateTrap}).
     */
    private int trappedAtEl0(long pc, int syndrome) {
        if (Pstate.exceptionLevel(uc.reg(Arm64Reg.PSTATE)) != 0 || (SysReg.SCTLR_EL1.read(uc) & SCTLR_UMA) != 0) return syndrome;
        int insn = instructionAt.applyAsInt(pc);
        int trap = insn == 0 ? 0 : DaifImmediateTrap.syndrome(insn);
        return trap != 0 ? trap : syndrome;
    }

    private int savedSyndrome() {
        context.save();
        return context.bytes().get(ValueLayout.JAVA_INT_UNALIGNED, offsets.syndrome());
    }

    /** Valid right after {@link #savedSyndrome()}, which saved the context. */
    private long savedFaultAddress() {
        return context.bytes().get(ValueLayout.JAVA_LONG_UNALIGNED, offsets.faultAddress());
    }

    /**
     * Takes a synchronous external abort on an access to physical address {@code pa} (the run
     * ended with UC_ERR_*_UNMAPPED): {@code esr} from {@link ExternalAborts#syndrome}, {@code elr}
     * the faulting instruction (or the fetch address), {@code far} its virtual address.
     */
    void enterExternalAbort(int esr, long elr, long far, long pa) {
        take(esr, elr, far, true, new External(pa, NOT_ON_WALK));
    }

    private static final int NOT_ON_WALK = -1;

    /** For the trace: the physical address that failed, and the walk level when a table read failed. */
    private record External(long pa, int walkLevel) { }

    /**
     * Architectural entry to EL1 for a synchronous exception, in the order libunicorn 2.1 needs:
     * bank SP, write ELR/ESR/FAR, switch PSTATE, then write SPSR through CP_REG (which rebuilds the
     * cached EL/MMU flags), then load SP_EL1 and jump to the vector.
     *
     * @param external null, or where an external abort's access failed (for the trace)
     */
    private void take(int esr, long elr, long far, boolean writeFar, External external) {
        taken++;
        before.read();
        long pstate = before.get(0), sp = before.get(1), spEl1 = before.get(2), vbar = before.get(3);
        int fromEl = Pstate.exceptionLevel(pstate);
        boolean spx = Pstate.usesSpx(pstate);
        boolean bankToSpEl0 = fromEl == 0 || !spx;
        long block = fromEl == 0 ? FROM_LOWER_EL_AARCH64 : spx ? FROM_CURRENT_EL_SPX : FROM_CURRENT_EL_SP0;
        long target = vbar + block + SYNC;
        // One batch, in the order libunicorn needs: bank SP, ELR/ESR/FAR, PSTATE, then SPSR through
        // CP_REG (rebuilds the cached EL/MMU flags), SP = SP_EL1, PC = the vector.
        Unicorn.Batch entry = writeFar ? entryWithFar : entryWithoutFar;
        int i = 0;
        entry.register(i, bankToSpEl0 ? Arm64Reg.SP_EL0 : Arm64Reg.SP_EL1).set(i++, sp);
        entry.set(i++, elr);
        entry.set(i++, esr & 0xffff_ffffL);
        if (writeFar) entry.set(i++, far);
        entry.set(i++, Pstate.EL1H_DAIF_MASKED);
        entry.set(i++, pstate);
        entry.set(i++, bankToSpEl0 ? spEl1 : sp);
        entry.set(i, target);
        entry.write();
        if (trace != null) {
            String where = symbolizer.apply(elr).map(n -> " <" + n + ">").orElse("");
            String detail = external == null ? ""
                    : external.walkLevel() == NOT_ON_WALK ? String.format(" (external, PA 0x%x)", external.pa())
                    : String.format(" (external, walk level %d, PA 0x%x)", external.walkLevel(), external.pa());
            trace.accept(String.format("[trace] exception %s%s from EL%d: ESR=0x%08x ELR=0x%x%s%s SPSR=0x%x -> 0x%x (cycle %d)",
                    exceptionClass(esr), detail, fromEl, esr, elr, where, writeFar ? String.format(" FAR=0x%x", far) : "", pstate,
                    target, cycle.getAsLong()));
        }
    }

    static String exceptionClass(int esr) {
        return switch (esr >>> 26) {
            case 0x00 -> "unknown/undefined";
            case 0x15 -> "SVC";
            case 0x16 -> "HVC";
            case 0x17 -> "SMC";
            case 0x18 -> "MSR/MRS trap";
            case 0x20, 0x21 -> "instruction abort";
            case 0x22 -> "PC alignment";
            case 0x24, 0x25 -> "data abort";
            case 0x26 -> "SP alignment";
            case 0x3c -> "BRK";
            default -> String.format("EC 0x%x", esr >>> 26);
        };
    }
}
