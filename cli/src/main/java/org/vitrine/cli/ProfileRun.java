package org.vitrine.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.elf.ElfFile;
import org.vitrine.emulator.elf.ElfFormatException;
import org.vitrine.emulator.elf.SymbolTable;
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
        return new ProfileRun(plan, new Profiler(board.machine(), names(kernel), interval), kernel);
    }

    /** Ends profiling and writes the files; false (and a message) if they cannot be written. */
    boolean finish(PrintStream err) {
        profiler.close();
        ProfileReport report = profiler.report();
        try {
            report.writeTo(plan.dir(), "Vitrine profile: " + (kernel == null ? "guest" : kernel.getFileName()));
        } catch (IOException e) {
            err.println("vitrine: cannot write the profile into " + plan.dir() + ": " + e.getMessage());
            return false;
        }
        err.printf("[vitrine] profile: %,d samples, %d processes; %s, %s and %s in %s%n", report.samples(),
                report.processes().size(), ProfileReport.SUMMARY, ProfileReport.FOLDED, ProfileReport.FLAME_GRAPH, plan.dir());
        return true;
    }

    /** Names from the kernel ELF's symbols (when the kernel is an ELF with them). */
    private static Profiler.CodeNames names(Path kernel) {
        SymbolTable symbols;
        try {
            symbols = kernel == null ? null : ElfFile.parse(Files.readAllBytes(kernel)).symbols();
        } catch (IOException | ElfFormatException e) {
            symbols = null;
        }
        SymbolTable kernelSymbols = symbols;
        return new Profiler.CodeNames() {
            @Override
            public String function(long va, long ttbr0) {
                return kernelSymbols == null ? null : kernelSymbols.lookup(va).map(l -> l.symbol().name()).orElse(null);
            }

            @Override
            public String program(long ttbr0) {
                return null;
            }
        };
    }
}
