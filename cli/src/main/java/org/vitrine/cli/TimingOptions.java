package org.vitrine.cli;

import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.time.TimingModel;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --timing fixed|a53}, shared by {@code run}, {@code script} and {@code bench} (a picocli mixin). */
public final class TimingOptions {
    @Option(names = "--timing", paramLabel = "MODEL", defaultValue = "fixed",
            description = {"CPU timing model: fixed (default: 1 cycle per instruction at 1 GHz, as QEMU's -icount shift=0) or a53 "
                    + "(a Cortex-A53-like in-order dual-issue pipeline with branch prediction, caches and TLBs; docs/timing-a53.md). "
                    + "Virtual time, and so the timers, the RTC and pacing, follow the model's cycles."})
    String model;

    /** The pipeline asked for, or an {@link IllegalArgumentException} naming what is wrong. */
    TimingModel.Pipeline pipeline() {
        return TimingModel.Pipeline.parse(model);
    }

    /** {@code options} with the timing model these options ask for; a bad value is the command line's error. */
    VirtBoard.Options applyTo(VirtBoard.Options options, CommandLine.Model.CommandSpec spec) {
        try {
            return options.withTiming(options.timing().with(pipeline()));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
