package org.vitrine.emulator.spi;

/**
 * A wire from a device to an interrupt controller input (or from the controller to the CPU).
 *
 * <p>Level-sensitive sources call {@link #set} with the level of the wire; edge-triggered sources
 * call {@link #pulse}. Setting the level it already has is allowed and does nothing.
 */
@FunctionalInterface
public interface InterruptLine {
    void set(boolean level);

    default void pulse() {
        set(true);
        set(false);
    }

    /** A line connected to nothing, for devices whose interrupt is not wired. */
    InterruptLine UNCONNECTED = level -> { };
}
