package org.vitrine.emulator.unicorn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.memory.HostMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Translated code versus host writes of code ({@code uc_ctl} TB_FLUSH / TB_REMOVE_CACHE).
 *
 * <p>The program is {@code b mid; ... mid: mov x0, #N; b last; ... last: nop; b .}, run up to the
 * final branch; the host rewrites the MOV between runs. The MOV sits in a block that does not run
 * into {@code until} on purpose: measured on 2.1.1 and 2.1.4, uc_emu_start translates that last block afresh
 * on every call, so code there looks fresh with or without a flush; any other block (the entry
 * block included) keeps running stale code after a host write, through the shared segment or
 * through uc_mem_write alike, until the translations are flushed or removed.
 */
class UnicornTranslationCacheTest {
    static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final long MID = Guest.RAM + 0x2000, LAST = Guest.RAM + 0x800, UNTIL = LAST + 4;

    static int movX0(int imm) {
        return 0xd2800000 | (imm << 5);
    }

    static int b(long from, long to) {
        return 0x14000000 | (int) (((to - from) >> 2) & 0x3ff_ffff);
    }

    static byte[] le(int insn) {
        return new byte[] {(byte) insn, (byte) (insn >>> 8), (byte) (insn >>> 16), (byte) (insn >>> 24)};
    }

    static void load(Unicorn uc, int imm) {
        uc.write(Guest.RAM, le(b(Guest.RAM, MID)));
        uc.write(MID, le(movX0(imm)));
        uc.write(MID + 4, le(b(MID + 4, LAST)));
        uc.write(LAST, le(0xd503201f));          // nop
        uc.write(UNTIL, le(0x14000000));         // b .
    }

    static long runOnce(Unicorn uc) {
        uc.reg(Arm64Reg.x(0), 0);
        assertEquals(0, uc.start(Guest.RAM, UNTIL, 0, 0));
        assertEquals(UNTIL, uc.reg(Arm64Reg.PC));
        return uc.reg(Arm64Reg.x(0));
    }

    /** Writing through the shared segment (device DMA, loaders): stale code until a flush. */
    @Test
    void segmentWriteNeedsFlushOrRemove() {
        try (Arena arena = Arena.ofShared(); Unicorn uc = Unicorn.open(Unicorn.CpuModel.A72)) {
            MemorySegment ram = HostMemory.allocate(Guest.RAM_SIZE, arena);
            uc.mapPtr(Guest.RAM, ram, Unicorn.PROT_ALL);
            load(uc, 1);
            assertEquals(1, runOnce(uc));
            assertEquals(1, runOnce(uc));

            ram.set(LE32, MID - Guest.RAM, movX0(2));
            assertEquals(1, runOnce(uc), "without a flush the translated old code runs");

            uc.flushTranslations();
            assertEquals(2, runOnce(uc), "after TB_FLUSH the new code runs");

            ram.set(LE32, MID - Guest.RAM, movX0(3));
            assertEquals(2, runOnce(uc), "stale again");
            uc.removeTranslations(MID, MID + 4);
            assertEquals(3, runOnce(uc), "after TB_REMOVE_CACHE over the block the new code runs");
        }
    }

    /** uc_mem_write does not invalidate translated code either. */
    @Test
    void ucMemWriteNeedsFlush() {
        try (Unicorn uc = Guest.open()) {
            load(uc, 1);
            assertEquals(1, runOnce(uc));
            uc.write(MID, le(movX0(2)));
            assertEquals(1, runOnce(uc), "stale after uc_mem_write");
            uc.flushTranslations();
            assertEquals(2, runOnce(uc));
        }
    }

    /** removeTranslations drops only the blocks in its range. */
    @Test
    void removeOutsideTheBlockKeepsItStale() {
        try (Unicorn uc = Guest.open()) {
            load(uc, 1);
            assertEquals(1, runOnce(uc));
            uc.write(MID, le(movX0(2)));
            uc.removeTranslations(MID + 0x100, MID + 0x200);
            assertEquals(1, runOnce(uc), "a removal elsewhere leaves the block translated");
            uc.removeTranslations(MID, MID + 4);
            assertEquals(2, runOnce(uc));
        }
    }

    /**
     * Measured 2.1.1 and 2.1.4 behaviour: the block that runs into the {@code until} address is translated
     * afresh on every uc_emu_start, while the entry block at {@code begin} is cached like any other.
     */
    @Test
    void onlyTheBlockReachingUntilIsAlwaysFresh() {
        try (Unicorn uc = Guest.open()) {
            // entry block: mov x0, #1; b MID+4 | MID+4: b LAST | LAST: mov x1, #1; (until)
            uc.write(Guest.RAM, le(movX0(1)));
            uc.write(Guest.RAM + 4, le(b(Guest.RAM + 4, MID + 4)));
            uc.write(MID + 4, le(b(MID + 4, LAST)));
            uc.write(LAST, le(0xd2800021));          // mov x1, #1
            uc.write(UNTIL, le(0x14000000));
            uc.reg(Arm64Reg.x(1), 0);
            assertEquals(1, runOnce(uc));
            assertEquals(1, uc.reg(Arm64Reg.x(1)));
            uc.write(Guest.RAM, le(movX0(2)));
            uc.write(LAST, le(0xd2800041));          // mov x1, #2
            assertEquals(1, runOnce(uc), "entry block: stale");
            assertEquals(2, uc.reg(Arm64Reg.x(1)), "block reaching until: fresh");
        }
    }

    @Test
    void flushTlbIsAccepted() {
        try (Unicorn uc = Guest.open()) {
            load(uc, 4);
            uc.flushTlb();
            assertEquals(4, runOnce(uc));
        }
    }
}
