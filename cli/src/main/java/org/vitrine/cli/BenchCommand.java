package org.vitrine.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.vitrine.cli.bench.BenchEnv;
import org.vitrine.cli.bench.BenchSuite;
import org.vitrine.cli.bench.Workload;
import org.vitrine.cli.log.GuestLogSession;
import org.vitrine.cli.log.LogOptions;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vitrine bench}: the benchmark suite ({@link BenchSuite}), every workload on Vitrine and on
 * QEMU in the same run with medians, spread and ratio; then the disassembler's decode speed.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Run the benchmark suite on Vitrine and on qemu-system-aarch64 and print each workload's median,",
                "spread and the ratio of Vitrine's speed to QEMU's; then the disassembler's (Capstone's) decode speed."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--repeat", defaultValue = "3", description = "Runs per side and workload (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--quick", description = "Tiny sizes and one run each: checks the suite works, measures nothing useful.")
    boolean quick;

    @Option(names = "--only", split = ",", paramLabel = "NAME", description = "Only these workloads (comma-separated).")
    List<String> only;

    @Option(names = "--json", description = "Print the results as JSON instead of the table (no decode benchmark).")
    boolean json;

    @Option(names = "--qemu", defaultValue = "qemu-system-aarch64", description = "QEMU binary (default ${DEFAULT-VALUE}).")
    String qemu;

    @CommandLine.Mixin
    LogOptions log;

    @Override
    public Integer call() throws Exception {
        List<Workload> workloads = BenchSuite.standard();
        if (only != null) {
            List<String> names = workloads.stream().map(Workload::name).toList();
            for (String n : only) {
                if (!names.contains(n)) {
                    System.err.println("vitrine bench: no workload " + n + " (there are " + String.join(", ", names) + ")");
                    return ExitCodes.USAGE;
                }
            }
            workloads = workloads.stream().filter(w -> only.contains(w.name())).toList();
        }
        if (repeats < 1) {
            System.err.println("vitrine bench: --repeat must be at least 1");
            return ExitCodes.USAGE;
        }
        int n = quick ? 1 : repeats;
        Path root = Path.of(System.getProperty("vitrine.root", "."));
        try (GuestLogSession logs = log.open(System.err)) {
            BenchEnv env = new BenchEnv(qemu, quick, root, logs);
            List<BenchSuite.Result> results = BenchSuite.run(workloads, env, n, json ? null : System.out);
            logs.summarize(System.err);   // the benchmark guests make none: a line here means one went wrong
            if (json) {
                System.out.println(BenchSuite.json(results, n));
            } else {
                DecodeBenchmark.run(System.out);
            }
            return 0;
        }
    }
}
