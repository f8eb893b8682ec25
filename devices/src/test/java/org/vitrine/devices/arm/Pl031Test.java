package org.vitrine.devices.arm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vitrine.devices.RecordingLine;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.time.EventQueue;

class Pl031Test {
    static final int DR = 0x00, MR = 0x04, LR = 0x08, CR = 0x0C, IMSC = 0x10, RIS = 0x14, MIS = 0x18, ICR = 0x1C;
    static final long CPS = 62_500_000L;
    static final long EPOCH = 1_700_000_000L;

    EventQueue clock;
    RecordingLine irq;
    Pl031 rtc;
    /** This test's machine log: only this RTC reports into it. */
    final GuestLog log = GuestLog.silent();

    @BeforeEach
    void setUp() {
        clock = new EventQueue(CPS);
        irq = new RecordingLine();
        rtc = new Pl031(clock, EPOCH, irq, log);
    }

    long r(int off) {
        return rtc.read(off, 4);
    }

    void w(int off, long v) {
        rtc.write(off, 4, v);
    }

    void runTo(long cycle) {
        clock.advanceTo(cycle);
        clock.runDue();
    }

    @Test
    void identificationAndControl() {
        assertEquals(0x1000, rtc.size());
        int[] ids = {0x31, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1};
        for (int i = 0; i < ids.length; i++) assertEquals(ids[i], r(0xFE0 + 4 * i), "ID register " + i);
        assertEquals(1, r(CR), "always started");
        w(CR, 0);
        assertEquals(1, r(CR), "cannot be stopped");
    }

    @Test
    void counterFollowsVirtualTimeOnly() {
        assertEquals(EPOCH, r(DR));
        runTo(CPS - 1);
        assertEquals(EPOCH, r(DR), "one cycle short of a second");
        runTo(CPS);
        assertEquals(EPOCH + 1, r(DR));
        runTo(CPS * 10 + CPS / 2);
        assertEquals(EPOCH + 10, r(DR));
        // Another RTC on an identical clock reads the same: nothing comes from the host.
        EventQueue twin = new EventQueue(CPS);
        twin.advanceTo(CPS * 10 + CPS / 2);
        assertEquals(r(DR), new Pl031(twin, EPOCH, irq, log).read(DR, 4));
    }

    @Test
    void matchInterruptFiresAtTheExactCycle() {
        runTo(CPS * 10 + 12_345); // Mid-second: the match is due at a second boundary, not +3 s.
        w(IMSC, 1);
        w(MR, r(DR) + 3);
        long due = CPS * 13;
        assertEquals(due, clock.nextDeadline());
        runTo(due - 1);
        assertEquals(0, r(RIS));
        assertFalse(irq.level);
        runTo(due);
        assertEquals(EPOCH + 13, r(DR));
        assertEquals(1, r(RIS));
        assertEquals(1, r(MIS));
        assertTrue(irq.level);

        w(ICR, 0);
        assertTrue(irq.level, "writing 0 does not clear");
        w(ICR, 1);
        assertFalse(irq.level);
        assertEquals(0, r(RIS));
        assertEquals(List.of(true, false), irq.history);
    }

    @Test
    void maskedMatchSetsRawStatusOnly() {
        w(MR, EPOCH + 2);
        runTo(CPS * 2);
        assertEquals(1, r(RIS));
        assertEquals(0, r(MIS));
        assertFalse(irq.level);
        w(IMSC, 1);
        assertTrue(irq.level, "unmasking a raised interrupt asserts the line");
        w(IMSC, 0);
        assertFalse(irq.level);
    }

    @Test
    void rewritingTheMatchCancelsTheOldOne() {
        w(IMSC, 1);
        w(MR, EPOCH + 5);
        w(MR, EPOCH + 8);
        runTo(CPS * 5);
        assertFalse(irq.level, "old match cancelled");
        runTo(CPS * 8);
        assertTrue(irq.level);
    }

    @Test
    void matchEqualToCounterFiresAtOnce() {
        w(IMSC, 1);
        w(MR, r(DR));
        assertTrue(irq.level, "as QEMU: counter already equals the match");
    }

    @Test
    void loadSetsTheCounterAndRearmsTheMatch() {
        runTo(CPS * 3 + 7);
        w(IMSC, 1);
        w(MR, 1005);
        w(LR, 1000);
        assertEquals(1000, r(DR));
        assertEquals(1000, r(LR), "reads back the value loaded");
        runTo(CPS * 4);
        assertEquals(1001, r(DR), "the counter keeps the 1 Hz phase of the clock");
        assertFalse(irq.level);
        runTo(CPS * 8 - 1);
        assertFalse(irq.level);
        runTo(CPS * 8);
        assertEquals(1005, r(DR));
        assertTrue(irq.level);

        w(LR, 0xFFFF_FFFFL);
        assertEquals(0xFFFF_FFFFL, r(DR));
        runTo(CPS * 9);
        assertEquals(0, r(DR), "32-bit counter wraps");
    }

    @Test
    void resetRestoresTheBaseEpoch() {
        w(LR, 5);
        w(IMSC, 1);
        w(MR, 6);
        rtc.reset();
        assertEquals(EPOCH, r(DR));
        runTo(CPS * 2);
        assertFalse(irq.level, "match cancelled by reset");
        assertEquals(0, r(RIS));
    }

    @Test
    void hostileAccessesAreLoggedNotThrown() {
        Runnable[] hostile = {
            () -> rtc.write(DR, 4, 0),       // read-only
            () -> rtc.write(RIS, 4, 1),      // read-only
            () -> rtc.write(MIS, 4, 1),      // read-only
            () -> rtc.write(0xFE0, 4, 0),    // read-only ID
            () -> rtc.read(ICR, 4),          // write-only
            () -> rtc.read(0x20, 4),         // reserved
            () -> rtc.write(0x40, 4, 0),     // reserved
            () -> rtc.read(DR, 8),           // 64-bit
            () -> rtc.read(DR + 2, 2),       // misaligned
            () -> rtc.write(0x1000, 4, 0),   // outside the region
            () -> rtc.read(0x80, 4),         // test register: unimplemented
        };
        for (int i = 0; i < hostile.length; i++) {
            long before = log.count();
            hostile[i].run();
            assertTrue(log.count() > before, "hostile access " + i + " is reported");
        }
        assertEquals(EPOCH, r(DR), "counter unaffected");
        assertEquals(EPOCH & 0xFF, rtc.read(DR, 1), "aligned byte read of the low bits is fine");
    }
}
