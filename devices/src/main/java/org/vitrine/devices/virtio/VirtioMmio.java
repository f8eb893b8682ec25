package org.vitrine.devices.virtio;

import org.vitrine.devices.regs.Field;
import org.vitrine.devices.regs.RegisterMap;
import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.snapshot.StateReader;
import org.vitrine.emulator.snapshot.StateWriter;
import org.vitrine.emulator.spi.DmaPort;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.InterruptLine;
import org.vitrine.emulator.spi.MmioDevice;

/**
 * The virtio-mmio transport (VirtIO 1.2 section 4.2), version 2 ("modern") only, as QEMU's
 * hw/virtio/virtio-mmio.c presents it with {@code -global virtio-mmio.force-legacy=false}: one
 * {@link VirtioDevice} behind a {@value #SIZE}-byte register window.
 *
 * <h2>Interface</h2>
 * <ul>
 *   <li>MMIO region of {@value #SIZE} bytes (where the board puts it, and its device-tree node,
 *       are the board's business: see {@code VirtBoard}).</li>
 *   <li>One interrupt output, driven as QEMU drives it: a level, high while InterruptStatus is
 *       non-zero (QEMU's virt board nevertheless describes it as edge-triggered, so the GIC
 *       latches each rising edge).</li>
 *   <li>All guest memory (rings, buffers) is reached through the {@link DmaPort} given to the
 *       constructor, never otherwise.</li>
 * </ul>
 *
 * <h2>Registers</h2>
 * 32-bit, little-endian, declared once in {@link #registers()} (VirtIO 1.2 section 4.2.2 order,
 * MagicValue "virt" to ConfigGeneration at 0x0fc); the device configuration space follows at
 * 0x100 and takes 1-, 2- and 4-byte accesses.
 *
 * <h2>Modelled</h2>
 * Feature negotiation: the device's own bits plus VIRTIO_F_INDIRECT_DESC (28), VIRTIO_F_EVENT_IDX
 * (29) and VIRTIO_F_VERSION_1 (32), always offered (QEMU offers the same three), and
 * VIRTIO_F_ACCESS_PLATFORM (33) when the device sits behind an IOMMU, as QEMU's
 * {@code iommu_platform=on}: it tells the driver that the device's addresses are IOVAs (Linux then
 * maps its buffers through the DMA API); a driver that does not accept it still gets FEATURES_OK
 * (the spec lets the device go on; its DMA goes through the IOMMU either way). FEATURES_OK sticks
 * only if the driver accepted VERSION_1 and nothing that was not offered; features are fixed from
 * then until reset. Split virtqueues ({@link Virtqueue}) whose size and addresses take effect when
 * QueueReady is set. InterruptStatus bit 0 (used buffer) and bit 1 (configuration change),
 * cleared through InterruptACK. ConfigGeneration, bumped on every configuration change the
 * device reports. DEVICE_NEEDS_RESET (0x40): set when the driver breaks the protocol (see
 * {@link Virtqueue} for what counts); the device then processes nothing until the driver writes 0
 * to Status, which resets transport, queues and device.
 *
 * <h2>Not modelled, and choices</h2>
 * <ul>
 *   <li>The legacy (version 1) interface: GuestPageSize, QueueAlign and QueuePFN are logged as
 *       guest errors and read as zero, as QEMU does in modern mode.</li>
 *   <li>Shared memory regions: there are none, so SHMLen and SHMBase read as all ones (QEMU
 *       answers all ones for SHMLen and logs SHMBase as a bad offset); SHMSel is accepted and
 *       ignored.</li>
 *   <li>Packed virtqueues, VIRTIO_F_RING_RESET (QueueReset at 0x0c0 is a bad offset, as in QEMU
 *       7.2), VIRTIO_F_NOTIFICATION_DATA: not offered.</li>
 *   <li>Differences from QEMU, all stricter: a driver that does not accept VERSION_1 or accepts
 *       an unoffered bit does not get FEATURES_OK (QEMU sets it regardless); DeviceFeaturesSel /
 *       DriverFeaturesSel above 1 select zero words (QEMU treats every non-zero value as 1); a
 *       queue size that is not a power of two in 1..QueueNumMax is a device error (QEMU keeps
 *       its previous size); an indirect descriptor anywhere but at the head of a chain is a
 *       device error (QEMU takes it for a plain buffer).</li>
 *   <li>As in QEMU, the configuration-change interrupt of an error only fires once DRIVER_OK is
 *       set (DEVICE_NEEDS_RESET is set in any case); a configuration read beyond the device's
 *       configuration space returns all ones and a write there is ignored.</li>
 *   <li>Registers are declared in a {@link RegisterMap} and must be accessed as aligned 32-bit
 *       words: other sizes are logged and read as zero / ignored, as QEMU's "wrong size access to
 *       register".</li>
 * </ul>
 *
 * <p>Used only from the emulation thread; not thread-safe.
 */
public final class VirtioMmio implements MmioDevice, Snapshottable {
    public static final long SIZE = 0x200;
    public static final int MAGIC = 0x7472_6976;
    public static final int VERSION = 2;
    public static final int VENDOR_QEMU = 0x554D_4551;
    public static final int CONFIG_OFFSET = 0x100;

    // ---- Device status (VirtIO 1.2 section 2.1) -------------------------------------------------
    public static final int STATUS_ACKNOWLEDGE = 0x01;
    public static final int STATUS_DRIVER = 0x02;
    public static final int STATUS_DRIVER_OK = 0x04;
    public static final int STATUS_FEATURES_OK = 0x08;
    public static final int STATUS_DEVICE_NEEDS_RESET = 0x40;
    public static final int STATUS_FAILED = 0x80;

    // ---- InterruptStatus / InterruptACK ----------------------------------------------------------
    public static final int INT_USED_BUFFER = 0x1;
    public static final int INT_CONFIG_CHANGE = 0x2;

    // ---- Reserved feature bits (VirtIO 1.2 section 6) -------------------------------------------
    public static final int F_INDIRECT_DESC = 28;
    public static final int F_EVENT_IDX = 29;
    public static final int F_VERSION_1 = 32;
    public static final int F_ACCESS_PLATFORM = 33;
    /** The transport features this model implements, always offered. */
    public static final long TRANSPORT_FEATURES = (1L << F_INDIRECT_DESC) | (1L << F_EVENT_IDX) | (1L << F_VERSION_1);
    /** Bits a device may offer itself: 0..23 and 50..63 (24..49 belong to the transport). */
    private static final long DEVICE_FEATURE_MASK = 0xFFFC_0000_00FF_FFFFL;

    // ---- Register fields (the registers are declared in the constructor) ----------------------

    private static final Field INTERRUPT_USED_BUFFER = Field.bit("UsedBuffer", 0);
    private static final Field INTERRUPT_CONFIG_CHANGE = Field.bit("ConfigurationChange", 1);
    private static final Field[] DEVICE_STATUS = {
        Field.bit("ACKNOWLEDGE", 0), Field.bit("DRIVER", 1), Field.bit("DRIVER_OK", 2), Field.bit("FEATURES_OK", 3),
        // Reserved, but stored and read back, as QEMU stores the whole byte.
        Field.bits("Reserved", 5, 4),
        Field.bit("DEVICE_NEEDS_RESET", 6), Field.bit("FAILED", 7),
    };
    private static final String LEGACY = "legacy register, absent from a version 2 transport";

    // ---- State --------------------------------------------------------------------------------

    private final VirtioDevice device;
    private final DmaPort dma;
    private final InterruptLine irq;
    private final String name;
    private final GuestLog.Source log;
    private final RegisterMap regs;
    private final Virtqueue[] queues;
    private final long offered;
    private final Link link = new Link();

    private int status;
    private int isr;
    private int generation;
    private int deviceFeaturesSel;
    private int driverFeaturesSel;
    private long driverFeatures;
    private long negotiated;
    private int queueSel;
    private boolean broken;
    private boolean irqLevel;

    /**
     * @param device the device behind this transport (attached here; one transport per device)
     * @param dma    the device's DMA port
     * @param irq    the transport's interrupt wire
     * @param log    the machine's guest log
     */
    public VirtioMmio(VirtioDevice device, DmaPort dma, InterruptLine irq, GuestLog log) {
        this(device, dma, irq, log, false);
    }

    /**
     * @param behindIommu whether {@code dma} translates through an IOMMU: VIRTIO_F_ACCESS_PLATFORM is
     *                    then offered
     */
    public VirtioMmio(VirtioDevice device, DmaPort dma, InterruptLine irq, GuestLog log, boolean behindIommu) {
        this.device = device;
        this.dma = dma;
        this.irq = irq;
        this.name = device.name();
        this.log = log.source(name);
        this.regs = registers();
        long own = device.deviceFeatures();
        if ((own & ~DEVICE_FEATURE_MASK) != 0) {
            throw new IllegalArgumentException(String.format("%s offers transport feature bits 0x%x", name, own & ~DEVICE_FEATURE_MASK));
        }
        if (device.configSize() < 0 || device.configSize() > SIZE - CONFIG_OFFSET) {
            throw new IllegalArgumentException(name + ": configuration space of " + device.configSize() + " bytes");
        }
        this.offered = own | TRANSPORT_FEATURES | (behindIommu ? 1L << F_ACCESS_PLATFORM : 0);
        this.queues = new Virtqueue[device.queueCount()];
        for (int i = 0; i < queues.length; i++) {
            int max = device.queueNumMax(i);
            if (max <= 0 || max > Virtqueue.MAX_SIZE) throw new IllegalArgumentException(name + ": queue " + i + " max size " + max);
            queues[i] = new Virtqueue(link, i, max);
        }
        device.attach(link);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long size() {
        return SIZE;
    }

    public VirtioDevice device() {
        return device;
    }

    /** The Status register (for tests and the debugger view). */
    public int status() {
        return status;
    }

    /** InterruptStatus (for tests and the debugger view). */
    public int interruptStatus() {
        return isr;
    }

    /** Level of the interrupt output. */
    public boolean irqOutput() {
        return irqLevel;
    }

    /** Features both sides agreed on at FEATURES_OK (0 before). */
    public long negotiatedFeatures() {
        return negotiated;
    }

    /** Machine reset: the same as the driver writing 0 to Status. */
    public void reset() {
        status = 0;
        isr = 0;
        deviceFeaturesSel = 0;
        driverFeaturesSel = 0;
        driverFeatures = 0;
        negotiated = 0;
        queueSel = 0;
        broken = false;
        regs.reset();
        for (Virtqueue q : queues) q.reset();
        updateIrq();
        device.reset();
    }

    /**
     * A transport with no device behind it, as QEMU's virt board leaves its unused slots: the
     * identification registers answer (magic, version 2, device ID 0, vendor) so a driver probing
     * every slot sees "no device"; the rest of the window reads as zero, and writes anywhere are
     * ignored and logged as guest errors under {@code name}.
     */
    public static MmioDevice withoutDevice(String name, GuestLog guestLog) {
        return RegisterMap.builder(SIZE, guestLog.source(name))
                .register("MagicValue", 0x000).ro().reset(MAGIC)
                .register("Version", 0x004).ro().reset(VERSION)
                .register("DeviceID", 0x008).ro()
                .register("VendorID", 0x00C).ro().reset(VENDOR_QEMU)
                .array("NoDevice", 0x010, (int) (SIZE - 0x010) / 4).ro()
                .build()
                .asMmioDevice(name);
    }

    // ---- MMIO ---------------------------------------------------------------------------------

    /** The transport registers (VirtIO 1.2 section 4.2.2); the configuration space follows at 0x100. */
    private RegisterMap registers() {
        return RegisterMap.builder(CONFIG_OFFSET, log)
                .register("MagicValue", 0x000).ro().reset(MAGIC)
                .register("Version", 0x004).ro().reset(VERSION)
                .register("DeviceID", 0x008).ro().reset(device.deviceId())
                .register("VendorID", 0x00C).ro().reset(VENDOR_QEMU)
                .register("DeviceFeatures", 0x010).ro().read(i -> deviceFeaturesWord())
                .register("DeviceFeaturesSel", 0x014).wo().write((i, v) -> deviceFeaturesSel = (int) v)
                .register("DriverFeatures", 0x020).wo().write((i, v) -> writeDriverFeatures((int) v))
                .register("DriverFeaturesSel", 0x024).wo().write((i, v) -> driverFeaturesSel = (int) v)
                .register("GuestPageSize", 0x028).invalid(LEGACY)
                .register("QueueSel", 0x030).wo().write((i, v) -> queueSel = (int) v)
                .register("QueueNumMax", 0x034).ro().read(i -> selectedQueue() == null ? 0 : selectedQueue().maxSize())
                .register("QueueNum", 0x038).wo().write((i, v) -> writeQueue("QueueNum", Virtqueue::setNum, (int) v))
                .register("QueueAlign", 0x03C).invalid(LEGACY)
                .register("QueuePFN", 0x040).invalid(LEGACY)
                .register("QueueReady", 0x044).read(i -> selectedQueue() != null && selectedQueue().isReady() ? 1 : 0)
                        .write((i, v) -> writeQueueReady((int) v))
                .register("QueueNotify", 0x050).wo().write((i, v) -> notifyQueue((int) v))
                .register("InterruptStatus", 0x060).ro().fields(INTERRUPT_USED_BUFFER, INTERRUPT_CONFIG_CHANGE).read(i -> isr)
                .register("InterruptACK", 0x064).wo().fields(INTERRUPT_USED_BUFFER, INTERRUPT_CONFIG_CHANGE)
                        .write((i, v) -> acknowledge((int) v))
                .register("Status", 0x070).fields(DEVICE_STATUS).read(i -> status).write((i, v) -> writeStatus((int) v))
                .register("QueueDescLow", 0x080).wo().write((i, v) -> writeQueue("QueueDescLow", Virtqueue::setDescLow, (int) v))
                .register("QueueDescHigh", 0x084).wo().write((i, v) -> writeQueue("QueueDescHigh", Virtqueue::setDescHigh, (int) v))
                .register("QueueDriverLow", 0x090).wo().write((i, v) -> writeQueue("QueueDriverLow", Virtqueue::setDriverLow, (int) v))
                .register("QueueDriverHigh", 0x094).wo().write((i, v) -> writeQueue("QueueDriverHigh", Virtqueue::setDriverHigh, (int) v))
                .register("QueueDeviceLow", 0x0A0).wo().write((i, v) -> writeQueue("QueueDeviceLow", Virtqueue::setDeviceLow, (int) v))
                .register("QueueDeviceHigh", 0x0A4).wo().write((i, v) -> writeQueue("QueueDeviceHigh", Virtqueue::setDeviceHigh, (int) v))
                // There are no shared memory regions: any selection reads as absent, all ones.
                .register("SHMSel", 0x0AC).wo()
                .register("SHMLenLow", 0x0B0).ro().reset(0xFFFF_FFFFL)
                .register("SHMLenHigh", 0x0B4).ro().reset(0xFFFF_FFFFL)
                .register("SHMBaseLow", 0x0B8).ro().reset(0xFFFF_FFFFL)
                .register("SHMBaseHigh", 0x0BC).ro().reset(0xFFFF_FFFFL)
                .register("ConfigGeneration", 0x0FC).ro().read(i -> generation)
                .build();
    }

    @Override
    public long read(long offset, int size) {
        if (offset >= CONFIG_OFFSET && offset < SIZE) return readConfig((int) (offset - CONFIG_OFFSET), size);
        return regs.read(offset, size);
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset >= CONFIG_OFFSET && offset < SIZE) {
            writeConfig((int) (offset - CONFIG_OFFSET), size, value);
            return;
        }
        regs.write(offset, size, value);
    }

    private int deviceFeaturesWord() {
        return switch (deviceFeaturesSel) {
            case 0 -> (int) offered;
            case 1 -> (int) (offered >>> 32);
            default -> 0;
        };
    }

    private void acknowledge(int bits) {
        isr &= ~bits;
        updateIrq();
    }

    private Virtqueue selectedQueue() {
        return queueSel >= 0 && queueSel < queues.length ? queues[queueSel] : null;
    }

    /** Sets one of the selected queue's registers (QueueNum, the ring addresses). */
    private interface QueueSetter {
        void set(Virtqueue q, int value);
    }

    /** A write to a register of the selected queue: checked, then stored in the queue. */
    private void writeQueue(String reg, QueueSetter setter, int value) {
        Virtqueue q = selectedQueue();
        if (q == null) {
            log.guestError("%s write with QueueSel %d, but the device has %d queues", reg, queueSel, queues.length);
            return;
        }
        if (q.isReady()) {
            // Spec 4.2.3.2: not allowed while ready. Stored (as QEMU does); it takes effect at the next QueueReady.
            log.guestError("%s written while queue %d is ready; takes effect when QueueReady is set again", reg, queueSel);
        }
        setter.set(q, value);
    }

    private void writeQueueReady(int v) {
        Virtqueue q = selectedQueue();
        if (q == null) {
            log.guestError("QueueReady write with QueueSel %d, but the device has %d queues", queueSel, queues.length);
            return;
        }
        if (v == 0) {
            q.disable();
        } else {
            if (v != 1) log.guestError("QueueReady written with %d (only 0 and 1 are defined); taken as 1", v);
            q.enable();
        }
    }

    private void writeDriverFeatures(int v) {
        if ((status & STATUS_FEATURES_OK) != 0) {
            log.guestError("DriverFeatures written after FEATURES_OK; ignored");
            return;
        }
        switch (driverFeaturesSel) {
            case 0 -> driverFeatures = (driverFeatures & 0xFFFF_FFFF_0000_0000L) | (v & 0xFFFF_FFFFL);
            case 1 -> driverFeatures = (driverFeatures & 0xFFFF_FFFFL) | ((long) v << 32);
            default -> {
                if (v != 0) log.guestError("driver accepts features 0x%x in word %d, none offered there", v, driverFeaturesSel);
            }
        }
    }

    private void notifyQueue(int v) {
        if (v < 0 || v >= queues.length) {
            log.guestError("QueueNotify for queue %d, but the device has %d queues", v, queues.length);
            return;
        }
        if (broken) return; // QEMU: a broken device ignores notifications until it is reset
        if (!queues[v].isReady()) {
            log.guestError("QueueNotify for queue %d, which is not ready", v);
            return;
        }
        device.onNotify(v);
    }

    private void writeStatus(int v) {
        if (v == 0) {
            reset();
            return;
        }
        int old = status;
        if ((v & STATUS_FEATURES_OK) != 0 && (old & STATUS_FEATURES_OK) == 0) {
            long unoffered = driverFeatures & ~offered;
            if ((driverFeatures & (1L << F_VERSION_1)) == 0) {
                log.guestError("FEATURES_OK refused: the driver did not accept VIRTIO_F_VERSION_1 (features 0x%x)", driverFeatures);
                v &= ~STATUS_FEATURES_OK;
            } else if (unoffered != 0) {
                log.guestError("FEATURES_OK refused: the driver accepted features 0x%x that were not offered", unoffered);
                v &= ~STATUS_FEATURES_OK;
            } else {
                negotiated = driverFeatures;
            }
        }
        int cleared = old & ~v & (STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
        if (cleared != 0) log.guestError("Status 0x%x clears bits 0x%x without a reset", v, cleared);
        if ((v & STATUS_DRIVER_OK) != 0 && (v & STATUS_FEATURES_OK) == 0) {
            log.guestError("DRIVER_OK set without FEATURES_OK (Status 0x%x)", v);
        }
        if ((v & STATUS_DEVICE_NEEDS_RESET) != 0 && (old & STATUS_DEVICE_NEEDS_RESET) == 0) {
            log.guestError("driver set DEVICE_NEEDS_RESET, which only the device may set; ignored");
        }
        // DEVICE_NEEDS_RESET belongs to the device: it stays until a reset, whatever the driver writes.
        status = (v & ~STATUS_DEVICE_NEEDS_RESET) | (old & STATUS_DEVICE_NEEDS_RESET);
        if ((status & STATUS_DRIVER_OK) != 0 && (old & STATUS_DRIVER_OK) == 0) device.onDriverOk();
    }

    // ---- Configuration space ------------------------------------------------------------------

    private long readConfig(int off, int size) {
        if (size != 1 && size != 2 && size != 4) {
            log.guestError("%d-byte read of configuration space at 0x%x ignored", size, off);
            return 0;
        }
        long mask = size == 4 ? 0xFFFF_FFFFL : (1L << (8 * size)) - 1;
        if (off + size > device.configSize()) {
            // QEMU virtio_config_modern_read*: all ones past the end.
            log.guestError("read of configuration space 0x%x+%d past its %d bytes", off, size, device.configSize());
            return mask;
        }
        byte[] config = device.readConfig();
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | (config[off + i] & 0xFF);
        return v & mask;
    }

    private void writeConfig(int off, int size, long value) {
        if (size != 1 && size != 2 && size != 4) {
            log.guestError("%d-byte write of configuration space at 0x%x ignored", size, off);
            return;
        }
        if (off + size > device.configSize()) {
            log.guestError("write of configuration space 0x%x+%d past its %d bytes ignored", off, size, device.configSize());
            return;
        }
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) data[i] = (byte) (value >>> (8 * i));
        device.writeConfig(off, data);
    }

    // ---- Snapshot -----------------------------------------------------------------------------

    /** Named by its slot's address, as the board places it (several transports carry the same kind of device). */
    private String snapshotName;

    /** The board names the section after the transport's address. */
    public void setSnapshotName(String sectionName) {
        this.snapshotName = sectionName;
    }

    @Override
    public String snapshotName() {
        return snapshotName != null ? snapshotName : "virtio-mmio:" + name;
    }

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /**
     * Layout: i32 Status, InterruptStatus, ConfigGeneration, DeviceFeaturesSel, DriverFeaturesSel;
     * i64 driver features, negotiated; i32 QueueSel; bool broken, IRQ level; i32 queue count and
     * each queue; the stored registers; the device's own section (nested, with its version).
     */
    @Override
    public void save(StateWriter out) {
        out.i32(status).i32(isr).i32(generation).i32(deviceFeaturesSel).i32(driverFeaturesSel)
                .i64(driverFeatures).i64(negotiated).i32(queueSel).bool(broken).bool(irqLevel).i32(queues.length);
        for (Virtqueue q : queues) q.save(out);
        regs.save(out);
        out.section(device);
    }

    @Override
    public Runnable load(StateReader in, int version) throws SnapshotException {
        int st = in.i32("Status", 0, 0xFF);
        int savedIsr = in.i32("InterruptStatus", 0, INT_USED_BUFFER | INT_CONFIG_CHANGE);
        int gen = in.i32(), dfs = in.i32(), drfs = in.i32();
        long df = in.i64(), neg = in.i64();
        if ((neg & ~offered) != 0) throw in.bad(String.format("negotiated features 0x%x were never offered", neg & ~offered));
        int sel = in.i32();
        boolean brk = in.bool(), level = in.bool();
        if (level != (savedIsr != 0)) throw in.bad("interrupt output " + level + " does not follow InterruptStatus " + savedIsr);
        in.i32("queue count", queues.length, queues.length);
        Runnable[] qs = new Runnable[queues.length];
        for (int i = 0; i < queues.length; i++) qs[i] = queues[i].load(in);
        Runnable stored = regs.load(in);
        Runnable dev = in.section(device);
        return () -> {
            status = st;
            isr = savedIsr;
            generation = gen;
            deviceFeaturesSel = dfs;
            driverFeaturesSel = drfs;
            driverFeatures = df;
            negotiated = neg;
            queueSel = sel;
            broken = brk;
            irqLevel = level;  // the GIC restores its copy of the wire
            for (Runnable q : qs) q.run();
            stored.run();
            dev.run();
        };
    }

    // ---- Interrupts ---------------------------------------------------------------------------

    private void updateIrq() {
        boolean level = isr != 0;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    private void raise(int bits) {
        isr |= bits;
        updateIrq();
    }

    private void configChanged() {
        if ((status & STATUS_DRIVER_OK) == 0) return; // QEMU virtio_notify_config
        generation++;
        raise(INT_CONFIG_CHANGE);
    }

    private void deviceError(String fmt, Object... args) {
        log.guestError(fmt, args);
        if (broken) return;
        broken = true;
        status |= STATUS_DEVICE_NEEDS_RESET;
        configChanged();
    }

    /** The transport as the device and its queues see it. */
    private final class Link implements VirtioDevice.Transport, Virtqueue.Host {
        @Override
        public GuestLog.Source log() {
            return log;
        }

        @Override
        public Virtqueue queue(int index) {
            return queues[index];
        }

        @Override
        public DmaPort dma() {
            return dma;
        }

        @Override
        public boolean driverOk() {
            return (status & STATUS_DRIVER_OK) != 0;
        }

        @Override
        public boolean negotiated(int bit) {
            return bit >= 0 && bit < 64 && (negotiated & (1L << bit)) != 0;
        }

        @Override
        public boolean eventIdx() {
            return negotiated(F_EVENT_IDX);
        }

        @Override
        public void configChanged() {
            VirtioMmio.this.configChanged();
        }

        @Override
        public void deviceError(String fmt, Object... args) {
            VirtioMmio.this.deviceError(fmt, args);
        }

        @Override
        public boolean broken() {
            return broken;
        }

        @Override
        public void raiseUsedInterrupt() {
            raise(INT_USED_BUFFER);
        }
    }
}
