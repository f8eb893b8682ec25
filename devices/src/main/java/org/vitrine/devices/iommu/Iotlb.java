package org.vitrine.devices.iommu;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 */
public final class Iotlb {
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

    /** Counts a hit the caller served from an entry it remembered (a port's last page). */
    void countHit() {
        hits++;
    }
}
