package org.vitrine.emulator.unicorn;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.cpu.CpuSetup;
import org.vitrine.emulator.cpu.SyndromeCalibration;
import org.vitrine.emulator.testutil.GuestAsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What libunicorn (2.1.4, Vitrine's minimum) does when the guest touches a physical address where nothing is mapped,
 * measured for the external-abort work (issue 14; docs/external-aborts.md): which hook fires with
 * which address, what uc_emu_start returns, where PC is (in the hook and afterwards), which
 * instructions of the block ran, and what a page-table walk into a hole gives. QEMU itself takes
 * a synchronous external abort in all these cases; Unicorn never does. libunicorn 2.1.1 differed in
 * one point, which is why Vitrine needs 2.1.4: it left PC at the start of the translated block
 * holding the access (also the second time round a loop), not at the load or store.
 */
class UnicornUnmappedAccessTest {
    static final long HOLE = 0x0c00_0000L;
    static final int UC_MEM_READ_UNMAPPED = 19, UC_MEM_WRITE_UNMAPPED = 20, UC_MEM_FETCH_UNMAPPED = 21;
    static final int UC_ERR_MAP = 11;

    record Event(int type, long address, int size, long pcInHook) { }

    /** The load is the third instruction of its block; the block before it is chained to it. */
    static final String LOAD_MID_BLOCK = """
                mov x5, #1
                b   second
            second:
                add x5, x5, #2
                mov x6, #7
            fault:
                ldr x0, [x1]
                add x5, x5, #100
            done:
                nop
            """;

    /**
     * libunicorn 2.1.4 restores the state from the faulting access before it calls the unmapped
     * hooks ("Sync pc before memory hooks"): PC is the load, in the hook and after the run.
     */
    @Test
    void unmappedReadStopsTheRunWithPcAtTheLoad() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, LOAD_MID_BLOCK);
            List<Event> events = recordUnmapped(uc, false);
            uc.reg(Arm64Reg.x(1), HOLE + 0x124);
            uc.reg(Arm64Reg.x(0), 0x55);
            int err = uc.start(p.base(), p.symbol("done"), 0, 0);
            assertEquals(Unicorn.ERR_READ_UNMAPPED, err);
            long pc = p.symbol("fault");
            assertEquals(List.of(new Event(UC_MEM_READ_UNMAPPED, HOLE + 0x124, 8, pc)), events,
                    "the hook gets the physical address; PC in the hook is the load (2.1.1: the start of its block)");
            assertEquals(pc, uc.reg(Arm64Reg.PC), "PC after the run: the same");
            assertEquals(3, uc.reg(Arm64Reg.x(5)), "instructions before the load ran, the one after it did not");
            assertEquals(7, uc.reg(Arm64Reg.x(6)));
            assertEquals(0x55, uc.reg(Arm64Reg.x(0)), "the destination is untouched");
        }
    }

    /**
     * The second time round a loop, when the blocks have been run (and chained) before: PC is
     * still the load. (2.1.1 left it at the start of the faulting block, so PC could not tell
     * which instructions of that block had run before the access.)
     */
    @Test
    void secondTimeRoundALoopThePcIsStillTheLoad() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    mov x7, #2
                loop:
                    add x5, x5, #1
                    b   second
                second:
                    mov x6, #1
                fault:
                    ldr x0, [x1]
                    mov x1, x2
                    subs x7, x7, #1
                    b.ne loop
                done:
                    nop
                """);
            List<Event> events = recordUnmapped(uc, false);
            uc.reg(Arm64Reg.x(1), Guest.RAM + 0x8000);
            uc.reg(Arm64Reg.x(2), HOLE);
            assertEquals(Unicorn.ERR_READ_UNMAPPED, uc.start(p.base(), p.symbol("done"), 0, 0));
            assertEquals(2, uc.reg(Arm64Reg.x(5)), "second time round");
            assertEquals(1, uc.reg(Arm64Reg.x(6)), "the instruction before the load in its block ran");
            long pc = p.symbol("fault");
            assertEquals(pc, events.get(0).pcInHook());
            assertEquals(pc, uc.reg(Arm64Reg.PC));
        }
    }

    @Test
    void unmappedWriteStopsRightAfterTheStore() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    add x5, x5, #2
                fault:
                    str x0, [x1]
                    add x5, x5, #100
                    str x5, [x2]
                done:
                    nop
                """);
            List<Event> events = recordUnmapped(uc, false);
            uc.reg(Arm64Reg.x(1), HOLE + 0x458);
            uc.reg(Arm64Reg.x(2), Guest.RAM + 0x8000);
            int err = uc.start(p.base(), p.symbol("done"), 0, 0);
            assertEquals(Unicorn.ERR_WRITE_UNMAPPED, err);
            long pc = p.symbol("fault");
            assertEquals(List.of(new Event(UC_MEM_WRITE_UNMAPPED, HOLE + 0x458, 8, pc)), events);
            assertEquals(2, uc.reg(Arm64Reg.x(5)), "Unicorn checks for an exit request after every store");
            assertEquals(0, ByteBuffer.wrap(uc.read(Guest.RAM + 0x8000, 8)).getLong(), "the later store did not happen");
            assertEquals(pc, uc.reg(Arm64Reg.PC), "PC is the store (2.1.1: the block start)");
        }
    }

    @Test
    void unmappedFetchStopsWithPcAtTheTargetAndTheLinkRegisterSet() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    add x5, x5, #2
                    blr x1
                back:
                    nop
                done:
                    nop
                """);
            List<Event> events = recordUnmapped(uc, false);
            uc.reg(Arm64Reg.x(1), HOLE + 0x20_0000);
            int err = uc.start(p.base(), p.symbol("done"), 0, 0);
            assertEquals(Unicorn.ERR_FETCH_UNMAPPED, err);
            assertEquals(UC_MEM_FETCH_UNMAPPED, events.get(0).type());
            assertEquals(HOLE + 0x20_0000, events.get(0).address());
            assertEquals(HOLE + 0x20_0000, events.get(0).pcInHook(), "PC in the hook is the unmapped target");
            assertEquals(HOLE + 0x20_0000, uc.reg(Arm64Reg.PC), "PC is the unmapped target: exact for fetches");
            assertEquals(p.symbol("back"), uc.reg(Arm64Reg.x(30)));
        }
    }

    /**
     * A host write of PC from a hook during the run (what exception entry does from the interrupt
     * hook) sets libunicorn 2.1.4's skip_sync_pc_on_exit, and nothing clears it before the run
     * ends: a later access to a hole in the same run then reports the start of its block again,
     * as 2.1.1 did. Vitrine ends the run after each exception it enters from a hook (Cpu).
     */
    @Test
    void aPcWrittenFromAHookLeavesLaterUnmappedAccessesOfTheRunWithAStalePc() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                        svc #0
                    after_svc:
                        b   second
                    second:
                        mov x6, #7
                    fault:
                        ldr x0, [x1]
                    done:
                        nop
                    """);
            List<Event> events = recordUnmapped(uc, false);
            uc.hookInterrupt(intno -> uc.reg(Arm64Reg.PC, p.symbol("after_svc"))); // resume after the SVC, as a handler would
            uc.reg(Arm64Reg.x(1), HOLE);
            assertEquals(Unicorn.ERR_READ_UNMAPPED, uc.start(p.base(), p.symbol("done"), 0, 0));
            assertEquals(7, uc.reg(Arm64Reg.x(6)));
            assertEquals(p.symbol("second"), events.get(0).pcInHook(), "the block start, not the load");
            // the same access in a fresh run is exact again
            events.clear();
            assertEquals(Unicorn.ERR_READ_UNMAPPED, uc.start(p.symbol("second"), p.symbol("done"), 0, 0));
            assertEquals(p.symbol("fault"), events.get(0).pcInHook());
        }
    }

    /**
     * The same run with PC written through uc_reg_write2 ({@link Unicorn#jumpFromHook}), as
     * exception entry does: the run goes on past the SVC and the later access reports its own PC,
     * so exceptions need not end the run to keep external aborts exact.
     */
    @Test
    void aPcWrittenFromAHookWithUcRegWrite2LeavesLaterUnmappedAccessesExact() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                        svc #0
                    after_svc:
                        b   second
                    second:
                        mov x6, #7
                    fault:
                        ldr x0, [x1]
                    done:
                        nop
                    """);
            List<Event> events = recordUnmapped(uc, false);
            uc.hookInterrupt(intno -> uc.jumpFromHook(p.symbol("after_svc")));
            uc.reg(Arm64Reg.x(1), HOLE);
            assertEquals(Unicorn.ERR_READ_UNMAPPED, uc.start(p.base(), p.symbol("done"), 0, 0));
            assertEquals(7, uc.reg(Arm64Reg.x(6)));
            assertEquals(p.symbol("fault"), events.get(0).pcInHook(), "the load itself");
        }
    }

    @Test
    void hookThatClaimsToHandleWithoutMappingEndsTheRunWithUcErrMap() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, LOAD_MID_BLOCK);
            List<Event> events = recordUnmapped(uc, true);
            uc.reg(Arm64Reg.x(1), HOLE);
            assertEquals(UC_ERR_MAP, uc.start(p.base(), p.symbol("done"), 0, 0));
            assertEquals(1, events.size(), "asked once, not retried");
        }
    }

    /**
     * With the MMU on, VA 0x20_0000_0000 maps the hole: the hook still gets the physical address,
     * so the virtual address QEMU puts in FAR must be found some other way.
     */
    @Test
    void withTheMmuOnTheHookGetsThePhysicalAddress() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, LOAD_MID_BLOCK);
            mmuOn(uc, false);
            List<Event> events = recordUnmapped(uc, false);
            uc.reg(Arm64Reg.x(1), 0x20_0000_0000L + HOLE + 0x124);
            assertEquals(Unicorn.ERR_READ_UNMAPPED, uc.start(p.base(), p.symbol("done"), 0, 0));
            assertEquals(HOLE + 0x124, events.get(0).address());
        }
    }

    /**
     * A walk whose table is in a hole: no hook is called and no error is returned; the CPU raises
     * a data abort itself, but with a TRANSLATION fault at that level (DFSC 0x04 + level), where
     * QEMU 7.2 reports a synchronous external abort on the walk (0x14 + level).
     */
    @Test
    void walkIntoAHoleIsATranslationFaultNotAnExternalAbort() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                fault:
                    ldr x0, [x1]
                done:
                    nop
                """);
            mmuOn(uc, true);
            List<Event> events = recordUnmapped(uc, false);
            SyndromeCalibration.Offsets offsets = SyndromeCalibration.offsets();
            List<Integer> syndromes = new ArrayList<>();
            List<Integer> intnos = new ArrayList<>();
            try (Unicorn.Context ctx = uc.newContext()) {
                uc.hookInterrupt(intno -> {
                    intnos.add(intno);
                    ctx.save();
                    syndromes.add(ctx.bytes().get(ValueLayout.JAVA_INT_UNALIGNED, offsets.syndrome()));
                    uc.reg(Arm64Reg.PC, p.symbol("done"));
                });
                uc.reg(Arm64Reg.x(1), 0x8000_0010L); // L1[2] is a table descriptor into the hole
                assertEquals(0, uc.start(p.base(), p.symbol("done"), 0, 0));
            }
            assertEquals(List.of(), events, "the walker's reads call no unmapped hook");
            assertEquals(List.of(4), intnos, "EXCP_DATA_ABORT");
            assertEquals(0x96000006, syndromes.get(0), "EC 0x25, IL, DFSC 0x06: translation fault, level 2");
        }
    }

    private static List<Event> recordUnmapped(Unicorn uc, boolean claimHandled) {
        List<Event> events = new ArrayList<>();
        uc.hookMemoryEvent(Unicorn.HOOK_MEM_UNMAPPED, (type, address, size, value) -> {
            events.add(new Event(type, address, size, uc.reg(Arm64Reg.PC)));
            return claimHandled;
        });
        return events;
    }

    /**
     * MMU on with TTBR0 at RAM + 0x1000 (39-bit VA, level-1 table): L1[1] maps RAM 1:1 (1 GiB
     * block), L1[128] is a 1 GiB block at PA 0 (the hole at HOLE is in it) and, with
     * {@code tableInHole}, L1[2] is a table descriptor pointing at HOLE + 0x100_0000.
     */
    private static void mmuOn(Unicorn uc, boolean tableInHole) {
        CpuSetup.configure(uc);
        long table = Guest.RAM + 0x1000;
        long normal = 1 | (1 << 2) | (3 << 8) | (1 << 10);
        long device = 1 | (1 << 10);
        ByteBuffer l1 = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        l1.putLong(8, 0x4000_0000L | normal);
        if (tableInHole) l1.putLong(16, (HOLE + 0x100_0000) | 3);
        l1.putLong(128 * 8, device);
        uc.write(table, l1.array());
        uc.sysReg(3, 0, 10, 2, 0, 0xff04);                                                 // MAIR_EL1
        uc.sysReg(3, 0, 2, 0, 2, 25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (2L << 32)); // TCR_EL1
        uc.sysReg(3, 0, 2, 0, 0, table);                                                   // TTBR0_EL1
        uc.sysReg(3, 0, 1, 0, 0, uc.sysReg(3, 0, 1, 0, 0) | 1);                            // SCTLR_EL1.M
        assertTrue((uc.sysReg(3, 0, 1, 0, 0) & 1) != 0);
    }
}
