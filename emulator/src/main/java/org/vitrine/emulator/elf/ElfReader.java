package org.vitrine.emulator.elf;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Little-endian reads from the raw file where every access is bounds-checked and every failure
 * is an {@link ElfFormatException} — the one place where hostile offsets meet array indexing, so
 * the parser cannot throw an {@code IndexOutOfBoundsException} even if one of its own range
 * checks were missing.
 */
final class ElfReader {
    private final byte[] data;

    ElfReader(byte[] data) {
        this.data = data;
        this.nameBudget = 2L * data.length + 65536;
    }

    int length() {
        return data.length;
    }

    byte[] data() {
        return data;
    }

    /**
     * Checks that {@code [offset, offset + size)} (unsigned) lies inside the file.
     *
     * @param what names the thing being read, for the message
     */
    void requireRange(long offset, long size, String what) throws ElfFormatException {
        if (Long.compareUnsigned(offset, data.length) > 0 || Long.compareUnsigned(size, data.length - offset) > 0) {
            throw new ElfFormatException(String.format(
                    "%s at file offset 0x%x, 0x%x bytes, lies past the end of the file (0x%x bytes): truncated or corrupt",
                    what, offset, size, data.length));
        }
    }

    int u8(long off) throws ElfFormatException {
        requireRange(off, 1, "field");
        return data[(int) off] & 0xff;
    }

    int u16(long off) throws ElfFormatException {
        requireRange(off, 2, "field");
        int o = (int) off;
        return (data[o] & 0xff) | (data[o + 1] & 0xff) << 8;
    }

    int u32(long off) throws ElfFormatException {
        requireRange(off, 4, "field");
        int o = (int) off;
        return (data[o] & 0xff) | (data[o + 1] & 0xff) << 8 | (data[o + 2] & 0xff) << 16 | (data[o + 3] & 0xff) << 24;
    }

    long u64(long off) throws ElfFormatException {
        return (u32(off) & 0xffff_ffffL) | (long) u32(off + 4) << 32;
    }

    /**
     * A string table ({@code [offset, offset + size)} of the file, range-checked by the caller).
     * Names are cached by index and the bytes scanned are charged to the reader's budget, so a
     * hostile table (thousands of symbols pointing into one huge unterminated string) costs
     * neither unbounded time nor unbounded memory.
     */
    final class StringTable {
        private final long offset;
        private final long size;
        private final Map<Long, String> cache = new HashMap<>();

        StringTable(long offset, long size) {
            this.offset = offset;
            this.size = size;
        }

        String get(long index, String what) throws ElfFormatException {
            String s = cache.get(index);
            if (s == null) cache.put(index, s = read(index, what));
            return s;
        }

        private String read(long index, String what) throws ElfFormatException {
            if (Long.compareUnsigned(index, size) >= 0) {
                throw new ElfFormatException(String.format(
                        "%s: name offset 0x%x is outside its string table (0x%x bytes)", what, index, size));
            }
            int start = (int) (offset + index);
            int end = (int) Math.min(offset + size, start + (long) MAX_NAME);
            for (int i = start; i < end; i++) {
                if (data[i] == 0) {
                    charge(i - start + 1);
                    return new String(data, start, i - start, StandardCharsets.UTF_8);
                }
            }
            throw new ElfFormatException(String.format("%s: the name at offset 0x%x %s", what, index,
                    end - start == MAX_NAME ? "is longer than " + MAX_NAME + " bytes" : "has no NUL before the end of its string table"));
        }
    }

    /** Longest symbol or section name accepted (mangled Rust names are a few hundred bytes). */
    static final int MAX_NAME = 4096;

    private long nameBudget;

    StringTable stringTable(long offset, long size, String what) throws ElfFormatException {
        requireRange(offset, size, what);
        return new StringTable(offset, size);
    }

    private void charge(long bytes) throws ElfFormatException {
        nameBudget -= bytes;
        if (nameBudget < 0) {
            throw new ElfFormatException("the names in the string tables add up to more than twice the file size: corrupt string table");
        }
    }
}
