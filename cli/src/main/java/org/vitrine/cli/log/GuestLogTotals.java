package org.vitrine.cli.log;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.GuestLog.Kind;

/**
 * What a command's guest logs counted, over every machine it ran (a guest reset builds a new
 * machine with a new log), by kind and by source: the end-of-run summary line and the window's
 * counter are made from it.
 *
 * <p>The machine running now is {@link #watch watched} (its counts are read live, from any thread)
 * and its counts are added to the totals when it {@link #finished}.
 */
public final class GuestLogTotals {
    /** Sources named in the summary for one kind; the rest are added up as "N others". */
    static final int SOURCES_NAMED = 4;

    private final Map<Kind, Map<String, Long>> finished = new EnumMap<>(Kind.class);
    private GuestLog live;

    /** Counts {@code log} live from now on: the machine that is running. */
    public synchronized void watch(GuestLog log) {
        live = log;
    }

    /** Adds the counts of a machine that stopped (and stops watching it, if it was watched). */
    public synchronized void finished(GuestLog log) {
        for (GuestLog.Source s : log.sources()) {
            for (Kind k : Kind.values()) {
                long n = s.count(k);
                if (n > 0) finished.computeIfAbsent(k, x -> new LinkedHashMap<>()).merge(s.name(), n, Long::sum);
            }
        }
        if (live == log) live = null;
    }

    /** Reports of one kind so far, the running machine's included. */
    public synchronized long count(Kind kind) {
        long n = live == null ? 0 : live.count(kind);
        for (long c : finished.getOrDefault(kind, Map.of()).values()) n += c;
        return n;
    }

    /**
     * The end-of-run summary, or null when the guests made no report, e.g.
     * {@code guest errors: 500002 (pl011: 400002, virtio-mmio@0x0a000000: 100000); unimplemented: 2 (pl011: 2);
     * --log unimp prints them}. Per kind, its sources by count (the largest first, at most
     * {@value #SOURCES_NAMED} named). It ends with where to see the messages: {@code --log NAMES
     * prints them} for kinds that were not logged, and {@code logged in FILE} for those that were,
     * when the log went to a file.
     *
     * @param logged  the kinds the log printed
     * @param logFile the log file's name, or null when the log went to standard error
     */
    public synchronized String summary(Set<Kind> logged, String logFile) {
        List<String> parts = new ArrayList<>();
        List<String> unlogged = new ArrayList<>();
        boolean inFile = false;
        for (Kind k : Kind.values()) {
            Map<String, Long> bySource = new LinkedHashMap<>(finished.getOrDefault(k, Map.of()));
            if (live != null) {
                for (GuestLog.Source s : live.sources()) {
                    if (s.count(k) > 0) bySource.merge(s.name(), s.count(k), Long::sum);
                }
            }
            if (bySource.isEmpty()) continue;
            parts.add(LogKinds.title(k) + ": " + total(bySource) + " (" + bySourceText(bySource) + ")");
            if (!logged.contains(k)) unlogged.add(LogKinds.optionName(k));
            else if (logFile != null) inFile = true;
        }
        if (parts.isEmpty()) return null;
        if (inFile) parts.add("logged in " + logFile);
        if (!unlogged.isEmpty()) parts.add("--log " + String.join(",", unlogged) + " prints them");
        return String.join("; ", parts);
    }

    /** The window's counter: e.g. "12 guest errors, 2 unimplemented"; empty when there were none. */
    public String counter() {
        List<String> parts = new ArrayList<>();
        for (Kind k : Kind.values()) {
            long n = count(k);
            if (n > 0) parts.add(n + " " + LogKinds.counted(k, n));
        }
        return String.join(", ", parts);
    }

    private static long total(Map<String, Long> bySource) {
        long n = 0;
        for (long c : bySource.values()) n += c;
        return n;
    }

    private static String bySourceText(Map<String, Long> bySource) {
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(bySource.entrySet());
        sorted.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));   // stable: ties keep first-seen order
        List<String> named = new ArrayList<>();
        long others = 0;
        for (int i = 0; i < sorted.size(); i++) {
            if (i < SOURCES_NAMED || sorted.size() == SOURCES_NAMED + 1) {
                named.add(sorted.get(i).getKey() + ": " + sorted.get(i).getValue());
            } else {
                others += sorted.get(i).getValue();
            }
        }
        if (others > 0) named.add((sorted.size() - SOURCES_NAMED) + " others: " + others);
        return String.join(", ", named);
    }
}
