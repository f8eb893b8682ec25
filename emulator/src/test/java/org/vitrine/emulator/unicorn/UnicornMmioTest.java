package org.vitrine.emulator.unicorn;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.testutil.GuestAsm;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * MMIO regions ({@code uc_mmio_map}): callbacks receive the offset from their own region's base and
 * the access size, and return read data. Pins how libunicorn 2.1.1 and 2.1.4 split wide accesses, which
 * device models must cope with: an aligned 8-byte access arrives as two 4-byte callbacks (low
 * word first); a store that is not naturally aligned (e.g. an 8-byte store to a 4-aligned
 * address) as single-byte writes; a misaligned 8-byte load as reads of the enclosing words.
 */
class UnicornMmioTest {
    static final long DEV = 0x0900_0000L;

    record Call(char kind, long offset, int size, long value) { }

    /** Records every call; a read of offset o, size s returns 0xA0000000 + o * 0x100 + s. */
    static final class Recorder implements Unicorn.MmioHandler {
        final List<Call> calls = new ArrayList<>();

        @Override
        public long read(long offset, int size) {
            long v = 0xA000_0000L + offset * 0x100 + size;
            calls.add(new Call('r', offset, size, v));
            return v;
        }

        @Override
        public void write(long offset, int size, long value) {
            calls.add(new Call('w', offset, size, value));
        }
    }

    static long readValue(long offset, int size) {
        long v = 0xA000_0000L + offset * 0x100 + size;
        return size == 8 ? v : v & ((1L << (8 * size)) - 1);
    }

    @Test
    void readsOfEachSizeGetOffsetAndSize() {
        try (Unicorn uc = Guest.open()) {
            Recorder dev = new Recorder();
            uc.mapMmio(DEV, 0x1000, dev);
            GuestAsm.Program p = Guest.load(uc, """
                    ldrb w0, [x1, #0x3]
                    ldrh w2, [x1, #0x6]
                    ldr w3, [x1, #0x10]
                    ldr x4, [x1, #0x18]
                done:
                    nop
                """);
            uc.reg(Arm64Reg.x(1), DEV);
            Guest.runToDone(uc, p);
            assertEquals(List.of(
                    new Call('r', 0x3, 1, 0xA000_0301L),
                    new Call('r', 0x6, 2, 0xA000_0602L),
                    new Call('r', 0x10, 4, 0xA000_1004L),
                    new Call('r', 0x18, 4, 0xA000_1804L),
                    new Call('r', 0x1c, 4, 0xA000_1c04L)), dev.calls, "an aligned 8-byte load is two 4-byte reads");
            assertEquals(0x01, uc.reg(Arm64Reg.x(0)), "byte read truncated to its size");
            assertEquals(0x0602, uc.reg(Arm64Reg.x(2)));
            assertEquals(0xA000_1004L, uc.reg(Arm64Reg.x(3)));
            assertEquals(0xA000_1c04L << 32 | 0xA000_1804L, uc.reg(Arm64Reg.x(4)), "low word from the lower offset");
        }
    }

    @Test
    void writesOfEachSize() {
        try (Unicorn uc = Guest.open()) {
            Recorder dev = new Recorder();
            uc.mapMmio(DEV, 0x1000, dev);
            GuestAsm.Program p = Guest.load(uc, """
                    strb w4, [x1, #0x5]
                    strh w4, [x1, #0x6]
                    str w4, [x1, #0x8]
                    str x4, [x1, #0x20]
                done:
                    nop
                """);
            uc.reg(Arm64Reg.x(1), DEV);
            uc.reg(Arm64Reg.x(4), 0x1122_3344_5566_7788L);
            Guest.runToDone(uc, p);
            assertEquals(List.of(
                    new Call('w', 0x5, 1, 0x88),
                    new Call('w', 0x6, 2, 0x7788),
                    new Call('w', 0x8, 4, 0x5566_7788L),
                    new Call('w', 0x20, 4, 0x5566_7788L),
                    new Call('w', 0x24, 4, 0x1122_3344L)), dev.calls, "an aligned 8-byte store is two 4-byte writes, low word first");
        }
    }

    /**
     * Measured 2.1.1 and 2.1.4 behaviour, documented: a store that is not naturally aligned reaches the device
     * one byte at a time (even an 8-byte store that is 4-byte aligned), ascending, little-endian.
     * A misaligned 8-byte LOAD instead reads both aligned 8-byte words around it (as four 4-byte
     * reads) and extracts the bytes: the device sees reads of bytes the guest never asked for, so
     * read side effects (FIFOs, clear-on-read) can fire on neighbouring registers.
     */
    @Test
    void misalignedAccesses() {
        try (Unicorn uc = Guest.open()) {
            Recorder dev = new Recorder();
            uc.mapMmio(DEV, 0x1000, dev);
            GuestAsm.Program p = Guest.load(uc, """
                    str x4, [x1, #0x31]
                    str x4, [x1, #0x44]
                    str w4, [x1, #0x52]
                    ldr x5, [x1, #0x64]
                done:
                    nop
                """);
            uc.reg(Arm64Reg.x(1), DEV);
            uc.reg(Arm64Reg.x(4), 0x1122_3344_5566_7788L);
            Guest.runToDone(uc, p);
            for (Call c : dev.calls) System.out.println("misaligned: " + c);
            List<Call> expected = new ArrayList<>();
            for (int i = 0; i < 8; i++) expected.add(new Call('w', 0x31 + i, 1, (0x1122_3344_5566_7788L >>> (8 * i)) & 0xff));
            for (int i = 0; i < 8; i++) expected.add(new Call('w', 0x44 + i, 1, (0x1122_3344_5566_7788L >>> (8 * i)) & 0xff));
            for (int i = 0; i < 4; i++) expected.add(new Call('w', 0x52 + i, 1, (0x5566_7788L >>> (8 * i)) & 0xff));
            for (int off = 0x60; off < 0x70; off += 4) expected.add(new Call('r', off, 4, readValue(off, 4)));
            assertEquals(expected, dev.calls);
            assertEquals(readValue(0x68, 4) << 32 | readValue(0x64, 4), uc.reg(Arm64Reg.x(5)),
                    "bytes 0x64..0x6b of the two words, little-endian");
        }
    }

    @Test
    void offsetsAreRelativeToEachRegionAndItsSizeIsItsEnd() {
        try (Unicorn uc = Guest.open()) {
            Recorder a = new Recorder(), b = new Recorder();
            uc.mapMmio(DEV, 0x1000, a);
            uc.mapMmio(DEV + 0x1000, 0x2000, b);
            GuestAsm.Program p = Guest.load(uc, """
                    ldr w0, [x1, #0xffc]
                    ldr w2, [x3]
                    ldr w5, [x6]
                done:
                    nop
                """);
            uc.reg(Arm64Reg.x(1), DEV);
            uc.reg(Arm64Reg.x(3), DEV + 0x1000);
            uc.reg(Arm64Reg.x(6), DEV + 0x2ffc);
            Guest.runToDone(uc, p);
            assertEquals(List.of(new Call('r', 0xffc, 4, readValue(0xffc, 4))), a.calls);
            assertEquals(List.of(new Call('r', 0, 4, readValue(0, 4)), new Call('r', 0x1ffc, 4, readValue(0x1ffc, 4))), b.calls);
            // past the end of the second region nothing is mapped
            uc.reg(Arm64Reg.x(6), DEV + 0x3000);
            assertEquals(Unicorn.ERR_READ_UNMAPPED, uc.start(p.symbol("done") - 4, p.symbol("done"), 0, 0));
        }
    }
}
