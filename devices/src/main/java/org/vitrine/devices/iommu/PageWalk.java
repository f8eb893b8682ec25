package org.vitrine.devices.iommu;

import java.util.Arrays;

/**
 * The result of one successful table walk for one 4 KiB input page: where it goes, what it allows,
 * the tag invalidations select it by (SMMUv3 ASID, VT-d and AMD-Vi domain ID), and every table
 * entry the walk read (address and value), so the {@link StaleIotlbDetector} can tell later
 * whether the tables still say the same.
 *
 * @param outputPage physical address of the 4 KiB page the input page maps to
 * @param tag        the ASID or domain ID the translation belongs to
 * @param entries    physical addresses of the entries read, root first
 * @param values     their values, in the same order
 */
public record PageWalk(long outputPage, boolean readable, boolean writable, int tag, long[] entries, long[] values) {
    public PageWalk {
        if ((outputPage & 0xFFF) != 0) throw new IllegalArgumentException("output page 0x" + Long.toHexString(outputPage));
        if (entries.length != values.length) throw new IllegalArgumentException("entries and values differ in length");
    }

    /** True when {@code other} translates the same way (the table values may differ). */
    public boolean sameTranslation(PageWalk other) {
        return other != null && outputPage == other.outputPage && readable == other.readable && writable == other.writable;
    }

    /** Collects the entries of a walk as it proceeds. */
    public static final class Trail {
        private long[] entries = new long[8];
        private long[] values = new long[8];
        private int n;

        public void add(long address, long value) {
            if (n == entries.length) {
                entries = Arrays.copyOf(entries, n * 2);
                values = Arrays.copyOf(values, n * 2);
            }
            entries[n] = address;
            values[n] = value;
            n++;
        }

        public PageWalk finish(long outputPage, boolean readable, boolean writable, int tag) {
            return new PageWalk(outputPage, readable, writable, tag, Arrays.copyOf(entries, n), Arrays.copyOf(values, n));
        }
    }
}
