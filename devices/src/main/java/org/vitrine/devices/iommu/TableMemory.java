package org.vitrine.devices.iommu;

/**
 * How the table readers ({@link Smmuv3Tables}, {@link VtdTables}, {@link AmdViTables}) read guest
 * physical memory: one 64-bit little-endian word; outside RAM it throws a {@code WALK_ABORT}
 * fault, which each reader turns into its own fetch-error code. Tests may supply their own.
 */
@FunctionalInterface
interface TableMemory {
    long read64(long pa) throws IommuFault;

    /** Reads the {@code what} at {@code pa}; outside RAM it is a walk abort with the model's {@code code}. */
    default long fetch(long pa, int code, String what) throws IommuFault {
        try {
            return read64(pa);
        } catch (IommuFault f) {
            throw IommuFault.of(IommuFault.Kind.WALK_ABORT, code, pa, "%s at 0x%x is outside RAM", what, pa);
        }
    }
}
