package org.vitrine.devices.pci;

import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.snapshot.StateReader;
import org.vitrine.emulator.snapshot.StateWriter;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.MmioDevice;

/**
 * A generic PCIe host bridge's configuration window (PCI Express Base Specification, "Enhanced
 * Configuration Access Mechanism"; Linux's {@code pci-host-ecam-generic}), as QEMU's {@code -M virt}
 * has it ("gpex") with its ECAM at 0x40_1000_0000 for buses 0..255.
 *
 * <h2>Interface</h2>
 * <ul>
 *   <li>MMIO region of {@value #SIZE} bytes: function {@code bus:dev.fn}'s 4 KiB configuration space
 *       at offset {@code bus << 20 | dev << 15 | fn << 12}.</li>
 *   <li>No interrupt of its own. The bus's memory and I/O windows (described in the device tree) hold
 *       no device, so nothing is mapped there.</li>
 * </ul>
 *
 * <h2>Modelled</h2>
 * One function, 00:00.0, the host bridge QEMU puts there (Red Hat 1b36:0008, class 0x060000, type 0
 * header, no BARs, no capabilities, subsystem 1af4:1100 as QEMU gives its devices): its writable
 * bits are those of a bridge without resources (Command's I/O, memory, bus-master, parity, SERR and
 * INTx-disable bits, cache line size, latency timer, interrupt line); everything else is read-only.
 * Every other function is absent: reads return all ones (the "no device" answer an enumeration looks
 * for), writes are dropped.
 *
 * <h2>Not modelled</h2>
 * Devices behind the bridge (virtio-pci would plug in here) and MSI, which would go through the
 * GICv2m frame the device tree names in {@code msi-map}.
 *
 * <h2>Access sizes</h2>
 * 1, 2 and 4 bytes, aligned to their size, as ECAM requires; anything else is a guest error and
 * reads all ones.
 */
public final class PciHostEcam implements MmioDevice, Snapshottable {
    /** 256 buses of 32 devices of 8 functions of 4 KiB. */
    public static final long SIZE = 256L << 20;
    public static final int VENDOR_REDHAT = 0x1b36, DEVICE_REDHAT_HOST = 0x0008, CLASS_HOST_BRIDGE = 0x060000;
    private static final int VENDOR_QEMU_SUBSYSTEM = 0x1af4, SUBSYSTEM_QEMU = 0x1100;
    private static final int FUNCTION_SPACE = 4096;

    // ---- Type 0 header offsets (PCI Local Bus Specification 3.0, 6.1) ---------------------------
    private static final int VENDOR_ID = 0x00, DEVICE_ID = 0x02, COMMAND = 0x04, REVISION = 0x08, CLASS_CODE = 0x09,
            CACHE_LINE_SIZE = 0x0C, LATENCY_TIMER = 0x0D, SUBSYSTEM_VENDOR_ID = 0x2C, SUBSYSTEM_ID = 0x2E,
            INTERRUPT_LINE = 0x3C;
    /** Command bits a host bridge without resources implements: I/O, memory, master, parity, SERR, INTx disable. */
    private static final int COMMAND_WRITABLE = 0x0001 | 0x0002 | 0x0004 | 0x0040 | 0x0100 | 0x0400;

    private final GuestLog.Source log;
    /** The host bridge's configuration space and, per byte, which bits the guest may change. */
    private final byte[] hostBridge = new byte[FUNCTION_SPACE];
    private final byte[] writable = new byte[FUNCTION_SPACE];
    /** The space after reset: the read-only bytes never leave it. */
    private final byte[] resetImage;

    public PciHostEcam(GuestLog log) {
        this.log = log.source(name());
        writable[COMMAND] = (byte) COMMAND_WRITABLE;
        writable[COMMAND + 1] = (byte) (COMMAND_WRITABLE >> 8);
        writable[CACHE_LINE_SIZE] = (byte) 0xFF;
        writable[LATENCY_TIMER] = (byte) 0xFF;
        writable[INTERRUPT_LINE] = (byte) 0xFF;
        reset();
        resetImage = hostBridge.clone();
    }

    @Override
    public String name() {
        return "pcie-host";
    }

    @Override
    public long size() {
        return SIZE;
    }

    /** The host bridge as after power-on: identification set, everything writable cleared. */
    public void reset() {
        java.util.Arrays.fill(hostBridge, (byte) 0);
        put(VENDOR_ID, 2, VENDOR_REDHAT);
        put(DEVICE_ID, 2, DEVICE_REDHAT_HOST);
        put(REVISION, 1, 0);
        put(CLASS_CODE, 3, CLASS_HOST_BRIDGE);
        put(SUBSYSTEM_VENDOR_ID, 2, VENDOR_QEMU_SUBSYSTEM);
        put(SUBSYSTEM_ID, 2, SUBSYSTEM_QEMU);
    }

    @Override
    public String snapshotName() {
        return name();
    }

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /** Layout: the host bridge's 4 KiB configuration space. */
    @Override
    public void save(StateWriter out) {
        out.bytes(hostBridge);
    }

    @Override
    public Runnable load(StateReader in, int version) throws SnapshotException {
        byte[] space = in.bytes("the host bridge's configuration space", FUNCTION_SPACE);
        for (int i = 0; i < FUNCTION_SPACE; i++) {
            if (((space[i] ^ resetImage[i]) & ~writable[i]) != 0) {
                throw in.bad("read-only configuration byte 0x" + Integer.toHexString(i) + " differs from the host bridge's");
            }
        }
        return () -> System.arraycopy(space, 0, hostBridge, 0, FUNCTION_SPACE);
    }

    private void put(int offset, int bytes, int value) {
        for (int i = 0; i < bytes; i++) hostBridge[offset + i] = (byte) (value >>> (8 * i));
    }

    /** The configuration-space bytes of function {@code bus:dev.fn}, or null when no function is there. */
    private byte[] function(long offset) {
        return (offset >>> 12) == 0 ? hostBridge : null;
    }

    private boolean valid(long offset, int size, boolean write) {
        if ((size == 1 || size == 2 || size == 4) && (offset & (size - 1)) == 0) return true;
        log.guestError("%d-byte configuration %s at 0x%x (ECAM takes aligned 1, 2 and 4 bytes)", size, write ? "write" : "read", offset);
        return false;
    }

    @Override
    public long read(long offset, int size) {
        long ones = size >= 8 ? -1L : (1L << (8 * size)) - 1;
        if (!valid(offset, size, false)) return ones;
        byte[] space = function(offset);
        if (space == null) return ones;
        int at = (int) (offset & (FUNCTION_SPACE - 1));
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | (space[at + i] & 0xFF);
        return v;
    }

    @Override
    public void write(long offset, int size, long value) {
        if (!valid(offset, size, true)) return;
        byte[] space = function(offset);
        if (space == null) return;
        int at = (int) (offset & (FUNCTION_SPACE - 1));
        for (int i = 0; i < size; i++) {
            int mask = writable[at + i] & 0xFF, b = (int) (value >>> (8 * i)) & 0xFF;
            space[at + i] = (byte) ((space[at + i] & ~mask) | (b & mask));
        }
    }
}
