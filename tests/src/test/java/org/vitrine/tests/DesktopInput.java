package org.vitrine.tests;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.vitrine.emulator.display.HostInput;
import org.vitrine.emulator.display.HostInput.Event;
import org.vitrine.emulator.display.HostInput.Target;

/**
 * One input report for the guest's virtio keyboard or tablet, in the three forms the desktop tests
 * need: Vitrine's {@link HostInput} events (a group ending with a SYN), the events of a QMP
 * {@code input-send-event} command (QEMU ends each command with a sync), and rost's console line
 * for it ({@code [input] ...}, kernel-image/README.md), which can also be parsed back.
 */
sealed interface DesktopInput {
    /** Tablet position in device units, 0..32767 on each axis (QEMU's INPUT_EVENT_ABS_MAX). */
    record Move(int x, int y) implements DesktopInput { }

    /** A tablet button (BTN_LEFT 272, BTN_RIGHT 273, BTN_MIDDLE 274). */
    record Button(int code, boolean down) implements DesktopInput { }

    /** A keyboard key, by Linux evdev code. */
    record Key(int code, boolean down) implements DesktopInput { }

    /** The QEMU qcode of each Linux key code the tests type. */
    Map<Integer, String> QCODES = Map.ofEntries(Map.entry(35, "h"), Map.entry(23, "i"), Map.entry(42, "shift"), Map.entry(28, "ret"),
            Map.entry(2, "1"), Map.entry(14, "backspace"), Map.entry(57, "spc"), Map.entry(18, "e"), Map.entry(46, "c"),
            Map.entry(24, "o"), Map.entry(38, "l"), Map.entry(31, "s"), Map.entry(33, "f"), Map.entry(49, "n"),
            Map.entry(20, "t"), Map.entry(15, "tab"), Map.entry(29, "ctrl"), Map.entry(52, "dot"), Map.entry(103, "up"),
            Map.entry(105, "left"), Map.entry(106, "right"), Map.entry(108, "down"));
    Map<Integer, String> BUTTONS = Map.of(HostInput.BTN_LEFT, "left", HostInput.BTN_RIGHT, "right", HostInput.BTN_MIDDLE, "middle");

    default List<Event> events() {
        return switch (this) {
            case Move m -> List.of(new Event(Target.TABLET, HostInput.EV_ABS, HostInput.ABS_X, m.x()),
                    new Event(Target.TABLET, HostInput.EV_ABS, HostInput.ABS_Y, m.y()), HostInput.sync(Target.TABLET));
            case Button b -> List.of(new Event(Target.TABLET, HostInput.EV_KEY, b.code(), b.down() ? 1 : 0),
                    HostInput.sync(Target.TABLET));
            case Key k -> List.of(new Event(Target.KEYBOARD, HostInput.EV_KEY, k.code(), k.down() ? 1 : 0),
                    HostInput.sync(Target.KEYBOARD));
        };
    }

    /** The {@code events} argument of QMP input-send-event. */
    default String qmpEvents() {
        return switch (this) {
            case Move m -> "[{\"type\":\"abs\",\"data\":{\"axis\":\"x\",\"value\":" + m.x() + "}},"
                    + "{\"type\":\"abs\",\"data\":{\"axis\":\"y\",\"value\":" + m.y() + "}}]";
            case Button b -> "[{\"type\":\"btn\",\"data\":{\"down\":" + b.down() + ",\"button\":\"" + name(BUTTONS, b.code()) + "\"}}]";
            case Key k -> "[{\"type\":\"key\",\"data\":{\"down\":" + k.down()
                    + ",\"key\":{\"type\":\"qcode\",\"data\":\"" + name(QCODES, k.code()) + "\"}}}]";
        };
    }

    /** The line rost logs when it receives this report. */
    default String consoleLine() {
        return switch (this) {
            case Move m -> "[input] tablet x=" + m.x() + " y=" + m.y();
            case Button b -> "[input] button " + b.code() + (b.down() ? " down" : " up");
            case Key k -> "[input] key " + k.code() + (k.down() ? " down" : " up");
        };
    }

    private static String name(Map<Integer, String> names, int code) {
        String n = names.get(code);
        if (n == null) throw new IllegalArgumentException("no QEMU name for code " + code);
        return n;
    }

    Pattern LINE = Pattern.compile("\\[input] (?:tablet x=(\\d+) y=(\\d+)|(key|button) (\\d+) (down|up))");

    /** The reports a guest logged, in order (other lines are skipped), to replay them elsewhere. */
    static List<DesktopInput> parse(List<String> console) {
        List<DesktopInput> out = new ArrayList<>();
        for (String l : console) {
            Matcher m = LINE.matcher(l);
            if (!m.matches()) {
                if (l.startsWith("[input]")) throw new IllegalArgumentException("cannot replay " + l);
                continue;
            }
            if (m.group(1) != null) {
                out.add(new Move(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
            } else if (m.group(3).equals("key")) {
                out.add(new Key(Integer.parseInt(m.group(4)), m.group(5).equals("down")));
            } else {
                out.add(new Button(Integer.parseInt(m.group(4)), m.group(5).equals("down")));
            }
        }
        return out;
    }

    static boolean isInputLine(String l) {
        return l.startsWith("[input] ");
    }
}
