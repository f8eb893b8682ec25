package org.vitrine.cli.script;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.vitrine.cli.window.Screenshots;
import org.vitrine.emulator.display.Frame;

/**
 * The fingerprints {@code expect screen-hash} and {@code expect console-hash} compare, and that
 * {@code vitrine run --record} writes at the end of a recording: SHA-256 of the screen as shown
 * (width, height, then each pixel's red, green and blue with the pointer composed in, as the
 * window and screenshots show it) and of the console's bytes so far.
 */
public final class Hashes {
    private Hashes() { }

    public static String screen(Frame f) {
        int[] rgba = Screenshots.composeCursor(f);
        byte[] bytes = new byte[8 + rgba.length * 3];
        put(bytes, 0, f.width());
        put(bytes, 4, f.height());
        for (int i = 0; i < rgba.length; i++) {
            int rgb = TextFinder.rgb(rgba[i]);
            bytes[8 + 3 * i] = (byte) (rgb >>> 16);
            bytes[9 + 3 * i] = (byte) (rgb >>> 8);
            bytes[10 + 3 * i] = (byte) rgb;
        }
        return sha256(bytes);
    }

    /** The console as the runner keeps it: one char per byte. */
    public static String console(CharSequence console) {
        return sha256(console.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void put(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
