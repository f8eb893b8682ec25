package org.vitrine.emulator.cpu;

import java.util.OptionalLong;
import java.util.function.IntToLongFunction;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;

import org.vitrine.emulator.memory.PhysicalMemory;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.unicorn.Arm64Reg;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * Synchronous external aborts: what the CPU takes, as on QEMU 7.2's virt board, when an access
 * reaches a physical address where nothing is mapped (docs/external-aborts.md explains each
 * field). Unicorn never raises them: it calls the unmapped-memory hook with the physical address
 * and ends the run, or, for a page-table walk whose table is in such a hole, raises a
 * translation fault. This class records the first, derives the syndrome and the virtual address
 * for FAR_EL1, and tells a walk into a hole from a real translation fault; {@link Cpu} gives
 * back the cycles and enters the exception through {@link ExceptionEntry}.
 *
 * <p>The syndrome is QEMU's: ISV = 0 (no instruction syndrome for aborts taken to EL1), EA = 0
 * (a hole is a decode error), FnV = 0, IL = 1, WnR for stores, fault status 0x10, or 0x14 + level
 * on a walk. FAR_EL1 is the virtual address of the access that failed (the second element of a
 * pair whose first one succeeded; the base before writeback) or, for a fetch, the PC.
 */
final class ExternalAborts {
    /** {@code uc_mem_type} values the unmapped-memory hook reports. */
    static final int UC_MEM_READ_UNMAPPED = 19, UC_MEM_WRITE_UNMAPPED = 20, UC_MEM_FETCH_UNMAPPED = 21;

    /** ESR_EL1 exception classes of aborts: from a lower level (EL0) and from the same level (EL1). */
    static final int EC_INSTRUCTION_ABORT_LOWER = 0x20, EC_INSTRUCTION_ABORT_SAME = 0x21,
            EC_DATA_ABORT_LOWER = 0x24, EC_DATA_ABORT_SAME = 0x25;
    static final int EC_SHIFT = 26;
    /** ESR_EL1.IL: a 32-bit instruction. */
    static final int IL = 1 << 25;
    /** ESR_EL1.ISS.WnR: the abort was caused by a write. */
    static final int WNR = 1 << 6;
    /** ESR_EL1.ISS.xFSC, the fault status code, and the values used here (the level adds to the base). */
    static final int FSC_MASK = 0x3f, FSC_TRANSLATION_LEVEL_0 = 0x04, FSC_EXTERNAL = 0x10, FSC_EXTERNAL_ON_WALK_LEVEL_0 = 0x14;

    /** What the access was. */
    enum Kind {
        READ("read"), WRITE("write"), FETCH("instruction fetch");

        final String text;

        Kind(String text) {
            this.text = text;
        }

        static Kind ofHookType(int type) {
            return switch (type) {
                case UC_MEM_WRITE_UNMAPPED -> WRITE;
                case UC_MEM_FETCH_UNMAPPED -> FETCH;
                default -> READ;
            };
        }
    }

    /**
     * An access to a hole as the hook saw it: physical address, size, the PC of the instruction
     * (data) or the fetch address, and the virtual address for FAR_EL1.
     */
    record Access(Kind kind, long pa, int size, long pc, long far) { }

    private final Unicorn uc;
    private final PhysicalMemory ram;
    private final LongFunction<PageTableWalker.Walk> walk;
    private final GuestLog.Source log;
    private LongPredicate devices = pa -> false;
    private Access pending;

    /**
     * @param walk a stage-1 walk of a virtual address in the CPU's current EL1&amp;0 regime
     * @param log  where each access to a hole is reported as a guest error
     */
    ExternalAborts(Unicorn uc, PhysicalMemory ram, LongFunction<PageTableWalker.Walk> walk, GuestLog.Source log) {
        this.uc = uc;
        this.ram = ram;
        this.walk = walk;
        this.log = log;
    }

    /** Which physical addresses answer besides RAM (device pages), to tell a walk into a hole from one that reads a device. */
    void devices(LongPredicate mapped) {
        this.devices = mapped;
    }

    /**
     * The unmapped-memory hook: remembers the first access of the run (DC ZVA reports every byte)
     * and returns false, which ends the run with UC_ERR_*_UNMAPPED (true without mapping anything
     * would only turn it into UC_ERR_MAP). libunicorn 2.1.4 has restored PC to the faulting
     * instruction before calling the hook. FAR is worked out here, while the registers are still
     * those the instruction saw: DC ZVA stores from a helper, after which Unicorn runs on to the
     * next load, store or block before the run ends.
     */
    boolean onUnmapped(int type, long address, int size, long value) {
        if (pending != null) return false;
        Kind kind = Kind.ofHookType(type);
        long pc = uc.reg(Arm64Reg.PC);
        // a data access whose virtual address cannot be found (see dataFaultAddress): the physical one is the best clue
        long far = kind == Kind.FETCH ? pc : dataFaultAddress(pc, address).orElse(address);
        pending = new Access(kind, address, size, pc, far);
        logHole(kind.text, address, size, pc);
        return false;
    }

    /** The access recorded during the run that just ended, or null; forgets it (call after every run). */
    Access takePending() {
        Access a = pending;
        pending = null;
        return a;
    }

    /** ESR_EL1 of the abort for {@code kind}, taken from EL0 or EL1. */
    static int syndrome(Kind kind, int fromEl) {
        boolean lower = fromEl == 0;
        int ec = kind == Kind.FETCH
                ? lower ? EC_INSTRUCTION_ABORT_LOWER : EC_INSTRUCTION_ABORT_SAME
                : lower ? EC_DATA_ABORT_LOWER : EC_DATA_ABORT_SAME;
        return ec << EC_SHIFT | IL | (kind == Kind.WRITE ? WNR : 0) | FSC_EXTERNAL;
    }

    /** True for an instruction or data abort whose fault status is a translation fault (any level). */
    static boolean isTranslationFault(int esr) {
        int ec = esr >>> EC_SHIFT;
        boolean abort = ec == EC_INSTRUCTION_ABORT_LOWER || ec == EC_INSTRUCTION_ABORT_SAME
                || ec == EC_DATA_ABORT_LOWER || ec == EC_DATA_ABORT_SAME;
        return abort && (esr & FSC_MASK & ~3) == FSC_TRANSLATION_LEVEL_0;
    }

    /** {@code esr} (an abort) with its fault status replaced by "external abort on the walk at {@code level}"; EC, IL and WnR stay. */
    static int onWalk(int esr, int level) {
        return (esr & ~FSC_MASK) | (FSC_EXTERNAL_ON_WALK_LEVEL_0 + level);
    }

    /**
     * FAR_EL1 for a data access to {@code pa} by the instruction at {@code pc}: the virtual
     * address whose translation is the physical address that failed. The instruction is decoded ({@link AccessAddress}) with the
     * registers as they are (libunicorn stops before the instruction's writeback and destination
     * writes) and the page of its range that translates to the failed physical page gives the
     * address; for DC ZVA it is the start of the block, as QEMU reports it (the hook first sees the
     * unaligned address). With the MMU off and nothing decoded it is the physical address. Empty
     * when it cannot be found (the code is not in RAM, not a load or store, or no page of its range
     * matches).
     */
    private OptionalLong dataFaultAddress(long pc, long pa) {
        boolean mmuOff = (SysReg.SCTLR_EL1.read(uc) & 1) == 0;
        OptionalLong decoded = decodedFaultAddress(pc, pa);
        return decoded.isPresent() || !mmuOff ? decoded : OptionalLong.of(pa);
    }

    private OptionalLong decodedFaultAddress(long pc, long pa) {
        PageTableWalker.Walk code = walk.apply(pc);
        if (code.outcome() != PageTableWalker.Outcome.MAPPED) return OptionalLong.empty();
        int word;
        try {
            word = ram.read32(code.pa());
        } catch (PhysicalMemory.BadAddressException e) {
            return OptionalLong.empty();
        }
        IntToLongFunction x = n -> uc.reg(n == 31 ? Arm64Reg.SP : Arm64Reg.x(n));
        AccessAddress.Range range = AccessAddress.of(word, pc, x);
        if (range == null) return OptionalLong.empty();
        for (long page : range.pages()) {
            PageTableWalker.Walk w = walk.apply(page);
            if (w.outcome() == PageTableWalker.Outcome.MAPPED && (w.pa() & ~0xfffL) == (pa & ~0xfffL)) {
                return OptionalLong.of(AccessAddress.isDcZva(word) ? range.va() : page | (pa & 0xfff));
            }
        }
        return OptionalLong.empty();
    }

    /**
     * When the translation of {@code va} (which the CPU reported as a translation fault) read a
     * descriptor where nothing is mapped, the walk; else null. A table in a device region is not a
     * hole: the walk read the device as QEMU and Unicorn do, and its translation fault stands.
     *
     * @param pc the instruction whose access or fetch was being translated, for the log
     */
    PageTableWalker.Walk walkIntoHole(long va, long pc) {
        PageTableWalker.Walk w = walk.apply(va);
        if (w.outcome() != PageTableWalker.Outcome.TABLE_OUTSIDE_RAM || devices.test(w.tableEntry())) return null;
        logHole("page-table walk read (level " + w.level() + ")", w.tableEntry(), 8, pc);
        return w;
    }

    private void logHole(String what, long pa, int size, long pc) {
        log.guestError("%s at physical address 0x%x, size %d, PC 0x%x: nothing is mapped there (synchronous external abort)",
                what, pa, size, pc);
    }
}
