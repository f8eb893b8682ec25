package org.vitrine.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vitrine.devices.board.VirtBoard.Options.IommuChoice;

/** The IOMMU benchmark programs each model so every DMA translates (a fault would throw) and prints both figures. */
class IommuBenchmarkTest {
    @ParameterizedTest
    @EnumSource(value = IommuChoice.Model.class, names = {"SMMUV3", "VTD", "AMDVI"})
    void printsThroughputAndInvalidationTime(IommuChoice.Model model) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        IommuBenchmark.run(new IommuChoice(model, 250, false), new PrintStream(b, true, StandardCharsets.UTF_8));
        String out = b.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        Matcher m = Pattern.compile("identity (\\d+) MB/s, through the IOTLB (\\d+) MB/s").matcher(out);
        assertTrue(m.find(), out);
        assertTrue(Long.parseLong(m.group(2)) > 0, out);
        assertTrue(out.contains("completes after 500 cycles (model latency 250 cycles per command)"), out);
    }
}
