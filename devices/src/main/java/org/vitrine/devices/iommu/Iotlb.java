package org.vitrine.devices.iommu;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.snapshot.StateReader;
import org.vitrine.emulator.snapshot.StateWriter;

/**
 * An IOMMU's translation cache, shared by the three models: one entry per (device, 4 KiB input
 * page), holding the {@link PageWalk} that filled it. Entries stay until an invalidation removes
 * them, as hardware is allowed to keep them: a page-table change is not seen by DMA until the
 * driver invalidates and the invalidation completes (the model applies it at completion time).
 *
 * <p>Capacity: {@value #CAPACITY} entries; beyond that the oldest is evicted (hardware IOTLBs are
 * far smaller, and evict too: a driver may never rely on an entry staying, nor on it going).
 *
 * <p>Lookup is one hash probe; an entry a port remembers stays usable until {@link Entry#valid()}
 * turns false. Used from the emulation thread; not thread-safe.
 *
 * <p>Snapshots keep every entry, stale ones included, in insertion order (the eviction order):
 * dropping them on restore would be guest-visible, as a driver that forgot an invalidation would
 * suddenly see its new tables. The section is nested in its IOMMU's.
 */
public final class Iotlb implements Snapshottable {
    /** Most table entries one walk reads (SMMUv3 and AMD-Vi: 4 levels plus configuration; VT-d: root, context, 4 levels). */
    static final int MAX_WALK_ENTRIES = 16;

    public static final int CAPACITY = 1 << 16;
    /** Device IDs must fit the key's top bits. */
    public static final int MAX_DEVICE_ID = (1 << 12) - 1;

    /** One cached translation. */
    public static final class Entry {
        final int deviceId;
        final long inputPage;
        final PageWalk walk;
        boolean valid = true;

        Entry(int deviceId, long inputPage, PageWalk walk) {
            this.deviceId = deviceId;
            this.inputPage = inputPage;
            this.walk = walk;
        }

        public int deviceId() {
            return deviceId;
        }

        /** The input (IOVA) page address. */
        public long inputPage() {
            return inputPage;
        }

        public PageWalk walk() {
            return walk;
        }

        /** False once an invalidation (or eviction) removed the entry. */
        public boolean valid() {
            return valid;
        }
    }

    /** Chooses the entries an invalidation removes. */
    @FunctionalInterface
    public interface Selector {
        boolean matches(int deviceId, int tag, long inputPage);
    }

    private final Map<Long, Entry> entries = new LinkedHashMap<>(1024, 0.75f, false);
    private long hits, misses, invalidated;

    private static long key(int deviceId, long inputAddress) {
        return (long) deviceId << 52 | (inputAddress >>> 12);
    }

    /** The entry for {@code deviceId}'s page containing {@code iova}, or null. */
    public Entry lookup(int deviceId, long iova) {
        Entry e = entries.get(key(deviceId, iova));
        if (e == null) misses++;
        else hits++;
        return e;
    }

    /** Caches {@code walk} for {@code deviceId}'s page containing {@code iova}. */
    public Entry insert(int deviceId, long iova, PageWalk walk) {
        if (deviceId < 0 || deviceId > MAX_DEVICE_ID) throw new IllegalArgumentException("device ID " + deviceId);
        if (entries.size() >= CAPACITY) {
            Iterator<Entry> oldest = entries.values().iterator();
            oldest.next().valid = false;
            oldest.remove();
        }
        Entry e = new Entry(deviceId, iova & ~0xFFFL, walk);
        Entry old = entries.put(key(deviceId, iova), e);
        if (old != null) old.valid = false;
        return e;
    }

    /** Removes every entry {@code selector} matches; returns how many. */
    public int invalidate(Selector selector) {
        int n = 0;
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (selector.matches(e.deviceId, e.walk.tag(), e.inputPage)) {
                e.valid = false;
                it.remove();
                n++;
            }
        }
        invalidated += n;
        return n;
    }

    public int invalidateAll() {
        return invalidate((d, t, p) -> true);
    }

    public int size() {
        return entries.size();
    }

    /** A copy of the live entries (tests, the debugger). */
    public List<Entry> entries() {
        return new ArrayList<>(entries.values());
    }

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }

    public long invalidatedEntries() {
        return invalidated;
    }

    // ---- Snapshot ------------------------------------------------------------------------------

    @Override
    public String snapshotName() {
        return "iotlb";
    }

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /**
     * Layout: i64 hits, misses, invalidated entries; i32 n; n entries, oldest first, each i32 device,
     * i64 input page, i64 output page, u8 access (1 read, 2 write), i32 tag, longs entries, longs values.
     */
    @Override
    public void save(StateWriter out) {
        out.i64(hits).i64(misses).i64(invalidated).i32(entries.size());
        for (Entry e : entries.values()) {
            PageWalk w = e.walk;
            out.i32(e.deviceId).i64(e.inputPage).i64(w.outputPage()).u8((w.readable() ? 1 : 0) | (w.writable() ? 2 : 0)).i32(w.tag())
                    .longs(w.entries()).longs(w.values());
        }
    }

    @Override
    public Runnable load(StateReader in, int version) throws SnapshotException {
        long savedHits = in.i64("IOTLB hits", 0, Long.MAX_VALUE), savedMisses = in.i64("IOTLB misses", 0, Long.MAX_VALUE),
                savedInvalidated = in.i64("invalidated entries", 0, Long.MAX_VALUE);
        int n = in.i32("IOTLB entries", 0, CAPACITY);
        Map<Long, Entry> loaded = new LinkedHashMap<>(Math.max(16, n * 2));
        for (int i = 0; i < n; i++) {
            int device = in.i32("an entry's device ID", 0, MAX_DEVICE_ID);
            long input = in.i64(), output = in.i64();
            int access = in.u8();
            int tag = in.i32();
            long[] addresses = in.longs(), values = in.longs();
            if ((input & 0xFFF) != 0 || (output & 0xFFF) != 0 || access > 3) {
                throw in.bad(String.format("entry %d (IOVA page 0x%x -> 0x%x, access %d) is not a page translation", i, input, output, access));
            }
            if (addresses == null || values == null || addresses.length != values.length || addresses.length > MAX_WALK_ENTRIES) {
                throw in.bad("entry " + i + " has an unreadable walk");
            }
            Entry e = new Entry(device, input, new PageWalk(output, (access & 1) != 0, (access & 2) != 0, tag, addresses, values));
            if (loaded.put(key(device, input), e) != null) throw in.bad(String.format("device %d's page 0x%x is cached twice", device, input));
        }
        return () -> {
            for (Entry old : entries.values()) old.valid = false;  // ports forget what they remembered
            entries.clear();
            entries.putAll(loaded);
            hits = savedHits;
            misses = savedMisses;
            invalidated = savedInvalidated;
        };
    }

    /** Counts a hit the caller served from an entry it remembered (a port's last page). */
    void countHit() {
        hits++;
    }
}
