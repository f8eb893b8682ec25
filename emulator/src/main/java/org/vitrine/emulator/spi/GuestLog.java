package org.vitrine.emulator.spi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One machine's record of what its guest did wrong (QEMU's LOG_GUEST_ERROR) and of the features
 * it used that a model declares but does not implement (LOG_UNIMP). Neither is ever fatal to the
 * host: the model answers as the hardware would and reports here.
 *
 * <p>The machine owns one log and hands it to every part that can notice a guest mistake (each
 * device, the CPU, the generic timer, the MMIO bus). Each part asks once for its {@link Source}
 * and reports through it. Every report is counted by kind and by source, whatever is printed, so
 * a run summary and a test can both ask "how many, from whom".
 *
 * <p>What happens to the text is the {@link Sink}'s business, not the caller's: the default,
 * {@link Sink#STANDARD_ERROR}, prints every message as a line on standard error prefixed with its
 * kind and source ({@code [guest-error] pl011: ...}) so it cannot be mixed up with the guest
 * console on standard output. A sink is only called for the kinds it {@link Sink#wants}, so a
 * silent log costs a counter increment. It receives the format and its arguments
 * ({@link Sink#report}) and formats them when it prints: a sink that collapses repeats (the
 * command line's) compares formats and arguments and formats once per run of repeats.
 *
 * <p>Sources report from the emulation thread; counts may be read from any thread.
 */
public final class GuestLog {
    /** What a report is about; {@link #tag()} is the prefix printed, and QEMU's {@code -d} name where one exists. */
    public enum Kind {
        /** The guest did something the hardware forbids or leaves undefined (QEMU's guest_errors). */
        GUEST_ERROR("guest-error"),
        /** The guest used something the model declares but does not implement (QEMU's unimp). */
        UNIMPLEMENTED("unimplemented");

        private final String tag;

        Kind(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    /** Where the text of reports goes. Counting does not depend on it. */
    @FunctionalInterface
    public interface Sink {
        /** Prints each message as one prefixed line on standard error (the default). */
        Sink STANDARD_ERROR = (kind, source, text) -> System.err.println("[" + kind.tag() + "] " + source + ": " + text);

        /** Prints nothing: only the counts remain (tests, and runs that only want a summary). */
        Sink NONE = new Sink() {
            @Override
            public void message(Kind kind, String source, String text) { }

            @Override
            public boolean wants(Kind kind) {
                return false;
            }
        };

        void message(Kind kind, String source, String text);

        /**
         * One report, not yet formatted: {@code String.format(format, args)} is its text. The
         * arguments are the caller's values (numbers, strings); a sink may keep them to format
         * later. The default formats now and passes the text to {@link #message}.
         */
        default void report(Kind kind, String source, String format, Object[] args) {
            message(kind, source, String.format(format, args));
        }

        /** False when messages of this kind would be dropped: they are then not even formatted. */
        default boolean wants(Kind kind) {
            return true;
        }
    }

    private final Sink sink;
    private final Map<String, Source> sources = new LinkedHashMap<>();

    public GuestLog(Sink sink) {
        this.sink = sink;
    }

    /** A log that prints every report on standard error, as Vitrine always has. */
    public static GuestLog toStandardError() {
        return new GuestLog(Sink.STANDARD_ERROR);
    }

    /** A log that counts and prints nothing. */
    public static GuestLog silent() {
        return new GuestLog(Sink.NONE);
    }

    /** The reporter named {@code name} (one per name: parts that share a name share its counts). */
    public synchronized Source source(String name) {
        return sources.computeIfAbsent(name, Source::new);
    }

    /** Every source that exists, in the order they were first asked for. */
    public synchronized List<Source> sources() {
        return new ArrayList<>(sources.values());
    }

    /** Reports of every kind from every source. */
    public long count() {
        long n = 0;
        for (Source s : sources()) n += s.count();
        return n;
    }

    /** Reports of one kind from every source. */
    public long count(Kind kind) {
        long n = 0;
        for (Source s : sources()) n += s.count(kind);
        return n;
    }

    /** One part of the machine reporting into the log under its name. */
    public final class Source {
        private final String name;
        private final AtomicLongArray counts = new AtomicLongArray(Kind.values().length);

        private Source(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        /** The guest did something the hardware forbids or leaves undefined. */
        public void guestError(String format, Object... args) {
            report(Kind.GUEST_ERROR, format, args);
        }

        /** The guest used something this model declares but does not implement. */
        public void unimplemented(String format, Object... args) {
            report(Kind.UNIMPLEMENTED, format, args);
        }

        public void report(Kind kind, String format, Object... args) {
            counts.incrementAndGet(kind.ordinal());
            if (sink.wants(kind)) sink.report(kind, name, format, args);
        }

        public long count(Kind kind) {
            return counts.get(kind.ordinal());
        }

        public long count() {
            long n = 0;
            for (int i = 0; i < counts.length(); i++) n += counts.get(i);
            return n;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
