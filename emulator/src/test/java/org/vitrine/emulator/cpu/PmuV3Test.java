package org.vitrine.emulator.cpu;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.time.EventQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vitrine.emulator.cpu.PmuV3.*;

/**
 * {@link PmuV3} alone on an {@link EventQueue}: what PMCR reports, the cycle counter and event
 * counters following the cycle clock only while enabled, the divider and resets, overflows at the
 * exact wrap cycle with the interrupt under PMINTEN, software increments, counters beyond N, and
 * PMUSERENR's EL0 rules.
 */
class PmuV3Test {
    final EventQueue clock = new EventQueue(1_000_000_000L);
    final List<Boolean> irq = new ArrayList<>();
    final GuestLog log = GuestLog.silent();
    final PmuV3 pmu = new PmuV3(clock, clock::now, irq::add, log);

    void advance(long cycle) {
        clock.advanceTo(cycle);
        clock.runDue();
    }

    boolean irqHigh() {
        return !irq.isEmpty() && irq.get(irq.size() - 1);
    }

    @Test
    void pmcrIdentifiesQemusCortexA72WithSixCounters() {
        assertEquals(0x4102_3000L, pmu.read(PMCR));
        pmu.write(PMCR, PMCR_E | PMCR_LC | PMCR_C | PMCR_P);
        assertEquals(0x4102_3000L | PMCR_E | PMCR_LC, pmu.read(PMCR), "P and C are actions, not state");
        assertEquals(0x20001L, pmu.read(PMCEID0_REG), "SW_INCR and CPU_CYCLES");
    }

    @Test
    void cycleCounterCountsOnlyWhileEnabled() {
        advance(100);
        pmu.write(PMCNTENSET, 1L << CYCLE_BIT);
        advance(200);
        assertEquals(0, pmu.read(PMCCNTR), "PMCR.E is clear");
        pmu.write(PMCR, PMCR_E);
        advance(1200);
        assertEquals(1000, pmu.read(PMCCNTR));
        pmu.write(PMCNTENCLR, 1L << CYCLE_BIT);
        advance(5000);
        assertEquals(1000, pmu.read(PMCCNTR), "stopped");
        assertEquals(0, pmu.read(PMCNTENSET));
        pmu.write(PMCCNTR, 7);
        pmu.write(PMCNTENSET, 1L << CYCLE_BIT);
        pmu.write(PMCR, PMCR_E | PMCR_D);
        advance(5000 + 640);
        assertEquals(17, pmu.read(PMCCNTR), "divided by 64");
        pmu.write(PMCR, PMCR_E | PMCR_C);
        assertEquals(0, pmu.read(PMCCNTR), "reset by PMCR.C");
    }

    @Test
    void eventCounterCountsCpuCyclesAndOverflowsAtTheWrap() {
        pmu.write(PMSELR, 2);
        pmu.write(PMXEVTYPER, EVENT_CPU_CYCLES);
        assertEquals(EVENT_CPU_CYCLES, pmu.read(pmevtyper(2)), "PMXEVTYPER is PMEVTYPER<SEL>");
        pmu.write(pmevcntr(2), 0xFFFF_FF00L);
        pmu.write(PMINTENSET, 1 << 2);
        pmu.write(PMCNTENSET, 1 << 2);
        pmu.write(PMCR, PMCR_E);
        advance(0xFF);
        assertEquals(0xFFFF_FFFFL, pmu.read(PMXEVCNTR));
        assertEquals(0, pmu.read(PMOVSSET));
        assertFalse(irqHigh());
        advance(0x100);
        assertEquals(0, pmu.read(pmevcntr(2)), "wrapped at 32 bits");
        assertEquals(1 << 2, pmu.read(PMOVSSET));
        assertTrue(irqHigh(), "overflow interrupt enabled for counter 2");
        pmu.write(PMOVSCLR, 1 << 2);
        assertFalse(irqHigh());
        advance(0x100 + (1L << 32));
        assertTrue(irqHigh(), "and again one full period later");
    }

    @Test
    void cycleCounterOverflowsAt32BitsUnlessLong() {
        pmu.write(PMCCNTR, 0xFFFF_FFF0L);
        pmu.write(PMCNTENSET, 1L << CYCLE_BIT);
        pmu.write(PMINTENSET, 1L << CYCLE_BIT);
        pmu.write(PMCR, PMCR_E);
        advance(0x10);
        assertEquals(1L << CYCLE_BIT, pmu.read(PMOVSSET));
        assertEquals(0x1_0000_0000L, pmu.read(PMCCNTR), "the counter is 64 bits; the flag is the carry out of bit 31");
        assertTrue(irqHigh());
        pmu.write(PMCR, 0);
        assertFalse(irqHigh(), "the interrupt needs PMCR.E");
    }

    @Test
    void softwareIncrementAndUnsupportedEvents() {
        pmu.write(pmevtyper(0), EVENT_SW_INCR);
        pmu.write(pmevtyper(1), 0x08); // INST_RETIRED: not counted
        pmu.write(PMCNTENSET, 0b11);
        pmu.write(PMCR, PMCR_E);
        pmu.write(PMSWINC, 0b11);
        pmu.write(PMSWINC, 0b01);
        advance(1000);
        assertEquals(2, pmu.read(pmevcntr(0)));
        assertEquals(0, pmu.read(pmevcntr(1)));
        assertEquals(1, log.count(GuestLog.Kind.UNIMPLEMENTED), "the uncounted event is reported once");
    }

    @Test
    void countersBeyondNReadZeroAndAreReported() {
        long before = log.count(GuestLog.Kind.GUEST_ERROR);
        pmu.write(pmevcntr(6), 5);
        assertEquals(0, pmu.read(pmevcntr(6)));
        pmu.write(PMSELR, 30);
        assertEquals(0, pmu.read(PMXEVTYPER));
        assertEquals(before + 3, log.count(GuestLog.Kind.GUEST_ERROR));
        assertTrue(PmuV3.handles(pmevtyper(30)) && PmuV3.handles(PMCCFILTR) && PmuV3.handles(PMINTENCLR));
        assertFalse(PmuV3.handles(SysReg.CNTVCT_EL0.key()) || PmuV3.handles(SysReg.key(3, 3, 9, 13, 3)));
    }

    @Test
    void el0AccessFollowsPmuserenr() {
        assertTrue(pmu.el0Allowed(PMUSERENR, false));
        assertFalse(pmu.el0Allowed(PMUSERENR, true));
        assertFalse(pmu.el0Allowed(PMCCNTR, false));
        pmu.write(PMUSERENR, 4);            // CR: cycle counter reads
        assertTrue(pmu.el0Allowed(PMCCNTR, false));
        assertFalse(pmu.el0Allowed(PMCCNTR, true));
        assertFalse(pmu.el0Allowed(pmevcntr(0), false));
        pmu.write(PMUSERENR, 8);            // ER: event counter reads and PMSELR
        assertTrue(pmu.el0Allowed(pmevcntr(0), false) && pmu.el0Allowed(PMSELR, true));
        pmu.write(PMUSERENR, 1);            // EN: everything at EL0 but the EL1 registers
        assertTrue(pmu.el0Allowed(PMCR, true));
        assertFalse(pmu.el0Allowed(PMINTENSET, false));
    }
}
