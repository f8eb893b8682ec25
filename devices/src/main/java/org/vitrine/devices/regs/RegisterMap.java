package org.vitrine.devices.regs;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.snapshot.StateReader;
import org.vitrine.emulator.snapshot.StateWriter;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.MmioDevice;

/**
 * The registers of one MMIO register block, declared once, and the one policy for accesses the
 * hardware would not accept (in the spirit of Renode's register collections).
 *
 * <pre>{@code
 * regs = RegisterMap.builder(SIZE, log)
 *         .narrowAccesses(NarrowAccess.ALLOWED, Placement.LOW_BITS)
 *         .register("RTCDR", 0x000).ro().read(i -> count())                 // device-held, side effects
 *         .register("RTCMR", 0x004).read(i -> mr).write((i, v) -> setMatch((int) v))
 *         .register("RTCIMSC", 0x010).fields(RTCINTR).read(i -> imsc).write((i, v) -> setMask((int) v))
 *         .register("RTCITCR", 0x080).unimplemented("integration test register")
 *         .array("RTCPeriphID", 0xFE0, 4).ro().reset(0x31, 0x10, 0x14, 0x00)  // stored constants
 *         .build();
 * // MmioDevice.read(offset, size) is then regs.read(offset, size), and so for writes.
 * }</pre>
 *
 * <h2>The policy</h2>
 * Every access is checked in this order; the first failure is reported once to the device's
 * {@link GuestLog.Source} and the access reads as zero / is ignored, as the hardware would answer:
 * <ol>
 *   <li>size (1, 2, 4 or 8 bytes) and range (inside the block): a guest error;</li>
 *   <li>alignment (an access is aligned to its size): a guest error;</li>
 *   <li>a reserved offset (no register declared there): a guest error;</li>
 *   <li>width: an 8-byte access to a 32-bit register is refused; a 32-bit access to a half of a
 *       64-bit register is performed on that half; a byte or halfword access follows the
 *       register's {@link NarrowAccess} (refused, or tolerated: a guest error then performed, or
 *       allowed), landing where the map's {@link Placement} says;</li>
 *   <li>access: a read of a {@link Access#WO} register or a write to an {@link Access#RO} one is a
 *       guest error; {@link Access#RAZ_WI} is silent; {@link Access#UNIMPLEMENTED} is reported as
 *       unimplemented; {@link Access#INVALID} is a guest error with the register's note.</li>
 * </ol>
 * A write that changes an unimplemented {@link Field} to a value the model does not behave as is
 * reported as unimplemented, and performed.
 *
 * <h2>Cost</h2>
 * MMIO is on the emulation's hot path: an access is one array lookup by word offset, a few
 * comparisons and the register's stored value or its device callback. Nothing is allocated and
 * nothing is formatted unless the access is reported.
 *
 * <p>Used from the emulation thread; not thread-safe.
 */
public final class RegisterMap {
    /** Where a byte or halfword access lands in a 32-bit register. */
    public enum Placement {
        /**
         * Only at the start of a 32-bit word, acting on its low bits and zero-extended on write: an
         * APB slave without byte strobes, as QEMU models the PL011 and PL031.
         */
        LOW_BITS,
        /** At any offset aligned to its size, acting on the bytes it addresses (the GIC's byte strobes). */
        ADDRESSED_BYTES
    }

    private static final long[] SIZE_MASK = {0, 0xFFL, 0xFFFFL, 0, 0xFFFF_FFFFL, 0, 0, 0, -1L};

    private final long size;
    private final GuestLog.Source log;
    private final Placement placement;
    private final List<Register> registers;
    /** The register covering each 32-bit word of the block, or null where the offset is reserved. */
    private final Register[] byWord;

    private RegisterMap(long size, GuestLog.Source log, Placement placement, List<Register> registers) {
        this.size = size;
        this.log = log;
        this.placement = placement;
        this.registers = List.copyOf(registers);
        this.byWord = new Register[(int) ((size + 3) / 4)];
        for (Register r : registers) {
            for (int o = r.offset; o < r.offset + r.bytes * r.count; o += 4) {
                if (byWord[o >> 2] != null) {
                    throw new IllegalArgumentException(r + " overlaps " + byWord[o >> 2]);
                }
                byWord[o >> 2] = r;
            }
        }
    }

    /**
     * Starts the declaration of a block of {@code size} bytes whose bad accesses are reported to
     * {@code log}. Narrow accesses are refused unless {@link Builder#narrowAccesses} says otherwise.
     */
    public static Builder builder(long size, GuestLog.Source log) {
        return new Builder(size, log);
    }

    public long size() {
        return size;
    }

    public List<Register> registers() {
        return registers;
    }

    /** The register named {@code name}; a wiring error if there is none. */
    public Register register(String name) {
        for (Register r : registers) {
            if (r.name.equals(name)) return r;
        }
        throw new IllegalArgumentException("no register " + name);
    }

    /** The register covering {@code offset}, or null for a reserved or out-of-range offset. */
    public Register registerAt(long offset) {
        return offset < 0 || offset >= size ? null : byWord[(int) (offset >>> 2)];
    }

    /**
     * The block as an MMIO region named {@code name}, for a device whose regions are nothing but
     * register blocks (the GIC's Distributor and CPU interface).
     */
    public MmioDevice asMmioDevice(String name) {
        return asMmioDevice(name, null);
    }

    /**
     * The block as an MMIO region whose state is part of {@code owner}'s snapshot section (null: a
     * block of constants, with no state at all).
     */
    public MmioDevice asMmioDevice(String name, Snapshottable owner) {
        class Block implements MmioDevice, Snapshottable.View {
            @Override
            public Snapshottable owner() {
                return owner;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public long size() {
                return size;
            }

            @Override
            public long read(long offset, int accessSize) {
                return RegisterMap.this.read(offset, accessSize);
            }

            @Override
            public void write(long offset, int accessSize, long value) {
                RegisterMap.this.write(offset, accessSize, value);
            }
        }
        return new Block();
    }

    /** Snapshots: the stored value of every register (device-held state is in the device's own section). */
    public void save(StateWriter out) {
        out.i32(registers.size());
        for (Register r : registers) out.string(r.name).longs(r.values);
    }

    /** Reads what {@link #save} wrote for this same map; the returned action installs the values. */
    public Runnable load(StateReader in) throws SnapshotException {
        int n = in.i32();
        if (n != registers.size()) throw in.bad(n + " registers, the device has " + registers.size());
        long[][] values = new long[n][];
        for (int i = 0; i < n; i++) {
            Register r = registers.get(i);
            String name = in.string();
            values[i] = in.longs();
            if (!r.name.equals(name) || values[i] == null || values[i].length != r.values.length) {
                throw in.bad("register " + i + " is " + name + ", the device has " + r.name + " there");
            }
            for (int k = 0; k < values[i].length; k++) values[i][k] &= r.widthMask;
        }
        return () -> {
            for (int i = 0; i < n; i++) System.arraycopy(values[i], 0, registers.get(i).values, 0, values[i].length);
        };
    }

    /** Every stored register back to its reset value (device-held state is the device's to reset). */
    public void reset() {
        for (Register r : registers) r.reset();
    }

    // ---- Accesses ---------------------------------------------------------------------------------

    /** A guest read: the register's bytes, or zero after reporting a bad access. */
    public long read(long offset, int size) {
        Register r = admit(offset, size, false, 0);
        if (r == null) return 0;
        int rel = (int) offset - r.offset;
        int index = rel >>> r.log2Bytes;
        int at = rel & (r.bytes - 1);
        return (r.value(index) >>> (8 * at)) & SIZE_MASK[size];
    }

    /** A guest write: performed on the register, or ignored after reporting a bad access. */
    public void write(long offset, int size, long value) {
        Register r = admit(offset, size, true, value);
        if (r == null) return;
        int rel = (int) offset - r.offset;
        int index = rel >>> r.log2Bytes;
        int shift = 8 * (rel & (r.bytes - 1));
        long bytes = SIZE_MASK[size];
        long lanes;
        if (size == r.bytes) {
            lanes = r.widthMask;
        } else if (placement == Placement.LOW_BITS) {
            lanes = 0xFFFF_FFFFL << shift; // the whole 32-bit word: the value is zero-extended into it
        } else {
            lanes = bytes << shift;
        }
        r.write(index, (value & bytes) << shift, lanes, log);
    }

    /**
     * Applies the policy; returns the register to access, or null when the access was answered.
     * The common case (a register that takes the access as it comes) is decided here in a few
     * comparisons; everything else, and every report, is {@link #admitSlowly}'s.
     */
    private Register admit(long offset, int size, boolean write, long value) {
        if ((size == 4 || size == 1 || size == 2 || size == 8) && offset >= 0 && offset <= this.size - size
                && (offset & (size - 1)) == 0) {
            Register r = byWord[(int) (offset >>> 2)];
            if (r != null && (write ? r.writable : r.readable)
                    && (size == r.bytes || size == 4 || (size < 4 && r.narrow == NarrowAccess.ALLOWED
                            && (placement == Placement.ADDRESSED_BYTES || (offset & 3) == 0)))) {
                return r;
            }
        }
        return admitSlowly(offset, size, write, value);
    }

    private Register admitSlowly(long offset, int size, boolean write, long value) {
        String op = write ? "write" : "read";
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            log.guestError("%d-byte %s at offset 0x%x ignored: not an access size", size, op, offset);
            return null;
        }
        if (offset < 0 || offset > this.size - size) {
            log.guestError("%d-byte %s at offset 0x%x ignored: outside the 0x%x-byte register block", size, op, offset, this.size);
            return null;
        }
        if ((offset & (size - 1)) != 0) {
            log.guestError("misaligned %d-byte %s at offset 0x%x ignored", size, op, offset);
            return null;
        }
        Register r = byWord[(int) (offset >>> 2)];
        if (r == null) {
            if (write) log.guestError("write of 0x%x to reserved offset 0x%03x ignored", value, offset);
            else log.guestError("read of reserved offset 0x%03x", offset);
            return null;
        }
        boolean tolerated = false;
        if (size != r.bytes && !(size == 4 && r.bytes == 8)) {
            if (size > r.bytes) {
                log.guestError("%d-byte %s of 32-bit register %s ignored", size, op, name(r, offset));
                return null;
            }
            if (r.narrow == NarrowAccess.REFUSED) {
                log.guestError("%d-byte %s of %s at 0x%03x ignored (whole-register accesses only)", size, op, name(r, offset), offset);
                return null;
            }
            if (placement == Placement.LOW_BITS && (offset & 3) != 0) {
                log.guestError("%d-byte %s at 0x%03x, inside %s, ignored (narrow accesses act on a word's low bits)",
                        size, op, offset, name(r, offset));
                return null;
            }
            tolerated = r.narrow == NarrowAccess.TOLERATED;
        }
        Access a = r.access;
        if (write ? !r.writable : !r.readable) {
            switch (a) {
                case RO -> log.guestError("write of 0x%x to read-only %s ignored", value, name(r, offset));
                case WO -> log.guestError("read of write-only %s", name(r, offset));
                case RAZ_WI -> { }
                case UNIMPLEMENTED -> log.unimplemented("%s of %s (0x%03x) ignored: %s not modelled", op, name(r, offset), offset, r.note);
                case INVALID -> log.guestError("%s of %s (0x%03x) ignored: %s", op, name(r, offset), offset, r.note);
                default -> throw new AssertionError(a);
            }
            return null;
        }
        if (tolerated) {
            log.guestError("%d-byte %s of %s at 0x%03x, which takes whole-register accesses; performed", size, op, name(r, offset), offset);
        }
        return r;
    }

    private static String name(Register r, long offset) {
        return r.nameOf(((int) offset - r.offset) >>> r.log2Bytes);
    }

    // ---- Declaration ------------------------------------------------------------------------------

    /** Declares the registers of a block, in any order; {@link #build} checks and freezes them. */
    public static final class Builder {
        private final long size;
        private final GuestLog.Source log;
        private NarrowAccess narrow = NarrowAccess.REFUSED;
        private Placement placement = Placement.LOW_BITS;
        private final List<Declaration> declared = new ArrayList<>();

        private Builder(long size, GuestLog.Source log) {
            if (size <= 0 || size > (1 << 24)) throw new IllegalArgumentException("register block of " + size + " bytes");
            this.size = size;
            this.log = Objects.requireNonNull(log);
        }

        /** What byte and halfword accesses do, unless a register says otherwise, and where they land. */
        public Builder narrowAccesses(NarrowAccess policy, Placement where) {
            this.narrow = policy;
            this.placement = where;
            return this;
        }

        /** A 32-bit register. */
        public Declaration register(String name, int offset) {
            return declare(name, offset, 4, 1);
        }

        /** A 64-bit register (the guest may access it whole or as two 32-bit halves). */
        public Declaration register64(String name, int offset) {
            return declare(name, offset, 8, 1);
        }

        /** {@code count} 32-bit registers at consecutive words, named {@code name0 .. name<count-1>}. */
        public Declaration array(String name, int offset, int count) {
            return declare(name, offset, 4, count);
        }

        /** {@code count} 64-bit registers at consecutive double words. */
        public Declaration array64(String name, int offset, int count) {
            return declare(name, offset, 8, count);
        }

        private Declaration declare(String name, int offset, int bytes, int count) {
            Declaration d = new Declaration(name, offset, bytes, count);
            declared.add(d);
            return d;
        }

        public RegisterMap build() {
            List<Register> registers = new ArrayList<>();
            for (Declaration d : declared) registers.add(d.toRegister(size, narrow));
            return new RegisterMap(size, log, placement, registers);
        }

        /** One register being declared; its methods return it, so a declaration reads as one line. */
        public final class Declaration {
            private final String name;
            private final int offset;
            private final int bytes;
            private final int count;
            private Access access = Access.RW;
            private String note;
            private NarrowAccess narrow;
            private List<Field> fields = List.of();
            private long[] resets;
            private Register.Reader reader;
            private Register.Writer writer;
            private Register.Changed changed;

            private Declaration(String name, int offset, int bytes, int count) {
                this.name = Objects.requireNonNull(name);
                this.offset = offset;
                this.bytes = bytes;
                this.count = count;
            }

            public Declaration ro() {
                return access(Access.RO, null);
            }

            public Declaration wo() {
                return access(Access.WO, null);
            }

            public Declaration w1c() {
                return access(Access.W1C, null);
            }

            public Declaration w1s() {
                return access(Access.W1S, null);
            }

            public Declaration razWi() {
                return access(Access.RAZ_WI, null);
            }

            /** Exists in the hardware, not in the model: {@code what} names it in the report. */
            public Declaration unimplemented(String what) {
                return access(Access.UNIMPLEMENTED, what);
            }

            /** Not valid in the interface modelled: {@code why} is the report. */
            public Declaration invalid(String why) {
                return access(Access.INVALID, why);
            }

            private Declaration access(Access a, String n) {
                this.access = a;
                this.note = n;
                return this;
            }

            /** The register's fields; writes keep only their bits. Without fields every bit is writable. */
            public Declaration fields(Field... f) {
                this.fields = List.of(f);
                return this;
            }

            /** The reset value of every element, or one value per element. Zero when not given. */
            public Declaration reset(long... values) {
                this.resets = values.clone();
                return this;
            }

            /** Overrides the map's policy for byte and halfword accesses to this register. */
            public Declaration narrow(NarrowAccess policy) {
                this.narrow = policy;
                return this;
            }

            /** Reads are computed by the device. */
            public Declaration read(Register.Reader r) {
                this.reader = r;
                return this;
            }

            /** Writes go to the device. */
            public Declaration write(Register.Writer w) {
                this.writer = w;
                return this;
            }

            /** Writes are stored, then {@code c} runs. */
            public Declaration onWrite(Register.Changed c) {
                this.changed = c;
                return this;
            }

            public Declaration register(String n, int off) {
                return Builder.this.register(n, off);
            }

            public Declaration register64(String n, int off) {
                return Builder.this.register64(n, off);
            }

            public Declaration array(String n, int off, int c) {
                return Builder.this.array(n, off, c);
            }

            public Declaration array64(String n, int off, int c) {
                return Builder.this.array64(n, off, c);
            }

            public RegisterMap build() {
                return Builder.this.build();
            }

            private Register toRegister(long blockSize, NarrowAccess blockNarrow) {
                String what = name + " at 0x" + Integer.toHexString(offset);
                if (count < 1) throw new IllegalArgumentException(what + ": " + count + " elements");
                if (offset < 0 || (offset & (bytes - 1)) != 0 || offset + (long) bytes * count > blockSize) {
                    throw new IllegalArgumentException(what + ": misaligned or outside the 0x" + Long.toHexString(blockSize) + "-byte block");
                }
                long widthMask = bytes == 8 ? -1L : 0xFFFF_FFFFL;
                long seen = 0;
                for (Field f : fields) {
                    if ((f.mask() & ~widthMask) != 0) throw new IllegalArgumentException(what + ": field " + f + " beyond the register");
                    if ((f.mask() & seen) != 0) throw new IllegalArgumentException(what + ": field " + f + " overlaps another");
                    seen |= f.mask();
                }
                long[] r = new long[count];
                if (resets != null) {
                    if (resets.length == 1) java.util.Arrays.fill(r, resets[0]);
                    else if (resets.length == count) System.arraycopy(resets, 0, r, 0, count);
                    else throw new IllegalArgumentException(what + ": " + resets.length + " reset values for " + count + " elements");
                }
                for (int i = 0; i < count; i++) {
                    if ((r[i] & ~widthMask) != 0) throw new IllegalArgumentException(what + ": reset value 0x" + Long.toHexString(r[i]));
                }
                boolean anyCallback = reader != null || writer != null || changed != null;
                if (!access.readable() && reader != null || !access.writable() && (writer != null || changed != null)
                        || (access == Access.RAZ_WI || access == Access.UNIMPLEMENTED || access == Access.INVALID) && anyCallback
                        || writer != null && changed != null) {
                    throw new IllegalArgumentException(what + ": " + access + " with these callbacks");
                }
                return new Register(name, offset, bytes, count, access, narrow != null ? narrow : blockNarrow, note,
                        fields, r, reader, writer, changed);
            }
        }
    }
}
