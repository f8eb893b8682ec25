package org.vitrine.emulator.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vitrine.emulator.testutil.GuestAsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link AccessAddress} on instructions assembled by GNU as, one or more per class of the A64
 * "Loads and Stores" group, with registers whose values make every term of the address visible
 * (a 32-bit index with garbage above it, a negative one, SP). The expected addresses are worked
 * out by hand from the Arm ARM's pseudocode for each form.
 */
class AccessAddressTest {
    static final long BASE = 0x4000_1000L, SP = 0x4000_8000L;
    static final long X2 = 3, X3 = 0x1234_5678_ffff_fff0L, X4 = 0x4000_1234L;
    static final long CODE = 0x4008_0000L;

    static final List<String> INSNS = List.of(
            "ldr x0, [x1]", "ldrb w0, [x1, #4095]", "ldrh w0, [x1, #2]", "ldr w0, [x1, #16380]", "ldr q0, [x1, #32]",
            "str d0, [x1, #8]", "ldur x0, [x1, #-3]", "ldr w0, [x1], #16", "ldr w0, [x1, #-16]!", "ldtr x0, [x1, #8]",
            "ldr x0, [x1, x2, lsl #3]", "ldr x0, [x1, x2]", "ldr w0, [x1, w3, sxtw #2]", "ldrb w0, [x1, w3, uxtw]",
            "ldr x0, [x1, xzr]", "str x0, [sp, #8]",
            "ldp x2, x3, [x1]", "ldp w2, w3, [x1, #-8]", "ldp x2, x3, [x1], #16", "stp x29, x30, [sp, #-16]!",
            "ldp q0, q1, [x1, #32]", "ldpsw x2, x3, [x1, #4]", "stnp x2, x3, [x1, #16]",
            "ldxr x0, [x1]", "stxr w5, x0, [x1]", "ldaxp x2, x3, [x1]", "stlr w0, [x1]", "ldar x0, [sp]",
            "cas x0, x2, [x1]", "ldadd x0, x2, [x1]", "swpal w0, w2, [x1]", "ldapur x0, [x1, #-8]", "ldraa x0, [x1, #-8]",
            "ld1 {v0.16b, v1.16b}, [x1], #32", "st1 {v0.s}[1], [x1]", "ld4r {v0.4s, v1.4s, v2.4s, v3.4s}, [x1]",
            "ldr x0, literal", "ldr q0, literal", "dc zva, x4",
            "add x0, x1, x2", "b .", "mrs x0, tpidr_el0", "dc civac, x1");

    static int[] words;
    static long literal;

    @BeforeAll
    static void assemble() {
        StringBuilder src = new StringBuilder(".arch armv8.4-a\n.text\n.global _start\n_start:\n");
        for (String insn : INSNS) src.append("    ").append(insn).append('\n');
        src.append("    .balign 16\nliteral:\n    .quad 0, 0\n");
        GuestAsm.Program p = GuestAsm.assemble(src.toString(), CODE);
        ByteBuffer b = ByteBuffer.wrap(p.image()).order(ByteOrder.LITTLE_ENDIAN);
        words = new int[INSNS.size()];
        for (int i = 0; i < words.length; i++) words[i] = b.getInt(4 * i);
        literal = p.symbol("literal");
    }

    static long register(int n) {
        return switch (n) {
            case 1 -> BASE;
            case 2 -> X2;
            case 3 -> X3;
            case 4 -> X4;
            case 31 -> SP;
            default -> 0x7777_0000L + n; // registers no address should depend on
        };
    }

    static AccessAddress.Range range(String insn) {
        int i = INSNS.indexOf(insn);
        return AccessAddress.of(words[i], CODE + 4L * i, AccessAddressTest::register);
    }

    void assertRange(String insn, long va, int span) {
        assertEquals(new AccessAddress.Range(va, span), range(insn), insn);
    }

    @Test
    void singleRegisterUnsignedOffsetIsScaledByTheAccessSize() {
        assertRange("ldr x0, [x1]", BASE, 8);
        assertRange("ldrb w0, [x1, #4095]", BASE + 4095, 1);
        assertRange("ldrh w0, [x1, #2]", BASE + 2, 2);
        assertRange("ldr w0, [x1, #16380]", BASE + 16380, 4);
        assertRange("ldr q0, [x1, #32]", BASE + 32, 16);
        assertRange("str d0, [x1, #8]", BASE + 8, 8);
        assertRange("str x0, [sp, #8]", SP + 8, 8);
    }

    @Test
    void nineBitOffsetsUnscaledPreIndexedAndUnprivilegedAddTheOffsetPostIndexedDoesNot() {
        assertRange("ldur x0, [x1, #-3]", BASE - 3, 8);
        assertRange("ldr w0, [x1], #16", BASE, 4);
        assertRange("ldr w0, [x1, #-16]!", BASE - 16, 4);
        assertRange("ldtr x0, [x1, #8]", BASE + 8, 8);
    }

    @Test
    void registerOffsetsAreExtendedThenShiftedByTheAccessSize() {
        assertRange("ldr x0, [x1, x2, lsl #3]", BASE + 24, 8);
        assertRange("ldr x0, [x1, x2]", BASE + 3, 8);
        assertRange("ldr w0, [x1, w3, sxtw #2]", BASE - 64, 4);
        assertRange("ldrb w0, [x1, w3, uxtw]", BASE + 0xffff_fff0L, 1);
        assertRange("ldr x0, [x1, xzr]", BASE, 8);
    }

    @Test
    void pairsCoverBothElements() {
        assertRange("ldp x2, x3, [x1]", BASE, 16);
        assertRange("ldp w2, w3, [x1, #-8]", BASE - 8, 8);
        assertRange("ldp x2, x3, [x1], #16", BASE, 16);
        assertRange("stp x29, x30, [sp, #-16]!", SP - 16, 16);
        assertRange("ldp q0, q1, [x1, #32]", BASE + 32, 32);
        assertRange("ldpsw x2, x3, [x1, #4]", BASE + 4, 8);
        assertRange("stnp x2, x3, [x1, #16]", BASE + 16, 16);
    }

    @Test
    void exclusivesOrderedAndAtomicsUseTheBase() {
        for (String insn : List.of("ldxr x0, [x1]", "stxr w5, x0, [x1]", "ldaxp x2, x3, [x1]", "stlr w0, [x1]",
                "cas x0, x2, [x1]", "ldadd x0, x2, [x1]", "swpal w0, w2, [x1]")) {
            assertEquals(BASE, range(insn).va(), insn);
        }
        assertEquals(SP, range("ldar x0, [sp]").va());
        assertRange("ldapur x0, [x1, #-8]", BASE - 8, 8);
        assertRange("ldraa x0, [x1, #-8]", BASE - 8, 8);
    }

    @Test
    void simdStructuresUseTheBaseWithTheLargestSpan() {
        assertRange("ld1 {v0.16b, v1.16b}, [x1], #32", BASE, 64);
        assertRange("st1 {v0.s}[1], [x1]", BASE, 64);
        assertRange("ld4r {v0.4s, v1.4s, v2.4s, v3.4s}, [x1]", BASE, 64);
    }

    @Test
    void literalLoadsArePcRelative() {
        assertRange("ldr x0, literal", literal, 16);
        assertRange("ldr q0, literal", literal, 16);
    }

    @Test
    void dcZvaClearsTheAlignedBlockHoldingTheAddress() {
        assertRange("dc zva, x4", X4 & -64, 64);
    }

    @Test
    void otherInstructionsAccessNothing() {
        for (String insn : List.of("add x0, x1, x2", "b .", "mrs x0, tpidr_el0", "dc civac, x1")) {
            assertNull(range(insn), insn);
        }
    }

    @Test
    void pagesOfARangeCrossingAPageBoundary() {
        assertArrayEquals(new long[] {0x4000_1000L}, new AccessAddress.Range(0x4000_1ff0L, 16).pages());
        assertArrayEquals(new long[] {0x4000_1000L, 0x4000_2000L}, new AccessAddress.Range(0x4000_1ff8L, 16).pages());
        assertArrayEquals(new long[] {0xffff_ffff_ffff_f000L, 0}, new AccessAddress.Range(-8, 16).pages(), "wraps at the top");
    }
}
