package org.vitrine.emulator.spi;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Where device models report guest mistakes (QEMU's LOG_GUEST_ERROR) and guest use of features
 * the model declares but does not implement (LOG_UNIMP). Neither is ever fatal to the host.
 *
 * <p>Messages go to standard error, prefixed so they cannot be confused with guest console output
 * on standard output. A count is kept so tests can assert that hostile input was noticed.
 */
public final class GuestErrors {
    private static final AtomicLong COUNT = new AtomicLong();
    private static volatile boolean quiet = Boolean.getBoolean("vitrine.quietGuestErrors");

    private GuestErrors() { }

    public static void guestError(String device, String fmt, Object... args) {
        COUNT.incrementAndGet();
        if (!quiet) System.err.println("[guest-error] " + device + ": " + String.format(fmt, args));
    }

    public static void unimplemented(String device, String fmt, Object... args) {
        COUNT.incrementAndGet();
        if (!quiet) System.err.println("[unimplemented] " + device + ": " + String.format(fmt, args));
    }

    /** Number of guest errors and unimplemented-feature reports since the JVM started. */
    public static long count() {
        return COUNT.get();
    }

    public static void setQuiet(boolean q) {
        quiet = q;
    }
}
