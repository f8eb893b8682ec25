package org.vitrine.emulator.capstone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vitrine.emulator.capstone.Instruction.Condition;
import org.vitrine.emulator.capstone.Instruction.Group;
import org.vitrine.emulator.capstone.Operand.Extend;
import org.vitrine.emulator.capstone.Operand.Shift;
import org.vitrine.emulator.capstone.Operand.Type;

/** Decodes known AArch64 words (encodings from aarch64-linux-gnu-as) and checks every detail. */
class CapstoneDisassemblerTest {
    static final long BASE = 0x4008_0000L;
    static Disassembler dis;

    @BeforeAll
    static void open() {
        dis = Disassembler.open();
    }

    @AfterAll
    static void close() {
        if (dis != null) dis.close();
    }

    private static Instruction decode(int word) {
        Instruction insn = dis.decodeOne(word, BASE);
        assertNotNull(insn, () -> String.format("%08x should decode", word));
        assertEquals(BASE, insn.address());
        assertEquals(4, insn.size());
        assertEquals(word, insn.word());
        return insn;
    }

    @Test
    void loadRegisterWithShiftedIndex() {
        Instruction insn = decode(0xb8657883); // ldr w3, [x4, x5, lsl #2]
        assertEquals("ldr", insn.mnemonic());
        assertEquals("w3, [x4, x5, lsl #2]", insn.operandText());
        assertEquals(2, insn.operands().size());
        Operand dst = insn.operand(0);
        assertEquals(Type.REG, dst.type());
        assertEquals("w3", dst.reg().name());
        assertTrue(dst.isWritten());
        Operand mem = insn.operand(1);
        assertEquals(Type.MEM, mem.type());
        assertEquals("x4", mem.memBase().name());
        assertEquals("x5", mem.memIndex().name());
        assertEquals(0, mem.memDisp());
        assertEquals(Shift.LSL, mem.shift());
        assertEquals(2, mem.shiftAmount());
        assertTrue(mem.isRead());
        assertFalse(insn.writeback());
    }

    @Test
    void addImmediate() {
        Instruction insn = decode(0x91004020); // add x0, x1, #16
        assertEquals("add", insn.mnemonic());
        assertEquals("x0, x1, #0x10", insn.operandText());
        assertEquals(List.of(Type.REG, Type.REG, Type.IMM), insn.operands().stream().map(Operand::type).toList());
        assertEquals("x0", insn.operand(0).reg().name());
        assertEquals("x1", insn.operand(1).reg().name());
        assertEquals(16, insn.operand(2).imm());
        assertEquals(Shift.NONE, insn.operand(2).shift());
        assertFalse(insn.updatesFlags());
        assertEquals(Condition.INVALID, insn.condition());
    }

    @Test
    void conditionalBranch() {
        Instruction insn = decode(0x54000001); // b.ne . (branch to itself)
        assertEquals("b.ne", insn.mnemonic());
        assertEquals(Condition.NE, insn.condition());
        assertEquals(Type.IMM, insn.operand(0).type());
        assertEquals(BASE, insn.operand(0).imm());
        assertTrue(insn.isIn(Group.JUMP));
        assertEquals(List.of("nzcv"), insn.regsRead().stream().map(Register::name).toList());
    }

    @Test
    void supervisorCall() {
        Instruction insn = decode(0xd4000001); // svc #0
        assertEquals("svc", insn.mnemonic());
        assertEquals("#0", insn.operandText());
        assertEquals(Type.IMM, insn.operand(0).type());
        assertEquals(0, insn.operand(0).imm());
        assertTrue(insn.isIn(Group.INT));
    }

    @Test
    void readVirtualCounter() {
        Instruction insn = decode(0xd53be040); // mrs x0, cntvct_el0
        assertEquals("mrs", insn.mnemonic());
        assertEquals("x0, cntvct_el0", insn.operandText());
        assertEquals("x0", insn.operand(0).reg().name());
        assertEquals(Type.REG_MRS, insn.operand(1).type());
        assertEquals(0xdf02, insn.operand(1).imm()); // ARM64_SYSREG_CNTVCT_EL0
    }

    @Test
    void writeVirtualTimerControl() {
        Instruction insn = decode(0xd51be321); // msr cntv_ctl_el0, x1
        assertEquals("msr", insn.mnemonic());
        assertEquals("cntv_ctl_el0, x1", insn.operandText());
        assertEquals(Type.REG_MSR, insn.operand(0).type());
        assertEquals(0xdf19, insn.operand(0).imm()); // 11 011 1110 0011 001
        assertEquals("x1", insn.operand(1).reg().name());
    }

    @Test
    void storePairPreIndexWritesBack() {
        Instruction insn = decode(0xa9bf7bfd); // stp x29, x30, [sp, #-16]!
        assertEquals("stp", insn.mnemonic());
        assertEquals("x29, x30, [sp, #-0x10]!", insn.operandText());
        assertTrue(insn.writeback());
        assertEquals(3, insn.operands().size());
        assertEquals("x29", insn.operand(0).reg().name());
        assertEquals("x30", insn.operand(1).reg().name());
        // The third operand would be read wrongly if cs_arm64_op lacked its trailing access byte.
        Operand mem = insn.operand(2);
        assertEquals(Type.MEM, mem.type());
        assertEquals("sp", mem.memBase().name());
        assertTrue(mem.memIndex().isNone());
        assertEquals(-16, mem.memDisp());
    }

    @Test
    void branchWithLinkWritesLinkRegister() {
        Instruction insn = dis.decodeOne(0x97fffffa, BASE + 0x20); // bl BASE+8
        assertNotNull(insn);
        assertEquals("bl", insn.mnemonic());
        assertEquals(BASE + 8, insn.operand(0).imm());
        assertTrue(insn.regsWritten().stream().anyMatch(r -> r.name().equals("x30")), insn.regsWritten()::toString);
    }

    @Test
    void vectorLaneAndExtendedRegister() {
        Instruction mov = decode(0x4e0c1c40); // mov v0.s[1], w2
        assertEquals("v0", mov.operand(0).reg().name());
        assertEquals(1, mov.operand(0).vectorIndex());
        assertEquals(3, mov.operand(0).vess()); // ARM64_VESS_S
        Instruction add = decode(0x8b22c820); // add x0, x1, w2, sxtw #2
        Operand ext = add.operand(2);
        assertEquals("w2", ext.reg().name());
        assertEquals(Extend.SXTW, ext.extend());
        assertEquals(Shift.LSL, ext.shift());
        assertEquals(2, ext.shiftAmount());
        Instruction fmov = decode(0x1e6e1000); // fmov d0, #1.0
        assertEquals(Type.FP, fmov.operand(1).type());
        assertEquals(1.0, fmov.operand(1).fp());
    }

    @Test
    void invalidWordsDecodeToNothing() {
        assertNull(dis.decodeOne(0x00000000, BASE)); // udf #0 is unknown to Capstone 4
        assertNull(dis.decodeOne(0xffffffff, BASE));
        assertNull(dis.decodeOne(0xb8200041, BASE)); // ldadd: LSE, beyond Capstone 4
        assertNotNull(dis.decodeOne(0xd503201f, BASE)); // and the engine still works afterwards: nop
    }

    @Test
    void disassembleStopsAtEndAndAtInvalidWords() {
        byte[] code = words(0x91004020, 0xd4000001, 0xffffffff, 0x91004020);
        List<Instruction> list = dis.disassemble(code, 0x1000, 10);
        assertEquals(2, list.size());
        assertEquals(0x1000, list.get(0).address());
        assertEquals(0x1004, list.get(1).address());
        assertEquals(1, dis.disassemble(code, 0x1000, 1).size());
        assertEquals(0, dis.disassemble(new byte[0], 0, 10).size());
        assertEquals(0, dis.disassemble(new byte[3], 0, 10).size()); // a partial word is not an instruction
        assertThrows(IllegalArgumentException.class, () -> dis.disassemble(code, 0, -1));
    }

    @Test
    void disassembleGrowsItsBuffer() {
        int n = 10_000; // 40 KB, more than the initial native buffer
        int[] w = new int[n];
        for (int i = 0; i < n; i++) w[i] = 0xd503201f;
        List<Instruction> list = dis.disassemble(words(w), 0, n);
        assertEquals(n, list.size());
        assertEquals(4L * (n - 1), list.get(n - 1).address());
        assertEquals("nop", list.get(n - 1).mnemonic());
    }

    /**
     * A long stream of the words the tests above check one by one (loads and stores, ALU, branches,
     * system, SIMD, FP) decodes completely, and a batch gives exactly what decoding word by word
     * gives. (Decode speed over a similar mix is a figure {@code vitrine bench} prints.)
     */
    @Test
    void batchAndWordByWordDecodingAgreeOnAMixedStream() {
        int[] mix = {
            0xb8657883, 0x91004020, 0x54000001, 0xd4000001, 0xd53be040, 0xd51be321, 0xa9bf7bfd,
            0x97fffffa, 0x4e0c1c40, 0x8b22c820, 0x1e6e1000, 0xd503201f,
        };
        int n = mix.length * 1024;
        int[] w = new int[n];
        for (int i = 0; i < n; i++) w[i] = mix[i % mix.length];
        List<Instruction> batch = dis.disassemble(words(w), BASE, n);
        assertEquals(n, batch.size());
        for (int i = 0; i < n; i++) {
            Instruction one = dis.decodeOne(w[i], BASE + 4L * i);
            assertNotNull(one, "word " + i);
            assertEquals(one, batch.get(i), "word " + i);
        }
    }

    @Test
    void closedDisassemblerRefusesWork() {
        Disassembler d = Disassembler.open();
        d.close();
        d.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> d.decodeOne(0xd503201f, 0));
    }

    @Test
    void missingLibrarySaysWhatToInstall() {
        CapstoneException e = assertThrows(CapstoneException.class, () -> CapstoneNative.lookup(
                null, "libcapstone-missing.so.9", java.nio.file.Path.of("/nonexistent/libcapstone.so.4")));
        assertTrue(e.getMessage().contains("apt-get install libcapstone4"), e.getMessage());
        e = assertThrows(CapstoneException.class, () -> CapstoneNative.lookup("/nonexistent/libcs.so", null, null));
        assertTrue(e.getMessage().contains("vitrine.capstone.lib=/nonexistent/libcs.so"), e.getMessage());
    }

    static byte[] words(int... words) {
        ByteBuffer b = ByteBuffer.allocate(words.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) b.putInt(w);
        return b.array();
    }
}
