package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.devices.board.VirtBoard.Options.IommuChoice;
import org.vitrine.emulator.cpu.Cpu;

/**
 * rost has no IOMMU driver yet: with each IOMMU in front of its devices it must run exactly as
 * without one (the IOMMU stays in its reset state, where DMA passes through untranslated), its
 * disk-heavy syscall suite included, and the device tree must describe the IOMMU and each
 * transport's ID.
 */
class IommuBootTest {
    static final String ARGS = "rost.init=/BIN/SYSTEST";
    @TempDir
    static Path dir;
    static Guest.Run reference;

    @BeforeAll
    static void withoutIommu() throws Exception {
        reference = Guest.vitrine(Guest.kernel(), VirtBoard.Options.defaults().withDisk(Guest.disk(dir), false).withBootArgs(ARGS), 60_000_000_000L);
        assertEquals(Cpu.ExitKind.POWER_OFF, reference.exit().kind(), reference.console());
    }

    static Guest.Run behind(IommuChoice choice) throws Exception {
        VirtBoard.Options o = VirtBoard.Options.defaults().withDisk(Guest.disk(dir), false).withBootArgs(ARGS).withIommu(choice);
        Guest.Run run = Guest.vitrine(Guest.kernel(), o, 60_000_000_000L);
        String log = run.console();
        assertEquals(Cpu.ExitKind.POWER_OFF, run.exit().kind(), log);
        assertEquals(0, run.exit().status(), log);
        assertTrue(log.contains("task 2: systest done, 0 failed"), log);
        assertEquals(Guest.comparable(reference.console()), Guest.comparable(log));
        return run;
    }

    @ParameterizedTest
    @EnumSource(value = IommuChoice.Model.class, names = {"SMMUV3", "VTD", "AMDVI"})
    void rostRunsItsSuiteUnchangedBehindTheIommu(IommuChoice.Model model) throws Exception {
        Guest.Run run = behind(new IommuChoice(model, -1, false));
        // Bypass costs no virtual time; only rost's parse of the larger device tree (the IOMMU node,
        // 32 iommus properties) does: measured about 1,300 cycles of 300 million.
        long extra = run.cycles() - reference.cycles();
        assertTrue(extra >= 0 && extra < 10_000, "cycles " + run.cycles() + " vs " + reference.cycles());
    }

    /** With the detector on (its memory-write hook installed), nothing is reported: nothing is translated. */
    @org.junit.jupiter.api.Test
    void detectorStaysQuietWhenNothingIsTranslated() throws Exception {
        VirtBoard.Options o = VirtBoard.Options.defaults().withDisk(Guest.disk(dir), false).withBootArgs(ARGS)
                .withIommu(new IommuChoice(IommuChoice.Model.SMMUV3, -1, true));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (VirtBoard board = new VirtBoard(o, out::write)) {
            board.loadKernel(Guest.kernel());
            Cpu.Exit exit = board.run(60_000_000_000L);
            String log = out.toString(StandardCharsets.UTF_8);
            assertEquals(Cpu.ExitKind.POWER_OFF, exit.kind(), log);
            assertEquals(Guest.comparable(reference.console()), Guest.comparable(log));
            assertEquals(0, board.iommu().detector().count());
            assertEquals(0, board.iommu().faults());
        }
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
