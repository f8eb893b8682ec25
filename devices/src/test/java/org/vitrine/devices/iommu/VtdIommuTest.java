package org.vitrine.devices.iommu;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vitrine.emulator.spi.DmaPort;
import org.vitrine.emulator.spi.DmaPort.DmaException;

/** VtdIommu with hand-built root, context and second-level tables and invalidation queues in guest RAM. */
class VtdIommuTest {
    static final long LATENCY = 500;
    static final int SID = 0x0010, DID = 3; // bus 0, devfn 0x10
    static final int GCMD = 0x18, GSTS = 0x1C, RTADDR = 0x20, CCMD = 0x28, FSTS = 0x34, FECTL = 0x38,
            IQH = 0x80, IQT = 0x88, IQA = 0x90, ICS = 0x9C, IECTL = 0xA0, IVA = 0x100, IOTLB = 0x108, FRCD = 0x220;

    IommuRig rig;
    IommuRig.Irq faultIrq, invIrq;
    VtdIommu vtd;
    long root, ctx, pml4, queue;
    int tail;
    int gcmd;

    IommuRig.Regs m;

    @BeforeEach
    void setUp() {
        rig = new IommuRig();
        faultIrq = new IommuRig.Irq();
        invIrq = new IommuRig.Irq();
        vtd = new VtdIommu(rig.ram, rig.clock, rig.log, LATENCY, faultIrq, invIrq);
        m = new IommuRig.Regs(vtd);
    }





    void gcmd(int bits, boolean on) {
        gcmd = on ? gcmd | bits : gcmd & ~bits;
        m.w(GCMD, gcmd);
    }

    /** Root table → context table of bus 0 → SID translated with 4-level tables in domain DID. */
    void enable() {
        root = rig.page();
        ctx = rig.page();
        pml4 = rig.page();
        rig.w64(root, ctx | 1);
        context(SID, pml4 | 1, 2 | DID << 8);
        m.w64(RTADDR, root);
        m.w(GCMD, 1 << 30); // SRTP
        assertEquals(1L << 30, m.r(GSTS) & 1L << 30);
        queue = rig.page(); // QS 0: 256 descriptors
        m.w64(IQA, queue);
        m.w(FECTL, 0); // unmask fault events
        m.w(IECTL, 0);
        gcmd(1 << 26 | 1 << 31, true); // QIE, TE
        assertEquals(1L << 26 | 1L << 31, m.r(GSTS) & (1L << 26 | 1L << 31));
    }

    void context(int sid, long lo, long hi) {
        rig.w64(ctx + 16L * (sid & 0xFF), lo);
        rig.w64(ctx + 16L * (sid & 0xFF) + 8, hi);
    }

    long map(long iova, long pa, int rw) {
        long table = pml4;
        for (int level = 4; level > 1; level--) {
            long at = table + 8 * ((iova >>> (12 + 9 * (level - 1))) & 0x1FF);
            long e = rig.r64(at);
            if (e == 0) {
                e = rig.page() | 3;
                rig.w64(at, e);
            }
            table = e & ~0xFFFL;
        }
        long leaf = table + 8 * ((iova >>> 12) & 0x1FF);
        rig.w64(leaf, pa | rw);
        return leaf;
    }

    void descriptor(long lo, long hi) {
        long at = queue + 16L * tail;
        rig.w64(at, lo);
        rig.w64(at + 8, hi);
        tail = (tail + 1) % 256;
    }

    void publish() {
        m.w64(IQT, (long) tail << 4);
    }

    long[] frcd(int i) {
        return new long[] {m.r64(FRCD + 16L * i), m.r64(FRCD + 16L * i + 8)};
    }

    @Test
    void afterResetDmaPassesThrough() throws DmaException {
        rig.w32(IommuRig.RAM + 0x40, 99);
        assertEquals(99, vtd.port(SID, "dev").read32(IommuRig.RAM + 0x40));
        assertEquals(0, m.r(GSTS));
    }

    @Test
    void translatesThroughRootContextAndSecondLevelTables() throws DmaException {
        enable();
        long pa = rig.page();
        rig.w32(pa + 8, 0x5A5A);
        map(0x7F_0000_1000L, pa, 3);
        DmaPort port = vtd.port(SID, "dev");
        assertEquals(0x5A5A, port.read32(0x7F_0000_1008L));
        port.write32(0x7F_0000_100CL, 7);
        assertEquals(7, rig.r32(pa + 12));
    }

    @Test
    void twoMegabyteSuperpageAndPassThroughContext() throws DmaException {
        enable();
        long big = 0x4060_0000L; // 2 MiB aligned, in RAM
        long pdpt = rig.page(), pd = rig.page();
        rig.w64(pml4 + 8 * 1, pdpt | 3); // iova bit 39 set
        rig.w64(pdpt, pd | 3);
        rig.w64(pd + 8, big | 1 << 7 | 3);
        rig.w32(big + 0x1_2344, 42);
        assertEquals(42, vtd.port(SID, "dev").read32((1L << 39) + 0x20_0000 + 0x1_2344));
        context(0x11, 2 << 2 | 1, 2); // TT pass-through
        rig.w32(IommuRig.RAM + 0x80, 5);
        assertEquals(5, vtd.port(0x11, "pt").read32(IommuRig.RAM + 0x80));
    }

    @Test
    void faultsAreRecordedWithReasonTypeAndSource() {
        enable();
        map(0x2000, rig.page(), 1); // read-only
        DmaPort port = vtd.port(SID, "dev");
        assertThrows(DmaException.class, () -> port.read32(0x5000)); // not present, read: reason 6
        long[] f = frcd(0);
        assertEquals(0x5000, f[0]);
        assertTrue(f[1] < 0, "F");
        assertEquals(1, f[1] >>> 62 & 1, "T = read");
        assertEquals(VtdTables.FR_READ, f[1] >>> 32 & 0xFF);
        assertEquals(SID, f[1] & 0xFFFF);
        assertEquals(0b10, m.r(FSTS) & 0b10, "PPF");
        assertEquals(1, faultIrq.edges());
        assertThrows(DmaException.class, () -> port.write32(0x2000, 1)); // write to read-only: reason 5
        assertEquals(VtdTables.FR_WRITE, frcd(1)[1] >>> 32 & 0xFF);
        assertEquals(0, frcd(1)[1] >>> 62 & 1, "T = write");
        assertEquals(0, m.r(FSTS) >>> 8 & 0xFF, "FRI: the oldest pending record");
        assertThrows(DmaException.class, () -> vtd.port(0x20, "absent").read32(0)); // context not present
        assertEquals(VtdTables.FR_CONTEXT_NOT_PRESENT, frcd(2)[1] >>> 32 & 0xFF);
        assertThrows(DmaException.class, () -> vtd.port(0x0100, "bus1").read32(0)); // root not present
        assertEquals(VtdTables.FR_ROOT_NOT_PRESENT, frcd(3)[1] >>> 32 & 0xFF);
        assertThrows(DmaException.class, () -> port.read32(1L << 50)); // beyond 48 bits
        assertEquals(1, m.r(FSTS) & 1, "all four registers full: PFO");
        // Software clears the records (F is RW1C) and PFO.
        for (int i = 0; i < 4; i++) m.w(FRCD + 16L * i + 12, 1L << 31);
        m.w(FSTS, 1);
        assertEquals(0, m.r(FSTS) & 0b11);
        assertThrows(DmaException.class, () -> port.read32(1L << 50));
        assertEquals(VtdTables.FR_ADDRESS_BEYOND_MGAW, frcd(0)[1] >>> 32 & 0xFF);
    }

    @Test
    void maskedFaultEventIsDeliveredWhenUnmasked() {
        enable();
        m.w(FECTL, 1L << 31);
        assertThrows(DmaException.class, () -> vtd.port(SID, "dev").read32(0x5000));
        assertEquals(0, faultIrq.edges());
        assertEquals(1L << 30, m.r(FECTL) & 1L << 30, "IP");
        m.w(FECTL, 0);
        assertEquals(1, faultIrq.edges());
    }

    @Test
    void fpdSuppressesFaultRecording() {
        enable();
        context(SID, pml4 | 1 | 2, 2 | DID << 8);
        assertThrows(DmaException.class, () -> vtd.port(SID, "dev").read32(0x5000));
        assertEquals(0, frcd(0)[1]);
    }

    @Test
    void iotlbKeepsOldTranslationUntilThePageInvalidationCompletes() throws DmaException {
        enable();
        long a = rig.page(), b = rig.page();
        rig.w32(a, 1);
        rig.w32(b, 2);
        long leaf = map(0x40_0000, a, 3);
        DmaPort port = vtd.port(SID, "dev");
        assertEquals(1, port.read32(0x40_0000));
        rig.w64(leaf, b | 3);
        long status = rig.alloc(8, 8);
        descriptor(VtdIommu.DESC_IOTLB | 3 << 4 | DID << 16, 0x40_0000);
        descriptor(VtdIommu.DESC_WAIT | VtdIommu.WAIT_SW | 0x600DL << 32, status);
        publish();
        assertEquals(1, port.read32(0x40_0000), "not yet invalidated");
        rig.advance(LATENCY);
        assertEquals(1L << 4, m.r64(IQH), "IQH moved past the IOTLB descriptor");
        assertEquals(2, port.read32(0x40_0000));
        assertEquals(0, rig.r32(status));
        rig.advance(LATENCY);
        assertEquals(0x600D, rig.r32(status));
        assertEquals(2L << 4, m.r64(IQH));
    }

    @Test
    void iotlbGranularitiesAndAddressMask() throws DmaException {
        enable();
        DmaPort port = vtd.port(SID, "dev");
        for (int i = 0; i < 8; i++) {
            map(0x10_0000 + 0x1000L * i, rig.page(), 3);
            port.read32(0x10_0000 + 0x1000L * i);
        }
        descriptor(VtdIommu.DESC_IOTLB | 3 << 4 | DID << 16, 0x10_2000 | 2); // AM 2: four pages 0x100000..0x103fff
        descriptor(VtdIommu.DESC_IOTLB | 2 << 4 | (DID + 1) << 16, 0); // other domain
        publish();
        rig.advance(2 * LATENCY);
        assertEquals(4, vtd.iotlb().size());
        descriptor(VtdIommu.DESC_IOTLB | 2 << 4 | DID << 16, 0);
        publish();
        rig.advance(LATENCY);
        assertEquals(0, vtd.iotlb().size());
        port.read32(0x10_0000);
        descriptor(VtdIommu.DESC_IOTLB | 1 << 4, 0);
        publish();
        rig.advance(LATENCY);
        assertEquals(0, vtd.iotlb().size());
    }

    @Test
    void contextCacheKeepsTheOldContextUntilInvalidated() throws DmaException {
        enable();
        DmaPort port = vtd.port(SID, "dev");
        assertThrows(DmaException.class, () -> port.read32(IommuRig.RAM));
        context(SID, 2 << 2 | 1, 2 | DID << 8); // now pass-through
        assertThrows(DmaException.class, () -> port.read32(IommuRig.RAM), "cached context");
        descriptor(VtdIommu.DESC_CONTEXT | 3 << 4 | (long) SID << 32, 0); // device-selective
        publish();
        rig.advance(LATENCY);
        port.read32(IommuRig.RAM);
        context(SID, pml4 | 1, 2 | DID << 8);
        descriptor(VtdIommu.DESC_CONTEXT | 2 << 4 | DID << 16, 0); // domain-selective: the cached one is pass-through with DID
        descriptor(VtdIommu.DESC_CONTEXT | 1 << 4, 0); // global
        publish();
        rig.advance(2 * LATENCY);
        assertThrows(DmaException.class, () -> port.read32(IommuRig.RAM));
    }

    @Test
    void waitDescriptorSignalsWithStatusInterruptBothOrNeither() {
        enable();
        long s1 = rig.alloc(8, 8), s2 = rig.alloc(8, 8);
        descriptor(VtdIommu.DESC_WAIT | VtdIommu.WAIT_IF, 0);
        descriptor(VtdIommu.DESC_WAIT | VtdIommu.WAIT_SW | VtdIommu.WAIT_IF | 7L << 32, s1); // SW and IF together: legal
        descriptor(VtdIommu.DESC_WAIT | VtdIommu.WAIT_FN, 0); // fence only: a no-op
        descriptor(VtdIommu.DESC_WAIT | VtdIommu.WAIT_SW | VtdIommu.WAIT_FN | 9L << 32, s2);
        publish();
        rig.advance(LATENCY);
        assertEquals(1, invIrq.edges());
        assertEquals(1, m.r(ICS));
        rig.advance(LATENCY);
        assertEquals(7, rig.r32(s1));
        assertEquals(1, invIrq.edges(), "IWC still set: no new event");
        m.w(ICS, 1);
        assertEquals(0, m.r(ICS));
        rig.advance(2 * LATENCY);
        assertEquals(9, rig.r32(s2));
        assertEquals(4, vtd.waitsCompleted());
        assertEquals(0, m.r(FSTS) & 0x10, "no IQE");
    }

    @Test
    void queueWrapsAround() {
        enable();
        long status = rig.alloc(8, 8);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 100; i++) descriptor(VtdIommu.DESC_WAIT | VtdIommu.WAIT_SW | (long) (round * 100 + i) << 32, status);
            publish();
            rig.advance(100 * LATENCY);
            assertEquals((long) tail << 4, m.r64(IQH));
        }
        assertEquals(299, rig.r32(status));
        assertEquals(300 % 256, tail, "wrapped past the end of the 256-entry queue");
    }

    @Test
    void badDescriptorTypeSetsIqeAndStopsTheQueueOnIt() {
        enable();
        long status = rig.alloc(8, 8);
        descriptor(VtdIommu.DESC_WAIT | VtdIommu.WAIT_SW | 1L << 32, status);
        descriptor(3, 0); // device-IOTLB: not supported
        descriptor(VtdIommu.DESC_WAIT | VtdIommu.WAIT_SW | 2L << 32, status);
        publish();
        rig.advance(5 * LATENCY);
        assertEquals(1, rig.r32(status));
        assertEquals(0x10, m.r(FSTS) & 0x10, "IQE");
        assertEquals(1L << 4, m.r64(IQH), "IQH on the bad descriptor");
        assertEquals(1, faultIrq.edges());
        rig.w64(queue + 16, VtdIommu.DESC_WAIT); // fixed
        m.w(FSTS, 0x10);
        rig.advance(2 * LATENCY);
        assertEquals(2, rig.r32(status));
    }

    @Test
    void reservedBitsSetIqe() {
        enable();
        descriptor(VtdIommu.DESC_IOTLB | 1 << 4 | 1L << 40, 0);
        publish();
        rig.advance(LATENCY);
        assertEquals(0x10, m.r(FSTS) & 0x10);
        m.w(FSTS, 0x10);
        rig.w64(queue, VtdIommu.DESC_CONTEXT | 1 << 4);
        rig.w64(queue + 8, 1); // hi must be 0
        rig.advance(LATENCY);
        assertEquals(0x10, m.r(FSTS) & 0x10);
        m.w(FSTS, 0x10);
        rig.w64(queue, VtdIommu.DESC_IOTLB | 3 << 4);
        rig.w64(queue + 8, 19); // AM above MAMV
        rig.advance(LATENCY);
        assertEquals(0x10, m.r(FSTS) & 0x10);
    }

    @Test
    void tailPastTheEndAndQueueOutsideRamSetIqe() {
        enable();
        m.w64(IQT, 300L << 4);
        rig.advance(LATENCY);
        assertEquals(0x10, m.r(FSTS) & 0x10);
        gcmd(1 << 26, false);
        m.w(FSTS, 0x10);
        m.w64(IQA, 0x1000_0000L);
        gcmd(1 << 26, true);
        m.w64(IQT, 1L << 4);
        rig.advance(LATENCY);
        assertEquals(0x10, m.r(FSTS) & 0x10);
    }

    @Test
    void registerBasedInvalidationWorksOnlyWithoutQueuedInvalidation() throws DmaException {
        enable();
        DmaPort port = vtd.port(SID, "dev");
        map(0x1000, rig.page(), 3);
        port.read32(0x1000);
        m.w64(IOTLB, 1L << 63 | 1L << 60);
        assertEquals(1, vtd.iotlb().size(), "refused while QI is on");
        gcmd(1 << 26, false);
        m.w64(IVA, 0x1000);
        m.w64(IOTLB, 1L << 63 | 3L << 60 | (long) DID << 32);
        assertEquals(0, vtd.iotlb().size());
        assertEquals(0, m.r64(IOTLB) >>> 63, "IVT clears when done");
        assertEquals(3, m.r64(IOTLB) >>> 57 & 3, "IAIG");
        m.w64(CCMD, 1L << 63 | 1L << 61);
        assertEquals(1, m.r64(CCMD) >>> 59 & 3, "CAIG = global");
    }

    @Test
    void snapshotKeepsTheStaleEntryAndTheInvalidationInFlight() throws Exception {
        enable();
        long a = rig.page(), b = rig.page(), status = rig.alloc(8, 8);
        long leaf = map(0x3000, a, 3);
        IommuSnapshots.staleEntryAndCommandsInFlightSurviveARestore(new IommuSnapshots.Machine<>(rig, vtd),
                r -> new VtdIommu(r.ram, r.clock, r.log, LATENCY, new IommuRig.Irq(), new IommuRig.Irq()),
                SID, 0x3000, a, b, leaf, b | 3, () -> {
                    descriptor(VtdIommu.DESC_IOTLB | 3 << 4 | DID << 16, 0x3000);
                    descriptor(VtdIommu.DESC_WAIT | VtdIommu.WAIT_SW | 0x600DL << 32, status);
                    publish();
                }, VtdIommu::waitsCompleted, LATENCY);
        assertEquals(0x600D, rig.r32(status));
    }

    @Test
    void detectorCatchesAMissingInvalidation() throws DmaException {
        enable();
        StaleIotlbDetector det = new StaleIotlbDetector(rig.ram, rig.log);
        vtd.check(det);
        long a = rig.page();
        long leaf = map(0x3000, a, 3);
        DmaPort port = vtd.port(SID, "gpu");
        port.read32(0x3000);
        det.onGuestWrite(leaf, 8, 0x4009_0000L);
        rig.w64(leaf, 0);
        port.read32(0x3010);
        assertEquals(new StaleIotlbDetector.Report("gpu", 0x3010, a + 0x10, -1, leaf, 0x4009_0000L), det.reports().get(0));
    }
}
