package org.vitrine.cli.log;

import java.io.PrintStream;
import java.util.Set;

import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.GuestLog.Kind;

/**
 * The guest log of one command, across every machine it runs (guest resets build new ones): the
 * sink each machine's {@link GuestLog} prints through, the totals behind the summary and the
 * window's counter, and the log file. Closing it flushes and closes the file.
 *
 * <pre>{@code
 * try (GuestLogSession logs = logOptions.open(System.err)) {
 *     board = new VirtBoard(options.withGuestLog(logs.sink()), ...);
 *     logs.started(board.machine().guestLog());
 *     board.run(...);
 *     logs.finished(board.machine().guestLog());   // before the run's own summary line
 *     logs.summarize(System.err);                  // at the end of the command
 * }
 * }</pre>
 */
public final class GuestLogSession implements AutoCloseable {
    private final Set<Kind> kinds;
    private final String fileName;
    private final PrintStream out;
    private final CollapsingSink sink;
    private final GuestLogTotals totals = new GuestLogTotals();

    /**
     * @param kinds    the kinds printed (none: only counted)
     * @param out      where they are printed
     * @param fileName the log file's name, or null when {@code out} is standard error
     * @param err      standard error (the fallback should the file fail)
     */
    GuestLogSession(Set<Kind> kinds, PrintStream out, String fileName, PrintStream err) {
        this.kinds = Set.copyOf(kinds);
        this.fileName = fileName;
        this.out = out;
        this.sink = kinds.isEmpty() ? null
                : new CollapsingSink(kinds, out, fileName == null ? "standard error" : "log file " + fileName, err,
                        CollapsingSink.DEFAULT_RUNS_PER_MESSAGE);
    }

    /** What every machine's log prints through. */
    public GuestLog.Sink sink() {
        return sink != null ? sink : GuestLog.Sink.NONE;
    }

    /** A machine starts: its counts show in {@link #totals} live. */
    public void started(GuestLog log) {
        totals.watch(log);
    }

    /** A machine stopped: its collapsed repeats are printed and its counts added to the totals. */
    public void finished(GuestLog log) {
        if (sink != null) sink.flush();
        totals.finished(log);
    }

    public GuestLogTotals totals() {
        return totals;
    }

    /** Prints the summary line on {@code err}, when the guests made any report. */
    public void summarize(PrintStream err) {
        String s = totals.summary(kinds, fileName);
        if (s != null) err.println("[vitrine] " + s);
    }

    @Override
    public void close() {
        if (sink != null) sink.flush();
        if (fileName != null) out.close();
    }
}
