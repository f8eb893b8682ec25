package org.vitrine.emulator.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

/**
 * The process table recognised in memory laid out as rustc lays out rost's scheduler (offsets
 * taken from a dump of the real kernel: 136-byte slots, name at 0x68, pid at 0x48, space at 0x60,
 * state before the pid, CPU time after the name), and refused when nothing agrees.
 */
class ProcessTableTest {
    private static final long SCHED = 0x4012_4058L, VEC = 0x4013_3000L;

    @Test
    void readsPidNameStateAndTimeAndMarksTheCurrentProcess() {
        ByteBuffer mem = memory();
        slot(mem, 0, 1, "fsd", 3, 704_800);
        slot(mem, 2, 5, "TERMINAL", 0, 1_000);   // slot 1 empty: the first two live slots are not neighbours
        List<ProcessTable.Process> ps = table(mem).read(5);
        assertEquals(2, ps.size(), ps.toString());
        assertEquals(new ProcessTable.Process(1, "fsd", 0x4013_6000L | 2L << 48, "receiving", 704_800, false), ps.get(0));
        assertEquals(new ProcessTable.Process(5, "TERMINAL", 0x4013_6000L | 6L << 48, "ready", 1_000, true), ps.get(1));
    }

    @Test
    void saysWhyWhenTheLayoutIsNotRecognised() {
        ByteBuffer mem = memory();
        slot(mem, 0, 1, "fsd", 0, 0);
        ProcessTable t = table(mem);
        assertTrue(t.read(1).isEmpty());
        assertTrue(t.problem().contains("fewer than two processes"), t.problem());
        slot(mem, 1, 2, "wm", 0, 0);
        mem.putLong((int) (VEC - BASE) + 136 + 0x60, 0x4013_6000L | 9L << 48);   // wm's ASID no longer pid + 1
        assertTrue(t.read(1).isEmpty());
        assertTrue(t.problem().contains("no pid/address-space pair"), t.problem());
    }

    private static final long BASE = 0x4012_0000L;

    private static ByteBuffer memory() {
        ByteBuffer mem = ByteBuffer.allocate(0x40000).order(ByteOrder.LITTLE_ENDIAN);
        int s = (int) (SCHED - BASE);
        mem.putLong(s + 0x10, 32).putLong(s + 0x18, VEC).putLong(s + 0x20, 32);   // procs: cap, ptr, len
        for (int i = 2; i < 32; i++) mem.putLong((int) (VEC - BASE) + i * 136, Long.MIN_VALUE);   // None
        return mem;
    }

    private static void slot(ByteBuffer mem, int index, long pid, String name, long state, long cpuNs) {
        int at = (int) (VEC - BASE) + index * 136;
        for (int i = 0; i < 136; i++) mem.put(at + i, (byte) 0);
        mem.putLong(at + 0x38, state).putLong(at + 0x48, pid).putLong(at + 0x60, 0x4013_6000L | (pid + 1) << 48);
        byte[] n = name.getBytes();
        for (int i = 0; i < n.length; i++) mem.put(at + 0x68 + i, n[i]);
        mem.putLong(at + 0x78, cpuNs);
    }

    private static ProcessTable table(ByteBuffer mem) {
        return new ProcessTable((va, len) -> {
            int from = (int) (va - BASE);
            if (from < 0 || from >= mem.capacity()) return new byte[0];
            byte[] out = new byte[Math.min(len, mem.capacity() - from)];
            mem.get(from, out);
            return out;
        }, () -> OptionalLong.of(SCHED));
    }
}
