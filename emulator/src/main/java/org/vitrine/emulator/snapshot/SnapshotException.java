package org.vitrine.emulator.snapshot;

/**
 * A snapshot that cannot be used: not a snapshot, truncated, corrupt, of another format version,
 * or made on a machine that does not match. The message says which, for the user.
 */
public final class SnapshotException extends Exception {
    public SnapshotException(String message) {
        super(message);
    }

    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
