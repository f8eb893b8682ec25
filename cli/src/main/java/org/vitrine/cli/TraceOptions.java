package org.vitrine.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.debug.Tracer;

import picocli.CommandLine.Option;

/**
 * {@code --trace WHAT[,WHAT...]} and {@code --trace-file FILE}, for {@code vitrine run} and (through
 * it) {@code vitrine debug} (a picocli mixin): what {@link Tracer} writes, and where.
 */
public final class TraceOptions {
    /** What --trace can show. */
    public enum Trace {
        instructions(Tracer.Kind.INSTRUCTIONS), syscalls(Tracer.Kind.SYSCALLS), ipc(Tracer.Kind.IPC), exceptions(Tracer.Kind.EXCEPTIONS);

        final Tracer.Kind kind;

        Trace(Tracer.Kind kind) {
            this.kind = kind;
        }
    }

    @Option(names = "--trace", paramLabel = "WHAT", split = ",",
            description = {"Trace events, one a line with the pid and program of rost's process and symbolised addresses "
                    + "(comma-separated): ${COMPLETION-CANDIDATES}.",
                    "instructions: each instruction with its disassembly (many lines: use --trace-file); syscalls: each system call "
                            + "by name with x0..x3; ipc: each message sent and received with the other pid and the message's kind; "
                            + "exceptions: each exception taken, with its class, ESR, ELR, FAR and SPSR (external aborts with the "
                            + "physical address that failed). The guest runs exactly as without it."})
    Set<Trace> trace = EnumSet.noneOf(Trace.class);

    @Option(names = "--trace-file", paramLabel = "FILE", description = "Write the trace to FILE instead of standard error.")
    Path traceFile;

    boolean any() {
        return !trace.isEmpty();
    }

    /** Where the trace goes: FILE (checked writable now, so a bad path fails before the run) or standard error. */
    PrintStream open() throws IOException {
        if (traceFile == null) return System.err;
        return new PrintStream(new BufferedOutputStream(Files.newOutputStream(traceFile), 1 << 16), false);
    }

    /** A tracer of {@code board} writing to {@code out}, or null when nothing is traced. */
    Tracer start(VirtBoard board, Path kernel, PrintStream out) {
        if (trace.isEmpty()) return null;
        Set<Tracer.Kind> kinds = EnumSet.noneOf(Tracer.Kind.class);
        for (Trace t : trace) kinds.add(t.kind);
        return new Tracer(board.machine(), DebugSessions.symbols(kernel), kinds, out);
    }
}
