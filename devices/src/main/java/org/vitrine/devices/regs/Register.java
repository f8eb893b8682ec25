package org.vitrine.devices.regs;

import java.util.List;

import org.vitrine.emulator.spi.GuestLog;

/**
 * One register of a device (or an array of identical ones, GICD_IPRIORITYR0..n), declared once
 * through {@link RegisterMap.Builder}: name, offset, width, {@link Access}, reset value, named
 * {@link Field}s, and where its value lives.
 *
 * <p>The value lives in the register (a <em>stored</em> register: reads return it, writes update
 * it after the access rules, and {@link #set} lets the device change it as the hardware would), or
 * in the device: a {@link Reader} computes each read and a {@link Writer} receives each write, for
 * registers with side effects (a FIFO pop, an interrupt acknowledge) or whose state the device
 * keeps in its own form. A stored register may also have a {@link Changed} callback that runs
 * after each write.
 *
 * <p>A writer receives the value the guest wrote, already reduced to what the register takes: for
 * {@link Access#RW} and {@link Access#WO}, the written bytes merged with the current value (a
 * narrow or half access), masked to the declared fields; for {@link Access#W1C} and
 * {@link Access#W1S}, the 1 bits written, in the written bytes and the declared fields only. A
 * reader of a register that can be written narrowly, or that has unimplemented fields, must have
 * no side effects: the map reads it to merge or compare.
 *
 * <p>Per-instance (it holds the device's state and callbacks); used from the emulation thread.
 */
public final class Register {
    /** Computes the value of element {@code index} (0 for a single register). */
    @FunctionalInterface
    public interface Reader {
        long read(int index);
    }

    /** Receives a write to element {@code index}; see the class comment for what {@code value} holds. */
    @FunctionalInterface
    public interface Writer {
        void write(int index, long value);
    }

    /** Runs after a write changed (or rewrote) a stored register. */
    @FunctionalInterface
    public interface Changed {
        void changed(int index, long old, long now);
    }

    final String name;
    final int offset;
    /** Width in bytes, also the distance between array elements: 4 or 8. */
    final int bytes;
    final int log2Bytes;
    final int count;
    final Access access;
    /** The access rights, decided once: the policy's fast path tests these. */
    final boolean readable;
    final boolean writable;
    final NarrowAccess narrow;
    final String note;
    final List<Field> fields;
    final long widthMask;
    final long writeMask;
    final long[] resets;
    final long[] values;
    final Reader reader;
    final Writer writer;
    final Changed changed;
    private final Field[] unimplementedFields;
    private final long[] modelledValues;

    Register(String name, int offset, int bytes, int count, Access access, NarrowAccess narrow, String note,
             List<Field> fields, long[] resets, Reader reader, Writer writer, Changed changed) {
        this.name = name;
        this.offset = offset;
        this.bytes = bytes;
        this.log2Bytes = Integer.numberOfTrailingZeros(bytes);
        this.count = count;
        this.access = access;
        this.readable = access.readable();
        this.writable = access.writable();
        this.narrow = narrow;
        this.note = note;
        this.fields = List.copyOf(fields);
        this.widthMask = bytes == 8 ? -1L : 0xFFFF_FFFFL;
        this.writeMask = fields.isEmpty() ? widthMask : Field.maskOf(fields.toArray(Field[]::new));
        this.resets = resets;
        this.values = resets.clone();
        this.reader = reader;
        this.writer = writer;
        this.changed = changed;
        List<Field> unimplemented = fields.stream().filter(f -> !f.implemented()).toList();
        this.unimplementedFields = unimplemented.toArray(Field[]::new);
        this.modelledValues = new long[unimplementedFields.length];
        for (int k = 0; k < unimplementedFields.length; k++) {
            Field f = unimplementedFields[k];
            modelledValues[k] = f.modelledValue() != null ? f.modelledValue() : f.get(resets[0]);
        }
    }

    public String name() {
        return name;
    }

    /** Offset of element 0 in the register block. */
    public int offset() {
        return offset;
    }

    /** Width in bytes (4 or 8). */
    public int bytes() {
        return bytes;
    }

    /** Number of elements (1 for a single register). */
    public int count() {
        return count;
    }

    public Access access() {
        return access;
    }

    public List<Field> fields() {
        return fields;
    }

    /** The field named {@code fieldName}; a wiring error if there is none. */
    public Field field(String fieldName) {
        for (Field f : fields) {
            if (f.name().equals(fieldName)) return f;
        }
        throw new IllegalArgumentException(name + " has no field " + fieldName);
    }

    /** The manual's name of element {@code index}: GICD_IPRIORITYR12, or the name of a single register. */
    public String nameOf(int index) {
        return count == 1 ? name : name + index;
    }

    public long resetValue(int index) {
        return resets[index];
    }

    /** Element 0's current value: what a read would return, without the access checks. */
    public long value() {
        return value(0);
    }

    /** Element {@code index}'s current value: what a read would return, without the access checks. */
    public long value(int index) {
        return reader != null ? reader.read(index) & widthMask : values[index];
    }

    /** Sets a stored register as the hardware would (a status bit the device raises): no checks, no callback. */
    public void set(long value) {
        set(0, value);
    }

    public void set(int index, long value) {
        values[index] = value & widthMask;
    }

    void reset() {
        System.arraycopy(resets, 0, values, 0, count);
    }

    /**
     * A write the map has admitted: {@code incoming} holds the written bytes in place, {@code lanes}
     * marks them (all of the register's bytes for a whole access).
     */
    void write(int index, long incoming, long lanes, GuestLog.Source log) {
        if (access == Access.W1C || access == Access.W1S) {
            long bits = incoming & lanes & writeMask;
            if (writer != null) {
                writer.write(index, bits);
                return;
            }
            long old = values[index];
            long now = access == Access.W1C ? old & ~bits : old | bits;
            values[index] = now;
            if (changed != null) changed.changed(index, old, now);
            return;
        }
        boolean whole = lanes == widthMask;
        boolean needOld = !whole || writer == null || unimplementedFields.length != 0;
        long old = needOld ? (access == Access.WO ? values[index] : value(index)) : 0;
        long merged = whole ? incoming : (old & ~lanes) | (incoming & lanes);
        if (unimplementedFields.length != 0) reportUnimplemented(index, old, merged, log);
        if (writer != null) {
            writer.write(index, merged & writeMask);
            return;
        }
        long now = (old & ~writeMask) | (merged & writeMask);
        values[index] = now;
        if (changed != null) changed.changed(index, old, now);
    }

    /** An unimplemented field changed to a value the model does not behave as: say so. */
    private void reportUnimplemented(int index, long old, long now, GuestLog.Source log) {
        for (int k = 0; k < unimplementedFields.length; k++) {
            Field f = unimplementedFields[k];
            long v = f.get(now);
            if (v != f.get(old) && v != modelledValues[k]) {
                log.unimplemented("%s.%s set to %d: %s", nameOf(index), f.name(), v, f.unimplementedNote());
            }
        }
    }

    @Override
    public String toString() {
        return String.format("%s@0x%03x", name, offset);
    }
}
