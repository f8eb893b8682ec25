package org.vitrine.emulator.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** The frame-pointer unwinder on a made-up stack: records in a fake memory, functions in a fake symbol table. */
class UnwinderTest {
    /** Functions: name by start address; each is 0x100 bytes long. */
    private static final TreeMap<Long, String> FUNCTIONS = new TreeMap<>();

    static {
        FUNCTIONS.put(0x1000L, "main");
        FUNCTIONS.put(0x1100L, "outer");
        FUNCTIONS.put(0x1200L, "inner");
        FUNCTIONS.put(0x1300L, "after_noreturn_caller");
    }

    private static Unwinder.Named name(long va) {
        var e = FUNCTIONS.floorEntry(va);
        return e == null || va - e.getKey() >= 0x100 ? null : new Unwinder.Named(e.getValue(), va - e.getKey());
    }

    /** Guest memory holding frame records: {address, previous fp, return address} triples. */
    private static Unwinder.Memory records(long[]... recs) {
        TreeMap<Long, byte[]> m = new TreeMap<>();
        for (long[] r : recs) {
            m.put(r[0], ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(r[1]).putLong(r[2]).array());
        }
        return (va, length) -> {
            byte[] b = m.get(va);
            return b == null ? new byte[0] : java.util.Arrays.copyOf(b, Math.min(length, 16));
        };
    }

    private static List<String> where(List<Unwinder.Frame> frames) {
        return frames.stream().map(Unwinder.Frame::where).toList();
    }

    @Test
    void followsTheChainOfFrameRecordsUpToTheOutermostCaller() {
        // inner (pc 0x1220) called from outer (returns to 0x1140), called from main (returns to 0x1010)
        Unwinder u = new Unwinder(records(new long[] {0x8000, 0x8040, 0x1140}, new long[] {0x8040, 0, 0x1010}), UnwinderTest::name);
        List<Unwinder.Frame> f = u.walk(0x1220, 0x8000, 0x1140, 10);
        assertEquals(List.of("inner+0x20", "outer+0x40", "main+0x10"), where(f));
        assertEquals(List.of(0L, 1L, 2L), f.stream().map(x -> (long) x.level()).toList());
        assertEquals(0x1140, f.get(1).pc());
        assertEquals(0x113c, f.get(1).callSite());
    }

    @Test
    void atAFunctionsFirstInstructionsTheCallerComesFromTheLinkRegister() {
        // inner at its entry: x29 is still outer's record (returns to main), x30 returns into outer
        Unwinder u = new Unwinder(records(new long[] {0x8040, 0, 0x1010}), UnwinderTest::name);
        assertEquals(List.of("inner+0x4", "outer+0x40", "main+0x10"), where(u.walk(0x1204, 0x8040, 0x1140, 10)));
        assertEquals(List.of("inner+0x4", "main+0x10"), where(u.walk(0x1204, 0x8040, Unwinder.NO_LINK, 10)),
                "without a link register the walk shows only the chain");
        assertEquals(List.of("inner+0x8", "main+0x10"), where(u.walk(0x1208, 0x8040, 0x1140, 10)),
                "past the prologue x30 is no longer trusted");
    }

    @Test
    void aCallerIsNamedByItsCallInstructionNotTheReturnAddress() {
        // outer's last instruction (0x11fc) calls a function that never returns: the return address is the next function's start
        Unwinder u = new Unwinder(records(new long[] {0x8000, 0, 0x1200}), UnwinderTest::name);
        List<Unwinder.Frame> f = u.walk(0x1310, 0x8000, Unwinder.NO_LINK, 10);
        assertEquals("outer+0x100", f.get(1).where());
        assertEquals("outer", f.get(1).name().function());
    }

    @Test
    void endsAtALoopAnUnreadableRecordAZeroReturnOrTheLimit() {
        Unwinder.Namer n = UnwinderTest::name;
        // a record pointing at itself (or lower): one caller, then stop
        assertEquals(2, new Unwinder(records(new long[] {0x8000, 0x8000, 0x1140}), n).walk(0x1220, 0x8000, Unwinder.NO_LINK, 10).size());
        assertEquals(2, new Unwinder(records(new long[] {0x8000, 0x7000, 0x1140}, new long[] {0x7000, 0, 0x1010}), n)
                .walk(0x1220, 0x8000, Unwinder.NO_LINK, 10).size());
        // the next record is unmapped
        assertEquals(2, new Unwinder(records(new long[] {0x8000, 0x9000, 0x1140}), n).walk(0x1220, 0x8000, Unwinder.NO_LINK, 10).size());
        // a zero return address ends the chain (the outermost frame of a thread)
        assertEquals(1, new Unwinder(records(new long[] {0x8000, 0x9000, 0}), n).walk(0x1220, 0x8000, Unwinder.NO_LINK, 10).size());
        // a misaligned or null frame pointer is not followed
        assertEquals(1, new Unwinder(records(new long[] {0x8004, 0, 0x1140}), n).walk(0x1220, 0x8004, Unwinder.NO_LINK, 10).size());
        assertEquals(1, new Unwinder(records(), n).walk(0x1220, 0, Unwinder.NO_LINK, 10).size());
        // the limit
        Unwinder chain = new Unwinder(records(new long[] {0x8000, 0x8040, 0x1140}, new long[] {0x8040, 0, 0x1010}), n);
        assertEquals(2, chain.walk(0x1220, 0x8000, 0x1140, 2).size());
        assertEquals(0, chain.walk(0x1220, 0x8000, 0x1140, 0).size());
    }

    @Test
    void unknownCodeIsShownByAddressAndANamerWithoutOffsetsByName() {
        Unwinder u = new Unwinder(records(new long[] {0x8000, 0, 0x5004}), UnwinderTest::name);
        List<Unwinder.Frame> f = u.walk(0x5000, 0x8000, 0x5004, 10);
        assertEquals(List.of("0x5000", "0x5004"), where(f));
        assertNull(f.get(1).name());
        Unwinder plain = new Unwinder(records(new long[] {0x8000, 0, 0x1140}),
                va -> name(va) == null ? null : new Unwinder.Named(name(va).function(), Unwinder.Named.UNKNOWN_OFFSET));
        assertEquals(List.of("inner", "outer"), where(plain.walk(0x1200, 0x8000, 0x1140, 10)),
                "no offsets: no at-entry guess either");
    }
}
