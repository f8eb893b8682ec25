package org.vitrine.emulator.snapshot;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The contents of a large, mostly empty block of host memory (guest RAM, a flash bank) as a
 * snapshot section body: only the 4 KiB pages that are not all zero.
 *
 * <p>Finding them without reading all of RAM: guest RAM is an anonymous mmap whose pages exist
 * only once touched, so {@code mincore} names the candidates (a page never touched reads as zero);
 * of those, the zero ones are skipped too. Memory that is not anonymous (a flash bank mapped from
 * a file) is scanned whole.
 *
 * <p>Layout: i64 size, i32 page count n, n x i32 page index (ascending), then the n pages (the
 * last page of a size that is not a multiple of 4 KiB is partial).
 * Restoring into memory that is in use zeroes the pages it has that the image does not.
 */
public final class PageImage {
    public static final int PAGE = 4096;
    private static final MethodHandle MINCORE;
    /**
     * libc's memcmp, for comparing pages: it runs at memory speed from the first call, where
     * {@link MemorySegment#mismatch} is a Java loop until the JIT has compiled it, and a save or a
     * restore is often the first and only time a JVM compares megabytes of pages. Critical (no
     * thread transition, heap arrays passed in place): it returns within microseconds.
     */
    private static final MethodHandle MEMCMP;
    private static final MemorySegment ZERO_PAGE = Arena.global().allocate(PAGE, PAGE);

    static {
        Linker linker = Linker.nativeLinker();
        MINCORE = linker.downcallHandle(linker.defaultLookup().findOrThrow("mincore"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
        MEMCMP = linker.downcallHandle(linker.defaultLookup().findOrThrow("memcmp"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), Linker.Option.critical(true));
    }

    /** Whether {@code len} bytes of {@code a} at {@code aAt} equal those of {@code b} at {@code bAt} (bounds checked). */
    static boolean same(MemorySegment a, long aAt, MemorySegment b, long bAt, int len) {
        MemorySegment x = a.asSlice(aAt, len), y = b.asSlice(bAt, len);
        try {
            return (int) MEMCMP.invokeExact(x, y, (long) len) == 0;
        } catch (Throwable t) {
            throw new IllegalStateException("memcmp failed", t);
        }
    }

    private PageImage() { }

    /**
     * The resident (touched) pages of {@code memory}, ascending, by mincore; null when mincore
     * cannot tell. The vector is scanned a block at a time (memcmp against zeros): guest RAM is
     * mostly untouched, and a byte loop over every page of it would be the slowest part of a cold
     * save or restore.
     */
    static int[] residentPages(MemorySegment memory) {
        long pages = (memory.byteSize() + PAGE - 1) / PAGE;
        if (!memory.isNative() || (memory.address() & (PAGE - 1)) != 0 || pages > Integer.MAX_VALUE) return null;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment vec = a.allocate(pages);
            int rc = (int) MINCORE.invokeExact(memory, memory.byteSize(), vec);
            if (rc != 0) return null;
            int[] out = new int[1024];
            int n = 0;
            for (int block = 0; block < pages; block += PAGE) {
                int len = (int) Math.min(PAGE, pages - block);
                if (same(vec, block, ZERO_PAGE, 0, len)) continue;
                for (int i = 0; i < len; i++) {
                    if ((vec.get(JAVA_BYTE, block + i) & 1) == 0) continue;
                    if (n == out.length) out = java.util.Arrays.copyOf(out, 2 * n);
                    out[n++] = block + i;
                }
            }
            return java.util.Arrays.copyOf(out, n);
        } catch (Throwable t) {
            return null;
        }
    }

    /** The pages that can be non-zero: the resident ones of anonymous memory (when mincore tells), else all. */
    private static int[] candidatePages(MemorySegment memory, boolean anonymous) {
        int[] resident = anonymous ? residentPages(memory) : null;
        if (resident != null) return resident;
        int[] all = new int[pageCount(memory.byteSize())];
        for (int p = 0; p < all.length; p++) all[p] = p;
        return all;
    }

    private static int pageCount(long size) {
        return (int) ((size + PAGE - 1) / PAGE);
    }

    /** Bytes of page {@code p} in memory of {@code size} bytes (the last page may be partial). */
    private static int pageLength(long size, int p) {
        return (int) Math.min(PAGE, size - (long) p * PAGE);
    }

    private static boolean isZero(MemorySegment memory, int p) {
        long at = (long) p * PAGE;
        int len = pageLength(memory.byteSize(), p);
        return same(memory, at, ZERO_PAGE, 0, len);
    }

    /** The pages of {@code memory} that are not all zero, in ascending order. */
    public static int[] nonZeroPages(MemorySegment memory, boolean anonymous) {
        int[] candidates = candidatePages(memory, anonymous);
        int[] found = new int[candidates.length];
        int n = 0;
        for (int p : candidates) {
            if (!isZero(memory, p)) found[n++] = p;
        }
        return java.util.Arrays.copyOf(found, n);
    }

    /** Writes the non-zero pages of {@code memory}. */
    public static void save(StateWriter out, MemorySegment memory, boolean anonymous) {
        int[] pages = nonZeroPages(memory, anonymous);
        out.reserve(4L + 12 + 4L * pages.length + (long) pages.length * PAGE);
        out.i64(memory.byteSize()).i32(pages.length);
        for (int p : pages) out.i32(p);
        for (int p : pages) out.raw(memory, (long) p * PAGE, pageLength(memory.byteSize(), p));
    }

    /** A checked page image, ready to be written into memory of its size. */
    public record Loaded(long size, int[] pages, byte[] data, int dataOffset) {
        /** Whether {@code memory} already holds exactly this image. */
        public boolean matches(MemorySegment memory) {
            int next = 0;
            long from = dataOffset;
            for (int p = 0; p < pageCount(size); p++) {
                long at = (long) p * PAGE;
                int len = pageLength(size, p);
                if (next < pages.length && pages[next] == p) {
                    if (!same(memory, at, MemorySegment.ofArray(data), from, len)) return false;
                    from += len;
                    next++;
                } else if (!isZero(memory, p)) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Makes {@code memory} hold exactly the image: its pages copied in, every other page zero
         * (only pages that could be non-zero are touched when the memory is anonymous). Returns how
         * many pages it changed.
         */
        public int applyTo(MemorySegment memory, boolean anonymous) {
            int changed = 0;
            MemorySegment source = MemorySegment.ofArray(data);
            long from = dataOffset;
            for (int p : pages) {
                long at = (long) p * PAGE;
                int len = pageLength(size, p);
                // unchanged pages are left alone: a file-backed memory is then not rewritten
                if (!same(memory, at, source, from, len)) {
                    MemorySegment.copy(source, from, memory, at, len);
                    changed++;
                }
                from += len;
            }
            // every other page that can be non-zero (two ascending lists walked together)
            int next = 0;
            for (int p : candidatePages(memory, anonymous)) {
                while (next < pages.length && pages[next] < p) next++;
                if (next < pages.length && pages[next] == p) continue;
                if (!isZero(memory, p)) {
                    memory.asSlice((long) p * PAGE, pageLength(size, p)).fill((byte) 0);
                    changed++;
                }
            }
            return changed;
        }
    }

    /** A snapshot part holding {@code memory} as a page image (guest RAM; a flash bank's array). */
    public static Snapshottable part(String name, MemorySegment memory, boolean anonymous) {
        return new Snapshottable() {
            @Override
            public String snapshotName() {
                return name;
            }

            @Override
            public int snapshotVersion() {
                return 1;
            }

            @Override
            public void save(StateWriter out) {
                PageImage.save(out, memory, anonymous);
            }

            @Override
            public Runnable load(StateReader in, int version) throws SnapshotException {
                Loaded image = PageImage.load(in, memory.byteSize());
                return () -> image.applyTo(memory, anonymous);
            }
        };
    }

    /** Reads and checks a page image for memory of {@code expectedSize} bytes. */
    public static Loaded load(StateReader in, long expectedSize) throws SnapshotException {
        long size = in.i64();
        if (size != expectedSize) throw in.bad("memory of " + size + " bytes, this machine has " + expectedSize);
        int total = pageCount(size);
        int n = in.i32("page count", 0, total);
        int[] pages = new int[n];
        int previous = -1;
        for (int i = 0; i < n; i++) {
            int p = in.i32();
            if (p <= previous || p >= total) throw in.bad("page index " + p + " out of order or beyond the memory");
            pages[i] = previous = p;
        }
        long bytes = 0;
        for (int p : pages) bytes += pageLength(size, p);
        if (bytes > Integer.MAX_VALUE) throw in.bad(n + " pages do not fit one section");
        int at = in.skip((int) bytes);
        return new Loaded(size, pages, in.buffer(), at);
    }
}
