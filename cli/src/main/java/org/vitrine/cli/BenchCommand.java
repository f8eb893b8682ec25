package org.vitrine.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.vitrine.cli.bench.BenchEnv;
import org.vitrine.cli.bench.BenchSuite;
import org.vitrine.cli.bench.LinuxDiskIommuBenchmark;
import org.vitrine.cli.bench.Workload;
import org.vitrine.cli.log.GuestLogSession;
import org.vitrine.cli.log.LogOptions;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vitrine bench}: the benchmark suite ({@link BenchSuite}), every workload on Vitrine and on
 * QEMU in the same run with medians, spread and ratio; then the host-side figures: the
 * disassembler's decode speed, the scenario text search's cost, the IOMMU's translation cost (on
 * its own, with rost's suite behind it: {@link RostIommuBenchmark}, and under Debian's Linux reading
 * a disk: {@link LinuxDiskIommuBenchmark}), rost's desktop ({@link DesktopBenchmark}), the scenario
 * suite, and the a53 timing model's host speed against the fixed model's ({@code timing}).
 * {@code --timing} chooses the model of the suite's Vitrine side (default: fixed, whose cycles are
 * QEMU's icount instructions; the other commands default to a53).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Run the benchmark suite on Vitrine and on qemu-system-aarch64 and print each workload's median,",
                "spread and the ratio of Vitrine's speed to QEMU's; then the disassembler's (Capstone's) decode speed",
                "(decode), the cost of one scenario text search on a 1024x768 screen (text-search), the host cost of IOMMU",
                "translation (iommu, for the --iommu model; iommu-linux: Debian's Linux reading a disk with and without",
                "the SMMUv3), and rost's desktop (desktop: boot to the ready desktop on",
                "Vitrine and QEMU, keystroke-to-pixels latency in Terminal, frames composited per virtual second under",
                "pointer motion, virtual/wall ratio of an interactive session, host CPU of an idle desktop), the scenario",
                "suite (scenarios: tests/scenarios played with --jobs 1 and --jobs 2, wall time and virtual seconds per wall second),",
                "and the a53 timing model's speed against the fixed model's on the suite's workloads (timing)."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--repeat", defaultValue = "3", description = "Runs per side and workload (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--quick", description = "Tiny sizes and one run each: checks the suite works, measures nothing useful.")
    boolean quick;

    @Option(names = "--only", split = ",", paramLabel = "NAME",
            description = {"Only these workloads or figures (comma-separated): the suite's, decode, text-search, iommu, iommu-linux, desktop, scenarios, timing.",
                    "With timing, the workloads named are the ones timing measures (default: all) and the suite itself does not run."})
    List<String> only;

    @Option(names = "--staircase", paramLabel = "FILE.png", defaultValue = "timing-staircase.png",
            description = "Where the timing figure draws the a53 model's load-latency staircase (default ${DEFAULT-VALUE}).")
    Path staircase;

    @Option(names = "--json", description = "Print the suite's results as JSON instead of the table (no host-side figures).")
    boolean json;

    @Option(names = "--qemu", defaultValue = "qemu-system-aarch64", description = "QEMU binary (default ${DEFAULT-VALUE}).")
    String qemu;

    @Option(names = "--qemu-icount", description = "Run QEMU's side with -icount shift=0,sleep=off: QEMU's deterministic mode"
            + " (one instruction a nanosecond, what Vitrine's fixed model guarantees) instead of as users run it.")
    boolean qemuIcount;

    @CommandLine.Mixin
    LogOptions log;

    @CommandLine.Mixin
    IommuOptions iommu;

    @CommandLine.Mixin
    TimingOptions timing;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** A figure measured on the host side after the suite, by name. */
    private interface Figure {
        void run(GuestLogSession logs) throws Exception;
    }

    private org.vitrine.emulator.time.TimingModel.Pipeline timingPipeline() {
        try {
            return timing.pipelineOr(org.vitrine.emulator.time.TimingModel.Pipeline.FIXED);  // the suite compares with QEMU's icount
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        Path root = Path.of(System.getProperty("vitrine.root", "."));
        Map<String, Figure> figures = new LinkedHashMap<>();
        figures.put("decode", logs -> DecodeBenchmark.run(System.out));
        figures.put("text-search", logs -> org.vitrine.cli.script.TextSearchBenchmark.run(System.out));
        figures.put("iommu", logs -> {
            var choice = iommu.applyTo(org.vitrine.devices.board.VirtBoard.Options.defaults(), spec).iommu();
            IommuBenchmark.run(choice, System.out);
            RostIommuBenchmark.run(choice, System.out);
        });
        figures.put("iommu-linux", logs -> LinuxDiskIommuBenchmark.run(new BenchEnv(qemu, quick, root, logs), System.out));
        figures.put("desktop", logs -> DesktopBenchmark.run(qemu, System.out, logs));
        figures.put("scenarios", logs -> ScenarioSuiteBenchmark.run(root, System.out));
        List<Workload> all = BenchSuite.standard();
        List<Workload> timed = only == null ? all : all.stream().filter(w -> only.contains(w.name())).toList();
        List<Workload> workloads = all;
        figures.put("timing", logs -> {
            org.vitrine.cli.bench.TimingSpeed.run(timed.isEmpty() ? all : timed, new BenchEnv(qemu, quick, root, logs), quick ? 1 : repeats,
                    System.out);
            org.vitrine.cli.bench.Staircase.run(root, staircase, System.out);
        });
        if (only != null) {
            List<String> names = new ArrayList<>(workloads.stream().map(Workload::name).toList());
            names.addAll(figures.keySet());
            for (String n : only) {
                if (!names.contains(n)) {
                    System.err.println("vitrine bench: no workload " + n + " (there are " + String.join(", ", names) + ")");
                    return ExitCodes.USAGE;
                }
            }
            workloads = only.contains("timing") ? List.of() : timed;
        }
        if (repeats < 1) {
            System.err.println("vitrine bench: --repeat must be at least 1");
            return ExitCodes.USAGE;
        }
        int n = quick ? 1 : repeats;
        try (GuestLogSession logs = log.open(System.err)) {
            BenchEnv env = new BenchEnv(qemu, quick, root, logs, timingPipeline());
            if (qemuIcount) env = env.withQemuIcount();
            if (!workloads.isEmpty()) {
                List<BenchSuite.Result> results = BenchSuite.run(workloads, env, n, json ? null : System.out);
                logs.summarize(System.err);   // the benchmark guests make none: a line here means one went wrong
                if (json) {
                    System.out.println(BenchSuite.json(results, n, env.qemuIcount()));
                    return 0;
                }
            }
            if (json) return 0;
            for (Map.Entry<String, Figure> f : figures.entrySet()) {
                if (only == null || only.contains(f.getKey())) f.getValue().run(logs);
            }
            return 0;
        }
    }
}
