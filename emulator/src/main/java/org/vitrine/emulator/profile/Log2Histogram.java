package org.vitrine.emulator.profile;

import java.util.Arrays;

/**
 * A histogram of non-negative values in power-of-two buckets ([0,1], [2,3], [4,7], ...), with
 * exact count, minimum, maximum and mean: latencies spread over many orders of magnitude.
 */
public final class Log2Histogram {
    private final long[] buckets = new long[64];
    private long count, sum, min = Long.MAX_VALUE, max;

    public void add(long value) {
        long v = Math.max(0, value);
        buckets[bucket(v)]++;
        count++;
        sum += v;
        min = Math.min(min, v);
        max = Math.max(max, v);
    }

    static int bucket(long v) {
        return v <= 1 ? 0 : 63 - Long.numberOfLeadingZeros(v);
    }

    public long count() {
        return count;
    }

    public long min() {
        return count == 0 ? 0 : min;
    }

    public long max() {
        return max;
    }

    public double mean() {
        return count == 0 ? 0 : (double) sum / count;
    }

    /** The lower bound of the bucket holding the value at quantile {@code q} (0..1). */
    public long quantileBucket(double q) {
        long rank = (long) Math.ceil(q * count), seen = 0;
        for (int b = 0; b < buckets.length; b++) {
            seen += buckets[b];
            if (seen >= rank && seen > 0) return b == 0 ? 0 : 1L << b;
        }
        return 0;
    }

    /** One line per non-empty bucket range: its bounds, count and a bar scaled to the largest. */
    public String render(String unit) {
        if (count == 0) return "  (none)\n";
        long top = Arrays.stream(buckets).max().orElse(1);
        int first = 0, last = 63;
        while (buckets[first] == 0) first++;
        while (buckets[last] == 0) last--;
        StringBuilder out = new StringBuilder();
        for (int b = first; b <= last; b++) {
            long lo = b == 0 ? 0 : 1L << b, hi = b == 0 ? 1 : (1L << (b + 1)) - 1;
            int bar = (int) Math.round(40.0 * buckets[b] / top);
            out.append(String.format("  %10d .. %-10d %s %8d %s%n", lo, hi, unit, buckets[b], "#".repeat(bar)));
        }
        return out.toString();
    }
}
