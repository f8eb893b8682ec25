package org.vitrine.emulator.spi;

import java.lang.foreign.MemorySegment;

/**
 * A device's only way to reach guest memory. Addresses are the device's view (I/O virtual
 * addresses); a port translates them — identity when no IOMMU sits in front of the device, through
 * the IOMMU's tables otherwise — and checks them, so a guest-supplied address can never make the
 * host read or write outside guest RAM.
 *
 * <p>Failures are {@link DmaException}s (checked): a device turns them into what the hardware
 * would report (an error status, DEVICE_NEEDS_RESET, a fault record), never a host crash.
 */
public interface DmaPort {
    /** A DMA access the port refused: unmapped address, range past RAM, IOMMU fault. */
    final class DmaException extends Exception {
        private final boolean translationFault;

        public DmaException(String message) {
            this(message, false);
        }

        /**
         * @param translationFault true when an IOMMU refused the address (the fault is recorded in
         *                         the IOMMU): a device reports it on the request, as for a bus error
         */
        public DmaException(String message, boolean translationFault) {
            super(message, null, false, false);
            this.translationFault = translationFault;
        }

        /** True when an IOMMU refused the access (not a range outside RAM). */
        public boolean translationFault() {
            return translationFault;
        }
    }

    void read(long address, byte[] into, int offset, int length) throws DmaException;

    void write(long address, byte[] from, int offset, int length) throws DmaException;

    /**
     * Guest memory [address, address + length) as a segment the device may read or write directly
     * (no copy), when the range is contiguous in host memory. Valid until the device returns to
     * the guest; devices must not keep it.
     */
    MemorySegment window(long address, long length) throws DmaException;

    default byte[] read(long address, int length) throws DmaException {
        byte[] b = new byte[length];
        read(address, b, 0, length);
        return b;
    }

    default long read64(long address) throws DmaException {
        byte[] b = read(address, 8);
        return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    default int read32(long address) throws DmaException {
        byte[] b = read(address, 4);
        return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    }

    default int read16(long address) throws DmaException {
        byte[] b = read(address, 2);
        return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
    }

    default void write16(long address, int value) throws DmaException {
        write(address, new byte[] {(byte) value, (byte) (value >>> 8)}, 0, 2);
    }

    default void write32(long address, int value) throws DmaException {
        byte[] b = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(value).array();
        write(address, b, 0, 4);
    }
}
