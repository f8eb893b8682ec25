package org.vitrine.emulator.unicorn;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.testutil.GuestAsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Register access through the binding, checked against what guest code sees: the ids of
 * {@link Arm64Reg} name the architectural X0..X30, SP, PC, NZCV, PSTATE and Q registers; system
 * registers go through CP_REG; and CurrentEL / NZCV are refused there (libunicorn would abort the
 * process) with an {@link IllegalArgumentException} the JVM survives.
 */
class UnicornRegisterTest {

    /** Host writes X0..X30 and SP; the guest stores them all; then sets each Xn to n for the host to read. */
    @Test
    void generalRegistersAndSpAreTheArchitecturalOnes() {
        StringBuilder src = new StringBuilder();
        for (int n = 0; n <= 30; n++) src.append("    str x").append(n).append(", [sp, #").append(8 * n).append("]\n");
        for (int n = 0; n <= 30; n++) src.append("    mov x").append(n).append(", #").append(n).append("\n");
        src.append("    add sp, sp, #16\n");
        src.append("done:\n    nop\n");
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, src.toString());
            long buf = Guest.RAM + 0x8000;
            for (int n = 0; n <= 30; n++) uc.reg(Arm64Reg.x(n), 0x1000_0000_0000_0000L * (n % 16) + 0x1111L * n + 7);
            uc.reg(Arm64Reg.SP, buf);
            for (int n = 0; n <= 30; n++) {
                assertEquals(0x1000_0000_0000_0000L * (n % 16) + 0x1111L * n + 7, uc.reg(Arm64Reg.x(n)), "x" + n + " read back");
            }
            Guest.runToDone(uc, p);
            byte[] stored = uc.read(buf, 31 * 8);
            for (int n = 0; n <= 30; n++) {
                long v = java.nio.ByteBuffer.wrap(stored, 8 * n, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
                assertEquals(0x1000_0000_0000_0000L * (n % 16) + 0x1111L * n + 7, v, "guest saw host-written x" + n);
            }
            for (int n = 0; n <= 30; n++) assertEquals(n, uc.reg(Arm64Reg.x(n)), "host sees guest-written x" + n);
            assertEquals(buf + 16, uc.reg(Arm64Reg.SP), "SP");
            // x(31) names XZR: libunicorn 2.1.4 reads it as 0 and drops writes (2.1.1 refused both with UC_ERR_ARG)
            assertEquals(Arm64Reg.XZR, Arm64Reg.x(31));
            uc.reg(Arm64Reg.XZR, 0x1234);
            assertEquals(0, uc.reg(Arm64Reg.XZR));
        }
    }

    @Test
    void pcIsWhereTheRunStopped() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    nop
                    adr x0, .
                    nop
                done:
                    nop
                """);
            uc.reg(Arm64Reg.PC, 0x4000_1234L);
            assertEquals(0x4000_1234L, uc.reg(Arm64Reg.PC));
            Guest.runToDone(uc, p);
            assertEquals(p.symbol("done"), uc.reg(Arm64Reg.PC));
            assertEquals(p.base() + 4, uc.reg(Arm64Reg.x(0)), "ADR saw its own PC");
        }
    }

    @Test
    void pstateAtResetIsEl1hWithDaifMasked() {
        try (Unicorn uc = Unicorn.open(Unicorn.CpuModel.A72)) {
            long pstate = uc.reg(Arm64Reg.PSTATE);
            assertEquals(0x3c5, pstate & 0x3ff, String.format("PSTATE 0x%x", pstate));
            assertEquals(0x4000_03c5L, pstate, "design/unicorn.md: 0x400003c5 (Z set)");
        }
    }

    /** NZCV written by the host steers a conditional instruction; a guest CMP is visible in NZCV and PSTATE. */
    @Test
    void nzcvBothWays() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    cset x0, eq
                    cset x1, cs
                    cset x2, mi
                    cmp x3, x4
                done:
                    nop
                """);
            uc.reg(Arm64Reg.NZCV, 0x6000_0000L); // Z and C
            assertEquals(0x6000_0000L, uc.reg(Arm64Reg.NZCV));
            uc.reg(Arm64Reg.x(3), 1);
            uc.reg(Arm64Reg.x(4), 2);
            Guest.runToDone(uc, p);
            assertEquals(1, uc.reg(Arm64Reg.x(0)), "EQ");
            assertEquals(1, uc.reg(Arm64Reg.x(1)), "CS");
            assertEquals(0, uc.reg(Arm64Reg.x(2)), "not MI");
            assertEquals(0x8000_0000L, uc.reg(Arm64Reg.NZCV), "1 - 2: N only");
            assertEquals(0x8000_0000L, uc.reg(Arm64Reg.PSTATE) & 0xf000_0000L, "PSTATE carries the same flags");
        }
    }

    @Test
    void pstateWriteChangesFlagsAndMask() {
        try (Unicorn uc = Unicorn.open(Unicorn.CpuModel.A72)) {
            uc.reg(Arm64Reg.PSTATE, 0x2000_0345L); // C, EL1h, D A F masked, I clear
            assertEquals(0x2000_0345L, uc.reg(Arm64Reg.PSTATE));
            assertEquals(0x2000_0000L, uc.reg(Arm64Reg.NZCV));
        }
    }

    @Test
    void vectorRegisters() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    mov x0, v1.d[0]
                    mov x1, v1.d[1]
                    mov v31.d[0], x2
                    mov v31.d[1], x3
                done:
                    nop
                """);
            for (int n = 0; n < 32; n++) uc.vector(n, 0x0101_0101_0101_0101L * n, ~(long) n);
            for (int n = 0; n < 32; n++) {
                assertArrayEquals(new long[] {0x0101_0101_0101_0101L * n, ~(long) n}, uc.vector(n), "q" + n);
            }
            uc.reg(Arm64Reg.x(2), 0x1234_5678_9abc_def0L);
            uc.reg(Arm64Reg.x(3), 0x0fed_cba9_8765_4321L);
            Guest.runToDone(uc, p);
            assertEquals(0x0101_0101_0101_0101L, uc.reg(Arm64Reg.x(0)), "low half of q1");
            assertEquals(~1L, uc.reg(Arm64Reg.x(1)), "high half of q1");
            assertArrayEquals(new long[] {0x1234_5678_9abc_def0L, 0x0fed_cba9_8765_4321L}, uc.vector(31), "guest-written q31");
            assertThrows(IllegalArgumentException.class, () -> uc.vector(32));
        }
    }

    @Test
    void sysRegReadWriteMatchesTheGuestView() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, """
                    mrs x0, vbar_el1
                    mrs x1, tpidr_el1
                    msr tpidr_el1, x2
                done:
                    nop
                """);
            uc.sysReg(3, 0, 12, 0, 0, 0x4000_8000L);               // VBAR_EL1
            assertEquals(0x4000_8000L, uc.sysReg(3, 0, 12, 0, 0));
            uc.sysReg(3, 0, 13, 0, 4, 0xabcd_0123L);               // TPIDR_EL1
            assertEquals(0xabcd_0123L, uc.sysReg(3, 0, 13, 0, 4));
            assertEquals(0xabcd_0123L, uc.reg(Arm64Reg.TPIDR_EL1), "CP_REG and the named id are the same register");
            uc.reg(Arm64Reg.x(2), 0x5555_6666L);
            Guest.runToDone(uc, p);
            assertEquals(0x4000_8000L, uc.reg(Arm64Reg.x(0)), "guest MRS VBAR_EL1");
            assertEquals(0xabcd_0123L, uc.reg(Arm64Reg.x(1)), "guest MRS TPIDR_EL1");
            assertEquals(0x5555_6666L, uc.sysReg(3, 0, 13, 0, 4), "guest MSR TPIDR_EL1");
            // VBAR_EL1 bits [10:0] are RES0, but QEMU's write function clears only bits [4:0]:
            // the host must not assume a 2 KiB-aligned VBAR when it computes a vector address.
            uc.sysReg(3, 0, 12, 0, 0, 0x4000_87ffL);
            assertEquals(0x4000_87e0L, uc.sysReg(3, 0, 12, 0, 0), "QEMU masks VBAR_EL1 bits [4:0] only");
        }
    }

    /**
     * An encoding the CPU does not implement is not refused by libunicorn 2.1.4 (2.1.1 answered
     * UC_ERR_ARG): it prints a deprecation warning on stderr ("will get UC_ERR_ARG in the future
     * release (2.2.0)"), returns UC_ERR_OK, reads as 0 and drops writes. So the host cannot find out
     * from the library that an encoding is wrong: Vitrine only uses the ones {@code SysReg} declares.
     */
    @Test
    void unknownSysRegReadsAsZeroAndWritesAreDropped() {
        try (Unicorn uc = Unicorn.open(Unicorn.CpuModel.A72)) {
            uc.sysReg(3, 7, 15, 15, 7, 0x55);
            assertEquals(0, uc.sysReg(3, 7, 15, 15, 7));
        }
    }

    /** CurrentEL (3,0,4,2,2) and NZCV (3,3,4,2,0) through CP_REG would abort the process: refused, process survives. */
    @Test
    void currentElAndNzcvAreRefusedThroughCpReg() {
        try (Unicorn uc = Unicorn.open(Unicorn.CpuModel.A72)) {
            assertThrows(IllegalArgumentException.class, () -> uc.sysReg(3, 0, 4, 2, 2));
            assertThrows(IllegalArgumentException.class, () -> uc.sysReg(3, 3, 4, 2, 0));
            assertThrows(IllegalArgumentException.class, () -> uc.sysReg(3, 0, 4, 2, 2, 0));
            assertThrows(IllegalArgumentException.class, () -> uc.sysReg(3, 3, 4, 2, 0, 0));
            // still alive and usable
            assertEquals(1, (uc.reg(Arm64Reg.PSTATE) >>> 2) & 3, "EL1, read through PSTATE");
            uc.sysReg(3, 0, 13, 0, 4, 77);
            assertEquals(77, uc.sysReg(3, 0, 13, 0, 4));
        }
    }
}
