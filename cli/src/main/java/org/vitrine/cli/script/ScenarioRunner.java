package org.vitrine.cli.script;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;

import org.vitrine.cli.script.Scenario.*;
import org.vitrine.cli.script.ScenarioResult.Failure;
import org.vitrine.cli.script.ScenarioResult.SectionResult;
import org.vitrine.cli.script.ScenarioResult.Status;
import org.vitrine.cli.window.LinuxKeyCodes;
import org.vitrine.cli.window.Screenshots;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.display.Frame;
import org.vitrine.emulator.display.HostInput;
import org.vitrine.emulator.display.HostInput.Event;
import org.vitrine.emulator.display.HostInput.Target;
import org.vitrine.emulator.time.Ratio;

/**
 * Plays a {@link Scenario} against a board, on the calling (emulation) thread, as fast as the
 * machine runs. Every wait is in virtual time: the machine runs in slices of {@link #SLICE_NANOS}
 * and the console, screen or pixel is checked between slices (a console wait also stops the
 * machine at the byte that completes its text), and input is stamped at the virtual time the
 * script reaches, so a script gives the same console and screens on every run and every host.
 * Sections run in order on one machine; after a failing step the later sections are skipped.
 */
public final class ScenarioRunner {
    /** How often waits look at the screen: 10 ms of virtual time. */
    static final long SLICE_NANOS = 10_000_000L;
    private static final int TAIL_LINES = 12;
    /**
     * Virtual time between the keystrokes of a {@code type}. Posted all at once, a long text
     * overflowed the focused app's mailbox (64 of the kernel's messages; a keystroke is two, four
     * with Shift) and keys were lost. The slowest app to take a key, the Editor (a redraw per
     * key), needs 3 to 5 ms a keystroke at 1 GHz: an 82-character line loses keys 3 ms apart and
     * none 5 ms apart. 10 ms leaves twice that (xdotool's default is 12 ms).
     */
    static final long KEY_GAP_NANOS = 10_000_000L;
    /** The pointer sprite the window manager draws at the pointer (guest-apps/ui/src/draw.rs ARROW). */
    static final int POINTER_W = 11, POINTER_H = 17;

    private final VirtBoard board;
    private final Cpu cpu;
    private final long cps;
    private final PrintStream log;
    private final Path outputDir;
    private final Path failureDir;
    private final TextFinder finder;
    private final StringBuilder console = new StringBuilder();
    private final ArrayDeque<Integer> uartPending = new ArrayDeque<>();
    private final List<String> artifacts = new ArrayList<>();
    private ApngWriter video;         // --record-video, or null
    private long frameCycles, nextFrame, frameMs;
    private Area pointer;             // where the guest draws the pointer (the last move), hiding what is under it
    private int matchedUpTo;          // console waits search after the previous match
    private ConsolePattern awaited;
    private Frame searched;           // the frame the last text search looked at, and its answer
    private TextTarget searchedFor;
    private List<TextFinder.Match> searchedFound;
    private boolean inputPending;     // input posted that the guest has not been given yet
    private Cpu.Exit lastExit;        // how the machine's last run ended

    /**
     * @param outputDir  where screenshot and save region steps write (relative names)
     * @param failureDir where the screenshot of a failing step and needle differences go
     */
    public ScenarioRunner(VirtBoard board, PrintStream log, Path outputDir, Path failureDir, TextFinder finder) {
        this.board = board;
        this.cpu = board.machine().cpu();
        this.cps = board.machine().clock().cyclesPerSecond();
        this.log = log;
        this.outputDir = outputDir;
        this.failureDir = failureDir;
        this.finder = finder;
        board.uart().setRxSpaceListener(this::feedUart);
    }

    /** Feed every console byte here (the board's UART sink). */
    public void consoleByte(int b) {
        console.append((char) (b & 0xff));
        ConsolePattern a = awaited;
        if (a == null) return;
        boolean check = a.literal() != null ? (b & 0xff) == a.literal().charAt(a.literal().length() - 1) : b == '\n';
        if (check && consoleMatch(a) != null) cpu.requestStop();
    }

    /** A step that did not pass. */
    private static final class StepFailed extends Exception {
        final String expected, found;

        StepFailed(String expected, String found) {
            super(expected, null, false, false);
            this.expected = expected;
            this.found = found;
        }
    }

    public ScenarioResult play(Scenario scenario, String file) {
        long wallStart = System.nanoTime(), cycleStart = cpu.cycles();
        List<SectionResult> results = new ArrayList<>();
        boolean failed = false;
        for (Section section : scenario.sections()) {
            if (failed) {
                results.add(new SectionResult(section.name(), Status.SKIPPED, null, 0, 0, List.of()));
                continue;
            }
            long w0 = System.nanoTime(), c0 = cpu.cycles();
            int a0 = artifacts.size();
            if (section.at() != null) log.println("[script] section \"" + section.name() + "\"");
            Failure failure = null;
            for (Step step : section.steps()) {
                log.println("[script] " + step.at() + " " + describe(step));
                try {
                    play(step);
                } catch (StepFailed e) {
                    failure = failure(step, e);
                    break;
                } catch (RuntimeException e) {
                    // a host-side bug must still give a report, with the place it happened
                    failure = failure(step, new StepFailed("the step to run", "a host error: " + e));
                    break;
                }
            }
            if (failure == null && section == scenario.sections().getLast() && inputPending && !poweredOff()) {
                // the last input reaches the guest at the instant the script reached, and the run ends
                // there: a recording's replay ends on its recorded cycle
                advance(cpu.cycles());
            }
            failed = failure != null;
            results.add(new SectionResult(section.name(), failed ? Status.FAILED : Status.PASSED, failure,
                    nanos(cpu.cycles() - c0), (System.nanoTime() - w0) / 1e9, List.copyOf(artifacts.subList(a0, artifacts.size()))));
        }
        return new ScenarioResult(scenario.name(), file, results, nanos(cpu.cycles() - cycleStart),
                (System.nanoTime() - wallStart) / 1e9, console.toString(), List.copyOf(artifacts));
    }

    private Failure failure(Step step, StepFailed e) {
        String shot = null;
        Frame f = board.currentFrame();
        if (f != null) {
            Path p = failureDir.resolve("failure-" + step.at().file().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + step.at().line() + ".png");
            shot = write(f, p, true);
        }
        return new Failure(step.at().toString(), describe(step), e.expected, e.found, shot, consoleTail());
    }

    /** The console's last lines. */
    public String consoleTail() {
        String c = console.toString();
        int at = c.length();
        for (int i = 0; i < TAIL_LINES && at > 0; i++) {
            at = c.lastIndexOf('\n', at - 2);
            if (at < 0) {
                at = 0;
                break;
            }
            at++;
        }
        return c.substring(Math.max(0, at));
    }

    private void play(Step step) throws StepFailed {
        switch (step) {
            case WaitConsole w -> waitConsole(w.pattern(), w.withinNanos());
            case WaitScreen w -> waitFor(w.withinNanos(), () -> found(w.target()).isEmpty() ? null : true,
                    () -> "\"" + w.target().text() + "\" on the screen" + area(w.target()), this::screenSummary);
            case WaitStill w -> waitStill(w);
            case WaitPixel w -> waitFor(w.withinNanos(), () -> pixel(w.x(), w.y()) == w.rgb() ? true : null,
                    () -> String.format("pixel (%d, %d) #%06x", w.x(), w.y(), w.rgb()), () -> String.format("#%06x", pixel(w.x(), w.y())));
            case Run r -> runFor(r.nanos(), "run");
            case At a -> runTo(a.nanos());
            case WaitPowerOff w -> waitFor(w.withinNanos(), () -> poweredOff() ? true : null, () -> "the guest to power the machine off",
                    () -> "it still running");
            case Move m -> move(m.x(), m.y());
            case MoveTo m -> {
                TextFinder.Match t = locate(m.target());
                move(t.centreX(), t.centreY());
            }
            case Click c -> click(c);
            case Edge e -> post(e.key() ? Target.KEYBOARD : Target.TABLET, HostInput.EV_KEY, e.code(), e.down() ? 1 : 0);
            case Drag d -> drag(d);
            case Scroll s -> post(Target.TABLET, HostInput.EV_REL, HostInput.REL_WHEEL, s.clicks());
            case Type t -> type(t.text());
            case RawInput r -> {
                Target target = r.keyboard() ? Target.KEYBOARD : Target.TABLET;
                for (RawEvent e : r.events()) board.input().post(new Event(target, e.type(), e.code(), e.value()));
                inputPending = true;
            }
            case Key k -> press(k.modifiers(), k.code());
            case ConsoleType t -> {
                for (char c : t.text().toCharArray()) uartPending.add(c & 0xff);
                feedUart();
            }
            case ExpectConsole e -> {
                if (consoleMatchFrom(e.pattern(), 0) == null) {
                    throw new StepFailed("the console to show " + e.pattern(), "the console ending\n" + consoleTail());
                }
            }
            case ExpectScreen e -> {
                List<TextFinder.Match> m = found(e.target());
                if (e.present() && m.isEmpty()) throw new StepFailed("\"" + e.target().text() + "\" on the screen" + area(e.target()), screenSummary());
                if (!e.present() && !m.isEmpty()) throw new StepFailed("no \"" + e.target().text() + "\" on the screen" + area(e.target()), "it at " + m);
            }
            case ExpectRegion e -> expectRegion(e);
            case ExpectHash e -> {
                String actual = e.screen() ? Hashes.screen(frame()) : Hashes.console(console);
                if (!actual.equals(e.sha256())) {
                    throw new StepFailed((e.screen() ? "the screen" : "the console") + " to hash to " + e.sha256(), actual
                            + (e.screen() ? " (see the failure screenshot)" : "; the console ending\n" + consoleTail()));
                }
            }
            case ExpectTime e -> {
                if (cycles(e.nanos()) != cpu.cycles()) {
                    throw new StepFailed("the virtual time to be " + e.nanos() + " ns (cycle " + cycles(e.nanos()) + ")",
                            nanos(cpu.cycles()) + " ns (cycle " + cpu.cycles() + ")");
                }
            }
            case SaveRegion s -> {
                Frame f = frame();
                if (!Regions.fits(f, s.area())) throw new StepFailed("an area inside the screen", "area " + s.area() + " on a " + f.width() + "x" + f.height() + " screen");
                if (write(Regions.crop(f, s.area()), outputDir.resolve(s.file()), false) == null) throw new StepFailed("to write " + s.file(), "an I/O error");
            }
            case Screenshot s -> {
                if (write(frame(), outputDir.resolve(s.file()), true) == null) throw new StepFailed("to write " + s.file(), "an I/O error");
            }
            case SnapshotStep s -> snapshot(s);
        }
    }

    /** A machine snapshot with where the runner stood: the console it had read and where the pointer was. */
    private record Saved(org.vitrine.emulator.snapshot.Snapshot machine, int consoleLength, int matchedUpTo, Area pointer) { }

    private final java.util.Map<String, Saved> snapshots = new java.util.HashMap<>();

    /**
     * {@code snapshot save NAME} keeps the whole machine (BoardSnapshot) and the runner's console
     * position; {@code snapshot restore NAME} puts both back, so the console reads as it did then and
     * the run goes on from that instant (the guest is deterministic: it replays exactly).
     */
    private void snapshot(SnapshotStep s) throws StepFailed {
        if (s.save()) {
            try {
                snapshots.put(s.name(), new Saved(org.vitrine.devices.board.BoardSnapshot.take(board, "running"), console.length(),
                        matchedUpTo, pointer));
            } catch (RuntimeException e) {
                throw new StepFailed("to save the machine as " + s.name(), e.getMessage());
            }
            return;
        }
        Saved saved = snapshots.get(s.name());
        if (saved == null) throw new StepFailed("a snapshot saved as " + s.name(), "none" + (snapshots.isEmpty() ? "" : " (saved: " + String.join(", ", snapshots.keySet()) + ")"));
        try {
            org.vitrine.devices.board.BoardSnapshot.restore(board, saved.machine());
        } catch (org.vitrine.emulator.snapshot.SnapshotException e) {
            throw new StepFailed("to restore " + s.name(), e.getMessage());
        }
        console.setLength(saved.consoleLength());
        matchedUpTo = saved.matchedUpTo();
        pointer = saved.pointer();
        uartPending.clear();
        searched = null;
    }

    private static String area(TextTarget t) {
        return t.area() == null ? "" : " in " + t.area();
    }

    // ---- virtual time ------------------------------------------------------------------------

    private long cycles(long nanos) {
        return Ratio.scaleUp(nanos, cps, 1_000_000_000L);
    }

    private long nanos(long cycles) {
        return Ratio.scaleUp(cycles, 1_000_000_000L, cps);
    }

    /** Records the run as an animated PNG, {@code fps} frames a second of virtual time, from now on. */
    public void recordVideo(ApngWriter writer, int fps) {
        video = writer;
        frameMs = 1000 / fps;
        frameCycles = cycles(1_000_000_000L / fps);
        nextFrame = cpu.cycles();
    }

    /** Runs the machine to {@code until}, stopping at every video frame's time to take it. Input posted before reaches the guest first. */
    private Cpu.Exit advance(long until) {
        inputPending = false;
        lastExit = advanceVideo(until);
        return lastExit;
    }

    private Cpu.Exit advanceVideo(long until) {
        if (video == null) return cpu.run(until);
        while (true) {
            Cpu.Exit e = cpu.run(Math.min(until, Math.max(nextFrame, cpu.cycles() + 1)));
            while (cpu.cycles() >= nextFrame) {
                videoFrame();
                nextFrame += frameCycles;
            }
            if (e.kind() != Cpu.ExitKind.TIME_LIMIT || cpu.cycles() >= until) return e;
        }
    }

    private boolean poweredOff() {
        return lastExit != null && lastExit.kind() == Cpu.ExitKind.POWER_OFF;
    }

    /**
     * {@code at}: runs to exactly that virtual time. The machine stops only between translated
     * blocks, so a time that is no block boundary of this run is overshot: the step then fails,
     * since the input a recording stamped there would reach the guest at another cycle than it did.
     */
    private void runTo(long nanos) throws StepFailed {
        long target = cycles(nanos);
        if (cpu.cycles() > target) {
            throw new StepFailed("the machine not yet past " + nanos + " ns", "it is at " + nanos(cpu.cycles()) + " ns (cycle " + cpu.cycles() + ")");
        }
        runUntil(target, "at");
        if (cpu.cycles() != target) {
            throw new StepFailed("to stop at exactly cycle " + target, "the machine's next stop was cycle " + cpu.cycles()
                    + " (a recording made with another kernel, disk or build?)");
        }
    }

    private void videoFrame() {
        Frame f = board.currentFrame();
        if (f == null || f.width() != video.width() || f.height() != video.height()) return;
        try {
            video.frame(Screenshots.composeCursor(f), frameMs);
        } catch (IOException e) {
            log.println("[script] the video stops: " + e.getMessage());
            video = null;
        }
    }

    private void runFor(long nanos, String what) throws StepFailed {
        runUntil(cpu.cycles() + cycles(nanos), what);
    }

    private void runUntil(long until, String what) throws StepFailed {
        while (cpu.cycles() < until) {
            Cpu.Exit exit = advance(until);
            if (exit.kind() != Cpu.ExitKind.TIME_LIMIT && exit.kind() != Cpu.ExitKind.STOPPED) {
                throw new StepFailed("the machine to keep running during " + what, "it stopped: " + exit.message());
            }
        }
    }

    /**
     * Runs slice by slice until {@code done} gives a value or {@code within} of virtual time has
     * passed; {@code expected} and {@code found} describe a timeout.
     */
    private <T> T waitFor(long within, Supplier<T> done, Supplier<String> expected, Supplier<String> found) throws StepFailed {
        long deadline = cpu.cycles() + cycles(within);
        while (true) {
            T v = done.get();
            if (v != null) return v;
            if (cpu.cycles() >= deadline) {
                throw new StepFailed(expected.get() + " within " + within / 1_000_000 + " ms (virtual)", found.get());
            }
            Cpu.Exit exit = advance(Math.min(deadline, cpu.cycles() + cycles(SLICE_NANOS)));
            if (exit.kind() != Cpu.ExitKind.TIME_LIMIT && exit.kind() != Cpu.ExitKind.STOPPED) {
                v = done.get();
                if (v != null) return v;
                throw new StepFailed(expected.get(), "the machine stopped first (" + exit.message() + ")");
            }
        }
    }

    private void waitConsole(ConsolePattern p, long within) throws StepFailed {
        awaited = p;
        try {
            int[] at = waitFor(within, () -> consoleMatch(p), () -> "the console to show " + p,
                    () -> "the console ending\n" + consoleTail());
            matchedUpTo = at[1];
        } finally {
            awaited = null;
        }
    }

    /** Start and end of the first match after the previous console wait, or null. */
    private int[] consoleMatch(ConsolePattern p) {
        return consoleMatchFrom(p, matchedUpTo);
    }

    private int[] consoleMatchFrom(ConsolePattern p, int from) {
        if (p.literal() != null) {
            int at = console.indexOf(p.literal(), from);
            return at < 0 ? null : new int[] {at, at + p.literal().length()};
        }
        Matcher m = p.regex().matcher(console);
        m.region(from, console.length());
        return m.find() ? new int[] {m.start(), m.end()} : null;
    }

    private void waitStill(WaitStill w) throws StepFailed {
        long[] changedAt = {cpu.cycles()};
        Frame[] last = {board.currentFrame()};
        long quiet = cycles(w.quietNanos());
        waitFor(w.withinNanos(), () -> {
            Frame f = board.currentFrame();
            if (f != last[0]) {
                if (f == null || last[0] == null || !Screenshots.sameRgb(f, last[0])) changedAt[0] = cpu.cycles();
                last[0] = f;
            }
            return cpu.cycles() - changedAt[0] >= quiet ? true : null;
        }, () -> "the screen to stay unchanged for " + w.quietNanos() / 1_000_000 + " ms", () -> "it kept changing");
    }

    // ---- the screen --------------------------------------------------------------------------

    private Frame frame() throws StepFailed {
        if (!board.hasDisplay()) throw new StepFailed("a display", "a machine without one");
        Frame f = board.currentFrame();
        if (f == null) throw new StepFailed("a picture on the display", "nothing shown yet");
        return f;
    }

    private int pixel(int x, int y) {
        Frame f = board.currentFrame();
        if (f == null || x >= f.width() || y >= f.height()) return -1;
        return TextFinder.rgb(f.rgba()[y * f.width() + x]);
    }

    /** The matches of a text on the current screen (searched again only when the screen changed). */
    private List<TextFinder.Match> found(TextTarget t) {
        Frame f = board.currentFrame();
        if (f == null) return List.of();
        if (f != searched || !t.equals(searchedFor)) {
            searchedFound = finder.find(f.rgba(), f.width(), f.height(), t.text(), t.area(), pointer);
            searched = f;
            searchedFor = t;
        }
        return searchedFound;
    }

    private String screenSummary() {
        Frame f = board.currentFrame();
        return f == null ? "an empty display" : "not on the " + f.width() + "x" + f.height() + " screen (see the failure screenshot)";
    }

    /** Waits for the text, then picks the match the target names. */
    private TextFinder.Match locate(TextTarget t) throws StepFailed {
        List<TextFinder.Match> m = waitFor(ScenarioParser.DEFAULT_WAIT, () -> found(t).isEmpty() ? null : found(t),
                () -> "\"" + t.text() + "\" on the screen" + area(t), this::screenSummary);
        if (t.nth() == 0 && m.size() > 1) {
            throw new StepFailed("one \"" + t.text() + "\" on the screen" + area(t) + " (or #N to pick one)",
                    m.size() + " of them, in reading order: " + m);
        }
        if (t.nth() > m.size()) throw new StepFailed("match #" + t.nth() + " of \"" + t.text() + "\"", "only " + m.size() + ": " + m);
        return m.get(Math.max(0, t.nth() - 1));
    }

    private void expectRegion(ExpectRegion e) throws StepFailed {
        Frame f = frame();
        if (!Regions.fits(f, e.area())) throw new StepFailed("an area inside the screen", "area " + e.area() + " on a " + f.width() + "x" + f.height() + " screen");
        Frame needle;
        try {
            needle = Screenshots.readPng(e.needle());
        } catch (IOException x) {
            throw new StepFailed("a readable needle " + e.needle(), x.getMessage());
        }
        Frame actual = Regions.crop(f, e.area());
        int diff = Regions.differences(actual, needle);
        if (diff >= 0 && diff <= e.tolerance()) return;
        String stem = e.needle().getFileName().toString().replaceFirst("\\.png$", "") + "-line" + e.at().line();
        String a = write(actual, failureDir.resolve(stem + "-actual.png"), false);
        if (diff < 0) {
            throw new StepFailed("the area to match " + e.needle() + " (" + needle.width() + "x" + needle.height() + ")",
                    "an area of " + e.area().w() + "x" + e.area().h() + "; actual area: " + a);
        }
        String d = write(Regions.diffImage(actual, needle), failureDir.resolve(stem + "-diff.png"), false);
        throw new StepFailed("the area to match " + e.needle() + " with at most " + e.tolerance() + " pixels different",
                diff + " pixels different; actual area: " + a + ", difference: " + d);
    }

    /** Writes a PNG and lists it among the artifacts; returns its path or null when it could not be written. */
    private String write(Frame f, Path file, boolean withCursor) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Screenshots.writePng(f, file, withCursor);
            artifacts.add(file.toString());
            return file.toString();
        } catch (IOException e) {
            log.println("[script] cannot write " + file + ": " + e.getMessage());
            return null;
        }
    }

    // ---- input -------------------------------------------------------------------------------

    private void move(int x, int y) throws StepFailed {
        if (!board.hasDisplay()) throw new StepFailed("a display to point at", "a machine without one");
        Frame f = board.currentFrame();
        int w = f != null ? f.width() : 1024, h = f != null ? f.height() : 768;
        if (x >= w || y >= h) throw new StepFailed("a point on the " + w + "x" + h + " display", "(" + x + ", " + y + ")");
        int ax = tablet(x, w), ay = tablet(y, h);
        pointer = new Area(x, y, POINTER_W, POINTER_H);
        searched = null;
        board.input().post(new Event(Target.TABLET, HostInput.EV_ABS, HostInput.ABS_X, ax));
        post(Target.TABLET, HostInput.EV_ABS, HostInput.ABS_Y, ay);
    }

    /** The tablet value of a pixel's centre, as the window sends it at 1:1: the guest maps back with abs * size / 32768. */
    static int tablet(int pixel, int size) {
        return (int) (((2L * pixel + 1) * 32768) / (2L * size));
    }

    private void click(Click c) throws StepFailed {
        if (c.target() != null) {
            TextFinder.Match t = locate(c.target());
            move(t.centreX(), t.centreY());
        }
        for (int i = 0; i < c.count(); i++) {
            if (i > 0) runFor(30_000_000L, "a double click");
            post(Target.TABLET, HostInput.EV_KEY, c.button(), 1);
            post(Target.TABLET, HostInput.EV_KEY, c.button(), 0);
        }
    }

    private void drag(Drag d) throws StepFailed {
        move(d.x1(), d.y1());
        post(Target.TABLET, HostInput.EV_KEY, d.button(), 1);
        runFor(20_000_000L, "a drag");
        int steps = 8;
        for (int i = 1; i <= steps; i++) {
            move(d.x1() + (d.x2() - d.x1()) * i / steps, d.y1() + (d.y2() - d.y1()) * i / steps);
            runFor(10_000_000L, "a drag");
        }
        post(Target.TABLET, HostInput.EV_KEY, d.button(), 0);
    }

    private void type(String text) throws StepFailed {
        for (int i = 0; i < text.length(); i++) {
            if (i > 0) runFor(KEY_GAP_NANOS, "typing");
            UsKeyboard.Stroke s = UsKeyboard.stroke(text.charAt(i));
            press(s.shift() ? List.of(LinuxKeyCodes.KEY_LEFTSHIFT) : List.of(), s.code());
        }
    }

    private void press(List<Integer> modifiers, int code) {
        for (int m : modifiers) post(Target.KEYBOARD, HostInput.EV_KEY, m, 1);
        post(Target.KEYBOARD, HostInput.EV_KEY, code, 1);
        post(Target.KEYBOARD, HostInput.EV_KEY, code, 0);
        for (int i = modifiers.size() - 1; i >= 0; i--) post(Target.KEYBOARD, HostInput.EV_KEY, modifiers.get(i), 0);
    }

    /** One event and its EV_SYN. */
    private void post(Target t, int type, int code, int value) {
        board.input().post(new Event(t, type, code, value));
        board.input().post(HostInput.sync(t));
        inputPending = true;
    }

    private void feedUart() {
        while (!uartPending.isEmpty() && board.uart().rxSpace() > 0) board.uart().receive(uartPending.poll());
    }

    /** A step as the progress line and the reports show it. */
    public static String describe(Step step) {
        return switch (step) {
            case WaitConsole w -> "wait-for console " + w.pattern() + " within " + w.withinNanos() / 1_000_000 + "ms";
            case WaitScreen w -> "wait-for screen " + w.target() + " within " + w.withinNanos() / 1_000_000 + "ms";
            case WaitStill w -> "wait-for still for " + w.quietNanos() / 1_000_000 + "ms within " + w.withinNanos() / 1_000_000 + "ms";
            case WaitPixel w -> String.format("wait-for pixel %d %d #%06x", w.x(), w.y(), w.rgb());
            case Run r -> "run " + r.nanos() / 1_000_000 + "ms";
            case At a -> "at " + a.nanos() + "ns";
            case WaitPowerOff w -> "wait-for power-off within " + w.withinNanos() / 1_000_000 + "ms";
            case RawInput r -> "input " + (r.keyboard() ? "keyboard " : "tablet ") + String.join(" ", r.events().stream().map(RawEvent::toString).toList());
            case ExpectHash e -> "expect " + (e.screen() ? "screen-hash " : "console-hash ") + e.sha256();
            case ExpectTime e -> "expect time " + e.nanos() + "ns";
            case Move m -> "move " + m.x() + " " + m.y();
            case MoveTo m -> "move-to " + m.target();
            case Click c -> (c.count() == 2 ? "double-click " : "click ") + buttonName(c.button()) + (c.target() != null ? " " + c.target() : "");
            case Edge e -> (e.down() ? "press " : "release ") + (e.key() ? UsKeyboard.name(e.code()) : buttonName(e.code()));
            case Drag d -> "drag " + d.x1() + " " + d.y1() + " to " + d.x2() + " " + d.y2() + " " + buttonName(d.button());
            case Scroll s -> "scroll " + s.clicks();
            case Type t -> "type \"" + t.text().replace("\n", "\\n") + "\"";
            case Key k -> "key " + String.join("+", k.modifiers().stream().map(UsKeyboard::name).toList())
                    + (k.modifiers().isEmpty() ? "" : "+") + UsKeyboard.name(k.code());
            case ConsoleType t -> "console-type \"" + t.text().replace("\n", "\\n") + "\"";
            case ExpectConsole e -> "expect console " + e.pattern();
            case ExpectScreen e -> "expect " + (e.present() ? "" : "no ") + "screen " + e.target();
            case ExpectRegion e -> "expect region " + e.area() + " matches " + e.needle().getFileName() + " tolerance " + e.tolerance();
            case SaveRegion s -> "save region " + s.area() + " " + s.file();
            case Screenshot s -> "screenshot " + s.file();
            case SnapshotStep s -> "snapshot " + (s.save() ? "save " : "restore ") + s.name();
        };
    }

    private static String buttonName(int code) {
        return switch (code) {
            case ScenarioParser.BTN_RIGHT -> "right";
            case ScenarioParser.BTN_MIDDLE -> "middle";
            default -> "left";
        };
    }

    /** The console as the guest wrote it, for callers that report it. */
    public String console() {
        return console.toString();
    }
}
