package org.vitrine.emulator.spi;

import java.lang.foreign.MemorySegment;

/**
 * A device whose reads are, most of the time, plain memory: a flash chip in read-array mode. The
 * machine maps {@link #array()} as read-only, executable guest memory while {@link #inArrayMode()}
 * holds (reads and instruction fetches at RAM speed), hands every guest write to {@link #write},
 * and maps the device as MMIO while it answers reads with something else (status, query data).
 * Guest code cannot run from the device while it is out of array mode, as on the hardware.
 */
public interface ArrayMemoryDevice extends MmioDevice {
    /** The contents, {@link #size()} bytes, page-aligned host memory; the device writes it when it programs. */
    MemorySegment array();

    /** True when a read returns {@link #array()}'s bytes. */
    boolean inArrayMode();

    /** Called (on the emulation thread) whenever {@link #inArrayMode()} may have changed. */
    void onModeChange(Runnable listener);
}
