package org.vitrine.cli.window;

import static org.lwjgl.glfw.GLFW.*;

/**
 * GLFW key tokens to Linux input key codes ({@code <linux/input-event-codes.h>}), which is what
 * virtio-input carries to the guest.
 *
 * <p>GLFW names keys after their position on a US keyboard (on X11 it derives them from the XKB
 * key names, so they do not depend on the host's layout), and Linux KEY_* codes are positions too:
 * {@code KEY_Q} is "the key where US keyboards have Q". The guest applies its own layout. The table
 * covers a full US 104/105-key keyboard; keys GLFW cannot name ({@code GLFW_KEY_UNKNOWN}) and GLFW
 * keys without a Linux equivalent map to {@link #NONE}.
 *
 * <p>The GLFW constants are compile-time constants, so this class does not load GLFW's natives.
 */
public final class LinuxKeyCodes {
    /** Returned for keys that have no Linux code. */
    public static final int NONE = -1;

    // Linux codes, named as in input-event-codes.h (the unit test checks them against the header).
    public static final int KEY_ESC = 1, KEY_1 = 2, KEY_2 = 3, KEY_3 = 4, KEY_4 = 5, KEY_5 = 6, KEY_6 = 7,
            KEY_7 = 8, KEY_8 = 9, KEY_9 = 10, KEY_0 = 11, KEY_MINUS = 12, KEY_EQUAL = 13, KEY_BACKSPACE = 14,
            KEY_TAB = 15, KEY_Q = 16, KEY_W = 17, KEY_E = 18, KEY_R = 19, KEY_T = 20, KEY_Y = 21, KEY_U = 22,
            KEY_I = 23, KEY_O = 24, KEY_P = 25, KEY_LEFTBRACE = 26, KEY_RIGHTBRACE = 27, KEY_ENTER = 28,
            KEY_LEFTCTRL = 29, KEY_A = 30, KEY_S = 31, KEY_D = 32, KEY_F = 33, KEY_G = 34, KEY_H = 35,
            KEY_J = 36, KEY_K = 37, KEY_L = 38, KEY_SEMICOLON = 39, KEY_APOSTROPHE = 40, KEY_GRAVE = 41,
            KEY_LEFTSHIFT = 42, KEY_BACKSLASH = 43, KEY_Z = 44, KEY_X = 45, KEY_C = 46, KEY_V = 47, KEY_B = 48,
            KEY_N = 49, KEY_M = 50, KEY_COMMA = 51, KEY_DOT = 52, KEY_SLASH = 53, KEY_RIGHTSHIFT = 54,
            KEY_KPASTERISK = 55, KEY_LEFTALT = 56, KEY_SPACE = 57, KEY_CAPSLOCK = 58,
            KEY_F1 = 59, KEY_F2 = 60, KEY_F3 = 61, KEY_F4 = 62, KEY_F5 = 63, KEY_F6 = 64, KEY_F7 = 65,
            KEY_F8 = 66, KEY_F9 = 67, KEY_F10 = 68, KEY_NUMLOCK = 69, KEY_SCROLLLOCK = 70,
            KEY_KP7 = 71, KEY_KP8 = 72, KEY_KP9 = 73, KEY_KPMINUS = 74, KEY_KP4 = 75, KEY_KP5 = 76, KEY_KP6 = 77,
            KEY_KPPLUS = 78, KEY_KP1 = 79, KEY_KP2 = 80, KEY_KP3 = 81, KEY_KP0 = 82, KEY_KPDOT = 83,
            KEY_102ND = 86, KEY_F11 = 87, KEY_F12 = 88, KEY_KPENTER = 96, KEY_RIGHTCTRL = 97, KEY_KPSLASH = 98,
            KEY_SYSRQ = 99, KEY_RIGHTALT = 100, KEY_HOME = 102, KEY_UP = 103, KEY_PAGEUP = 104, KEY_LEFT = 105,
            KEY_RIGHT = 106, KEY_END = 107, KEY_DOWN = 108, KEY_PAGEDOWN = 109, KEY_INSERT = 110,
            KEY_DELETE = 111, KEY_KPEQUAL = 117, KEY_PAUSE = 119, KEY_LEFTMETA = 125, KEY_RIGHTMETA = 126,
            KEY_COMPOSE = 127, KEY_F13 = 183, KEY_F14 = 184, KEY_F15 = 185, KEY_F16 = 186, KEY_F17 = 187,
            KEY_F18 = 188, KEY_F19 = 189, KEY_F20 = 190, KEY_F21 = 191, KEY_F22 = 192, KEY_F23 = 193,
            KEY_F24 = 194;

    private static final int[] TABLE = new int[GLFW_KEY_LAST + 1];

    private static void map(int glfw, int linux) {
        if (TABLE[glfw] != NONE) throw new AssertionError("GLFW key " + glfw + " mapped twice");
        TABLE[glfw] = linux;
    }

    static {
        java.util.Arrays.fill(TABLE, NONE);
        // Letters: GLFW uses ASCII 'A'..'Z'; Linux follows the QWERTY rows.
        int[] letters = {KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_G, KEY_H, KEY_I, KEY_J, KEY_K, KEY_L,
                KEY_M, KEY_N, KEY_O, KEY_P, KEY_Q, KEY_R, KEY_S, KEY_T, KEY_U, KEY_V, KEY_W, KEY_X, KEY_Y, KEY_Z};
        for (int i = 0; i < 26; i++) map(GLFW_KEY_A + i, letters[i]);
        // Digits row: '1'..'9' then '0' (KEY_1 = 2 ... KEY_9 = 10, KEY_0 = 11).
        map(GLFW_KEY_0, KEY_0);
        for (int i = 1; i <= 9; i++) map(GLFW_KEY_0 + i, KEY_1 + i - 1);
        // Function keys.
        int[] fkeys = {KEY_F1, KEY_F2, KEY_F3, KEY_F4, KEY_F5, KEY_F6, KEY_F7, KEY_F8, KEY_F9, KEY_F10,
                KEY_F11, KEY_F12, KEY_F13, KEY_F14, KEY_F15, KEY_F16, KEY_F17, KEY_F18, KEY_F19, KEY_F20,
                KEY_F21, KEY_F22, KEY_F23, KEY_F24};
        for (int i = 0; i < fkeys.length; i++) map(GLFW_KEY_F1 + i, fkeys[i]);
        // Punctuation (US positions).
        map(GLFW_KEY_SPACE, KEY_SPACE);
        map(GLFW_KEY_APOSTROPHE, KEY_APOSTROPHE);
        map(GLFW_KEY_COMMA, KEY_COMMA);
        map(GLFW_KEY_MINUS, KEY_MINUS);
        map(GLFW_KEY_PERIOD, KEY_DOT);
        map(GLFW_KEY_SLASH, KEY_SLASH);
        map(GLFW_KEY_SEMICOLON, KEY_SEMICOLON);
        map(GLFW_KEY_EQUAL, KEY_EQUAL);
        map(GLFW_KEY_LEFT_BRACKET, KEY_LEFTBRACE);
        map(GLFW_KEY_BACKSLASH, KEY_BACKSLASH);
        map(GLFW_KEY_RIGHT_BRACKET, KEY_RIGHTBRACE);
        map(GLFW_KEY_GRAVE_ACCENT, KEY_GRAVE);
        map(GLFW_KEY_WORLD_1, KEY_102ND); // the extra key left of Z on ISO keyboards (X11 "LSGT")
        // Editing and navigation.
        map(GLFW_KEY_ESCAPE, KEY_ESC);
        map(GLFW_KEY_ENTER, KEY_ENTER);
        map(GLFW_KEY_TAB, KEY_TAB);
        map(GLFW_KEY_BACKSPACE, KEY_BACKSPACE);
        map(GLFW_KEY_INSERT, KEY_INSERT);
        map(GLFW_KEY_DELETE, KEY_DELETE);
        map(GLFW_KEY_RIGHT, KEY_RIGHT);
        map(GLFW_KEY_LEFT, KEY_LEFT);
        map(GLFW_KEY_DOWN, KEY_DOWN);
        map(GLFW_KEY_UP, KEY_UP);
        map(GLFW_KEY_PAGE_UP, KEY_PAGEUP);
        map(GLFW_KEY_PAGE_DOWN, KEY_PAGEDOWN);
        map(GLFW_KEY_HOME, KEY_HOME);
        map(GLFW_KEY_END, KEY_END);
        map(GLFW_KEY_CAPS_LOCK, KEY_CAPSLOCK);
        map(GLFW_KEY_SCROLL_LOCK, KEY_SCROLLLOCK);
        map(GLFW_KEY_NUM_LOCK, KEY_NUMLOCK);
        map(GLFW_KEY_PRINT_SCREEN, KEY_SYSRQ); // PC keyboards send SysRq for Print Screen
        map(GLFW_KEY_PAUSE, KEY_PAUSE);
        // Keypad.
        int[] kp = {KEY_KP0, KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP4, KEY_KP5, KEY_KP6, KEY_KP7, KEY_KP8, KEY_KP9};
        for (int i = 0; i < 10; i++) map(GLFW_KEY_KP_0 + i, kp[i]);
        map(GLFW_KEY_KP_DECIMAL, KEY_KPDOT);
        map(GLFW_KEY_KP_DIVIDE, KEY_KPSLASH);
        map(GLFW_KEY_KP_MULTIPLY, KEY_KPASTERISK);
        map(GLFW_KEY_KP_SUBTRACT, KEY_KPMINUS);
        map(GLFW_KEY_KP_ADD, KEY_KPPLUS);
        map(GLFW_KEY_KP_ENTER, KEY_KPENTER);
        map(GLFW_KEY_KP_EQUAL, KEY_KPEQUAL);
        // Modifiers.
        map(GLFW_KEY_LEFT_SHIFT, KEY_LEFTSHIFT);
        map(GLFW_KEY_LEFT_CONTROL, KEY_LEFTCTRL);
        map(GLFW_KEY_LEFT_ALT, KEY_LEFTALT);
        map(GLFW_KEY_LEFT_SUPER, KEY_LEFTMETA);
        map(GLFW_KEY_RIGHT_SHIFT, KEY_RIGHTSHIFT);
        map(GLFW_KEY_RIGHT_CONTROL, KEY_RIGHTCTRL);
        map(GLFW_KEY_RIGHT_ALT, KEY_RIGHTALT);
        map(GLFW_KEY_RIGHT_SUPER, KEY_RIGHTMETA);
        map(GLFW_KEY_MENU, KEY_COMPOSE); // the context-menu key is KEY_COMPOSE on PC keyboards (X11 keycode 135)
    }

    private LinuxKeyCodes() { }

    /** The Linux KEY_* code for a GLFW key token, or {@link #NONE}. */
    public static int fromGlfw(int glfwKey) {
        return glfwKey >= 0 && glfwKey < TABLE.length ? TABLE[glfwKey] : NONE;
    }

    /** GLFW_RELEASE / PRESS / REPEAT to the EV_KEY value Linux uses (0 release, 1 press, 2 autorepeat). */
    public static int valueOf(int glfwAction) {
        return switch (glfwAction) {
            case GLFW_RELEASE -> 0;
            case GLFW_PRESS -> 1;
            case GLFW_REPEAT -> 2;
            default -> throw new IllegalArgumentException("GLFW action " + glfwAction);
        };
    }
}
