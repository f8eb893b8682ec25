package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.devices.board.VirtBoard.Options.IommuChoice;
import org.vitrine.devices.iommu.AmdViIommu;
import org.vitrine.devices.iommu.Iommu;
import org.vitrine.devices.iommu.Smmuv3;
import org.vitrine.devices.iommu.StaleIotlbDetector;
import org.vitrine.devices.iommu.VtdIommu;
import org.vitrine.emulator.cpu.Cpu;

/**
 * rost's IOMMU domains (kernel-image/kernel/src/iommu) behind each IOMMU: rost finds the IOMMU in
 * the device tree, gives each virtio device a domain with its own tables and IOVAs, lends each
 * disk request's buffer through a reused IOVA window and calls tlb_sync() after unmapping it. The
 * disk-heavy syscall suite must pass with the same console as without an IOMMU (but for rost's
 * "[iommu]" line and statistics), the IOMMU must really translate (IOTLB misses and hits, one
 * completed sync per tlb_sync(), every unmapped window page invalidated), and the stale-IOTLB
 * detector must stay quiet. With {@code rost.iommu.nosync} the detector must report the stale DMA
 * (at the window, from the kernel's unmapping store) and the machine must still power off normally.
 */
class IommuBootTest {
    static final String ARGS = "rost.init=/BIN/SYSTEST";
    static final Pattern STATS = Pattern.compile("\\[rost] stats: iommu (\\d+) tlb_sync, (\\d+) cycles each");
    /** Where rost's domains lend request buffers (domain.rs WINDOW) and the kernel image. */
    static final long WINDOW = 1L << 36, KERNEL_START = 0x4010_0000L, KERNEL_END = 0x4020_0000L;
    @TempDir
    static Path dir;
    static Guest.Run reference;

    @BeforeAll
    static void withoutIommu() throws Exception {
        reference = Guest.vitrine(Guest.kernel(), VirtBoard.Options.defaults().withDisk(Guest.disk(dir), false).withBootArgs(ARGS), 60_000_000_000L);
        assertEquals(Cpu.ExitKind.POWER_OFF, reference.exit().kind(), reference.console());
    }

    record Behind(String console, Cpu.Exit exit, Iommu iommu, long syncs, long cycles) { }

    static Behind run(IommuChoice.Model model, String args) throws Exception {
        VirtBoard.Options o = VirtBoard.Options.defaults().withDisk(Guest.disk(dir), false).withBootArgs(args)
                .withIommu(new IommuChoice(model, -1, true)).withGuestLog(org.vitrine.emulator.spi.GuestLog.Sink.NONE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (VirtBoard board = new VirtBoard(o, out::write)) {
            board.loadKernel(Guest.kernel());
            Cpu.Exit exit = board.run(60_000_000_000L);
            Iommu iommu = board.iommu();
            long syncs = switch (iommu) {
                case Smmuv3 s -> s.syncsCompleted();
                case VtdIommu v -> v.waitsCompleted();
                case AmdViIommu a -> a.waitsCompleted();
                default -> throw new AssertionError(iommu);
            };
            return new Behind(out.toString(StandardCharsets.UTF_8), exit, iommu, syncs, board.machine().clock().now());
        }
    }

    static String iommuLine(IommuChoice.Model model) {
        return switch (model) {
            case SMMUV3 -> "[iommu] smmuv3 at 0x9050000, 32 virtio slots behind it";
            case VTD -> "[iommu] vtd at 0xa100000, 32 virtio slots behind it";
            case AMDVI -> "[iommu] amdvi at 0xa110000, 32 virtio slots behind it";
            case NONE -> throw new AssertionError();
        };
    }

    static List<String> withoutFuzzHash(List<String> lines) {
        return lines.stream().map(l -> l.replaceAll("results hash 0x[0-9a-f]+", "results hash")).toList();
    }

    @ParameterizedTest
    @EnumSource(value = IommuChoice.Model.class, names = {"SMMUV3", "VTD", "AMDVI"})
    void rostRunsItsSuiteWithTheIommuTranslating(IommuChoice.Model model) throws Exception {
        Behind b = run(model, ARGS);
        String log = b.console();
        assertEquals(Cpu.ExitKind.POWER_OFF, b.exit().kind(), log);
        assertEquals(0, b.exit().status(), log);
        assertTrue(log.contains("task 2: systest done, 0 failed"), log);
        List<String> lines = Guest.comparable(log);
        assertEquals(iommuLine(model), lines.get(2), log);
        // The fuzzer's hash covers results of mem_info (the IOMMU's tables take frames) and uptime
        // (tlb_sync() takes time): the one line that may differ.
        assertEquals(withoutFuzzHash(Guest.comparable(reference.console())), withoutFuzzHash(lines.stream().filter(l -> !l.startsWith("[iommu]")).toList()));

        Matcher m = STATS.matcher(log);
        assertTrue(m.find(), log);
        long tlbSyncs = Long.parseLong(m.group(1)), cycles = Long.parseLong(m.group(2));
        var iotlb = b.iommu().iotlb();
        System.out.printf("rost behind %s: %d tlb_sync, %d guest cycles each (command latency %d cycles); IOTLB %d misses, %d hits, "
                + "%d entries invalidated; %d cycles vs %d without IOMMU%n", model, tlbSyncs, cycles, b.iommu().commandLatencyCycles(),
                iotlb.misses(), iotlb.hits(), iotlb.invalidatedEntries(), b.cycles(), reference.cycles());
        // Translation is on: walks, then hits on the cached long-lived mappings; every lent page
        // dropped by its tlb_sync(); no fault and no stale translation.
        assertTrue(tlbSyncs > 1000, "disk requests each end with a tlb_sync(): " + tlbSyncs);
        assertTrue(iotlb.misses() >= tlbSyncs && iotlb.hits() > iotlb.misses(), iotlb.misses() + " misses, " + iotlb.hits() + " hits");
        assertTrue(iotlb.invalidatedEntries() >= tlbSyncs, "invalidated " + iotlb.invalidatedEntries());
        assertEquals(0, b.iommu().faults());
        assertEquals(0, b.iommu().detector().count(), () -> b.iommu().detector().reports().toString());
        // One completion command per tlb_sync(), plus the set-up's (init and one per device).
        assertTrue(b.syncs() > tlbSyncs && b.syncs() < tlbSyncs + 10, b.syncs() + " completions");
        // A tlb_sync() queues an invalidation and its completion command; it cannot return before both ran.
        long latency = b.iommu().commandLatencyCycles();
        assertTrue(cycles >= 2 * latency && cycles < 4 * latency, cycles + " cycles per tlb_sync");
    }

    @ParameterizedTest
    @EnumSource(value = IommuChoice.Model.class, names = {"SMMUV3", "VTD", "AMDVI"})
    void withoutTlbSyncTheDetectorCatchesTheStaleDmaAndTheGuestSurvives(IommuChoice.Model model) throws Exception {
        Behind b = run(model, ARGS + " rost.iommu.nosync");
        String log = b.console();
        assertTrue(log.contains(iommuLine(model) + ", nosync"), log);
        assertEquals(Cpu.ExitKind.POWER_OFF, b.exit().kind(), log);
        assertFalse(log.contains("PANIC"), log);
        assertTrue(log.contains("[rost] all tasks exited, powering off"), log);
        StaleIotlbDetector det = b.iommu().detector();
        assertTrue(det.count() > 0, log);
        for (StaleIotlbDetector.Report r : det.reports()) {
            assertEquals("virtio-blk", r.device(), r.toString());
            assertTrue(r.iova() >= WINDOW && r.iova() < WINDOW + 16 * 4096, r.toString());
            assertTrue(r.writerPc() >= KERNEL_START && r.writerPc() < KERNEL_END, "the kernel's unmap store: " + r);
        }
        System.out.printf("%s nosync: %d stale DMAs reported, first: %s%n", model, det.count(), det.reports().get(0));
    }

    @ParameterizedTest
    @EnumSource(value = IommuChoice.Model.class, names = {"SMMUV3", "VTD", "AMDVI"})
    void deviceTreeDescribesTheIommuAndEachTransportsId(IommuChoice.Model model) throws Exception {
        try (VirtBoard board = new VirtBoard(VirtBoard.Options.defaults().withIommu(new IommuChoice(model, -1, false)), b -> { })) {
            String dtb = new String(board.deviceTree(), StandardCharsets.ISO_8859_1);
            String compatible = switch (model) {
                case SMMUV3 -> "arm,smmu-v3";
                case VTD -> "vitrine,vtd";
                case AMDVI -> "vitrine,amd-vi";
                case NONE -> throw new AssertionError();
            };
            assertTrue(dtb.contains(compatible), compatible);
            assertTrue(dtb.contains("#iommu-cells"));
            assertTrue(dtb.contains("iommus"));
            assertTrue(board.iommu() != null);
        }
        try (VirtBoard board = new VirtBoard(VirtBoard.Options.defaults(), b -> { })) {
            String dtb = new String(board.deviceTree(), StandardCharsets.ISO_8859_1);
            assertTrue(!dtb.contains("iommus") && board.iommu() == null, "no IOMMU unless asked for");
        }
    }
}
