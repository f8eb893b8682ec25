package org.vitrine.cli.script;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import org.vitrine.cli.window.Screenshots;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.display.Frame;
import org.vitrine.emulator.display.HostInput.Event;
import org.vitrine.emulator.display.HostInput.Target;
import org.vitrine.emulator.display.HostInput;
import org.vitrine.emulator.time.Ratio;

/**
 * Plays a {@link Scenario} against a board, on the calling (emulation) thread, as fast as the
 * machine runs: input is stamped at the virtual time the script reaches, so a script gives the
 * same console and screens on every run.
 */
public final class ScenarioRunner {
    /** How a scenario ended. */
    public record Outcome(boolean passed, String message) { }

    private final VirtBoard board;
    private final PrintStream log;
    private final Path baseDir;
    private final StringBuilder console = new StringBuilder();
    private int matchedUpTo;          // wait-for searches the console after the previous match
    private String awaited;

    public ScenarioRunner(VirtBoard board, PrintStream log, Path baseDir) {
        this.board = board;
        this.log = log;
        this.baseDir = baseDir;
    }

    /** Feed every console byte here (the board's UART sink). */
    public void consoleByte(int b) {
        console.append((char) (b & 0xff));
        String a = awaited;
        if (a != null && (b & 0xff) == a.charAt(a.length() - 1) && console.indexOf(a, matchedUpTo) >= 0) {
            board.machine().cpu().requestStop();
        }
    }

    public Outcome play(Scenario scenario) {
        Cpu cpu = board.machine().cpu();
        long cps = board.machine().clock().cyclesPerSecond();
        for (Scenario.Step step : scenario.steps()) {
            log.println("[script] line " + step.line() + ": " + describe(step));
            String failure = switch (step) {
                case Scenario.WaitFor w -> waitFor(cpu, w, cps);
                case Scenario.Run r -> ended(cpu.run(cpu.cycles() + Ratio.scaleUp(r.nanos(), cps, 1_000_000_000L)), r.line());
                case Scenario.Move m -> move(m);
                case Scenario.Button b -> button(b);
                case Scenario.Type t -> type(t.text());
                case Scenario.Key k -> key(k);
                case Scenario.Screenshot s -> screenshot(s);
                case Scenario.Expect e -> console.indexOf(e.text()) >= 0 ? null
                        : "line " + e.line() + ": the console does not show \"" + e.text() + "\"";
            };
            if (failure != null) return new Outcome(false, failure);
        }
        // let the last input reach the guest before the run ends
        String end = ended(cpu.run(cpu.cycles() + cps / 1000), -1);
        return end == null ? new Outcome(true, "all " + scenario.steps().size() + " steps passed") : new Outcome(false, end);
    }

    private String waitFor(Cpu cpu, Scenario.WaitFor w, long cps) {
        int at = console.indexOf(w.text(), matchedUpTo);
        if (at < 0) {
            awaited = w.text();
            Cpu.Exit exit = cpu.run(cpu.cycles() + Ratio.scaleUp(w.withinNanos(), cps, 1_000_000_000L));
            awaited = null;
            at = console.indexOf(w.text(), matchedUpTo);
            if (at < 0) {
                String why = exit.kind() == Cpu.ExitKind.TIME_LIMIT ? "not seen within " + w.withinNanos() / 1_000_000 + " ms"
                        : "not seen before the run ended (" + exit.message() + ")";
                return "line " + w.line() + ": \"" + w.text() + "\" " + why;
            }
        }
        matchedUpTo = at + w.text().length();
        return null;
    }

    /** A run that stops for any reason but reaching its time is the end of the scenario. */
    private static String ended(Cpu.Exit exit, int line) {
        if (exit.kind() == Cpu.ExitKind.TIME_LIMIT || exit.kind() == Cpu.ExitKind.STOPPED) return null;
        return (line > 0 ? "line " + line + ": " : "") + "the machine stopped: " + exit.message();
    }

    private String move(Scenario.Move m) {
        Frame f = board.currentFrame();
        if (!board.hasDisplay()) return "line " + m.line() + ": the machine has no display";
        int w = f != null ? f.width() : 1024, h = f != null ? f.height() : 768;
        if (m.x() >= w || m.y() >= h) return "line " + m.line() + ": (" + m.x() + ", " + m.y() + ") is outside the " + w + "x" + h + " display";
        // the centre of the pixel, as the window does: the guest maps back with abs * size / 32768
        int ax = (int) (((2L * m.x() + 1) * 32768) / (2L * w)), ay = (int) (((2L * m.y() + 1) * 32768) / (2L * h));
        post(new Event(Target.TABLET, HostInput.EV_ABS, HostInput.ABS_X, ax),
                new Event(Target.TABLET, HostInput.EV_ABS, HostInput.ABS_Y, ay), HostInput.sync(Target.TABLET));
        return null;
    }

    private String button(Scenario.Button b) {
        if (b.down() == null || b.down()) post(new Event(Target.TABLET, HostInput.EV_KEY, b.code(), 1), HostInput.sync(Target.TABLET));
        if (b.down() == null || !b.down()) post(new Event(Target.TABLET, HostInput.EV_KEY, b.code(), 0), HostInput.sync(Target.TABLET));
        return null;
    }

    private String type(String text) {
        for (char c : text.toCharArray()) {
            UsKeyboard.Stroke s = UsKeyboard.stroke(c);
            press(s.shift() ? List.of(org.vitrine.cli.window.LinuxKeyCodes.KEY_LEFTSHIFT) : List.of(), s.code());
        }
        return null;
    }

    private String key(Scenario.Key k) {
        press(k.modifiers(), k.code());
        return null;
    }

    private void press(List<Integer> modifiers, int code) {
        for (int m : modifiers) keyEdge(m, 1);
        keyEdge(code, 1);
        keyEdge(code, 0);
        for (int i = modifiers.size() - 1; i >= 0; i--) keyEdge(modifiers.get(i), 0);
    }

    private void keyEdge(int code, int value) {
        post(new Event(Target.KEYBOARD, HostInput.EV_KEY, code, value), HostInput.sync(Target.KEYBOARD));
    }

    private void post(Event... events) {
        for (Event e : events) board.input().post(e);
    }

    private String screenshot(Scenario.Screenshot s) {
        Frame f = board.currentFrame();
        if (f == null) return "line " + s.line() + ": nothing on the display yet";
        try {
            Screenshots.writePng(f, baseDir.resolve(s.file()), true);
            return null;
        } catch (IOException e) {
            return "line " + s.line() + ": cannot write " + s.file() + ": " + e.getMessage();
        }
    }

    private static String describe(Scenario.Step step) {
        return switch (step) {
            case Scenario.WaitFor w -> "wait-for \"" + w.text() + "\"";
            case Scenario.Run r -> "run " + r.nanos() / 1_000_000 + " ms";
            case Scenario.Move m -> "move " + m.x() + " " + m.y();
            case Scenario.Button b -> (b.down() == null ? "click " : b.down() ? "press " : "release ") + b.code();
            case Scenario.Type t -> "type \"" + t.text().replace("\n", "\\n") + "\"";
            case Scenario.Key k -> "key " + k.code() + (k.modifiers().isEmpty() ? "" : " with " + k.modifiers());
            case Scenario.Screenshot s -> "screenshot " + s.file();
            case Scenario.Expect e -> "expect \"" + e.text() + "\"";
        };
    }

    /** The console as the guest wrote it, for callers that report it. */
    public String console() {
        return console.toString();
    }
}
