package org.vitrine.tests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The lines a child process (vitrine, QEMU) writes to a stream, collected by a reader thread as
 * they arrive, so a test can wait for a line while the process keeps running.
 */
final class ConsoleLines {
    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    private ConsoleLines() { }

    /** Starts reading {@code in} (UTF-8; "\r\n" and "\n" end lines) on a daemon thread. */
    static ConsoleLines follow(InputStream in, String name) {
        ConsoleLines c = new ConsoleLines();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) c.add(l);
            } catch (IOException ignored) {
                // the process went away
            } finally {
                c.end();
            }
        }, "console-" + name);
        t.setDaemon(true);
        t.start();
        return c;
    }

    private synchronized void add(String l) {
        lines.add(l);
        notifyAll();
    }

    private synchronized void end() {
        ended = true;
        notifyAll();
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    synchronized int size() {
        return lines.size();
    }

    synchronized String text() {
        return String.join("\n", lines) + (lines.isEmpty() ? "" : "\n");
    }

    /** Waits for the stream to end (the process exited and the reader drained it). */
    synchronized void awaitEnd(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!ended) {
            long left = end - System.nanoTime();
            if (left <= 0) throw new AssertionError("stream did not end within " + timeout);
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** The first line at index {@code from} or later that matches; fails after {@code timeout}. */
    synchronized String await(Predicate<String> match, int from, Duration timeout) throws InterruptedException {
        return lines.get(awaitIndex(match, from, timeout));
    }

    /** Index of the first line at {@code from} or later that matches; fails after {@code timeout}. */
    synchronized int awaitIndex(Predicate<String> match, int from, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        for (int i = from; ; ) {
            for (; i < lines.size(); i++) if (match.test(lines.get(i))) return i;
            long left = end - System.nanoTime();
            if (left <= 0 || ended) {
                throw new AssertionError("no matching line within " + timeout + (ended ? " (stream ended)" : "")
                        + "; lines from " + from + ":\n" + String.join("\n", lines.subList(Math.min(from, lines.size()), lines.size())));
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Waits until {@code count} lines match, counting from index {@code from}; returns them. */
    synchronized List<String> awaitCount(Predicate<String> match, int from, int count, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> got = new ArrayList<>();
            for (int i = from; i < lines.size(); i++) if (match.test(lines.get(i))) got.add(lines.get(i));
            if (got.size() >= count) return got;
            long left = end - System.nanoTime();
            if (left <= 0 || ended) {
                throw new AssertionError(got.size() + " of " + count + " expected lines within " + timeout + "; lines from " + from + ":\n"
                        + String.join("\n", lines.subList(Math.min(from, lines.size()), lines.size())));
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
