package org.vitrine.cli.script;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import static org.vitrine.cli.window.LinuxKeyCodes.*;

/**
 * What a person presses on a US keyboard to type a character or name a key, as Linux key codes:
 * the scenario language's {@code type "..."} and {@code key ...} steps.
 */
public final class UsKeyboard {
    /** A key to press, with Shift held or not. */
    public record Stroke(int code, boolean shift) { }

    private static final Map<Character, Stroke> CHARS = new HashMap<>();
    private static final Map<String, Integer> NAMES = new HashMap<>();

    private static void chars(String plain, String shifted, int... codes) {
        for (int i = 0; i < codes.length; i++) {
            CHARS.put(plain.charAt(i), new Stroke(codes[i], false));
            CHARS.put(shifted.charAt(i), new Stroke(codes[i], true));
        }
    }

    static {
        int[] letters = {KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_G, KEY_H, KEY_I, KEY_J, KEY_K, KEY_L, KEY_M,
                KEY_N, KEY_O, KEY_P, KEY_Q, KEY_R, KEY_S, KEY_T, KEY_U, KEY_V, KEY_W, KEY_X, KEY_Y, KEY_Z};
        chars("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", letters);
        chars("1234567890", "!@#$%^&*()", KEY_1, KEY_2, KEY_3, KEY_4, KEY_5, KEY_6, KEY_7, KEY_8, KEY_9, KEY_0);
        chars("-=[]\\;',./`", "_+{}|:\"<>?~", KEY_MINUS, KEY_EQUAL, KEY_LEFTBRACE, KEY_RIGHTBRACE, KEY_BACKSLASH,
                KEY_SEMICOLON, KEY_APOSTROPHE, KEY_COMMA, KEY_DOT, KEY_SLASH, KEY_GRAVE);
        CHARS.put(' ', new Stroke(KEY_SPACE, false));
        CHARS.put('\n', new Stroke(KEY_ENTER, false));
        CHARS.put('\t', new Stroke(KEY_TAB, false));

        NAMES.putAll(Map.of("enter", KEY_ENTER, "backspace", KEY_BACKSPACE, "tab", KEY_TAB, "esc", KEY_ESC,
                "space", KEY_SPACE, "up", KEY_UP, "down", KEY_DOWN, "left", KEY_LEFT, "right", KEY_RIGHT, "home", KEY_HOME));
        NAMES.putAll(Map.of("end", KEY_END, "pageup", KEY_PAGEUP, "pagedown", KEY_PAGEDOWN, "delete", KEY_DELETE,
                "insert", KEY_INSERT, "ctrl", KEY_LEFTCTRL, "shift", KEY_LEFTSHIFT, "alt", KEY_LEFTALT, "meta", KEY_LEFTMETA));
        int[] f = {KEY_F1, KEY_F2, KEY_F3, KEY_F4, KEY_F5, KEY_F6, KEY_F7, KEY_F8, KEY_F9, KEY_F10, KEY_F11, KEY_F12};
        for (int i = 0; i < f.length; i++) NAMES.put("f" + (i + 1), f[i]);
        for (Map.Entry<Character, Stroke> e : CHARS.entrySet()) {
            if (!e.getValue().shift() && e.getKey() > ' ') NAMES.putIfAbsent(String.valueOf(e.getKey()), e.getValue().code());
        }
    }

    private UsKeyboard() { }

    /** The stroke that types {@code c}, or null when a US keyboard has none. */
    public static Stroke stroke(char c) {
        return CHARS.get(c);
    }

    /** The name of a key code as a script writes it (enter, ctrl, a...), or its number. */
    public static String name(int code) {
        String best = null;
        for (Map.Entry<String, Integer> e : NAMES.entrySet()) {
            if (e.getValue() == code && (best == null || e.getKey().length() > best.length())) best = e.getKey();
        }
        return best != null ? best : Integer.toString(code);
    }

    /** The key code of a key name (enter, f5, ctrl, a, 7, ...), or -1. */
    public static int named(String name) {
        return NAMES.getOrDefault(name.toLowerCase(Locale.ROOT), -1);
    }
}
