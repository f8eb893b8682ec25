package org.vitrine.emulator.unicorn;

/** A libunicorn call failed; {@link #code()} is the uc_err value. */
public class UnicornException extends RuntimeException {
    private final int code;

    public UnicornException(String message, int code) {
        super(message);
        this.code = code;
    }

    public UnicornException(String message) {
        this(message, -1);
    }

    public UnicornException(String message, Throwable cause) {
        super(message, cause);
        this.code = -1;
    }

    public int code() {
        return code;
    }
}
