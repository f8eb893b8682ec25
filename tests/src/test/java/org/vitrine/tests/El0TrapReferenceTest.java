package org.vitrine.tests;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.emulator.cpu.Cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13, item 3: every EL0 trap that SCTLR_EL1 (UMA, DZE, UCT, UCI, nTWI, nTWE), CNTKCTL_EL1 and
 * PMUSERENR_EL0 control, trapped and allowed (guests/el0traps.S), prints the same syndromes on
 * Vitrine as on QEMU 7.2, line for line, with one difference by design: a trapped MSR
 * DAIFSet/DAIFClr (immediate). There QEMU 7.2 writes Op1 into the ISS's Op2 field and Op2 into Op1
 * (its daif_check passes them swapped); Vitrine reports the architecture's encoding (Op1 3, Op2 6 or
 * 7). The test checks that QEMU's line is exactly that swap of Vitrine's.
 */
class El0TrapReferenceTest {
    @TempDir
    Path dir;

    @Test
    void el0TrapsMatchQemuLineForLine() throws Exception {
        Path image = GuestImage.fromResource("el0traps", dir);
        List<String> qemu = Guest.comparable(Qemu.run(image, List.of(), 60));
        Guest.Run run = Guest.vitrine(image, 1_000_000_000L);
        List<String> vitrine = Guest.comparable(run.console());
        assertEquals(Cpu.ExitKind.POWER_OFF, run.exit().kind(), run.exit().message());
        assertEquals(0, run.exit().status());
        assertTrue(vitrine.size() > 30 && vitrine.getLast().equals("done"), String.join("\n", vitrine));
        assertTrue(vitrine.contains("msr-daifset-trapped: ec=0x18 il=1 iss=0x00cd3e4 at +0"), "the architecture's syndrome: " + vitrine);
        assertTrue(vitrine.contains("wfi-trapped: ec=0x01 il=1 iss=0x1e00000 at +0"), String.join("\n", vitrine));
        assertEquals(withQemusDaifSwap(vitrine), qemu, "as QEMU prints them (but for its swapped DAIFSet/DAIFClr fields)");
    }

    /** Vitrine's lines with the MSR DAIFSet/DAIFClr syndromes written as QEMU 7.2 writes them. */
    static List<String> withQemusDaifSwap(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            int at = l.indexOf(" iss=0x");
            if (!l.startsWith("msr-daifset-trapped") && !l.startsWith("msr-daifclr-trapped") || at < 0) {
                out.add(l);
                continue;
            }
            int iss = Integer.parseInt(l.substring(at + 7, at + 14), 16);
            int op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7;
            int swapped = (iss & ~((7 << 17) | (7 << 14))) | (op1 << 17) | (op2 << 14);
            out.add(l.substring(0, at + 7) + String.format("%07x", swapped) + l.substring(at + 14));
        }
        return out;
    }
}
