package org.vitrine.devices.iommu;

/**
 * Why a translation failed, in terms common to the three IOMMUs; each model turns it into its own
 * record (an SMMUv3 event, a VT-d fault reason, an AMD-Vi event log entry). Checked and cheap (no
 * stack trace): faults are guest-caused and routine.
 */
public final class IommuFault extends Exception {
    /** The common fault classes. */
    public enum Kind {
        /** The device's configuration (STE, context entry, DTE) is not present. */
        CONFIG_ABSENT,
        /** The configuration is malformed (reserved bits, an unsupported mode). */
        CONFIG_INVALID,
        /** No valid descriptor maps the address. */
        TRANSLATION,
        /** The descriptor maps the address but not for this access (read or write). */
        PERMISSION,
        /** The access flag is clear (SMMUv3 stage 1 only). */
        ACCESS_FLAG,
        /** The address is wider than the translation's input range. */
        ADDRESS_SIZE,
        /** A table the walk had to read lies outside RAM. */
        WALK_ABORT
    }

    private final Kind kind;
    /** The model's own code for it (SMMUv3 event ID, VT-d fault reason, AMD-Vi event code); 0: derive from the kind. */
    private final int code;
    /** The table entry that failed (its physical address), or -1 when none was involved. */
    private final long entryAddress;

    public IommuFault(Kind kind, long entryAddress, String message) {
        this(kind, 0, entryAddress, message);
    }

    public IommuFault(Kind kind, int code, long entryAddress, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.code = code;
        this.entryAddress = entryAddress;
    }

    /** A fault whose message is {@code String.format(format, args)}. */
    public static IommuFault of(Kind kind, int code, long entryAddress, String format, Object... args) {
        return new IommuFault(kind, code, entryAddress, String.format(format, args));
    }

    public int code() {
        return code;
    }

    public Kind kind() {
        return kind;
    }

    public long entryAddress() {
        return entryAddress;
    }
}
