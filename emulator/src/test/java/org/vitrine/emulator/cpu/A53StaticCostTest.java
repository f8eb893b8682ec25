package org.vitrine.emulator.cpu;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The a53 model's static pipeline rules (vitrine_a53.c), on hand-assembled blocks: dependency
 * chains cost their latency per link, independent work dual-issues, a load's result waits
 * load-to-use cycles, dividers are not pipelined. Loops (a block ending in a branch back to
 * itself) are costed in their steady state, so the chain carried around the loop counts.
 */
class A53StaticCostTest {
    private static final int ADD_X0 = 0x91000400, MUL_X0 = 0x9b017c00, SDIV_X0 = 0x9ac10c00, LDR_X0_X0 = 0xf9400000,
            FADD_D0 = 0x1e612800, FMUL_D0 = 0x1e610800, FMADD_D0_ACC = 0x1f420020, FDIV_D0 = 0x1e611800,
            SUBS_X1 = 0xf1000421, BNE_SELF = 0x54000001, LDR_X3_X4 = 0xf9400083, ADD_X5_X3 = 0x91000465;

    /** {@code n} copies of {@code op}, then the loop's counter and branch back. */
    private static int loopOf(int op, int n) {
        int[] words = new int[n + 2];
        Arrays.fill(words, 0, n, op);
        words[n] = SUBS_X1;
        words[n + 1] = BNE_SELF;
        return NativeA53Model.staticCost(words, true);
    }

    @Test
    void dependentChainsCostTheirLatencyPerLink() {
        assertEquals(8, loopOf(ADD_X0, 8), "ALU with forwarding: 1");
        assertEquals(24, loopOf(MUL_X0, 8), "MUL: 4, operands read a cycle late");
        assertEquals(64, loopOf(SDIV_X0, 8), "SDIV: 8, not pipelined");
        assertEquals(24, loopOf(LDR_X0_X0, 8), "load-to-use: 3");
        assertEquals(32, loopOf(FADD_D0, 8), "FADD: 4");
        assertEquals(32, loopOf(FMUL_D0, 8), "FMUL: 4");
        assertEquals(32, loopOf(FMADD_D0_ACC, 8), "FMADD through the accumulator: 4 of its 8");
        assertEquals(8 * 33, loopOf(FDIV_D0, 8), "FDIV double: 33");
    }

    @Test
    void independentInstructionsIssueTwoACycle() {
        int[] adds = new int[8];
        for (int i = 0; i < 8; i++) adds[i] = 0x91000400 | ((i + 8) << 5) | (i + 8); // add x(8+i), x(8+i), #1
        assertEquals(4, NativeA53Model.staticCost(adds, false));
        int[] loads = {LDR_X3_X4, LDR_X3_X4 | 1, LDR_X3_X4 | 2, LDR_X3_X4 | 6}; // one load/store unit
        assertEquals(4, NativeA53Model.staticCost(loads, false));
    }

    @Test
    void aLoadsUserWaitsForIt() {
        assertEquals(4, NativeA53Model.staticCost(new int[] {LDR_X3_X4, ADD_X5_X3}, false));
    }
}
