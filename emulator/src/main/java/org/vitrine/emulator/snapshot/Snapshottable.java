package org.vitrine.emulator.snapshot;

/**
 * A part of the machine whose state goes into a snapshot: one section, named and versioned.
 *
 * <p>Saving happens between runs of the CPU (never from inside a hook). Restoring has two steps so
 * that a snapshot that does not fit never leaves a half-restored machine: {@link #load} reads and
 * checks the whole section (the post-load sanity check of QEMU's VMState, done before anything
 * changes) and returns the action that installs it; the caller runs the actions only once every
 * section has loaded. An action must not fail.
 */
public interface Snapshottable {
    /** The section's name, unique within the machine (e.g. "pl011", "virtio-mmio@0x0a003e00"). */
    String snapshotName();

    /** The version of the section's layout; bump it whenever {@link #save} changes. */
    int snapshotVersion();

    /** Writes the part's whole state. */
    void save(StateWriter out);

    /**
     * Reads a section {@link #save} wrote with layout {@code version} (never newer than
     * {@link #snapshotVersion()}: the caller checks), checks it and returns what installs it.
     * Nothing may change before the returned action runs.
     *
     * @throws SnapshotException when the section is truncated, has values the part cannot hold, or
     *                           does not fit this part (e.g. another queue count)
     */
    Runnable load(StateReader in, int version) throws SnapshotException;

    /**
     * An MMIO region whose state belongs to another part (the GIC's two register blocks belong to
     * the GIC) or that has none at all ({@link #owner()} null: e.g. an empty virtio-mmio slot whose
     * registers are all constants).
     */
    interface View {
        Snapshottable owner();
    }
}
