package org.vitrine.cli.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lwjgl.glfw.GLFW.*;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vitrine.emulator.display.HostInput;
import org.vitrine.emulator.display.HostInput.Event;
import org.vitrine.emulator.display.HostInput.Target;

class InputForwarderTest {
    private HostInput input;
    private InputForwarder f;

    @BeforeEach
    void setUp() {
        input = new HostInput();
        f = new InputForwarder(input);
        // An 800x800 window showing a 1024x768 guest: picture at y 100..700.
        f.geometry(800, 800, 800, 800, Letterbox.fit(1024, 768, 800, 800));
    }

    private static Event abs(int code, int v) {
        return new Event(Target.TABLET, HostInput.EV_ABS, code, v);
    }

    private static Event key(Target t, int code, int v) {
        return new Event(t, HostInput.EV_KEY, code, v);
    }

    @Test
    void pointerBecomesTabletPositionThenSync() {
        f.cursor(399.5, 399.5);
        assertEquals(List.of(abs(0, 16384), abs(1, 16384), HostInput.sync(Target.TABLET)), input.drain());
        f.cursor(399.5, 399.5);
        assertTrue(input.isEmpty(), "an unchanged position is not re-sent");
        f.cursor(10, 20); // in the top bar: y clamps to 0
        List<Event> e = input.drain();
        assertEquals(abs(1, 0), e.get(1));
    }

    @Test
    void hiDpiWindowsScaleScreenCoordinatesToPixels() {
        f.geometry(512, 384, 1024, 768, Letterbox.fit(1024, 768, 1024, 768));
        f.cursor(255.75, 191.75); // framebuffer pixel 512.5, 384.5 (the centre)
        List<Event> e = input.drain();
        assertEquals(512, e.get(0).value() * 1024 / 32768);
        assertEquals(384, e.get(1).value() * 768 / 32768);
    }

    @Test
    void buttonsAndWheel() {
        f.mouseButton(GLFW_MOUSE_BUTTON_LEFT, GLFW_PRESS);
        f.mouseButton(GLFW_MOUSE_BUTTON_LEFT, GLFW_RELEASE);
        f.mouseButton(GLFW_MOUSE_BUTTON_RIGHT, GLFW_PRESS);
        f.mouseButton(GLFW_MOUSE_BUTTON_MIDDLE, GLFW_PRESS);
        f.mouseButton(7, GLFW_PRESS); // unmapped
        Event sync = HostInput.sync(Target.TABLET);
        assertEquals(List.of(key(Target.TABLET, HostInput.BTN_LEFT, 1), sync, key(Target.TABLET, HostInput.BTN_LEFT, 0), sync,
                key(Target.TABLET, HostInput.BTN_RIGHT, 1), sync, key(Target.TABLET, HostInput.BTN_MIDDLE, 1), sync),
                input.drain());
        f.scroll(1);
        f.scroll(-2);
        f.scroll(0.4);
        f.scroll(0.4);
        assertTrue(input.drain().size() == 4);
        f.scroll(0.4); // 1.2 accumulated: one notch
        assertEquals(List.of(new Event(Target.TABLET, HostInput.EV_REL, HostInput.REL_WHEEL, 1), sync), input.drain());
    }

    @Test
    void keysPressRepeatRelease() {
        f.key(GLFW_KEY_A, GLFW_PRESS);
        f.key(GLFW_KEY_A, GLFW_REPEAT);
        f.key(GLFW_KEY_A, GLFW_RELEASE);
        f.key(GLFW_KEY_UNKNOWN, GLFW_PRESS);
        Event sync = HostInput.sync(Target.KEYBOARD);
        assertEquals(List.of(key(Target.KEYBOARD, 30, 1), sync, key(Target.KEYBOARD, 30, 2), sync,
                key(Target.KEYBOARD, 30, 0), sync), input.drain());
    }

    @Test
    void strayReleasesAreDroppedAndFocusLossReleasesHeldKeys() {
        f.key(GLFW_KEY_LEFT_ALT, GLFW_RELEASE); // pressed while another window had focus
        assertTrue(input.isEmpty());
        f.key(GLFW_KEY_LEFT_SHIFT, GLFW_PRESS);
        f.key(GLFW_KEY_B, GLFW_PRESS);
        f.mouseButton(GLFW_MOUSE_BUTTON_LEFT, GLFW_PRESS);
        input.drain();
        f.releaseAll();
        assertEquals(List.of(key(Target.KEYBOARD, 42, 0), key(Target.KEYBOARD, 48, 0), HostInput.sync(Target.KEYBOARD),
                key(Target.TABLET, HostInput.BTN_LEFT, 0), HostInput.sync(Target.TABLET)), input.drain());
        f.releaseAll();
        assertTrue(input.isEmpty());
    }

    @Test
    void geometryChangeResendsThePointer() {
        f.cursor(400, 150);
        input.drain();
        f.geometry(1024, 768, 1024, 768, Letterbox.fit(1024, 768, 1024, 768));
        f.refreshCursor();
        assertEquals(3, input.drain().size());
        f.pointerLeft();
        f.geometry(800, 800, 800, 800, Letterbox.fit(1024, 768, 800, 800));
        f.refreshCursor();
        assertTrue(input.isEmpty());
    }
}
