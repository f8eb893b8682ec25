package org.vitrine.emulator.cpu;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.machine.Machine;
import org.vitrine.emulator.memory.PhysicalMemory;
import org.vitrine.emulator.testutil.GuestAsm;
import org.vitrine.emulator.time.TimingModel;
import org.vitrine.emulator.unicorn.Unicorn;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Code the guest writes through one mapping and runs through another (what a kernel's program
 * loader does) becomes visible after the architected cache maintenance, IC IVAU by address or
 * IC IALLU, even though libunicorn 2.1 would otherwise keep running the stale translation.
 */
class CodeVisibilityTest {
    static final String SOURCE = GuestAsm.MMU_ON_MACRO + """
            .equ EXEC_VA, 0x40200000        // the code page, executable, read-only
            .equ ALIAS_VA, 0x40400000       // the same physical page, writable, not executable
            .text
            _start:
                mmu_on
                ldr x19, =EXEC_VA
                ldr x20, =ALIAS_VA
                ldr x21, =results

                blr x19                     // runs "mov x0, #1; ret" and gets it translated
                str x0, [x21]

                ldr w1, =0xD2800040         // mov x0, #2
                str w1, [x20]
                dc cvau, x20
                dsb ish
                ic ivau, x19
                dsb ish
                isb
                blr x19
                str x0, [x21, #8]

                ldr w1, =0xD2800060         // mov x0, #3, published with IC IALLU
                str w1, [x20]
                dc cvau, x20
                dsb ish
                ic iallu
                dsb ish
                isb
                blr x19
                str x0, [x21, #16]

                ldr x0, =0x84000008
                mov x1, #0
                hvc #0
            1:  b 1b
                .ltorg
                .data
                .balign 8
            results:
                .space 24
            """;

    @Test
    void guestWrittenCodeRunsAfterCacheMaintenance() throws Exception {
        GuestAsm.Program prog = GuestAsm.assemble(SOURCE, 0x4008_0000L, "-Tdata=0x40100000");
        try (Machine m = new Machine(0x4000_0000L, 16 << 20, TimingModel.fixedCpi(1_000_000_000L, 1), Unicorn.CpuModel.A72)) {
            PhysicalMemory ram = m.ram();
            ram.write(prog.base(), prog.image(), 0, prog.image().length);
            ram.write32(0x4020_0000L, 0xD2800020);   // mov x0, #1
            ram.write32(0x4020_0004L, 0xD65F03C0);   // ret
            long af = 1L << 10, sh = 3L << 8, uxn = 1L << 54, pxn = 1L << 53, normal = 1 << 2;
            long tables = 0x4001_0000L, l2 = tables + 0x1000;
            ram.write64(tables + 8, l2 | 3);
            ram.write64(l2, 0x4000_0000L | 1 | normal | af | sh | uxn);                    // kernel, EL1 RW + X
            ram.write64(l2 + 8, 0x4020_0000L | 1 | normal | (2L << 6) | af | sh | uxn);      // code: EL1 RO + X
            ram.write64(l2 + 16, 0x4020_0000L | 1 | normal | af | sh | uxn | pxn);          // alias: EL1 RW, XN
            m.reset(prog.symbol("_start"), 0);
            Cpu.Exit exit = m.run(100_000_000L);
            assertEquals(Cpu.ExitKind.POWER_OFF, exit.kind(), exit.message());
            long results = prog.symbol("results");
            assertEquals(1, ram.read64(results), "original code");
            assertEquals(2, ram.read64(results + 8), "code rewritten through the alias, published by IC IVAU");
            assertEquals(3, ram.read64(results + 16), "code rewritten through the alias, published by IC IALLU");
            RunStatistics stats = m.cpu().statistics();
            assertEquals(1, stats.stops(RunStatistics.Stop.CODE_INVALIDATION), "only IC IALLU ends a run, IC IVAU does not: " + stats);
            assertEquals(1, stats.codeInvalidatedNatively, "the IC IVAU done in native code (NativeCodeInvalidation): " + stats);
        }
    }
}
