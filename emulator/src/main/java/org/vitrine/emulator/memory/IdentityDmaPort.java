package org.vitrine.emulator.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.vitrine.emulator.spi.DmaPort;

/** The DMA port of a device with no IOMMU in front of it: bus addresses are physical addresses in RAM. */
public final class IdentityDmaPort implements DmaPort {
    private final PhysicalMemory ram;
    private final String device;

    public IdentityDmaPort(PhysicalMemory ram, String device) {
        this.ram = ram;
        this.device = device;
    }

    @Override
    public MemorySegment window(long address, long length) throws DmaException {
        try {
            return ram.slice(address, length);
        } catch (PhysicalMemory.BadAddressException e) {
            throw new DmaException(device + ": DMA to " + e.getMessage());
        }
    }

    @Override
    public void read(long address, byte[] into, int offset, int length) throws DmaException {
        MemorySegment.copy(window(address, length), ValueLayout.JAVA_BYTE, 0, into, offset, length);
    }

    @Override
    public void write(long address, byte[] from, int offset, int length) throws DmaException {
        MemorySegment.copy(from, offset, window(address, length), ValueLayout.JAVA_BYTE, 0, length);
    }
}
