package org.vitrine.emulator.time;

/**
 * How many CPU cycles code takes. The run loop charges a block when it starts; when a block is
 * cut short (a fault in its middle) or time is read inside it, {@link #cyclesBefore} gives the
 * cost of the instructions before a given PC. AArch64 instructions are all 4 bytes.
 */
public interface TimingModel {
    /** CPU clock frequency in Hz. */
    long cyclesPerSecond();

    /** Cycles for executing the whole block [address, address + size). */
    long blockCycles(long address, int size);

    /** Cycles for the instructions of the block at {@code blockAddress} that come before {@code pc}. */
    long cyclesBefore(long blockAddress, int blockSize, long pc);

    /** A fixed number of cycles per instruction. */
    static TimingModel fixedCpi(long cyclesPerSecond, int cyclesPerInstruction) {
        return new TimingModel() {
            @Override
            public long cyclesPerSecond() {
                return cyclesPerSecond;
            }

            @Override
            public long blockCycles(long address, int size) {
                return (long) (size >>> 2) * cyclesPerInstruction;
            }

            @Override
            public long cyclesBefore(long blockAddress, int blockSize, long pc) {
                long n = (pc - blockAddress) >> 2;
                if (n < 0) n = 0;
                if (n > (blockSize >>> 2)) n = blockSize >>> 2;
                return n * cyclesPerInstruction;
            }

            @Override
            public String toString() {
                return cyclesPerInstruction + " cycle(s) per instruction at " + cyclesPerSecond + " Hz";
            }
        };
    }
}
