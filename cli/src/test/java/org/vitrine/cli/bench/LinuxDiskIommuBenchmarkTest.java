package org.vitrine.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The pure parts of the iommu-linux figure: the script, the console's markers, the medians. */
class LinuxDiskIommuBenchmarkTest {
    @Test
    void scriptReadsTheDiskDirectlyBetweenMarkersAndPowersOff() {
        String init = LinuxDiskIommuBenchmark.init(3);
        assertTrue(init.contains("$B seq 3"), init);
        assertTrue(init.contains("iflag=direct"), init);
        assertTrue(init.indexOf("READ-BEGIN") < init.indexOf("dd ") && init.indexOf("dd ") < init.indexOf("READ-END"), init);
        assertTrue(init.strip().endsWith("poweroff -f"), init);
    }

    @Test
    void markersAreWholeLinesAndAnEndNeedsABegin() {
        LinuxDiskIommuBenchmark.MarkerClock m = new LinuxDiskIommuBenchmark.MarkerClock();
        long[] virtual = {0};
        m.virtualNanos = () -> virtual[0];
        feed(m, "READ-END\r\n");             // no begin yet: ignored
        virtual[0] = 100;
        feed(m, "boot READ-BEGIN\nREAD-BEGIN\r\n");
        virtual[0] = 350;
        feed(m, "1+0 records in\nREAD-END\n");
        assertEquals(1, m.begins.size());
        assertEquals(1, m.ends.size());
        assertEquals(250, m.ends.get(0)[1] - m.begins.get(0)[1]);
        assertTrue(m.console().contains("records in"));
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(5.0, LinuxDiskIommuBenchmark.Passes.median(new long[] {9, 1, 5}));
        assertEquals(4.0, LinuxDiskIommuBenchmark.Passes.median(new long[] {2, 6, 1, 9}));
    }

    private static void feed(LinuxDiskIommuBenchmark.MarkerClock m, String s) {
        for (char c : s.toCharArray()) m.accept(c);
    }
}
