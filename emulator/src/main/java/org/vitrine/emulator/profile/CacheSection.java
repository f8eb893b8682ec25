package org.vitrine.emulator.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.vitrine.emulator.time.CacheCounts;

/**
 * The profile summary's cache and TLB section (a run with the a53 timing model): per process,
 * then idle, boot and the whole run, the accesses and miss rates of the L1 I, L1 D, L2, the
 * micro-TLBs and the L2 TLB (whose misses are page walks). Pure formatting, host-tested.
 */
final class CacheSection {
    private CacheSection() { }

    static String render(List<Profiler.Process> processes, CacheCounts idle, CacheCounts boot) {
        StringBuilder out = new StringBuilder();
        out.append("Caches and TLBs (a53 model: I side exact, D side measured in its detailed windows and estimated between them;"
                + " charged as cycles are: a process's own code and the kernel on its behalf):\n");
        out.append(String.format("  %5s  %-16s %13s %6s %13s %6s %11s %6s %13s %6s %6s%n", "pid", "program", "L1I accesses", "miss",
                "L1D reads", "miss", "L2 accesses", "miss", "TLB lookups", "uTLB", "walks"));
        List<Profiler.Process> byTraffic = new ArrayList<>(processes);
        byTraffic.sort(Comparator.comparingLong((Profiler.Process p) -> -(p.caches.tlbAccesses())).thenComparingLong(p -> p.pid));
        CacheCounts total = idle.plus(boot);
        for (Profiler.Process p : byTraffic) {
            row(out, Long.toString(p.pid), p.program(), p.caches);
            total = total.plus(p.caches);
        }
        row(out, "", "idle", idle);
        row(out, "", "boot", boot);
        row(out, "", "all", total);
        out.append("  (miss: misses per access of that level; uTLB: micro-TLB misses per lookup; walks: L2 TLB misses per lookup)\n");
        return out.toString();
    }

    private static void row(StringBuilder out, String pid, String name, CacheCounts c) {
        out.append(String.format("  %5s  %-16s %,13d %6s %,13d %6s %,11d %6s %,13d %6s %6s%n", pid, name, c.l1iAccesses(),
                rate(c.l1iMisses(), c.l1iAccesses()), c.l1dAccesses(), rate(c.l1dMisses(), c.l1dAccesses()), c.l2Accesses(),
                rate(c.l2Misses(), c.l2Accesses()), c.tlbAccesses(), rate(c.microTlbMisses(), c.tlbAccesses()),
                rate(c.tlbMisses(), c.tlbAccesses())));
    }

    /** A miss rate as a short percentage: "-" with no access. */
    static String rate(long misses, long accesses) {
        double p = CacheCounts.percent(misses, accesses);
        if (Double.isNaN(p)) return "-";
        return p >= 10 ? String.format("%.1f%%", p) : String.format("%.2f%%", p);
    }
}
