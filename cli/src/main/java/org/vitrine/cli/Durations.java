package org.vitrine.cli;

import picocli.CommandLine;

/** Parses virtual-time durations such as {@code 3s}, {@code 250ms}, {@code 10us}, {@code 1500ns}. */
public final class Durations implements CommandLine.ITypeConverter<Long> {
    /** Returns nanoseconds. */
    @Override
    public Long convert(String value) {
        String v = value.trim().toLowerCase();
        long unit;
        String num;
        if (v.endsWith("ns")) { unit = 1; num = v.substring(0, v.length() - 2); }
        else if (v.endsWith("us")) { unit = 1_000; num = v.substring(0, v.length() - 2); }
        else if (v.endsWith("ms")) { unit = 1_000_000; num = v.substring(0, v.length() - 2); }
        else if (v.endsWith("s")) { unit = 1_000_000_000; num = v.substring(0, v.length() - 1); }
        else throw new CommandLine.TypeConversionException("'" + value + "' needs a unit: ns, us, ms or s (e.g. 3s)");
        try {
            double d = Double.parseDouble(num);
            if (!(d > 0) || d * unit > Long.MAX_VALUE / 2.0) {
                throw new CommandLine.TypeConversionException("'" + value + "' must be a positive duration");
            }
            return Math.round(d * unit);
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 3s, 250ms)");
        }
    }
}
