package org.vitrine.emulator.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyndromeCalibrationTest {
    @Test
    void findsSyndromeAndFaultAddressNextToEachOther() {
        SyndromeCalibration.Offsets o = SyndromeCalibration.offsets();
        System.out.println("calibrated offsets: " + o);
        assertTrue(o.syndrome() > 0);
        // QEMU's exception record: uint32 syndrome, uint32 fsr, uint64 vaddress
        assertEquals(o.syndrome() + 8, o.faultAddress());
    }
}
