package org.vitrine.emulator.capstone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Measures decode speed with details on and prints it; there is no assertion on the speed itself
 * (it depends on the host), only that every instruction decoded.
 */
class CapstoneThroughputTest {
    /** A mix of loads/stores, ALU, branches, system and SIMD instructions. */
    private static final int[] MIX = {
        0xb8657883, 0x91004020, 0x54000001, 0xd4000001, 0xd53be040, 0xd51be321,
        0xa9bf7bfd, 0x97fffffa, 0xd65f03c0, 0x4c407800, 0x4e0c1c40, 0x1e6e1000,
        0x8b22c820, 0xd5033bbf, 0xf9400020, 0xeb02003f,
    };

    @Test
    void measureDecodeThroughput() {
        int n = 1 << 18;
        int[] words = new int[n];
        for (int i = 0; i < n; i++) words[i] = MIX[i % MIX.length];
        byte[] code = CapstoneDisassemblerTest.words(words);
        try (Disassembler dis = Disassembler.open()) {
            double bestBatch = 0, bestSingle = 0;
            for (int round = 0; round < 5; round++) { // the first rounds warm up the JIT; report the best
                long t0 = System.nanoTime();
                int decoded = dis.disassemble(code, 0x4008_0000L, n).size();
                long t1 = System.nanoTime();
                int singles = 0;
                for (int i = 0; i < n; i++) if (dis.decodeOne(words[i], 4L * i) != null) singles++;
                long t2 = System.nanoTime();
                assertEquals(n, decoded);
                assertEquals(n, singles);
                bestBatch = Math.max(bestBatch, n / ((t1 - t0) / 1e9));
                bestSingle = Math.max(bestSingle, n / ((t2 - t1) / 1e9));
            }
            System.out.printf("capstone decode (details on): disassemble %.2f M insn/s, decodeOne %.2f M insn/s%n",
                    bestBatch / 1e6, bestSingle / 1e6);
        }
    }
}
