package org.vitrine.devices.iommu;

/**
 * How the table readers ({@link Smmuv3Tables}, {@link VtdTables}, {@link AmdViTables}) read guest
 * physical memory: one 64-bit little-endian word; outside RAM it throws a {@code WALK_ABORT}
 * fault, which each reader turns into its own fetch-error code. Tests may supply their own.
 */
@FunctionalInterface
interface TableMemory {
    long read64(long pa) throws IommuFault;
}
