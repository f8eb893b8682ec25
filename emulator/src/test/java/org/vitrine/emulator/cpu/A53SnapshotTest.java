package org.vitrine.emulator.cpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.machine.Machine;
import org.vitrine.emulator.snapshot.Snapshot;
import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.SnapshotFile;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.time.TimingModel;
import org.vitrine.emulator.unicorn.Unicorn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The a53 timing model's state in the CPU's snapshot section (NativeA53Model.save / restore,
 * src/main/c/vitrine_a53_state.c): a machine restored at any instant — inside a detailed window
 * (its data-read hook on) or between windows — into a fresh machine counts exactly the cycles,
 * instructions and model counts of the machine that ran on without stopping, and ends in the same
 * model state, byte for byte. The guest is a loop of loads striding over 1 MiB (cache and TLB
 * misses, detailed windows), a call and return, and a data-dependent branch (the predictor).
 * Sections of the other timing model, of an older layout, and damaged model states are refused
 * before anything changes.
 */
class A53SnapshotTest {
    private static final long CODE = 0x4000_1000L;
    private static final long END = 3_000_000;

    private static final int[] PROGRAM = {
        0xd2800000, // movz x0, #0
        0xd2a80203, // movz x3, #0x4010, lsl #16: the data, 1 MiB into RAM
        0xf8606861, // loop: ldr x1, [x3, x0]
        0x91082000, // add x0, x0, #0x208: a stride across lines and pages
        0x92404c00, // and x0, x0, #0xfffff
        0x8b010042, // add x2, x2, x1
        0x94000003, // bl func
        0x372fff60, // tbnz x0, #5, loop: taken or not by the index
        0x17fffffa, // b loop
        0x910004a5, // func: add x5, x5, #1
        0xd65f03c0, // ret
    };

    private static Machine machine(TimingModel timing) {
        Machine m = new Machine(0x4000_0000L, 16L << 20, timing, Unicorn.CpuModel.A72, GuestLog.silent());
        m.cpu().attachTimer(level -> { }, level -> { });
        return m;
    }

    private static Machine a53Machine() {
        Machine m = machine(TimingModel.a53(1_000_000_000L));
        try {
            for (int i = 0; i < PROGRAM.length; i++) m.ram().write32(CODE + 4L * i, PROGRAM[i]);
            for (int i = 0; i < 256; i++) m.ram().write32(0x4010_0000L + 0x1000L * i + 0x20, i);  // some odd data for x2
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        m.reset(CODE, 0);
        return m;
    }

    /** Cycles, instructions and the model's counts: what a restored run must reproduce. */
    private static List<Object> outcome(Machine m) {
        return List.of(m.cpu().cycles(), m.cpu().instructionsRetired(), m.cpu().a53().counts());
    }

    private static Snapshot throughAFile(Snapshot s) throws SnapshotException {
        return SnapshotFile.decode(SnapshotFile.encode(s));
    }

    @Test
    void aRestoredMachineCountsTheCyclesOfOneThatRanOn() throws Exception {
        List<Object> straight;
        byte[] straightState;
        List<Long> saveAt = new ArrayList<>();
        List<Snapshot> saved = new ArrayList<>();
        List<Boolean> inWindow = new ArrayList<>();
        try (Machine m = a53Machine()) {
            // Stops every ~41 k cycles: the run is split as a saving run is, so the reference is the same split run.
            for (long t = 41_003; t < END; t += 41_003) {
                m.run(t);
                saveAt.add(t);
                inWindow.add(m.cpu().a53().inWindow());
                saved.add(throughAFile(Snapshot.take(Map.of(), m.snapshotParts())));
            }
            m.run(END);
            straight = outcome(m);
            straightState = m.cpu().a53().save();
            assertTrue(m.cpu().a53().counts().windows() >= 1, "the loop had a detailed window: " + m.cpu().timingCounts());
        }
        assertTrue(inWindow.contains(true) && inWindow.contains(false), "saved inside and outside windows: " + inWindow);
        // One fresh machine per kind of instant (and the last of each), each restored and run to the end.
        for (int i : new int[] {inWindow.indexOf(true), inWindow.indexOf(false), inWindow.lastIndexOf(true), inWindow.lastIndexOf(false)}) {
            try (Machine fresh = machine(TimingModel.a53(1_000_000_000L))) {
                saved.get(i).restore(fresh.snapshotParts());
                assertEquals(inWindow.get(i), fresh.cpu().a53().inWindow(), "window mode after the restore");
                for (long t = saveAt.get(i) + 41_003; t < END; t += 41_003) fresh.run(t);
                fresh.run(END);
                assertEquals(straight, outcome(fresh), "restored at cycle " + saveAt.get(i) + (inWindow.get(i) ? " (in a window)" : ""));
                assertArrayEquals(straightState, fresh.cpu().a53().save(), "the model's whole state at the end, restored at " + saveAt.get(i));
            }
        }
    }

    @Test
    void theSameStateSavesToTheSameBytesAndOnlyTheUsedPartOfTheTable() {
        try (Machine a = a53Machine(); Machine b = a53Machine()) {
            a.run(500_000);
            b.run(500_000);
            byte[] state = a.cpu().a53().save();
            assertArrayEquals(state, b.cpu().a53().save(), "two machines in the same state");
            assertArrayEquals(state, a.cpu().a53().save(), "saved twice");
            assertTrue(state.length < 200_000, "a few blocks keep the table small: " + state.length + " bytes");
            assertNull(NativeA53Model.check(state));
        }
    }

    @Test
    void damagedModelStatesAreRefused() {
        byte[] state;
        try (Machine m = a53Machine()) {
            m.run(200_000);
            state = m.cpu().a53().save();
        }
        assertNotNull(NativeA53Model.check(Arrays.copyOf(state, state.length - 1)), "truncated");
        assertNotNull(NativeA53Model.check(Arrays.copyOf(state, state.length + 4)), "bytes past the end");
        byte[] version = state.clone();
        version[0] ^= 0x7f;
        assertTrue(NativeA53Model.check(version).contains("layout version"), NativeA53Model.check(version));
        byte[] slot = state.clone();
        // the first entry's slot, right after the entry count (the last 4 bytes before the entries)
        int entries = state.length - entryBytes(state);
        slot[entries - 1] = (byte) 0xff;
        slot[entries - 2] = (byte) 0xff;
        slot[entries - 3] = (byte) 0xff;
        slot[entries - 4] = (byte) 0xff;
        assertNotNull(NativeA53Model.check(slot), "a slot out of range");
    }

    /** Bytes of the table's entries at the end of a state: count * (4 + entry) with the entry's saved size. */
    private static int entryBytes(byte[] state) {
        int entry = 8 + 8 + 4 + 4 + 4 + 1 + 2 + 4 * 7 + 4 + 8 + 4 * 5 + 4 * 5 + 4;
        for (int count = 1; count < 65_536; count++) {
            int tail = count * (4 + entry);
            int at = state.length - tail - 4;
            if (at < 0) break;
            int n = (state[at] & 0xff) | (state[at + 1] & 0xff) << 8 | (state[at + 2] & 0xff) << 16 | (state[at + 3] & 0xff) << 24;
            if (n == count) return tail;
        }
        throw new AssertionError("no entry count found");
    }

    @Test
    void aSectionOfTheOtherTimingModelIsRefusedNamingBoth() throws Exception {
        Snapshot a53;
        Snapshot fixed;
        try (Machine m = a53Machine()) {
            m.run(100_000);
            a53 = Snapshot.take(Map.of(), m.snapshotParts());
        }
        try (Machine m = machine(TimingModel.fixedCpi(1_000_000_000L, 1))) {
            m.reset(CODE, 0);
            fixed = Snapshot.take(Map.of(), m.snapshotParts());
        }
        try (Machine m = machine(TimingModel.fixedCpi(1_000_000_000L, 1))) {
            SnapshotException e = assertThrows(SnapshotException.class, () -> a53.restore(m.snapshotParts()));
            assertTrue(e.getMessage().contains("a53 timing model") && e.getMessage().contains("fixed"), e.getMessage());
        }
        try (Machine m = a53Machine()) {
            long cycles = m.cpu().cycles();
            SnapshotException e = assertThrows(SnapshotException.class, () -> fixed.restore(m.snapshotParts()));
            assertTrue(e.getMessage().contains("fixed timing model") && e.getMessage().contains("a53"), e.getMessage());
            assertEquals(cycles, m.cpu().cycles(), "nothing changed");
        }
    }

    @Test
    void aSectionOfTheFirstLayoutIsRefusedByAnA53Machine() throws Exception {
        try (Machine m = a53Machine()) {
            m.run(100_000);
            Snapshot s = Snapshot.take(Map.of(), m.snapshotParts());
            List<Snapshot.Section> sections = new ArrayList<>();
            for (Snapshot.Section sec : s.sections()) {
                sections.add(sec.name().equals("cpu") ? new Snapshot.Section("cpu", 1, sec.body()) : sec);
            }
            Snapshot old = new Snapshot(Map.of(), sections);
            SnapshotException e = assertThrows(SnapshotException.class, () -> old.restore(m.snapshotParts()));
            assertTrue(e.getMessage().contains("no a53 timing model state"), e.getMessage());
        }
    }
}
