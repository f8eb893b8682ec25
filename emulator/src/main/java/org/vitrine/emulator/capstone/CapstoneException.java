package org.vitrine.emulator.capstone;

/**
 * Thrown when Capstone cannot be used: the native library is missing or of the wrong version, or
 * the engine refused to open. The message says what to install or what went wrong, so callers can
 * show it to the user as is.
 */
public class CapstoneException extends RuntimeException {
    public CapstoneException(String message) {
        super(message);
    }

    public CapstoneException(String message, Throwable cause) {
        super(message, cause);
    }
}
