package org.vitrine.devices.regs;

/**
 * A named bit range of a register, as the hardware manual names it ("UARTCR.LBE", bits [7:7]).
 * Immutable: a device declares its fields once as constants, lists them in its register
 * declarations (which makes them the register's writable bits), and uses the same constants to
 * take register values apart ({@link #get}, {@link #isSet}) and put them together ({@link #of}).
 *
 * <p>A field the model does not implement is still declared, with {@link #unimplemented}: it
 * stores and reads back like any other, and a write that changes it to a value other than the one
 * the model behaves as (its reset value, unless given) is reported as unimplemented.
 */
public final class Field {
    private final String name;
    private final int lsb;
    private final int width;
    private final long mask;
    private final String unimplemented;
    private final Long modelledValue;

    private Field(String name, int lsb, int width, String unimplemented, Long modelledValue) {
        if (lsb < 0 || width < 1 || lsb + width > 64) {
            throw new IllegalArgumentException("field " + name + " at bits [" + (lsb + width - 1) + ":" + lsb + "]");
        }
        this.name = name;
        this.lsb = lsb;
        this.width = width;
        this.mask = (width == 64 ? -1L : (1L << width) - 1) << lsb;
        this.unimplemented = unimplemented;
        this.modelledValue = modelledValue;
        if (modelledValue != null && (modelledValue < 0 || (modelledValue << lsb & ~mask) != 0)) {
            throw new IllegalArgumentException("field " + name + " cannot hold " + modelledValue);
        }
    }

    /** A one-bit field. */
    public static Field bit(String name, int bit) {
        return new Field(name, bit, 1, null, null);
    }

    /** Bits [msb:lsb], inclusive, as manuals write them. */
    public static Field bits(String name, int msb, int lsb) {
        return new Field(name, lsb, msb - lsb + 1, null, null);
    }

    /**
     * The same field, declared but not modelled: {@code note} says what the model does instead
     * ("IrDA SIR not modelled"). The model behaves as if the field held its reset value.
     */
    public Field unimplemented(String note) {
        return new Field(name, lsb, width, note, null);
    }

    /** As {@link #unimplemented(String)}, the model behaving as if the field held {@code modelledValue}. */
    public Field unimplemented(String note, long modelledValue) {
        return new Field(name, lsb, width, note, modelledValue);
    }

    public String name() {
        return name;
    }

    public int lsb() {
        return lsb;
    }

    public int width() {
        return width;
    }

    /** The field's bits in place. */
    public long mask() {
        return mask;
    }

    /** The field's value in {@code register}, shifted down. */
    public long get(long register) {
        return (register & mask) >>> lsb;
    }

    /** True when any bit of the field is set in {@code register}. */
    public boolean isSet(long register) {
        return (register & mask) != 0;
    }

    /** {@code value} placed in the field's bits (bits that do not fit are dropped). */
    public long of(long value) {
        return (value << lsb) & mask;
    }

    /** {@code register} with the field replaced by {@code value}. */
    public long insert(long register, long value) {
        return (register & ~mask) | of(value);
    }

    public boolean implemented() {
        return unimplemented == null;
    }

    /** What the model does instead, for an unimplemented field; null when implemented. */
    String unimplementedNote() {
        return unimplemented;
    }

    /** The value the model behaves as, or null when that is the field's reset value. */
    Long modelledValue() {
        return modelledValue;
    }

    /** The union of the fields' bits. */
    public static long maskOf(Field... fields) {
        long m = 0;
        for (Field f : fields) m |= f.mask;
        return m;
    }

    @Override
    public String toString() {
        return width == 1 ? name + "[" + lsb + "]" : name + "[" + (lsb + width - 1) + ":" + lsb + "]";
    }
}
