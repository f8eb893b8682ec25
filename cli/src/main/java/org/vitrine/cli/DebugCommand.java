package org.vitrine.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vitrine debug --batch FILE [run options]}: boots the machine as {@code vitrine run
 * --headless} would (the same options), halted, and runs the debugger commands of FILE against it
 * ({@link org.vitrine.cli.debug.BatchDebugger}). The exit status is the run's, or 2 when the
 * script has a bad line (reported as FILE:LINE: message).
 */
@Command(name = "debug", mixinStandardHelpOptions = true,
        description = {"Run debugger commands from a file against a headless machine (the options of 'vitrine run').",
                "Commands, one a line: break SYMBOL|ADDR [if pid N], watch ADDR LEN [r|w|rw], catch syscall N|any, "
                        + "catch exception EC, catch irq, catch switch, catch off, continue, step [N], next, finish, until ADDR, "
                        + "reverse-step [N], reverse-continue, who-wrote ADDR LEN, regs, mem ADDR LEN, bt, ps, delete N, quit.",
                "Exit status: as 'vitrine run'; 2 for a bad script line (unknown command, bad address), reported as FILE:LINE."})
public final class DebugCommand extends RunCommand {
    @Option(names = "--batch", paramLabel = "FILE", required = true, description = "The debugger commands to run.")
    Path batch;

    @CommandLine.Mixin
    RewindOptions rewind;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(batch)) {
            System.err.println("vitrine: debug script " + batch + " not found");
            return ExitCodes.USAGE;
        }
        headless = true;
        debugBatch = new RunSession.DebugBatch(batch, rewind);
        return super.call();
    }
}
