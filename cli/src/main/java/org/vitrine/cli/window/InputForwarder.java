package org.vitrine.cli.window;

import static org.lwjgl.glfw.GLFW.GLFW_MOUSE_BUTTON_LEFT;
import static org.lwjgl.glfw.GLFW.GLFW_MOUSE_BUTTON_MIDDLE;
import static org.lwjgl.glfw.GLFW.GLFW_MOUSE_BUTTON_RIGHT;
import static org.lwjgl.glfw.GLFW.GLFW_PRESS;
import static org.lwjgl.glfw.GLFW.GLFW_RELEASE;
import static org.lwjgl.glfw.GLFW.GLFW_REPEAT;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import org.vitrine.emulator.display.HostInput;
import org.vitrine.emulator.display.HostInput.Event;
import org.vitrine.emulator.display.HostInput.Target;

/**
 * Turns window events (GLFW's values, window coordinates) into the guest's Linux input events:
 * the pointer becomes an absolute tablet (ABS_X/ABS_Y over the displayed guest area, buttons,
 * wheel), keys become KEY_* codes. Every group ends with a SYN. Runs on the window thread only;
 * it touches no GLFW function, so it is unit-tested without a display.
 *
 * <p>It remembers which keys and buttons the guest believes are down, so that losing focus (the
 * release then goes to another window) does not leave a key stuck in the guest: {@link #releaseAll}.
 */
final class InputForwarder {
    private final HostInput input;
    private final BitSet keysDown = new BitSet(256);
    private final BitSet buttonsDown = new BitSet(3);
    private Letterbox box = new Letterbox(0, 0, 0, 0);
    private double toFbX = 1, toFbY = 1;
    private double cursorX = Double.NaN, cursorY = Double.NaN;
    private int lastAbsX = -1, lastAbsY = -1;
    private double wheel;

    InputForwarder(HostInput input) {
        this.input = input;
    }

    /**
     * The current geometry: the window's size in screen coordinates (what cursor positions use),
     * its framebuffer size in pixels, and the letterbox in framebuffer pixels.
     */
    void geometry(int windowW, int windowH, int fbW, int fbH, Letterbox fbBox) {
        toFbX = windowW > 0 ? (double) fbW / windowW : 1;
        toFbY = windowH > 0 ? (double) fbH / windowH : 1;
        box = fbBox;
    }

    /** The pointer moved to {@code (x, y)} in window coordinates. */
    void cursor(double x, double y) {
        cursorX = x;
        cursorY = y;
        if (box.isEmpty()) return;
        // The pointer at integer position i is in pixel i: take that pixel's centre.
        int ax = box.tabletX((x + 0.5) * toFbX);
        int ay = box.tabletY((y + 0.5) * toFbY);
        if (ax == lastAbsX && ay == lastAbsY) return;
        lastAbsX = ax;
        lastAbsY = ay;
        input.post(List.of(new Event(Target.TABLET, HostInput.EV_ABS, HostInput.ABS_X, ax),
                new Event(Target.TABLET, HostInput.EV_ABS, HostInput.ABS_Y, ay), HostInput.sync(Target.TABLET)));
    }

    /** The pointer left the window: nothing to re-send when the geometry changes. */
    void pointerLeft() {
        cursorX = Double.NaN;
        cursorY = Double.NaN;
    }

    /** Re-sends the pointer position after the letterbox changed (the guest area moved under it). */
    void refreshCursor() {
        if (!Double.isNaN(cursorX)) cursor(cursorX, cursorY);
    }

    void mouseButton(int glfwButton, int glfwAction) {
        int code = switch (glfwButton) {
            case GLFW_MOUSE_BUTTON_LEFT -> HostInput.BTN_LEFT;
            case GLFW_MOUSE_BUTTON_RIGHT -> HostInput.BTN_RIGHT;
            case GLFW_MOUSE_BUTTON_MIDDLE -> HostInput.BTN_MIDDLE;
            default -> -1;
        };
        if (code < 0) return;
        int bit = code - HostInput.BTN_LEFT;
        boolean press = glfwAction == GLFW_PRESS;
        if (press == buttonsDown.get(bit)) return; // nothing changes for the guest
        buttonsDown.set(bit, press);
        input.post(List.of(new Event(Target.TABLET, HostInput.EV_KEY, code, press ? 1 : 0), HostInput.sync(Target.TABLET)));
    }

    /** Vertical scroll in GLFW's units (one notch = 1.0, positive = away from the user, as REL_WHEEL). */
    void scroll(double dy) {
        wheel += dy;
        int notches = (int) wheel; // toward zero; smooth-scrolling devices accumulate
        if (notches == 0) return;
        wheel -= notches;
        input.post(List.of(new Event(Target.TABLET, HostInput.EV_REL, HostInput.REL_WHEEL, notches), HostInput.sync(Target.TABLET)));
    }

    void key(int glfwKey, int glfwAction) {
        int code = LinuxKeyCodes.fromGlfw(glfwKey);
        if (code == LinuxKeyCodes.NONE) return;
        int value;
        if (glfwAction == GLFW_RELEASE) {
            if (!keysDown.get(code)) return; // pressed while another window had focus: guest never saw it
            keysDown.clear(code);
            value = 0;
        } else if (glfwAction == GLFW_PRESS || glfwAction == GLFW_REPEAT) {
            value = glfwAction == GLFW_REPEAT && keysDown.get(code) ? 2 : 1;
            keysDown.set(code);
        } else {
            return;
        }
        input.post(List.of(new Event(Target.KEYBOARD, HostInput.EV_KEY, code, value), HostInput.sync(Target.KEYBOARD)));
    }

    /** Releases everything the guest believes is held (the window lost focus or is closing). */
    void releaseAll() {
        if (!keysDown.isEmpty()) {
            List<Event> group = new ArrayList<>();
            for (int k = keysDown.nextSetBit(0); k >= 0; k = keysDown.nextSetBit(k + 1)) {
                group.add(new Event(Target.KEYBOARD, HostInput.EV_KEY, k, 0));
            }
            keysDown.clear();
            group.add(HostInput.sync(Target.KEYBOARD));
            input.post(group);
        }
        if (!buttonsDown.isEmpty()) {
            List<Event> group = new ArrayList<>();
            for (int b = buttonsDown.nextSetBit(0); b >= 0; b = buttonsDown.nextSetBit(b + 1)) {
                group.add(new Event(Target.TABLET, HostInput.EV_KEY, HostInput.BTN_LEFT + b, 0));
            }
            buttonsDown.clear();
            group.add(HostInput.sync(Target.TABLET));
            input.post(group);
        }
    }
}
