package org.vitrine.tests;

import org.junit.jupiter.api.Test;
import org.vitrine.devices.arm.Pl061;
import org.vitrine.devices.board.VirtBoard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The virt board's power button (QEMU's gpio-key on PL061 pin 3): a press holds the pin high for
 * 100 ms of virtual time; a guest that armed a rising-edge interrupt on the pin (as Linux's
 * gpio-keys does) sees INTID 39 pending at the GIC.
 */
class PowerButtonTest {
    static final int GPIO_IEV = 0x40C, GPIO_IE = 0x410, GPIO_IC = 0x41C, DATA_PIN3 = (1 << 3) << 2;

    @Test
    void aPressIsA100MillisecondPulseOnPin3WithItsInterrupt() throws Exception {
        try (VirtBoard board = new VirtBoard(VirtBoard.Options.defaults(), b -> { })) {
            Pl061 gpio = board.gpio();
            gpio.write(GPIO_IEV, 4, 1 << 3);
            gpio.write(GPIO_IE, 4, 1 << 3);
            var clock = board.machine().clock();
            board.pressPowerButton();
            assertEquals(1 << 3, gpio.read(DATA_PIN3, 4), "pressed");
            assertTrue(gpio.irqOutput());
            long ispendr1 = board.gic().distributor().read(0x204, 4);
            assertEquals(1L << (39 - 32), ispendr1 & (1L << (39 - 32)), "INTID 39 pending at the GIC");
            clock.advanceTo(clock.now() + clock.nanosToCycles(org.vitrine.devices.qemu.GpioKey.PRESS_NS) - 1);
            clock.runDue();
            assertEquals(1 << 3, gpio.read(DATA_PIN3, 4), "still held 1 cycle before 100 ms");
            clock.advanceTo(clock.now() + 1);
            clock.runDue();
            assertEquals(0, gpio.read(DATA_PIN3, 4), "released");
            gpio.write(GPIO_IC, 4, 1 << 3);
            assertFalse(gpio.irqOutput(), "the guest acknowledged the edge");
        }
    }
}
