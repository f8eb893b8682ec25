package org.vitrine.devices.arm;

import org.vitrine.emulator.spi.InterruptLine;

/**
 * What ARM's PrimeCell peripherals (PL011, PL031, ...) have in common: the component
 * identification every one of them answers, and the interrupt block they share.
 */
final class PrimeCell {
    private PrimeCell() { }

    /** xxxPCellID0..3 at 0xFF0..0xFFC: 0xB105F00D, the PrimeCell component ID, one byte a register. */
    static long[] cellId() {
        return new long[] {0x0D, 0xF0, 0x05, 0xB1};
    }

    /**
     * The interrupt block (PL011's UARTIMSC/RIS/MIS/ICR, PL031's RTCIMSC/RIS/MIS/ICR): raw status
     * bits the device raises, a mask the guest writes, the masked status, a write-1-to-clear
     * register, and one level output, high while any raised interrupt is unmasked. The output
     * wire is driven only when its level changes.
     *
     * <p>The device declares the four registers (their names and offsets are its own) and wires
     * them to {@link #mask()}, {@link #setMask}, {@link #raw()}, {@link #masked()} and {@link #clear}.
     */
    static final class Interrupts {
        private final InterruptLine output;
        private int raw;
        private int mask;
        private boolean level;

        Interrupts(InterruptLine output) {
            this.output = output;
        }

        /** Raw status (xxxRIS). */
        int raw() {
            return raw;
        }

        /** Mask (xxxIMSC): 1 lets an interrupt through. */
        int mask() {
            return mask;
        }

        /** Masked status (xxxMIS). */
        int masked() {
            return raw & mask;
        }

        /** Level of the output (for tests and the debugger view). */
        boolean level() {
            return level;
        }

        /** The device raises interrupts. */
        void raise(int bits) {
            raw |= bits;
            update();
        }

        /** The device or the guest (xxxICR) clears interrupts. */
        void clear(int bits) {
            raw &= ~bits;
            update();
        }

        void setMask(int bits) {
            mask = bits;
            update();
        }

        /** Nothing raised, everything masked. */
        /** Snapshots: raw, mask and the output level (the interrupt controller restores its copy of the wire). */
        void save(org.vitrine.emulator.snapshot.StateWriter out) {
            out.i32(raw).i32(mask).bool(level);
        }

        Runnable load(org.vitrine.emulator.snapshot.StateReader in) throws org.vitrine.emulator.snapshot.SnapshotException {
            int r = in.i32(), m = in.i32();
            boolean l = in.bool();
            if (l != ((r & m) != 0)) throw in.bad("interrupt output " + l + " does not follow raw 0x" + Integer.toHexString(r)
                    + " and mask 0x" + Integer.toHexString(m));
            return () -> {
                raw = r;
                mask = m;
                level = l;
            };
        }

        void reset() {
            raw = 0;
            mask = 0;
            update();
        }

        private void update() {
            boolean now = (raw & mask) != 0;
            if (now != level) {
                level = now;
                output.set(now);
            }
        }
    }
}
