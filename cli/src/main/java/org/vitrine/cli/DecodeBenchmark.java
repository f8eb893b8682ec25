package org.vitrine.cli;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vitrine.emulator.capstone.CapstoneException;
import org.vitrine.emulator.capstone.Disassembler;

/**
 * The disassembler's speed as the debugger uses it: Capstone 4 with details on (operands,
 * registers read and written) over a mix of loads and stores, ALU, branches, system and SIMD
 * instructions, decoded in one batch and one word at a time. The best of five rounds is reported
 * (the first ones warm up the JIT). A speed depends on the host and its load, so it is a figure for
 * {@code vitrine bench} to print, not something a unit test can assert.
 */
final class DecodeBenchmark {
    /** ldr, add, b.ne, svc, mrs, msr, stp, bl, ret, ld1, mov to a vector lane, fmov, add (extended), dmb, ldr, cmp. */
    static final int[] MIX = {
        0xb8657883, 0x91004020, 0x54000001, 0xd4000001, 0xd53be040, 0xd51be321,
        0xa9bf7bfd, 0x97fffffa, 0xd65f03c0, 0x4c407800, 0x4e0c1c40, 0x1e6e1000,
        0x8b22c820, 0xd5033bbf, 0xf9400020, 0xeb02003f,
    };
    private static final int COUNT = 1 << 18;
    private static final int ROUNDS = 5;
    private static final long BASE = 0x4008_0000L;

    private DecodeBenchmark() { }

    static void run(PrintStream out) {
        int[] words = new int[COUNT];
        for (int i = 0; i < COUNT; i++) words[i] = MIX[i % MIX.length];
        ByteBuffer code = ByteBuffer.allocate(4 * COUNT).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) code.putInt(w);
        Disassembler dis;
        try {
            dis = Disassembler.open();
        } catch (CapstoneException e) {
            out.println("capstone: not available (" + e.getMessage() + ")");
            return;
        }
        try (dis) {
            double bestBatch = 0, bestSingle = 0;
            for (int round = 0; round < ROUNDS; round++) {
                long t0 = System.nanoTime();
                int decoded = dis.disassemble(code.array(), BASE, COUNT).size();
                long t1 = System.nanoTime();
                int singles = 0;
                for (int i = 0; i < COUNT; i++) if (dis.decodeOne(words[i], BASE + 4L * i) != null) singles++;
                long t2 = System.nanoTime();
                if (decoded != COUNT || singles != COUNT) {
                    throw new IllegalStateException("capstone decoded " + decoded + " (batch) and " + singles
                            + " (one by one) of " + COUNT + " instructions");
                }
                bestBatch = Math.max(bestBatch, COUNT / ((t1 - t0) / 1e9));
                bestSingle = Math.max(bestSingle, COUNT / ((t2 - t1) / 1e9));
            }
            out.printf("capstone decode (details on): disassemble %.2f M insn/s, decodeOne %.2f M insn/s%n",
                    bestBatch / 1e6, bestSingle / 1e6);
        }
    }
}
