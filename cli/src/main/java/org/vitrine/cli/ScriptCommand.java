package org.vitrine.cli;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.vitrine.cli.log.GuestLogSession;
import org.vitrine.cli.log.LogOptions;
import org.vitrine.cli.script.ApngWriter;
import org.vitrine.cli.script.GuestFont;
import org.vitrine.cli.script.ScenarioParser;
import org.vitrine.cli.script.Scenario;
import org.vitrine.cli.script.ScenarioResult;
import org.vitrine.cli.script.ScenarioRunner;
import org.vitrine.cli.script.Shards;
import org.vitrine.cli.script.TextFinder;
import org.vitrine.cli.script.reports.JunitReport;
import org.vitrine.cli.script.reports.ResultJson;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.snapshot.Snapshot;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vitrine script FILE...}: boot-and-click scenarios, headless and as fast as the machine
 * runs, one machine per scenario (several at once with {@code --jobs}), with JUnit XML, a result
 * JSON and screenshots for CI. Scripts are parsed (and their {@code boot} lines checked) before any
 * machine starts; the language is {@link ScenarioParser}'s. With neither {@code --kernel} nor
 * {@code --append} (on the command line or a boot line) a scenario boots rost's desktop on a fresh
 * copy of the built disk unless {@code --disk} is given ({@link DesktopDefaults}).
 */
@Command(name = "script", mixinStandardHelpOptions = true, usageHelpWidth = 110,
        description = {"Boot the machine headless with a display, keyboard and tablet, and play scenarios.",
                "Exit status: 0 every step passed, 1 a step failed (the message says which, expected and found),",
                "2 a script is malformed (file:line:col: message, before any machine starts)."})
public final class ScriptCommand implements Callable<Integer> {
    /**
     * Ends this command's help with the scenario grammar ({@link ScenarioParser#HELP}). Picocli
     * reads {@code ${...}} in help text as its own variables (an unknown one printed "set NAME
     * value (then null)") and formats the text with {@code String.format}: {@code $$} and
     * {@code %%} keep the script's {@code ${NAME}} and any percent sign as written.
     */
    static void addGrammar(CommandLine script) {
        script.getCommandSpec().usageMessage().footer("", ScenarioParser.HELP.replace("%", "%%").replace("${", "$${"));
    }

    @Parameters(paramLabel = "SCRIPT", arity = "1..*", description = "Scenario files (.vts).")
    List<Path> scripts;

    @Option(names = "--restore", paramLabel = "FILE",
            description = {"Start every scenario from this snapshot (vitrine run --save-snapshot) instead of booting: each on a fresh copy "
                    + "of the snapshot's disk (or of --disk), brought back to its contents at save time. Machine options and boot lines "
                    + "do not go with it: the snapshot describes its machine."})
    Path restore;

    @Option(names = "--kernel", paramLabel = "FILE", description = "Kernel ELF (default: the built rost image).")
    Path kernel;

    @Option(names = "--disk", paramLabel = "FILE", description = "Raw disk image attached as virtio-blk "
            + "(default for rost's desktop: a fresh copy of the built image, guest-apps/build/disk.img).")
    Path disk;

    @Option(names = "--disk-readonly", description = "Attach the disk read-only.")
    boolean diskReadOnly;

    @Option(names = "--display", paramLabel = "WxH", defaultValue = "1024x768", description = "Display size (default ${DEFAULT-VALUE}).")
    String display;

    @Option(names = "--append", paramLabel = "ARGS", description = "Kernel command line (/chosen/bootargs; default with the built kernel: "
            + DesktopDefaults.BOOT_ARGS + ", rost's desktop).")
    String bootArgs;

    @Option(names = "--junit", paramLabel = "FILE.xml", description = "Write a JUnit XML report: one testcase per section.")
    Path junit;

    @Option(names = "--artifacts", paramLabel = "DIR",
            description = "Write screenshots, failure screenshots, needle differences, the console log and result.json here.")
    Path artifacts;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "1", description = "Scenarios played at once, one machine each (default 1).")
    int jobs;

    @Option(names = "--shard", paramLabel = "I/N", description = "Play only share I of N of the scenarios (1 <= I <= N), as CI matrices split a suite.")
    String shard;

    @Option(names = "--record-video", paramLabel = "FILE.png",
            description = "Record each scenario as an animated PNG on virtual time (with several scenarios: FILE-NAME.png).")
    Path recordVideo;

    @Option(names = "--video-fps", paramLabel = "N", defaultValue = "25", description = "Frames per virtual second of --record-video (default ${DEFAULT-VALUE}).")
    int videoFps;

    @Option(names = "--profile", paramLabel = "DIR",
            description = "Profile each scenario's guest (as run --profile): profile.txt, stacks.folded and flamegraph.svg in DIR "
                    + "(in DIR/<scenario> when several scenarios play).")
    Path profile;

    @Option(names = "--profile-interval", paramLabel = "TIME", converter = Durations.class, defaultValue = "10us",
            description = "With --profile: virtual time between two stack samples (default ${DEFAULT-VALUE}).")
    long profileIntervalNanos;

    @Option(names = "--window", description = "Show the scenario in a desktop window as it plays (one scenario; your input does not reach the guest).")
    boolean window;

    @Option(names = "--pause-on-failure", description = "With --window (implied): when a step fails, keep the window open at that screen until you close it.")
    boolean pauseOnFailure;

    @CommandLine.Mixin
    LogOptions log;

    @CommandLine.Mixin
    IommuOptions iommu;

    @CommandLine.Mixin
    TimingOptions timing;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** What the last {@link #call} played (for {@link ScenarioSuiteBenchmark}). */
    List<ScenarioResult> lastResults = List.of();

    /** A scenario ready to play: its script, the machine options from the command line and its boot line. */
    private record Job(Path script, Scenario scenario, VirtBoard.Options options, Path image, Snapshot start) { }

    @Override
    public Integer call() throws IOException {
        if (jobs < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--jobs must be 1 or more");
        if (videoFps < 1 || videoFps > 100) throw new CommandLine.ParameterException(spec.commandLine(), "--video-fps must be 1 to 100");
        List<Path> chosen;
        try {
            chosen = shard == null ? scripts : Shards.pick(scripts, shard);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--shard: " + e.getMessage());
        }
        if (disk != null && !diskReadOnly && jobs > 1 && chosen.size() > 1) {
            // used in place, one disk would be written by several machines at once: no run could replay that
            throw new CommandLine.ParameterException(spec.commandLine(), "--disk is used in place: with --jobs " + jobs
                    + " several machines would write it at once (name each scenario's disk on its boot line, or add --disk-readonly)");
        }
        List<Job> plan = new ArrayList<>();
        boolean malformed = false;
        for (Path script : chosen) {
            if (!Files.isRegularFile(script)) {
                System.err.println("vitrine: script " + script + " not found");
                return ExitCodes.USAGE;
            }
            try {
                Scenario scenario = ScenarioParser.parse(script);
                plan.add(new Job(script, scenario, null, null, null));
            } catch (ScenarioParser.ParseException e) {
                System.err.println(e.getMessage());
                malformed = true;
            }
        }
        if (malformed) return ExitCodes.USAGE;
        for (Path out : new Path[] {junit == null ? null : junit.toAbsolutePath().getParent(), artifacts, recordVideo == null ? null : recordVideo.toAbsolutePath().getParent()}) {
            if (out != null && !writableDirectory(out)) {
                System.err.println("vitrine: cannot write into " + out);
                return ExitCodes.USAGE;
            }
        }
        Snapshot start = null;
        if (restore != null) {
            try {
                start = SnapshotRun.read(restore);
                for (int i = 0; i < plan.size(); i++) {
                    Job j = plan.get(i);
                    if (!j.scenario().boot().isEmpty()) {
                        System.err.println(j.scenario().bootAt() + ": boot: a scenario started from a snapshot (--restore) boots nothing");
                        return ExitCodes.USAGE;
                    }
                    plan.set(i, new Job(j.script(), j.scenario(), asGiven(SnapshotRun.startingFrom(start, disk)), null, start));
                }
            } catch (org.vitrine.emulator.snapshot.SnapshotException | IOException e) {
                System.err.println("vitrine: " + e.getMessage());
                return ExitCodes.BAD_IMAGE;
            } catch (IllegalArgumentException e) {
                System.err.println("vitrine: snapshot " + restore + " does not match this machine: " + e.getMessage());
                return ExitCodes.BAD_IMAGE;
            }
        }
        for (int i = 0; start == null && i < plan.size(); i++) {
            Job j = plan.get(i);
            ScriptCommand machine = withBootLine(j.scenario(), j.script());
            if (machine == null) return ExitCodes.USAGE;
            Path image = machine.kernel != null ? machine.kernel : RunCommand.defaultKernel();
            if (!Files.isRegularFile(image)) {
                System.err.println("vitrine: kernel image " + image + " not found");
                return ExitCodes.BAD_IMAGE;
            }
            if (machine.kernel == null && (machine.bootArgs == null || machine.bootArgs.equals(DesktopDefaults.BOOT_ARGS))) {
                // rost's desktop, each scenario on its own fresh copy of the built disk: deterministic.
                if (machine == this) machine = copyOfMachineOptions();
                machine.bootArgs = DesktopDefaults.BOOT_ARGS;
                try {
                    if (machine.disk == null) machine.disk = DesktopDefaults.freshCopy(DesktopDefaults.builtDisk());
                } catch (IOException e) {
                    System.err.println("vitrine: " + e.getMessage());
                    return ExitCodes.BAD_IMAGE;
                }
            }
            plan.set(i, new Job(j.script(), j.scenario(), machine.machineOptions(), image, null));
        }
        if ((window || pauseOnFailure) && plan.size() != 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--window plays one scenario, not " + plan.size());
        }
        if (plan.isEmpty()) {
            System.err.println("[script] shard " + shard + " has no scenarios");
        }
        TextFinder finder;
        try {
            finder = new TextFinder(GuestFont.project());
        } catch (IOException e) {
            System.err.println("vitrine: " + e.getMessage());
            return ExitCodes.BAD_IMAGE;
        }
        List<ScenarioResult> results = playAll(plan, finder);
        lastResults = results;
        writeReports(results);
        long failed = results.stream().filter(r -> !r.passed()).count();
        for (ScenarioResult r : results) verdict(r);
        if (results.size() > 1) {
            System.err.println("[script] " + (results.size() - failed) + " of " + results.size() + " scenarios passed");
        }
        return failed == 0 ? 0 : 1;
    }

    /** Whether {@code dir} is (or can be made) a directory this process can write into: checked before any machine starts. */
    private static boolean writableDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
            return Files.isWritable(dir);
        } catch (IOException e) {
            return false;
        }
    }

    /** The verdict of one scenario: deterministic (virtual time, no wall time) so two runs print the same. */
    private static void verdict(ScenarioResult r) {
        long sections = r.sections().size();
        if (r.passed()) {
            System.err.printf(java.util.Locale.ROOT, "[script] passed: %s (%d section%s, %.3f s virtual)%n", r.file(),
                    sections, sections == 1 ? "" : "s", r.virtualNanos() / 1e9);
            return;
        }
        for (ScenarioResult.SectionResult s : r.sections()) {
            if (s.status() == ScenarioResult.Status.FAILED) {
                ScenarioResult.Failure f = s.failure();
                System.err.println("[script] FAILED: " + f.where() + " " + f.step() + (s.name().equals(r.scenario()) ? "" : " (section \"" + s.name() + "\")"));
                System.err.println("[script]   expected: " + f.expected());
                System.err.println("[script]   found:    " + f.found().replace("\n", "\n[script]     | "));
                if (f.screenshot() != null) System.err.println("[script]   screenshot: " + f.screenshot());
            } else if (s.status() == ScenarioResult.Status.SKIPPED) {
                System.err.println("[script]   skipped: section \"" + s.name() + "\"");
            }
        }
    }

    /** The options of this command with the scenario's boot line filling what the command line did not give. */
    private ScriptCommand withBootLine(Scenario scenario, Path script) {
        if (scenario.boot().isEmpty()) return this;
        ScriptCommand boot = new ScriptCommand();
        CommandLine.ParseResult parsed;
        try {
            List<String> args = new ArrayList<>(scenario.boot());
            args.add(script.toString());
            parsed = new CommandLine(boot).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            System.err.println(scenario.bootAt() + ": boot: " + e.getMessage());
            return null;
        }
        for (String forbidden : List.of("--junit", "--artifacts", "--jobs", "--shard")) {
            if (parsed.hasMatchedOption(forbidden)) {
                System.err.println(scenario.bootAt() + ": boot: " + forbidden + " is an option of the run, not of the machine");
                return null;
            }
        }
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        Path dir = script.toAbsolutePath().getParent();
        ScriptCommand m = new ScriptCommand();
        m.spec = spec;
        m.kernel = pick(given, parsed, "--kernel", kernel, boot.kernel == null ? null : dir.resolve(boot.kernel));
        m.disk = pick(given, parsed, "--disk", disk, boot.disk == null ? null : dir.resolve(boot.disk));
        if (m.disk != null && m.disk != disk) {
            // a boot line's disk is played on a fresh copy, so the scenario replays the same every time
            try {
                Path copy = Files.createTempFile("vitrine-disk", ".img");
                copy.toFile().deleteOnExit();
                Files.copy(m.disk, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                m.disk = copy;
            } catch (IOException e) {
                System.err.println(scenario.bootAt() + ": boot: cannot copy the disk " + m.disk + ": " + e.getMessage());
                return null;
            }
        }
        m.diskReadOnly = pick(given, parsed, "--disk-readonly", diskReadOnly, boot.diskReadOnly);
        m.display = pick(given, parsed, "--display", display, boot.display);
        m.bootArgs = pick(given, parsed, "--append", bootArgs, boot.bootArgs);
        m.iommu = pick(given, parsed, "--iommu", iommu, boot.iommu);
        m.timing = pick(given, parsed, "--timing", timing, boot.timing);
        return m;
    }

    /** This command's machine options in a new object, so one scenario's defaults do not leak into the next. */
    private ScriptCommand copyOfMachineOptions() {
        ScriptCommand m = new ScriptCommand();
        m.spec = spec;
        m.kernel = kernel;
        m.disk = disk;
        m.diskReadOnly = diskReadOnly;
        m.display = display;
        m.bootArgs = bootArgs;
        m.iommu = iommu;
        m.timing = timing;
        return m;
    }

    private static <T> T pick(CommandLine.ParseResult given, CommandLine.ParseResult boot, String option, T command, T fromBoot) {
        return given != null && given.hasMatchedOption(option) || !boot.hasMatchedOption(option) ? command : fromBoot;
    }

    /**
     * The machine of a snapshot with the IOMMU and timing the command line names explicitly in
     * place of its own: the restore refuses it if they differ, rather than ignoring them.
     */
    private VirtBoard.Options asGiven(VirtBoard.Options snapshot) {
        VirtBoard.Options o = iommu.overriding(snapshot, spec);
        return spec.commandLine().getParseResult().hasMatchedOption("--timing") ? timing.applyTo(o, spec) : o;
    }

    private VirtBoard.Options machineOptions() {
        String[] wh = display.toLowerCase().split("x");
        VirtBoard.Options.Display size;
        try {
            size = new VirtBoard.Options.Display(Integer.parseInt(wh[0]), Integer.parseInt(wh[wh.length - 1]));
            if (wh.length != 2) throw new NumberFormatException();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--display '" + display + "' must be WIDTHxHEIGHT");
        }
        return timing.applyTo(iommu.applyTo(VirtBoard.Options.defaults().withBootArgs(bootArgs).withDesktop(size).withDisk(disk, diskReadOnly), spec),
                spec);
    }

    /**
     * Plays every job, {@code --jobs} at a time. One job streams its console and progress as it
     * goes; several keep each scenario's output together and print it when the scenario ends, in
     * the order given, so the output reads the same as one by one.
     */
    private List<ScenarioResult> playAll(List<Job> plan, TextFinder finder) throws IOException {
        List<ScenarioResult> results = new ArrayList<>();
        if (window || pauseOnFailure) return List.of(WatchedRun.play(plan.getFirst().scenario().name(), plan.getFirst().options().display(), pauseOnFailure,
                onBoard -> play(plan.getFirst(), finder, System.out, System.err, onBoard)));
        if (jobs == 1 || plan.size() <= 1) {
            for (Job j : plan) results.add(play(j, finder, System.out, System.err, null));
            return results;
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(jobs, plan.size()))) {
            List<Future<ScenarioResult>> futures = new ArrayList<>();
            List<ByteArrayOutputStream[]> outputs = new ArrayList<>();
            for (Job j : plan) {
                ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
                outputs.add(new ByteArrayOutputStream[] {out, err});
                futures.add(pool.submit(() -> play(j, finder, new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8), null)));
            }
            for (int i = 0; i < futures.size(); i++) {
                ScenarioResult r;
                try {
                    r = futures.get(i).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    r = ScenarioResult.notRun(plan.get(i).scenario().name(), plan.get(i).script().toString(), String.valueOf(e.getCause()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                System.out.write(outputs.get(i)[0].toByteArray());
                System.out.flush();
                System.err.write(outputs.get(i)[1].toByteArray());
                System.err.flush();
                results.add(r);
            }
        }
        return results;
    }

    /** One scenario on its own machine; {@code onBoard} (or null) gets the machine before it starts. */
    private ScenarioResult play(Job job, TextFinder finder, PrintStream stdout, PrintStream stderr,
                                java.util.function.Consumer<VirtBoard> onBoard) throws IOException {
        Path scriptDir = job.script().toAbsolutePath().getParent();
        Path own = artifacts == null ? null : artifacts.resolve(job.scenario().name());
        Path outputDir = own != null ? own : scriptDir;
        Path failureDir = own != null ? own : Files.createTempDirectory("vitrine-script-");
        OutputStream out = new BufferedOutputStream(stdout, 1 << 14);
        ScenarioRunner[] runner = new ScenarioRunner[1];
        try (GuestLogSession logs = log.open(stderr);
             VirtBoard board = new VirtBoard(job.options().withGuestLog(logs.sink()), b -> {
                 runner[0].consoleByte(b);
                 try {
                     out.write(b);
                     if (b == '\n') out.flush();
                 } catch (IOException e) {
                     throw new java.io.UncheckedIOException(e);
                 }
             })) {
            runner[0] = new ScenarioRunner(board, stderr, outputDir, failureDir, finder);
            if (onBoard != null) onBoard.accept(board);
            ApngWriter video = null;
            if (recordVideo != null && job.options().display() != null) {
                video = new ApngWriter(videoFile(job), job.options().display().width(), job.options().display().height());
                runner[0].recordVideo(video, videoFps);
            }
            try {
                if (job.start() != null) SnapshotRun.startScenario(board, job.start(), restore, stderr);
                else board.loadKernel(job.image());
            } catch (VirtBoard.ImageException | org.vitrine.emulator.snapshot.SnapshotException e) {
                stderr.println("vitrine: " + e.getMessage());
                return ScenarioResult.notRun(job.scenario().name(), job.script().toString(), e.getMessage());
            }
            logs.started(board.machine().guestLog());
            ProfileRun profiler = ProfileRun.start(profile == null ? null
                    : new ProfileRun.Plan(scripts.size() == 1 ? profile : profile.resolve(job.scenario().name()), profileIntervalNanos),
                    board, job.image());
            ScenarioResult result = runner[0].play(job.scenario(), job.script().toString());
            out.flush();
            if (profiler != null) profiler.finish(board, stderr);
            if (video != null) {
                video.close();
                stderr.println("[script] video: " + videoFile(job) + " (" + video.frames() + " frames)");
            }
            logs.finished(board.machine().guestLog());
            logs.summarize(stderr);
            if (own != null) {
                Files.createDirectories(own);
                Files.writeString(own.resolve("console.log"), result.console(), StandardCharsets.ISO_8859_1);
                ResultJson.write(result, own.resolve("result.json"));
            }
            return result;
        }
    }

    /** --record-video's file for a scenario: the name given, or with several scenarios that name with the scenario's inserted. */
    private Path videoFile(Job job) {
        if (scripts.size() == 1) return recordVideo;
        String n = recordVideo.getFileName().toString();
        int dot = n.lastIndexOf('.');
        String stem = dot > 0 ? n.substring(0, dot) : n, ext = dot > 0 ? n.substring(dot) : ".png";
        return recordVideo.resolveSibling(stem + "-" + job.scenario().name() + ext);
    }

    private void writeReports(List<ScenarioResult> results) throws IOException {
        if (junit != null) JunitReport.write(results, junit);
        if (artifacts != null) ResultJson.writeAll(results, artifacts.resolve("results.json"));
    }
}
