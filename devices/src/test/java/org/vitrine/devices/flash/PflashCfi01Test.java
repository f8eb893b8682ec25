package org.vitrine.devices.flash;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vitrine.emulator.spi.GuestLog;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CFI command state machine as U-Boot's and Linux's drivers drive it on a 4-byte bank of two
 * x16 chips: every command written as 0x00XX00XX, every answer given once per 16-bit lane.
 */
class PflashCfi01Test {
    final Arena arena = Arena.ofConfined();
    final GuestLog log = GuestLog.silent();
    final MemorySegment array = arena.allocate(PflashCfi01.BANK_SIZE, 4096);
    final PflashCfi01 flash = new PflashCfi01("flash1", array, log);
    int modeChanges;

    { flash.onModeChange(() -> modeChanges++); }

    @AfterEach
    void close() {
        arena.close();
    }

    static long cmd(int c) {
        return (long) c << 16 | c;
    }

    @Test
    void readArrayReturnsTheContents() {
        array.set(ValueLayout.JAVA_INT_UNALIGNED, 0x100, 0xcafef00d);
        assertTrue(flash.inArrayMode());
        assertEquals(0xcafef00dL, flash.read(0x100, 4));
        assertEquals(0xf0, flash.read(0x101, 1));
    }

    @Test
    void cfiQueryAnswersQryPerChipAndDescribesTheBank() {
        flash.write(0x55 * 4, 4, cmd(0x98));
        assertFalse(flash.inArrayMode());
        assertEquals(1, modeChanges);
        assertEquals(0x0051_0051L, flash.read(0x10 * 4, 4));
        assertEquals('R', flash.read(0x11 * 4, 1));   // U-Boot reads single bytes
        assertEquals(0x0059_0059L, flash.read(0x12 * 4, 4));
        assertEquals(1, flash.read(0x13 * 4, 1));      // Intel/Sharp command set
        assertEquals(25, flash.read(0x27 * 4, 1));     // 32 MiB per chip
        assertEquals(0xff, flash.read(0x2D * 4, 1));   // 256 blocks
        assertEquals(0x02, flash.read(0x30 * 4, 1));   // of 128 KiB per chip
        flash.write(0, 4, cmd(0xff));
        assertTrue(flash.inArrayMode());
        assertEquals(2, modeChanges);
    }

    @Test
    void readIdGivesManufacturerAndDevice() {
        flash.write(0, 4, cmd(0x90));
        assertEquals(0x0089_0089L, flash.read(0, 4));
        assertEquals(0x0018_0018L, flash.read(4, 4));
    }

    @Test
    void eraseThenWordProgramClearsBitsOnly() {
        erase(0x40000);
        assertEquals(0x0080_0080L, flash.read(0x40000, 4), "status: ready, no error");
        flash.write(0, 4, cmd(0xff));
        assertEquals(0xffff_ffffL, flash.read(0x40000, 4));
        assertEquals(0xffff_ffffL, flash.read(0x40000 + PflashCfi01.BLOCK_SIZE - 4, 4));
        assertEquals(0, flash.read(0x40000 + PflashCfi01.BLOCK_SIZE, 4), "the next block is untouched");
        flash.write(0x40010, 4, cmd(0x40));
        flash.write(0x40010, 4, 0x1234_5678L);
        flash.write(0x40010, 4, cmd(0x40));
        flash.write(0x40010, 4, 0xffff_00ffL);
        flash.write(0, 4, cmd(0xff));
        assertEquals(0x1234_0078L, flash.read(0x40010, 4), "programming only clears bits");
    }

    @Test
    void bufferedProgramWritesOnConfirm() {
        erase(0x80000);
        flash.write(0x80000, 4, cmd(0xe8));
        assertEquals(0x80, flash.read(0x80000, 1) & 0x80, "buffer available");
        flash.write(0x80000, 4, cmd(2));         // three writes
        flash.write(0x80000, 4, 0x11111111L);
        flash.write(0x80004, 4, 0x22222222L);
        flash.write(0x80008, 4, 0x33333333L);
        flash.write(0, 4, cmd(0xff)); // not the confirm: the buffer is dropped, an error is flagged
        assertEquals(PflashCfi01.STATUS_ERASE_ERROR | PflashCfi01.STATUS_PROGRAM_ERROR, flash.status() & 0x30);
        assertEquals(1, log.count());
        flash.write(0, 4, cmd(0x50));
        assertEquals(0, flash.status() & 0x30, "clear status");

        flash.write(0x80000, 4, cmd(0xe8));
        flash.write(0x80000, 4, cmd(1));
        flash.write(0x80000, 4, 0x11111111L);
        flash.write(0x80004, 4, 0x22222222L);
        assertEquals(0xffff_ffffL, readArray(0x80000), "nothing written before the confirm");
        flash.write(0x80000, 4, cmd(0xd0));
        assertEquals(0x0080_0080L, flash.read(0x80000, 4));
        flash.write(0, 4, cmd(0xff));
        assertEquals(0x11111111L, flash.read(0x80000, 4));
        assertEquals(0x22222222L, flash.read(0x80004, 4));
    }

    @Test
    void guestMistakesAreLoggedAndFlagged() {
        flash.write(0, 4, cmd(0x20));
        flash.write(0, 4, cmd(0x77));                       // erase not confirmed
        assertNotEquals(0, flash.status() & 0x30);
        flash.write(0, 4, cmd(0x50));
        flash.write(0, 4, cmd(0x3c));                       // no such command
        assertNotEquals(0, flash.status() & 0x30);
        flash.write(0, 4, cmd(0x50));
        flash.write(0, 4, cmd(0xe8));
        flash.write(0, 4, cmd(5000));                      // bigger than the write buffer
        assertNotEquals(0, flash.status() & 0x30);
        assertEquals(3, log.count());
        assertEquals(0, readArray(0), "no mistake changed the array");
    }

    void erase(long block) {
        flash.write(block, 4, cmd(0x20));
        flash.write(block, 4, cmd(0xd0));
    }

    long readArray(long offset) {
        return array.get(ValueLayout.JAVA_INT_UNALIGNED, offset) & 0xffff_ffffL;
    }
}
