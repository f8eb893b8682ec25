package org.vitrine.devices.arm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.spi.GuestLog;

class GicV2mTest {
    final GuestLog log = GuestLog.silent();
    final List<Boolean> cpuIrq = new ArrayList<>();
    final GicV2 gic = new GicV2(cpuIrq::add, log);
    final GicV2m v2m = new GicV2m(gic, 80, 64, log);

    @Test
    void typerDescribesTheSpiRangeAsQemuDoes() {
        assertEquals((80 << 16) | 64, v2m.read(0x008, 4));
        assertEquals(0x51L << 20, v2m.read(0xFCC, 4), "product ID 'Q', no implementer");
        assertEquals(0, v2m.read(0xFE8, 4), "optional ID registers read as zero");
    }

    @Test
    void anMsiWriteMakesItsSpiPendingInTheGic() {
        int intid = 81;
        // Guests configure MSI SPIs as edge-triggered (GICD_ICFGR bit 1 of the interrupt's pair):
        // a level-sensitive SPI would forget a pulse.
        gic.distributor().write(0xC00 + 4 * (intid / 16), 4, 2L << (2 * (intid % 16)));
        v2m.write(0x040, 4, intid);
        long ispendr = gic.distributor().read(0x200 + 4 * (intid / 32), 4);
        assertEquals(1L << (intid % 32), ispendr & (1L << (intid % 32)), "SPI 49 (INTID 81) pending");
    }

    @Test
    void anMsiOutsideTheRangeIsAGuestErrorAndIgnored() {
        long before = log.count(GuestLog.Kind.GUEST_ERROR);
        v2m.write(0x040, 4, 79);
        v2m.write(0x040, 4, 144);
        assertEquals(before + 2, log.count(GuestLog.Kind.GUEST_ERROR));
        for (int word = 2; word < 5; word++) assertEquals(0, gic.distributor().read(0x200 + 4 * word, 4), "nothing pending");
        v2m.read(0x040, 4);
        v2m.write(0x008, 4, 0);
        v2m.read(0x008, 2);
        assertEquals(before + 5, log.count(GuestLog.Kind.GUEST_ERROR), "write-only, read-only, halfword");
    }

    @Test
    void theRangeMustBeSpis() {
        assertThrows(IllegalArgumentException.class, () -> new GicV2m(gic, 16, 4, log));
        assertThrows(IllegalArgumentException.class, () -> new GicV2m(gic, 280, 64, log));
    }
}
