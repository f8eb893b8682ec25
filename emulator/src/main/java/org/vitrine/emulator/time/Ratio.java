package org.vitrine.emulator.time;

/** Exact integer scaling between clock domains (cycles, counter ticks, nanoseconds) without overflow. */
public final class Ratio {
    private Ratio() { }

    /**
     * floor(value * num / den) for num &gt; 0, den &gt; 0, using 128-bit intermediates; {@code value} is
     * taken as unsigned. A result that does not fit in a signed long saturates at
     * {@link Long#MAX_VALUE} ("never"), so it can never come back negative (i.e. in the past).
     */
    public static long scale(long value, long num, long den) {
        long hi = Math.unsignedMultiplyHigh(value, num);
        long lo = value * num;
        if (hi == 0 && lo >= 0) return lo / den;
        return divide128(hi, lo, den);
    }

    /** ceil(value * num / den), saturating at {@link Long#MAX_VALUE} like {@link #scale}. */
    public static long scaleUp(long value, long num, long den) {
        long q = scale(value, num, den);
        if (q == Long.MAX_VALUE) return q; // saturated (or exactly MAX): q + 1 would wrap negative
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
        return q < 0 ? Long.MAX_VALUE : q; // 2^63 <= result < 2^64: saturate too
    }
}
