package org.vitrine.emulator.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PhysicalMemory} over {@link HostMemory}: little-endian accessors at physical addresses,
 * lazily committed zero pages, and range checks that refuse every address outside RAM, including
 * ranges whose end overflows, with a {@link PhysicalMemory.BadAddressException}.
 */
class PhysicalMemoryTest {
    static final long BASE = 0x4000_0000L, SIZE = 64 << 20;

    Arena arena;
    PhysicalMemory ram;

    @BeforeEach
    void setUp() {
        arena = Arena.ofShared();
        ram = new PhysicalMemory(BASE, HostMemory.allocate(SIZE, arena));
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    @Test
    void geometry() {
        assertEquals(BASE, ram.base());
        assertEquals(SIZE, ram.size());
        assertEquals(BASE + SIZE, ram.end());
    }

    @Test
    void freshMemoryReadsAsZero() throws Exception {
        assertEquals(0, ram.read64(BASE));
        assertEquals(0, ram.read64(BASE + SIZE - 8));
        assertEquals(0, ram.read32(BASE + SIZE / 2 + 3));
    }

    @Test
    void accessorsAreLittleEndianAndUnaligned() throws Exception {
        ram.write64(BASE + 0x101, 0x1122_3344_5566_7788L);
        assertArrayEquals(new byte[] {(byte) 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}, ram.read(BASE + 0x101, 8));
        assertEquals(0x5566_7788, ram.read32(BASE + 0x101));
        ram.write32(BASE + 0x203, 0xcafe_babe);
        assertEquals(0xcafe_babe, ram.read32(BASE + 0x203));
        ram.write(BASE + 0x300, new byte[] {9, 8, 7, 6}, 1, 2);
        assertArrayEquals(new byte[] {8, 7, 0}, ram.read(BASE + 0x300, 3));
        ram.fill(BASE + 0x400, 16, (byte) 0x5a);
        assertEquals(0x5a5a_5a5a_5a5a_5a5aL, ram.read64(BASE + 0x408));
        assertEquals(0, ram.read32(BASE + 0x410), "fill stops at its length");
    }

    @Test
    void sliceAndSegmentShareTheBytes() throws Exception {
        MemorySegment s = ram.slice(BASE + 0x1000, 16);
        s.set(ValueLayout.JAVA_BYTE, 3, (byte) 42);
        assertEquals(42, ram.read(BASE + 0x1003, 1)[0]);
        assertEquals(42, ram.segment().get(ValueLayout.JAVA_BYTE, 0x1003));
    }

    @Test
    void containsChecksBothEndsAndOverflow() {
        assertTrue(ram.contains(BASE, SIZE));
        assertTrue(ram.contains(BASE + SIZE - 1, 1));
        assertTrue(ram.contains(BASE + SIZE, 0), "an empty range at the end");
        assertFalse(ram.contains(BASE + SIZE - 1, 2));
        assertFalse(ram.contains(BASE - 1, 1));
        assertFalse(ram.contains(BASE + SIZE, 1));
        assertFalse(ram.contains(BASE, -1));
        assertFalse(ram.contains(BASE + 8, Long.MAX_VALUE), "end overflows");
        assertFalse(ram.contains(Long.MAX_VALUE, 8));
        assertFalse(ram.contains(-8, 16), "a range that wraps around zero");
        assertFalse(ram.contains(0, BASE + 1));
    }

    @Test
    void outsideRamIsABadAddress() {
        assertThrows(PhysicalMemory.BadAddressException.class, () -> ram.read64(BASE - 8));
        assertThrows(PhysicalMemory.BadAddressException.class, () -> ram.read64(BASE + SIZE - 4), "straddles the end");
        assertThrows(PhysicalMemory.BadAddressException.class, () -> ram.write32(BASE + SIZE, 1));
        assertThrows(PhysicalMemory.BadAddressException.class, () -> ram.read(-1L, 2));
        assertThrows(PhysicalMemory.BadAddressException.class, () -> ram.fill(BASE, SIZE + 1, (byte) 0));
        PhysicalMemory.BadAddressException e = assertThrows(PhysicalMemory.BadAddressException.class, () -> ram.slice(0x1000, 4));
        assertTrue(e.getMessage().contains("0x1000"), e.getMessage());
    }

    @Test
    void identityDmaPortSeesRamAndRefusesTheRest() throws Exception {
        IdentityDmaPort dma = new IdentityDmaPort(ram, "test-dev");
        dma.write(BASE + 0x10, new byte[] {1, 2, 3}, 0, 3);
        byte[] back = new byte[3];
        dma.read(BASE + 0x10, back, 0, 3);
        assertArrayEquals(new byte[] {1, 2, 3}, back);
        Exception ex = assertThrows(org.vitrine.emulator.spi.DmaPort.DmaException.class, () -> dma.read(BASE + SIZE - 1, back, 0, 3));
        assertTrue(ex.getMessage().contains("test-dev"), ex.getMessage());
    }
}
