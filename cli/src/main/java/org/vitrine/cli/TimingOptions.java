package org.vitrine.cli;

import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.time.TimingModel;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --timing fixed|a53}, shared by {@code run}, {@code debug}, {@code script},
 * {@code snapshot-bench} and {@code bench} (a picocli mixin). The a53 model is the default of every
 * command that builds a machine for a user; {@code bench}, whose suite compares Vitrine with QEMU,
 * defaults to the fixed model, whose cycles equal QEMU's {@code -icount shift=0} instructions
 * ({@link #pipelineOr}).
 */
public final class TimingOptions {
    /** The model of a machine built for a user when {@code --timing} is not given. */
    static final TimingModel.Pipeline DEFAULT = TimingModel.Pipeline.A53;

    @Option(names = "--timing", paramLabel = "MODEL",
            description = {"CPU timing model: a53 (a Cortex-A53-like in-order dual-issue pipeline with branch prediction, caches "
                    + "and TLBs; docs/timing-a53.md; the default, except for bench) or fixed (1 cycle per instruction at 1 GHz, as "
                    + "QEMU's -icount shift=0: the QEMU differential tests' model, and bench's default). Virtual time, and so the "
                    + "timers, the RTC and pacing, follow the model's cycles."})
    String model;

    /** The pipeline asked for ({@link #DEFAULT} when none was), or an {@link IllegalArgumentException} naming what is wrong. */
    TimingModel.Pipeline pipeline() {
        return pipelineOr(DEFAULT);
    }

    /** The pipeline asked for, {@code unnamed} when {@code --timing} was not given. */
    TimingModel.Pipeline pipelineOr(TimingModel.Pipeline unnamed) {
        return model == null ? unnamed : TimingModel.Pipeline.parse(model);
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
