package org.vitrine.cli;

import java.util.concurrent.Callable;

import org.vitrine.cli.log.GuestLogSession;
import org.vitrine.cli.log.LogOptions;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vitrine bench}: guest MIPS of a CPU-bound loop on Vitrine and on QEMU, measured in the same
 * run, then the disassembler's decode speed, the scenario text search's cost and (with --iommu) the
 * IOMMU's, then rost's desktop ({@link DesktopBenchmark}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure guest MIPS of a CPU-bound loop on Vitrine and on qemu-system-aarch64, and their ratio;",
                "then the disassembler's (Capstone's) decode speed, the cost of one scenario text search on a 1024x768 screen,",
                "and with --iommu, the host cost of IOMMU translation;",
                "then rost's desktop: boot to the ready desktop (Vitrine and QEMU), keystroke-to-pixels latency in Terminal,",
                "frames composited per virtual second under pointer motion, virtual/wall ratio of an interactive session,",
                "host CPU of an idle desktop."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--iterations", defaultValue = "200000000", description = "Loop iterations (4 instructions each; default ${DEFAULT-VALUE}).")
    long iterations;

    @Option(names = "--qemu", defaultValue = "qemu-system-aarch64", description = "QEMU binary (default ${DEFAULT-VALUE}).")
    String qemu;

    /** Which figures to measure. */
    public enum Suite { all, cpu, desktop }

    @Option(names = "--only", paramLabel = "SUITE", defaultValue = "all",
            description = "Measure only these figures: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    Suite only;

    @CommandLine.Mixin
    LogOptions log;

    @CommandLine.Mixin
    IommuOptions iommu;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (GuestLogSession logs = log.open(System.err)) {
            int status = 0;
            if (only != Suite.desktop) {
                status = Benchmark.run(iterations, qemu, System.out, logs);
                logs.summarize(System.err);   // the benchmark guest makes none: a line here means it went wrong
                DecodeBenchmark.run(System.out);
                IommuBenchmark.run(iommu.applyTo(org.vitrine.devices.board.VirtBoard.Options.defaults(), spec).iommu(), System.out);
                org.vitrine.cli.script.TextSearchBenchmark.run(System.out);
            }
            if (only != Suite.cpu) DesktopBenchmark.run(qemu, System.out, logs);
            return status;
        }
    }
}
