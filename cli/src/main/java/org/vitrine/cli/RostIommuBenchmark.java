package org.vitrine.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.vitrine.devices.board.VirtBoard;
import org.vitrine.devices.board.VirtBoard.Options.IommuChoice;
import org.vitrine.devices.iommu.Iotlb;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.spi.GuestLog;

/**
 * {@code vitrine bench --only iommu --iommu X}, with a guest: rost's disk-heavy syscall suite
 * ({@code rost.init=/BIN/SYSTEST}) behind the IOMMU, its domains translating every DMA (IOTLB hits
 * on the long-lived mappings, one lent window page and one {@code tlb_sync()} per disk request),
 * against {@code --iommu none}. Prints the guest cycles per {@code tlb_sync()} that rost measured
 * with the PMU cycle counter (its {@code [rost] stats: iommu} line), and the host time of each run
 * (the better of two, the machine being shared), with the ratio the IOMMU may cost: 115 %.
 */
final class RostIommuBenchmark {
    private static final Pattern STATS = Pattern.compile("\\[rost] stats: iommu (\\d+) tlb_sync, (\\d+) cycles each");
    private static final int RUNS = 2;

    private RostIommuBenchmark() { }

    private record Run(long nanos, String console, long hits, long misses) { }

    private static Run boot(IommuChoice choice) throws Exception {
        VirtBoard.Options o = VirtBoard.Options.defaults().withBootArgs("rost.init=/BIN/SYSTEST").withIommu(choice)
                .withDisk(DesktopDefaults.freshCopy(DesktopDefaults.builtDisk()), false).withGuestLog(GuestLog.Sink.NONE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (VirtBoard board = new VirtBoard(o, out::write)) {
            board.loadKernel(RunCommand.defaultKernel());
            long t0 = System.nanoTime();
            Cpu.Exit exit = board.run(60_000_000_000L);
            long t = System.nanoTime() - t0;
            String console = out.toString(StandardCharsets.UTF_8);
            if (exit.kind() != Cpu.ExitKind.POWER_OFF || !console.contains("systest done, 0 failed")) {
                throw new IllegalStateException("rost's suite failed behind " + choice.model() + ": " + exit + "\n" + console);
            }
            Iotlb iotlb = board.iommu() == null ? null : board.iommu().iotlb();
            return new Run(t, console, iotlb == null ? 0 : iotlb.hits(), iotlb == null ? 0 : iotlb.misses());
        }
    }

    static void run(IommuChoice choice, PrintStream out) throws Exception {
        if (choice.model() == IommuChoice.Model.NONE) return;
        Run none = null, behind = null;
        for (int i = 0; i < RUNS; i++) { // alternated, so that a burst of load hits both sides
            Run a = boot(new IommuChoice(IommuChoice.Model.NONE, -1, false)), b = boot(choice);
            if (none == null || a.nanos() < none.nanos()) none = a;
            if (behind == null || b.nanos() < behind.nanos()) behind = b;
        }
        String name = choice.model().name().toLowerCase();
        Matcher m = STATS.matcher(behind.console());
        if (m.find()) {
            out.printf("iommu %s: rost's tlb_sync(): %s guest cycles each (PMU cycle counter, %s calls in the disk-heavy suite)%n",
                    name, m.group(2), m.group(1));
        }
        double ratio = 100.0 * behind.nanos() / none.nanos();
        out.printf("iommu %s: rost's disk-heavy suite, host time %.2f s translated (IOTLB %d hits, %d misses) vs %.2f s with --iommu none: "
                + "%.0f %% (%s 115 %%)%n", name, behind.nanos() / 1e9, behind.hits(), behind.misses(), none.nanos() / 1e9, ratio,
                ratio <= 115 ? "within" : "above");
    }
}
