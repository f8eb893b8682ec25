package org.vitrine.cli.bench;

import java.util.Optional;

/**
 * One workload of {@code vitrine bench}: a figure measured on Vitrine and the same figure on QEMU,
 * each one run. The suite ({@link BenchSuite}) repeats runs and takes medians; a workload only
 * knows how to run itself once on each side.
 */
public interface Workload {
    /** Short name, used on the command line ({@code --only}) and in the JSON. */
    String name();

    /** What it measures, for the table. */
    String description();

    /** The unit of {@link #vitrine} and {@link #qemu}, e.g. "MIPS", "calls/s", "s". */
    String unit();

    /** True for rates (more is faster), false for durations (less is faster). */
    boolean higherIsBetter();

    /** Why the workload cannot run here (a missing image), or empty. */
    default Optional<String> unavailable(BenchEnv env) {
        return Optional.empty();
    }

    /** One measurement on Vitrine. */
    double vitrine(BenchEnv env) throws Exception;

    /** One measurement on QEMU, or NaN when QEMU cannot be run. */
    double qemu(BenchEnv env) throws Exception;
}
