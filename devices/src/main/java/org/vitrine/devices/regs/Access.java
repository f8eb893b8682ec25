package org.vitrine.devices.regs;

/**
 * What the guest may do with a register, and what happens when it does something else. The
 * {@link RegisterMap} enforces it; a device never checks access rights itself.
 */
public enum Access {
    /** Read and written. A write replaces the writable fields. */
    RW,
    /** Read only: a write is a guest error and is ignored. */
    RO,
    /** Write only: a read is a guest error and reads as zero. */
    WO,
    /** Write 1 to clear: each 1 written clears that bit, a 0 leaves it; reads return the bits. */
    W1C,
    /** Write 1 to set: each 1 written sets that bit, a 0 leaves it; reads return the bits. */
    W1S,
    /**
     * Reads as zero, writes ignored, silently: what the architecture itself specifies for this
     * register in the configuration modelled (GICD_NSACRn without the Security Extensions).
     */
    RAZ_WI,
    /**
     * The hardware has it, the model does not: reads as zero, writes ignored, each access reported
     * as unimplemented with the register's note.
     */
    UNIMPLEMENTED,
    /**
     * Declared so it has a name, but not valid in the interface modelled (a legacy register of a
     * modern virtio-mmio transport): reads as zero, writes ignored, each access a guest error with
     * the register's note.
     */
    INVALID;

    boolean readable() {
        return this == RW || this == RO || this == W1C || this == W1S;
    }

    boolean writable() {
        return this == RW || this == WO || this == W1C || this == W1S;
    }
}
