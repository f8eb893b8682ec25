package org.vitrine.cli.script;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.vitrine.cli.Durations;

/**
 * A boot-and-click scenario: the steps of {@code vitrine script FILE}, parsed up front so a
 * malformed script is refused with every bad line named before the machine starts.
 *
 * <pre>
 *   # comment
 *   wait-for "boot screen up" within 10s   run until the console shows the text (default within 10s)
 *   run 500ms                             let the machine run
 *   move 512 384                          tablet to display pixel (x, y)
 *   click [left|right|middle]             press and release a button (default left)
 *   press left / release left             one button edge
 *   type "Hello, world"                   US keyboard, Shift where needed; \n \t \" \\ escapes
 *   key enter | key ctrl+c                a named key, modifiers joined with +
 *   screenshot out.png                    the display as PNG
 *   expect "text"                         the console so far contains the text
 * </pre>
 */
public record Scenario(List<Step> steps) {
    /** One line of the script. */
    public sealed interface Step permits WaitFor, Run, Move, Button, Type, Key, Screenshot, Expect {
        int line();
    }

    public record WaitFor(int line, String text, long withinNanos) implements Step { }

    public record Run(int line, long nanos) implements Step { }

    public record Move(int line, int x, int y) implements Step { }

    /** {@code down} null: a click (press then release). */
    public record Button(int line, int code, Boolean down) implements Step { }

    public record Type(int line, String text) implements Step { }

    /** Modifier key codes held while {@code code} is pressed. */
    public record Key(int line, List<Integer> modifiers, int code) implements Step { }

    public record Screenshot(int line, String file) implements Step { }

    public record Expect(int line, String text) implements Step { }

    /** A script that cannot run; the message lists every bad line. */
    public static final class ParseException extends Exception {
        public ParseException(String message) {
            super(message);
        }
    }

    private static final long DEFAULT_WAIT = 10_000_000_000L;
    private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    public static Scenario parse(List<String> lines) throws ParseException {
        List<Step> steps = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            int n = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            try {
                steps.add(step(n, line));
            } catch (IllegalArgumentException e) {
                errors.add("line " + n + ": " + e.getMessage() + "\n    " + line);
            }
        }
        if (!errors.isEmpty()) throw new ParseException(String.join("\n", errors));
        if (steps.isEmpty()) throw new ParseException("the script has no steps");
        return new Scenario(List.copyOf(steps));
    }

    private static Step step(int n, String line) {
        String verb = line.split("\\s+", 2)[0];
        String rest = line.substring(verb.length()).strip();
        return switch (verb) {
            case "wait-for" -> {
                Matcher m = QUOTED.matcher(rest);
                if (!m.lookingAt()) throw new IllegalArgumentException("wait-for needs a quoted text");
                String tail = rest.substring(m.end()).strip();
                long within = DEFAULT_WAIT;
                if (!tail.isEmpty()) {
                    String[] w = tail.split("\\s+");
                    if (w.length != 2 || !w[0].equals("within")) throw new IllegalArgumentException("expected 'within TIME' after the text");
                    within = duration(w[1]);
                }
                yield new WaitFor(n, unescape(m.group(1)), within);
            }
            case "run" -> new Run(n, duration(rest));
            case "move" -> {
                String[] xy = rest.split("\\s+");
                if (xy.length != 2) throw new IllegalArgumentException("move needs X Y (display pixels)");
                yield new Move(n, nonNegative(xy[0]), nonNegative(xy[1]));
            }
            case "click" -> new Button(n, button(rest.isEmpty() ? "left" : rest), null);
            case "press" -> new Button(n, button(rest), true);
            case "release" -> new Button(n, button(rest), false);
            case "type" -> {
                String text = quoted(rest, "type");
                for (char c : text.toCharArray()) {
                    if (UsKeyboard.stroke(c) == null) throw new IllegalArgumentException("cannot type '" + c + "' on a US keyboard");
                }
                yield new Type(n, text);
            }
            case "key" -> {
                if (rest.isEmpty()) throw new IllegalArgumentException("key needs a key name, e.g. enter or ctrl+c");
                String[] parts = rest.split("\\+");
                List<Integer> mods = new ArrayList<>();
                for (int i = 0; i < parts.length - 1; i++) mods.add(keyCode(parts[i]));
                yield new Key(n, List.copyOf(mods), keyCode(parts[parts.length - 1]));
            }
            case "screenshot" -> {
                if (rest.isEmpty()) throw new IllegalArgumentException("screenshot needs a file name");
                yield new Screenshot(n, rest);
            }
            case "expect" -> new Expect(n, quoted(rest, "expect"));
            default -> throw new IllegalArgumentException("unknown step '" + verb
                    + "' (wait-for, run, move, click, press, release, type, key, screenshot, expect)");
        };
    }

    private static long duration(String s) {
        try {
            return new Durations().convert(s);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private static int nonNegative(String s) {
        try {
            int v = Integer.parseInt(s);
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a pixel coordinate");
        }
    }

    private static int button(String name) {
        return switch (name) {
            case "left" -> 0x110;
            case "right" -> 0x111;
            case "middle" -> 0x112;
            default -> throw new IllegalArgumentException("button '" + name + "' (left, right or middle)");
        };
    }

    private static int keyCode(String name) {
        int code = UsKeyboard.named(name.strip());
        if (code < 0) throw new IllegalArgumentException("no key named '" + name.strip() + "'");
        return code;
    }

    private static String quoted(String rest, String verb) {
        Matcher m = QUOTED.matcher(rest);
        if (!m.matches()) throw new IllegalArgumentException(verb + " needs one quoted text, e.g. " + verb + " \"hello\"");
        return unescape(m.group(1));
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                b.append(c);
                continue;
            }
            char e = s.charAt(++i);
            b.append(switch (e) {
                case 'n' -> '\n';
                case 't' -> '\t';
                default -> e;
            });
        }
        return b.toString();
    }
}
