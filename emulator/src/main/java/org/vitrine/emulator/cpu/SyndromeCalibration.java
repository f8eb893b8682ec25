package org.vitrine.emulator.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vitrine.emulator.unicorn.Arm64Reg;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * Finds where libunicorn's saved CPU context keeps QEMU's exception record (syndrome and fault
 * address), which Unicorn computes but never writes to ESR_EL1 / FAR_EL1.
 *
 * <p>The offsets depend on how the library was built, so they are measured once per process: a
 * scratch engine raises exceptions with known syndromes ({@code svc #imm}: EC 0x15, IL, imm16) and
 * a known fault address (an unaligned {@code ldxr}, which faults even with the MMU off), and the
 * saved contexts are searched for those values. Vitrine refuses to start when this fails.
 */
public final class SyndromeCalibration {
    /** Offsets into the bytes of a saved context. */
    public record Offsets(long syndrome, long faultAddress) { }

    private static volatile Offsets cached;

    private static final long CODE = 0x4000_0000L;
    private static final long UNALIGNED = CODE + 0x801;
    private static final int LDXR_X0_X1 = 0xC85F7C20;

    private SyndromeCalibration() { }

    public static Offsets offsets() {
        Offsets o = cached;
        if (o == null) {
            synchronized (SyndromeCalibration.class) {
                if (cached == null) cached = measure();
                o = cached;
            }
        }
        return o;
    }

    private static int svc(int imm) {
        return 0xD4000001 | (imm << 5);
    }

    private static Offsets measure() {
        try (Unicorn uc = Unicorn.open(Unicorn.CpuModel.A72)) {
            CpuSetup.configure(uc);
            uc.map(CODE, 0x1000, Unicorn.PROT_ALL);
            ByteBuffer code = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            code.putInt(svc(0x1234)).putInt(svc(0x2a5c)).putInt(LDXR_X0_X1).putInt(0xD503201F);
            uc.write(CODE, code.array());
            uc.reg(Arm64Reg.x(1), UNALIGNED);

            try (Unicorn.Context ctx = uc.newContext()) {
                long[] syndromeAt = new long[2];
                long[] farAt = {-1};
                int[] dataAbortSyndrome = {0};
                int[] seen = {0};
                int[] intnos = new int[3];
                uc.hookInterrupt(intno -> {
                    ctx.save();
                    MemorySegment b = ctx.bytes();
                    int n = seen[0]++;
                    if (n < 3) intnos[n] = intno;
                    if (n == 0) syndromeAt[0] = find32(b, 0x56001234, -1);
                    if (n == 1) syndromeAt[1] = find32(b, 0x56002a5c, -1);
                    if (n == 2) {
                        // Search past the syndrome: the general registers (x1 holds the same
                        // value) come earlier in the context.
                        farAt[0] = syndromeAt[0] < 0 ? -1 : find64(b, UNALIGNED, syndromeAt[0]);
                        dataAbortSyndrome[0] = syndromeAt[0] < 0 ? 0 : b.get(ValueLayout.JAVA_INT_UNALIGNED, syndromeAt[0]);
                        // a data abort leaves PC on the faulting instruction: step over it
                        uc.reg(Arm64Reg.PC, CODE + 12);
                    }
                });
                int err = uc.start(CODE, CODE + 12 + 4, 0, 0);
                if (err != 0) throw new IllegalStateException("calibration run failed: " + Unicorn.strerror(err));
                if (seen[0] < 3 || intnos[0] != 2 || intnos[2] != 4) {
                    throw new IllegalStateException("calibration: unexpected exceptions " + java.util.Arrays.toString(intnos));
                }
                if (syndromeAt[0] < 0 || syndromeAt[0] != syndromeAt[1]) {
                    throw new IllegalStateException("calibration: SVC syndrome not found in the saved context");
                }
                // EC 0x25 (data abort, same EL), IL, DFSC 0x21 (alignment fault)
                if ((dataAbortSyndrome[0] >>> 26) != 0x25 || (dataAbortSyndrome[0] & 0x3f) != 0x21) {
                    throw new IllegalStateException(String.format("calibration: data abort syndrome 0x%x is not an alignment fault", dataAbortSyndrome[0]));
                }
                if (farAt[0] < 0) throw new IllegalStateException("calibration: fault address not found in the saved context");
                return new Offsets(syndromeAt[0], farAt[0]);
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("Cannot calibrate libunicorn's exception record (" + e.getMessage()
                    + "); this libunicorn build is not usable by Vitrine. Use Debian sid's libunicorn2t64 2.1.4 "
                    + "(./scripts/setup.sh extracts it into .deps/unicorn-2.1.4).", e);
        }
    }

    private static long find32(MemorySegment b, int value, long after) {
        ValueLayout.OfInt l = ValueLayout.JAVA_INT_UNALIGNED;
        for (long off = after + 1; off + 4 <= b.byteSize(); off++) {
            if (b.get(l, off) == value) return off;
        }
        return -1;
    }

    private static long find64(MemorySegment b, long value, long after) {
        ValueLayout.OfLong l = ValueLayout.JAVA_LONG_UNALIGNED;
        for (long off = after + 4; off + 8 <= b.byteSize(); off += 4) {
            if (b.get(l, off) == value) return off;
        }
        return -1;
    }
}
