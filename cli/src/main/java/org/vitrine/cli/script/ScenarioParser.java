package org.vitrine.cli.script;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.vitrine.cli.Durations;
import org.vitrine.cli.script.Scenario.*;

/**
 * The scenario language's one parser: script text to a {@link Scenario}, refusing a malformed
 * script with every mistake as {@code file:line:col: message} before any machine starts.
 * {@link #HELP} (shown by {@code vitrine script --help}) and docs/scenarios.md list every step.
 *
 * <p>A line is a verb and its words; a word is plain ({@code 512}, {@code ctrl+s}, {@code #2}) or
 * quoted ({@code "Hello, world"}, escapes {@code \" \\ \n \t}; any other backslash stays, so
 * regular expressions read as usual). {@code ${NAME}} anywhere in a word is replaced by the value
 * of an earlier {@code set NAME value}. Lines starting with {@code #} are comments.
 */
public final class ScenarioParser {
    /** The grammar, one step a line: the help text of {@code vitrine script}. */
    public static final String HELP = """
            Scenario steps (times are virtual: a script runs the same on a slow host as on a fast one):
              wait-for console "regex" [within 10s]   the console shows a match (after the previous match)
              wait-for "text" [within 10s]            the same for plain text (older spelling)
              wait-for screen TEXT [within 10s]       the text is on the screen, drawn in the guest's font
              wait-for still [for 200ms] [within 10s] the screen has not changed for a while
              wait-for pixel X Y #rrggbb [within 10s] one display pixel has the colour
              wait-for power-off [within 10s]         the guest powers the machine off
              run 500ms                               let the machine run
              at 1234567ns                            run to exactly that virtual time since power-on
              move X Y | move-to TEXT                 the pointer to a pixel / to the centre of a text
              click [left|right|middle] [TEXT]        press and release a button (at a text's centre)
              double-click [BUTTON] [TEXT] | right-click [TEXT]
              press NAME | release NAME               one edge of a button (left...) or a key (ctrl, a...)
              drag X1 Y1 to X2 Y2 [BUTTON]            press at one point, move, release at the other
              scroll N                                wheel clicks, up when positive, down when negative
              type "text"                             US keyboard, Shift where needed
              key enter | key ctrl+s                  a named key, modifiers joined with +
              console-type "text"                     bytes into the serial console (UART)
              input keyboard|tablet T:C:V ... syn     raw Linux input events, as given (what recordings use)
              expect console "regex" | expect "text"  the console so far shows it
              expect screen TEXT | expect no screen TEXT
              expect region X Y W H matches FILE.png [tolerance N]   at most N pixels differ (default 0)
              expect screen-hash HEX | expect console-hash HEX | expect time 1234567ns   exact, as recorded
              save region X Y W H FILE.png | screenshot FILE.png
              snapshot save NAME | snapshot restore NAME   the whole machine in memory / back to that instant
            TEXT is "text" [#N] [in X Y W H]: the Nth match (without #N there must be exactly one), in an area.
            Structure: # comment | set NAME value (then ${NAME}) | include FILE | section "name" (a test case)
              boot --disk FILE --display WxH --append ARGS ...  machine options (the command line wins)
            vitrine run --record FILE.vts writes these steps from what you do in the window.
            The full grammar: docs/scenarios.md.""";

    /** Every verb the language knows (the help and the docs list each). */
    public static final List<String> VERBS = List.of("wait-for", "run", "at", "move", "move-to", "click", "double-click",
            "right-click", "press", "release", "drag", "scroll", "type", "key", "console-type", "input", "expect", "save",
            "screenshot", "snapshot", "set", "include", "section", "boot");

    static final long DEFAULT_WAIT = 10_000_000_000L;
    static final long DEFAULT_STILL = 200_000_000L;

    /** One mistake in a script. */
    public record Diagnostic(String file, int line, int col, String message, String source) {
        @Override
        public String toString() {
            return file + ":" + line + ":" + col + ": " + message;
        }

        /** The message, the line and a caret under the column. */
        public String render() {
            return this + (source == null ? "" : "\n    " + source + "\n    " + " ".repeat(Math.max(0, col - 1)) + "^");
        }
    }

    /** A script that cannot run: every mistake found. */
    public static final class ParseException extends Exception {
        private final List<Diagnostic> diagnostics;

        public ParseException(List<Diagnostic> diagnostics) {
            super(String.join("\n", diagnostics.stream().map(Diagnostic::render).toList()));
            this.diagnostics = List.copyOf(diagnostics);
        }

        public List<Diagnostic> diagnostics() {
            return diagnostics;
        }
    }

    /** A mistake at a column of the line being parsed. */
    private static final class LineError extends RuntimeException {
        final int col;

        LineError(int col, String message) {
            super(message, null, false, false);
            this.col = col;
        }
    }

    private record Token(String text, boolean quoted, int col) { }

    private final Map<String, String> variables = new HashMap<>();
    private final List<Diagnostic> errors = new ArrayList<>();
    private final Set<Path> including = new LinkedHashSet<>();
    private final List<Section> sections = new ArrayList<>();
    private List<String> boot = List.of();
    private Where bootAt;
    private String sectionName;
    private Where sectionAt;
    private List<Step> steps = new ArrayList<>();

    private ScenarioParser(String name) {
        this.sectionName = name;
    }

    /** Parses a script file (and the files it includes). */
    public static Scenario parse(Path file) throws ParseException {
        String name = baseName(file);
        ScenarioParser p = new ScenarioParser(name);
        p.file(file.toString(), file, null);
        return p.finish(name, file.toString());
    }

    /** Parses script lines as if they were the file {@code fileName} in {@code dir} (includes are read from there). */
    public static Scenario parse(String fileName, Path dir, List<String> lines) throws ParseException {
        String name = baseName(Path.of(fileName));
        ScenarioParser p = new ScenarioParser(name);
        p.lines(fileName, dir, lines);
        return p.finish(name, fileName);
    }

    private static String baseName(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".vts") ? n.substring(0, n.length() - 4) : n;
    }

    private Scenario finish(String name, String file) throws ParseException {
        closeSection();
        if (errors.isEmpty() && sections.isEmpty()) {
            errors.add(new Diagnostic(file, 1, 1, "the script has no steps", null));
        }
        if (!errors.isEmpty()) throw new ParseException(errors);
        return new Scenario(name, boot, bootAt, List.copyOf(sections));
    }

    private void closeSection() {
        if (!steps.isEmpty()) sections.add(new Section(sectionName, sectionAt, List.copyOf(steps)));
        else if (sectionAt != null) errors.add(new Diagnostic(sectionAt.file(), sectionAt.line(), sectionAt.col(),
                "section \"" + sectionName + "\" has no steps", null));
        steps = new ArrayList<>();
    }

    /** Reads and parses one file; {@code from} is the include line naming it, or null for the script itself. */
    private void file(String display, Path path, Diagnostic from) {
        Path key = path.toAbsolutePath().normalize();
        if (including.contains(key)) {
            errors.add(from(from, "include cycle: " + display + " includes itself"));
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(path);
        } catch (IOException | java.io.UncheckedIOException e) {
            errors.add(from != null ? from(from, "cannot read " + display + " (" + e.getMessage() + ")")
                    : new Diagnostic(display, 1, 1, "cannot read the script: " + e.getMessage(), null));
            return;
        }
        including.add(key);
        Path dir = key.getParent();
        lines(display, dir, lines);
        including.remove(key);
    }

    private static Diagnostic from(Diagnostic at, String message) {
        return new Diagnostic(at.file(), at.line(), at.col(), message, at.source());
    }

    private void lines(String file, Path dir, List<String> lines) {
        for (int i = 0; i < lines.size(); i++) {
            String source = lines.get(i);
            String s = source.strip();
            if (s.isEmpty() || s.startsWith("#")) continue;
            try {
                line(file, dir, i + 1, source);
            } catch (LineError e) {
                errors.add(new Diagnostic(file, i + 1, e.col, e.getMessage(), source));
            }
        }
    }

    private void line(String file, Path dir, int n, String source) {
        List<Token> tokens = tokens(source);
        Words w = new Words(tokens, source.length() + 1);
        Token verbToken = w.next("a step");
        if (verbToken.quoted()) throw new LineError(verbToken.col(), "a line starts with a step, e.g. click or wait-for");
        String verb = verbToken.text();
        Where at = new Where(file, dir, n, verbToken.col());
        switch (verb) {
            case "set" -> {
                Token name = w.next("a variable name");
                if (name.quoted() || !name.text().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new LineError(name.col(), "'" + name.text() + "' is not a variable name (letters, digits, _)");
                }
                Token value = w.next("a value");
                w.end();
                variables.put(name.text(), value.text());
            }
            case "include" -> {
                Token f = w.next("a file to include");
                w.end();
                Path target = dir.resolve(f.text());
                String display = Path.of(file).resolveSibling(f.text()).normalize().toString();
                file(display, target, new Diagnostic(file, n, f.col(), "", source));
            }
            case "section" -> {
                Token name = w.next("a quoted section name");
                if (!name.quoted()) throw new LineError(name.col(), "the section name must be quoted, e.g. section \"menu\"");
                w.end();
                closeSection();
                sectionName = name.text();
                sectionAt = at;
            }
            case "boot" -> {
                if (bootAt != null) throw new LineError(at.col(), "a second boot line (the first is " + bootAt + ")");
                if (!sections.isEmpty() || !steps.isEmpty()) throw new LineError(at.col(), "boot must come before the first step");
                List<String> args = new ArrayList<>();
                if (!w.more()) throw new LineError(source.length() + 1, "boot needs machine options, e.g. --disk FILE");
                if (!w.peek().text().startsWith("--")) throw new LineError(w.peek().col(), "boot takes options starting with --, e.g. --append rost.desktop");
                while (w.more()) args.add(w.next("").text());
                boot = List.copyOf(args);
                bootAt = at;
            }
            default -> steps.add(step(verb, at, w));
        }
    }

    private Step step(String verb, Where at, Words w) {
        Step s = switch (verb) {
            case "wait-for" -> waitFor(at, w);
            case "run" -> new Run(at, w.duration());
            case "at" -> new At(at, w.duration());
            case "move" -> new Move(at, w.coordinate("X"), w.coordinate("Y"));
            case "move-to" -> new MoveTo(at, target(w, true));
            case "click" -> click(at, w, 1);
            case "double-click" -> click(at, w, 2);
            case "right-click" -> new Click(at, BTN_RIGHT, 1, w.more() ? target(w, true) : null);
            case "press", "release" -> edge(at, w, verb.equals("press"));
            case "drag" -> {
                int x1 = w.coordinate("X1"), y1 = w.coordinate("Y1");
                w.keyword("to");
                int x2 = w.coordinate("X2"), y2 = w.coordinate("Y2");
                yield new Drag(at, x1, y1, x2, y2, w.more() ? button(w.next("")) : BTN_LEFT);
            }
            case "scroll" -> {
                Token t = w.next("a number of wheel clicks, e.g. 3 or -3");
                int n = integer(t, "a number of wheel clicks");
                if (n == 0) throw new LineError(t.col(), "scroll 0 does nothing: give wheel clicks, e.g. 3 or -3");
                yield new Scroll(at, n);
            }
            case "type" -> {
                Token t = w.quoted("the text to type");
                for (int i = 0; i < t.text().length(); i++) {
                    if (UsKeyboard.stroke(t.text().charAt(i)) == null) {
                        throw new LineError(t.col(), "cannot type '" + t.text().charAt(i) + "' on a US keyboard");
                    }
                }
                yield new Type(at, t.text());
            }
            case "key" -> {
                Token t = w.next("a key, e.g. enter or ctrl+s");
                String[] parts = t.text().split("\\+", -1);
                List<Integer> mods = new ArrayList<>();
                int col = t.col();
                for (int i = 0; i < parts.length - 1; i++) {
                    mods.add(keyCode(parts[i], col));
                    col += parts[i].length() + 1;
                }
                yield new Key(at, List.copyOf(mods), keyCode(parts[parts.length - 1], col));
            }
            case "console-type" -> new ConsoleType(at, w.quoted("the text for the console").text());
            case "input" -> rawInput(at, w);
            case "expect" -> expect(at, w);
            case "save" -> {
                w.keyword("region");
                Area a = area(w);
                yield new SaveRegion(at, a, png(w.next("a PNG file to write")));
            }
            case "screenshot" -> new Screenshot(at, png(w.next("a PNG file to write")));
            case "snapshot" -> {
                Token op = w.next("save or restore");
                if (op.quoted() || !op.text().equals("save") && !op.text().equals("restore")) {
                    throw new LineError(op.col(), "expected 'save' or 'restore', found '" + op.text() + "'");
                }
                yield new SnapshotStep(at, op.text().equals("save"), w.next("the snapshot's name").text());
            }
            default -> throw new LineError(at.col(), "unknown step '" + verb + "' (known: " + String.join(", ", VERBS) + ")");
        };
        w.end();
        return s;
    }

    private Step waitFor(Where at, Words w) {
        Token what = w.next("what to wait for: console \"regex\", screen \"text\", still or pixel X Y #rrggbb");
        if (what.quoted()) return new WaitConsole(at, literal(what), within(w));
        return switch (what.text()) {
            case "console" -> new WaitConsole(at, regex(w.quoted("a quoted regular expression")), within(w));
            case "screen" -> new WaitScreen(at, target(w, false), within(w));
            case "still" -> {
                long quiet = DEFAULT_STILL;
                if (w.more() && w.peek().text().equals("for") && !w.peek().quoted()) {
                    w.next("");
                    quiet = w.duration();
                }
                yield new WaitStill(at, quiet, within(w));
            }
            case "power-off" -> new WaitPowerOff(at, within(w));
            case "pixel" -> {
                int x = w.coordinate("X"), y = w.coordinate("Y");
                Token c = w.next("a colour #rrggbb");
                if (!c.text().matches("#[0-9a-fA-F]{6}")) throw new LineError(c.col(), "'" + c.text() + "' is not a colour #rrggbb");
                yield new WaitPixel(at, x, y, Integer.parseInt(c.text().substring(1), 16), within(w));
            }
            default -> throw new LineError(what.col(), "wait-for " + what.text()
                    + "? (console \"regex\", screen \"text\", still, pixel X Y #rrggbb, power-off)");
        };
    }

    private static long within(Words w) {
        if (!w.more()) return DEFAULT_WAIT;
        w.keyword("within");
        return w.duration();
    }

    private Step click(Where at, Words w, int count) {
        int button = BTN_LEFT;
        if (w.more() && !w.peek().quoted()) button = button(w.next(""));
        return new Click(at, button, count, w.more() ? target(w, true) : null);
    }

    private static Step edge(Where at, Words w, boolean down) {
        Token t = w.next("a button (left, right, middle) or a key (ctrl, a, enter...)");
        int b = buttonCode(t.text());
        if (b >= 0) return new Edge(at, false, b, down);
        return new Edge(at, true, keyCode(t.text(), t.col()), down);
    }

    private Step expect(Where at, Words w) {
        Token what = w.next("what to expect: console \"regex\", screen \"text\", no screen \"text\" or region");
        if (what.quoted()) return new ExpectConsole(at, literal(what));
        return switch (what.text()) {
            case "console" -> new ExpectConsole(at, regex(w.quoted("a quoted regular expression")));
            case "screen" -> new ExpectScreen(at, target(w, false), true);
            case "no" -> {
                w.keyword("screen");
                yield new ExpectScreen(at, target(w, false), false);
            }
            case "screen-hash", "console-hash" -> {
                Token h = w.next("a SHA-256 in hexadecimal (64 digits)");
                if (h.quoted() || !h.text().matches("[0-9a-fA-F]{64}")) throw new LineError(h.col(), "'" + h.text() + "' is not a SHA-256 (64 hexadecimal digits)");
                yield new ExpectHash(at, what.text().equals("screen-hash"), h.text().toLowerCase(java.util.Locale.ROOT));
            }
            case "time" -> new ExpectTime(at, w.duration());
            case "region" -> {
                Area a = area(w);
                w.keyword("matches");
                Token f = w.next("a needle PNG file");
                png(f);
                Path needle = at.dir().resolve(f.text());
                if (!Files.isRegularFile(needle)) throw new LineError(f.col(), "no needle file " + needle);
                int tolerance = 0;
                if (w.more()) {
                    w.keyword("tolerance");
                    Token n = w.next("a number of pixels");
                    tolerance = integer(n, "a number of pixels");
                    if (tolerance < 0) throw new LineError(n.col(), "the tolerance is a number of pixels, 0 or more");
                }
                yield new ExpectRegion(at, a, needle, tolerance);
            }
            default -> throw new LineError(what.col(), "expect " + what.text()
                    + "? (console \"regex\", screen \"text\", no screen \"text\", region X Y W H matches FILE.png, screen-hash, console-hash, time)");
        };
    }

    /** {@code input keyboard|tablet EVENT...}, each event {@code TYPE:CODE:VALUE} (decimal) or {@code syn}. */
    private static Step rawInput(Where at, Words w) {
        Token device = w.next("keyboard or tablet");
        if (device.quoted() || !device.text().equals("keyboard") && !device.text().equals("tablet")) {
            throw new LineError(device.col(), "input goes to the keyboard or the tablet, not '" + device.text() + "'");
        }
        List<RawEvent> events = new ArrayList<>();
        if (!w.more()) w.next("events TYPE:CODE:VALUE or syn");
        while (w.more()) {
            Token t = w.next("");
            if (t.text().equals("syn") && !t.quoted()) {
                events.add(new RawEvent(0, 0, 0));
                continue;
            }
            String[] f = t.text().split(":", -1);
            try {
                if (t.quoted() || f.length != 3) throw new NumberFormatException();
                int type = Integer.parseInt(f[0]), code = Integer.parseInt(f[1]), value = Integer.parseInt(f[2]);
                if (type < 0 || type > 0x1f || code < 0 || code > 0x2ff) {
                    throw new LineError(t.col(), "'" + t.text() + "': the type is 0..31 and the code 0..767 (Linux input codes)");
                }
                events.add(new RawEvent(type, code, value));
            } catch (NumberFormatException e) {
                throw new LineError(t.col(), "'" + t.text() + "' is not an event TYPE:CODE:VALUE (e.g. 1:30:1) or syn");
            }
        }
        return new RawInput(at, device.text().equals("keyboard"), List.copyOf(events));
    }

    /** {@code "text" [#N] [in X Y W H]}; {@code nthAllowed} false where any match will do. */
    private static TextTarget target(Words w, boolean nthAllowed) {
        Token t = w.quoted("a quoted text to find on the screen");
        if (t.text().isEmpty()) throw new LineError(t.col(), "the text to find is empty");
        for (char c : t.text().toCharArray()) {
            if (c < 0x20 || c > 0x7e) throw new LineError(t.col(), "the guest's font has no '" + c + "' (printable ASCII only)");
        }
        int nth = 0;
        if (w.more() && w.peek().text().startsWith("#") && !w.peek().quoted()) {
            Token n = w.next("");
            if (!nthAllowed) throw new LineError(n.col(), "#N picks a match to point at: not needed here");
            nth = integer(new Token(n.text().substring(1), false, n.col() + 1), "a match number after #");
            if (nth < 1) throw new LineError(n.col(), "matches are numbered from #1");
        }
        Area area = null;
        if (w.more() && w.peek().text().equals("in") && !w.peek().quoted()) {
            w.next("");
            area = area(w);
        }
        return new TextTarget(t.text(), nth, area);
    }

    private static Area area(Words w) {
        int x = w.coordinate("X"), y = w.coordinate("Y");
        Token wt = w.next("a width W");
        int width = integer(wt, "a width");
        Token ht = w.next("a height H");
        int height = integer(ht, "a height");
        if (width <= 0) throw new LineError(wt.col(), "the width must be positive");
        if (height <= 0) throw new LineError(ht.col(), "the height must be positive");
        return new Area(x, y, width, height);
    }

    private static String png(Token t) {
        if (!t.text().toLowerCase().endsWith(".png")) throw new LineError(t.col(), "'" + t.text() + "' is not a .png file name");
        return t.text();
    }

    private static ConsolePattern literal(Token t) {
        if (t.text().isEmpty()) throw new LineError(t.col(), "the console text is empty");
        return new ConsolePattern(Pattern.compile(Pattern.quote(t.text())), t.text());
    }

    private static ConsolePattern regex(Token t) {
        if (t.text().isEmpty()) throw new LineError(t.col(), "the regular expression is empty");
        try {
            return new ConsolePattern(Pattern.compile(t.text()), null);
        } catch (PatternSyntaxException e) {
            throw new LineError(t.col() + 1 + Math.max(0, e.getIndex()), "bad regular expression: " + e.getDescription());
        }
    }

    static final int BTN_LEFT = 0x110, BTN_RIGHT = 0x111, BTN_MIDDLE = 0x112;

    private static int buttonCode(String name) {
        return switch (name) {
            case "left" -> BTN_LEFT;
            case "right" -> BTN_RIGHT;
            case "middle" -> BTN_MIDDLE;
            default -> -1;
        };
    }

    private static int button(Token t) {
        int b = buttonCode(t.text());
        if (b < 0 || t.quoted()) throw new LineError(t.col(), "button '" + t.text() + "'? (left, right or middle)");
        return b;
    }

    private static int keyCode(String name, int col) {
        int code = UsKeyboard.named(name.strip());
        if (code < 0) throw new LineError(col, "no key named '" + name.strip() + "'");
        return code;
    }

    private static int integer(Token t, String what) {
        try {
            return Integer.parseInt(t.text());
        } catch (NumberFormatException e) {
            throw new LineError(t.col(), "'" + t.text() + "' is not " + what);
        }
    }

    // ---- words of a line ----------------------------------------------------------------------

    /** Splits a line into words, replacing ${NAME} and unescaping quoted words. */
    private List<Token> tokens(String line) {
        List<Token> out = new ArrayList<>();
        int i = 0, n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            int start = i;
            if (c == '"') {
                StringBuilder raw = new StringBuilder();
                i++;
                while (i < n && line.charAt(i) != '"') {
                    if (line.charAt(i) == '\\' && i + 1 < n) raw.append(line.charAt(i++));
                    raw.append(line.charAt(i++));
                }
                if (i >= n) throw new LineError(start + 1, "the quoted text is not closed (a \" is missing)");
                i++;
                if (i < n && !Character.isWhitespace(line.charAt(i))) throw new LineError(i + 1, "a space must follow the closing quote");
                out.add(new Token(unescape(substitute(raw.toString(), start + 2)), true, start + 1));
            } else {
                while (i < n && !Character.isWhitespace(line.charAt(i))) i++;
                out.add(new Token(substitute(line.substring(start, i), start + 1), false, start + 1));
            }
        }
        return out;
    }

    /** Replaces ${NAME} in a word that starts at column {@code col}. */
    private String substitute(String raw, int col) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < raw.length()) {
            int at = raw.indexOf("${", i);
            if (at < 0) break;
            int close = raw.indexOf('}', at);
            if (close < 0) throw new LineError(col + at, "${ without its closing }");
            String name = raw.substring(at + 2, close);
            String value = variables.get(name);
            if (value == null) throw new LineError(col + at, "no variable " + name + " (set it first: set " + name + " VALUE)");
            b.append(raw, i, at).append(value);
            i = close + 1;
        }
        return b.append(raw.substring(i)).toString();
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
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case '"', '\\' -> b.append(e);
                default -> b.append('\\').append(e);  // regular expressions keep their escapes
            }
        }
        return b.toString();
    }

    /** A cursor over a line's words. */
    private static final class Words {
        private final List<Token> tokens;
        private final int endCol;
        private int at;

        Words(List<Token> tokens, int endCol) {
            this.tokens = tokens;
            this.endCol = endCol;
        }

        boolean more() {
            return at < tokens.size();
        }

        Token peek() {
            return tokens.get(at);
        }

        Token next(String what) {
            if (!more()) throw new LineError(endCol, "expected " + what);
            return tokens.get(at++);
        }

        Token quoted(String what) {
            Token t = next(what);
            if (!t.quoted()) throw new LineError(t.col(), "expected " + what + ", in quotes");
            return t;
        }

        void keyword(String word) {
            Token t = next("'" + word + "'");
            if (t.quoted() || !t.text().equals(word)) throw new LineError(t.col(), "expected '" + word + "', found '" + t.text() + "'");
        }

        int coordinate(String what) {
            Token t = next(what + " (a display pixel)");
            int v = integer(t, "a pixel coordinate " + what);
            if (v < 0) throw new LineError(t.col(), "'" + t.text() + "' is not a pixel coordinate (0 or more)");
            return v;
        }

        long duration() {
            Token t = next("a virtual time, e.g. 500ms or 5s");
            try {
                return new Durations().convert(t.text());
            } catch (RuntimeException e) {
                throw new LineError(t.col(), e.getMessage());
            }
        }

        void end() {
            if (more()) throw new LineError(peek().col(), "unexpected '" + peek().text() + "' at the end of the step");
        }
    }
}
