/**
 * Machine snapshots: the whole machine at one instant of virtual time, saved and restored bit-exact.
 *
 * <p>Every stateful part of a machine (the CPU, the clock and its pending events, RAM, each device)
 * implements {@link org.vitrine.emulator.snapshot.Snapshottable}: it writes its own section, with a
 * version (QEMU's VMState is the model), and reads it back in two steps: {@code load} reads and
 * checks everything and returns what applies it, so a bad file never leaves a half-restored
 * machine. {@link org.vitrine.emulator.snapshot.Snapshot} is the in-memory form (take and restore,
 * for the debugger and scenarios); {@link org.vitrine.emulator.snapshot.SnapshotFile} its file form
 * (magic, format version, machine description, zstd-compressed sections, checksum).
 */
package org.vitrine.emulator.snapshot;
