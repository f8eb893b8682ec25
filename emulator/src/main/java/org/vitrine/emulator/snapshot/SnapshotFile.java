package org.vitrine.emulator.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;

/**
 * The snapshot file format.
 *
 * <pre>
 *   offset  size  field
 *   0       8     magic "VTSNAPSH"
 *   8       4     format version ({@link #FORMAT_VERSION}), little-endian like every field
 *   12      8     body length, uncompressed
 *   20      8     body length, compressed (the rest of the file)
 *   28      4     CRC-32C of the compressed body
 *   32      ...   the body, one zstd frame:
 *                   i32 n, n x (string key, string value)          the machine description
 *                   i32 m, m x (string name, i32 version, bytes)  the sections, in restore order
 * </pre>
 * (strings and byte arrays are length-prefixed as {@link StateWriter} writes them.)
 * A file that is not a snapshot, of another format version, truncated, or whose checksum or
 * compressed data is wrong is refused with a {@link SnapshotException} saying which, before any
 * section is looked at. Files are written to a temporary name and renamed, so an interrupted save
 * never leaves a half file under the name asked for.
 */
public final class SnapshotFile {
    public static final byte[] MAGIC = {'V', 'T', 'S', 'N', 'A', 'P', 'S', 'H'};
    /**
     * 2: the machine's host input not yet delivered is part of it (a "host-input" section); a
     * version 1 file lacks it and is refused, as any other version.
     */
    public static final int FORMAT_VERSION = 2;
    static final int HEADER = 32;
    /** zstd level: 1 is the fastest, and RAM and disk images compress well at it. */
    private static final int LEVEL = 1;

    static {
        ZstdLibrary.locate();  // before zstd-jni's classes load
    }

    private SnapshotFile() { }

    /**
     * Loads the compressor (zstd-jni extracts and links its native library on first use, which
     * takes longer than compressing a whole snapshot): a run that will save calls this on another
     * thread while the guest runs.
     */
    public static void prepare() {
        Zstd.decompress(Zstd.compress(new byte[64], LEVEL), 64);
        new CRC32C().update(new byte[64]);
    }

    /**
     * The file's bytes for {@code s}. The body is compressed as a stream, each section straight
     * from its own array: no copy of the whole state is made (on a booted desktop that is megabytes
     * of fresh memory, whose first touch is most of a cold save's cost).
     */
    public static byte[] encode(Snapshot s) {
        java.io.ByteArrayOutputStream packed = new java.io.ByteArrayOutputStream(1 << 20);
        long raw = 0;
        try (ZstdOutputStreamNoFinalizer z = new ZstdOutputStreamNoFinalizer(packed, LEVEL)) {
            StateWriter head = new StateWriter(4096);
            head.i32(s.description().size());
            for (Map.Entry<String, String> e : s.description().entrySet()) head.string(e.getKey()).string(e.getValue());
            head.i32(s.sections().size());
            for (Snapshot.Section sec : s.sections()) {
                head.string(sec.name()).i32(sec.version()).i32(sec.length());
                z.write(head.array(), 0, head.size());
                z.write(sec.data(), sec.offset(), sec.length());
                raw += head.size() + sec.length();
                head = new StateWriter(256);
            }
            if (head.size() > 0) z.write(head.array(), 0, head.size());  // a snapshot without sections
            raw += head.size();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);  // a ByteArrayOutputStream does not fail
        }
        byte[] body = packed.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(body);
        ByteBuffer out = ByteBuffer.allocate(HEADER + body.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).putInt(FORMAT_VERSION).putLong(raw).putLong(body.length).putInt((int) crc.getValue()).put(body);
        return out.array();
    }

    /** Writes {@code s} to {@code file} (through a temporary file in the same directory, then renamed). */
    public static void write(Snapshot s, Path file) throws IOException {
        byte[] bytes = encode(s);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".part");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads and checks a snapshot file (format only: matching a machine is the restorer's job). */
    public static Snapshot read(Path file) throws SnapshotException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SnapshotException("cannot read snapshot " + file + ": " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            throw new SnapshotException("snapshot " + file + " is too large to read", e);
        }
        try {
            return decode(bytes);
        } catch (SnapshotException e) {
            throw new SnapshotException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses the bytes of a snapshot file. */
    public static Snapshot decode(byte[] bytes) throws SnapshotException {
        if (bytes.length < MAGIC.length || !java.util.Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new SnapshotException("not a Vitrine snapshot (no \"VTSNAPSH\" magic)");
        }
        if (bytes.length < HEADER) throw new SnapshotException("truncated snapshot: " + bytes.length + " bytes, shorter than its header");
        ByteBuffer h = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int format = h.getInt(8);
        if (format != FORMAT_VERSION) {
            throw new SnapshotException("snapshot format version " + format + "; this Vitrine reads version " + FORMAT_VERSION
                    + (format < FORMAT_VERSION && format > 0 ? " (the file was made by an older Vitrine: save the machine again)"
                    : " (the file was made by a newer Vitrine)"));
        }
        long rawLength = h.getLong(12);
        long packedLength = h.getLong(20);
        int storedCrc = h.getInt(28);
        if (packedLength < 0 || rawLength < 0 || rawLength > Integer.MAX_VALUE - 16) {
            throw new SnapshotException("corrupt snapshot: impossible lengths in its header");
        }
        long have = bytes.length - HEADER;
        if (have < packedLength) {
            throw new SnapshotException("truncated snapshot: " + bytes.length + " bytes, " + (HEADER + packedLength) + " expected");
        }
        if (have > packedLength) throw new SnapshotException("corrupt snapshot: " + (have - packedLength) + " bytes after its end");
        CRC32C crc = new CRC32C();
        crc.update(bytes, HEADER, (int) packedLength);
        if ((int) crc.getValue() != storedCrc) throw new SnapshotException("corrupt snapshot: checksum mismatch");
        byte[] raw = new byte[(int) rawLength];
        try {
            long n = Zstd.decompressByteArray(raw, 0, raw.length, bytes, HEADER, (int) packedLength);
            if (Zstd.isError(n)) throw new SnapshotException("corrupt snapshot: " + Zstd.getErrorName(n));
            if (n != rawLength) throw new SnapshotException("corrupt snapshot: body is " + n + " bytes, " + rawLength + " expected");
        } catch (ZstdException e) {
            throw new SnapshotException("corrupt snapshot: " + e.getMessage(), e);
        }
        StateReader r = new StateReader("header", raw);
        int n = r.i32("description entries", 0, 10_000);
        Map<String, String> description = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) description.put(r.string(), r.string());
        int m = r.i32("sections", 0, 100_000);
        List<Snapshot.Section> sections = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            String name = r.string();
            int version = r.i32();
            int length = r.i32();
            if (name == null || length < 0) throw new SnapshotException("corrupt snapshot: section " + i + " has no name or no body");
            sections.add(new Snapshot.Section(name, version, raw, r.skip(length), length));  // a slice of the body: no copy
        }
        r.expectEnd();
        return new Snapshot(description, sections);
    }
}
