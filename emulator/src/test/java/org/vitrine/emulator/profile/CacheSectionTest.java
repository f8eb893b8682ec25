package org.vitrine.emulator.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.time.CacheCounts;

/** The cache and TLB counts' arithmetic and the profile's per-process cache section. */
class CacheSectionTest {
    @Test
    void countsSubtractAddAndDeriveTheL2AndTlbAccesses() {
        CacheCounts a = new CacheCounts(100, 10, 400, 40, 5, 20, 2), b = new CacheCounts(150, 12, 1000, 90, 9, 31, 3);
        CacheCounts d = b.minus(a);
        assertEquals(new CacheCounts(50, 2, 600, 50, 4, 11, 1), d);
        assertEquals(52, d.l2Accesses());
        assertEquals(650, d.tlbAccesses());
        assertEquals(b, a.plus(d));
        // a reset model (a restored snapshot) counts from zero again instead of going negative
        assertEquals(new CacheCounts(3, 0, 7, 1, 0, 0, 0), new CacheCounts(3, 0, 7, 1, 0, 0, 0).minus(b));
        assertTrue(Double.isNaN(CacheCounts.percent(0, 0)));
        assertEquals(25.0, CacheCounts.percent(1, 4), 1e-12);
    }

    @Test
    void sectionHasARowPerProcessIdleBootAndTheirSum() {
        Profiler.Process wm = new Profiler.Process(2), fsd = new Profiler.Process(1);
        wm.program = "wm";
        fsd.program = "fsd";
        wm.caches = new CacheCounts(1000, 10, 4000, 400, 100, 50, 5);
        fsd.caches = new CacheCounts(200, 0, 0, 0, 0, 0, 0);
        CacheCounts idle = new CacheCounts(10, 1, 0, 0, 1, 0, 0), boot = new CacheCounts(0, 0, 0, 0, 0, 0, 0);
        String text = CacheSection.render(List.of(fsd, wm), idle, boot);
        String[] rows = text.split("\n");
        // the busiest first; miss rates per level: 1 % of L1I, 10 % of L1D, 100 of 410 L2 accesses, 1 % and 0.1 % of 5000 lookups
        assertTrue(rows[2].matches("\\s+2\\s+wm\\s+1,000\\s+1\\.00%\\s+4,000\\s+10\\.0%\\s+410\\s+24\\.4%\\s+5,000\\s+1\\.00%\\s+0\\.10%"), rows[2]);
        assertTrue(rows[3].matches("\\s+1\\s+fsd\\s+200\\s+0\\.00%\\s+0\\s+-\\s+0\\s+-\\s+200\\s+0\\.00%\\s+0\\.00%"), rows[3]);
        Matcher all = Pattern.compile("(?m)^\\s+all\\s+([\\d,]+)\\s+\\S+\\s+([\\d,]+)\\s+\\S+\\s+([\\d,]+)").matcher(text);
        assertTrue(all.find(), text);
        assertEquals("1,210", all.group(1));
        assertEquals("4,000", all.group(2));
        assertEquals("411", all.group(3));
        assertTrue(Pattern.compile("(?m)^\\s+idle\\s+10\\s+10\\.0%").matcher(text).find(), text);
    }
}
