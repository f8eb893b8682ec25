package org.vitrine.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import org.vitrine.devices.board.BoardSnapshot;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.snapshot.Snapshot;
import org.vitrine.emulator.snapshot.SnapshotFile;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.snapshot.StateWriter;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.time.Ratio;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vitrine snapshot-bench}: the figures of issue 10. Boots the desktop (rost.desktop at
 * 1024x768 on a copy of the disk image), runs it to a virtual time, then saves it to a file and
 * restores that file into a freshly built board several times, printing host times, the file
 * size and what each part's section weighs: the warm figures, in a JVM that has run the code
 * before. Then the cold ones ({@link SnapshotColdBench}: save and restore each in a JVM of its
 * own, as {@code vitrine run} meets them) and the speed-up of a scenario suite that starts from a
 * snapshot instead of booting ({@link SuiteSpeedup}).
 */
@Command(name = "snapshot-bench", mixinStandardHelpOptions = true,
        description = {"Measure machine snapshots on the booted desktop: host time to save (take, compress, write) and to",
                "restore (read, decompress, check, apply into a fresh board), and the file size."})
public final class SnapshotBenchCommand implements Callable<Integer> {
    @Option(names = "--disk", paramLabel = "FILE", description = "Disk image to copy (default: the built guest-apps/build/disk.img).")
    Path disk;

    @Option(names = "--kernel", paramLabel = "FILE", description = "Kernel (default: the built rost image).")
    Path kernel;

    @Option(names = "--at", paramLabel = "TIME", converter = Durations.class, defaultValue = "2s",
            description = "Virtual time to run the desktop to before saving (default ${DEFAULT-VALUE}).")
    long atNanos;

    @Option(names = "--rounds", defaultValue = "5", description = "Save and restore this many times (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--no-cold", description = "Skip the cold figures (save and restore each in a fresh JVM, as vitrine run does them).")
    boolean noCold;

    @Option(names = "--no-suite", description = "Skip the scenario suite played booting and from a snapshot (its speed-up).")
    boolean noSuite;

    @CommandLine.Mixin
    TimingOptions timing;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path root = Path.of(System.getProperty("vitrine.root", "."));
        Path image = kernel != null ? kernel : RunCommand.defaultKernel();
        Path source = disk != null ? disk : root.resolve("guest-apps/build/disk.img");
        Path work = Files.createTempDirectory("vitrine-snapshot-bench");
        Path copy = Files.copy(source, work.resolve("disk.img"));
        Path file = work.resolve("desktop.vtsnap");
        VirtBoard.Options o = VirtBoard.Options.defaults().withDesktop(new VirtBoard.Options.Display(1024, 768))
                .withDisk(copy, false).withBootArgs("rost.desktop").withGuestLog(GuestLog.Sink.NONE);
        o = timing.applyTo(o, spec);
        long[] save = new long[rounds], restore = new long[rounds], saveCpu = new long[rounds], restoreCpu = new long[rounds];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        try (VirtBoard board = new VirtBoard(o, b -> { })) {
            board.boot(image);
            long at = Ratio.scaleUp(atNanos, o.timing().cyclesPerSecond(), 1_000_000_000L);
            Cpu.Exit e = board.run(at);
            System.out.printf("desktop run to %.3f s virtual (timing %s): %s%n", board.machine().cpu().cycles() / 1e9,
                    o.timing().pipeline().cliName(), e.message());
            printSections(board.snapshotParts());
            for (int i = 0; i < rounds; i++) {
                long c0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                Snapshot s = BoardSnapshot.take(board, SnapshotRun.RUNNING);
                long t1 = System.nanoTime();
                SnapshotFile.write(s, file);
                long t2 = System.nanoTime();
                save[i] = t2 - t0;
                saveCpu[i] = threads.getCurrentThreadCpuTime() - c0;
                System.out.printf("save %d: %6.1f ms (take %.1f, compress and write %.1f; %.1f ms of CPU), file %.2f MB, state %.2f MB%n",
                        i + 1, save[i] / 1e6, (t1 - t0) / 1e6, (t2 - t1) / 1e6, saveCpu[i] / 1e6, Files.size(file) / 1e6, s.size() / 1e6);
            }
        }
        for (int i = 0; i < rounds; i++) {
            try (VirtBoard fresh = new VirtBoard(o, b -> { })) {
                long c0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                Snapshot s = SnapshotFile.read(file);
                long t1 = System.nanoTime();
                BoardSnapshot.restore(fresh, s);
                long t2 = System.nanoTime();
                restore[i] = t2 - t0;
                restoreCpu[i] = threads.getCurrentThreadCpuTime() - c0;
                System.out.printf("restore %d: %6.1f ms (read and decompress %.1f, check and apply %.1f; %.1f ms of CPU)%n", i + 1,
                        restore[i] / 1e6, (t1 - t0) / 1e6, (t2 - t1) / 1e6, restoreCpu[i] / 1e6);
            }
        }
        System.out.printf("warm median: save %.1f ms (%.1f ms of CPU), restore %.1f ms (%.1f ms of CPU), file %.2f MB "
                        + "(goals: < 200 ms each, < 16 MB)%n",
                median(save) / 1e6, median(saveCpu) / 1e6, median(restore) / 1e6, median(restoreCpu) / 1e6, Files.size(file) / 1e6);
        System.out.printf("load average %.1f on %d cores: host (wall) times include waiting for a core, the CPU times do not%n",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Runtime.getRuntime().availableProcessors());
        if (!noCold) {
            SnapshotColdBench c = SnapshotColdBench.ofThisJar(System.out);
            if (c == null) System.out.println("cold figures: not running from vitrine.jar, skipped");
            else c.run(copy, image, atNanos, work.resolve("cold.vtsnap"), Math.min(rounds, 3), o.timing().pipeline());
        }
        if (!noSuite) new SuiteSpeedup(o, image, source, work, System.out).run();
        try (var files = Files.list(work)) {
            for (Path p : files.toList()) Files.delete(p);
        }
        Files.delete(work);
        return 0;
    }

    /** Each part's section size and time to save, once. */
    private static void printSections(List<Snapshottable> parts) {
        List<String> lines = new ArrayList<>();
        for (Snapshottable p : parts) {
            long t0 = System.nanoTime();
            StateWriter w = new StateWriter();
            p.save(w);
            long t = System.nanoTime() - t0;
            if (w.size() > 4096 || t > 1_000_000) lines.add(String.format("  %-28s %9.1f KB %7.1f ms", p.snapshotName(), w.size() / 1e3, t / 1e6));
        }
        System.out.println("sections over 4 KB or 1 ms:");
        lines.forEach(System.out::println);
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
