package org.vitrine.emulator.snapshot;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads a section in {@link StateWriter}'s layout. Every read is bounds-checked: running off the
 * end, a negative length or a value out of its range is a {@link SnapshotException} naming the
 * section, never an unchecked exception.
 */
public final class StateReader {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final String section;
    private final byte[] buf;
    private final int end;
    private int pos;

    public StateReader(String section, byte[] buf) {
        this(section, buf, 0, buf.length);
    }

    public StateReader(String section, byte[] buf, int offset, int length) {
        this.section = section;
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    /** The section this reader reads (for messages). */
    public String section() {
        return section;
    }

    private int take(int n) throws SnapshotException {
        if (n < 0 || end - pos < n) throw new SnapshotException("snapshot section '" + section + "' is truncated");
        int at = pos;
        pos += n;
        return at;
    }

    public int u8() throws SnapshotException {
        return buf[take(1)] & 0xFF;
    }

    public boolean bool() throws SnapshotException {
        int v = u8();
        if (v > 1) throw bad("a boolean reads " + v);
        return v == 1;
    }

    public int i32() throws SnapshotException {
        return (int) INT.get(buf, take(4));
    }

    public long i64() throws SnapshotException {
        return (long) LONG.get(buf, take(8));
    }

    /** An int in [min, max], else an error naming {@code what}. */
    public int i32(String what, int min, int max) throws SnapshotException {
        int v = i32();
        if (v < min || v > max) throw bad(what + " is " + v + ", outside " + min + ".." + max);
        return v;
    }

    /** A long in [min, max], else an error naming {@code what}. */
    public long i64(String what, long min, long max) throws SnapshotException {
        long v = i64();
        if (v < min || v > max) throw bad(what + " is " + v + ", outside " + min + ".." + max);
        return v;
    }

    private int length(boolean nullable, int elementSize) throws SnapshotException {
        int n = i32();
        if (n == -1 && nullable) return -1;
        if (n < 0 || (long) n * elementSize > end - pos) throw new SnapshotException("snapshot section '" + section + "' is truncated");
        return n;
    }

    /** A byte array (null if written as null). */
    public byte[] bytes() throws SnapshotException {
        int n = length(true, 1);
        if (n < 0) return null;
        byte[] v = new byte[n];
        System.arraycopy(buf, take(n), v, 0, n);
        return v;
    }

    /** A byte array of exactly {@code length} bytes. */
    public byte[] bytes(String what, int length) throws SnapshotException {
        byte[] v = bytes();
        if (v == null || v.length != length) throw bad(what + " has " + (v == null ? "no" : v.length) + " bytes, not " + length);
        return v;
    }

    public int[] ints() throws SnapshotException {
        int n = length(true, 4);
        if (n < 0) return null;
        int[] v = new int[n];
        int at = take(4 * n);
        MemorySegment.copy(MemorySegment.ofArray(buf), StateWriter.LE_INT, at, v, 0, n);
        return v;
    }

    /** An int array of exactly {@code length} elements. */
    public int[] ints(String what, int length) throws SnapshotException {
        int[] v = ints();
        if (v == null || v.length != length) throw bad(what + " has " + (v == null ? "no" : v.length) + " entries, not " + length);
        return v;
    }

    public long[] longs() throws SnapshotException {
        int n = length(true, 8);
        if (n < 0) return null;
        long[] v = new long[n];
        int at = take(8 * n);
        MemorySegment.copy(MemorySegment.ofArray(buf), StateWriter.LE_LONG, at, v, 0, n);
        return v;
    }

    public String string() throws SnapshotException {
        byte[] b = bytes();
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** Copies the next {@code length} bytes into {@code to} at {@code offset}. */
    public void raw(MemorySegment to, long offset, int length) throws SnapshotException {
        MemorySegment.copy(buf, take(length), to, ValueLayout.JAVA_BYTE, offset, length);
    }

    /** Skips {@code length} bytes, returning where they start in {@link #buffer()}. */
    public int skip(int length) throws SnapshotException {
        return take(length);
    }

    /** The whole buffer (with {@link #skip}: reading bulk data in place). */
    public byte[] buffer() {
        return buf;
    }

    /**
     * Loads a nested section written by {@link StateWriter#section} into {@code part}, checking its
     * version and that it was read to the end.
     */
    public Runnable section(Snapshottable part) throws SnapshotException {
        int version = i32();
        int n = length(true, 1);
        if (n < 0) throw bad("nested section of " + part.snapshotName() + " is missing");
        return Snapshot.loadPart(part, version, new StateReader(part.snapshotName(), buf, take(n), n));
    }

    /** An error about this section's content. */
    public SnapshotException bad(String what) {
        return new SnapshotException("snapshot section '" + section + "': " + what);
    }

    /** Fails unless the whole section was read (a longer section is not the layout this reader knows). */
    public void expectEnd() throws SnapshotException {
        if (pos != end) throw bad((end - pos) + " bytes left over after reading it");
    }
}
