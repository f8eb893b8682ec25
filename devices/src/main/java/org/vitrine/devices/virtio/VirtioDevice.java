package org.vitrine.devices.virtio;

import org.vitrine.emulator.spi.DmaPort;
import org.vitrine.emulator.spi.GuestLog;

/**
 * A VirtIO device (VirtIO 1.2 chapter 5) as a transport sees it: what {@link VirtioMmio} needs to
 * present the device to a driver, and what the device needs from the transport to do its work.
 *
 * <p>The transport owns everything of chapter 2 and 4.2 — status, feature negotiation, the split
 * virtqueues, the interrupt status and line, DEVICE_NEEDS_RESET — so a device model deals only
 * with its own configuration space and with the chains its queues deliver ({@link Virtqueue#pop()}
 * and {@link Virtqueue#push}).
 *
 * <p>All calls arrive on the emulation thread. A device must never throw to the transport: a
 * malformed request becomes an error status or {@link Transport#deviceError}.
 */
public interface VirtioDevice extends org.vitrine.emulator.snapshot.Snapshottable {
    /** A device's snapshot section is nested in its transport's, under the device's name. */
    @Override
    default String snapshotName() {
        return name();
    }

    /** What the transport offers a device; given once, through {@link #attach}. */
    interface Transport {
        /** Queue {@code index} (0 .. {@link #queueCount()}-1). */
        Virtqueue queue(int index);

        /** The device's only path to guest memory. */
        DmaPort dma();

        /** Where the device reports guest mistakes (under the device's name, shared with the transport). */
        GuestLog.Source log();

        /** True once the driver has set DRIVER_OK (and until a reset). */
        boolean driverOk();

        /** True when feature bit {@code bit} was offered, accepted by the driver and confirmed by FEATURES_OK. */
        boolean negotiated(int bit);

        /**
         * The device changed its configuration space on its own: bump ConfigGeneration and raise
         * the configuration-change interrupt (only once DRIVER_OK is set, as QEMU's
         * virtio_notify_config).
         */
        void configChanged();

        /**
         * The driver broke the protocol in a way the device cannot answer with a status (QEMU's
         * virtio_error): log a guest error, set DEVICE_NEEDS_RESET, raise a configuration-change
         * interrupt, and stop processing every queue until the driver resets the device.
         */
        void deviceError(String fmt, Object... args);

        /** True after {@link #deviceError} until the next reset. */
        boolean broken();
    }

    /** Device ID (VirtIO 1.2 section 5): 2 block, 16 GPU, 18 input. */
    int deviceId();

    /** Short name for logs, e.g. "virtio-blk". */
    String name();

    /**
     * Device-specific feature bits offered to the driver (bits 0..23 and 50..127 of the feature
     * space). The transport adds the reserved bits it implements itself (VIRTIO_F_VERSION_1,
     * VIRTIO_F_INDIRECT_DESC, VIRTIO_F_EVENT_IDX).
     */
    long deviceFeatures();

    /** Number of virtqueues. */
    int queueCount();

    /**
     * QueueNumMax for queue {@code index}. QEMU's virtio-mmio answers VIRTQUEUE_MAX_SIZE (1024) for
     * every queue that exists, whatever default size the device model gives the queue, and so
     * does the default.
     */
    default int queueNumMax(int index) {
        return Virtqueue.MAX_SIZE;
    }

    /** Length in bytes of the device configuration space (at most 0x100 on virtio-mmio). */
    int configSize();

    /** The configuration space as it is now: {@link #configSize()} bytes, little-endian fields. */
    byte[] readConfig();

    /**
     * The driver wrote {@code data} at {@code offset} of the configuration space (the transport
     * has checked that the bytes lie inside it).
     */
    void writeConfig(int offset, byte[] data);

    /** Called once, by the transport's constructor, before any other call. */
    void attach(Transport transport);

    /** The driver notified queue {@code index} (QueueNotify), which is ready and not broken. */
    void onNotify(int index);

    /** The driver set DRIVER_OK. */
    default void onDriverOk() { }

    /**
     * Device reset (the driver wrote 0 to Status, or the machine reset): forget everything the
     * driver set up. The transport has already reset its own state and every queue.
     */
    void reset();
}
