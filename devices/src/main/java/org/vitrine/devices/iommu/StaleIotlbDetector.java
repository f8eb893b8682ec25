package org.vitrine.devices.iommu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.vitrine.emulator.memory.PhysicalMemory;
import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.snapshot.StateReader;
import org.vitrine.emulator.snapshot.StateWriter;
import org.vitrine.emulator.spi.GuestLog;

/**
 * {@code --iommu-check}: finds DMA that used a cached translation whose page-table entry the guest
 * had changed (unmapped or remapped) without a completed invalidation covering it.
 *
 * <h2>How</h2>
 * Two halves, because neither alone answers every question:
 * <ul>
 *   <li><b>On every IOTLB hit</b> the detector re-reads the table entries the cached walk read
 *       (their addresses and values are in the {@link PageWalk}); when one differs it re-walks
 *       the tables as they are now, and if the result translates differently (another page, less
 *       access, or no mapping) the DMA used a stale translation: reported. An invalidation that
 *       completed would have removed the entry, so a hit on a changed entry is exactly the bug.
 *       Comparing on the hit (not on the write) means a write that is undone, or that changes
 *       only bits the translation ignores, is not reported.</li>
 *   <li><b>Guest stores into watched entries</b> ({@link #onGuestWrite}, fed by a memory-write
 *       hook over RAM when the option is on) record the guest PC of the last store to each entry
 *       any cached walk read, so the report can name the code that changed the table without
 *       invalidating. Re-walking alone cannot know that PC; a write hook alone cannot know
 *       whether the write mattered. The hook costs guest speed (Unicorn's memory-write hooks
 *       slow every store), which is why the detector is an option.</li>
 * </ul>
 * Reports go to the machine's {@link GuestLog} (source {@value #SOURCE}, as guest errors) and are
 * kept ({@link #reports()}, the first {@value #KEEP}) for tests and summaries.
 *
 * <p>Snapshots (a section nested in the IOMMU's) keep the watched entries with the PC of their
 * last store, the reports and the count, so a restored run reports what the original would have.
 *
 * <p>Used from the emulation thread; not thread-safe.
 */
public final class StaleIotlbDetector implements Snapshottable {
    public static final String SOURCE = "iommu-check";
    static final int KEEP = 10_000;
    /** PC value meaning "not seen": the store happened before the hook saw it, or through a device. */
    public static final long PC_UNKNOWN = -1;

    /** Re-walks the tables as they are now, without caching or recording faults; null when unmapped. */
    @FunctionalInterface
    public interface Rewalker {
        PageWalk walkNow(int deviceId, long iova);
    }

    /**
     * One stale DMA: {@code device} accessed {@code iova}, which the IOTLB sent to {@code oldPa}
     * while the tables now say {@code newPa} (-1: unmapped); the entry at {@code entryAddress} was
     * last written by the instruction at {@code writerPc}.
     */
    public record Report(String device, long iova, long oldPa, long newPa, long entryAddress, long writerPc) {
        @Override
        public String toString() {
            return String.format("stale IOTLB: %s DMA to IOVA 0x%x used PA 0x%x, tables now say %s (entry 0x%x written by PC %s)",
                    device, iova, oldPa, newPa < 0 ? "unmapped" : String.format("PA 0x%x", newPa), entryAddress,
                    writerPc == PC_UNKNOWN ? "unknown" : String.format("0x%x", writerPc));
        }
    }

    private final PhysicalMemory ram;
    private final GuestLog.Source log;
    /** Every table entry a cached walk read (8-byte aligned address) → PC of the last guest store to it. */
    private final Map<Long, Long> watched = new HashMap<>();
    private final List<Report> reports = new ArrayList<>();
    private long count;

    public StaleIotlbDetector(PhysicalMemory ram, GuestLog log) {
        this.ram = ram;
        this.log = log.source(SOURCE);
    }

    /** A walk was cached: watch the entries it read. */
    void watch(PageWalk walk) {
        for (long a : walk.entries()) watched.putIfAbsent(a & ~7L, PC_UNKNOWN);
    }

    /** True when some cached walk read the 8 bytes at {@code address} (the write hook's filter). */
    public boolean isWatched(long address) {
        return watched.containsKey(address & ~7L);
    }

    /** A guest store of {@code size} bytes at physical {@code address} by the instruction at {@code pc}. */
    public void onGuestWrite(long address, int size, long pc) {
        if (watched.isEmpty()) return;
        for (long a = address & ~7L; a < address + Math.max(size, 1); a += 8) {
            if (watched.containsKey(a)) watched.put(a, pc);
        }
    }

    /**
     * Checks a DMA by {@code device} to {@code iova} served from {@code entry}; reports it when the
     * tables no longer translate it that way.
     */
    void check(Iotlb.Entry entry, String device, long iova, Rewalker rewalker) {
        PageWalk cached = entry.walk();
        long[] entries = cached.entries();
        long[] values = cached.values();
        int changed = -1;
        for (int i = 0; i < entries.length; i++) {
            long now;
            try {
                now = ram.read64(entries[i]);
            } catch (PhysicalMemory.BadAddressException e) {
                continue; // the walk read it, so it was in RAM; cannot change
            }
            if (now != values[i]) {
                changed = i;
                break;
            }
        }
        if (changed < 0) return;
        PageWalk current = rewalker.walkNow(entry.deviceId(), iova);
        if (cached.sameTranslation(current)) return;
        long offset = iova & 0xFFF;
        long entryAddress = entries[changed];
        Report r = new Report(device, iova, cached.outputPage() + offset, current == null ? -1 : current.outputPage() + offset,
                entryAddress, watched.getOrDefault(entryAddress & ~7L, PC_UNKNOWN));
        count++;
        if (reports.size() < KEEP) reports.add(r);
        log.guestError("%s", r);
    }

    /** The reports so far (the first {@value #KEEP}). */
    public List<Report> reports() {
        return List.copyOf(reports);
    }

    /** How many stale DMAs were seen. */
    public long count() {
        return count;
    }

    // ---- Snapshot ------------------------------------------------------------------------------

    @Override
    public String snapshotName() {
        return SOURCE;
    }

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /** Layout: i64 count; i32 n, n x (i64 entry address, i64 PC), by address; i32 m, m reports (string device, 5 x i64). */
    @Override
    public void save(StateWriter out) {
        out.i64(count);
        long[] addresses = watched.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
        out.i32(addresses.length);
        for (long a : addresses) out.i64(a).i64(watched.get(a));
        out.i32(reports.size());
        for (Report r : reports) out.string(r.device()).i64(r.iova()).i64(r.oldPa()).i64(r.newPa()).i64(r.entryAddress()).i64(r.writerPc());
    }

    @Override
    public Runnable load(StateReader in, int version) throws SnapshotException {
        long savedCount = in.i64("stale DMAs seen", 0, Long.MAX_VALUE);
        int n = in.i32("watched entries", 0, Integer.MAX_VALUE);
        Map<Long, Long> savedWatched = new HashMap<>();
        for (int i = 0; i < n; i++) {
            long a = in.i64(), pc = in.i64();
            if ((a & 7) != 0 || savedWatched.put(a, pc) != null) throw in.bad(String.format("watched entry 0x%x is unaligned or listed twice", a));
        }
        int m = in.i32("reports", 0, KEEP);
        List<Report> savedReports = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            String device = in.string();
            if (device == null) throw in.bad("report " + i + " names no device");
            savedReports.add(new Report(device, in.i64(), in.i64(), in.i64(), in.i64(), in.i64()));
        }
        if (m > savedCount) throw in.bad(m + " reports kept of " + savedCount + " seen");
        return () -> {
            count = savedCount;
            watched.clear();
            watched.putAll(savedWatched);
            reports.clear();
            reports.addAll(savedReports);
        };
    }
}
