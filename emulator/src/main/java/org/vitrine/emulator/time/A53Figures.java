package org.vitrine.emulator.time;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Cortex-A53 figures the a53 timing model is checked against (docs/timing-a53.md gives each
 * figure's source, from ../shared/reference/timing.md, and where the model corrects it), as the
 * cycles per operation that guest-apps/uarch's lines should report: {@code uarch: <what> <cycles>}.
 * One place for the test that compares them (tests/TimingMicrobenchmarkTest) and the staircase
 * plot of {@code vitrine bench --only timing}.
 */
public final class A53Figures {
    private A53Figures() { }

    /** L1 hit: the load-to-use latency with bypass (LLVM's LoadLatency). */
    public static final double L1 = 3;
    /** An L1 miss that hits the L2: 13 more. */
    public static final double L2 = L1 + 13;
    /** DRAM: no A53 figure exists; ~150 cycles at 1 GHz from the Cortex-A15 proxy (21 cycles + 110 ns). */
    public static final double DRAM = L2 + 150;
    /** A micro-TLB miss that hits the L2 TLB. */
    public static final double MICRO_TLB_MISS = 2;
    /** An L2 TLB miss: 20, plus a walk of three descriptor reads that hit the L2 (the model's choice). */
    public static final double TLB_MISS_AND_WALK = MICRO_TLB_MISS + 20 + 3 * 13;

    /** Expected cycles per operation, by uarch line name. */
    public static Map<String, Double> expected() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("chain alu", 1.0);        // ALU latency 3, but forwarding lets dependent ops issue back to back
        m.put("chain mul", 3.0);        // MUL 4, operands read a cycle late
        m.put("chain div", 8.0);        // DIV: A55's 8 (LLVM's A53 value of 4 is a stated simplification)
        m.put("chain fadd", 4.0);
        m.put("chain fmul", 4.0);
        m.put("chain fmadd", 4.0);      // FMA 8, with a 4-cycle recurrence through the accumulator
        m.put("chain fdiv", 33.0);      // FDIV double
        for (String s : new String[] {"4KiB", "8KiB", "16KiB"}) m.put("load " + s, L1);
        for (String s : new String[] {"64KiB", "128KiB", "256KiB"}) m.put("load " + s, L2);
        for (String s : new String[] {"2MiB", "4MiB", "8MiB", "16MiB", "32MiB", "64MiB"}) m.put("load " + s, DRAM);
        m.put("branch mispredict", 9.0);
        m.put("tlb 8 pages", L1);                                   // within the 10-entry micro-TLB
        m.put("tlb 256 pages", L1 + MICRO_TLB_MISS);                // within the 512-entry L2 TLB
        m.put("tlb 4096 pages", L2 + TLB_MISS_AND_WALK);            // beyond it; 256 KiB of lines, in the L2
        return m;
    }
}
