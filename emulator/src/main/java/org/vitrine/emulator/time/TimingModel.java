package org.vitrine.emulator.time;

import java.util.Locale;

/**
 * How many CPU cycles code takes, at a given clock frequency. Two pipelines:
 * <ul>
 *   <li>{@link Pipeline#FIXED}: a fixed number of cycles per instruction (the foundation's model: 1
 *       cycle per instruction at 1 GHz, which matches QEMU's {@code -icount shift=0}, and which the
 *       QEMU differential tests rely on). The native block hook charges each translated block its
 *       instruction count times {@link #cyclesPerInstruction()}.</li>
 *   <li>{@link Pipeline#A53}: a Cortex-A53-like core (native, src/main/c/vitrine_a53.c; figures in
 *       docs/timing-a53.md): per-block static costs of an in-order dual-issue pipeline computed once
 *       per translated block, a branch predictor, caches and TLBs. {@link #cyclesPerInstruction()}
 *       is then only the cost of an instruction the model cannot read.</li>
 * </ul>
 * Either way time is the cycle count: the generic timer, the RTC, device latencies and pacing all
 * derive from it through {@link #cyclesPerSecond()}.
 */
public record TimingModel(long cyclesPerSecond, int cyclesPerInstruction, Pipeline pipeline) {
    /** The {@code --timing} choices. */
    public enum Pipeline {
        FIXED, A53;

        /** {@code fixed} or {@code a53} (case-insensitive). */
        public static Pipeline parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown timing model '" + name + "' (fixed or a53)");
            }
        }

        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public TimingModel {
        if (cyclesPerSecond <= 0 || cyclesPerInstruction <= 0) {
            throw new IllegalArgumentException("timing model needs a positive frequency and cycles per instruction");
        }
        if (pipeline == null) throw new IllegalArgumentException("timing model needs a pipeline");
    }

    public TimingModel(long cyclesPerSecond, int cyclesPerInstruction) {
        this(cyclesPerSecond, cyclesPerInstruction, Pipeline.FIXED);
    }

    public static TimingModel fixedCpi(long cyclesPerSecond, int cyclesPerInstruction) {
        return new TimingModel(cyclesPerSecond, cyclesPerInstruction, Pipeline.FIXED);
    }

    /** The Cortex-A53-like model at {@code cyclesPerSecond}. */
    public static TimingModel a53(long cyclesPerSecond) {
        return new TimingModel(cyclesPerSecond, 1, Pipeline.A53);
    }

    /** The same frequency with {@code p}'s pipeline (the fixed model at 1 cycle per instruction). */
    public TimingModel with(Pipeline p) {
        return new TimingModel(cyclesPerSecond, p == Pipeline.FIXED && pipeline != Pipeline.FIXED ? 1 : cyclesPerInstruction, p);
    }

    /** Cycles for {@code instructions} instructions under the fixed model. */
    public long cycles(long instructions) {
        return instructions * cyclesPerInstruction;
    }

    @Override
    public String toString() {
        return pipeline == Pipeline.A53 ? "Cortex-A53-like pipeline at " + cyclesPerSecond + " Hz"
                : cyclesPerInstruction + " cycle(s) per instruction at " + cyclesPerSecond + " Hz";
    }
}
