package org.vitrine.devices.arm;

import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.InterruptLine;
import org.vitrine.emulator.spi.MmioDevice;
import org.vitrine.emulator.time.EventQueue;

/**
 * ARM PrimeCell Real Time Clock (PL031, ARM DDI 0224), as QEMU's {@code -M virt} presents it at
 * 0x0901_0000.
 *
 * <h2>Interface</h2>
 * <ul>
 *   <li>MMIO region of {@value #SIZE} bytes.</li>
 *   <li>One interrupt output (RTCINTR): level, high while {@code RTCRIS & RTCIMSC}; virt wires it
 *       to SPI 2 = INTID 34.</li>
 *   <li>Time source: the machine's {@link EventQueue} only. The counter reads
 *       {@code baseEpochSeconds + floor(cycles / cyclesPerSecond)} (plus whatever RTCLR loads),
 *       modulo 2^32. No wall-clock value ever reaches the guest, so runs are reproducible; the
 *       board chooses the base epoch (a fixed value, or the host time once, recorded).</li>
 * </ul>
 *
 * <h2>Modelled</h2>
 * RTCDR (the 32-bit seconds counter, advancing at each whole virtual second), RTCMR (match: an
 * event is scheduled at the first cycle where RTCDR equals RTCMR and sets RTCRIS; writing RTCMR or
 * RTCLR so that the counter already equals the match sets RTCRIS at once, as QEMU does; the match
 * recurs after the counter wraps, 2^32 seconds later, when that cycle is representable), RTCLR
 * (loads the counter; reads back the last value loaded), RTCCR (the RTC is always started: reads 1,
 * writes ignored — a started PL031 cannot be stopped), RTCIMSC, RTCRIS, RTCMIS, RTCICR (writing 1
 * to bit 0 clears the interrupt, per the TRM and current QEMU), the identification registers
 * (PeriphID 0x31 0x10 0x14 0x00, PCellID 0x0D 0xF0 0x05 0xB1).
 *
 * <h2>Not modelled</h2>
 * The integration test registers (RTCITCR, RTCITIP, RTCITOP at 0x080..0x088: logged as
 * unimplemented) and the 1 Hz clock's phase: the counter ticks on whole seconds of the CPU clock.
 *
 * <h2>Access sizes</h2>
 * Registers are 32 bits. An aligned byte or halfword access acts on the low bits of the register
 * (QEMU accepts any size); misaligned and 8-byte accesses are logged as guest errors and ignored.
 *
 * <p>Used only from the emulation thread; not thread-safe.
 */
public final class Pl031 implements MmioDevice {
    public static final long SIZE = 0x1000;

    // ---- Register map -------------------------------------------------------------------------

    private enum Access { RW, RO, WO, UNIMPLEMENTED }

    private enum Reg {
        DR(0x000, 0x004, Access.RO),
        MR(0x004, 0x008, Access.RW),
        LR(0x008, 0x00C, Access.RW),
        CR(0x00C, 0x010, Access.RW),
        IMSC(0x010, 0x014, Access.RW),
        RIS(0x014, 0x018, Access.RO),
        MIS(0x018, 0x01C, Access.RO),
        ICR(0x01C, 0x020, Access.WO),
        /** RTCITCR, RTCITIP, RTCITOP: integration test registers. */
        TEST(0x080, 0x08C, Access.UNIMPLEMENTED),
        /** RTCPeriphID0..3, RTCPCellID0..3. */
        ID(0xFE0, 0x1000, Access.RO);

        final int start;
        final int end;
        final Access access;

        Reg(int start, int end, Access access) {
            this.start = start;
            this.end = end;
            this.access = access;
        }
    }

    private static final Reg[] BY_WORD = new Reg[(int) (SIZE / 4)];

    static {
        for (Reg r : Reg.values()) {
            for (int o = r.start; o < r.end; o += 4) BY_WORD[o >> 2] = r;
        }
    }

    /** RTCCR.RTCStart: always 1 (the counter runs from reset). */
    private static final int CR_START = 1;
    /** The one interrupt bit of RTCIMSC/RIS/MIS/ICR. */
    private static final int INT_RTC = 1;
    private static final long COUNTER_MASK = 0xFFFF_FFFFL;
    private static final long COUNTER_PERIOD_SECONDS = 1L << 32;

    /** RTCPeriphID0..3, RTCPCellID0..3 at 0xFE0..0xFFC. */
    private static final int[] ID_VALUES = {0x31, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1};

    // ---- State --------------------------------------------------------------------------------

    private final EventQueue clock;
    private final InterruptLine irq;
    private final GuestLog.Source log;
    private final long baseEpochSeconds;

    /** Counter value minus whole virtual seconds since reset (modulo 2^32). */
    private long tickOffset;
    private int mr;
    private int lr;
    private int imsc;
    private int ris;
    private EventQueue.Event matchEvent;
    private boolean irqLevel;

    /**
     * @param clock            the machine clock; the counter counts its whole seconds
     * @param baseEpochSeconds counter value at cycle 0 (e.g. Unix seconds; taken modulo 2^32)
     * @param irq              the RTCINTR wire to the interrupt controller
     * @param log              the machine's guest log
     */
    public Pl031(EventQueue clock, long baseEpochSeconds, InterruptLine irq, GuestLog log) {
        this.clock = clock;
        this.log = log.source(name());
        this.baseEpochSeconds = baseEpochSeconds;
        this.irq = irq;
        reset();
    }

    @Override
    public String name() {
        return "pl031";
    }

    @Override
    public long size() {
        return SIZE;
    }

    /** Back to the counter the machine started with, no match pending, interrupt masked. */
    public void reset() {
        if (matchEvent != null) matchEvent.cancel();
        matchEvent = null;
        tickOffset = baseEpochSeconds & COUNTER_MASK;
        mr = 0;
        lr = 0;
        imsc = 0;
        ris = 0;
        updateIrq();
    }

    /** Level of the interrupt output (for tests and the debugger view). */
    public boolean irqOutput() {
        return irqLevel;
    }

    private long elapsedSeconds() {
        return clock.now() / clock.cyclesPerSecond();
    }

    /** RTCDR now. */
    private long count() {
        return (tickOffset + elapsedSeconds()) & COUNTER_MASK;
    }

    /**
     * Re-schedules the match event after RTCMR or RTCLR changed. The counter changes value at
     * cycle {@code s * cyclesPerSecond} for whole second s, so the match is due at the start of
     * the second in which the counter equals RTCMR.
     */
    private void armMatch() {
        if (matchEvent != null) matchEvent.cancel();
        matchEvent = null;
        long ticks = ((mr & COUNTER_MASK) - count()) & COUNTER_MASK;
        if (ticks == 0) {
            // Already equal: the comparator output is true now (QEMU raises it at once too).
            ris |= INT_RTC;
            updateIrq();
            scheduleMatchAt(elapsedSeconds() + COUNTER_PERIOD_SECONDS);
            return;
        }
        scheduleMatchAt(elapsedSeconds() + ticks);
    }

    private void scheduleMatchAt(long second) {
        long cycle;
        try {
            cycle = Math.multiplyExact(second, clock.cyclesPerSecond());
        } catch (ArithmeticException e) {
            return; // Beyond the end of representable time: the match never comes.
        }
        matchEvent = clock.schedule(cycle, this::onMatch);
    }

    private void onMatch() {
        matchEvent = null;
        ris |= INT_RTC;
        updateIrq();
        // The counter will equal RTCMR again once it has wrapped.
        scheduleMatchAt(elapsedSeconds() + COUNTER_PERIOD_SECONDS);
    }

    private void updateIrq() {
        boolean level = (ris & imsc) != 0;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    // ---- MMIO ---------------------------------------------------------------------------------

    private Reg decode(String op, long offset, int size) {
        if (size != 1 && size != 2 && size != 4) {
            log.guestError("%d-byte %s at offset 0x%x ignored (32-bit registers)", size, op, offset);
            return null;
        }
        if (offset < 0 || offset + size > SIZE || (offset & 3) != 0) {
            log.guestError("misaligned or out-of-range %d-byte %s at offset 0x%x ignored", size, op, offset);
            return null;
        }
        Reg reg = BY_WORD[(int) offset >> 2];
        if (reg == null) {
            log.guestError("%s of reserved offset 0x%03x", op, offset);
        }
        return reg;
    }

    private static long sizeMask(int size) {
        return size == 4 ? 0xFFFF_FFFFL : (1L << (8 * size)) - 1;
    }

    @Override
    public long read(long offset, int size) {
        Reg reg = decode("read", offset, size);
        if (reg == null) return 0;
        if (reg.access == Access.WO) {
            log.guestError("read of write-only RTC%s", reg);
            return 0;
        }
        if (reg.access == Access.UNIMPLEMENTED) {
            log.unimplemented("integration test register at 0x%03x not modelled, reads as zero", offset);
            return 0;
        }
        long value = switch (reg) {
            case DR -> count();
            case MR -> mr;
            case LR -> lr;
            case CR -> CR_START;
            case IMSC -> imsc;
            case RIS -> ris;
            case MIS -> ris & imsc;
            case ID -> ID_VALUES[(int) (offset - Reg.ID.start) >> 2];
            case ICR, TEST -> 0; // Handled by access type above.
        };
        return value & sizeMask(size);
    }

    @Override
    public void write(long offset, int size, long value) {
        Reg reg = decode("write", offset, size);
        if (reg == null) return;
        if (reg.access == Access.RO) {
            log.guestError("write of 0x%x to read-only RTC%s", value, reg);
            return;
        }
        if (reg.access == Access.UNIMPLEMENTED) {
            log.unimplemented("integration test register at 0x%03x not modelled, write ignored", offset);
            return;
        }
        int v = (int) (value & sizeMask(size));
        switch (reg) {
            case MR -> {
                mr = v;
                armMatch();
            }
            case LR -> {
                lr = v;
                tickOffset = (tickOffset + (v & COUNTER_MASK) - count()) & COUNTER_MASK;
                armMatch();
            }
            case CR -> { } // RTCStart cannot be cleared once set; writing 1 again does nothing.
            case IMSC -> {
                imsc = v & INT_RTC;
                updateIrq();
            }
            case ICR -> {
                ris &= ~(v & INT_RTC);
                updateIrq();
            }
            case DR, RIS, MIS, ID, TEST -> { } // Handled by access type above.
        }
    }
}
