package org.vitrine.cli.window;

/**
 * Something drawn beside the guest screen in the {@link DesktopWindow} (the debugger view): the
 * window gives it the strip right of the guest, its pointer and button events there, and every key
 * first. All methods are called on the window's thread.
 */
public interface SidePanel {
    /** The strip's width in framebuffer pixels; 0 while hidden (the guest gets the whole window). */
    int width();

    /** Whether {@link #render} would draw something new; polled at each turn of the window's loop. */
    boolean dirty();

    /** The strip's pixels, {@code width x height}, 0xAARRGGBB, top row first. */
    int[] render(int width, int height);

    /** The pointer moved to (x, y) in the strip's pixels, or left it (NaN, NaN). */
    void pointer(double x, double y);

    /** A mouse button (GLFW's number) went down or up over the strip. */
    void button(int glfwButton, boolean pressed);

    /** The wheel turned over the strip (GLFW units, positive = away from the user). */
    void scroll(double dy);

    /** A key (GLFW's key, action and modifiers); true when the panel took it and the guest must not see it. */
    boolean key(int glfwKey, int glfwAction, int mods);

    /**
     * A character typed (GLFW's char callback, after the key, in the user's keyboard layout): the
     * panel's text fields take it; true when it did. The guest gets keys only, never these.
     */
    default boolean character(int codepoint) {
        return false;
    }
}
