package org.vitrine.cli;

import picocli.CommandLine;

/** Parses memory sizes such as {@code 512M}, {@code 1G}, {@code 65536K}; the result is in bytes. */
public final class Sizes implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        String v = value.trim().toUpperCase();
        if (v.endsWith("IB")) v = v.substring(0, v.length() - 2);
        else if (v.endsWith("B")) v = v.substring(0, v.length() - 1);
        long mult = 1;
        if (v.endsWith("K")) { mult = 1L << 10; v = v.substring(0, v.length() - 1); }
        else if (v.endsWith("M")) { mult = 1L << 20; v = v.substring(0, v.length() - 1); }
        else if (v.endsWith("G")) { mult = 1L << 30; v = v.substring(0, v.length() - 1); }
        try {
            long n = Long.parseLong(v);
            if (n <= 0 || n > (64L << 30) / mult) throw new CommandLine.TypeConversionException("'" + value + "' is out of range");
            return n * mult;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a size (e.g. 512M, 1G)");
        }
    }
}
