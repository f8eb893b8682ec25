package org.vitrine.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vitrine bench}: guest MIPS of a CPU-bound loop on Vitrine and on QEMU, measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure guest MIPS of a CPU-bound loop on Vitrine and on qemu-system-aarch64, and their ratio.")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--iterations", defaultValue = "200000000", description = "Loop iterations (4 instructions each; default ${DEFAULT-VALUE}).")
    long iterations;

    @Option(names = "--qemu", defaultValue = "qemu-system-aarch64", description = "QEMU binary (default ${DEFAULT-VALUE}).")
    String qemu;

    @Override
    public Integer call() throws Exception {
        return Benchmark.run(iterations, qemu, System.out);
    }
}
