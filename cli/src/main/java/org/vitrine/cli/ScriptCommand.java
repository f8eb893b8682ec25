package org.vitrine.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.vitrine.cli.log.GuestLogSession;
import org.vitrine.cli.log.LogOptions;
import org.vitrine.cli.script.Scenario;
import org.vitrine.cli.script.ScenarioRunner;
import org.vitrine.devices.board.VirtBoard;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vitrine script FILE}: a boot-and-click scenario, headless and as fast as the machine runs.
 * With neither {@code --kernel} nor {@code --append} it boots rost's desktop on a fresh copy of the
 * built disk unless {@code --disk} is given ({@link DesktopDefaults}).
 */
@Command(name = "script", mixinStandardHelpOptions = true,
        description = {"Boot the machine headless with a display, keyboard and tablet, and play a scenario:",
                "  wait-for \"text\" [within 10s] | run 500ms | move X Y | click [left|right|middle]",
                "  press BUTTON | release BUTTON | type \"text\" | key enter|ctrl+c|f5... | screenshot FILE.png | expect \"text\"",
                "Exit status: 0 every step passed, 1 a step failed (the message says which), 2 the script is malformed."})
public final class ScriptCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SCRIPT", description = "The scenario file.")
    Path script;

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

    @CommandLine.Mixin
    LogOptions log;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(script)) {
            System.err.println("vitrine: script " + script + " not found");
            return ExitCodes.USAGE;
        }
        Scenario scenario;
        try {
            scenario = Scenario.parse(Files.readAllLines(script));
        } catch (Scenario.ParseException e) {
            System.err.println("vitrine: " + script + " is not a valid scenario:\n" + e.getMessage());
            return ExitCodes.USAGE;
        }
        Path image = kernel != null ? kernel : RunCommand.defaultKernel();
        if (!Files.isRegularFile(image)) {
            System.err.println("vitrine: kernel image " + image + " not found");
            return ExitCodes.BAD_IMAGE;
        }
        if (kernel == null && bootArgs == null) {
            bootArgs = DesktopDefaults.BOOT_ARGS;
            try {
                if (disk == null) disk = DesktopDefaults.freshCopy(DesktopDefaults.builtDisk());
            } catch (IOException e) {
                System.err.println("vitrine: " + e.getMessage());
                return ExitCodes.BAD_IMAGE;
            }
        }
        String[] wh = display.toLowerCase().split("x");
        VirtBoard.Options.Display size;
        try {
            size = new VirtBoard.Options.Display(Integer.parseInt(wh[0]), Integer.parseInt(wh[wh.length - 1]));
            if (wh.length != 2) throw new NumberFormatException();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--display '" + display + "' must be WIDTHxHEIGHT");
        }
        VirtBoard.Options options = VirtBoard.Options.defaults().withBootArgs(bootArgs).withDesktop(size)
                .withDisk(disk, diskReadOnly);
        OutputStream out = new BufferedOutputStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), 1 << 14);
        ScenarioRunner[] runner = new ScenarioRunner[1];
        try (GuestLogSession logs = log.open(System.err); VirtBoard board = new VirtBoard(options.withGuestLog(logs.sink()), b -> {
            runner[0].consoleByte(b);
            try {
                out.write(b);
                if (b == '\n') out.flush();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        })) {
            runner[0] = new ScenarioRunner(board, System.err, script.toAbsolutePath().getParent());
            try {
                board.loadKernel(image);
            } catch (VirtBoard.ImageException e) {
                System.err.println("vitrine: " + e.getMessage());
                return ExitCodes.BAD_IMAGE;
            }
            logs.started(board.machine().guestLog());
            ScenarioRunner.Outcome outcome = runner[0].play(scenario);
            out.flush();
            logs.finished(board.machine().guestLog());
            logs.summarize(System.err);
            System.err.println("[script] " + (outcome.passed() ? "passed: " : "FAILED: ") + outcome.message());
            return outcome.passed() ? 0 : 1;
        }
    }
}
