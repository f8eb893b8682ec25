package org.vitrine.emulator.time;

import java.math.BigInteger;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Ratio}: exact floor / ceil scaling between clock domains, checked against BigInteger,
 * including products far beyond 64 bits (cycles near 2^63 at 62.5 MHz / 1 GHz and the reverse) and
 * results that do not fit in a signed long, which must saturate at {@link Long#MAX_VALUE} rather
 * than wrap negative (a negative deadline would fire at once).
 */
class RatioTest {
    static final long COUNTER_HZ = 62_500_000L, NS = 1_000_000_000L;
    static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    static long floorRef(long value, long num, long den) {
        BigInteger q = new BigInteger(Long.toUnsignedString(value)).multiply(BigInteger.valueOf(num)).divide(BigInteger.valueOf(den));
        return q.min(MAX).longValueExact();
    }

    static long ceilRef(long value, long num, long den) {
        BigInteger p = new BigInteger(Long.toUnsignedString(value)).multiply(BigInteger.valueOf(num));
        BigInteger[] qr = p.divideAndRemainder(BigInteger.valueOf(den));
        BigInteger q = qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
        return q.min(MAX).longValueExact();
    }

    @Test
    void smallValuesAreExact() {
        assertEquals(7, Ratio.scale(10, 3, 4));      // 7.5 -> 7
        assertEquals(8, Ratio.scaleUp(10, 3, 4));    // 7.5 -> 8
        assertEquals(6, Ratio.scale(8, 3, 4));
        assertEquals(6, Ratio.scaleUp(8, 3, 4), "no rounding when exact");
        assertEquals(0, Ratio.scale(0, 5, 7));
        assertEquals(0, Ratio.scaleUp(0, 5, 7));
        assertEquals(0, Ratio.scale(1, 1, 3));
        assertEquals(1, Ratio.scaleUp(1, 1, 3));
        assertEquals(100, Ratio.scale(1600, COUNTER_HZ, NS), "1600 cycles at 1 GHz = 100 counter ticks");
        assertEquals(1600, Ratio.scaleUp(100, NS, COUNTER_HZ));
        assertEquals(5, Ratio.scaleUp(3, 100_000_000L, COUNTER_HZ), "3 ticks * 1.6 = 4.8 -> 5 cycles");
    }

    @Test
    void noOverflowNearTwoToThe63() {
        long big = Long.MAX_VALUE;
        assertEquals(576_460_752_303_423_487L, Ratio.scale(big, COUNTER_HZ, NS), "(2^63-1) / 16");
        assertEquals(576_460_752_303_423_488L, Ratio.scaleUp(big, COUNTER_HZ, NS));
        long ticks = 576_460_752_303_423_487L;                 // largest whose cycles fit
        assertEquals(ticks * 16, Ratio.scale(ticks, NS, COUNTER_HZ));
        assertEquals(ticks * 16, Ratio.scaleUp(ticks, NS, COUNTER_HZ));
        for (long v : new long[] {big, big - 1, big / 3, 1L << 62, (1L << 62) + 12345, 0x7fff_ffff_ffffL}) {
            for (long[] r : new long[][] {{COUNTER_HZ, NS}, {NS, 3}, {3, NS}, {999_999_937L, 1_000_000_007L}, {7, 3}}) {
                if (BigInteger.valueOf(v).multiply(BigInteger.valueOf(r[0])).divide(BigInteger.valueOf(r[1])).compareTo(MAX) > 0) continue;
                assertEquals(floorRef(v, r[0], r[1]), Ratio.scale(v, r[0], r[1]), v + "*" + r[0] + "/" + r[1]);
                assertEquals(ceilRef(v, r[0], r[1]), Ratio.scaleUp(v, r[0], r[1]), "ceil " + v + "*" + r[0] + "/" + r[1]);
            }
        }
    }

    /** Results of 2^63 or more (e.g. a timer compare value far in the future) saturate. */
    @Test
    void resultsBeyondLongSaturate() {
        long justOver = 576_460_752_303_423_488L;              // * 16 = 2^63
        assertEquals(Long.MAX_VALUE, Ratio.scale(justOver, NS, COUNTER_HZ));
        assertEquals(Long.MAX_VALUE, Ratio.scaleUp(justOver, NS, COUNTER_HZ));
        long between = 0x0C00_0000_0000_0000L;                 // * 16 = 1.5 * 2^63: between 2^63 and 2^64
        assertEquals(Long.MAX_VALUE, Ratio.scale(between, NS, COUNTER_HZ));
        assertEquals(Long.MAX_VALUE, Ratio.scaleUp(between, NS, COUNTER_HZ));
        assertEquals(Long.MAX_VALUE, Ratio.scale(Long.MAX_VALUE, NS, COUNTER_HZ), "beyond 2^64");
        assertEquals(Long.MAX_VALUE, Ratio.scaleUp(Long.MAX_VALUE, NS, COUNTER_HZ), "beyond 2^64");
        assertEquals(Long.MAX_VALUE, Ratio.scaleUp(-1L, NS, COUNTER_HZ), "2^64-1 as unsigned (CVAL all ones)");
        assertEquals(Long.MAX_VALUE, Ratio.scaleUp(Long.MIN_VALUE, 1, 1), "2^63 as unsigned");
    }

    @Test
    void randomAgainstBigInteger() {
        Random r = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            long v = r.nextLong() >>> r.nextInt(64);
            long num = 1 + (r.nextLong() >>> (1 + r.nextInt(63)));
            long den = 1 + (r.nextLong() >>> (1 + r.nextInt(63)));
            assertEquals(floorRef(v, num, den), Ratio.scale(v, num, den), v + "*" + num + "/" + den);
            assertEquals(ceilRef(v, num, den), Ratio.scaleUp(v, num, den), "ceil " + v + "*" + num + "/" + den);
        }
    }
}
