package org.vitrine.emulator.snapshot;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Where a part writes its section: little-endian fixed-size values, length-prefixed arrays and
 * strings, and raw bytes straight from host memory (RAM pages). {@link StateReader} reads the same
 * layout back.
 */
public final class StateWriter {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private byte[] buf;
    private int size;

    public StateWriter() {
        this(256);
    }

    public StateWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private int grow(int n) {
        int at = size;
        long need = (long) size + n;
        if (need > buf.length) {
            if (need > Integer.MAX_VALUE - 16) throw new IllegalStateException("a snapshot section is limited to 2 GiB");
            buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(need, buf.length * 2L)));
        }
        size += n;
        return at;
    }

    /** Makes room for {@code bytes} more bytes at once (bulk data: RAM pages). */
    public StateWriter reserve(long bytes) {
        int at = grow((int) Math.min(Integer.MAX_VALUE - 16, bytes));
        size = at;
        return this;
    }

    public StateWriter u8(int v) {
        int at = grow(1);  // grow first: it may replace buf
        buf[at] = (byte) v;
        return this;
    }

    public StateWriter bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    public StateWriter i32(int v) {
        int at = grow(4);
        INT.set(buf, at, v);
        return this;
    }

    public StateWriter i64(long v) {
        int at = grow(8);
        LONG.set(buf, at, v);
        return this;
    }

    /** A length-prefixed byte array; null is written as length -1. */
    public StateWriter bytes(byte[] v) {
        if (v == null) return i32(-1);
        i32(v.length);
        int at = grow(v.length);
        System.arraycopy(v, 0, buf, at, v.length);
        return this;
    }

    /** A length-prefixed int array; null is written as length -1. */
    public StateWriter ints(int[] v) {
        if (v == null) return i32(-1);
        i32(v.length);
        int at = grow(v.length * 4);
        MemorySegment.copy(v, 0, MemorySegment.ofArray(buf), LE_INT, at, v.length);  // one bulk copy
        return this;
    }

    /** A length-prefixed long array; null is written as length -1. */
    public StateWriter longs(long[] v) {
        if (v == null) return i32(-1);
        i32(v.length);
        int at = grow(v.length * 8);
        MemorySegment.copy(v, 0, MemorySegment.ofArray(buf), LE_LONG, at, v.length);
        return this;
    }

    /** A length-prefixed UTF-8 string; null is written as length -1. */
    public StateWriter string(String s) {
        return bytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code length} bytes of {@code from} at {@code offset}, with no length prefix (the reader knows it). */
    public StateWriter raw(MemorySegment from, long offset, int length) {
        int at = grow(length);
        MemorySegment.copy(from, ValueLayout.JAVA_BYTE, offset, buf, at, length);
        return this;
    }

    /**
     * A nested section written by {@code part}, length-prefixed, so a reader can hand it on whole:
     * i32 version, then the section as {@link #bytes} writes an array (written in place, its length
     * filled in after).
     */
    public StateWriter section(Snapshottable part) {
        i32(part.snapshotVersion());
        int lengthAt = grow(4);
        int start = size;
        part.save(this);
        INT.set(buf, lengthAt, size - start);
        return this;
    }

    public int size() {
        return size;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    /**
     * The bytes written so far: the first {@link #size()} bytes of this array, without a copy when
     * little room is left over (as after an exact {@link #reserve}; a section keeps its array). The
     * writer must not be written to afterwards.
     */
    byte[] array() {
        return buf.length - size <= size / 8 + 64 ? buf : toByteArray();
    }
}
