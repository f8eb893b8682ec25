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

/**
 * ARM PrimeCell General Purpose Input/Output (PL061, ARM DDI 0190): eight pins, each an input or
 * an output, with edge- or level-sensitive interrupts. QEMU's {@code -M virt} puts one at
 * 0x0903_0000 and wires its pin 3 to the power button ("gpio-keys", KEY_POWER).
 *
 * <h2>Interface</h2>
 * <ul>
 *   <li>MMIO region of {@value #SIZE} bytes.</li>
 *   <li>One interrupt output (GPIOINTR): level, high while {@code GPIORIS & GPIOIE}; virt wires it
 *       to SPI 7 = INTID 39.</li>
 *   <li>Eight input wires ({@link #setInput}): the level outside drives each pin configured as an
 *       input. An undriven pin reads 0. Outputs are not wired to anything on virt and are only
 *       readable back through GPIODATA.</li>
 * </ul>
 *
 * <h2>Modelled</h2>
 * GPIODATA with its address mask (offsets 0x000..0x3FC: bits [9:2] of the address select which
 * pins a read returns and a write may change; writes only change output pins), GPIODIR, GPIOIS
 * (1: level-sensitive), GPIOIBE (both edges), GPIOIEV (rising edge / high level), GPIOIE, GPIORIS,
 * GPIOMIS, GPIOIC (write 1 to clear an edge interrupt; a level interrupt stays while its level
 * holds), GPIOAFSEL (stored: there is no alternate function to hand pins to), the identification
 * registers (PeriphID 0x61 0x10 0x04 0x00, PCellID 0x0D 0xF0 0x05 0xB1).
 *
 * <h2>Access sizes</h2>
 * Registers are eight bits wide in 32-bit words; byte, halfword and word accesses at a register's
 * offset act on its low bits (QEMU accepts any size).
 *
 * <p>Used only from the emulation thread; not thread-safe.
 */
public final class Pl061 implements MmioDevice, Snapshottable {
    public static final long SIZE = 0x1000;
    public static final int PINS = 8;
    private static final int PIN_MASK = (1 << PINS) - 1;
    private static final Field PINS_FIELD = Field.bits("GPIO", PINS - 1, 0);

    private final PrimeCell.Interrupts interrupts;
    private final RegisterMap regs;

    /** The pins' levels: outputs as last written, inputs as driven from outside. */
    private int data;
    /** Levels driven from outside, for every pin (used where the pin is an input). */
    private int inputs;
    private int dir, sense, bothEdges, event, afsel;
    /** Edge interrupts latched until GPIOIC clears them. */
    private int latchedEdges;

    public Pl061(InterruptLine irq, GuestLog log) {
        this.interrupts = new PrimeCell.Interrupts(irq);
        this.regs = RegisterMap.builder(SIZE, log.source(name()))
                .narrowAccesses(NarrowAccess.ALLOWED, Placement.LOW_BITS)
                // One register per masking address: offset bits [9:2] are the pin mask.
                .array("GPIODATA", 0x000, 256).fields(PINS_FIELD).read(i -> data & i).write((i, v) -> writeData(i, (int) v))
                .register("GPIODIR", 0x400).fields(PINS_FIELD).read(i -> dir).write((i, v) -> { dir = (int) v & PIN_MASK; refresh(); })
                .register("GPIOIS", 0x404).fields(PINS_FIELD).read(i -> sense).write((i, v) -> { sense = (int) v & PIN_MASK; refresh(); })
                .register("GPIOIBE", 0x408).fields(PINS_FIELD).read(i -> bothEdges).write((i, v) -> { bothEdges = (int) v & PIN_MASK; refresh(); })
                .register("GPIOIEV", 0x40C).fields(PINS_FIELD).read(i -> event).write((i, v) -> { event = (int) v & PIN_MASK; refresh(); })
                .register("GPIOIE", 0x410).fields(PINS_FIELD).read(i -> interrupts.mask()).write((i, v) -> interrupts.setMask((int) v & PIN_MASK))
                .register("GPIORIS", 0x414).ro().fields(PINS_FIELD).read(i -> interrupts.raw())
                .register("GPIOMIS", 0x418).ro().fields(PINS_FIELD).read(i -> interrupts.masked())
                .register("GPIOIC", 0x41C).wo().fields(PINS_FIELD).write((i, v) -> clearEdges((int) v & PIN_MASK))
                .register("GPIOAFSEL", 0x420).fields(PINS_FIELD).read(i -> afsel).write((i, v) -> afsel = (int) v & PIN_MASK)
                .array("GPIOPeriphID", 0xFE0, 4).ro().reset(0x61, 0x10, 0x04, 0x00)
                .array("GPIOPCellID", 0xFF0, 4).ro().reset(PrimeCell.cellId())
                .build();
        reset();
    }

    @Override
    public String name() {
        return "pl061";
    }

    @Override
    public long size() {
        return SIZE;
    }

    /** As after reset: every pin an input, no interrupt configured; the outside levels stay. */
    public void reset() {
        dir = sense = bothEdges = event = afsel = latchedEdges = 0;
        data = inputs;
        interrupts.reset();
        regs.reset();
    }

    /** The level outside drives on {@code pin} (0..7): seen by the guest while the pin is an input. */
    public void setInput(int pin, boolean level) {
        if (pin < 0 || pin >= PINS) throw new IllegalArgumentException("PL061 pin " + pin + " (0.." + (PINS - 1) + ")");
        inputs = level ? inputs | (1 << pin) : inputs & ~(1 << pin);
        refresh();
    }

    /** Level of the interrupt output (for tests and the debugger view). */
    public boolean irqOutput() {
        return interrupts.level();
    }

    /** Pins 0..7 as the guest reads them in GPIODATA. */
    public int pins() {
        return data;
    }

    private void writeData(int addressMask, int value) {
        int writable = addressMask & dir;
        data = (data & ~writable) | (value & writable);
        refresh();
    }

    private void clearEdges(int bits) {
        latchedEdges &= ~bits;
        refresh();
    }

    /**
     * Recomputes the pins (inputs follow the outside, outputs keep their value), latches the edges
     * that happened and the interrupt status: an edge pin latches on its configured edge (or both);
     * a level pin is raised while its level equals GPIOIEV.
     */
    private void refresh() {
        int old = data;
        data = (data & dir) | (inputs & ~dir & PIN_MASK);
        int rose = ~old & data, fell = old & ~data;
        int edgePins = ~sense & PIN_MASK;
        latchedEdges |= edgePins & ((bothEdges & (rose | fell)) | (~bothEdges & ((event & rose) | (~event & fell))));
        int levels = sense & ~(data ^ event) & PIN_MASK;
        int raw = (latchedEdges & edgePins) | levels;
        interrupts.clear(~raw & PIN_MASK);
        interrupts.raise(raw);
    }

    @Override
    public String snapshotName() {
        return name();
    }

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /** Layout: pins, outside levels, DIR, IS, IBE, IEV, AFSEL, latched edges, the interrupt block, stored registers. */
    @Override
    public void save(StateWriter out) {
        out.i32(data).i32(inputs).i32(dir).i32(sense).i32(bothEdges).i32(event).i32(afsel).i32(latchedEdges);
        interrupts.save(out);
        regs.save(out);
    }

    @Override
    public Runnable load(StateReader in, int version) throws SnapshotException {
        int[] v = new int[8];
        for (int i = 0; i < v.length; i++) v[i] = in.i32("a PL061 register", 0, PIN_MASK);
        Runnable irq = interrupts.load(in);
        Runnable stored = regs.load(in);
        return () -> {
            data = v[0];
            inputs = v[1];
            dir = v[2];
            sense = v[3];
            bothEdges = v[4];
            event = v[5];
            afsel = v[6];
            latchedEdges = v[7];
            irq.run();
            stored.run();
        };
    }

    @Override
    public long read(long offset, int size) {
        return regs.read(offset, size);
    }

    @Override
    public void write(long offset, int size, long value) {
        regs.write(offset, size, value);
    }
}
