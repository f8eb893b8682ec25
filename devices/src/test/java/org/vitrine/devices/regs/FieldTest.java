package org.vitrine.devices.regs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link Field}: masks, extraction and insertion, bounds, and the unimplemented marking. */
class FieldTest {
    static final Field WLEN = Field.bits("WLEN", 6, 5);
    static final Field FEN = Field.bit("FEN", 4);

    @Test
    void masksAndPositions() {
        assertEquals(0x60, WLEN.mask());
        assertEquals(5, WLEN.lsb());
        assertEquals(2, WLEN.width());
        assertEquals(0x10, FEN.mask());
        assertEquals(0x70, Field.maskOf(WLEN, FEN));
        assertEquals(-1L, Field.bits("ALL", 63, 0).mask());
        assertEquals(0x8000_0000_0000_0000L, Field.bit("TOP", 63).mask());
    }

    @Test
    void extractsAndInserts() {
        long lcrH = 0x70; // WLEN 3 (8 bits), FEN
        assertEquals(3, WLEN.get(lcrH));
        assertTrue(FEN.isSet(lcrH));
        assertFalse(FEN.isSet(0x60));
        assertEquals(0x20, WLEN.of(1));
        assertEquals(0x00, WLEN.of(4), "bits that do not fit are dropped");
        assertEquals(0x30, WLEN.insert(lcrH, 1));
        assertEquals(0xFFFF_FF9FL, WLEN.insert(0xFFFF_FFFFL, 0));
        Field addr = Field.bits("ADDR", 51, 5);
        assertEquals(0x1234_5678_9A00L >>> 5, addr.get(0x4000_1234_5678_9A0AL), "bits 62 and 3, 1 are outside");
    }

    @Test
    void boundsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> Field.bits("X", 64, 60));
        assertThrows(IllegalArgumentException.class, () -> Field.bits("X", 3, 4));
        assertThrows(IllegalArgumentException.class, () -> Field.bit("X", -1));
        assertThrows(IllegalArgumentException.class, () -> WLEN.unimplemented("x", 4), "modelled value does not fit");
    }

    @Test
    void unimplementedIsAMarkingOfTheSameBits() {
        Field brk = Field.bit("BRK", 0).unimplemented("break not sent");
        assertFalse(brk.implemented());
        assertTrue(FEN.implemented());
        assertEquals(1, brk.mask());
        assertEquals("break not sent", brk.unimplementedNote());
        assertEquals(3L, WLEN.unimplemented("bytes are sent whole", 3).modelledValue());
        assertEquals("WLEN[6:5]", WLEN.toString());
        assertEquals("FEN[4]", FEN.toString());
    }
}
