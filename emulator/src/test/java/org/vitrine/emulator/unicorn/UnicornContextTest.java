package org.vitrine.emulator.unicorn;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.testutil.GuestAsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code uc_context_save / restore}: a saved CPU state comes back whole after the CPU ran on. */
class UnicornContextTest {
    @Test
    void saveRunRestoreRoundTrip() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    mov x0, #100
                    add x30, x30, #1
                    mov v3.d[1], x0
                    mov sp, x0
                    msr tpidr_el1, x0
                    cmp x0, #100
                done:
                    nop
                """);
            uc.reg(Arm64Reg.x(0), 7);
            uc.reg(Arm64Reg.x(30), 30);
            uc.reg(Arm64Reg.SP, 0x4000_8000L);
            uc.reg(Arm64Reg.NZCV, 0x8000_0000L);
            uc.vector(3, 11, 12);
            uc.sysReg(3, 0, 13, 0, 4, 0x55);
            uc.reg(Arm64Reg.PC, p.base());
            try (Unicorn.Context ctx = uc.newContext()) {
                assertTrue(ctx.bytes().byteSize() > 0 && ctx.bytes().byteSize() == uc.contextSize());
                ctx.save();
                Guest.runToDone(uc, p);
                assertEquals(100, uc.reg(Arm64Reg.x(0)));
                assertEquals(0x6000_0000L, uc.reg(Arm64Reg.NZCV));
                ctx.restore();
                assertEquals(7, uc.reg(Arm64Reg.x(0)));
                assertEquals(30, uc.reg(Arm64Reg.x(30)));
                assertEquals(0x4000_8000L, uc.reg(Arm64Reg.SP));
                assertEquals(0x8000_0000L, uc.reg(Arm64Reg.NZCV));
                assertArrayEquals(new long[] {11, 12}, uc.vector(3));
                assertEquals(0x55, uc.sysReg(3, 0, 13, 0, 4), "system registers too");
                assertEquals(p.base(), uc.reg(Arm64Reg.PC));
                // the restored CPU runs the same way again
                Guest.runToDone(uc, p);
                assertEquals(31, uc.reg(Arm64Reg.x(30)));
            }
        }
    }

    @Test
    void contextDoesNotCoverMemory() {
        try (Unicorn uc = Guest.open(); Unicorn.Context ctx = uc.newContext()) {
            uc.write(Guest.RAM + 0x100, new byte[] {1});
            ctx.save();
            uc.write(Guest.RAM + 0x100, new byte[] {2});
            ctx.restore();
            assertEquals(2, uc.read(Guest.RAM + 0x100, 1)[0], "memory is not part of a context");
        }
    }
}
