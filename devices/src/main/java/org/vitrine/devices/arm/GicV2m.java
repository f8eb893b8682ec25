package org.vitrine.devices.arm;

import org.vitrine.devices.regs.Field;
import org.vitrine.devices.regs.NarrowAccess;
import org.vitrine.devices.regs.RegisterMap;
import org.vitrine.devices.regs.RegisterMap.Placement;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.MmioDevice;

/**
 * GICv2m MSI frame (ARM Server Base System Architecture, appendix "GICv2m"): turns a message-
 * signalled interrupt — a device's 32-bit write of an interrupt ID to MSI_SETSPI_NS — into an edge
 * on one of a range of GIC SPIs, so PCIe devices can use MSIs with a GICv2, as on QEMU's
 * {@code -M virt} at 0x0802_0000.
 *
 * <h2>Interface</h2>
 * <ul>
 *   <li>MMIO region of {@value #SIZE} bytes.</li>
 *   <li>Outputs: one edge per MSI, on GIC INTIDs {@code firstIntid .. firstIntid + count - 1}
 *       (virt: 80..143, SPIs 48..111), pulsed through the GIC's lines.</li>
 * </ul>
 *
 * <h2>Modelled</h2>
 * MSI_TYPER (base INTID and count of the SPI range), MSI_SETSPI_NS (a write of an INTID in the
 * range pulses it; outside the range it is a guest error, and ignored), MSI_IIDR (product ID 'Q',
 * as QEMU's frame answers: no implementer, revision 0), the optional identification registers
 * 0xFD0..0xFFC (read as zero, as the SBSA allows).
 *
 * <h2>Access sizes</h2>
 * 32-bit registers only: any other size is a guest error (QEMU logs the same).
 */
public final class GicV2m implements MmioDevice, Snapshottable.View {
    public static final long SIZE = 0x1000;

    /** MSI_TYPER.BASE: the first INTID of the frame's range. */
    private static final Field TYPER_BASE = Field.bits("BASE", 25, 16);
    /** MSI_TYPER.NUMBER: how many SPIs the frame signals. */
    private static final Field TYPER_NUMBER = Field.bits("NUMBER", 9, 0);
    /** MSI_IIDR.ProductID: 'Q' for QEMU's model, which guests may look at for quirks. */
    private static final Field IIDR_PRODUCT_ID = Field.bits("ProductID", 31, 20);
    private static final long PRODUCT_ID_QEMU = 'Q';
    /** The interrupt ID in a write to MSI_SETSPI_NS. */
    private static final Field SETSPI_ID = Field.bits("ID", 9, 0);

    private final GicV2 gic;
    private final int firstIntid, count;
    private final GuestLog.Source log;
    private final RegisterMap regs;

    /**
     * @param gic        where the SPIs are raised
     * @param firstIntid the first INTID of the range (an SPI: at least 32)
     * @param count      how many consecutive SPIs, all below {@link GicV2#NUM_IRQS}
     */
    public GicV2m(GicV2 gic, int firstIntid, int count, GuestLog log) {
        if (firstIntid < 32 || count < 1 || firstIntid + count > GicV2.NUM_IRQS) {
            throw new IllegalArgumentException("GICv2m range " + firstIntid + "+" + count + " is not within the SPIs");
        }
        this.gic = gic;
        this.firstIntid = firstIntid;
        this.count = count;
        this.log = log.source(name());
        this.regs = RegisterMap.builder(SIZE, this.log)
                .narrowAccesses(NarrowAccess.REFUSED, Placement.LOW_BITS)
                .register("MSI_TYPER", 0x008).ro().fields(TYPER_BASE, TYPER_NUMBER)
                        .reset(TYPER_BASE.of(firstIntid) | TYPER_NUMBER.of(count))
                .register("MSI_SETSPI_NS", 0x040).wo().fields(SETSPI_ID).write((i, v) -> signal((int) SETSPI_ID.get(v)))
                .register("MSI_IIDR", 0xFCC).ro().fields(IIDR_PRODUCT_ID).reset(IIDR_PRODUCT_ID.of(PRODUCT_ID_QEMU))
                .array("MSI_PIDR", 0xFD0, 12).ro()
                .build();
    }

    @Override
    public String name() {
        return "gicv2m";
    }

    @Override
    public long size() {
        return SIZE;
    }

    /** The frame has no state of its own: an MSI becomes pending in the GIC, which snapshots it. */
    @Override
    public Snapshottable owner() {
        return null;
    }

    /** The INTIDs this frame signals: {@link #firstIntid()} up to, not including, first + count. */
    public int firstIntid() {
        return firstIntid;
    }

    public int count() {
        return count;
    }

    /** An MSI arrived for {@code intid}: one rising edge on that SPI. */
    private void signal(int intid) {
        if (intid < firstIntid || intid >= firstIntid + count) {
            log.guestError("MSI_SETSPI_NS write of INTID %d, outside the frame's %d..%d: ignored",
                    intid, firstIntid, firstIntid + count - 1);
            return;
        }
        gic.line(intid).pulse();
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
