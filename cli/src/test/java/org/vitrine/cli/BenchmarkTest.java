package org.vitrine.cli;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.capstone.Disassembler;
import org.vitrine.emulator.capstone.Instruction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The benchmarks' inputs are the programs their documentation says (checked with the disassembler). */
class BenchmarkTest {
    /** Capstone's text for each word, decoded at consecutive addresses from {@code address}. */
    static List<String> disassembly(int[] words, long address) {
        try (Disassembler dis = Disassembler.open()) {
            List<String> text = new ArrayList<>();
            for (int i = 0; i < words.length; i++) {
                int word = words[i];
                Instruction insn = dis.decodeOne(word, address + 4L * i);
                assertNotNull(insn, () -> String.format("0x%08x should decode", word));
                text.add((insn.mnemonic() + " " + insn.operandText()).trim());
            }
            return text;
        }
    }

    @Test
    void loopProgramIsTheDocumentedLoop() {
        int[] code = Benchmark.loopProgram();
        long entry = Benchmark.LOAD + Benchmark.HEADERS;
        long literals = entry + 4L * code.length;
        assertEquals(List.of(
                String.format("ldr x0, #0x%x", literals),        // n
                "movz x1, #0",                                    // Capstone 4 names mov's encoding
                "add x1, x1, x0",
                "eor x2, x2, x1",
                "subs x0, x0, #1",
                String.format("b.ne #0x%x", entry + 8),           // back to add
                String.format("ldr x0, #0x%x", literals + 8),    // the PSCI function id
                "movz x1, #0",
                "hvc #0",
                String.format("b #0x%x", entry + 4L * (code.length - 1))), disassembly(code, entry));
    }

    @Test
    void decodeMixIsTheDocumentedMix() {
        List<String> mnemonics = disassembly(DecodeBenchmark.MIX, 0x4008_0000L).stream().map(t -> t.split(" ")[0]).toList();
        assertEquals(List.of("ldr", "add", "b.ne", "svc", "mrs", "msr", "stp", "bl", "ret", "ld1", "ins", "fmov", "add",
                "dmb", "ldr", "cmp"), mnemonics);
    }
}
