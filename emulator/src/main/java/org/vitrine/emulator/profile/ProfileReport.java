package org.vitrine.emulator.profile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.vitrine.emulator.time.CacheCounts;

/**
 * What a {@link Profiler} measured, and its three files: {@code profile.txt} (the summary a
 * person reads: processes, kernel entries, IPC latency, hottest functions), {@code
 * stacks.folded} (one stack and its samples a line, for any flame-graph tool) and {@code
 * flamegraph.svg} ({@link FlameGraphSvg}). {@code idleCaches} and {@code bootCaches} are null
 * without a timing model that has caches (then the summary has no cache section).
 */
public record ProfileReport(long cycles, long cyclesPerSecond, long intervalCycles, long samples, long idleCycles,
                            long bootCycles, List<Profiler.Process> processes, Map<String, Profiler.Calls> kernelEntries,
                            Log2Histogram ipcLatencyNs, Map<String, Long> folded, CacheCounts idleCaches, CacheCounts bootCaches) {

    public static final String SUMMARY = "profile.txt", FOLDED = "stacks.folded", FLAME_GRAPH = "flamegraph.svg";

    /** Writes the three files into {@code dir} (created if missing). */
    public void writeTo(Path dir, String title) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(SUMMARY), summary(), StandardCharsets.UTF_8);
        StringBuilder f = new StringBuilder();
        folded.forEach((stack, n) -> f.append(stack).append(' ').append(n).append('\n'));
        Files.writeString(dir.resolve(FOLDED), f, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(FLAME_GRAPH), FlameGraphSvg.render(title, folded), StandardCharsets.UTF_8);
    }

    private double micros(long c) {
        return c * 1e6 / cyclesPerSecond;
    }

    private String share(long c) {
        return cycles == 0 ? "-" : String.format("%.1f%%", 100.0 * c / cycles);
    }

    /** The text summary. */
    public String summary() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("Vitrine profile: %,d cycles (%.3f ms virtual), %,d samples every %,d cycles%n%n",
                cycles, micros(cycles) / 1000, samples, intervalCycles));
        out.append("Processes (exact, from kernel entries and returns; kernel time is charged to the process that entered it):\n");
        out.append(String.format("  %5s  %-16s %14s %14s %8s %10s %9s%n", "pid", "program", "user cycles", "kernel cycles",
                "share", "syscalls", "samples"));
        List<Profiler.Process> byTime = new ArrayList<>(processes);
        byTime.sort(Comparator.comparingLong((Profiler.Process p) -> -(p.userCycles + p.kernelCycles)));
        for (Profiler.Process p : byTime) {
            out.append(String.format("  %5d  %-16s %,14d %,14d %8s %,10d %,9d%n", p.pid, p.program(), p.userCycles,
                    p.kernelCycles, share(p.userCycles + p.kernelCycles), p.syscalls, p.samples));
        }
        out.append(String.format("  %5s  %-16s %14s %,14d %8s%n", "", "idle", "", idleCycles, share(idleCycles)));
        out.append(String.format("  %5s  %-16s %14s %,14d %8s%n%n", "", "boot", "", bootCycles, share(bootCycles)));
        if (idleCaches != null && bootCaches != null) out.append(CacheSection.render(processes, idleCaches, bootCaches)).append('\n');

        out.append("Kernel entries (exact):\n");
        out.append(String.format("  %-28s %10s %16s %12s%n", "cause", "count", "kernel cycles", "mean ns"));
        List<Map.Entry<String, Profiler.Calls>> entries = new ArrayList<>(kernelEntries.entrySet());
        entries.sort(Comparator.comparingLong((Map.Entry<String, Profiler.Calls> e) -> -e.getValue().cycles));
        for (Map.Entry<String, Profiler.Calls> e : entries) {
            Profiler.Calls c = e.getValue();
            out.append(String.format("  %-28s %,10d %,16d %,12.0f%n", e.getKey(), c.count, c.cycles,
                    c.count == 0 ? 0.0 : micros(c.cycles) * 1000 / c.count));
        }
        out.append(String.format("%nIPC latency, send_message to the receiver's return from recv_message (virtual ns): %,d messages",
                ipcLatencyNs.count()));
        if (ipcLatencyNs.count() > 0) {
            out.append(String.format(", min %,d, mean %,.0f, max %,d, median in [%,d..), p90 in [%,d..)",
                    ipcLatencyNs.min(), ipcLatencyNs.mean(), ipcLatencyNs.max(), ipcLatencyNs.quantileBucket(0.5),
                    ipcLatencyNs.quantileBucket(0.9)));
        }
        out.append('\n').append(ipcLatencyNs.render("ns")).append('\n');

        out.append("Hottest functions (sampled; self = the innermost frame, total = anywhere on the stack):\n");
        Map<String, long[]> fn = new HashMap<>();
        folded.forEach((stack, n) -> {
            String[] frames = stack.split(";");
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 1; i < frames.length; i++) {
                if (seen.add(frames[i])) fn.computeIfAbsent(frames[i], k -> new long[2])[1] += n;
            }
            if (frames.length > 1) fn.computeIfAbsent(frames[frames.length - 1], k -> new long[2])[0] += n;
        });
        List<Map.Entry<String, long[]>> hot = new ArrayList<>(fn.entrySet());
        hot.sort(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[0]).thenComparing(Map.Entry::getKey));
        out.append(String.format("  %7s %7s  %s%n", "self", "total", "function"));
        for (Map.Entry<String, long[]> e : hot.subList(0, Math.min(25, hot.size()))) {
            if (e.getValue()[0] == 0) break;
            out.append(String.format("  %6.1f%% %6.1f%%  %s%n", pct(e.getValue()[0]), pct(e.getValue()[1]), e.getKey()));
        }
        return out.toString();
    }

    private double pct(long n) {
        return samples == 0 ? 0 : 100.0 * n / samples;
    }
}
