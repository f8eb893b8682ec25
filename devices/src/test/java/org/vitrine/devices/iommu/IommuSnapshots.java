package org.vitrine.devices.iommu;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import org.vitrine.emulator.snapshot.Snapshot;
import org.vitrine.emulator.snapshot.SnapshotFile;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.spi.DmaPort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshot checks shared by the three IOMMU models' tests: an IOMMU (with its clock) saved through
 * the file encoding and restored into a fresh rig — RAM copied, a new model built — and a
 * comparison of two machines section by section.
 */
final class IommuSnapshots {
    private IommuSnapshots() { }

    /** One machine: a rig and the IOMMU on it. */
    record Machine<T extends Iommu>(IommuRig rig, T iommu) {
        List<Snapshottable> parts() {
            return List.of(rig.clock, iommu);  // the clock first: the IOMMU reclaims its event from it
        }
    }

    /** Saves {@code original}'s clock and IOMMU, and restores them with its RAM into a fresh rig and model built by {@code build}. */
    static <T extends Iommu> Machine<T> restoreIntoFresh(Machine<T> original, Function<IommuRig, T> build) throws Exception {
        Snapshot s = SnapshotFile.decode(SnapshotFile.encode(Snapshot.take(Map.of(), original.parts())));
        IommuRig rig = new IommuRig();
        rig.ram.segment().copyFrom(original.rig().ram.segment());
        rig.allocatedLike(original.rig());
        T iommu = build.apply(rig);
        if (original.iommu().detector() != null) iommu.check(new StaleIotlbDetector(rig.ram, rig.log));
        Machine<T> fresh = new Machine<>(rig, iommu);
        s.restore(fresh.parts());
        return fresh;
    }

    /**
     * The state a driver that is mid-invalidation leaves, programmed by the model's test: {@code
     * device}'s {@code iova} maps to page {@code a} through the entry at {@code leaf}, cached by a
     * first DMA; the entry is then rewritten to {@code leafToB} (page {@code b}) without an
     * invalidation, a DMA uses the stale translation (the detector reports it), and
     * {@code invalidateAndWait} queues the invalidation and a wait, saved while the invalidation is
     * in flight. Restored into a fresh machine, both go on alike: the stale entry is still used
     * (and reported), the invalidation completes after the same virtual time, then the wait, and
     * the machines end identical.
     */
    static <T extends Iommu> void staleEntryAndCommandsInFlightSurviveARestore(Machine<T> original, Function<IommuRig, T> build, int device,
            long iova, long a, long b, long leaf, long leafToB, Runnable invalidateAndWait, ToLongFunction<T> waits, long latency) throws Exception {
        IommuRig rig = original.rig();
        original.iommu().check(new StaleIotlbDetector(rig.ram, rig.log));
        rig.w32(a, 0xA);
        rig.w32(b, 0xB);
        DmaPort port = original.iommu().port(device, "dev");
        assertEquals(0xA, port.read32(iova));
        rig.w64(leaf, leafToB);
        assertEquals(0xA, port.read32(iova), "no invalidation yet: the IOTLB keeps the old translation");
        assertEquals(1, original.iommu().detector().count());
        invalidateAndWait.run();
        rig.advance(latency / 2);
        assertTrue(rig.clock.nextDeadline() < Long.MAX_VALUE, "the invalidation is in flight");

        Machine<T> restored = restoreIntoFresh(original, build);
        assertSame(original, restored);
        for (Machine<T> m : List.of(original, restored)) {
            DmaPort p = m.iommu().port(device, "dev");
            assertEquals(0xA, p.read32(iova), "the stale entry came back");
            assertEquals(2, m.iommu().detector().count(), "and its use is reported");
            m.rig().advance(latency);
            assertEquals(0xB, p.read32(iova), "the invalidation completed");
            assertEquals(0, waits.applyAsLong(m.iommu()));
            m.rig().advance(latency);
            assertEquals(1, waits.applyAsLong(m.iommu()), "then the wait");
        }
        assertSame(original, restored);
    }

    /** Both machines hold the same state: every section byte for byte, and RAM. */
    static void assertSame(Machine<?> a, Machine<?> b) {
        List<Snapshot.Section> sa = Snapshot.take(Map.of(), a.parts()).sections(), sb = Snapshot.take(Map.of(), b.parts()).sections();
        assertEquals(sa.size(), sb.size());
        for (int i = 0; i < sa.size(); i++) assertArrayEquals(sa.get(i).body(), sb.get(i).body(), "section " + sa.get(i).name());
        assertEquals(-1, a.rig().ram.segment().mismatch(b.rig().ram.segment()), "RAM");
    }
}
