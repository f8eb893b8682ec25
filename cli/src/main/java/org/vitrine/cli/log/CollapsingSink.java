package org.vitrine.cli.log;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.GuestLog.Kind;

/**
 * The {@code --log} sink: prints the guest log's reports of the chosen kinds as lines
 * {@code [guest-error] pl011: read of reserved offset 0x050}, and keeps a guest stuck in a bad loop
 * from turning them into millions of lines.
 *
 * <p><b>Runs.</b> A message is one kind, one source and one format; its values (address, data)
 * are the format's arguments. Consecutive reports of the same message form a run: the first is
 * printed in full, the rest are counted, and when the run ends (another message arrives, or the
 * log is {@link #flush flushed} at the end of the run) one line says how many followed:
 * <pre>
 *   [guest-error] pl011: read of reserved offset 0x050
 *   [guest-error] pl011: ... repeated 199999 times
 *   [guest-error] pl011: write of 0x0 to read-only UARTFR ignored
 *   [guest-error] pl011: ... repeated 99999 times with other values, the last: write of 0x1869f to read-only UARTFR ignored
 * </pre>
 * The same message with other values is collapsed too, because a loop walking through addresses
 * or data is one mistake, not a hundred thousand; the first and the last values it used are kept,
 * which is what one needs to tell the loop's range. Identical repeats say so ("repeated N times").
 *
 * <p><b>Bound.</b> A loop alternating between messages (a read here, a write there) makes a run
 * of one each time. So each message prints at most {@link #runsPerMessage} runs; then one line
 * says that it is counted from then on, and at the end a line per such message gives how many went
 * unprinted and the last of them. A message counted this way does not end the run in progress.
 * The log's size is thereby bounded by the number of distinct messages the models can produce,
 * whatever the guest does for however long.
 *
 * <p>Lines go to {@code out} (standard error or the {@code --log-file}); a line that cannot be
 * written there (disk full) is written to {@code fallback} instead, after a note saying so, and
 * so is every line after it: nothing is lost silently. Reports come from the emulation thread;
 * every method is synchronized so that {@link #flush} may come from another.
 */
public final class CollapsingSink implements GuestLog.Sink {
    /** Runs printed per message before it is only counted. */
    public static final int DEFAULT_RUNS_PER_MESSAGE = 100;

    /** One message: its text is {@code format} formatted with a report's arguments. */
    private record Message(Kind kind, String source, String format) { }

    /** What was printed and counted of one message. */
    private static final class Tally {
        int runs;                 // runs printed
        long unprinted;           // reports counted after the budget was spent
        Object[] lastUnprinted;
    }

    private final Set<Kind> kinds;
    private final int runsPerMessage;
    private final String outName;
    private final PrintStream fallback;
    private PrintStream out;
    private final Map<Message, Tally> tallies = new HashMap<>();
    private final Map<Message, Tally> silenced = new LinkedHashMap<>();

    // The run in progress: its message, its first and last arguments, how many followed the first.
    private Message run;
    private Object[] first, last;
    private long repeats;
    private boolean sameValues;

    /**
     * @param kinds          the kinds printed (the others are not even formatted)
     * @param out            where lines go
     * @param outName        how to name {@code out} in a note should writing fail ("log file /tmp/x")
     * @param fallback       where lines go when {@code out} fails (standard error)
     * @param runsPerMessage runs printed per message before it is only counted
     */
    public CollapsingSink(Set<Kind> kinds, PrintStream out, String outName, PrintStream fallback, int runsPerMessage) {
        if (runsPerMessage < 1) throw new IllegalArgumentException("runsPerMessage " + runsPerMessage);
        this.kinds = kinds.isEmpty() ? EnumSet.noneOf(Kind.class) : EnumSet.copyOf(kinds);
        this.out = out;
        this.outName = outName;
        this.fallback = fallback;
        this.runsPerMessage = runsPerMessage;
    }

    @Override
    public boolean wants(Kind kind) {
        return kinds.contains(kind);
    }

    /** A report whose text was formatted by its source: the text is the message (printed as it is). */
    @Override
    public void message(Kind kind, String source, String text) {
        report(kind, source, text, null);
    }

    @Override
    public synchronized void report(Kind kind, String source, String format, Object[] args) {
        if (run != null && run.kind() == kind && run.format().equals(format) && run.source().equals(source)) {
            repeats++;
            if (sameValues && !Arrays.equals(args, first)) sameValues = false;
            last = args;
            return;
        }
        Message m = new Message(kind, source, format);
        Tally t = tallies.computeIfAbsent(m, k -> new Tally());
        if (t.runs >= runsPerMessage) {
            if (t.unprinted == 0) {
                endRun();
                line(kind, source, "... printed " + runsPerMessage + " times; from now on only counted (totals at the end)");
                silenced.put(m, t);
            }
            t.unprinted++;
            t.lastUnprinted = args;
            return;
        }
        endRun();
        t.runs++;
        run = m;
        first = args;
        last = args;
        repeats = 0;
        sameValues = true;
        line(kind, source, text(format, args));
    }

    /**
     * Ends the run in progress and prints, for each message that was only counted, how many went
     * unprinted and the last of them. Called at the end of a run of the machine; the sink can be
     * used on afterwards (the next machine after a guest reset).
     */
    public synchronized void flush() {
        endRun();
        for (Map.Entry<Message, Tally> e : silenced.entrySet()) {
            Message m = e.getKey();
            Tally t = e.getValue();
            if (t.unprinted == 0) continue;
            line(m.kind(), m.source(), "... " + t.unprinted + " more not printed, the last: "
                    + text(m.format(), t.lastUnprinted));
            t.unprinted = 0;
            t.lastUnprinted = null;
        }
        silenced.clear();
        out.flush();
    }

    private void endRun() {
        if (run == null) return;
        if (repeats > 0) {
            String tail = sameValues ? "" : " with other values, the last: " + text(run.format(), last);
            line(run.kind(), run.source(), "... repeated " + repeats + (repeats == 1 ? " time" : " times") + tail);
        }
        run = null;
        first = last = null;
    }

    /** The text of a report; {@code args} null: {@code format} is already the text. */
    private static String text(String format, Object[] args) {
        return args == null ? format : String.format(format, args);
    }

    private void line(Kind kind, String source, String text) {
        String line = "[" + kind.tag() + "] " + source + ": " + text;
        out.println(line);
        if (out != fallback && out.checkError()) {
            fallback.println("vitrine: cannot write the guest log to " + outName + "; the rest of it follows here");
            out = fallback;
            out.println(line);
        }
    }
}
