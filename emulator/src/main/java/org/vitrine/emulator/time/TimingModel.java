package org.vitrine.emulator.time;

/**
 * How many CPU cycles code takes: for now a fixed number of cycles per instruction at a given
 * clock frequency (the foundation's model: 1 cycle per instruction at 1 GHz, which matches QEMU's
 * {@code -icount shift=0}). The run loop charges each translated block its instruction count times
 * {@link #cyclesPerInstruction()} in the native block hook; a cycle-approximate model with
 * per-instruction costs will extend that hook with a per-block cost table.
 */
public record TimingModel(long cyclesPerSecond, int cyclesPerInstruction) {
    public TimingModel {
        if (cyclesPerSecond <= 0 || cyclesPerInstruction <= 0) {
            throw new IllegalArgumentException("timing model needs a positive frequency and cycles per instruction");
        }
    }

    public static TimingModel fixedCpi(long cyclesPerSecond, int cyclesPerInstruction) {
        return new TimingModel(cyclesPerSecond, cyclesPerInstruction);
    }

    /** Cycles for {@code instructions} instructions. */
    public long cycles(long instructions) {
        return instructions * cyclesPerInstruction;
    }

    @Override
    public String toString() {
        return cyclesPerInstruction + " cycle(s) per instruction at " + cyclesPerSecond + " Hz";
    }
}
