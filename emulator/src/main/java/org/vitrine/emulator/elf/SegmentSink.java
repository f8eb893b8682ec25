package org.vitrine.emulator.elf;

/**
 * Where {@link ElfFile#load} puts the loadable segments: guest physical memory, supplied by the
 * caller so the loader knows nothing of the CPU core. Implementations should reject (with their
 * own exception) addresses outside the machine's RAM.
 */
public interface SegmentSink {
    /** Copies {@code len} bytes of {@code data}, starting at {@code off}, to guest physical {@code physAddr}. */
    void write(long physAddr, byte[] data, int off, int len);

    /** Zero-fills {@code len} bytes at guest physical {@code physAddr} (a segment's .bss part). */
    void zero(long physAddr, long len);
}
