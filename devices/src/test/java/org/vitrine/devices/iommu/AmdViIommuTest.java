package org.vitrine.devices.iommu;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vitrine.emulator.spi.DmaPort;
import org.vitrine.emulator.spi.DmaPort.DmaException;

/** AmdViIommu with a hand-built device table, I/O page tables, command buffer and event log in guest RAM. */
class AmdViIommuTest {
    static final long LATENCY = 700;
    static final int DEV = 9, DOMAIN = 4;
    static final int DEVTAB = 0x0, CMDBASE = 0x8, EVTBASE = 0x10, CONTROL = 0x18, HEAD = 0x2000, TAIL = 0x2008,
            EVT_HEAD = 0x2010, EVT_TAIL = 0x2018, STATUS = 0x2020;
    static final long PTE_RW = 1L << 61 | 1L << 62 | 1;

    IommuRig rig;
    IommuRig.Irq irq;
    AmdViIommu amd;
    long devtab, root, cmdbuf, evtlog;
    long tail;

    IommuRig.Regs m;

    @BeforeEach
    void setUp() {
        rig = new IommuRig();
        irq = new IommuRig.Irq();
        amd = new AmdViIommu(rig.ram, rig.clock, rig.log, LATENCY, irq);
        m = new IommuRig.Regs(amd);
    }



    /** Device table of one page (128 DTEs), DEV translated with a 4-level table; 256-entry command buffer and event log. */
    void enable() {
        devtab = rig.page();
        root = rig.page();
        dte(DEV, 1 | 2 | 4L << 9 | root | 1L << 61 | 1L << 62, DOMAIN);
        cmdbuf = rig.alloc(4096, 4096);
        evtlog = rig.alloc(4096, 4096);
        m.w64(DEVTAB, devtab);
        m.w64(CMDBASE, cmdbuf | 8L << 56);
        m.w64(EVTBASE, evtlog | 8L << 56);
        m.w64(CONTROL, 1 | 1 << 2 | 1 << 3 | 1 << 4 | 1 << 12);
    }

    void dte(int id, long q0, int domain) {
        rig.w64(devtab + 32L * id, q0);
        rig.w64(devtab + 32L * id + 8, domain);
    }

    long map(long iova, long pa, long perms) {
        long table = root;
        for (int level = 4; level > 1; level--) {
            long at = table + 8 * ((iova >>> (12 + 9 * (level - 1))) & 0x1FF);
            long e = rig.r64(at);
            if (e == 0) {
                e = rig.page() | (long) (level - 1) << 9 | PTE_RW;
                rig.w64(at, e);
            }
            table = e & 0x000F_FFFF_FFFF_F000L;
        }
        long leaf = table + 8 * ((iova >>> 12) & 0x1FF);
        rig.w64(leaf, pa | perms);
        return leaf;
    }

    void command(long q0, long q1) {
        rig.w64(cmdbuf + tail, q0);
        rig.w64(cmdbuf + tail + 8, q1);
        tail = (tail + 16) % 4096;
    }

    void publish() {
        m.w64(TAIL, tail);
    }

    long[] event(int n) {
        return new long[] {rig.r64(evtlog + 16L * n), rig.r64(evtlog + 16L * n + 8)};
    }

    static long op(int opcode) {
        return (long) opcode << 60;
    }

    @Test
    void afterResetDmaPassesThrough() throws DmaException {
        rig.w32(IommuRig.RAM + 0x100, 3);
        assertEquals(3, amd.port(DEV, "dev").read32(IommuRig.RAM + 0x100));
    }

    @Test
    void translatesThroughDeviceTableAndPageTables() throws DmaException {
        enable();
        long pa = rig.page();
        rig.w32(pa + 4, 0x77);
        map(0x8000_1000L, pa, PTE_RW);
        DmaPort port = amd.port(DEV, "dev");
        assertEquals(0x77, port.read32(0x8000_1004L));
        port.write32(0x8000_1008L, 8);
        assertEquals(8, rig.r32(pa + 8));
        dte(10, 1, 0); // V without TV: untranslated
        rig.w32(IommuRig.RAM + 0x10, 6);
        assertEquals(6, amd.port(10, "pt").read32(IommuRig.RAM + 0x10));
    }

    @Test
    void levelSkippingAndLargePages() throws DmaException {
        enable();
        long l2 = rig.page();
        rig.w64(root + 8 * 1, l2 | 2L << 9 | PTE_RW); // level 4 entry → straight to level 2 (skips 3)
        long big = 0x4080_0000L;
        rig.w64(l2 + 8 * 3, big | PTE_RW); // NextLevel 0 at level 2: a 2 MiB page
        rig.w32(big + 0x5_0010, 12);
        assertEquals(12, amd.port(DEV, "dev").read32((1L << 39) + 3 * 0x20_0000L + 0x5_0010));
    }

    @Test
    void faultsGoToTheEventLogWithInterrupt() {
        enable();
        map(0x2000, rig.page(), 1L << 61 | 1); // read only
        DmaPort port = amd.port(DEV, "dev");
        assertThrows(DmaException.class, () -> port.read32(0x9000));
        long[] e = event(0);
        assertEquals(AmdViTables.EVENT_IO_PAGE_FAULT, e[0] >>> 60);
        assertEquals(DEV, e[0] & 0xFFFF);
        assertEquals(DOMAIN, e[0] >>> 32 & 0xFFFF);
        assertEquals(0, e[0] >>> 48 & 0x10, "PR clear: not present");
        assertEquals(0x9000, e[1]);
        assertEquals(16, m.r64(EVT_TAIL));
        assertEquals(2, m.r64(STATUS) & 2, "EventLogInt");
        assertEquals(1, irq.edges());
        assertThrows(DmaException.class, () -> port.write32(0x2000, 1));
        long flags = event(1)[0] >>> 48 & 0xFFF;
        assertEquals(0x10 | 0x20 | 0x40, flags, "PR, RW (write), PE (permission)");
        dte(11, 1 | 2 | 7L << 9, 0); // Mode 7 reserved
        assertThrows(DmaException.class, () -> amd.port(11, "bad").read32(0));
        assertEquals(AmdViTables.EVENT_ILLEGAL_DEV_TABLE_ENTRY, event(2)[0] >>> 60);
    }

    @Test
    void eventLogOverflowSetsTheStatusBit() {
        enable();
        DmaPort port = amd.port(DEV, "dev");
        for (int i = 0; i < 256; i++) assertThrows(DmaException.class, () -> port.read32(0x9000));
        assertEquals(255 * 16, m.r64(EVT_TAIL), "one slot stays empty");
        assertEquals(1, m.r64(STATUS) & 1, "EventOverflow");
        m.w64(STATUS, 1);
        assertEquals(0, m.r64(STATUS) & 1);
    }

    @Test
    void iotlbKeepsOldTranslationUntilInvalidatePagesCompletes() throws DmaException {
        enable();
        long a = rig.page(), b = rig.page(), sem = rig.alloc(8, 8);
        rig.w32(a, 1);
        rig.w32(b, 2);
        long leaf = map(0x5000, a, PTE_RW);
        DmaPort port = amd.port(DEV, "dev");
        assertEquals(1, port.read32(0x5000));
        rig.w64(leaf, b | PTE_RW);
        command(op(AmdViIommu.CMD_INV_IOMMU_PAGES) | (long) DOMAIN << 32, 0x5000);
        command(op(AmdViIommu.CMD_COMPLETION_WAIT) | sem | AmdViIommu.CW_S, 0x1234_5678_9ABCL);
        publish();
        assertEquals(1, port.read32(0x5000));
        rig.advance(LATENCY);
        assertEquals(16, m.r64(HEAD));
        assertEquals(2, port.read32(0x5000));
        assertEquals(0, rig.r64(sem));
        rig.advance(LATENCY);
        assertEquals(0x1234_5678_9ABCL, rig.r64(sem));
    }

    @Test
    void sizeEncodedRangesAndWholeDomain() throws DmaException {
        assertArrayEquals(new long[] {0x4000, 0x1000}, AmdViIommu.pageRange(0x4000, false));
        assertArrayEquals(new long[] {0x4000, 0x2000}, AmdViIommu.pageRange(0x4000, true)); // bit 12 clear: 8 KiB
        assertArrayEquals(new long[] {0x4000, 0x4000}, AmdViIommu.pageRange(0x5000, true)); // bit 12 set, 13 clear: 16 KiB
        assertArrayEquals(new long[] {0, 0}, AmdViIommu.pageRange(0x7FFF_FFFF_FFFF_F000L, true)); // everything
        enable();
        DmaPort port = amd.port(DEV, "dev");
        for (int i = 0; i < 8; i++) {
            map(0x10_0000 + 0x1000L * i, rig.page(), PTE_RW);
            port.read32(0x10_0000 + 0x1000L * i);
        }
        command(op(AmdViIommu.CMD_INV_IOMMU_PAGES) | (long) DOMAIN << 32, 0x10_1000 | 1); // 0x100000..0x103fff
        command(op(AmdViIommu.CMD_INV_IOMMU_PAGES) | (long) (DOMAIN + 1) << 32, 0x7FFF_FFFF_FFFF_F000L | 1); // other domain
        publish();
        rig.advance(2 * LATENCY);
        assertEquals(4, amd.iotlb().size());
        command(op(AmdViIommu.CMD_INV_IOMMU_PAGES) | (long) DOMAIN << 32, 0x7FFF_FFFF_FFFF_F000L | 1);
        publish();
        rig.advance(LATENCY);
        assertEquals(0, amd.iotlb().size());
    }

    @Test
    void devtabEntryAndAllInvalidation() throws DmaException {
        enable();
        DmaPort port = amd.port(DEV, "dev");
        map(0x1000, rig.page(), PTE_RW);
        port.read32(0x1000);
        dte(DEV, 0, 0); // now untranslated, but cached
        assertThrows(DmaException.class, () -> port.read32(IommuRig.RAM + 0x10));
        command(op(AmdViIommu.CMD_INV_DEVTAB_ENTRY) | DEV, 0);
        publish();
        rig.advance(LATENCY);
        port.read32(IommuRig.RAM + 0x10);
        dte(DEV, 1 | 2 | 4L << 9 | root | 1L << 61 | 1L << 62, DOMAIN);
        command(op(AmdViIommu.CMD_INV_IOMMU_ALL), 0);
        command(op(AmdViIommu.CMD_INV_INTERRUPT_TABLE) | DEV, 0);
        publish();
        rig.advance(2 * LATENCY);
        assertThrows(DmaException.class, () -> port.read32(IommuRig.RAM + 0x10));
    }

    @Test
    void completionWaitInterruptNeedsComWaitIntEn() {
        enable();
        command(op(AmdViIommu.CMD_COMPLETION_WAIT) | AmdViIommu.CW_I, 0);
        publish();
        rig.advance(LATENCY);
        assertEquals(4, m.r64(STATUS) & 4, "ComWaitInt");
        assertEquals(1, irq.edges());
        m.w64(STATUS, 4);
        m.w64(CONTROL, 1 | 1 << 2 | 1 << 12); // ComWaitIntEn off
        command(op(AmdViIommu.CMD_COMPLETION_WAIT) | AmdViIommu.CW_I, 0);
        publish();
        rig.advance(LATENCY);
        assertEquals(4, m.r64(STATUS) & 4);
        assertEquals(1, irq.edges(), "no interrupt without ComWaitIntEn");
    }

    @Test
    void bufferWrapsAround() {
        enable();
        long sem = rig.alloc(8, 8);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 100; i++) command(op(AmdViIommu.CMD_COMPLETION_WAIT) | sem | AmdViIommu.CW_S, round * 100 + i);
            publish();
            rig.advance(100 * LATENCY);
            assertEquals(tail, m.r64(HEAD));
        }
        assertEquals(299, rig.r64(sem));
        assertEquals(300 * 16 % 4096, tail);
    }

    @Test
    void illegalCommandIsLoggedAndStopsTheBuffer() {
        enable();
        long sem = rig.alloc(8, 8);
        command(op(0xE), 0);
        command(op(AmdViIommu.CMD_COMPLETION_WAIT) | sem | AmdViIommu.CW_S, 5);
        publish();
        rig.advance(3 * LATENCY);
        assertEquals(AmdViTables.EVENT_ILLEGAL_COMMAND, event(0)[0] >>> 60);
        assertEquals(cmdbuf, event(0)[1], "the command's address");
        assertEquals(0, m.r64(HEAD));
        assertEquals(0, m.r64(STATUS) & 0x10, "CmdBufRun clear");
        assertEquals(0, rig.r64(sem));
        rig.w64(cmdbuf, op(AmdViIommu.CMD_INV_IOMMU_ALL));
        m.w64(CONTROL, 1 | 1 << 2 | 1 << 3 | 1 << 4);
        m.w64(CONTROL, 1 | 1 << 2 | 1 << 3 | 1 << 4 | 1 << 12);
        rig.advance(2 * LATENCY);
        assertEquals(5, rig.r64(sem));
    }

    @Test
    void reservedBitsAndUnsupportedCommandsAreIllegal() {
        enable();
        for (long[] c : new long[][] {{op(AmdViIommu.CMD_INV_IOMMU_ALL) | 1, 0}, {op(AmdViIommu.CMD_INV_DEVTAB_ENTRY), 1},
                {op(AmdViIommu.CMD_INV_IOMMU_PAGES) | 1L << 20, 0}, {op(AmdViIommu.CMD_COMPLETION_WAIT) | 1L << 55, 0},
                {op(AmdViIommu.CMD_INV_IOTLB_PAGES), 0}, {op(0), 0}}) {
            int before = (int) (m.r64(EVT_TAIL) / 16);
            rig.w64(cmdbuf + m.r64(HEAD), c[0]);
            rig.w64(cmdbuf + m.r64(HEAD) + 8, c[1]);
            m.w64(CONTROL, 1 | 1 << 2);
            m.w64(CONTROL, 1 | 1 << 2 | 1 << 12);
            m.w64(TAIL, m.r64(HEAD) + 16);
            rig.advance(LATENCY);
            assertEquals(AmdViTables.EVENT_ILLEGAL_COMMAND, event(before)[0] >>> 60, "command " + Long.toHexString(c[0]));
        }
    }

    @Test
    void tailPastTheEndIsIgnoredAndBufferOutsideRamIsAHardwareError() {
        enable();
        m.w64(TAIL, 4096);
        assertEquals(0, m.r64(TAIL));
        assertTrue(rig.guestErrors() > 0);
        m.w64(CMDBASE, 0x1000_0000L | 8L << 56);
        m.w64(TAIL, 16);
        rig.advance(LATENCY);
        assertEquals(AmdViTables.EVENT_COMMAND_HW_ERROR, event(0)[0] >>> 60);
    }

    @Test
    void snapshotKeepsTheStaleEntryAndTheInvalidationInFlight() throws Exception {
        enable();
        long a = rig.page(), b = rig.page(), sem = rig.alloc(8, 8);
        long leaf = map(0x6000, a, PTE_RW);
        IommuSnapshots.staleEntryAndCommandsInFlightSurviveARestore(new IommuSnapshots.Machine<>(rig, amd),
                r -> new AmdViIommu(r.ram, r.clock, r.log, LATENCY, new IommuRig.Irq()),
                DEV, 0x6000, a, b, leaf, b | PTE_RW, () -> {
                    command(op(AmdViIommu.CMD_INV_IOMMU_PAGES) | (long) DOMAIN << 32, 0x6000);
                    command(op(AmdViIommu.CMD_COMPLETION_WAIT) | sem | AmdViIommu.CW_S, 0x1234L);
                    publish();
                }, AmdViIommu::waitsCompleted, LATENCY);
        assertEquals(0x1234L, rig.r64(sem));
    }

    @Test
    void detectorReportsRemapWithoutInvalidation() throws DmaException {
        enable();
        StaleIotlbDetector det = new StaleIotlbDetector(rig.ram, rig.log);
        amd.check(det);
        long a = rig.page(), b = rig.page();
        long leaf = map(0x6000, a, PTE_RW);
        DmaPort port = amd.port(DEV, "input");
        port.write32(0x6000, 1);
        rig.w64(leaf, b | PTE_RW);
        port.write32(0x6000, 2);
        assertEquals(new StaleIotlbDetector.Report("input", 0x6000, a, b, leaf, StaleIotlbDetector.PC_UNKNOWN), det.reports().get(0));
        assertEquals(2, rig.r32(a), "the stale translation was really used");
    }
}
