package org.vitrine.cli.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lwjgl.glfw.GLFW.*;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class LinuxKeyCodesTest {
    @Test
    void lettersFollowTheQwertyRows() {
        assertEquals(30, LinuxKeyCodes.fromGlfw(GLFW_KEY_A));
        assertEquals(16, LinuxKeyCodes.fromGlfw(GLFW_KEY_Q));
        assertEquals(44, LinuxKeyCodes.fromGlfw(GLFW_KEY_Z));
        assertEquals(50, LinuxKeyCodes.fromGlfw(GLFW_KEY_M));
        String rows = "QWERTYUIOP" + "ASDFGHJKL" + "ZXCVBNM";
        int[] starts = {16, 30, 44};
        int[] lengths = {10, 9, 7};
        int i = 0;
        for (int row = 0; row < 3; row++) {
            for (int k = 0; k < lengths[row]; k++, i++) {
                assertEquals(starts[row] + k, LinuxKeyCodes.fromGlfw(rows.charAt(i)), "key " + rows.charAt(i));
            }
        }
    }

    @Test
    void digitsFunctionKeysAndSpecials() {
        assertEquals(2, LinuxKeyCodes.fromGlfw(GLFW_KEY_1));
        assertEquals(10, LinuxKeyCodes.fromGlfw(GLFW_KEY_9));
        assertEquals(11, LinuxKeyCodes.fromGlfw(GLFW_KEY_0));
        assertEquals(59, LinuxKeyCodes.fromGlfw(GLFW_KEY_F1));
        assertEquals(68, LinuxKeyCodes.fromGlfw(GLFW_KEY_F10));
        assertEquals(87, LinuxKeyCodes.fromGlfw(GLFW_KEY_F11));
        assertEquals(88, LinuxKeyCodes.fromGlfw(GLFW_KEY_F12));
        assertEquals(28, LinuxKeyCodes.fromGlfw(GLFW_KEY_ENTER));
        assertEquals(14, LinuxKeyCodes.fromGlfw(GLFW_KEY_BACKSPACE));
        assertEquals(15, LinuxKeyCodes.fromGlfw(GLFW_KEY_TAB));
        assertEquals(1, LinuxKeyCodes.fromGlfw(GLFW_KEY_ESCAPE));
        assertEquals(57, LinuxKeyCodes.fromGlfw(GLFW_KEY_SPACE));
        assertEquals(103, LinuxKeyCodes.fromGlfw(GLFW_KEY_UP));
        assertEquals(108, LinuxKeyCodes.fromGlfw(GLFW_KEY_DOWN));
        assertEquals(105, LinuxKeyCodes.fromGlfw(GLFW_KEY_LEFT));
        assertEquals(106, LinuxKeyCodes.fromGlfw(GLFW_KEY_RIGHT));
        assertEquals(42, LinuxKeyCodes.fromGlfw(GLFW_KEY_LEFT_SHIFT));
        assertEquals(97, LinuxKeyCodes.fromGlfw(GLFW_KEY_RIGHT_CONTROL));
        assertEquals(100, LinuxKeyCodes.fromGlfw(GLFW_KEY_RIGHT_ALT));
        assertEquals(125, LinuxKeyCodes.fromGlfw(GLFW_KEY_LEFT_SUPER));
        assertEquals(96, LinuxKeyCodes.fromGlfw(GLFW_KEY_KP_ENTER));
        assertEquals(82, LinuxKeyCodes.fromGlfw(GLFW_KEY_KP_0));
        assertEquals(83, LinuxKeyCodes.fromGlfw(GLFW_KEY_KP_DECIMAL));
        assertEquals(41, LinuxKeyCodes.fromGlfw(GLFW_KEY_GRAVE_ACCENT));
        assertEquals(52, LinuxKeyCodes.fromGlfw(GLFW_KEY_PERIOD));
        assertEquals(111, LinuxKeyCodes.fromGlfw(GLFW_KEY_DELETE));
    }

    @Test
    void everyUsKeyIsMappedAndNoTwoKeysShareACode() {
        int[] mustHave = {
            GLFW_KEY_SPACE, GLFW_KEY_APOSTROPHE, GLFW_KEY_COMMA, GLFW_KEY_MINUS, GLFW_KEY_PERIOD, GLFW_KEY_SLASH,
            GLFW_KEY_SEMICOLON, GLFW_KEY_EQUAL, GLFW_KEY_LEFT_BRACKET, GLFW_KEY_BACKSLASH, GLFW_KEY_RIGHT_BRACKET,
            GLFW_KEY_GRAVE_ACCENT, GLFW_KEY_ESCAPE, GLFW_KEY_ENTER, GLFW_KEY_TAB, GLFW_KEY_BACKSPACE,
            GLFW_KEY_INSERT, GLFW_KEY_DELETE, GLFW_KEY_RIGHT, GLFW_KEY_LEFT, GLFW_KEY_DOWN, GLFW_KEY_UP,
            GLFW_KEY_PAGE_UP, GLFW_KEY_PAGE_DOWN, GLFW_KEY_HOME, GLFW_KEY_END, GLFW_KEY_CAPS_LOCK,
            GLFW_KEY_SCROLL_LOCK, GLFW_KEY_NUM_LOCK, GLFW_KEY_PRINT_SCREEN, GLFW_KEY_PAUSE,
            GLFW_KEY_KP_DECIMAL, GLFW_KEY_KP_DIVIDE, GLFW_KEY_KP_MULTIPLY, GLFW_KEY_KP_SUBTRACT, GLFW_KEY_KP_ADD,
            GLFW_KEY_KP_ENTER, GLFW_KEY_KP_EQUAL, GLFW_KEY_LEFT_SHIFT, GLFW_KEY_LEFT_CONTROL, GLFW_KEY_LEFT_ALT,
            GLFW_KEY_LEFT_SUPER, GLFW_KEY_RIGHT_SHIFT, GLFW_KEY_RIGHT_CONTROL, GLFW_KEY_RIGHT_ALT,
            GLFW_KEY_RIGHT_SUPER, GLFW_KEY_MENU, GLFW_KEY_WORLD_1,
        };
        for (int k : mustHave) assertTrue(LinuxKeyCodes.fromGlfw(k) > 0, "GLFW key " + k + " unmapped");
        for (int k = GLFW_KEY_A; k <= GLFW_KEY_Z; k++) assertTrue(LinuxKeyCodes.fromGlfw(k) > 0);
        for (int k = GLFW_KEY_0; k <= GLFW_KEY_9; k++) assertTrue(LinuxKeyCodes.fromGlfw(k) > 0);
        for (int k = GLFW_KEY_F1; k <= GLFW_KEY_F24; k++) assertTrue(LinuxKeyCodes.fromGlfw(k) > 0);
        for (int k = GLFW_KEY_KP_0; k <= GLFW_KEY_KP_9; k++) assertTrue(LinuxKeyCodes.fromGlfw(k) > 0);

        Map<Integer, Integer> seen = new HashMap<>();
        for (int k = 0; k <= GLFW_KEY_LAST; k++) {
            int code = LinuxKeyCodes.fromGlfw(k);
            if (code == LinuxKeyCodes.NONE) continue;
            Integer before = seen.put(code, k);
            assertEquals(null, before, "Linux code " + code + " for GLFW keys " + before + " and " + k);
        }
        // 26 letters, 10 digits, F1-F24, 13 punctuation (with the ISO 102nd key), 19 editing and
        // navigation keys, 17 keypad keys, 8 modifiers and Menu.
        assertEquals(26 + 10 + 24 + 13 + 19 + 17 + 9, seen.size());
    }

    @Test
    void unknownKeysMapToNone() {
        assertEquals(LinuxKeyCodes.NONE, LinuxKeyCodes.fromGlfw(GLFW_KEY_UNKNOWN));
        assertEquals(LinuxKeyCodes.NONE, LinuxKeyCodes.fromGlfw(GLFW_KEY_F25));
        assertEquals(LinuxKeyCodes.NONE, LinuxKeyCodes.fromGlfw(GLFW_KEY_WORLD_2));
        assertEquals(LinuxKeyCodes.NONE, LinuxKeyCodes.fromGlfw(100_000));
        assertEquals(LinuxKeyCodes.NONE, LinuxKeyCodes.fromGlfw(1)); // not a GLFW key
    }

    @Test
    void actionsBecomeLinuxValues() {
        assertEquals(0, LinuxKeyCodes.valueOf(GLFW_RELEASE));
        assertEquals(1, LinuxKeyCodes.valueOf(GLFW_PRESS));
        assertEquals(2, LinuxKeyCodes.valueOf(GLFW_REPEAT));
    }

    /** The named constants agree with the kernel header, when the header is installed (linux-libc-dev). */
    @Test
    void constantsMatchTheKernelHeader() throws IOException, IllegalAccessException {
        Path header = Path.of("/usr/include/linux/input-event-codes.h");
        Assumptions.assumeTrue(Files.isReadable(header), "no " + header);
        Map<String, Integer> defines = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^#define\\s+(KEY_\\w+)\\s+(0x[0-9a-fA-F]+|\\d+)\\b").matcher(Files.readString(header));
        while (m.find()) defines.put(m.group(1), Integer.decode(m.group(2)));
        int checked = 0;
        for (Field f : LinuxKeyCodes.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || !f.getName().startsWith("KEY_")) continue;
            assertEquals(defines.get(f.getName()), f.getInt(null), f.getName());
            checked++;
        }
        assertTrue(checked > 100, checked + " constants");
    }
}
