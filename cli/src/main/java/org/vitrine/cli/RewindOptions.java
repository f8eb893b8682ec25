package org.vitrine.cli;

import org.vitrine.emulator.debug.DebugEngine;

import picocli.CommandLine.Option;

/**
 * The debugger engine's rewinding options, shared by {@code vitrine debug} and {@code vitrine
 * debug-bench} (a picocli mixin): how often a continue leaves a checkpoint to rewind from.
 */
public final class RewindOptions {
    @Option(names = "--snapshot-every", paramLabel = "CYCLES", defaultValue = "" + DebugEngine.DEFAULT_SNAPSHOT_EVERY,
            description = {"Cycles between the checkpoints a continue keeps for reverse execution (default: ${DEFAULT-VALUE}; "
                    + "up to 16 times more while a checkpoint costs over a tenth of the run); older ones thin out geometrically. "
                    + "Fewer make a run faster and a reverse step slower."})
    long snapshotEvery;

    /** Sets up {@code engine} as these options say. */
    void applyTo(DebugEngine engine) {
        engine.setSnapshotInterval(snapshotEvery);
    }
}
