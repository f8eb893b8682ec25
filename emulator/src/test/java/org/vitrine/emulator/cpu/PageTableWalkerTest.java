package org.vitrine.emulator.cpu;

import java.lang.foreign.Arena;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vitrine.emulator.cpu.PageTableWalker.Outcome;
import org.vitrine.emulator.cpu.PageTableWalker.Walk;
import org.vitrine.emulator.memory.HostMemory;
import org.vitrine.emulator.memory.PhysicalMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link PageTableWalker} over 4 KiB-granule tables built by hand in RAM: 1 GiB L1 blocks, 2 MiB
 * L2 blocks, L3 pages, a full 4-level walk (T0SZ 16), 3-level (T0SZ 25), a 2-entry level-1 table
 * (T0SZ 33), a level-2 start (T0SZ 36), TTBR1 for upper VAs (T1SZ 25 and 33), and the faults:
 * invalid descriptors, reserved encodings, tables outside RAM, VAs outside the configured range,
 * disabled walks and 16/64 KiB granules. MMU off is the identity. {@link PageTableWalker#walk}
 * says where each walk ended: the level and address of the deciding descriptor, and whether it
 * was invalid or would have been read outside RAM (the external abort on a walk, issue 14).
 */
class PageTableWalkerTest {
    static final long RAM = 0x4000_0000L, RAM_SIZE = 1 << 20;
    static final long SCTLR_M = 1;
    /** Descriptor attributes that must never leak into the output address: AF, SH, AP, UXN, PXN, nG, attr index. */
    static final long ATTRS = (1L << 10) | (3L << 8) | (1L << 6) | (1L << 54) | (1L << 53) | (1L << 11) | (1L << 2);
    static final long FAULT = PageTableWalker.FAULT;

    Arena arena;
    PhysicalMemory ram;
    PageTableWalker walker;
    long nextTable = RAM + 0x1000;

    @BeforeEach
    void setUp() {
        arena = Arena.ofShared();
        ram = new PhysicalMemory(RAM, HostMemory.allocate(RAM_SIZE, arena));
        walker = new PageTableWalker(ram);
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    long newTable() {
        long t = nextTable;
        nextTable += 0x1000;
        return t;
    }

    void put(long table, int index, long descriptor) throws Exception {
        ram.write64(table + 8L * index, descriptor);
    }

    static long tableDesc(long next) {
        return next | 3;
    }

    static long blockDesc(long pa) {
        return pa | ATTRS | 1;
    }

    static long pageDesc(long pa) {
        return pa | ATTRS | 3;
    }

    /** TCR_EL1 with 4 KiB granules on both halves (TG0 = 0, TG1 = 2). */
    static long tcr(int t0sz, int t1sz) {
        return t0sz | ((long) t1sz << 16) | (2L << 30) | (1L << 8) | (1L << 10) | (3L << 12);
    }

    long walk(long va, long tcr, long ttbr0, long ttbr1) {
        return walker.translate(va, SCTLR_M, tcr, ttbr0, ttbr1);
    }

    /** T0SZ 25: 39-bit VAs, walk starts at level 1 (512 entries). */
    @Test
    void threeLevelsWithBlocksAndPages() throws Exception {
        long l1 = newTable(), l2 = newTable(), l3 = newTable();
        put(l1, 1, blockDesc(0x8000_0000L));                               // VA 1 GiB.. -> PA 2 GiB (1 GiB block)
        put(l1, 2, tableDesc(l2));
        put(l2, 3, blockDesc(0x0000_8765_4320_0000L));                     // 2 MiB block
        put(l2, 4, tableDesc(l3));
        put(l3, 5, pageDesc(0x0000_00ab_cdef_f000L));                      // 4 KiB page
        put(l3, 7, 0x0000_0000_1234_5000L | 1);                            // type 1 at level 3: reserved
        put(l1, 3, tableDesc(0x1000_0000L));                               // next table outside RAM
        long tcr = tcr(25, 25);

        assertEquals(0x8000_0000L + 0x3abc_def0L, walk(0x4000_0000L + 0x3abc_def0L, tcr, l1, 0), "L1 block");
        long va2 = (2L << 30) | (3L << 21) | 0x1_2345L;
        assertEquals(0x0000_8765_4320_0000L | 0x1_2345L, walk(va2, tcr, l1, 0), "L2 block");
        long va3 = (2L << 30) | (4L << 21) | (5L << 12) | 0xabc;
        assertEquals(0x0000_00ab_cdef_fabcL, walk(va3, tcr, l1, 0), "L3 page");

        assertEquals(FAULT, walk(0x1234L, tcr, l1, 0), "L1[0] invalid");
        assertEquals(FAULT, walk((2L << 30) | (5L << 21), tcr, l1, 0), "L2[5] invalid");
        assertEquals(FAULT, walk((2L << 30) | (4L << 21) | (6L << 12), tcr, l1, 0), "L3[6] invalid");
        assertEquals(FAULT, walk((2L << 30) | (4L << 21) | (7L << 12), tcr, l1, 0), "L3 descriptor type 1 is reserved");
        assertEquals(FAULT, walk(3L << 30, tcr, l1, 0), "table outside RAM");
        assertEquals(FAULT, walk(1L << 39, tcr, l1, 0), "VA beyond 39 bits");
        assertEquals(FAULT, walk(0x4000_0000L, tcr | (1L << 7), l1, 0), "EPD0: TTBR0 walks disabled");
    }

    /** T0SZ 16: 48-bit VAs, a full four-level walk from level 0; level-0 blocks do not exist. */
    @Test
    void fourLevelsFromLevelZero() throws Exception {
        long l0 = newTable(), l1 = newTable(), l2 = newTable(), l3 = newTable();
        put(l0, 1, tableDesc(l1));
        put(l1, 2, blockDesc(0x0000_0040_0000_0000L));
        put(l1, 3, tableDesc(l2));
        put(l2, 4, tableDesc(l3));
        put(l3, 0x1ff, pageDesc(0x0000_ffff_ffff_f000L));
        put(l0, 2, blockDesc(0x0000_8000_0000_0000L));                    // block at level 0: invalid with 4 KiB
        long tcr = tcr(16, 16);
        assertEquals(0x0000_0040_0000_0000L | 0x1234_5678L, walk((1L << 39) | (2L << 30) | 0x1234_5678L, tcr, l0, 0));
        long va = (1L << 39) | (3L << 30) | (4L << 21) | (0x1ffL << 12) | 0xfff;
        assertEquals(0x0000_ffff_ffff_ffffL, walk(va, tcr, l0, 0), "highest PA of a 48-bit space");
        assertEquals(FAULT, walk(2L << 39, tcr, l0, 0), "level-0 block");
        assertEquals(FAULT, walk(1L << 48, tcr, l0, 0), "VA beyond 48 bits");
    }

    /** T0SZ 33: 31-bit VAs; level 1 has just two entries (VA bit 30). */
    @Test
    void t0sz33StartsAtLevelOneWithTwoEntries() throws Exception {
        long l1 = newTable(), l2 = newTable();
        put(l1, 0, blockDesc(0xC000_0000L));
        put(l1, 1, tableDesc(l2));
        put(l2, 0x1ff, blockDesc(0x0000_0012_0000_0000L));
        long tcr = tcr(33, 33);
        assertEquals(0xC000_0000L + 0x1234, walk(0x1234, tcr, l1, 0));
        assertEquals(0x0000_0012_0000_0000L + 0x1_0001L, walk(0x7fe0_0000L + 0x1_0001L, tcr, l1, 0));
        assertEquals(FAULT, walk(0x8000_0000L, tcr, l1, 0), "VA bit 31 set: outside a 31-bit space");
    }

    /** T0SZ 36: 28-bit VAs; the walk starts at level 2. */
    @Test
    void t0sz36StartsAtLevelTwo() throws Exception {
        long l2 = newTable(), l3 = newTable();
        put(l2, 0x7f, blockDesc(0x0000_0001_0000_0000L));
        put(l2, 0, tableDesc(l3));
        put(l3, 1, pageDesc(0x5000_0000L));
        long tcr = tcr(36, 36);
        assertEquals(0x0000_0001_0000_0000L + 0x10_0000L, walk(0x0fe0_0000L + 0x10_0000L, tcr, l2, 0));
        assertEquals(0x5000_0008L, walk(0x1008, tcr, l2, 0));
        assertEquals(FAULT, walk(0x1000_0000L, tcr, l2, 0));
    }

    /** Upper VAs walk TTBR1 (ASID bits in TTBR1 ignored); lower VAs TTBR0. */
    @Test
    void ttbr1ForUpperAddressesT1sz25() throws Exception {
        long low = newTable(), high = newTable(), high2 = newTable();
        put(low, 0, blockDesc(0x1_0000_0000L));
        put(high, 0x1ff, tableDesc(high2));
        put(high2, 0x1ff, blockDesc(0x4000_0000L));
        put(high, 0, blockDesc(0x2_0000_0000L));
        long tcr = tcr(25, 25);
        long ttbr1 = high | (0xabcdL << 48);
        long top = 0xFFFF_FFFF_FFE0_0000L;                                  // last 2 MiB of the upper range
        assertEquals(0x4000_0000L + 0x1_2345L, walk(top + 0x1_2345L, tcr, low, ttbr1));
        long bottom = 0xFFFF_FF80_0000_0000L;                               // first address of the upper range
        assertEquals(0x2_0000_0000L + 0x77, walk(bottom + 0x77, tcr, low, ttbr1));
        assertEquals(0x1_0000_0000L + 0x77, walk(0x77, tcr, low, ttbr1), "lower half still TTBR0");
        assertEquals(FAULT, walk(0xFFFF_FF7F_FFFF_F000L, tcr, low, ttbr1), "below the upper range: not sign-extended from bit 38");
        assertEquals(FAULT, walk(0x8000_0000_0000_0000L, tcr, low, ttbr1));
        assertEquals(FAULT, walk(top, tcr | (1L << 23), low, ttbr1), "EPD1: TTBR1 walks disabled");
    }

    /** T1SZ 33: the upper range is the top 2 GiB, and only VA bit 30 indexes level 1. */
    @Test
    void ttbr1WithT1sz33() throws Exception {
        long high = newTable(), l2 = newTable();
        put(high, 0, blockDesc(0x3_0000_0000L));
        put(high, 1, tableDesc(l2));
        put(l2, 2, blockDesc(0x0060_0000L));
        long tcr = tcr(33, 33);
        assertEquals(0x3_0000_0000L + 0x5555, walk(0xFFFF_FFFF_8000_0000L + 0x5555, tcr, 0, high), "L1[0]: VA bit 30 clear");
        assertEquals(0x0060_0000L + 0x10, walk(0xFFFF_FFFF_C000_0000L + (2L << 21) + 0x10, tcr, 0, high), "L1[1]: VA bit 30 set");
        assertEquals(FAULT, walk(0xFFFF_FFFF_7FFF_F000L, tcr, 0, high), "below the top 2 GiB");
    }

    @Test
    void tablesOutsideRamFault() throws Exception {
        long tcr = tcr(25, 25);
        assertEquals(FAULT, walk(0x1000, tcr, 0x1000L, 0), "TTBR0 below RAM");
        assertEquals(FAULT, walk(0x1000, tcr, RAM + RAM_SIZE, 0), "TTBR0 just past RAM");
        assertEquals(FAULT, walk(-4096L, tcr, 0, 0x0000_ffff_ffff_f000L), "TTBR1 far outside RAM");
        long l1 = newTable();
        put(l1, 0, tableDesc(RAM + RAM_SIZE));
        assertEquals(FAULT, walk(0x1000, tcr, l1, 0), "level-2 table past the end of RAM");
        // a descriptor read that would straddle the end of RAM
        long last = RAM + RAM_SIZE - 0x1000;
        put(l1, 1, tableDesc(last));
        ram.write64(last + 0xff8, tableDesc(RAM + RAM_SIZE - 4));
        assertEquals(FAULT, walk((1L << 30) | (0x1ffL << 21), tcr, l1, 0));
    }

    /** A table outside RAM at each level of a 4-level walk (T0SZ 16): the walk names the level and the descriptor's address. */
    @Test
    void walkNamesTheLevelWhoseTableIsOutsideRam() throws Exception {
        long tcr = tcr(16, 16);
        long hole = 0x0d00_0000L;
        long va = (1L << 39) | (2L << 30) | (3L << 21) | (4L << 12) | 0x18;
        assertEquals(new Walk(Outcome.TABLE_OUTSIDE_RAM, FAULT, 0, hole + 8), walker.walk(va, SCTLR_M, tcr, hole, 0), "TTBR0 in a hole");
        long l0 = newTable(), l1 = newTable(), l2 = newTable();
        put(l0, 1, tableDesc(hole));
        assertEquals(new Walk(Outcome.TABLE_OUTSIDE_RAM, FAULT, 1, hole + 2 * 8), walker.walk(va, SCTLR_M, tcr, l0, 0), "level-0 entry -> hole");
        put(l0, 1, tableDesc(l1));
        put(l1, 2, tableDesc(hole));
        assertEquals(new Walk(Outcome.TABLE_OUTSIDE_RAM, FAULT, 2, hole + 3 * 8), walker.walk(va, SCTLR_M, tcr, l0, 0), "level-1 entry -> hole");
        put(l1, 2, tableDesc(l2));
        put(l2, 3, tableDesc(hole));
        assertEquals(new Walk(Outcome.TABLE_OUTSIDE_RAM, FAULT, 3, hole + 4 * 8), walker.walk(va, SCTLR_M, tcr, l0, 0), "level-2 entry -> hole");
        assertEquals(FAULT, walk(va, tcr, l0, 0), "translate() still just faults");
    }

    @Test
    void walkNamesTheInvalidDescriptorsLevelAndTheMappingsLevel() throws Exception {
        long l1 = newTable(), l2 = newTable();
        put(l1, 1, blockDesc(0x8000_0000L));
        put(l1, 2, tableDesc(l2));
        put(l2, 3, blockDesc(0x0060_0000L));
        long tcr = tcr(25, 25);
        assertEquals(new Walk(Outcome.INVALID_DESCRIPTOR, FAULT, 1, l1), walker.walk(0x10, SCTLR_M, tcr, l1, 0));
        assertEquals(new Walk(Outcome.INVALID_DESCRIPTOR, FAULT, 2, l2 + 8 * 4), walker.walk((2L << 30) | (4L << 21), SCTLR_M, tcr, l1, 0));
        assertEquals(new Walk(Outcome.MAPPED, 0x8000_0010L, 1, l1 + 8), walker.walk((1L << 30) | 0x10, SCTLR_M, tcr, l1, 0));
        assertEquals(new Walk(Outcome.MAPPED, 0x0060_0010L, 2, l2 + 8 * 3), walker.walk((2L << 30) | (3L << 21) | 0x10, SCTLR_M, tcr, l1, 0));
        assertEquals(Outcome.NOT_WALKED, walker.walk(1L << 39, SCTLR_M, tcr, l1, 0).outcome(), "beyond 39 bits");
        assertEquals(Outcome.NOT_WALKED, walker.walk(0x10, SCTLR_M, tcr | (1L << 7), l1, 0).outcome(), "EPD0");
        assertEquals(new Walk(Outcome.MAPPED, 0x1234, 0, FAULT), walker.walk(0x1234, 0, tcr, l1, 0), "MMU off");
    }

    @Test
    void mmuOffIsIdentity() {
        for (long va : new long[] {0, 0x4000_1234L, -1L, 0xFFFF_0000_0000_0000L, 1L << 48}) {
            assertEquals(va, walker.translate(va, 0, 0xdead_beefL, 0x1000, 0x2000), "0x" + Long.toHexString(va));
            assertEquals(va, walker.translate(va, ~1L, tcr(25, 25), 0, 0), "only SCTLR.M matters");
        }
    }

    @Test
    void otherGranulesFault() throws Exception {
        long l1 = newTable();
        put(l1, 0, blockDesc(0));
        long tcr = tcr(25, 25);
        assertEquals(0x10, walk(0x10, tcr, l1, l1), "4 KiB works");
        assertEquals(FAULT, walk(0x10, (tcr & ~(3L << 14)) | (1L << 14), l1, l1), "TG0 = 64 KiB");
        assertEquals(FAULT, walk(0x10, (tcr & ~(3L << 14)) | (2L << 14), l1, l1), "TG0 = 16 KiB");
        assertEquals(FAULT, walk(0xFFFF_FF80_0000_0010L, (tcr & ~(3L << 30)) | (3L << 30), l1, l1), "TG1 = 64 KiB");
        assertEquals(FAULT, walk(0xFFFF_FF80_0000_0010L, (tcr & ~(3L << 30)) | (1L << 30), l1, l1), "TG1 = 16 KiB");
    }

    @Test
    void txszOutOfRangeFaults() throws Exception {
        long l1 = newTable();
        put(l1, 0, blockDesc(0));
        assertEquals(FAULT, walk(0x10, tcr(15, 25), l1, 0), "T0SZ < 16");
        assertEquals(FAULT, walk(0x10, tcr(40, 25), l1, 0), "T0SZ > 39");
    }
}
