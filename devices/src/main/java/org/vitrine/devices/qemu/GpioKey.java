package org.vitrine.devices.qemu;

import java.util.function.BiConsumer;

import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.snapshot.StateReader;
import org.vitrine.emulator.snapshot.StateWriter;
import org.vitrine.emulator.time.EventQueue;

/**
 * QEMU's gpio-key: a key wired to a GPIO pin that a press holds high for {@value #PRESS_NS} ns of
 * virtual time, then releases. QEMU's virt board wires one to PL061 pin 3 as the power button
 * ({@code system_powerdown}); the device tree's gpio-keys node tells the guest it is KEY_POWER.
 *
 * <h2>Interface</h2>
 * <ul>
 *   <li>No registers. Output: the pin's level, driven through the callback given to the constructor.</li>
 *   <li>{@link #press()}: from the emulation thread (the host posts it there).</li>
 * </ul>
 */
public final class GpioKey implements Snapshottable {
    public static final long PRESS_NS = 100_000_000L;

    private final EventQueue clock;
    private final String name;
    private final BiConsumer<Integer, Boolean> gpio;
    private final int pin;
    private final String releaseEvent;
    private boolean pressed;
    private EventQueue.Event release;

    /**
     * @param gpio sets a pin of the GPIO controller: (pin, level)
     * @param pin  the pin the key drives
     */
    public GpioKey(String name, EventQueue clock, BiConsumer<Integer, Boolean> gpio, int pin) {
        this.clock = clock;
        this.name = name;
        this.gpio = gpio;
        this.pin = pin;
        this.releaseEvent = name + ".release";
        clock.declare(releaseEvent);
    }

    /** A press: the pin high now, low {@link #PRESS_NS} later (a press while held restarts the 100 ms). */
    public void press() {
        if (release != null) release.cancel();
        pressed = true;
        gpio.accept(pin, true);
        release = clock.schedule(clock.now() + clock.nanosToCycles(PRESS_NS), releaseEvent, this::released);
    }

    private void released() {
        release = null;
        pressed = false;
        gpio.accept(pin, false);
    }

    public boolean pressed() {
        return pressed;
    }

    @Override
    public String snapshotName() {
        return name;
    }

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /** Layout: pressed; the release is the clock's event. The pin's level is the GPIO controller's to restore. */
    @Override
    public void save(StateWriter out) {
        out.bool(pressed);
    }

    @Override
    public Runnable load(StateReader in, int version) throws SnapshotException {
        boolean p = in.bool();
        return () -> {
            if (release != null) release.cancel();
            pressed = p;
            release = clock.reclaim(releaseEvent, this::released);
        };
    }
}
