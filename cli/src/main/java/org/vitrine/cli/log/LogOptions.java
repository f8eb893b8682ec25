package org.vitrine.cli.log;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.vitrine.emulator.spi.GuestLog.Kind;

import picocli.CommandLine.Option;

/**
 * {@code --log} and {@code --log-file}, shared by {@code run}, {@code script} and {@code bench}
 * (a picocli mixin): which kinds of guest report are printed, and where. Off by default: a run then
 * prints only the summary of what was counted.
 */
public final class LogOptions {
    @Option(names = "--log", paramLabel = "WHAT", split = ",", converter = LogKinds.class,
            description = {"Print the guest's mistakes as they happen, on standard error (or --log-file): "
                    + "guest-errors (accesses the hardware forbids or leaves undefined; QEMU's -d guest_errors), "
                    + "unimp (features a model does not implement). Off by default: the run ends with one line "
                    + "counting them by device (none when there were none), and a window counts them in its title.",
                    "Repeats of a message (same device and wording, whatever the values) print as the first one "
                            + "plus '... repeated N times'; a message prints at most "
                            + CollapsingSink.DEFAULT_RUNS_PER_MESSAGE + " times, then is only counted (its total at the end)."})
    List<Kind> kinds = new ArrayList<>();

    @Option(names = "--log-file", paramLabel = "FILE",
            description = "Write the --log output to FILE (replaced) instead of standard error; without --log, "
                    + "every kind is logged there. The summary stays on standard error.")
    Path file;

    /**
     * The log file cannot be created or written: the command stops before the machine starts, and
     * {@code vitrine} prints the message and exits 2 (bad arguments), as for any option it refuses.
     */
    public static final class UnwritableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnwritableException(String message) {
            super(message);
        }
    }

    /** The kinds chosen (every kind when only a file was given). */
    public Set<Kind> kinds() {
        if (!kinds.isEmpty()) return EnumSet.copyOf(kinds);
        return file != null ? EnumSet.allOf(Kind.class) : EnumSet.noneOf(Kind.class);
    }

    /**
     * Opens the log for one command: the log file is created now, so that a path that cannot be
     * written stops the command before anything runs.
     *
     * @param err standard error: the log when there is no file, the fallback when the file fails
     */
    public GuestLogSession open(PrintStream err) {
        Set<Kind> chosen = kinds();
        if (file == null) return new GuestLogSession(chosen, err, null, err);
        PrintStream out;
        try {
            out = new PrintStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 14), false, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UnwritableException("cannot write the log file " + file + ": " + reason(e));
        }
        return new GuestLogSession(chosen, out, file.toString(), err);
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "no such directory";
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        return e.getMessage();
    }
}
