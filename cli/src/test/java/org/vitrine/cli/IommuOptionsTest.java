package org.vitrine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vitrine.devices.board.VirtBoard.Options.IommuChoice;

import picocli.CommandLine;

/** --iommu, --iommu-check and --iommu-latency as run, script and bench parse them. */
class IommuOptionsTest {
    static IommuChoice parse(String... args) {
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs(args);
        return run.iommu.choice();
    }

    @Test
    void defaultIsNoIommu() {
        assertEquals(IommuChoice.NONE, parse());
    }

    @Test
    void modelsCheckAndLatency() {
        assertEquals(new IommuChoice(IommuChoice.Model.SMMUV3, -1, false), parse("--iommu", "smmuv3"));
        assertEquals(new IommuChoice(IommuChoice.Model.VTD, 250, true), parse("--iommu", "VTD", "--iommu-check", "--iommu-latency", "250"));
        assertEquals(IommuChoice.Model.AMDVI, parse("--iommu=amdvi").model());
    }

    @Test
    void badValuesAreClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--iommu", "intel"));
        assertTrue(e.getMessage().contains("none, smmuv3, vtd or amdvi"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse("--iommu-check"));
        assertTrue(e.getMessage().contains("needs an IOMMU"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse("--iommu", "vtd", "--iommu-latency", "-5"));
        assertTrue(e.getMessage().contains("--iommu-latency"), e.getMessage());
    }

    @Test
    void scriptAndBenchTakeTheSameOptions() {
        ScriptCommand script = new ScriptCommand();
        new CommandLine(script).parseArgs("--iommu", "amdvi", "x.vts");
        assertEquals(IommuChoice.Model.AMDVI, script.iommu.choice().model());
        BenchCommand bench = new BenchCommand();
        new CommandLine(bench).parseArgs("--iommu", "smmuv3");
        assertEquals(IommuChoice.Model.SMMUV3, bench.iommu.choice().model());
    }
}
