package org.vitrine.tests;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes minimal bare-metal AArch64 ELF executables (one PT_LOAD at 0x4008_0000) from instruction words. */
final class TinyElf {
    static final long LOAD = 0x4008_0000L;

    // A few hand-encoded instructions (checked against GNU as in the emulator's tests of the same encodings).
    static final int WFI = 0xD503207F, SPIN = 0x14000000, HVC0 = 0xD4000002;
    static final int MOV_X0_PSCI_OFF_LO = 0xD2800100;      // movz x0, #0x0008
    static final int MOVK_X0_PSCI_OFF_HI = 0xF2B08000;     // movk x0, #0x8400, lsl #16

    private TinyElf() { }

    static int movX1(int imm16) {
        return 0xD2800001 | (imm16 << 5);                   // movz x1, #imm16
    }

    /** Powers off through PSCI with {@code status} in x1. */
    static int[] powerOff(int status) {
        return new int[] {MOV_X0_PSCI_OFF_LO, MOVK_X0_PSCI_OFF_HI, movX1(status), HVC0, SPIN};
    }

    static Path write(Path dir, String name, int... code) throws IOException {
        int headers = 64 + 56;
        int size = headers + code.length * 4;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).putLong(0);
        b.putShort((short) 2).putShort((short) 183).putInt(1);
        b.putLong(LOAD + headers).putLong(64).putLong(0);
        b.putInt(0).putShort((short) 64).putShort((short) 56).putShort((short) 1)
                .putShort((short) 64).putShort((short) 0).putShort((short) 0);
        b.putInt(1).putInt(5).putLong(0).putLong(LOAD).putLong(LOAD).putLong(size).putLong(size).putLong(0x1000);
        for (int w : code) b.putInt(w);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }
}
