package org.vitrine.devices.iommu;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.snapshot.Snapshot;
import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.StateWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an IOMMU's snapshot section refuses, changing nothing: another command latency, the
 * detector on one side only, a truncated section, an IOTLB entry that is not a page translation.
 * (Each model's own test restores a programmed IOMMU mid-invalidation.)
 */
class IommuSnapshotTest {
    private static Smmuv3 smmu(IommuRig rig, long latency) {
        return new Smmuv3(rig.ram, rig.clock, rig.log, latency, new IommuRig.Irq(), new IommuRig.Irq(), new IommuRig.Irq(), new IommuRig.Irq());
    }

    private static Snapshot.Section section(Smmuv3 s) {
        return Snapshot.take(Map.of(), List.of(s)).sections().get(0);
    }

    /** Restoring {@code saved} into {@code into} fails with a message containing {@code says}; {@code into} is unchanged. */
    private static void refused(Snapshot.Section saved, Smmuv3 into, String says) {
        byte[] before = section(into).body();
        SnapshotException e = assertThrows(SnapshotException.class, () -> new Snapshot(Map.of(), List.of(saved)).restore(List.of(into)));
        assertTrue(e.getMessage().contains(says), e.getMessage());
        assertTrue(Arrays.equals(before, section(into).body()), "nothing changed");
    }

    private static Smmuv3 programmed(IommuRig rig) {
        Smmuv3 s = smmu(rig, 1000);
        s.write(0x20, 4, 1);         // CR0.SMMUEN
        s.write(0x80, 4, 0x4010_0000L);  // STRTAB_BASE
        return s;
    }

    @Test
    void anotherLatencyIsRefused() {
        Snapshot.Section saved = section(programmed(new IommuRig()));
        refused(saved, smmu(new IommuRig(), 500), "--iommu-latency");
    }

    @Test
    void theDetectorMustBeOnBothSidesOrNeither() {
        IommuRig rig = new IommuRig();
        Smmuv3 checked = programmed(rig);
        checked.check(new StaleIotlbDetector(rig.ram, rig.log));
        refused(section(checked), smmu(new IommuRig(), 1000), "ran with --iommu-check");
        IommuRig other = new IommuRig();
        Smmuv3 checking = smmu(other, 1000);
        checking.check(new StaleIotlbDetector(other.ram, other.log));
        refused(section(programmed(new IommuRig())), checking, "runs with --iommu-check");
    }

    @Test
    void aTruncatedSectionIsRefused() {
        Snapshot.Section s = section(programmed(new IommuRig()));
        refused(new Snapshot.Section(s.name(), s.version(), Arrays.copyOf(s.body(), s.body().length - 3)), smmu(new IommuRig(), 1000), "truncated");
    }

    @Test
    void aNewerLayoutIsRefused() {
        Snapshot.Section s = section(programmed(new IommuRig()));
        refused(new Snapshot.Section(s.name(), s.version() + 1, s.body()), smmu(new IommuRig(), 1000), "layout version");
    }

    @Test
    void iotlbEntriesMustBePageTranslations() {
        StateWriter w = new StateWriter().i64(0).i64(0).i64(0).i32(1);
        w.i32(3).i64(0x7000).i64(0x4000_0010L).u8(3).i32(1).longs(new long[] {0x4000_0000L}).longs(new long[] {1});  // output not page-aligned
        Iotlb tlb = new Iotlb();
        SnapshotException e = assertThrows(SnapshotException.class,
                () -> new Snapshot(Map.of(), List.of(new Snapshot.Section("iotlb", 1, w.toByteArray()))).restore(List.of(tlb)));
        assertTrue(e.getMessage().contains("not a page translation"), e.getMessage());
        assertEquals(0, tlb.size());
    }

    @Test
    void iotlbComesBackInEvictionOrderWithItsCounters() throws Exception {
        Iotlb tlb = new Iotlb();
        for (int i = 0; i < 5; i++) tlb.insert(i % 2, 0x1000L * (5 - i), new PageWalk(0x4000_0000L + 0x1000L * i, true, i % 2 == 0, 7, new long[] {8L * i}, new long[] {i}));
        tlb.lookup(0, 0x5000);
        tlb.lookup(1, 0x9000);
        Iotlb.Entry remembered = tlb.entries().get(0);
        Snapshot s = Snapshot.take(Map.of(), List.of(tlb));
        Iotlb back = new Iotlb();
        s.restore(List.of(back));
        assertEquals(1, back.hits());
        assertEquals(1, back.misses());
        List<Iotlb.Entry> a = tlb.entries(), b = back.entries();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).deviceId(), b.get(i).deviceId());
            assertEquals(a.get(i).inputPage(), b.get(i).inputPage());
            assertEquals(a.get(i).walk().outputPage(), b.get(i).walk().outputPage());
            assertEquals(a.get(i).walk().writable(), b.get(i).walk().writable());
            assertEquals(List.of(a.get(i).walk().values()[0]), List.of(b.get(i).walk().values()[0]));
        }
        s.restore(List.of(tlb));
        assertTrue(!remembered.valid(), "an entry a port remembered from before the restore is no longer used");
    }
}
