package org.vitrine.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

import org.vitrine.cli.gdb.GdbStub;
import org.vitrine.cli.window.DesktopWindow;
import org.vitrine.cli.window.Screenshots;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.debug.Debugger;
import org.vitrine.emulator.display.Frame;
import org.vitrine.emulator.time.Ratio;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vitrine run}: boots a kernel on the virt board. With a window (the default) the guest gets
 * a display, keyboard and tablet and runs paced to the wall clock; headless it runs as fast as it
 * can with its console on standard output, and has a display only when asked for one.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Boot a kernel on the emulated virt machine: in a window (default) or headless.",
                "The exit status is the one the guest passes to PSCI SYSTEM_OFF (x1); 2 = bad arguments, 3 = guest hang, "
                        + "4 = guest bus error, 5 = bad kernel or disk image, 6 = no window possible, 70 = host error."})
public final class RunCommand implements Callable<Integer> {
    /** What --trace can show. */
    public enum Trace { exceptions }

    @Option(names = "--headless", description = "Run without a window: console on standard output, no display device "
            + "unless --display or --screenshot asks for one.")
    boolean headless;

    @Option(names = "--kernel", paramLabel = "FILE",
            description = "Kernel ELF to boot (default: the built rost image, kernel-image/build/kernel.elf).")
    Path kernel;

    @Option(names = "--ram", paramLabel = "SIZE", converter = Sizes.class, defaultValue = "512M",
            description = "Guest RAM size, e.g. 512M or 1G (default: ${DEFAULT-VALUE}).")
    long ram;

    @Option(names = "--display", paramLabel = "WxH",
            description = "Display (virtio-gpu) size, e.g. 1280x800 (default 1024x768 with a window; none headless).")
    String display;

    @Option(names = "--disk", paramLabel = "FILE", description = "Raw disk image attached as virtio-blk.")
    Path disk;

    @Option(names = "--disk-readonly", description = "Attach the disk read-only (guest writes fail with an I/O error).")
    boolean diskReadOnly;

    @Option(names = "--screenshot", paramLabel = "FILE.png",
            description = "Save the screen as PNG when the run ends (power-off, --until, window closed).")
    Path screenshot;

    @Option(names = "--trace", paramLabel = "WHAT", split = ",",
            description = "Trace to standard error: ${COMPLETION-CANDIDATES}.")
    Set<Trace> trace = EnumSet.noneOf(Trace.class);

    @Option(names = "--until", paramLabel = "TIME", converter = Durations.class,
            description = "Stop after this much virtual time (e.g. 3s, 250ms) and exit 0.")
    Long untilNanos;

    @Option(names = "--quiet", description = "Do not print the run summary on standard error.")
    boolean quiet;

    @Option(names = "--append", paramLabel = "ARGS",
            description = "Kernel command line, passed in the device tree's /chosen/bootargs (like QEMU's -append).")
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

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintStream err = System.err;
        Path image = kernel != null ? kernel : defaultKernel();
        if (!Files.isRegularFile(image)) {
            err.println("vitrine: kernel image " + image + " not found" + (kernel == null ? " (build it with ./vitrine build)" : ""));
            return ExitCodes.BAD_IMAGE;
        }
        if ((ram & 0xfff) != 0 || ram < (2L << 20)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ram must be a multiple of 4 KiB and at least 2M");
        }
        if (gdbPort != null && (gdbPort < 0 || gdbPort > 65535)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--gdb port must be 0..65535");
        }
        if (disk != null && !Files.isRegularFile(disk)) {
            err.println("vitrine: disk image " + disk + " not found (create one, e.g. truncate -s 64M disk.img)");
            return ExitCodes.BAD_IMAGE;
        }
        VirtBoard.Options options = VirtBoard.Options.defaults().withRam(ram).withBootArgs(bootArgs).withDisk(disk, diskReadOnly);
        VirtBoard.Options.Display size = displaySize();
        if (size != null) options = options.withDesktop(size);
        boolean paced = realTime != null ? realTime : !headless;
        long until = untilNanos == null ? Long.MAX_VALUE
                : Ratio.scaleUp(untilNanos, options.timing().cyclesPerSecond(), 1_000_000_000L);
        Session session = new Session(options, image, until, paced);
        if (headless) return session.run(null);
        return withWindow(session, size);
    }

    private VirtBoard.Options.Display displaySize() {
        String spec = display;
        if (spec == null && (!headless || screenshot != null)) spec = "1024x768";
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

    /** The window owns the main thread (GLFW needs it); the machine runs on its own thread. */
    private int withWindow(Session session, VirtBoard.Options.Display size) {
        DesktopWindow window;
        try {
            window = DesktopWindow.open(session.frames, session.input, DesktopWindow.Options.defaults()
                    .withSize(size.width(), size.height()));
        } catch (DesktopWindow.UnavailableException e) {
            System.err.println("vitrine: " + e.getMessage());
            return ExitCodes.NO_WINDOW;
        }
        AtomicReference<Integer> result = new AtomicReference<>(ExitCodes.HOST_ERROR);
        Thread machine = Thread.ofPlatform().name("vitrine-machine").start(() -> {
            try {
                result.set(session.run(window));
            } catch (Throwable t) {
                System.err.println("vitrine: host error: " + t);
                if (Boolean.getBoolean("vitrine.debug")) t.printStackTrace();
            } finally {
                window.requestClose();
            }
        });
        try (window) {
            window.loop(session::powerOffFromHost);
        }
        try {
            machine.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return result.get();
    }

    /** One run of the machine, across guest resets; shared by the headless and window modes. */
    private final class Session {
        final VirtBoard.Options options;
        final Path image;
        final long until;
        final boolean paced;
        // The window is opened before the first board exists, so these outlive board resets.
        final org.vitrine.emulator.display.FrameExchange frames = new org.vitrine.emulator.display.FrameExchange();
        final org.vitrine.emulator.display.HostInput input = new org.vitrine.emulator.display.HostInput();
        private volatile VirtBoard current;
        private volatile GdbStub debugStub;
        private volatile boolean closedByHost;

        Session(VirtBoard.Options options, Path image, long until, boolean paced) {
            this.options = options;
            this.image = image;
            this.until = until;
            this.paced = paced;
        }

        /** The window was closed: power the guest off, as pulling the plug on a real machine would. */
        void powerOffFromHost() {
            closedByHost = true;
            VirtBoard b = current;
            if (b != null) b.machine().cpu().requestStop();
            GdbStub g = debugStub;
            if (g != null) g.close();
        }

        /**
         * Runs the board under gdb: halted until gdb connects and resumes it. When gdb detaches the
         * debugger's hooks are gone and the machine runs on at full speed.
         */
        private Cpu.Exit debug(VirtBoard board, long limit, PrintStream err) throws GdbUnavailableException {
            try (Debugger debugger = new Debugger(board.machine())) {
                debugger.setTimeLimit(limit);
                GdbStub.Outcome outcome;
                try (GdbStub stub = listen(debugger)) {
                    debugStub = stub;
                    if (closedByHost) return new Cpu.Exit(Cpu.ExitKind.STOPPED, 0, "window closed: guest powered off");
                    err.printf("[vitrine] waiting for gdb on 127.0.0.1:%d (gdb-multiarch -ex 'target remote 127.0.0.1:%d' %s)%n",
                            stub.port(), stub.port(), image);
                    err.flush();
                    outcome = stub.serve();
                } catch (java.io.IOException e) {
                    throw new GdbUnavailableException("gdb connection failed: " + e.getMessage());
                } finally {
                    debugStub = null;
                }
                switch (outcome.end()) {
                    case EXITED -> { return outcome.exit(); }
                    case KILLED -> { return new Cpu.Exit(Cpu.ExitKind.STOPPED, 0, "killed by the debugger"); }
                    case CLOSED -> { return new Cpu.Exit(Cpu.ExitKind.STOPPED, 0, "debugger session closed"); }
                    case DETACHED -> err.println("[vitrine] debugger detached; the machine runs on");
                }
            }
            return board.run(limit);
        }

        private GdbStub listen(Debugger debugger) throws GdbUnavailableException {
            try {
                return GdbStub.listen(debugger, gdbPort);
            } catch (java.io.IOException e) {
                throw new GdbUnavailableException("cannot listen for gdb on 127.0.0.1:" + gdbPort + ": " + e.getMessage());
            }
        }

        int run(DesktopWindow window) {
            PrintStream err = System.err;
            OutputStream out = new BufferedOutputStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), 1 << 14);
            long hostStart = System.nanoTime();
            long elapsedBeforeReset = 0;   // --until counts the whole session, resets included
            ConsoleInput console = new ConsoleInput(System.in, window != null);
            while (true) {
                try (VirtBoard board = new VirtBoard(options, b -> console(out, b), frames, input)) {
                    if (trace.contains(Trace.exceptions)) board.traceExceptions(err::println);
                    try {
                        board.loadKernel(image);
                    } catch (VirtBoard.ImageException e) {
                        err.println("vitrine: " + e.getMessage());
                        return ExitCodes.BAD_IMAGE;
                    }
                    Cpu cpu = board.machine().cpu();
                    cpu.setRealTime(paced);
                    if (window != null) frames.setOnPublish(window::wake);
                    console.attach(cpu, board.uart());   // with a window, host input stays open
                    current = board;
                    if (closedByHost) return 0;
                    Cpu.Exit exit;
                    long limit = until == Long.MAX_VALUE ? until : Math.max(0, until - elapsedBeforeReset);
                    try {
                        exit = gdbPort != null ? debug(board, limit, err) : board.run(limit);
                    } catch (GdbUnavailableException e) {
                        err.println("vitrine: " + e.getMessage());
                        return ExitCodes.USAGE;
                    } finally {
                        current = null;
                        flush(out);
                    }
                    if (exit.kind() == Cpu.ExitKind.STOPPED && closedByHost) {
                        exit = new Cpu.Exit(Cpu.ExitKind.STOPPED, 0, "window closed: guest powered off");
                    }
                    if (!quiet) {
                        long hostMs = (System.nanoTime() - hostStart) / 1_000_000;
                        err.printf("[vitrine] %s; %d cycles (%.3f s virtual), %d instructions, %d guest errors, %d ms host%n",
                                exit.message(), cpu.cycles(), cpu.cycles() / (double) options.timing().cyclesPerSecond(),
                                cpu.instructionsRetired(), board.machine().guestLog().count(), hostMs);
                    }
                    if (exit.kind() == Cpu.ExitKind.RESET) {   // a new machine from the same image, as a board reset would
                        elapsedBeforeReset += cpu.cycles();
                        continue;
                    }
                    if (screenshot != null && !saveScreenshot(board.currentFrame())) return ExitCodes.HOST_ERROR;
                    return switch (exit.kind()) {
                        case POWER_OFF -> ExitCodes.fromGuestStatus(exit.status());
                        case TIME_LIMIT, STOPPED, RESET -> 0;
                        case HANG -> ExitCodes.GUEST_HANG;
                        case BUS_ERROR -> ExitCodes.GUEST_BUS_ERROR;
                    };
                } catch (IOException e) {
                    err.println("vitrine: cannot open disk image " + disk + ": " + e.getMessage());
                    return ExitCodes.BAD_IMAGE;
                }
            }
        }
    }

    /** The GDB port cannot be listened on (in use, not permitted) or the connection broke. */
    private static final class GdbUnavailableException extends Exception {
        GdbUnavailableException(String message) {
            super(message);
        }
    }

    private boolean saveScreenshot(Frame frame) {
        if (frame == null) {
            System.err.println("vitrine: no screenshot: the guest never showed anything on the display");
            return true;
        }
        try {
            Screenshots.writePng(frame, screenshot, true);
            return true;
        } catch (IOException e) {
            System.err.println("vitrine: cannot write screenshot " + screenshot + ": " + e.getMessage());
            return false;
        }
    }

    private static void console(OutputStream out, int b) {
        try {
            out.write(b);
            if (b == '\n') out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void flush(OutputStream out) {
        try {
            out.flush();
        } catch (IOException ignored) {
            // standard output closed: nothing left to tell
        }
    }

    static Path defaultKernel() {
        String root = System.getProperty("vitrine.root", ".");
        return Path.of(root, "kernel-image", "build", "kernel.elf");
    }
}
