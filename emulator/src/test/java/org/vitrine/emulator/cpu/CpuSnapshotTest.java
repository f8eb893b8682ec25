package org.vitrine.emulator.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vitrine.emulator.machine.Machine;
import org.vitrine.emulator.snapshot.Snapshot;
import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.SnapshotFile;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.time.EventQueue;
import org.vitrine.emulator.time.TimingModel;
import org.vitrine.emulator.unicorn.Arm64Reg;
import org.vitrine.emulator.unicorn.Unicorn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the CPU's snapshot section carries, proved rather than assumed: past its header (where
 * libunicorn 2.1.4 keeps a pointer and uninitialised padding, for memory snapshots only), Unicorn's
 * {@code uc_context_save} image holds no per-engine pointers (two engines set up alike give the same
 * bytes, so an image can go into another process), and every guest-observable register — general,
 * FP/SIMD, PSTATE, the stack pointers, and the EL1 system registers (MMU and translation,
 * exception, thread ID, timer control) — comes back in a fresh machine through a snapshot file,
 * with the cycle count and the generic timer's comparators. And the clock's pending events come
 * back in their order.
 */
class CpuSnapshotTest {
    private static final TimingModel TIMING = TimingModel.fixedCpi(1_000_000_000L, 1);

    private static Machine machine() {
        return new Machine(0x4000_0000L, 16L << 20, TIMING, Unicorn.CpuModel.A72, GuestLog.silent());
    }

    /** System registers set to distinct values (SCTLR with the MMU off; HCR_EL2 as the CPU needs it, IRQ line up). */
    private static final int[][] SYSREGS = ObservableRegisters.systemRegisters().values().toArray(int[][]::new);

    private static long valueOf(int i) {
        return 0x1000L * (i + 1) + 0x40;  // distinct, aligned as VBAR and the TTBRs want
    }

    @Test
    void contextImageHoldsNoPerEnginePointers() {
        try (Machine a = machine(); Machine b = machine();
             Unicorn.Context ca = a.unicorn().newContext(); Unicorn.Context cb = b.unicorn().newContext()) {
            a.reset(0x4000_1000L, 0);
            b.reset(0x4000_1000L, 0);
            ca.save();
            cb.save();
            List<Long> differ = new ArrayList<>();
            for (long off = 0; off < ca.bytes().byteSize(); off++) {
                if (ca.bytes().get(java.lang.foreign.ValueLayout.JAVA_BYTE, off) != cb.bytes().get(java.lang.foreign.ValueLayout.JAVA_BYTE, off)) {
                    differ.add(off);
                }
            }
            differ.removeIf(off -> off < CpuSnapshot.CONTEXT_HEADER);
            assertEquals(List.of(), differ, "CPU state bytes (past libunicorn's uc_context header) that differ between two engines set up alike");
        }
    }

    @Test
    void everyRegisterComesBackInAFreshMachine() throws Exception {
        Snapshot s;
        long[] expected = new long[SYSREGS.length];
        Map<String, Long> before;
        try (Machine m = machine()) {
            m.cpu().attachTimer(level -> { }, level -> { });
            m.reset(0x4000_2000L, 0);
            Unicorn uc = m.unicorn();
            for (int i = 0; i <= 30; i++) uc.reg(Arm64Reg.x(i), 0x1111_0000_0000L * (i + 1) + i);
            for (int i = 0; i < 32; i++) uc.vector(i, 0xA0A0_0000L + i, 0xB0B0_0000L + i);
            uc.reg(Arm64Reg.NZCV, 0x9000_0000L);
            uc.reg(Arm64Reg.FPCR, 0x0340_0000L);
            uc.reg(Arm64Reg.FPSR, 0x0800_0010L);
            uc.reg(Arm64Reg.SP_EL0, 0x4000_3000L);
            uc.reg(Arm64Reg.SP_EL1, 0x4000_4000L);
            for (int i = 0; i < SYSREGS.length; i++) {
                int[] r = SYSREGS[i];
                long v = i == 0 ? 0x30d0_0800L : i == SYSREGS.length - 1 ? CpuSetup.HCR_EL2_VALUE | CpuSetup.HCR_VI : valueOf(i);
                uc.sysReg(r[0], r[1], r[2], r[3], r[4], v);
                expected[i] = uc.sysReg(r[0], r[1], r[2], r[3], r[4]);  // what the CPU keeps of it (RES0 bits dropped)
            }
            m.cpu().timer().write(SysReg.CNTV_CVAL_EL0.key(), 5_000);
            m.cpu().timer().write(SysReg.CNTV_CTL_EL0.key(), 1);
            before = ObservableRegisters.read(uc);
            s = SnapshotFile.decode(SnapshotFile.encode(Snapshot.take(Map.of(), m.snapshotParts())));
        }
        try (Machine fresh = machine()) {
            fresh.cpu().attachTimer(level -> { }, level -> { });
            s.restore(fresh.snapshotParts());
            Unicorn uc = fresh.unicorn();
            for (int i = 0; i <= 30; i++) assertEquals(0x1111_0000_0000L * (i + 1) + i, uc.reg(Arm64Reg.x(i)), "x" + i);
            for (int i = 0; i < 32; i++) assertArrayEquals(new long[] {0xA0A0_0000L + i, 0xB0B0_0000L + i}, uc.vector(i), "v" + i);
            assertEquals(0x9000_0000L, uc.reg(Arm64Reg.NZCV));
            assertEquals(0x0340_0000L, uc.reg(Arm64Reg.FPCR));
            assertEquals(0x0800_0010L, uc.reg(Arm64Reg.FPSR));
            assertEquals(0x4000_3000L, uc.reg(Arm64Reg.SP_EL0));
            assertEquals(0x4000_4000L, uc.reg(Arm64Reg.SP_EL1));
            assertEquals(0x4000_2000L, uc.reg(Arm64Reg.PC));
            assertEquals(Pstate.EL1H_DAIF_MASKED | 0x9000_0000L, uc.reg(Arm64Reg.PSTATE), "PSTATE, with NZCV");
            for (int i = 0; i < SYSREGS.length; i++) {
                int[] r = SYSREGS[i];
                assertEquals(expected[i], uc.sysReg(r[0], r[1], r[2], r[3], r[4]), "system register " + java.util.Arrays.toString(r));
            }
            assertEquals(before, ObservableRegisters.read(uc), "every observable register, by name");
            assertEquals(1, fresh.cpu().timer().read(SysReg.CNTV_CTL_EL0.key()) & 1, "the virtual timer is enabled");
            assertEquals(5_000, fresh.cpu().timer().read(SysReg.CNTV_CVAL_EL0.key()));
            assertTrue(fresh.clock().nextDeadline() < Long.MAX_VALUE, "the timer's event came back");
        }
    }

    /**
     * QEMU keeps "a virtual IRQ is pending" outside the context image (interrupt_request, set from
     * HCR_EL2.VI): a restore must derive it from the restored HCR_EL2, in both directions. The guest
     * masks IRQs, the line changes after the snapshot, the snapshot is restored, and the guest
     * unmasks: it takes the IRQ exactly when the line was high in the snapshot.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theIrqLineComesBackAsItWasWhenSaved(boolean highWhenSaved) throws Exception {
        long code = 0x4000_1000L, vectors = 0x4000_2000L;
        int[] main = {0xd50342ff /* msr daifclr, #2 */, 0xd28000e2 /* movz x2, #7 */, 0x14000000 /* b . */};
        int[] irqVector = {0xd2824681 /* movz x1, #0x1234 */, 0x14000000 /* b . */};
        try (Machine m = machine()) {
            m.cpu().attachTimer(level -> { }, level -> { });
            for (int i = 0; i < main.length; i++) m.ram().write32(code + 4L * i, main[i]);
            for (int i = 0; i < irqVector.length; i++) m.ram().write32(vectors + 0x280 + 4L * i, irqVector[i]);  // IRQ, current EL with SPx
            m.reset(code, 0);  // DAIF masked
            SysReg.VBAR_EL1.write(m.unicorn(), vectors);
            m.cpu().irqInput().set(highWhenSaved);
            Snapshot s = Snapshot.take(Map.of(), m.snapshotParts());
            m.cpu().irqInput().set(!highWhenSaved);  // masked: it only changes what the engine has pending
            s.restore(m.snapshotParts());
            m.run(m.cpu().cycles() + 100);
            assertEquals(highWhenSaved ? 0x1234 : 0, m.unicorn().reg(Arm64Reg.x(1)), "x1: set by the IRQ vector");
            assertEquals(highWhenSaved ? 0 : 7, m.unicorn().reg(Arm64Reg.x(2)), "x2: set after unmasking when no IRQ comes");
        }
    }

    @Test
    void pendingEventsComeBackInTheirOrder() throws Exception {
        EventQueue a = new EventQueue(1000);
        for (String id : List.of("x", "y", "z")) a.declare(id);
        a.schedule(50, "y", () -> { });
        a.schedule(50, "x", () -> { });
        a.schedule(20, "z", () -> { });
        Snapshot s = Snapshot.take(Map.of(), List.of(a));

        EventQueue b = new EventQueue(1000);
        for (String id : List.of("x", "y", "z")) b.declare(id);
        s.restore(List.of(b));
        List<String> ran = new ArrayList<>();
        for (String id : List.of("x", "y", "z")) assertTrue(b.reclaim(id, () -> ran.add(id)) != null, id);
        b.advanceTo(100);
        b.runDue();
        assertEquals(List.of("z", "y", "x"), ran, "same cycles, same order as before the snapshot");

        EventQueue c = new EventQueue(1000);
        c.declare("x");
        SnapshotException e = assertThrows(SnapshotException.class, () -> s.restore(List.of(c)));
        assertTrue(e.getMessage().contains("pending events") || e.getMessage().contains("no owner"), e.getMessage());

        EventQueue plain = new EventQueue(1000);
        plain.schedule(10, () -> { });
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> Snapshot.take(Map.of(), List.of(plain)));
        assertTrue(refused.getMessage().contains("without an identity"), refused.getMessage());
    }
}
