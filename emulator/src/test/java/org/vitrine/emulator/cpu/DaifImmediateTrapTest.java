package org.vitrine.emulator.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link DaifImmediateTrap}: the architecture's EC 0x18 syndrome, and nothing for other instructions. */
class DaifImmediateTrapTest {
    @Test
    void daifSetAndClearGetTheirSyndromes() {
        // msr daifset, #2 = 0xd50342df; msr daifclr, #0xf = 0xd5034fff
        assertEquals(0x620cd3e4, DaifImmediateTrap.syndrome(0xd50342df), "EC 0x18, IL, Op2 6, Op1 3, CRn 4, Rt 31, CRm 2");
        assertEquals(0x620ed3fe, DaifImmediateTrap.syndrome(0xd5034fff), "Op2 7, CRm 15");
    }

    @Test
    void otherInstructionsAreNotIt() {
        assertEquals(0, DaifImmediateTrap.syndrome(0xd500409f), "MSR SPSel (op1 0, op2 5)");
        assertEquals(0, DaifImmediateTrap.syndrome(0xd503201f), "NOP");
        assertEquals(0, DaifImmediateTrap.syndrome(0xd53b4222), "MRS x2, DAIF (a register access, with its own syndrome)");
        assertEquals(0, DaifImmediateTrap.syndrome(0), "UDF");
    }
}
