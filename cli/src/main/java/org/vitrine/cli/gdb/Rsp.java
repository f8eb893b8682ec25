package org.vitrine.cli.gdb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The GDB Remote Serial Protocol's framing: {@code $payload#cs} with cs the two-hex-digit sum of
 * the payload bytes modulo 256, binary escapes ({@code '}'} then the byte XOR 0x20, for
 * {@code # $ } *}) and hex helpers. Pure functions, shared by the reader and the stub.
 */
public final class Rsp {
    public static final byte ESCAPE = '}';

    private Rsp() { }

    /** The modulo-256 sum of the bytes. */
    public static int checksum(byte[] payload) {
        int sum = 0;
        for (byte b : payload) sum += b & 0xff;
        return sum & 0xff;
    }

    /** {@code $payload#cs}. The payload goes as it is: escape binary data first with {@link #escape}. */
    public static byte[] frame(byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 4);
        out.write('$');
        out.writeBytes(payload);
        out.write('#');
        out.writeBytes(String.format("%02x", checksum(payload)).getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    public static byte[] frame(String payload) {
        return frame(payload.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Escapes binary data for a reply: {@code # $ } *} become '}' and the byte XOR 0x20 ('*' would read as run-length). */
    public static byte[] escape(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 8);
        for (byte b : data) {
            if (b == '#' || b == '$' || b == '}' || b == '*') {
                out.write(ESCAPE);
                out.write(b ^ 0x20);
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    /** Undoes {@link #escape}; a trailing lone '}' is malformed. */
    public static byte[] unescape(byte[] data, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(0, to - from));
        for (int i = from; i < to; i++) {
            byte b = data[i];
            if (b == ESCAPE) {
                if (++i >= to) throw new IllegalArgumentException("escape at the end of the data");
                out.write(data[i] ^ 0x20);
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    /** Lower-case hex of the bytes. */
    public static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        return sb.toString();
    }

    /** Parses hex digit pairs; throws IllegalArgumentException for an odd length or a non-hex digit. */
    public static byte[] unhex(String hex) {
        if ((hex.length() & 1) != 0) throw new IllegalArgumentException("odd number of hex digits");
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) out[i] = (byte) (digit(hex.charAt(2 * i)) << 4 | digit(hex.charAt(2 * i + 1)));
        return out;
    }

    /** An unsigned hex number as gdb writes addresses and lengths (1 to 16 digits). */
    public static long parseHex(String s) {
        if (s.isEmpty() || s.length() > 16) throw new IllegalArgumentException("bad hex number '" + s + "'");
        long v = 0;
        for (int i = 0; i < s.length(); i++) v = v << 4 | digit(s.charAt(i));
        return v;
    }

    /** {@code bytes} bytes of {@code value}, least significant first (a target-order register), in hex. */
    public static String hexLe(long value, int bytes) {
        StringBuilder sb = new StringBuilder(bytes * 2);
        for (int i = 0; i < bytes; i++) {
            int b = (int) (value >>> (8 * i)) & 0xff;
            sb.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }

    /** Inverse of {@link #hexLe}: up to 8 little-endian bytes from {@code hex[from, from + 2*bytes)}. */
    public static long parseLe(String hex, int from, int bytes) {
        if (from < 0 || from + 2 * bytes > hex.length()) throw new IllegalArgumentException("register value too short");
        long v = 0;
        for (int i = Math.min(bytes, 8) - 1; i >= 0; i--) {
            v = v << 8 | (digit(hex.charAt(from + 2 * i)) << 4 | digit(hex.charAt(from + 2 * i + 1)));
        }
        return v;
    }

    private static int digit(char c) {
        int d = Character.digit(c, 16);
        if (d < 0) throw new IllegalArgumentException("not a hex digit: '" + c + "'");
        return d;
    }
}
