package org.vitrine.devices.arm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vitrine.devices.RecordingLine;
import org.vitrine.emulator.spi.GuestLog;

class Pl061Test {
    static final int DATA_ALL = 0x3FC, DIR = 0x400, IS = 0x404, IBE = 0x408, IEV = 0x40C, IE = 0x410, RIS = 0x414,
            MIS = 0x418, IC = 0x41C, AFSEL = 0x420;

    RecordingLine irq;
    Pl061 gpio;
    final GuestLog log = GuestLog.silent();

    @BeforeEach
    void setUp() {
        irq = new RecordingLine();
        gpio = new Pl061(irq, log);
    }

    long r(int off) {
        return gpio.read(off, 4);
    }

    void w(int off, long v) {
        gpio.write(off, 4, v);
    }

    @Test
    void identification() {
        int[] ids = {0x61, 0x10, 0x04, 0x00, 0x0D, 0xF0, 0x05, 0xB1};
        for (int i = 0; i < ids.length; i++) assertEquals(ids[i], r(0xFE0 + 4 * i), "ID register " + i);
    }

    @Test
    void dataAddressMaskSelectsPinsForReadsAndWrites() {
        w(DIR, 0x0F);                          // pins 0-3 outputs
        w(DATA_ALL, 0xFF);
        assertEquals(0x0F, r(DATA_ALL), "only outputs take the write; inputs read their (low) level");
        w(0x4 << 2, 0x00);                     // mask 0b0100: clears pin 2 only
        assertEquals(0x0B, r(DATA_ALL));
        assertEquals(0x01, r(0x1 << 2), "a read returns only the masked pins");
        gpio.setInput(6, true);
        assertEquals(0x4B, r(DATA_ALL), "an input follows the outside");
        gpio.setInput(1, false);
        assertEquals(0x4B, r(DATA_ALL), "an output ignores the outside");
        w(AFSEL, 0x1FF);
        assertEquals(0xFF, r(AFSEL), "eight pins");
    }

    @Test
    void risingEdgeLatchesUntilCleared() {
        w(IEV, 1 << 3);
        w(IE, 1 << 3);
        assertFalse(irq.level);
        gpio.setInput(3, true);
        assertTrue(irq.level, "the power key's press raises the interrupt");
        assertEquals(1 << 3, r(RIS));
        assertEquals(1 << 3, r(MIS));
        gpio.setInput(3, false);
        assertTrue(irq.level, "an edge stays latched after the key is released");
        w(IC, 1 << 3);
        assertFalse(irq.level);
        assertEquals(0, r(RIS));
    }

    @Test
    void fallingAndBothEdges() {
        w(IE, 0b11);
        w(IBE, 0b10);                          // pin 1: both edges; pin 0: falling (IEV 0)
        gpio.setInput(0, true);
        assertEquals(0, r(RIS), "a rising edge on a falling-edge pin");
        gpio.setInput(0, false);
        assertEquals(0b01, r(RIS));
        gpio.setInput(1, true);
        assertEquals(0b11, r(RIS));
        w(IC, 0b11);
        gpio.setInput(1, false);
        assertEquals(0b10, r(RIS), "both edges: the fall too");
    }

    @Test
    void levelInterruptFollowsTheLevelAndIgnoresClear() {
        w(IS, 1 << 5);
        w(IEV, 1 << 5);                        // high level
        w(IE, 1 << 5);
        gpio.setInput(5, true);
        assertTrue(irq.level);
        w(IC, 1 << 5);
        assertTrue(irq.level, "a level interrupt holds while its level does");
        gpio.setInput(5, false);
        assertFalse(irq.level);
        w(IEV, 0);                             // now: low level
        assertTrue(irq.level);
        w(IE, 0);
        assertFalse(irq.level, "masked");
        assertEquals(1 << 5, r(RIS), "still raw");
        assertEquals(0, r(MIS));
    }

    @Test
    void badAccessesAreReportedNotFatal() {
        long before = log.count();
        gpio.read(0x424, 4);
        gpio.write(0x414, 4, 1);
        gpio.read(0x1002, 2);
        assertTrue(log.count() >= before + 3, "reserved offset, read-only register, outside the block");
    }
}
