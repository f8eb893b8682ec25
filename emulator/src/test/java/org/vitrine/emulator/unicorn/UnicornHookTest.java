package org.vitrine.emulator.unicorn;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.testutil.GuestAsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each hook kind the binding offers, with what it reports: interrupt numbers, block address and
 * size, a code hook limited to a range, memory hooks reporting PHYSICAL addresses and values (with
 * the MMU on and a VA alias), unmapped-memory events (refused or fixed up and retried), and the
 * MRS / MSR / SYS instruction hooks.
 */
class UnicornHookTest {
    /** uc_mem_type values passed to memory hooks. */
    static final int UC_MEM_READ = 16, UC_MEM_WRITE = 17, UC_MEM_READ_UNMAPPED = 19, UC_MEM_WRITE_UNMAPPED = 20,
            UC_MEM_FETCH_UNMAPPED = 21;

    record Access(int type, long address, int size, long value) { }

    record Block(long address, int size) { }

    @Test
    void interruptHookGetsQemuExceptionNumbers() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    svc #0x12
                after_svc:
                    brk #3
                    .word 0
                done:
                    nop
                """);
            List<Integer> intnos = new ArrayList<>();
            List<Long> pcs = new ArrayList<>();
            uc.hookInterrupt(intno -> {
                intnos.add(intno);
                long pc = uc.reg(Arm64Reg.PC);
                pcs.add(pc);
                if (intno != 2) uc.reg(Arm64Reg.PC, pc + 4); // step over the faulting instruction
            });
            Guest.runToDone(uc, p);
            assertEquals(List.of(2, 7, 1), intnos, "SVC 2, BRK 7, undefined 1");
            long svcNext = p.symbol("after_svc");
            assertEquals(List.of(svcNext, svcNext, svcNext + 4), pcs,
                    "SVC: PC is the next instruction; BRK and undefined: the instruction itself");
        }
    }

    @Test
    void blockHookReportsAddressAndSize() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    mov x0, #1
                    mov x1, #2
                    b next
                    nop
                next:
                    mov x2, #3
                    cbz xzr, done
                    nop
                done:
                    nop
                """);
            List<Block> blocks = new ArrayList<>();
            uc.hookBlock((a, s) -> blocks.add(new Block(a, s)));
            Guest.runToDone(uc, p);
            assertEquals(List.of(new Block(p.base(), 12), new Block(p.symbol("next"), 8)), blocks);
        }
    }

    @Test
    void codeHookCoversOnlyItsRange() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    mov x0, #1
                    mov x1, #2
                    mov x2, #3
                    mov x3, #4
                done:
                    nop
                """);
            List<Block> seen = new ArrayList<>();
            uc.hookCode((a, s) -> seen.add(new Block(a, s)), p.base() + 4, p.base() + 8);
            Guest.runToDone(uc, p);
            assertEquals(List.of(new Block(p.base() + 4, 4), new Block(p.base() + 8, 4)), seen);
            assertEquals(4, uc.reg(Arm64Reg.x(3)));
        }
    }

    @Test
    void removedHookNoLongerFires() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    mov x0, #1
                done:
                    nop
                """);
            int[] n = {0};
            Unicorn.Hook h = uc.hookCode((a, s) -> n[0]++, 1, 0);
            Guest.runToDone(uc, p);
            assertEquals(1, n[0]);
            h.remove();
            Guest.runToDone(uc, p);
            assertEquals(1, n[0]);
        }
    }

    /**
     * With the MMU on, VA 0x8000_0000 is an alias of PA 0x4000_0000 (1 GiB blocks); loads and stores
     * through the alias are reported at their physical addresses, stores with the stored value.
     */
    @Test
    void memoryHooksReportPhysicalAddressesAndValues() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    ldr x0, [x1]
                    str x2, [x1, #8]
                    strb w2, [x1, #20]
                    ldrh w3, [x1, #22]
                done:
                    nop
                """);
            enableMmuWithAlias(uc);
            uc.write(Guest.RAM + 0x2000, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            List<Access> accesses = new ArrayList<>();
            uc.hookMemory(Unicorn.HOOK_MEM_READ | Unicorn.HOOK_MEM_WRITE,
                    (type, address, size, value) -> accesses.add(new Access(type, address, size, value)), 1, 0);
            uc.reg(Arm64Reg.x(1), 0x8000_2000L);
            uc.reg(Arm64Reg.x(2), 0x1122_3344_5566_7788L);
            Guest.runToDone(uc, p);
            assertEquals(0x0807_0605_0403_0201L, uc.reg(Arm64Reg.x(0)), "load through the alias");
            assertEquals(List.of(
                    new Access(UC_MEM_READ, 0x4000_2000L, 8, 0),
                    new Access(UC_MEM_WRITE, 0x4000_2008L, 8, 0x1122_3344_5566_7788L),
                    new Access(UC_MEM_WRITE, 0x4000_2014L, 1, 0x88),
                    new Access(UC_MEM_READ, 0x4000_2016L, 2, 0)), accesses);
            assertArrayEquals(new byte[] {(byte) 0x88, 0x77}, uc.read(0x4000_2008L, 2), "stores landed at the physical address");
        }
    }

    /** A hook's [begin, end] range is matched against the physical address too. */
    @Test
    void memoryHookRangeIsPhysical() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    str x2, [x1]
                    str x2, [x1, #0x100]
                done:
                    nop
                """);
            enableMmuWithAlias(uc);
            List<Long> seen = new ArrayList<>();
            uc.hookMemory(Unicorn.HOOK_MEM_WRITE, (t, a, s, v) -> seen.add(a), 0x4000_2100L, 0x4000_21ffL);
            uc.reg(Arm64Reg.x(1), 0x8000_2000L);
            Guest.runToDone(uc, p);
            assertEquals(List.of(0x4000_2100L), seen);
        }
    }

    /** 39-bit VAs, 4 KiB granule, L1 table at RAM+0x1000: VA 1 GiB and 2 GiB both map PA 0x4000_0000. */
    static void enableMmuWithAlias(Unicorn uc) {
        uc.sysReg(3, 6, 1, 1, 0, (1 << 10) | 1);                     // SCR_EL3: RW, NS
        uc.sysReg(3, 4, 1, 1, 0, 1L << 31);                          // HCR_EL2: RW
        long table = Guest.RAM + 0x1000;
        long block = 0x4000_0000L | 1 | (1 << 2) | (3 << 8) | (1 << 10); // block, attr1 normal, inner shareable, AF
        byte[] l1 = new byte[24];
        java.nio.ByteBuffer.wrap(l1).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(8, block).putLong(16, block);
        uc.write(table, l1);
        uc.sysReg(3, 0, 10, 2, 0, 0xff04);                           // MAIR_EL1: attr0 device, attr1 normal WB
        uc.sysReg(3, 0, 2, 0, 2, 25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (2L << 32)); // TCR_EL1
        uc.sysReg(3, 0, 2, 0, 0, table);                             // TTBR0_EL1
        long sctlr = uc.sysReg(3, 0, 1, 0, 0);
        uc.sysReg(3, 0, 1, 0, 0, sctlr | 1);                         // SCTLR_EL1.M
    }

    @Test
    void unmappedAccessNotHandledEndsTheRunWithItsError() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    ldr x0, [x1]
                done:
                    nop
                """);
            List<Access> events = new ArrayList<>();
            uc.hookMemoryEvent(Unicorn.HOOK_MEM_UNMAPPED, (type, address, size, value) -> {
                events.add(new Access(type, address, size, value));
                return false;
            });
            uc.reg(Arm64Reg.x(1), 0x5000_0010L);
            assertEquals(Unicorn.ERR_READ_UNMAPPED, uc.start(p.base(), p.symbol("done"), 0, 0));
            assertEquals(List.of(new Access(UC_MEM_READ_UNMAPPED, 0x5000_0010L, 8, 0)), events);
            assertEquals(p.base(), uc.reg(Arm64Reg.PC), "PC on the faulting load");
        }
    }

    @Test
    void unmappedWriteAndFetchHaveTheirOwnErrors() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    str x0, [x1]
                done:
                    nop
                """);
            List<Integer> types = new ArrayList<>();
            uc.hookMemoryEvent(Unicorn.HOOK_MEM_UNMAPPED, (type, address, size, value) -> types.add(type) == false);
            uc.reg(Arm64Reg.x(1), 0x5000_0000L);
            assertEquals(Unicorn.ERR_WRITE_UNMAPPED, uc.start(p.base(), p.symbol("done"), 0, 0));
            assertEquals(Unicorn.ERR_FETCH_UNMAPPED, uc.start(0x6000_0000L, Guest.NEVER, 0, 0));
            assertEquals(List.of(UC_MEM_WRITE_UNMAPPED, UC_MEM_FETCH_UNMAPPED), types);
        }
    }

    @Test
    void unmappedAccessFixedByTheHookIsRetried() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    ldr x0, [x1]
                done:
                    nop
                """);
            int[] calls = {0};
            uc.hookMemoryEvent(Unicorn.HOOK_MEM_UNMAPPED, (type, address, size, value) -> {
                calls[0]++;
                uc.map(address & ~0xfffL, 0x1000, Unicorn.PROT_ALL);
                uc.write(address, new byte[] {0x2a, 0, 0, 0, 0, 0, 0, 0x70});
                return true;
            });
            uc.reg(Arm64Reg.x(1), 0x5000_0010L);
            Guest.runToDone(uc, p);
            assertEquals(0x7000_0000_0000_002aL, uc.reg(Arm64Reg.x(0)), "the load was retried on the new page");
            assertEquals(1, calls[0]);
        }
    }

    /** An MRS hook that writes Xt and returns true replaces the register read. */
    @Test
    void mrsHookSuppliesTheValue() {
        try (Unicorn uc = Guest.open()) {
            List<int[]> seen = new ArrayList<>();
            uc.hookSysInsn(Unicorn.INS_MRS, (reg, op0, op1, crn, crm, op2, value) -> {
                seen.add(new int[] {reg, op0, op1, crn, crm, op2});
                if (op0 == 3 && op1 == 3 && crn == 13 && crm == 0 && op2 == 2) { // TPIDR_EL0
                    uc.reg(reg, 0xfeed_f00dL);
                    return true;
                }
                return false;
            });
            GuestAsm.Program p = Guest.load(uc, """
                    mrs x0, tpidr_el0
                    mrs x7, tpidrro_el0
                done:
                    nop
                """);
            uc.reg(Arm64Reg.TPIDR_EL0, 5);
            uc.reg(Arm64Reg.TPIDRRO_EL0, 6);
            Guest.runToDone(uc, p);
            assertEquals(0xfeed_f00dL, uc.reg(Arm64Reg.x(0)), "hook's value");
            assertEquals(6, uc.reg(Arm64Reg.x(7)), "hook declined: the real register");
            assertEquals(5, uc.reg(Arm64Reg.TPIDR_EL0), "the register itself is untouched");
            assertEquals(2, seen.size());
            assertArrayEquals(new int[] {Arm64Reg.x(0), 3, 3, 13, 0, 2}, seen.get(0));
            assertArrayEquals(new int[] {Arm64Reg.x(7), 3, 3, 13, 0, 3}, seen.get(1));
        }
    }

    /** An MSR hook sees the value written; returning true skips the write, false lets it happen. */
    @Test
    void msrHookSeesTheValueAndCanSkipTheWrite() {
        try (Unicorn uc = Guest.open()) {
            List<long[]> seen = new ArrayList<>();
            uc.hookSysInsn(Unicorn.INS_MSR, (reg, op0, op1, crn, crm, op2, value) -> {
                seen.add(new long[] {reg, op0, op1, crn, crm, op2, value});
                return op2 == 2; // skip TPIDR_EL0, let TPIDRRO_EL0 through
            });
            GuestAsm.Program p = Guest.load(uc, """
                    msr tpidr_el0, x5
                    msr tpidrro_el0, x6
                done:
                    nop
                """);
            uc.reg(Arm64Reg.x(5), 0x1234_5678_9abc_def0L);
            uc.reg(Arm64Reg.x(6), 0x77L);
            Guest.runToDone(uc, p);
            assertEquals(0, uc.reg(Arm64Reg.TPIDR_EL0), "skipped");
            assertEquals(0x77, uc.reg(Arm64Reg.TPIDRRO_EL0), "performed");
            assertEquals(2, seen.size());
            assertArrayEquals(new long[] {Arm64Reg.x(5), 3, 3, 13, 0, 2, 0x1234_5678_9abc_def0L}, seen.get(0));
            assertArrayEquals(new long[] {Arm64Reg.x(6), 3, 3, 13, 0, 3, 0x77}, seen.get(1));
        }
    }

    /**
     * SYS (cache maintenance): IC IVAU Xt reports (1,3,7,5,1) and Xt's value, DC CVAU (1,3,7,11,1),
     * IC IALLU (1,0,7,5,0) with XZR as the register.
     */
    @Test
    void sysHookSeesCacheMaintenance() {
        try (Unicorn uc = Guest.open()) {
            List<long[]> seen = new ArrayList<>();
            uc.hookSysInsn(Unicorn.INS_SYS, (reg, op0, op1, crn, crm, op2, value) -> {
                seen.add(new long[] {reg, op0, op1, crn, crm, op2, value});
                return false;
            });
            GuestAsm.Program p = Guest.load(uc, """
                    ic ivau, x3
                    dc cvau, x4
                    ic iallu
                done:
                    nop
                """);
            uc.reg(Arm64Reg.x(3), Guest.RAM + 0x40);
            uc.reg(Arm64Reg.x(4), Guest.RAM + 0x80);
            Guest.runToDone(uc, p);
            assertEquals(3, seen.size(), "SYS hook calls");
            assertArrayEquals(new long[] {Arm64Reg.x(3), 1, 3, 7, 5, 1, Guest.RAM + 0x40}, seen.get(0), "IC IVAU");
            assertArrayEquals(new long[] {Arm64Reg.x(4), 1, 3, 7, 11, 1, Guest.RAM + 0x80}, seen.get(1), "DC CVAU");
            assertArrayEquals(new long[] {Arm64Reg.XZR, 1, 0, 7, 5, 0, 0}, seen.get(2), "IC IALLU");
        }
    }
}
