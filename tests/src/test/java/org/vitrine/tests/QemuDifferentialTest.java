package org.vitrine.tests;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same kernel.elf on qemu-system-aarch64 -M virt (the reference) and on Vitrine: the console
 * logs must be identical line for line, fault reports (ESR, FAR, ELR) included. Only the
 * scheduler statistics line may differ (it counts timer ticks and preemptions, which depend on
 * where each machine delivers the timer interrupt).
 */
class QemuDifferentialTest {
    static final Pattern STATS = Pattern.compile("\\[rost] stats: (\\d+) timer ticks, (\\d+) preemptions");

    @Test
    void consoleLogsMatchQemuLineForLine() throws Exception {
        String qemu = Qemu.run(Guest.kernel(), List.of(), 120);
        Guest.Run vitrine = Guest.vitrine(Guest.kernel(), 60_000_000_000L);
        List<String> q = Guest.comparable(qemu), v = Guest.comparable(vitrine.console());
        assertTrue(q.size() > 20, "QEMU printed a full log:\n" + qemu);
        for (int i = 0; i < Math.max(q.size(), v.size()); i++) {
            String ql = i < q.size() ? q.get(i) : "<end>", vl = i < v.size() ? v.get(i) : "<end>";
            assertEquals(ql, vl, "line " + (i + 1) + " differs\n--- QEMU ---\n" + qemu + "\n--- Vitrine ---\n" + vitrine.console());
        }
    }

    /**
     * With QEMU counting one instruction per nanosecond (-icount shift=0) and Vitrine's model of
     * one cycle per instruction at 1 GHz, guest time advances alike on both. Timer interrupts are
     * still taken at translation-block boundaries, which differ, so preemption points differ by a
     * few instructions; this records how close the two machines come (figures printed, the closing
     * note of the foundation issue discusses them) and requires the same tick count within 2%.
     */
    @Test
    void timeFollowsInstructionsLikeQemuIcount() throws Exception {
        String qemu = Qemu.run(Guest.kernel(), List.of("-icount", "shift=0,sleep=off"), 120);
        Guest.Run vitrine = Guest.vitrine(Guest.kernel(), 60_000_000_000L);
        Matcher mq = STATS.matcher(qemu), mv = STATS.matcher(vitrine.console());
        assertTrue(mq.find() && mv.find(), "both print stats");
        int qt = Integer.parseInt(mq.group(1)), vt = Integer.parseInt(mv.group(1));
        System.out.printf("icount comparison: QEMU %s | Vitrine %s%n", mq.group(), mv.group());
        assertEquals(Guest.comparable(qemu), Guest.comparable(vitrine.console()));
        assertTrue(Math.abs(qt - vt) <= Math.max(2, qt / 50), "timer ticks QEMU " + qt + " vs Vitrine " + vt);
    }
}
