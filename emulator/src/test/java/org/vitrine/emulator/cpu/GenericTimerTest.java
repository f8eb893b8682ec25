package org.vitrine.emulator.cpu;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.time.EventQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GenericTimer} alone, on an {@link EventQueue} whose time is the timer's clock: counter
 * scaling, the TVAL view (read: bits [31:0] of CVAL - count, a signed 32-bit value; write:
 * sign-extended), CTL.ISTATUS / IMASK, the output line rising exactly at the cycle where the
 * counter reaches CVAL, disabling, compare values so far away they must never be scheduled, and
 * the EL0 access rules of CNTKCTL_EL1.
 */
class GenericTimerTest {
    static final int FRQ = SysReg.CNTFRQ_EL0.key(), PCT = SysReg.CNTPCT_EL0.key(), VCT = SysReg.CNTVCT_EL0.key();
    static final int V_TVAL = SysReg.CNTV_TVAL_EL0.key(), V_CTL = SysReg.CNTV_CTL_EL0.key(), V_CVAL = SysReg.CNTV_CVAL_EL0.key();
    static final int P_TVAL = SysReg.CNTP_TVAL_EL0.key(), P_CTL = SysReg.CNTP_CTL_EL0.key(), P_CVAL = SysReg.CNTP_CVAL_EL0.key();
    static final long ENABLE = 1, IMASK = 2, ISTATUS = 4;

    /** 1 GHz CPU clock: 16 cycles per 62.5 MHz counter tick. */
    final EventQueue clock = new EventQueue(1_000_000_000L);
    final List<Boolean> phys = new ArrayList<>(), virt = new ArrayList<>();
    final GuestLog log = GuestLog.silent();
    final GenericTimer timer = new GenericTimer(clock, clock::now, phys::add, virt::add, log);

    void advance(long cycle) {
        clock.advanceTo(cycle);
        clock.runDue();
    }

    static boolean level(List<Boolean> line) {
        return !line.isEmpty() && line.get(line.size() - 1);
    }

    @Test
    void counterRunsAt62_5MHzOfTheCycleClock() {
        assertEquals(62_500_000L, timer.read(FRQ));
        assertEquals(0, timer.read(VCT));
        advance(1615);
        assertEquals(100, timer.read(VCT));
        assertEquals(100, timer.read(PCT), "CNTVOFF is 0: both counters agree");
        advance(1616);
        assertEquals(101, timer.read(VCT));
    }

    @Test
    void counterWithANonIntegerRatio() {
        EventQueue q = new EventQueue(100_000_000L);            // 1.6 cycles per tick
        GenericTimer t = new GenericTimer(q, q::now, l -> { }, l -> { }, log);
        q.advanceTo(4);
        assertEquals(2, t.read(VCT), "floor(4 * 0.625)");
        q.advanceTo(8);
        assertEquals(5, t.read(VCT));
    }

    @Test
    void counterRegistersAreReadOnly() {
        advance(1600);
        timer.write(VCT, 5);
        timer.write(PCT, 5);
        timer.write(FRQ, 5);
        assertEquals(3, log.count(GuestLog.Kind.GUEST_ERROR), "each write is reported as a guest error");
        assertEquals(3, log.source("generic-timer").count(), "by the timer");
        assertEquals(100, timer.read(VCT));
        assertEquals(62_500_000L, timer.read(FRQ));
    }

    @Test
    void tvalReadIsTheSigned32BitDifference() {
        advance(1600);                                          // count 100
        timer.write(V_CVAL, 1100);
        assertEquals(1000, timer.read(V_TVAL));
        timer.write(V_CVAL, 40);
        long v = timer.read(V_TVAL);
        assertEquals(-60, (int) v, "negative once CVAL has passed");
        assertEquals(0, v >>> 32, "bits [63:32] are RES0 and read as zero, as on QEMU");
        timer.write(V_CVAL, 100 + (1L << 32) + 5);
        assertEquals(5, timer.read(V_TVAL), "only the low 32 bits of the difference");
        timer.write(V_CVAL, 100 + 0x8000_0000L);
        assertEquals(Integer.MIN_VALUE, (int) timer.read(V_TVAL), "2^31 ahead wraps to the most negative value");
    }

    @Test
    void tvalWriteIsSignExtended() {
        advance(1600);                                          // count 100
        timer.write(V_TVAL, 0xffff_ffffL);
        assertEquals(99, timer.read(V_CVAL), "TVAL 0xffffffff = -1");
        timer.write(V_TVAL, -10);
        assertEquals(90, timer.read(V_CVAL));
        timer.write(V_TVAL, 0x1_0000_0005L);
        assertEquals(105, timer.read(V_CVAL), "bits [63:32] of the written value are ignored");
        timer.write(V_TVAL, 0x7fff_ffffL);
        assertEquals(100 + 0x7fff_ffffL, timer.read(V_CVAL));
    }

    @Test
    void ctlKeepsEnableAndImaskAndReportsIstatus() {
        advance(1600);
        timer.write(V_CVAL, 110);
        timer.write(V_CTL, 0xff);
        assertEquals(ENABLE | IMASK, timer.read(V_CTL), "ISTATUS is read-only and the condition is not met yet");
        advance(110 * 16);
        assertEquals(ENABLE | IMASK | ISTATUS, timer.read(V_CTL), "condition met");
        timer.write(V_CTL, ENABLE);
        assertEquals(ENABLE | ISTATUS, timer.read(V_CTL));
    }

    @Test
    void imaskHoldsTheLineLowWhileIstatusIsSet() {
        timer.write(V_CVAL, 10);
        timer.write(V_CTL, ENABLE | IMASK);
        advance(10 * 16);
        assertEquals(ENABLE | IMASK | ISTATUS, timer.read(V_CTL));
        assertFalse(level(virt), "masked");
        timer.write(V_CTL, ENABLE);
        assertTrue(level(virt), "unmasked: the pending condition raises the line at once");
        timer.write(V_CTL, ENABLE | IMASK);
        assertFalse(level(virt));
        assertEquals(List.of(true, false), virt, "no spurious edges");
    }

    @Test
    void lineRisesExactlyWhenTheCounterReachesCval() {
        timer.write(V_CVAL, 100);
        timer.write(V_CTL, ENABLE);
        assertEquals(1600, clock.nextDeadline(), "scheduled at the first cycle with count 100");
        advance(1599);
        assertEquals(99, timer.read(VCT));
        assertFalse(level(virt));
        assertEquals(0, timer.read(V_CTL) & ISTATUS);
        advance(1600);
        assertTrue(level(virt));
        assertEquals(List.of(true), virt);
        assertTrue(phys.isEmpty(), "the physical timer is a separate comparator");
    }

    @Test
    void lineRisesExactlyWithANonIntegerRatio() {
        EventQueue q = new EventQueue(100_000_000L);            // count = floor(cycle * 5 / 8)
        List<Boolean> line = new ArrayList<>();
        GenericTimer t = new GenericTimer(q, q::now, l -> { }, line::add, log);
        t.write(V_CVAL, 3);                                     // count 3 first at cycle 5 (4.8 rounded up)
        t.write(V_CTL, ENABLE);
        assertEquals(5, q.nextDeadline());
        q.advanceTo(4);
        q.runDue();
        assertFalse(level(line));
        q.advanceTo(5);
        q.runDue();
        assertTrue(level(line));
    }

    @Test
    void tvalProgrammingFiresAfterThatManyTicks() {
        advance(1600);
        timer.write(P_TVAL, 6250);                              // 100 us
        timer.write(P_CTL, ENABLE);
        assertEquals((100 + 6250) * 16, clock.nextDeadline());
        advance((100 + 6250) * 16 - 1);
        assertFalse(level(phys));
        advance((100 + 6250) * 16);
        assertTrue(level(phys));
        assertTrue(virt.isEmpty());
    }

    @Test
    void movingCvalReschedules() {
        timer.write(V_CVAL, 100);
        timer.write(V_CTL, ENABLE);
        timer.write(V_CVAL, 50);
        assertEquals(800, clock.nextDeadline(), "the old event is cancelled");
        advance(800);
        assertTrue(level(virt));
        timer.write(V_CVAL, 200);
        assertFalse(level(virt), "condition no longer met");
        assertEquals(3200, clock.nextDeadline());
        advance(3200);
        assertTrue(level(virt));
        assertEquals(List.of(true, false, true), virt);
    }

    @Test
    void disablingDropsTheLineAndCancelsTheEvent() {
        timer.write(V_CVAL, 10);
        timer.write(V_CTL, ENABLE);
        advance(160);
        assertTrue(level(virt));
        timer.write(V_CTL, 0);
        assertFalse(level(virt));
        assertEquals(0, timer.read(V_CTL) & ENABLE);

        timer.write(V_CVAL, 1000);
        timer.write(V_CTL, ENABLE);
        assertEquals(16_000, clock.nextDeadline());
        timer.write(V_CTL, 0);
        assertEquals(Long.MAX_VALUE, clock.nextDeadline(), "disabled before the deadline: nothing pending");
        advance(20_000);
        assertFalse(level(virt));
        assertEquals(List.of(true, false), virt);
    }

    /** CVAL = 2^64-1 (Linux's "timer off" value) and anything beyond 2^63 cycles: never scheduled. */
    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void farCompareValuesNeverSchedule() {
        advance(1600);
        for (long cval : new long[] {-1L, Long.MIN_VALUE, 0x0C00_0000_0000_0000L, 576_460_752_303_423_488L}) {
            timer.write(V_CVAL, cval);
            timer.write(V_CTL, ENABLE);
            assertEquals(Long.MAX_VALUE, clock.nextDeadline(), "CVAL 0x" + Long.toHexString(cval));
            assertEquals(0, clock.runDue());
            assertEquals(ENABLE, timer.read(V_CTL), "condition not met");
            assertEquals(cval, timer.read(V_CVAL));
        }
        assertTrue(virt.isEmpty());
        // the largest CVAL whose cycle still fits is scheduled
        timer.write(V_CVAL, 576_460_752_303_423_487L);
        assertEquals(576_460_752_303_423_487L * 16, clock.nextDeadline());
    }

    @Test
    void el0AccessFollowsCntkctl() {
        long pcten = 1, vcten = 2, vten = 1 << 8, pten = 1 << 9;
        assertFalse(GenericTimer.el0Allowed(FRQ, 0));
        assertTrue(GenericTimer.el0Allowed(FRQ, pcten), "CNTFRQ: either counter enable");
        assertTrue(GenericTimer.el0Allowed(FRQ, vcten));
        assertTrue(GenericTimer.el0Allowed(PCT, pcten));
        assertFalse(GenericTimer.el0Allowed(PCT, vcten | vten | pten));
        assertTrue(GenericTimer.el0Allowed(VCT, vcten));
        assertFalse(GenericTimer.el0Allowed(VCT, pcten | vten | pten));
        for (int key : new int[] {V_TVAL, V_CTL, V_CVAL}) {
            assertTrue(GenericTimer.el0Allowed(key, vten));
            assertFalse(GenericTimer.el0Allowed(key, pcten | vcten | pten));
        }
        for (int key : new int[] {P_TVAL, P_CTL, P_CVAL}) {
            assertTrue(GenericTimer.el0Allowed(key, pten));
            assertFalse(GenericTimer.el0Allowed(key, pcten | vcten | vten));
        }
    }

    @Test
    void handlesExactlyTheTimerRegisters() {
        for (int key : new int[] {FRQ, PCT, VCT, V_TVAL, V_CTL, V_CVAL, P_TVAL, P_CTL, P_CVAL}) {
            assertTrue(GenericTimer.handles(key), Integer.toHexString(key));
        }
        for (SysReg r : new SysReg[] {SysReg.CNTKCTL_EL1, SysReg.VBAR_EL1, SysReg.SCTLR_EL1, SysReg.IC_IVAU}) {
            assertFalse(GenericTimer.handles(r.key()), r.name());
        }
        assertTrue(GenericTimer.isTimerRegister(V_TVAL));
        assertFalse(GenericTimer.isTimerRegister(VCT));
    }
}
