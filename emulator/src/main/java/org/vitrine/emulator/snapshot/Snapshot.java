package org.vitrine.emulator.snapshot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole machine at one instant, in memory: a description of the machine it belongs to (what a
 * restore must match) and one section per part. {@link #take} and {@link #restore} are the API the
 * debugger and scenarios use; {@link SnapshotFile} stores a snapshot in a file.
 */
public final class Snapshot {
    /**
     * One part's state: the bytes its {@link Snapshottable#save} wrote ({@code length} bytes of
     * {@code data} from {@code offset}: a section read from a file is a slice of the file's body,
     * not a copy), and their layout version.
     */
    public record Section(String name, int version, byte[] data, int offset, int length) {
        public Section {
            java.util.Objects.checkFromIndexSize(offset, length, data.length);
        }

        public Section(String name, int version, byte[] body) {
            this(name, version, body, 0, body.length);
        }

        /** The section's bytes (a copy when the section is a slice). */
        public byte[] body() {
            return offset == 0 && length == data.length ? data : java.util.Arrays.copyOfRange(data, offset, offset + length);
        }

        /** A reader over the section's bytes, in place. */
        StateReader reader() {
            return new StateReader(name, data, offset, length);
        }
    }

    /**
     * {@code -Dvitrine.snapshot.trace=true}: each part's save, load and apply prints its thread CPU
     * time on standard error (where a cold save or restore spends it).
     */
    private static final boolean TRACE = Boolean.getBoolean("vitrine.snapshot.trace");

    private final Map<String, String> description;
    private final List<Section> sections;

    public Snapshot(Map<String, String> description, List<Section> sections) {
        this.description = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(description));
        this.sections = List.copyOf(sections);
    }

    /** Saves every part, in order, with {@code description} naming the machine they belong to. */
    public static Snapshot take(Map<String, String> description, List<? extends Snapshottable> parts) {
        List<Section> sections = new ArrayList<>(parts.size());
        for (Snapshottable p : parts) {
            long t0 = cpuNanos();
            StateWriter w = new StateWriter();
            p.save(w);
            trace("save", p, t0);
            sections.add(new Section(p.snapshotName(), p.snapshotVersion(), w.array(), 0, w.size()));
        }
        return new Snapshot(description, sections);
    }

    /** What the snapshot says about its machine: RAM size, devices, display, kernel hash... */
    public Map<String, String> description() {
        return description;
    }

    public List<Section> sections() {
        return sections;
    }

    /** Total size of the sections (uncompressed). */
    public long size() {
        long n = 0;
        for (Section s : sections) n += s.length();
        return n;
    }

    /**
     * Restores every part: first loads and checks all sections (each part's own checks, plus one
     * section per part, none missing or extra, none newer than the part reads), then applies them
     * in order. When anything does not fit, nothing has changed.
     */
    public void restore(List<? extends Snapshottable> parts) throws SnapshotException {
        Map<String, Section> byName = new HashMap<>();
        for (Section s : sections) {
            if (byName.put(s.name(), s) != null) throw new SnapshotException("snapshot has section '" + s.name() + "' twice");
        }
        List<Runnable> actions = new ArrayList<>(parts.size());
        for (Snapshottable p : parts) {
            Section s = byName.remove(p.snapshotName());
            if (s == null) throw new SnapshotException("snapshot has no state for '" + p.snapshotName() + "' (made on another machine?)");
            long t0 = cpuNanos();
            actions.add(loadPart(p, s.version(), s.reader()));
            trace("load", p, t0);
        }
        if (!byName.isEmpty()) {
            throw new SnapshotException("snapshot has state for " + byName.keySet() + ", which this machine does not have");
        }
        for (int i = 0; i < actions.size(); i++) {
            long t0 = cpuNanos();
            actions.get(i).run();
            trace("apply", parts.get(i), t0);
        }
    }

    private static long cpuNanos() {
        return TRACE ? java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() : 0;
    }

    private static void trace(String what, Snapshottable part, long cpu0) {
        if (TRACE) System.err.printf("[snapshot] %s %s: %.2f ms of CPU%n", what, part.snapshotName(), (cpuNanos() - cpu0) / 1e6);
    }

    /** Loads one section into {@code part}: version check, the part's own checks, read to the end. */
    static Runnable loadPart(Snapshottable part, int version, StateReader r) throws SnapshotException {
        if (version < 1 || version > part.snapshotVersion()) {
            throw new SnapshotException(String.format("snapshot section '%s' has layout version %d; this Vitrine reads versions 1..%d",
                    part.snapshotName(), version, part.snapshotVersion()));
        }
        Runnable apply = part.load(r, version);
        r.expectEnd();
        return apply;
    }
}
