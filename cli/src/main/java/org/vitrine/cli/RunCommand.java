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

import org.vitrine.devices.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.spi.GuestErrors;
import org.vitrine.emulator.time.Ratio;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vitrine run}: boots a kernel on the virt board and relays its console. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Boot a kernel on the emulated virt machine and show its console.",
                "The exit status is the one the guest passes to PSCI SYSTEM_OFF (x1); 3 = guest hang, "
                        + "4 = guest bus error, 5 = bad image, 70 = host error."})
public final class RunCommand implements Callable<Integer> {
    /** What --trace can show. */
    public enum Trace { exceptions }

    @Option(names = "--headless", description = "Run without a window: console on standard output.")
    boolean headless;

    @Option(names = "--kernel", paramLabel = "FILE",
            description = "Kernel ELF to boot (default: the built rost image, kernel-image/build/kernel.elf).")
    Path kernel;

    @Option(names = "--ram", paramLabel = "SIZE", converter = Sizes.class, defaultValue = "512M",
            description = "Guest RAM size, e.g. 512M or 1G (default: ${DEFAULT-VALUE}).")
    long ram;

    @Option(names = "--trace", paramLabel = "WHAT", split = ",",
            description = "Trace to standard error: ${COMPLETION-CANDIDATES}.")
    Set<Trace> trace = EnumSet.noneOf(Trace.class);

    @Option(names = "--until", paramLabel = "TIME", converter = Durations.class,
            description = "Stop after this much virtual time (e.g. 3s, 250ms) and exit 0.")
    Long untilNanos;

    @Option(names = "--quiet", description = "Do not print the run summary on standard error.")
    boolean quiet;

    @Override
    public Integer call() {
        PrintStream err = System.err;
        if (!headless) {
            err.println("[vitrine] the desktop window is not built yet; running headless (console on standard output)");
        }
        Path image = kernel != null ? kernel : defaultKernel();
        if (!Files.isRegularFile(image)) {
            err.println("vitrine: kernel image " + image + " not found" + (kernel == null ? " (build it with ./vitrine build)" : ""));
            return ExitCodes.BAD_IMAGE;
        }
        if ((ram & 0xfff) != 0 || ram < (2L << 20)) {
            err.println("vitrine: --ram must be a multiple of 4 KiB and at least 2M");
            return ExitCodes.USAGE;
        }
        OutputStream out = new BufferedOutputStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), 1 << 14);
        VirtBoard.Options options = VirtBoard.Options.defaults().withRam(ram);
        long hostStart = System.nanoTime();
        try (VirtBoard board = new VirtBoard(options, b -> console(out, b))) {
            if (trace.contains(Trace.exceptions)) board.traceExceptions(err::println);
            try {
                board.loadKernel(image);
            } catch (VirtBoard.ImageException e) {
                err.println("vitrine: " + e.getMessage());
                return ExitCodes.BAD_IMAGE;
            }
            long until = untilNanos == null ? Long.MAX_VALUE
                    : Ratio.scaleUp(untilNanos, options.timing().cyclesPerSecond(), 1_000_000_000L);
            Cpu.Exit exit;
            try {
                exit = board.run(until);
            } finally {
                flush(out);
            }
            Cpu cpu = board.machine().cpu();
            if (!quiet) {
                long hostMs = (System.nanoTime() - hostStart) / 1_000_000;
                err.printf("[vitrine] %s; %d cycles (%.3f s virtual), %d instructions, %d guest errors, %d ms host%n",
                        exit.message(), cpu.cycles(), cpu.cycles() / (double) options.timing().cyclesPerSecond(),
                        cpu.instructionsRetired(), GuestErrors.count(), hostMs);
            }
            return switch (exit.kind()) {
                case POWER_OFF -> ExitCodes.fromGuestStatus(exit.status());
                case TIME_LIMIT, STOPPED, RESET -> 0;
                case HANG -> ExitCodes.GUEST_HANG;
                case BUS_ERROR -> ExitCodes.GUEST_BUS_ERROR;
            };
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
