package org.vitrine.devices.arm;

import org.vitrine.devices.regs.Field;
import org.vitrine.devices.regs.NarrowAccess;
import org.vitrine.devices.regs.RegisterMap;
import org.vitrine.devices.regs.RegisterMap.Placement;
import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.snapshot.StateReader;
import org.vitrine.emulator.snapshot.StateWriter;
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
 * Registers are 32 bits, declared in a {@link RegisterMap} whose policy answers bad accesses. A
 * byte or halfword access at a register's offset acts on its low bits (QEMU accepts any size);
 * misaligned and 8-byte accesses are logged as guest errors and ignored.
 *
 * <p>Used only from the emulation thread; not thread-safe.
 */
public final class Pl031 implements MmioDevice, Snapshottable {
    public static final long SIZE = 0x1000;

    // ---- Register fields (the registers are declared in the constructor) ----------------------

    /** RTCCR.RTCStart: always 1 (the counter runs from reset and cannot be stopped). */
    private static final Field CR_START = Field.bit("RTCStart", 0);
    /** The one interrupt bit of RTCIMSC, RTCRIS, RTCMIS and RTCICR. */
    private static final Field RTCINTR = Field.bit("RTCINTR", 0);
    private static final int INT_RTC = (int) RTCINTR.mask();
    private static final long COUNTER_MASK = 0xFFFF_FFFFL;
    private static final long COUNTER_PERIOD_SECONDS = 1L << 32;
    private static final String MATCH_EVENT = "pl031.match";

    // ---- State --------------------------------------------------------------------------------

    private final EventQueue clock;
    private final PrimeCell.Interrupts interrupts;
    private final RegisterMap regs;
    private final long baseEpochSeconds;

    /** Counter value minus whole virtual seconds since reset (modulo 2^32). */
    private long tickOffset;
    private int mr;
    private int lr;
    private EventQueue.Event matchEvent;

    /**
     * @param clock            the machine clock; the counter counts its whole seconds
     * @param baseEpochSeconds counter value at cycle 0 (e.g. Unix seconds; taken modulo 2^32)
     * @param irq              the RTCINTR wire to the interrupt controller
     * @param log              the machine's guest log
     */
    public Pl031(EventQueue clock, long baseEpochSeconds, InterruptLine irq, GuestLog log) {
        this.clock = clock;
        this.baseEpochSeconds = baseEpochSeconds;
        this.interrupts = new PrimeCell.Interrupts(irq);
        clock.declare(MATCH_EVENT);
        this.regs = RegisterMap.builder(SIZE, log.source(name()))
                .narrowAccesses(NarrowAccess.ALLOWED, Placement.LOW_BITS)
                .register("RTCDR", 0x000).ro().read(i -> count())
                .register("RTCMR", 0x004).read(i -> mr).write((i, v) -> setMatch((int) v))
                .register("RTCLR", 0x008).read(i -> lr).write((i, v) -> load((int) v))
                // RTCStart cannot be cleared once set; writing 1 again does nothing.
                .register("RTCCR", 0x00C).fields(CR_START).read(i -> CR_START.mask()).write((i, v) -> { })
                .register("RTCIMSC", 0x010).fields(RTCINTR).read(i -> interrupts.mask()).write((i, v) -> interrupts.setMask((int) v))
                .register("RTCRIS", 0x014).ro().fields(RTCINTR).read(i -> interrupts.raw())
                .register("RTCMIS", 0x018).ro().fields(RTCINTR).read(i -> interrupts.masked())
                .register("RTCICR", 0x01C).wo().fields(RTCINTR).write((i, v) -> interrupts.clear((int) v))
                .register("RTCITCR", 0x080).unimplemented("integration test register")
                .register("RTCITIP", 0x084).unimplemented("integration test register")
                .register("RTCITOP", 0x088).unimplemented("integration test register")
                .array("RTCPeriphID", 0xFE0, 4).ro().reset(0x31, 0x10, 0x14, 0x00)
                .array("RTCPCellID", 0xFF0, 4).ro().reset(PrimeCell.cellId())
                .build();
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
        interrupts.reset();
        regs.reset();
    }

    /** Level of the interrupt output (for tests and the debugger view). */
    public boolean irqOutput() {
        return interrupts.level();
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
            interrupts.raise(INT_RTC);
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
        matchEvent = clock.schedule(cycle, MATCH_EVENT, this::onMatch);
    }

    private void onMatch() {
        matchEvent = null;
        interrupts.raise(INT_RTC);
        // The counter will equal RTCMR again once it has wrapped.
        scheduleMatchAt(elapsedSeconds() + COUNTER_PERIOD_SECONDS);
    }

    // ---- MMIO ---------------------------------------------------------------------------------

    @Override
    public long read(long offset, int size) {
        return regs.read(offset, size);
    }

    @Override
    public void write(long offset, int size, long value) {
        regs.write(offset, size, value);
    }

    // ---- Snapshot -----------------------------------------------------------------------------

    @Override
    public String snapshotName() {
        return name();
    }

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /** Layout: i64 tick offset, i32 RTCMR, i32 RTCLR, interrupts, stored registers; the match event is the clock's. */
    @Override
    public void save(StateWriter out) {
        out.i64(tickOffset).i32(mr).i32(lr);
        interrupts.save(out);
        regs.save(out);
    }

    @Override
    public Runnable load(StateReader in, int version) throws SnapshotException {
        long offset = in.i64("the tick offset", 0, COUNTER_MASK);
        int savedMr = in.i32(), savedLr = in.i32();
        Runnable irq = interrupts.load(in);
        Runnable stored = regs.load(in);
        return () -> {
            tickOffset = offset;
            mr = savedMr;
            lr = savedLr;
            irq.run();
            stored.run();
            if (matchEvent != null) matchEvent.cancel();
            matchEvent = clock.reclaim(MATCH_EVENT, this::onMatch);
        };
    }

    private void setMatch(int v) {
        mr = v;
        armMatch();
    }

    private void load(int v) {
        lr = v;
        tickOffset = (tickOffset + (v & COUNTER_MASK) - count()) & COUNTER_MASK;
        armMatch();
    }

}
