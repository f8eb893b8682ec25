package org.vitrine.cli.debugview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class RegistersTest {
    @Test
    void pstateShowsLevelStackFlagsAndMasks() {
        assertEquals("EL1h  nzcv  DAIF", Registers.describePstate(0x3c5));
        assertEquals("EL0t  nzCv  ----", Registers.describePstate(0x2000_0000));
        assertEquals("EL1t  NZCV  -A-F", Registers.describePstate(0xf000_0000L | 1 << 8 | 1 << 6 | 0x4));
        assertEquals("EL2h  nZcv  D-I-", Registers.describePstate(0x4000_0000 | 1 << 9 | 1 << 7 | 0x9));
    }

    @Test
    void exceptionClassSctlrAndTcrReadAsNames() {
        assertEquals("SVC64", Registers.exceptionClass(0x15));
        assertEquals("dabt same", Registers.exceptionClass((int) (0x9600_0047L >>> 26)));
        assertEquals("other", Registers.exceptionClass(0x3f));
        assertEquals("MaCI", Registers.describeSctlr(0x30dd183dL));
        assertEquals("maci", Registers.describeSctlr(0xc50838L));
        assertEquals("T0SZ 25 T1SZ 0", Registers.describeTcr(0x1200803519L));
    }

    @Test
    void changedSinceListsExactlyTheDifferingRegisters() {
        Registers a = regs(Map.of("x0", 1L, "x1", 2L, "pc", 0x1000L));
        Registers b = regs(Map.of("x0", 1L, "x1", 3L, "pc", 0x1004L));
        assertEquals(Set.of("x1", "pc"), b.changedSince(a));
        assertEquals(Set.of(), b.changedSince(b));
        assertEquals(Set.of(), b.changedSince(null), "nothing to compare with: nothing highlighted");
    }

    @Test
    void displayOrderIsKeptAndUnknownNamesAreAnError() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("x1", 1L);
        m.put("x0", 0L);
        Registers r = new Registers(m);
        assertEquals(java.util.List.of("x1", "x0"), java.util.List.copyOf(r.values().keySet()));
        assertThrows(IllegalArgumentException.class, () -> r.get("x2"));
        assertTrue(Registers.general().containsAll(java.util.List.of("x0", "x30", "sp", "pc")));
        assertEquals(33, Registers.general().size());
    }

    private static Registers regs(Map<String, Long> m) {
        return new Registers(new java.util.TreeMap<>(m));
    }
}
