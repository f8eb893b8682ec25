package org.vitrine.emulator.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Guest RAM as the host sees it: one contiguous block at a physical base address, shared with
 * Unicorn (mapped with uc_mem_map_ptr) so the CPU, devices and the display read the same bytes
 * without copying. Every accessor checks the range and answers false / throws
 * {@link IndexOutOfBoundsException}-free {@link BadAddressException}s: guest-supplied addresses
 * are never trusted.
 */
public final class PhysicalMemory {
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** A guest physical address outside RAM. */
    public static final class BadAddressException extends Exception {
        public BadAddressException(String message) {
            super(message, null, false, false);
        }
    }

    private final long base;
    private final MemorySegment bytes;

    public PhysicalMemory(long base, MemorySegment bytes) {
        this.base = base;
        this.bytes = bytes;
    }

    public long base() {
        return base;
    }

    public long size() {
        return bytes.byteSize();
    }

    public long end() {
        return base + bytes.byteSize();
    }

    public MemorySegment segment() {
        return bytes;
    }

    /** True when [pa, pa + len) lies inside RAM (overflow-safe). */
    public boolean contains(long pa, long len) {
        if (len < 0) return false;
        long off = pa - base;
        return pa >= base && off <= bytes.byteSize() && len <= bytes.byteSize() - off;
    }

    /** The RAM bytes [pa, pa + len) as a slice, or an exception naming the bad range. */
    public MemorySegment slice(long pa, long len) throws BadAddressException {
        if (!contains(pa, len)) {
            throw new BadAddressException(String.format("physical range 0x%x+0x%x is outside RAM [0x%x, 0x%x)", pa, len, base, end()));
        }
        return bytes.asSlice(pa - base, len);
    }

    public long read64(long pa) throws BadAddressException {
        return slice(pa, 8).get(LONG, 0);
    }

    public int read32(long pa) throws BadAddressException {
        return slice(pa, 4).get(INT, 0);
    }

    public void write64(long pa, long value) throws BadAddressException {
        slice(pa, 8).set(LONG, 0, value);
    }

    public void write32(long pa, int value) throws BadAddressException {
        slice(pa, 4).set(INT, 0, value);
    }

    public void write(long pa, byte[] data, int off, int len) throws BadAddressException {
        MemorySegment.copy(data, off, slice(pa, len), ValueLayout.JAVA_BYTE, 0, len);
    }

    public byte[] read(long pa, int len) throws BadAddressException {
        return slice(pa, len).toArray(ValueLayout.JAVA_BYTE);
    }

    public void fill(long pa, long len, byte value) throws BadAddressException {
        slice(pa, len).fill(value);
    }
}
