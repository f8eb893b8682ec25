package org.vitrine.emulator.display;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The hand-off of frames from the emulation thread (the GPU model publishes after each flush) to
 * the display thread (the window, or a screenshot taken at the end of a headless run). Only the
 * newest frame matters: the window shows the latest, and skipped frames cost nothing.
 */
public final class FrameExchange {
    private final AtomicReference<Frame> latest = new AtomicReference<>();
    private volatile Runnable onPublish = () -> { };

    public void publish(Frame frame) {
        latest.set(frame);
        onPublish.run();
    }

    /** Called after each publish, on the publishing thread (the window uses it to wake up); must be cheap. */
    public void setOnPublish(Runnable r) {
        onPublish = r;
    }

    /** The newest frame, or null before the guest has shown anything. */
    public Frame latest() {
        return latest.get();
    }
}
