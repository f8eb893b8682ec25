package org.vitrine.devices.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.spi.GuestLog;

class PciHostEcamTest {
    final GuestLog log = GuestLog.silent();
    final PciHostEcam ecam = new PciHostEcam(log);

    static long at(int bus, int dev, int fn, int reg) {
        return ((long) bus << 20) | ((long) dev << 15) | ((long) fn << 12) | reg;
    }

    @Test
    void theHostBridgeIdentifiesAsQemus() {
        assertEquals(0x0008_1b36L, ecam.read(at(0, 0, 0, 0), 4), "device:vendor");
        assertEquals(0x0600_0000L, ecam.read(at(0, 0, 0, 8), 4), "class 06/00/00, revision 0");
        assertEquals(0, ecam.read(at(0, 0, 0, 0x0E), 1), "type 0 header, single function");
        assertEquals(0x1100_1af4L, ecam.read(at(0, 0, 0, 0x2C), 4), "subsystem");
        for (int bar = 0x10; bar <= 0x24; bar += 4) {
            ecam.write(at(0, 0, 0, bar), 4, 0xFFFF_FFFFL);
            assertEquals(0, ecam.read(at(0, 0, 0, bar), 4), "no BAR at 0x" + Integer.toHexString(bar));
        }
    }

    @Test
    void onlyTheImplementedBitsAreWritable() {
        ecam.write(at(0, 0, 0, 4), 2, 0xFFFF);
        assertEquals(0x0547, ecam.read(at(0, 0, 0, 4), 2), "command: I/O, memory, master, parity, SERR, INTx disable");
        ecam.write(at(0, 0, 0, 0x3C), 1, 0x2A);
        assertEquals(0x2A, ecam.read(at(0, 0, 0, 0x3C), 1), "interrupt line");
        ecam.write(at(0, 0, 0, 0), 4, 0);
        assertEquals(0x0008_1b36L, ecam.read(at(0, 0, 0, 0), 4), "IDs are read-only");
        ecam.reset();
        assertEquals(0, ecam.read(at(0, 0, 0, 4), 2));
    }

    @Test
    void absentFunctionsReadAllOnes() {
        assertEquals(0xFFFF_FFFFL, ecam.read(at(0, 1, 0, 0), 4));
        assertEquals(0xFFFF, ecam.read(at(0, 0, 1, 0), 2));
        assertEquals(0xFF, ecam.read(at(255, 31, 7, 0xFFF), 1));
        ecam.write(at(1, 0, 0, 4), 4, 7);
        assertEquals(0xFFFF_FFFFL, ecam.read(at(1, 0, 0, 4), 4));
    }

    @Test
    void misalignedOrWideAccessesAreGuestErrors() {
        long before = log.count();
        assertEquals(0xFFFF_FFFFL, ecam.read(at(0, 0, 0, 2), 4));
        assertEquals(-1L, ecam.read(at(0, 0, 0, 0), 8));
        ecam.write(at(0, 0, 0, 5), 2, 0xFFFF);
        assertEquals(0, ecam.read(at(0, 0, 0, 4), 2), "the refused write changed nothing");
        assertTrue(log.count() >= before + 3);
    }
}
