package org.vitrine.emulator.time;

/** Exact integer scaling between clock domains (cycles, counter ticks, nanoseconds) without overflow. */
public final class Ratio {
    private Ratio() { }

    /** floor(value * num / den) for non-negative value, num > 0, den > 0, using 128-bit intermediates. */
    public static long scale(long value, long num, long den) {
        long hi = Math.unsignedMultiplyHigh(value, num);
        long lo = value * num;
        if (hi == 0 && lo >= 0) return lo / den;
        return divide128(hi, lo, den);
    }

    /** ceil(value * num / den). */
    public static long scaleUp(long value, long num, long den) {
        long q = scale(value, num, den);
        // q*den <= value*num; add one when there is a remainder.
        long backHi = Math.unsignedMultiplyHigh(q, den);
        long backLo = q * den;
        long hi = Math.unsignedMultiplyHigh(value, num);
        long lo = value * num;
        return (backHi == hi && backLo == lo) ? q : q + 1;
    }

    private static long divide128(long hi, long lo, long den) {
        // Long division, bit by bit: only reached for products above 2^63, i.e. rarely.
        if (Long.compareUnsigned(hi, den) >= 0) return Long.MAX_VALUE; // saturate: result over 64 bits
        long rem = hi;
        long q = 0;
        for (int i = 63; i >= 0; i--) {
            boolean carry = rem < 0;
            rem = (rem << 1) | ((lo >>> i) & 1);
            q <<= 1;
            if (carry || Long.compareUnsigned(rem, den) >= 0) {
                rem -= den;
                q |= 1;
            }
        }
        return q;
    }
}
