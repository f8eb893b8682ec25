package org.vitrine.emulator.snapshot;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshot file format and the two-step restore, on the host: a snapshot comes back whole; a
 * file that is not a snapshot, of another format version, truncated anywhere, with any byte
 * flipped or with bytes after its end is refused with a message saying which; a section that does
 * not load leaves every part untouched (nothing is applied unless everything loads); sections
 * missing, extra or newer than a part reads are refused; page images keep only non-zero pages
 * and make the memory hold exactly the image.
 */
class SnapshotFileTest {
    @TempDir
    Path dir;

    /** A part holding one long; its load refuses negative values. */
    static final class Counter implements Snapshottable {
        final String name;
        long value;

        Counter(String name, long value) {
            this.name = name;
            this.value = value;
        }

        @Override
        public String snapshotName() {
            return name;
        }

        @Override
        public int snapshotVersion() {
            return 2;
        }

        @Override
        public void save(StateWriter out) {
            out.i64(value).string("payload " + name);
        }

        @Override
        public Runnable load(StateReader in, int version) throws SnapshotException {
            long v = in.i64("the value", 0, Long.MAX_VALUE);
            in.string();
            return () -> value = v;
        }
    }

    private static Snapshot sample() {
        return Snapshot.take(Map.of("machine", "test", "ram.size", "4096"), List.of(new Counter("a", 1), new Counter("b", 2)));
    }

    @Test
    void roundTripThroughAFile() throws Exception {
        Path f = dir.resolve("s.vtsnap");
        SnapshotFile.write(sample(), f);
        Snapshot back = SnapshotFile.read(f);
        assertEquals("test", back.description().get("machine"));
        Counter a = new Counter("a", 0), b = new Counter("b", 0);
        back.restore(List.of(a, b));
        assertEquals(1, a.value);
        assertEquals(2, b.value);
    }

    @Test
    void notASnapshotWrongVersionAndTrailingBytesAreRefused() {
        byte[] good = SnapshotFile.encode(sample());
        SnapshotException e = assertThrows(SnapshotException.class, () -> SnapshotFile.decode("hello, world".getBytes()));
        assertTrue(e.getMessage().contains("not a Vitrine snapshot"), e.getMessage());
        byte[] newer = good.clone();
        newer[8] = (byte) (SnapshotFile.FORMAT_VERSION + 1);
        e = assertThrows(SnapshotException.class, () -> SnapshotFile.decode(newer));
        assertTrue(e.getMessage().contains("format version " + (SnapshotFile.FORMAT_VERSION + 1)) && e.getMessage().contains("newer Vitrine"),
                e.getMessage());
        byte[] older = good.clone();
        older[8] = 1;  // version 1 had no host input section
        e = assertThrows(SnapshotException.class, () -> SnapshotFile.decode(older));
        assertTrue(e.getMessage().contains("format version 1") && e.getMessage().contains("older Vitrine"), e.getMessage());
        byte[] longer = Arrays.copyOf(good, good.length + 3);
        e = assertThrows(SnapshotException.class, () -> SnapshotFile.decode(longer));
        assertTrue(e.getMessage().contains("after its end"), e.getMessage());
    }

    @Test
    void everyTruncationIsRefused() {
        byte[] good = SnapshotFile.encode(sample());
        for (int n = 0; n < good.length; n++) {
            byte[] cut = Arrays.copyOf(good, n);
            SnapshotException e = assertThrows(SnapshotException.class, () -> SnapshotFile.decode(cut), "cut at " + n);
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("not a Vitrine snapshot"), e.getMessage());
        }
    }

    @Test
    void everyFlippedByteIsRefused() {
        byte[] good = SnapshotFile.encode(sample());
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            assertThrows(SnapshotException.class, () -> SnapshotFile.decode(bad), "byte " + i + " flipped");
        }
    }

    @Test
    void nothingIsAppliedUnlessEverySectionLoads() {
        Snapshot s = Snapshot.take(Map.of(), List.of(new Counter("a", 5), new Counter("b", -1)));
        Counter a = new Counter("a", 0), b = new Counter("b", 0);
        SnapshotException e = assertThrows(SnapshotException.class, () -> s.restore(List.of(a, b)));
        assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains("the value"), e.getMessage());
        assertEquals(0, a.value, "a loaded fine but was not applied");
    }

    @Test
    void missingExtraAndNewerSectionsAreRefused() {
        Snapshot s = sample();
        SnapshotException e = assertThrows(SnapshotException.class, () -> s.restore(List.of(new Counter("a", 0))));
        assertTrue(e.getMessage().contains("[b]"), e.getMessage());
        e = assertThrows(SnapshotException.class,
                () -> s.restore(List.of(new Counter("a", 0), new Counter("b", 0), new Counter("c", 0))));
        assertTrue(e.getMessage().contains("no state for 'c'"), e.getMessage());
        Snapshot newer = new Snapshot(Map.of(), List.of(new Snapshot.Section("a", 3, s.sections().get(0).body())));
        e = assertThrows(SnapshotException.class, () -> newer.restore(List.of(new Counter("a", 0))));
        assertTrue(e.getMessage().contains("version 3"), e.getMessage());
        Snapshot longer = new Snapshot(Map.of(), List.of(new Snapshot.Section("a", 2,
                Arrays.copyOf(s.sections().get(0).body(), s.sections().get(0).body().length + 1))));
        e = assertThrows(SnapshotException.class, () -> longer.restore(List.of(new Counter("a", 0))));
        assertTrue(e.getMessage().contains("left over"), e.getMessage());
    }

    @Test
    void pageImagesKeepNonZeroPagesAndRestoreExactly() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            long size = 64 * PageImage.PAGE + 100;  // a partial last page too
            MemorySegment from = arena.allocate(size, PageImage.PAGE);
            from.set(ValueLayout.JAVA_BYTE, 3 * PageImage.PAGE + 7, (byte) 1);
            from.set(ValueLayout.JAVA_BYTE, 64 * PageImage.PAGE + 99, (byte) 2);
            assertArrayEquals(new int[] {3, 64}, PageImage.nonZeroPages(from, false));
            StateWriter w = new StateWriter();
            PageImage.save(w, from, false);
            assertTrue(w.size() < 3 * PageImage.PAGE, "only two pages kept: " + w.size() + " bytes");

            MemorySegment to = arena.allocate(size, PageImage.PAGE);
            to.set(ValueLayout.JAVA_BYTE, 10 * PageImage.PAGE, (byte) 9);  // must be cleared
            PageImage.Loaded image = PageImage.load(new StateReader("ram", w.toByteArray()), size);
            assertTrue(!image.matches(to));
            image.applyTo(to, false);
            assertEquals(-1, to.mismatch(from));
            assertTrue(image.matches(to));
            SnapshotException e = assertThrows(SnapshotException.class,
                    () -> PageImage.load(new StateReader("ram", w.toByteArray()), size + PageImage.PAGE));
            assertTrue(e.getMessage().contains("this machine has"), e.getMessage());
        }
    }

    @Test
    void touchedPagesOfAnonymousMemoryAreFoundWithoutReadingTheRest() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment ram = org.vitrine.emulator.memory.HostMemory.allocate(256L << 20, arena);
            List<Integer> written = new ArrayList<>(List.of(0, 5, 4095, 65535));
            for (int p : written) ram.set(ValueLayout.JAVA_BYTE, (long) p * PageImage.PAGE + 1, (byte) 0x5a);
            ram.get(ValueLayout.JAVA_BYTE, 7L * PageImage.PAGE);  // read only: stays zero, not kept
            assertArrayEquals(written.stream().mapToInt(Integer::intValue).toArray(), PageImage.nonZeroPages(ram, true));
        }
    }
}
