package org.vitrine.devices.iommu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.vitrine.emulator.memory.PhysicalMemory;
import org.vitrine.emulator.spi.DmaPort;

/**
 * The DMA port of a device behind an {@link Iommu}: every access is split at 4 KiB input pages
 * and each page translated (an IOMMU maps page by page, so consecutive IOVAs may land anywhere).
 * {@link #window} answers only for a range whose pages land contiguously in RAM; a range that is
 * mapped but scattered fails without a fault record, so a caller can fall back to page-sized
 * windows.
 */
final class IommuDmaPort implements DmaPort {
    private static final long PAGE = 0x1000;

    private final Iommu iommu;
    private final PhysicalMemory ram;
    private final int deviceId;
    private final String device;
    private final Iommu.LastHit last = new Iommu.LastHit();

    IommuDmaPort(Iommu iommu, PhysicalMemory ram, int deviceId, String device) {
        this.iommu = iommu;
        this.ram = ram;
        this.deviceId = deviceId;
        this.device = device;
    }

    private MemorySegment ramSlice(long pa, long length) throws DmaException {
        try {
            return ram.slice(pa, length);
        } catch (PhysicalMemory.BadAddressException e) {
            throw new DmaException(device + ": DMA to " + e.getMessage());
        }
    }

    private static long pieceLength(long address, long remaining) {
        return Math.min(remaining, PAGE - (address & (PAGE - 1)));
    }

    @Override
    public MemorySegment window(long address, long length) throws DmaException {
        return window(address, length, false);
    }

    private MemorySegment window(long address, long length, boolean write) throws DmaException {
        if (length < 0 || address + length < address && address + length != 0) {
            throw new DmaException(String.format("%s: DMA range 0x%x+0x%x wraps", device, address, length));
        }
        long first = iommu.translate(deviceId, device, address, write, last);
        long expect = first + pieceLength(address, length);
        for (long a = address + pieceLength(address, length); a - address < length; a += PAGE) {
            long pa = iommu.translate(deviceId, device, a, write, last);
            if (pa != expect) {
                throw new DmaException(String.format("%s: IOVA range 0x%x+0x%x is not contiguous in physical memory", device, address, length));
            }
            expect += pieceLength(a, length - (a - address));
        }
        return ramSlice(first, length);
    }

    @Override
    public void read(long address, byte[] into, int offset, int length) throws DmaException {
        int done = 0;
        while (done < length) {
            long a = address + done;
            int n = (int) pieceLength(a, length - done);
            MemorySegment.copy(ramSlice(iommu.translate(deviceId, device, a, false, last), n), ValueLayout.JAVA_BYTE, 0, into, offset + done, n);
            done += n;
        }
    }

    @Override
    public void write(long address, byte[] from, int offset, int length) throws DmaException {
        int done = 0;
        while (done < length) {
            long a = address + done;
            int n = (int) pieceLength(a, length - done);
            MemorySegment.copy(from, offset + done, ramSlice(iommu.translate(deviceId, device, a, true, last), n), ValueLayout.JAVA_BYTE, 0, n);
            done += n;
        }
    }
}
