package org.vitrine.cli.bench;

import java.util.Arrays;

/** Median and spread (min, max) of repeated measurements; NaN values (side not run) are dropped. */
public record Summary(double median, double min, double max, int runs) {
    public static Summary of(double[] values) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) return new Summary(Double.NaN, Double.NaN, Double.NaN, 0);
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Summary(median, v[0], v[n - 1], n);
    }

    /** Half the range around the median, in percent of it: the "±" printed next to medians. */
    public double spreadPercent() {
        return runs == 0 || median == 0 ? Double.NaN : 100 * (max - min) / 2 / Math.abs(median);
    }
}
