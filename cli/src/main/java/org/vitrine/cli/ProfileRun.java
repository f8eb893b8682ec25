package org.vitrine.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.debug.Symbols;
import org.vitrine.emulator.debug.VirtualMemory;
import org.vitrine.emulator.profile.ProfileReport;
import org.vitrine.emulator.profile.Profiler;

/**
 * {@code --profile DIR}: the OS-aware profiler ({@link Profiler}) around one run of a board, its
 * files written into DIR when the run ends ({@code profile.txt}, {@code stacks.folded},
 * {@code flamegraph.svg}) and the summary's first lines told on standard error.
 */
final class ProfileRun {
    /** Where to write, and the sampling interval in virtual nanoseconds. */
    record Plan(Path dir, long intervalNanos) { }

    private final Plan plan;
    private final Profiler profiler;
    private final Path kernel;

    private ProfileRun(Plan plan, Profiler profiler, Path kernel) {
        this.plan = plan;
        this.profiler = profiler;
        this.kernel = kernel;
    }

    /** Starts profiling the booted {@code board} (null plan: no profiling, returns null). */
    static ProfileRun start(Plan plan, VirtBoard board, Path kernel) {
        if (plan == null) return null;
        long interval = board.machine().clock().nanosToCycles(plan.intervalNanos());
        return new ProfileRun(plan, new Profiler(board.machine(), names(board, kernel), interval), kernel);
    }

    /** Ends profiling and writes the files; false (and a message) if they cannot be written. */
    boolean finish(VirtBoard board, PrintStream err) {
        profiler.close();
        ProfileReport report = profiler.report();
        try {
            report.writeTo(plan.dir(), String.format("Vitrine profile: %s, %.3f s of virtual time", kernel == null ? "guest" : kernel.getFileName(),
                    report.cycles() / (double) board.machine().clock().cyclesPerSecond()));
        } catch (IOException e) {
            err.println("vitrine: cannot write the profile into " + plan.dir() + ": " + e.getMessage());
            return false;
        }
        err.printf("[vitrine] profile: %,d samples, %d processes; %s, %s and %s in %s%n", report.samples(),
                report.processes().size(), ProfileReport.SUMMARY, ProfileReport.FOLDED, ProfileReport.FLAME_GRAPH, plan.dir());
        return true;
    }

    /**
     * Names from the debugger's symbols ({@link DebugSessions#symbols}: the kernel ELF's, and each
     * rost program's, recognised by the code mapped in the process), functions without their offset.
     */
    private static Profiler.CodeNames names(VirtBoard board, Path kernel) {
        Symbols symbols = DebugSessions.symbols(kernel);
        VirtualMemory memory = new VirtualMemory(board.machine().cpu(), board.machine().ram());
        return new Profiler.CodeNames() {
            @Override
            public String function(long va, long ttbr0) {
                String d = symbols.describe(va, program(ttbr0, va));
                // "program:path+0x1c" -> "path": the stack's first frame already names the process
                return d.startsWith("0x") ? null : d.replaceFirst("\\+0x[0-9a-f]+$", "").replaceFirst("^[^:]+:(?!:)", "");
            }

            @Override
            public String program(long ttbr0) {
                return symbols.programOf(ttbr0, memory::read).map(Symbols.Program::name).orElse(null);
            }

            private java.util.Optional<Symbols.Program> program(long ttbr0, long va) {
                return symbols.inKernel(va) ? java.util.Optional.empty() : symbols.programOf(ttbr0, memory::read);
            }

        };
    }
}
