package org.vitrine.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import org.vitrine.cli.log.GuestLogSession;
import org.vitrine.cli.log.LogOptions;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.devices.flash.PflashCfi01;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.time.Ratio;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vitrine run}: boots a kernel on the virt board. With a window (the default) the guest gets
 * a display, keyboard and tablet and runs paced to the wall clock; headless it runs as fast as it
 * can with its console on standard output, and has a display only when asked for one.
 *
 * <p>With neither {@code --kernel}, {@code --bios} nor {@code --append}, a run with a display boots
 * rost's desktop ({@link DesktopDefaults}): in a window on the user's persistent disk, headless on a
 * fresh copy of the built disk; {@code --disk} picks another. Headless without a display it boots
 * rost's console demo, which powers off.
 *
 * <p>This class reads and checks the options and maps how the run ended to the exit status;
 * {@link RunSession} runs the machine. The guest log's summary line ends the run (see
 * {@link LogOptions}).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Boot a kernel on the emulated virt machine: in a window (default) or headless.",
                "The exit status is the one the guest passes to PSCI SYSTEM_OFF (x1); 2 = bad arguments, 3 = guest hang, "
                        + "4 = guest stuck taking aborts (e.g. its vector table in a hole; an access to an unmapped address "
                        + "alone is a synchronous external abort the guest handles, as on QEMU), 5 = bad kernel or disk image, "
                        + "6 = no window possible, 70 = host or emulation error."})
public class RunCommand implements Callable<Integer> {
    @Option(names = "--headless", description = "Run without a window: console on standard output, no display device "
            + "unless --display or --screenshot asks for one.")
    boolean headless;

    @Option(names = "--kernel", paramLabel = "FILE",
            description = "Kernel to boot: an AArch64 ELF or an arm64 Linux Image (plain or gzip) "
                    + "(default: the built rost image, kernel-image/build/kernel.elf; none with --bios).")
    Path kernel;

    @Option(names = "--initrd", paramLabel = "FILE",
            description = "Initial ramdisk for a Linux Image, placed in RAM as QEMU does and named in /chosen.")
    Path initrd;

    @Option(names = "--bios", paramLabel = "FILE",
            description = "Firmware (e.g. U-Boot's u-boot.bin) loaded into flash bank 0 at address 0 and started there.")
    Path bios;

    @Option(names = "--flash1", paramLabel = "FILE",
            description = "File of exactly 64 MiB backing flash bank 1 at 0x04000000 (firmware variables; guest writes persist).")
    Path flash1;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of /chosen's rng-seed and kaslr-seed (default: ${DEFAULT-VALUE}, the same every run).")
    long seed;

    @Option(names = "--ram", paramLabel = "SIZE", converter = Sizes.class, defaultValue = "512M",
            description = "Guest RAM size, e.g. 512M or 1G (default: ${DEFAULT-VALUE}).")
    long ram;

    @Option(names = "--display", paramLabel = "WxH",
            description = "Display (virtio-gpu) size, e.g. 1280x800 (default 1024x768 with a window; none headless).")
    String display;

    @Option(names = "--disk", paramLabel = "FILE", description = {"Raw disk image attached as virtio-blk.",
            "Default for rost's desktop: in a window your own disk, made from the built image on first use and kept "
                    + "across rebuilds ($XDG_DATA_HOME/vitrine/disk.img, else ~/.local/share/vitrine/disk.img); "
                    + "headless, a fresh copy of the built image (guest-apps/build/disk.img) for each run."})
    Path disk;

    @Option(names = "--reset-disk", description = "Make your desktop disk again from the built image (to get new programs); "
            + "the old one is kept next to it as disk.img.old.")
    boolean resetDisk;

    @Option(names = "--disk-readonly", description = "Attach the disk read-only (guest writes fail with an I/O error).")
    boolean diskReadOnly;

    @Option(names = "--screenshot", paramLabel = "FILE.png",
            description = "Save the screen as PNG when the run ends (power-off, --until, window closed).")
    Path screenshot;

    @CommandLine.Mixin
    TraceOptions trace;

    @Option(names = "--until", paramLabel = "TIME", converter = Durations.class,
            description = "Stop after this much virtual time (e.g. 3s, 250ms) and exit 0.")
    Long untilNanos;

    @CommandLine.Mixin
    LogOptions log;

    @CommandLine.Mixin
    IommuOptions iommu;

    @CommandLine.Mixin
    TimingOptions timing;

    @Option(names = "--quiet", description = "Do not print the run summary (nor the guest errors' summary) on standard error.")
    boolean quiet;

    @Option(names = "--append", paramLabel = "ARGS",
            description = "Kernel command line, passed in the device tree's /chosen/bootargs (like QEMU's -append); "
                    + "default with a display: " + DesktopDefaults.BOOT_ARGS + " (rost's desktop).")
    String bootArgs;

    @Option(names = "--realtime", negatable = true,
            description = "Pace virtual time to the wall clock (default: on with a window, off headless so scripted runs go as fast as possible).")
    Boolean realTime;

    @Option(names = "--gdb", paramLabel = "PORT",
            description = {"Debug with gdb: start halted at the kernel's entry point and wait for a GDB remote connection "
                    + "on 127.0.0.1:PORT (0: any free port; the port is printed), e.g.",
                    "  gdb-multiarch -ex 'target remote 127.0.0.1:PORT' kernel.elf",
                    "Breakpoints, stepping, registers and memory by virtual address; Ctrl-C in gdb stops the guest. "
                            + "Detaching (or quitting gdb) lets the machine run on; 'kill' ends the run."})
    Integer gdbPort;

    @Option(names = "--profile", paramLabel = "DIR",
            description = {"Profile the guest (rost-aware): per-process cycles, kernel entries by system call, IPC latency and "
                    + "sampled call stacks on virtual time, written to DIR as profile.txt, stacks.folded and flamegraph.svg "
                    + "when the run ends. The guest runs exactly as without it."})
    Path profileDir;

    @Option(names = "--profile-interval", paramLabel = "TIME", converter = Durations.class, defaultValue = "10us",
            description = "With --profile: virtual time between two stack samples (default ${DEFAULT-VALUE}).")
    long profileIntervalNanos;

    @Option(names = "--debug", description = {"Open the debugger view beside the guest screen, the guest stopped at its first "
            + "instruction (F12 in a running window opens it too): disassembly, registers, memory, console; continue (F5), "
            + "pause (F6), step (F11), step over (F10), run to cursor (F4), breakpoints (F9 or a click in the gutter)."})
    boolean debugView;

    @Option(names = "--save-snapshot", paramLabel = "FILE",
            description = {"Save the whole machine to FILE when the run ends (power-off, --until, window closed), or at --at.",
                    "A headless desktop without --disk then runs on FILE.disk.img, kept for --restore, instead of a temporary copy."})
    Path saveSnapshot;

    @Option(names = "--at", paramLabel = "TIME", converter = Durations.class,
            description = "With --save-snapshot: save at this virtual time since power-on (e.g. 2s) and run on.")
    Long saveAtNanos;

    @Option(names = "--restore", paramLabel = "FILE",
            description = "Start from a machine saved with --save-snapshot instead of booting: it continues exactly where it "
                    + "stopped (its disk image is brought back to its contents at that instant). --until still counts from power-on.")
    Path restore;

    @Option(names = "--record", paramLabel = "FILE.vts",
            description = {"Record what you do in the window (pointer, buttons, wheel, keys, each at the virtual instant it reached "
                    + "the guest) as a scenario that `vitrine script FILE.vts` replays exactly, ending with the screen's and the "
                    + "console's fingerprints; written when the window closes or the guest powers off.",
                    "The desktop then runs on a fresh copy of the built disk, as vitrine script plays it; with --disk, a copy of "
                            + "that disk as it was at the start is kept beside FILE.vts for the replay. The serial console takes no input."})
    Path record;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Set by {@link DebugCommand}: the run is a batch debugging session. */
    RunSession.DebugBatch debugBatch;

    @Override
    public Integer call() {
        PrintStream err = System.err;
        Path image = kernel != null || bios != null ? kernel : defaultKernel();
        for (Path p : new Path[] {bios, initrd, flash1}) {
            if (p != null && !Files.isRegularFile(p)) {
                err.println("vitrine: " + p + " not found");
                return ExitCodes.BAD_IMAGE;
            }
        }
        try {
            if (flash1 != null && Files.size(flash1) != PflashCfi01.BANK_SIZE) {
                err.println("vitrine: flash image " + flash1 + " must be exactly 64 MiB (create one with truncate -s 64M " + flash1 + ")");
                return ExitCodes.BAD_IMAGE;
            }
        } catch (java.io.IOException e) {
            err.println("vitrine: cannot read " + flash1 + ": " + e.getMessage());
            return ExitCodes.BAD_IMAGE;
        }
        if (image != null && !Files.isRegularFile(image)) {
            err.println("vitrine: kernel image " + image + " not found" + (kernel == null ? " (build it with ./vitrine build)" : ""));
            return ExitCodes.BAD_IMAGE;
        }
        if ((ram & 0xfff) != 0 || ram < (2L << 20)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ram must be a multiple of 4 KiB and at least 2M");
        }
        if (gdbPort != null && (gdbPort < 0 || gdbPort > 65535)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--gdb port must be 0..65535");
        }
        if (resetDisk && (disk != null || headless || !bootsDesktop())) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--reset-disk makes your desktop disk again: it goes without --disk, --headless, --kernel, --bios and --append");
        }
        List<String> recordBoot = null;
        if (record != null) {
            String problem = recordProblem();
            if (problem != null) throw new CommandLine.ParameterException(spec.commandLine(), "--record: " + problem);
            try {
                recordBoot = recordBootOptions(err);
            } catch (java.io.IOException e) {
                err.println("vitrine: --record: cannot keep a copy of the disk " + disk + ": " + e.getMessage());
                return ExitCodes.BAD_IMAGE;
            }
        }
        if (bootsDesktop()) {
            bootArgs = DesktopDefaults.BOOT_ARGS;
            try {
                Path built = DesktopDefaults.builtDisk();
                if (disk == null && headless && saveSnapshot != null) {
                    // A saved session keeps its disk: a copy beside the snapshot, not a temporary file,
                    // so that --restore finds it and the continued session keeps writing to it.
                    disk = DesktopDefaults.keptCopy(built, saveSnapshot.resolveSibling(saveSnapshot.getFileName() + ".disk.img"));
                    err.println("[vitrine] the desktop's disk for this snapshot: " + disk);
                } else if (disk == null) {
                    disk = headless || record != null ? DesktopDefaults.freshCopy(built)
                            : DesktopDefaults.userDisk(DesktopDefaults.userDisk(System.getenv()), built, resetDisk, err);
                }
            } catch (java.io.IOException e) {
                err.println("vitrine: " + (e instanceof DesktopDefaults.MissingImageException ? "" : "cannot make the desktop's disk: ")
                        + e.getMessage());
                return ExitCodes.BAD_IMAGE;
            }
        }
        if (disk != null && !Files.isRegularFile(disk)) {
            err.println("vitrine: disk image " + disk + " not found (create one, e.g. truncate -s 64M disk.img)");
            return ExitCodes.BAD_IMAGE;
        }
        VirtBoard.Options options = VirtBoard.Options.defaults().withRam(ram).withBootArgs(bootArgs).withDisk(disk, diskReadOnly)
                .withFirmware(new VirtBoard.Options.Firmware(initrd, bios, flash1, seed));
        if (restore == null) options = iommu.applyTo(options, spec);  // with --restore: the snapshot's (IommuOptions.overriding)
        options = timing.applyTo(options, spec);
        VirtBoard.Options.Display size = displaySize();
        if (size != null) options = options.withDesktop(size);
        if (saveAtNanos != null && saveSnapshot == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--at goes with --save-snapshot");
        }
        if (debugView && (headless || gdbPort != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--debug opens the debugger in the window: not with --headless or --gdb");
        }
        if (gdbPort != null && (saveSnapshot != null || restore != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--gdb does not go with --save-snapshot or --restore");
        }
        org.vitrine.emulator.snapshot.Snapshot restored = null;
        if (restore != null) {
            try {
                restored = SnapshotRun.read(restore);
                VirtBoard.Options saved = org.vitrine.devices.board.BoardSnapshot.options(restored, options, disk);
                // what the command line names explicitly must match the snapshot (checked when it is restored)
                if (display != null) saved = saved.withDesktop(size);
                if (spec.commandLine().getParseResult().hasMatchedOption("--ram")) saved = saved.withRam(ram);
                if (spec.commandLine().getParseResult().hasMatchedOption("--timing")) saved = timing.applyTo(saved, spec);
                try {
                    saved = iommu.overriding(saved, spec);
                } catch (IllegalArgumentException e) {
                    err.println("vitrine: snapshot " + restore + " does not match this machine: " + e.getMessage()
                            + " (the snapshot's machine has " + saved.iommu().model().name().toLowerCase() + ")");
                    return ExitCodes.BAD_IMAGE;
                }
                options = saved;
                size = options.display();
                String hash = restored.description().get("image.sha256");
                if (kernel != null && hash != null && !hash.equals(org.vitrine.devices.board.BoardSnapshot.sha256(kernel))) {
                    err.println("vitrine: snapshot " + restore + " was made with another kernel than " + kernel);
                    return ExitCodes.BAD_IMAGE;
                }
            } catch (org.vitrine.emulator.snapshot.SnapshotException e) {
                err.println("vitrine: " + e.getMessage());
                return ExitCodes.BAD_IMAGE;
            }
            if (size == null && !headless) {
                err.println("vitrine: the machine in " + restore + " has no display; restore it with --headless");
                return ExitCodes.USAGE;
            }
        }
        boolean paced = realTime != null ? realTime : !headless;
        long until = untilNanos == null ? Long.MAX_VALUE
                : Ratio.scaleUp(untilNanos, options.timing().cyclesPerSecond(), 1_000_000_000L);
        if (saveSnapshot != null) Thread.ofPlatform().daemon().start(org.vitrine.emulator.snapshot.SnapshotFile::prepare);
        long saveAt = saveAtNanos == null ? -1 : Ratio.scaleUp(saveAtNanos, options.timing().cyclesPerSecond(), 1_000_000_000L);
        SnapshotRun.Plan snapshots = new SnapshotRun.Plan(saveSnapshot, saveAt, restored, restore, quiet);
        PrintStream traceOut;
        try {
            traceOut = trace.open();
        } catch (java.io.IOException e) {
            err.println("vitrine: cannot write the trace to " + trace.traceFile + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "its directory does not exist" : e.getMessage()));
            return ExitCodes.USAGE;
        }
        try (GuestLogSession logs = log.open(err)) {
            RunSession session = new RunSession(options.withGuestLog(logs.sink()), new RunSession.Settings(image, until, paced,
                    trace, gdbPort, quiet, screenshot, snapshots,
                    profileDir == null ? null : new ProfileRun.Plan(profileDir, profileIntervalNanos),
                    record == null ? null : new SessionRecorder(record, recordBoot), debugView), logs);
            session.debugBatch(debugBatch);
            session.traceTo(traceOut);
            RunSession.Outcome outcome = headless ? session.runHeadless() : session.runInWindow(size);
            if (!quiet) logs.summarize(err);
            return exitCode(outcome);
        } finally {
            if (traceOut != err) traceOut.close();
        }
    }

    /** The process exit status for how the session ended (see the command's description). */
    static int exitCode(RunSession.Outcome outcome) {
        return switch (outcome) {
            case RunSession.Outcome.Ran(Cpu.Exit exit) -> switch (exit.kind()) {
                case POWER_OFF -> ExitCodes.fromGuestStatus(exit.status());
                case TIME_LIMIT, STOPPED, RESET -> 0;
                case HANG -> ExitCodes.GUEST_HANG;
                case ABORT_LOOP -> ExitCodes.GUEST_ABORT_LOOP;
                case EMULATION_ERROR -> ExitCodes.HOST_ERROR;
            };
            case RunSession.Outcome.Failed(RunSession.Failure failure) -> switch (failure) {
                case BAD_IMAGE -> ExitCodes.BAD_IMAGE;
                case GDB_UNAVAILABLE, BAD_SCRIPT -> ExitCodes.USAGE;
                case NO_WINDOW -> ExitCodes.NO_WINDOW;
                case HOST_ERROR -> ExitCodes.HOST_ERROR;
            };
        };
    }

    /** What makes --record impossible (a machine vitrine script cannot build, no window, an unwritable file), or null. */
    private String recordProblem() {
        if (headless) return "records a window session: it does not go with --headless";
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        for (String o : List.of("--bios", "--initrd", "--flash1", "--seed", "--ram", "--gdb", "--restore", "--save-snapshot", "--iommu",
                "--iommu-check", "--iommu-latency", "--reset-disk")) {
            if (given.hasMatchedOption(o)) return "does not go with " + o + " (vitrine script could not replay that machine)";
        }
        return SessionRecorder.problemWith(record);
    }

    /**
     * The boot line that makes {@code vitrine script} build this machine: the display, and the
     * kernel and command line when they are not the desktop's defaults. A disk given with
     * {@code --disk} is copied beside the recording now, before the guest changes it, and named.
     */
    private List<String> recordBootOptions(PrintStream err) throws java.io.IOException {
        List<String> boot = new java.util.ArrayList<>();
        // the inputs' instants are virtual times: the replay must keep the timing model, whatever the default becomes
        boot.add("--timing");
        boot.add(timing.applyTo(VirtBoard.Options.defaults(), spec).timing().pipeline().cliName());
        VirtBoard.Options.Display size = displaySize();
        boot.add("--display");
        boot.add(size.width() + "x" + size.height());
        if (kernel != null) {
            boot.add("--kernel");
            boot.add(kernel.toAbsolutePath().toString());
        }
        if (bootArgs != null) {
            boot.add("--append");
            boot.add(bootArgs);
        }
        if (disk != null) {
            Path abs = record.toAbsolutePath();
            String name = abs.getFileName().toString().replaceFirst("\\.vts$", "") + ".disk.img";
            Files.copy(disk, abs.resolveSibling(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            err.println("[vitrine] the disk as it is now, for the replay: " + abs.resolveSibling(name));
            boot.add("--disk");
            boot.add(name);
            if (diskReadOnly) boot.add("--disk-readonly");
        }
        return boot;
    }

    /** Neither a kernel nor a command line named, and a display: rost's desktop (see {@link DesktopDefaults}). */
    private boolean bootsDesktop() {
        return kernel == null && bios == null && bootArgs == null && (!headless || display != null);
    }

    private VirtBoard.Options.Display displaySize() {
        String spec = display;
        if (spec == null && (!headless || screenshot != null)) {
            return DesktopDefaults.SIZE;
        }
        if (spec == null) return null;
        String[] wh = spec.toLowerCase().split("x");
        try {
            if (wh.length != 2) throw new NumberFormatException();
            return new VirtBoard.Options.Display(Integer.parseInt(wh[0]), Integer.parseInt(wh[1]));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(this.spec.commandLine(),
                    "--display '" + display + "' must be WIDTHxHEIGHT, each 16..8192 (e.g. 1024x768)");
        }
    }

    public static Path defaultKernel() {
        String root = System.getProperty("vitrine.root", ".");
        return Path.of(root, "kernel-image", "build", "kernel.elf");
    }
}
