package org.vitrine.cli.script;

import java.util.ArrayList;
import java.util.List;

import org.vitrine.emulator.display.HostInput;
import org.vitrine.emulator.display.HostInput.Delivery;
import org.vitrine.emulator.display.HostInput.Event;
import org.vitrine.emulator.display.HostInput.Target;
import org.vitrine.emulator.time.Ratio;

/**
 * The scenario {@code vitrine run --record} writes (pure: from what was recorded to the text).
 * Each time the machine gave host input to its devices (one {@link Delivery}: the cycle and the
 * events, exactly as drained), the script gets an {@code at} line with that virtual instant and
 * the steps that post those events, in their order: {@code move}, {@code press}, {@code release}
 * and {@code scroll} where a group of events is exactly what that step posts, a raw
 * {@code input} step otherwise (a key's auto-repeat, a group the machine took in two parts). So
 * {@code vitrine script} posts the same events and they reach the guest at the same cycle, in one
 * drain as they did. The end: where the session stopped ({@code at} its last instant, or
 * {@code wait-for power-off} and {@code expect time}), and the fingerprints of the screen and
 * the console there.
 */
public final class RecordingScript {
    /** Input the devices were given at {@code cycle}. */

    /**
     * How the recording ended.
     *
     * @param cycle       the machine's cycle when it stopped
     * @param poweredOff  the guest powered off (else the window was closed or the run stopped)
     * @param why         how the run ended, for a comment
     * @param screenHash  {@link Hashes#screen} at the end, or null without a picture
     * @param consoleHash {@link Hashes#console} of the whole console
     */
    public record End(long cycle, boolean poweredOff, String why, String screenHash, String consoleHash) { }

    private final long cyclesPerSecond;
    private final int width, height;

    /** For a machine of that clock frequency (1 GHz or less: nanoseconds name every cycle) and display size. */
    public RecordingScript(long cyclesPerSecond, int width, int height) {
        if (cyclesPerSecond > 1_000_000_000L) {
            throw new IllegalArgumentException("a clock of " + cyclesPerSecond + " Hz: nanoseconds cannot name each cycle");
        }
        this.cyclesPerSecond = cyclesPerSecond;
        this.width = width;
        this.height = height;
    }

    /** The whole file: {@code header} comment lines, the boot line's options, the steps, the end. */
    public String text(List<String> header, List<String> bootOptions, List<Delivery> deliveries, End end) {
        List<String> lines = new ArrayList<>();
        for (String h : header) lines.add("# " + h);
        lines.add("boot " + String.join(" ", bootOptions.stream().map(RecordingScript::word).toList()));
        long at = 0;
        for (Delivery d : deliveries) {
            if (d.cycle() != at) lines.add("at " + nanos(d.cycle()) + "ns");
            at = d.cycle();
            lines.addAll(steps(d.events()));
        }
        lines.add("# " + end.why());
        if (end.poweredOff()) {
            long left = nanos(end.cycle()) - nanos(at);
            lines.add("wait-for power-off within " + (left / 1_000_000_000L + 1) + "s");
            lines.add("expect time " + nanos(end.cycle()) + "ns");
        } else if (end.cycle() != at) {
            lines.add("at " + nanos(end.cycle()) + "ns");
        }
        if (end.screenHash() != null) lines.add("expect screen-hash " + end.screenHash());
        lines.add("expect console-hash " + end.consoleHash());
        return String.join("\n", lines) + "\n";
    }

    /** The nanoseconds that name {@code cycle}: the runner's conversion back (rounding up) gives the cycle again. */
    long nanos(long cycle) {
        long ns = Ratio.scale(cycle, 1_000_000_000L, cyclesPerSecond);
        if (Ratio.scaleUp(ns, cyclesPerSecond, 1_000_000_000L) != cycle) throw new IllegalStateException("cycle " + cycle + " has no exact nanosecond");
        return ns;
    }

    /** The steps that post exactly {@code events}, in order: one step per run of one device's events up to its SYN. */
    List<String> steps(List<Event> events) {
        List<String> out = new ArrayList<>();
        List<Event> chunk = new ArrayList<>();
        for (Event e : events) {
            if (!chunk.isEmpty() && chunk.getFirst().target() != e.target()) {
                out.add(step(chunk));
                chunk.clear();
            }
            chunk.add(e);
            if (e.type() == HostInput.EV_SYN) {
                out.add(step(chunk));
                chunk.clear();
            }
        }
        if (!chunk.isEmpty()) out.add(step(chunk));
        return out;
    }

    private String step(List<Event> g) {
        boolean tablet = g.getFirst().target() == Target.TABLET;
        boolean synced = g.size() >= 2 && g.getLast().type() == HostInput.EV_SYN && g.getLast().code() == 0 && g.getLast().value() == 0;
        if (synced && g.size() == 3 && tablet && is(g.get(0), HostInput.EV_ABS, HostInput.ABS_X) && is(g.get(1), HostInput.EV_ABS, HostInput.ABS_Y)) {
            int x = pixel(g.get(0).value(), width), y = pixel(g.get(1).value(), height);
            if (x >= 0 && y >= 0) return "move " + x + " " + y;
        }
        if (synced && g.size() == 2) {
            Event e = g.getFirst();
            if (tablet && e.type() == HostInput.EV_REL && e.code() == HostInput.REL_WHEEL && e.value() != 0) return "scroll " + e.value();
            if (e.type() == HostInput.EV_KEY && (e.value() == 0 || e.value() == 1)) {
                String name = tablet ? button(e.code()) : key(e.code());
                if (name != null) return (e.value() == 1 ? "press " : "release ") + name;
            }
        }
        StringBuilder b = new StringBuilder("input ").append(tablet ? "tablet" : "keyboard");
        for (Event e : g) b.append(' ').append(new Scenario.RawEvent(e.type(), e.code(), e.value()));
        return b.toString();
    }

    private static boolean is(Event e, int type, int code) {
        return e.type() == type && e.code() == code;
    }

    /** The pixel whose centre the runner's {@code move} turns into {@code abs}, or -1 when none does. */
    static int pixel(int abs, int size) {
        int p = (int) ((long) abs * size / 32768);
        return p < size && ScenarioRunner.tablet(p, size) == abs ? p : -1;
    }

    private static String button(int code) {
        return switch (code) {
            case HostInput.BTN_LEFT -> "left";
            case HostInput.BTN_RIGHT -> "right";
            case HostInput.BTN_MIDDLE -> "middle";
            default -> null;
        };
    }

    /** A key's name that the parser reads back as that key, or null. */
    private static String key(int code) {
        String n = UsKeyboard.name(code);
        return UsKeyboard.named(n) == code && n.chars().noneMatch(c -> c == '"' || c == '#' || Character.isWhitespace(c)) ? n : null;
    }

    /** A boot option as one word of the line: quoted when it is empty or has spaces or quotes. */
    private static String word(String s) {
        if (!s.isEmpty() && s.chars().noneMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\\' || c == '$')) return s;
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
