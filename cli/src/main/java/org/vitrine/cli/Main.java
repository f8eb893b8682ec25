package org.vitrine.cli;

import org.vitrine.cli.log.LogOptions;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vitrine} command: dispatches to its subcommands. */
@Command(name = "vitrine", mixinStandardHelpOptions = true, version = "vitrine 0.1",
        description = "Cycle-approximate AArch64 full-system emulator of QEMU's virt board.",
        subcommands = {RunCommand.class, DebugCommand.class, DebugBenchCommand.class, ScriptCommand.class, BenchCommand.class, SnapshotBenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try 'vitrine run --headless')");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** The command line with its subcommands and their help. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        ScriptCommand.addGrammar(cl.getSubcommands().get("script"));
        return cl;
    }

    /** Runs the command line and returns the exit code (tests call this directly). */
    public static int execute(String... args) {
        CommandLine cl = commandLine();
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof LogOptions.UnwritableException e) {   // any command's --log-file, before its machine starts
                cmd.getErr().println("vitrine: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            cmd.getErr().println("vitrine: host error: " + ex);
            if (Boolean.getBoolean("vitrine.debug")) ex.printStackTrace(cmd.getErr());
            return ExitCodes.HOST_ERROR;
        });
        return cl.execute(args);
    }
}
