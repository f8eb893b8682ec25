package org.vitrine.devices.qemu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.snapshot.StateReader;
import org.vitrine.emulator.snapshot.StateWriter;
import org.vitrine.emulator.spi.DmaPort;
import org.vitrine.emulator.spi.DmaPort.DmaException;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.MmioDevice;

/**
 * QEMU's firmware configuration device, memory-mapped ({@code qemu,fw-cfg-mmio}; QEMU's
 * docs/specs/fw_cfg.rst), as {@code -M virt} has it at 0x0902_0000: numbered items and named files
 * firmware reads to learn about the machine, through a selector and a data port, or by DMA.
 *
 * <h2>Interface</h2>
 * <ul>
 *   <li>MMIO region of {@value #SIZE} bytes: the data port at 0x0 (1, 2, 4 or 8 bytes a read, the
 *       item's next bytes in order), the selector at 0x8 (16 bits, big-endian), the DMA address at
 *       0x10 (64 bits, big-endian; writing its low half at 0x14, or all of it, starts the transfer;
 *       reading it gives the signature "QEMU CFG").</li>
 *   <li>No interrupt. DMA through the device's {@link DmaPort}: the guest's FWCfgDmaAccess
 *       (control, length, address; big-endian) is read, the transfer done, and control written back
 *       as 0, or with the error bit.</li>
 * </ul>
 *
 * <h2>Items</h2>
 * What QEMU's common fw_cfg and virt put there, as far as Vitrine has it: the signature "QEMU", the
 * interface ID (traditional and DMA), a zero UUID, NOGRAPHIC 0, BOOT_MENU 0, NB_CPUS 1, and the file
 * directory with {@code bios-geometry} and {@code bootorder} (both empty, as without -boot options)
 * and {@code etc/boot-fail-wait} (-1: no reboot timeout). Not there: QEMU's ACPI and SMBIOS tables
 * ({@code etc/acpi/*}, {@code etc/smbios/*}, {@code etc/table-loader}, {@code etc/tpm/log}): Vitrine
 * describes its machine by device tree only, so U-Boot's {@code qfw list} names three files, not nine.
 * An unknown selector selects an empty item (reads are zero), as QEMU does.
 *
 * <h2>Not modelled</h2>
 * Writes to items (the DMA write operation): refused with the error bit, logged as unimplemented; no
 * item of this board is writable.
 */
public final class FwCfgMmio implements MmioDevice, Snapshottable {
    public static final long SIZE = 0x18;
    static final int SIGNATURE = 0x0000, ID = 0x0001, UUID = 0x0002, NOGRAPHIC = 0x0004, NB_CPUS = 0x0005,
            BOOT_MENU = 0x000e, FILE_DIR = 0x0019, FILE_FIRST = 0x0020;
    /** ID bits: the traditional (port) interface, and DMA. */
    static final int ID_TRADITIONAL = 1, ID_DMA = 2;
    /** What the DMA address register reads as: "QEMU CFG", so firmware can tell DMA is there. */
    static final long DMA_SIGNATURE = 0x51454d5520434647L;
    /** FWCfgDmaAccess.control bits. */
    static final int DMA_ERROR = 1, DMA_READ = 2, DMA_SKIP = 4, DMA_SELECT = 8, DMA_WRITE = 16;
    private static final int FILE_NAME = 56;
    /** What an unknown selector selects: no bytes (every read of the data port is then zero). */
    private static final byte[] EMPTY = new byte[0];

    private final DmaPort dma;
    private final GuestLog.Source log;
    private final Map<Integer, byte[]> items = new LinkedHashMap<>();
    private int selector;
    private int offset;
    private long dmaAddressHigh;

    /** @param dma where DMA descriptors and buffers are, the device's view of guest memory */
    public FwCfgMmio(DmaPort dma, GuestLog log) {
        this.dma = dma;
        this.log = log.source(name());
        items.put(SIGNATURE, "QEMU".getBytes(StandardCharsets.US_ASCII));
        items.put(ID, le(ID_TRADITIONAL | ID_DMA, 4));
        items.put(UUID, new byte[16]);
        items.put(NOGRAPHIC, le(0, 2));
        items.put(NB_CPUS, le(1, 2));
        items.put(BOOT_MENU, le(0, 2));
        addFiles(List.of(new NamedFile("bios-geometry", EMPTY), new NamedFile("bootorder", EMPTY),
                new NamedFile("etc/boot-fail-wait", le(-1, 4))));
    }

    private record NamedFile(String name, byte[] data) { }

    /** Files get selectors from 0x20 on, in name order, and the directory (sizes and selectors big-endian). */
    private void addFiles(List<NamedFile> files) {
        List<NamedFile> sorted = new ArrayList<>(files);
        sorted.sort((a, b) -> a.name().compareTo(b.name()));
        ByteBuffer dir = ByteBuffer.allocate(4 + 64 * sorted.size()).order(ByteOrder.BIG_ENDIAN);
        dir.putInt(sorted.size());
        int select = FILE_FIRST;
        for (NamedFile f : sorted) {
            items.put(select, f.data());
            dir.putInt(f.data().length).putShort((short) select).putShort((short) 0);
            byte[] name = java.util.Arrays.copyOf(f.name().getBytes(StandardCharsets.US_ASCII), FILE_NAME);
            dir.put(name);
            select++;
        }
        items.put(FILE_DIR, dir.array());
    }

    private static byte[] le(long v, int bytes) {
        byte[] b = new byte[bytes];
        for (int i = 0; i < bytes; i++) b[i] = (byte) (v >>> (8 * i));
        return b;
    }

    @Override
    public String name() {
        return "fw-cfg";
    }

    @Override
    public long size() {
        return SIZE;
    }

    @Override
    public String snapshotName() {
        return name();
    }

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /** Layout: selector, offset in the item, the DMA address's high half written so far. The items are constants. */
    @Override
    public void save(StateWriter out) {
        out.i32(selector).i32(offset).i64(dmaAddressHigh);
    }

    @Override
    public Runnable load(StateReader in, int version) throws SnapshotException {
        int sel = in.i32("the selector", 0, 0xFFFF), off = in.i32("the offset", 0, Integer.MAX_VALUE);
        long high = in.i64("the DMA address's high half", 0, 0xFFFF_FFFFL);
        return () -> {
            selector = sel;
            offset = off;
            dmaAddressHigh = high;
        };
    }

    /** Selector 0 (the signature), offset 0. */
    public void reset() {
        select(SIGNATURE);
        dmaAddressHigh = 0;
    }

    private void select(int key) {
        selector = key & 0xFFFF;
        offset = 0;
    }

    private byte[] current() {
        return items.getOrDefault(selector, EMPTY);
    }

    @Override
    public long read(long at, int size) {
        // The registers are big-endian (QEMU's DEVICE_BIG_ENDIAN regions): the byte at the lowest
        // address is the most significant, so a little-endian CPU's register holds them reversed.
        if (at < 8) {
            if (at + size > 8) return bad("read", at, size);
            // The item's next bytes, in the order they are stored: first byte at the lowest address.
            byte[] item = current();
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= (long) (offset < item.length ? item[offset] & 0xFF : 0) << (8 * i);
                if (offset < item.length) offset++;
            }
            return v;
        }
        if (at >= 0x10 && at + size <= 0x18 && (size == 4 || size == 8) && (at & (size - 1)) == 0) {
            long guestOrder = Long.reverseBytes(DMA_SIGNATURE); // "QEMU CFG" in memory order
            return size == 8 ? guestOrder : (at == 0x10 ? guestOrder & 0xFFFF_FFFFL : guestOrder >>> 32);
        }
        if (at == 8 && size == 2) return 0; // the selector is write-only; QEMU reads it as zero
        return bad("read", at, size);
    }

    @Override
    public void write(long at, int size, long value) {
        if (at == 8 && size == 2) {
            select((int) Long.reverseBytes(value << 48));        // big-endian 16 bits
        } else if (at == 0x10 && size == 8) {
            runDma(Long.reverseBytes(value));
        } else if (at == 0x10 && size == 4) {
            dmaAddressHigh = Integer.toUnsignedLong(Integer.reverseBytes((int) value));
        } else if (at == 0x14 && size == 4) {
            runDma((dmaAddressHigh << 32) | Integer.toUnsignedLong(Integer.reverseBytes((int) value)));
            dmaAddressHigh = 0;
        } else if (at < 8 && at + size <= 8) {
            log.unimplemented("write of 0x%x to the data port: no item of this board is writable", value);
        } else {
            bad("write", at, size);
        }
    }

    private long bad(String what, long at, int size) {
        log.guestError("%d-byte %s at offset 0x%x (data 0x0-0x7, selector 0x8 16 bits, DMA 0x10-0x17 32 or 64 bits)", size, what, at);
        return 0;
    }

    /** One FWCfgDmaAccess at {@code descriptor}: select, then read, skip or (refused) write, then the status. */
    private void runDma(long descriptor) {
        int control;
        try {
            byte[] d = dma.read(descriptor, 16);
            ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.BIG_ENDIAN);
            control = b.getInt();
            int length = b.getInt();
            long address = b.getLong();
            if ((control & DMA_SELECT) != 0) select(control >>> 16);
            boolean ok = true;
            if ((control & DMA_READ) != 0) {
                byte[] item = current();
                byte[] out = new byte[Math.max(0, length)];
                int n = Math.max(0, Math.min(length, item.length - offset));
                System.arraycopy(item, Math.min(offset, item.length), out, 0, n);
                offset += n;
                dma.write(address, out, 0, out.length);
            } else if ((control & DMA_SKIP) != 0) {
                offset = (int) Math.min((long) current().length, (long) offset + Integer.toUnsignedLong(length));
            } else if ((control & DMA_WRITE) != 0) {
                log.unimplemented("DMA write of %d bytes to item 0x%x: no item of this board is writable", length, selector);
                ok = false;
            }
            writeStatus(descriptor, ok ? 0 : DMA_ERROR);
        } catch (DmaException e) {
            log.guestError("DMA descriptor at 0x%x or its buffer is not guest memory: %s", descriptor, e.getMessage());
            try {
                writeStatus(descriptor, DMA_ERROR);
            } catch (DmaException unreachable) {
                // the descriptor itself is not memory: nothing to report the error in
            }
        }
    }

    private void writeStatus(long descriptor, int control) throws DmaException {
        byte[] c = ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(control).array();
        dma.write(descriptor, c, 0, 4);
    }
}
