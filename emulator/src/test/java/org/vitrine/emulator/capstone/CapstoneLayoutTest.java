package org.vitrine.emulator.capstone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Pins the FFM struct layouts to the sizes and offsets a C compiler gives Capstone 4.0.2's
 * headers on x86_64 ({@code sizeof}/{@code offsetof} printed by a C program against
 * /usr/include/capstone). A wrong layout reads garbage silently, so it is checked here loudly.
 */
class CapstoneLayoutTest {
    @Test
    void insnMatchesC() {
        assertEquals(240, CsStructs.INSN.byteSize());
        assertEquals(0, CsStructs.INSN_ID);
        assertEquals(8, CsStructs.INSN_ADDRESS);
        assertEquals(16, CsStructs.INSN_SIZE);
        assertEquals(18, CsStructs.INSN_BYTES);
        assertEquals(34, CsStructs.INSN_MNEMONIC);
        assertEquals(66, CsStructs.INSN_OP_STR);
        assertEquals(232, CsStructs.INSN_DETAIL);
    }

    @Test
    void detailMatchesC() {
        assertEquals(0, CsStructs.DETAIL_REGS_READ);
        assertEquals(24, CsStructs.DETAIL_REGS_READ_COUNT);
        assertEquals(26, CsStructs.DETAIL_REGS_WRITE);
        assertEquals(66, CsStructs.DETAIL_REGS_WRITE_COUNT);
        assertEquals(67, CsStructs.DETAIL_GROUPS);
        assertEquals(75, CsStructs.DETAIL_GROUPS_COUNT);
        assertEquals(80, CsStructs.DETAIL_ARM64);
    }

    @Test
    void arm64MatchesC() {
        assertEquals(456, CsStructs.ARM64.byteSize());
        assertEquals(80, CsStructs.ARM64_CC);
        assertEquals(84, CsStructs.ARM64_UPDATE_FLAGS);
        assertEquals(85, CsStructs.ARM64_WRITEBACK);
        assertEquals(86, CsStructs.ARM64_OP_COUNT);
        assertEquals(88, CsStructs.ARM64_OPERANDS);
    }

    @Test
    void arm64OperandMatchesC() {
        assertEquals(56, CsStructs.ARM64_OP.byteSize());
        assertEquals(0, CsStructs.OP_VECTOR_INDEX);
        assertEquals(4, CsStructs.OP_VAS);
        assertEquals(8, CsStructs.OP_VESS);
        assertEquals(12, CsStructs.OP_SHIFT_TYPE);
        assertEquals(16, CsStructs.OP_SHIFT_VALUE);
        assertEquals(20, CsStructs.OP_EXT);
        assertEquals(24, CsStructs.OP_TYPE);
        assertEquals(32, CsStructs.OP_REG);
        assertEquals(32, CsStructs.OP_IMM);
        assertEquals(32, CsStructs.OP_FP);
        assertEquals(32, CsStructs.OP_MEM_BASE);
        assertEquals(36, CsStructs.OP_MEM_INDEX);
        assertEquals(40, CsStructs.OP_MEM_DISP);
        assertEquals(48, CsStructs.OP_ACCESS);
    }
}
