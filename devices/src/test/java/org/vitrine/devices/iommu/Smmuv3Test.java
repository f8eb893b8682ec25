package org.vitrine.devices.iommu;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vitrine.emulator.spi.DmaPort;
import org.vitrine.emulator.spi.DmaPort.DmaException;

/** Smmuv3 with hand-built stream tables, CDs, page tables and command queues in guest RAM. */
class Smmuv3Test {
    static final long LATENCY = 1000;
    static final int SID = 5, ASID = 7;
    static final long DESC_PAGE = 0b11 | 1L << 10; // valid page, AF

    IommuRig rig;
    IommuRig.Irq eventq, priq, sync, gerror;
    Smmuv3 smmu;
    long cmdq, evtq, strtab, cd, l0;
    int prod;

    IommuRig.Regs m;

    @BeforeEach
    void setUp() {
        rig = new IommuRig();
        eventq = new IommuRig.Irq();
        priq = new IommuRig.Irq();
        sync = new IommuRig.Irq();
        gerror = new IommuRig.Irq();
        smmu = new Smmuv3(rig.ram, rig.clock, rig.log, LATENCY, eventq, priq, sync, gerror);
        m = new IommuRig.Regs(smmu);
    }




    /** Linear stream table of 32 STEs, StreamID SID → stage 1 with a 48-bit CD; queues of 2^log2 entries. */
    void enable(int cmdLog2) {
        strtab = rig.alloc(32 * 64, 64);
        cd = rig.alloc(64, 64);
        l0 = rig.page();
        ste(SID, 0b101 << 1 | 1 | cd);
        rig.w64(cd, 16 /* T0SZ: 48-bit */ | 1L << 31 | 1L << 41 | (long) ASID << 48);
        rig.w64(cd + 8, l0);
        cmdq = rig.alloc(16L << cmdLog2, 1L << Math.max(5, cmdLog2 + 4));
        evtq = rig.alloc(32 * 4, 128);
        m.w64(0x80, strtab);
        m.w(0x88, 5); // linear, 2^5 STEs
        m.w64(0x90, cmdq | cmdLog2);
        m.w64(0xA0, evtq | 2);
        m.w(0x50, 0b101); // GERROR and EVTQ interrupts
        m.w(0x20, 0b1101); // SMMUEN, EVTQEN, CMDQEN
    }

    void ste(int sid, long w0) {
        rig.w64(strtab + 64L * sid, w0);
    }

    /** Maps iova → pa with 4 KiB pages under l0 (tables allocated as needed); returns the leaf entry address. */
    long map(long iova, long pa, long extra) {
        long table = l0;
        for (int level = 0; level < 3; level++) {
            long at = table + 8 * ((iova >>> (39 - 9 * level)) & 0x1FF);
            long d = rig.r64(at);
            if (d == 0) {
                d = rig.page() | 0b11;
                rig.w64(at, d);
            }
            table = d & 0x0000_FFFF_FFFF_F000L;
        }
        long leaf = table + 8 * ((iova >>> 12) & 0x1FF);
        rig.w64(leaf, pa | DESC_PAGE | extra);
        return leaf;
    }

    void command(long d0, long d1) {
        int log2 = (int) (m.r(0x90) & 0x1F);
        long at = cmdq + 16L * (prod & ((1 << log2) - 1));
        rig.w64(at, d0);
        rig.w64(at + 8, d1);
        prod = (prod & ~((2 << log2) - 1)) | ((prod + 1) & ((2 << log2) - 1));
    }

    void publish() {
        m.w(0x98, prod);
    }

    long[] event(int n) {
        long at = evtq + 32L * n;
        return new long[] {rig.r64(at), rig.r64(at + 8), rig.r64(at + 16), rig.r64(at + 24)};
    }

    @Test
    void afterResetDmaBypassesUntranslated() throws DmaException {
        DmaPort port = smmu.port(SID, "dev");
        rig.w32(IommuRig.RAM + 0x2000, 0x1234);
        assertEquals(0x1234, port.read32(IommuRig.RAM + 0x2000));
        assertEquals(0, rig.guestErrors());
    }

    @Test
    void gbpaAbortRefusesDmaWhileDisabled() {
        m.w(0x44, 1L << 20 | 1L << 31);
        assertEquals(1L << 20, m.r(0x44)); // Update completes at once
        assertThrows(DmaException.class, () -> smmu.port(SID, "dev").read32(IommuRig.RAM));
    }

    @Test
    void translatesThroughLinearStreamTableAndFourLevels() throws DmaException {
        enable(3);
        long pa = rig.page();
        rig.w32(pa + 0x10, 0xCAFE);
        map(0x12_3456_7000L, pa, 0);
        DmaPort port = smmu.port(SID, "dev");
        assertEquals(0xCAFE, port.read32(0x12_3456_7010L));
        port.write32(0x12_3456_7020L, 0xBEEF);
        assertEquals(0xBEEF, rig.r32(pa + 0x20));
        assertEquals(1, smmu.iotlb().size());
    }

    @Test
    void translatesThroughTwoLevelStreamTable() throws DmaException {
        enable(3);
        long l1 = rig.alloc(8 * 4, 64);
        long l2 = rig.alloc(64 * 16, 64);
        rig.w64(l2 + 64L * 3, 0b101 << 1 | 1 | cd); // SID 0x13 = L1 index 1, L2 index 3 with SPLIT 4
        rig.w64(l1 + 8, l2 | 5); // SPAN 5: 16 STEs
        m.w(0x20, 0);
        m.w64(0x80, l1);
        m.w(0x88, 1 << 16 | 4 << 6 | 6); // 2-level, SPLIT 4, 2^6 StreamIDs
        m.w(0x20, 0b1101);
        long pa = rig.page();
        rig.w32(pa, 77);
        map(0x1000, pa, 0);
        assertEquals(77, smmu.port(0x13, "dev").read32(0x1000));
        // SID 0x23: L1 index 2 has SPAN 0 → C_BAD_STREAMID
        assertThrows(DmaException.class, () -> smmu.port(0x23, "dev2").read32(0x1000));
        assertEquals(Smmuv3Tables.C_BAD_STREAMID, event(0)[0] & 0xFF);
        assertEquals(0x23, event(0)[0] >>> 32);
    }

    @Test
    void unmappedIovaIsATranslationEventWithInterrupt() {
        enable(3);
        DmaPort port = smmu.port(SID, "dev");
        DmaException e = assertThrows(DmaException.class, () -> port.read32(0x5000));
        assertTrue(e.getMessage().contains("TRANSLATION"), e.getMessage());
        long[] ev = event(0);
        assertEquals(Smmuv3Tables.F_TRANSLATION, ev[0] & 0xFF);
        assertEquals(SID, ev[0] >>> 32);
        assertEquals(1, ev[1] >>> 35 & 1, "RnW = read");
        assertEquals(0x5000, ev[2]);
        assertEquals(1, m.r(0x100A8) & 7, "EVTQ_PROD advanced");
        assertEquals(1, eventq.edges());
        assertEquals(1, smmu.faults());
    }

    @Test
    void readOnlyPageRefusesWritesWithPermissionEvent() throws DmaException {
        enable(3);
        map(0x1000, rig.page(), 1L << 7); // AP[2]: read-only
        DmaPort port = smmu.port(SID, "dev");
        port.read32(0x1000);
        assertThrows(DmaException.class, () -> port.write32(0x1000, 1));
        assertEquals(Smmuv3Tables.F_PERMISSION, event(0)[0] & 0xFF);
        assertEquals(0, event(0)[1] >>> 35 & 1, "RnW = write");
    }

    @Test
    void accessFlagClearFaultsAndInvalidCdIsBadCd() {
        enable(3);
        long leaf = map(0x1000, rig.page(), 0);
        rig.w64(leaf, rig.r64(leaf) & ~(1L << 10));
        assertThrows(DmaException.class, () -> smmu.port(SID, "dev").read32(0x1000));
        assertEquals(Smmuv3Tables.F_ACCESS, event(0)[0] & 0xFF);
        rig.w64(cd, rig.r64(cd) | 1L << 6); // TG0 = 16 KiB: unsupported
        ste(6, 0b101 << 1 | 1 | cd);
        assertThrows(DmaException.class, () -> smmu.port(6, "dev6").read32(0x1000));
        assertEquals(Smmuv3Tables.C_BAD_CD, event(1)[0] & 0xFF);
    }

    @Test
    void tableOutsideRamIsWalkAbort() {
        enable(3);
        rig.w64(l0, 0x1000_0000L | 0b11); // level-1 table below RAM
        assertThrows(DmaException.class, () -> smmu.port(SID, "dev").read32(0));
        assertEquals(Smmuv3Tables.F_WALK_EABT, event(0)[0] & 0xFF);
        assertEquals(0x1000_0000L + 8 * 0, event(0)[3], "FETCH_ADDR: the level-1 entry outside RAM");
    }

    @Test
    void iotlbKeepsTheOldTranslationUntilTlbiCompletes() throws DmaException {
        enable(3);
        long a = rig.page(), b = rig.page();
        rig.w32(a, 1);
        rig.w32(b, 2);
        long leaf = map(0x7000, a, 0);
        DmaPort port = smmu.port(SID, "dev");
        assertEquals(1, port.read32(0x7000));
        rig.w64(leaf, b | DESC_PAGE);
        assertEquals(1, port.read32(0x7000), "cached until invalidated");
        command(Smmuv3.CMD_TLBI_NH_VA | (long) ASID << 48, 0x7000);
        command(Smmuv3.CMD_SYNC, 0);
        publish();
        assertEquals(1, port.read32(0x7000), "invalidation not complete yet");
        assertEquals(0, m.r(0x9C));
        rig.advance(LATENCY);
        assertEquals(1, m.r(0x9C), "TLBI consumed");
        assertEquals(2, port.read32(0x7000));
        rig.advance(LATENCY);
        assertEquals(2, m.r(0x9C), "SYNC consumed");
        assertEquals(1, smmu.syncsCompleted());
    }

    @Test
    void tlbiByAsidAllAndRangeSelectTheirEntries() throws DmaException {
        enable(3);
        DmaPort port = smmu.port(SID, "dev");
        for (int i = 0; i < 8; i++) map(0x10_0000 + 0x1000L * i, rig.page(), 0);
        for (int i = 0; i < 8; i++) port.read32(0x10_0000 + 0x1000L * i);
        assertEquals(8, smmu.iotlb().size());
        command(Smmuv3.CMD_TLBI_NH_ASID | (long) (ASID + 1) << 48, 0); // other ASID: nothing
        command(Smmuv3.CMD_TLBI_NH_VA | (long) ASID << 48 | 1L << 12 | 1L << 20, 0x10_0000 | 1 << 10); // range: (1+1)<<1 = 4 pages
        command(Smmuv3.CMD_TLBI_NH_VAA, 0x10_7000);
        publish();
        rig.advance(3 * LATENCY);
        assertEquals(3, smmu.iotlb().size());
        command(Smmuv3.CMD_TLBI_NH_ASID | (long) ASID << 48, 0);
        publish();
        rig.advance(LATENCY);
        assertEquals(0, smmu.iotlb().size());
        for (int i = 0; i < 2; i++) port.read32(0x10_0000 + 0x1000L * i);
        command(Smmuv3.CMD_TLBI_NSNH_ALL, 0);
        publish();
        rig.advance(LATENCY);
        assertEquals(0, smmu.iotlb().size());
        port.read32(0x10_0000);
        command(Smmuv3.CMD_TLBI_NH_ALL, 0);
        publish();
        rig.advance(LATENCY);
        assertEquals(0, smmu.iotlb().size());
    }

    @Test
    void cfgiMakesAChangedSteVisible() throws DmaException {
        enable(3);
        map(0x1000, rig.page(), 0);
        DmaPort port = smmu.port(SID, "dev");
        port.read32(0x1000);
        ste(SID, 0b100 << 1 | 1); // bypass
        assertThrows(DmaException.class, () -> port.read32(IommuRig.RAM + 0x3000), "old STE still cached");
        for (long[] c : new long[][] {{Smmuv3.CMD_CFGI_STE | (long) SID << 32, 1}, {Smmuv3.CMD_CFGI_CD | (long) SID << 32, 0},
                {Smmuv3.CMD_CFGI_CD_ALL | (long) SID << 32, 0}, {Smmuv3.CMD_CFGI_STE_RANGE | (long) SID << 32, 1}}) {
            command(c[0], c[1]);
            publish();
            rig.advance(LATENCY);
            assertEquals(0, m.r(0x9C) >>> 24 & 0x7F, "no error");
            port.read32(IommuRig.RAM + 0x3000); // bypass after CFGI: no fault
            ste(SID, 0b101 << 1 | 1 | cd);
            command(Smmuv3.CMD_CFGI_STE_RANGE, 31); // CFGI_ALL
            publish();
            rig.advance(LATENCY);
            assertThrows(DmaException.class, () -> port.read32(IommuRig.RAM + 0x3000), "translating again");
            ste(SID, 0b100 << 1 | 1);
        }
    }

    @Test
    void syncSignalsByMsiIrqAndSev() {
        enable(3);
        long msi = rig.alloc(8, 8);
        command(Smmuv3.CMD_SYNC | 1 << 12 | 0xABCDL << 32, msi);
        command(Smmuv3.CMD_SYNC | 2 << 12, 0);
        command(Smmuv3.CMD_SYNC, 0);
        publish();
        rig.advance(LATENCY);
        assertEquals(0xABCD, rig.r32(msi));
        assertEquals(1, sync.edges());
        rig.advance(2 * LATENCY);
        assertEquals(1, smmu.sevsSent());
        assertEquals(3, smmu.syncsCompleted());
        assertEquals(3, m.r(0x9C));
    }

    @Test
    void queueWrapsAndConsCarriesTheWrapBit() {
        enable(2); // 4 entries: index bits [1:0], wrap bit 2
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 3; i++) command(Smmuv3.CMD_SYNC, 0);
            publish();
            rig.advance(3 * LATENCY);
            assertEquals(prod, m.r(0x9C), "CONS caught up with PROD " + prod);
        }
        assertEquals(9 % 8, m.r(0x9C), "9 commands on a 4-entry queue: index 1, wrap bit 0 (wrapped twice)");
    }

    @Test
    void fullQueueIsConsumedWhole() {
        enable(2);
        for (int i = 0; i < 4; i++) command(Smmuv3.CMD_SYNC, 0);
        assertEquals(0b100, prod, "full: same index, other wrap");
        publish();
        rig.advance(4 * LATENCY);
        assertEquals(0b100, m.r(0x9C));
        assertEquals(4, smmu.syncsCompleted());
    }

    @Test
    void badOpcodeStopsTheQueueUntilGerrornAcknowledges() {
        enable(3);
        command(0x7F, 0);
        command(Smmuv3.CMD_SYNC, 0);
        publish();
        rig.advance(5 * LATENCY);
        assertEquals(Smmuv3.CERROR_ILL, m.r(0x9C) >>> 24 & 0x7F);
        assertEquals(0, m.r(0x9C) & 0xF, "CONS stays on the bad command");
        assertEquals(1, m.r(0x60) & 1, "GERROR.CMDQ_ERR toggled");
        assertEquals(1, gerror.edges());
        // Software replaces the command with a SYNC and acknowledges.
        rig.w64(cmdq, Smmuv3.CMD_SYNC);
        m.w(0x64, m.r(0x60));
        rig.advance(2 * LATENCY);
        assertEquals(2, m.r(0x9C) & 0xF);
        assertEquals(2, smmu.syncsCompleted());
    }

    @Test
    void identificationAdvertisesWhatLinuxNeeds() {
        long idr0 = m.r(0x00);
        assertEquals(1, idr0 >>> 1 & 1, "stage 1");
        assertEquals(2, idr0 >>> 2 & 3, "AArch64 tables");
        assertEquals(1, idr0 >>> 27 & 3, "2-level stream table");
        assertEquals(1, m.r(0x0C) >>> 10 & 1, "IDR3.RIL: range invalidation");
        assertEquals(2, m.r(0x1C) & 0xF, "SMMUv3.2");
        assertEquals(19, m.r(0x04) >>> 21 & 0x1F, "CMDQS: more than 64 entries (Linux's batch)");
        assertEquals(5, m.r(0x14) & 7, "OAS 48 bits");
        assertEquals(1, m.r(0x14) >>> 4 & 1, "4 KiB granule");
    }

    /** Linux's arm-smmu-v3 sends PREFETCH_CONFIG after every STE it writes: a hint, accepted. */
    @Test
    void prefetchCommandsAreAcceptedHints() {
        enable(3);
        command(Smmuv3.CMD_PREFETCH_CONFIG | (long) SID << 32, 0);
        command(Smmuv3.CMD_PREFETCH_ADDR | (long) SID << 32, 0x4000_1000L | 3);
        command(Smmuv3.CMD_SYNC, 0);
        publish();
        rig.advance(3 * LATENCY);
        assertEquals(3, m.r(0x9C), "all three consumed, no CERROR");
        assertEquals(0, m.r(0x60), "no GERROR");
        command(Smmuv3.CMD_PREFETCH_CONFIG, 1); // dword 1 is reserved
        publish();
        rig.advance(LATENCY);
        assertEquals(Smmuv3.CERROR_ILL, m.r(0x9C) >>> 24 & 0x7F);
    }

    @Test
    void reservedBitsAreIllegal() {
        enable(3);
        command(Smmuv3.CMD_TLBI_NSNH_ALL | 1L << 40, 0);
        publish();
        rig.advance(LATENCY);
        assertEquals(Smmuv3.CERROR_ILL, m.r(0x9C) >>> 24 & 0x7F);
    }

    @Test
    void syncWithReservedCsIsIllegal() {
        enable(3);
        command(Smmuv3.CMD_SYNC | 3 << 12, 0);
        publish();
        rig.advance(LATENCY);
        assertEquals(Smmuv3.CERROR_ILL, m.r(0x9C) >>> 24 & 0x7F);
    }

    @Test
    void queueOutsideRamIsAbortError() {
        enable(3);
        m.w(0x20, 0b0101);
        m.w64(0x90, 0x1000_0000L | 3);
        m.w(0x20, 0b1101);
        prod = 0;
        m.w(0x98, 1);
        rig.advance(LATENCY);
        assertEquals(Smmuv3.CERROR_ABT, m.r(0x9C) >>> 24 & 0x7F);
        assertEquals(1, m.r(0x60) & 1);
    }

    @Test
    void eventQueueOverflowTogglesOvflg() {
        enable(3); // event queue of 4
        DmaPort port = smmu.port(SID, "dev");
        for (int i = 0; i < 5; i++) assertThrows(DmaException.class, () -> port.read32(0x9000));
        assertEquals(0b100, m.r(0x100A8) & 7, "four events: full");
        assertEquals(1L << 31, m.r(0x100A8) & 1L << 31, "the fifth overflowed");
        m.w(0x100AC, 0b100); // consumed all
        assertThrows(DmaException.class, () -> port.read32(0x9000));
        assertEquals(0b101, m.r(0x100A8) & 7);
    }

    @Test
    void snapshotKeepsTheStaleEntryAndTheInvalidationInFlight() throws Exception {
        enable(3);
        long a = rig.page(), b = rig.page();
        long leaf = map(0x7000, a, 0);
        IommuSnapshots.staleEntryAndCommandsInFlightSurviveARestore(new IommuSnapshots.Machine<>(rig, smmu),
                r -> new Smmuv3(r.ram, r.clock, r.log, LATENCY, new IommuRig.Irq(), new IommuRig.Irq(), new IommuRig.Irq(), new IommuRig.Irq()),
                SID, 0x7000, a, b, leaf, b | DESC_PAGE, () -> {
                    command(Smmuv3.CMD_TLBI_NH_VA | (long) ASID << 48, 0x7000);
                    command(Smmuv3.CMD_SYNC, 0);
                    publish();
                }, Smmuv3::syncsCompleted, LATENCY);
    }

    @Test
    void detectorReportsAStaleDmaWithTheWritersPc() throws DmaException {
        enable(3);
        StaleIotlbDetector det = new StaleIotlbDetector(rig.ram, rig.log);
        smmu.check(det);
        long a = rig.page(), b = rig.page();
        long leaf = map(0x7000, a, 0);
        DmaPort port = smmu.port(SID, "blk");
        port.read32(0x7004);
        assertTrue(det.isWatched(leaf));
        det.onGuestWrite(leaf, 8, 0x4008_1234L);
        rig.w64(leaf, b | DESC_PAGE);
        port.read32(0x7004);
        assertEquals(1, det.count());
        StaleIotlbDetector.Report rep = det.reports().get(0);
        assertEquals(new StaleIotlbDetector.Report("blk", 0x7004, a + 4, b + 4, leaf, 0x4008_1234L), rep);
        // Unmapping is reported as "unmapped".
        rig.w64(leaf, 0);
        port.read32(0x7008);
        assertEquals(-1, det.reports().get(1).newPa());
        assertEquals(1, rig.log.source(StaleIotlbDetector.SOURCE).count() - 1);
    }

    @Test
    void detectorIsQuietWhenTheDriverInvalidatesOrChangesNothingThatMatters() throws DmaException {
        enable(3);
        StaleIotlbDetector det = new StaleIotlbDetector(rig.ram, rig.log);
        smmu.check(det);
        long a = rig.page(), b = rig.page();
        long leaf = map(0x7000, a, 0);
        DmaPort port = smmu.port(SID, "blk");
        port.read32(0x7000);
        rig.w64(leaf, a | DESC_PAGE | 1L << 55); // a software bit: same translation
        port.read32(0x7000);
        rig.w64(leaf, b | DESC_PAGE);
        command(Smmuv3.CMD_TLBI_NH_VA | (long) ASID << 48, 0x7000);
        command(Smmuv3.CMD_SYNC, 0);
        publish();
        rig.advance(2 * LATENCY);
        port.read32(0x7000);
        port.read32(0x7000);
        assertEquals(0, det.count());
    }
}
