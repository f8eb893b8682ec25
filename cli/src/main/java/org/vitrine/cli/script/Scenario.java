package org.vitrine.cli.script;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A parsed scenario (the syntax tree {@link ScenarioParser} builds and {@link ScenarioRunner}
 * plays): machine options from its {@code boot} line, then named sections of steps, each section
 * one test case of the report. docs/scenarios.md describes the language.
 *
 * @param name     the script's file name without {@code .vts}
 * @param boot     the {@code boot} line's machine options (empty when there is none)
 * @param bootAt   where the {@code boot} line is, or null
 */
public record Scenario(String name, List<String> boot, Where bootAt, List<Section> sections) {
    /** A place in a script: the file as the user named it, its directory (for the files a step names), line and column (1-based). */
    public record Where(String file, Path dir, int line, int col) {
        @Override
        public String toString() {
            return file + ":" + line + ":" + col;
        }
    }

    /** A named group of steps: one test case. */
    public record Section(String name, Where at, List<Step> steps) { }

    /** A rectangle of display pixels. */
    public record Area(int x, int y, int w, int h) {
        public boolean contains(int px, int py) {
            return px >= x && py >= y && px < x + w && py < y + h;
        }

        @Override
        public String toString() {
            return x + " " + y + " " + w + " " + h;
        }
    }

    /** Text to find on the screen: the {@code nth} match (1-based; 0: there must be exactly one), inside {@code area} or anywhere. */
    public record TextTarget(String text, int nth, Area area) {
        @Override
        public String toString() {
            return "\"" + text + "\"" + (nth > 0 ? " #" + nth : "") + (area != null ? " in " + area : "");
        }
    }

    /** A console pattern: {@code literal} when the script gave plain text (the old spelling), else a regular expression. */
    public record ConsolePattern(Pattern regex, String literal) {
        @Override
        public String toString() {
            return literal != null ? "\"" + literal + "\"" : "/" + regex.pattern() + "/";
        }
    }

    /** One line of the script that does something. */
    public sealed interface Step {
        Where at();
    }

    // ---- waits (virtual time) -----------------------------------------------------------------
    public record WaitConsole(Where at, ConsolePattern pattern, long withinNanos) implements Step { }

    public record WaitScreen(Where at, TextTarget target, long withinNanos) implements Step { }

    /** The screen has not changed for {@code quietNanos}. */
    public record WaitStill(Where at, long quietNanos, long withinNanos) implements Step { }

    public record WaitPixel(Where at, int x, int y, int rgb, long withinNanos) implements Step { }

    public record Run(Where at, long nanos) implements Step { }

    /** {@code at TIME}: runs the machine to exactly that virtual time since power-on (how a recording stamps its input). */
    public record At(Where at, long nanos) implements Step { }

    /** {@code wait-for power-off}: the guest powers the machine off. */
    public record WaitPowerOff(Where at, long withinNanos) implements Step { }

    // ---- input --------------------------------------------------------------------------------
    public record Move(Where at, int x, int y) implements Step { }

    public record MoveTo(Where at, TextTarget target) implements Step { }

    /** {@code count} clicks (2: a double click) of {@code button}, at {@code target}'s centre when given. */
    public record Click(Where at, int button, int count, TextTarget target) implements Step { }

    /** One edge of a pointer button or a keyboard key ({@code key} true). */
    public record Edge(Where at, boolean key, int code, boolean down) implements Step { }

    public record Drag(Where at, int x1, int y1, int x2, int y2, int button) implements Step { }

    /** Wheel clicks: positive up, negative down (REL_WHEEL). */
    public record Scroll(Where at, int clicks) implements Step { }

    public record Type(Where at, String text) implements Step { }

    /** Modifier key codes held while {@code code} is pressed. */
    public record Key(Where at, List<Integer> modifiers, int code) implements Step { }

    /** One raw Linux input event (EV_SYN 0, EV_KEY 1, EV_REL 2, EV_ABS 3 with its code and value). */
    public record RawEvent(int type, int code, int value) {
        @Override
        public String toString() {
            return type == 0 && code == 0 && value == 0 ? "syn" : type + ":" + code + ":" + value;
        }
    }

    /** {@code input keyboard|tablet EVENT...}: events posted to a device exactly as given (what a recording writes when no step says it). */
    public record RawInput(Where at, boolean keyboard, List<RawEvent> events) implements Step { }

    /** Bytes into the UART, as typed on the serial console. */
    public record ConsoleType(Where at, String text) implements Step { }

    // ---- checks and outputs -------------------------------------------------------------------
    public record ExpectConsole(Where at, ConsolePattern pattern) implements Step { }

    public record ExpectScreen(Where at, TextTarget target, boolean present) implements Step { }

    /** The area equals the needle image, with at most {@code tolerance} pixels different. */
    public record ExpectRegion(Where at, Area area, Path needle, int tolerance) implements Step { }

    /** {@code expect screen-hash HEX} / {@code expect console-hash HEX}: the SHA-256 of the whole screen / the console so far ({@link Hashes}). */
    public record ExpectHash(Where at, boolean screen, String sha256) implements Step { }

    /** {@code expect time TIME}: the virtual time since power-on is exactly TIME. */
    public record ExpectTime(Where at, long nanos) implements Step { }

    public record SaveRegion(Where at, Area area, String file) implements Step { }

    public record Screenshot(Where at, String file) implements Step { }

    /** {@code snapshot save NAME} / {@code snapshot restore NAME}: the whole machine, kept in memory under NAME. */
    public record SnapshotStep(Where at, boolean save, String name) implements Step { }

    /** Every step, in order, across sections. */
    public List<Step> steps() {
        return sections.stream().flatMap(s -> s.steps().stream()).toList();
    }
}
