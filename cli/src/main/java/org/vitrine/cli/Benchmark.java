package org.vitrine.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;


/**
 * The CPU-bound benchmark guest ({@code vitrine bench}'s "alu" workload): a 4-instruction loop
 * (add, eor, subs, b.ne) in a minimal bare-metal ELF, built here word by word, that powers off
 * through PSCI when done.
 */
public final class Benchmark {
    static final long LOAD = 0x4008_0000L;
    static final int HEADERS = 64 + 56;

    private Benchmark() { }

    /** The loop program's instruction words (see {@code BenchmarkTest}, which checks them with the disassembler). */
    static int[] loopProgram() {
        return new int[] {
            0x58000000 | (10 << 5),      // ldr x0, n         (the literal 10 words ahead)
            0xD2800001,                  // mov x1, #0
            0x8B000021,                  // loop: add x1, x1, x0
            0xCA010042,                  //       eor x2, x2, x1
            0xF1000400,                  //       subs x0, x0, #1
            0x54000001 | ((-3 & 0x7FFFF) << 5), // b.ne loop
            0x58000000 | (6 << 5),       // ldr x0, =SYSTEM_OFF (the literal 6 words ahead)
            0xD2800001,                  // mov x1, #0
            0xD4000002,                  // hvc #0
            0x14000000,                  // b .
        };
    }

    /** A minimal ELF64 executable: one PT_LOAD (headers + code + literals) at {@link #LOAD}. */
    public static byte[] elf(long iterations) {
        int[] code = loopProgram();
        int codeOff = HEADERS;
        int litOff = codeOff + code.length * 4;   // word 10: n at +0, psci id at +8
        int size = litOff + 16;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).putLong(0);
        b.putShort((short) 2).putShort((short) 183).putInt(1);   // ET_EXEC, EM_AARCH64, EV_CURRENT
        b.putLong(LOAD + codeOff).putLong(64).putLong(0);         // entry, phoff, shoff
        b.putInt(0).putShort((short) 64).putShort((short) 56).putShort((short) 1)
                .putShort((short) 64).putShort((short) 0).putShort((short) 0);
        b.putInt(1).putInt(5).putLong(0).putLong(LOAD).putLong(LOAD)  // PT_LOAD, R+X
                .putLong(size).putLong(size).putLong(0x1000);
        for (int w : code) b.putInt(w);
        b.putLong(iterations).putLong(0x8400_0008L);
        return b.array();
    }
}
