package org.vitrine.emulator.spi;

/**
 * A memory-mapped register block, the one interface through which the CPU reaches a device.
 *
 * <p>Offsets are relative to the region's base. Sizes are 1, 2, 4 or 8 bytes; Unicorn delivers an
 * 8-byte guest access to a region as two 4-byte calls (low word first), so a device that has
 * 64-bit registers must accept them as two halves. Implementations must never throw on a guest
 * access: an access the hardware would reject is logged through the machine's {@link GuestLog} and answered
 * as the hardware would (read-as-zero, write-ignored, an error status).
 *
 * <p>Calls arrive on the emulation thread, in the middle of a guest instruction: a device may
 * update its state and its interrupt lines, schedule events, and do DMA, but must not block.
 */
public interface MmioDevice {
    /** Short name for logs and traces, e.g. "pl011". */
    String name();

    /** Size in bytes of the register block (a multiple of 4 KiB is not required). */
    long size();

    long read(long offset, int size);

    void write(long offset, int size, long value);
}
