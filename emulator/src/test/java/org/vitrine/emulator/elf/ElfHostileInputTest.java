package org.vitrine.emulator.elf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds the parser broken and hostile variants of a real executable. Every one must either parse
 * (and then load and symbolize without trouble) or fail with an {@link ElfFormatException} —
 * never any other exception, and never by exhausting memory.
 */
class ElfHostileInputTest {
    @TempDir
    static Path dir;
    static byte[] good;
    static int phoff, phnum, shoff, shnum;

    @BeforeAll
    static void buildProgram() throws Exception {
        good = Files.readAllBytes(ElfTestProgram.build(dir));
        ByteBuffer b = le(good);
        phoff = (int) b.getLong(32);
        phnum = b.getShort(56);
        shoff = (int) b.getLong(40);
        shnum = b.getShort(60);
    }

    @Test
    void everyTruncationIsRejected() {
        for (int len = 0; len < good.length; len++) {
            byte[] cut = Arrays.copyOf(good, len);
            int n = len;
            assertThrows(ElfFormatException.class, () -> ElfFile.parse(cut), () -> "truncated to " + n + " bytes");
        }
    }

    @Test
    void flippedHeaderAndTableBytesNeverEscapeAsOtherExceptions() {
        int[] xors = {0x01, 0x02, 0x10, 0x40, 0x80, 0xff};
        for (int[] range : new int[][] {{0, 64}, {phoff, phoff + phnum * 56}, {shoff, shoff + shnum * 64}}) {
            for (int at = range[0]; at < range[1]; at++) {
                for (int x : xors) {
                    byte[] bad = good.clone();
                    bad[at] ^= (byte) x;
                    expectParsesOrRejects(bad, "byte " + at + " ^ 0x" + Integer.toHexString(x));
                }
            }
        }
    }

    @Test
    void randomMutationsNeverEscapeAsOtherExceptions() {
        Random rnd = new Random(0x5eed);
        int[] hot = {0, phoff, shoff, shoff + 4 * 64, shoff + 5 * 64}; // headers, tables, .symtab/.strtab headers
        for (int iter = 0; iter < 20_000; iter++) {
            byte[] bad = good.clone();
            int n = 1 + rnd.nextInt(8);
            for (int k = 0; k < n; k++) {
                int at = rnd.nextBoolean() ? rnd.nextInt(bad.length)
                        : Math.min(bad.length - 1, hot[rnd.nextInt(hot.length)] + rnd.nextInt(128));
                bad[at] = (byte) switch (rnd.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> 0xff;
                    case 2 -> 0x80;
                    default -> rnd.nextInt(256);
                };
            }
            expectParsesOrRejects(bad, "iteration " + iter);
        }
    }

    @Test
    void identificationErrorsSayWhatIsWrong() {
        assertMessage(with(b -> b.put(0, (byte) 0x7e)), "magic");
        assertMessage(with(b -> b.put(4, (byte) 1)), "64-bit");
        assertMessage(with(b -> b.put(5, (byte) 2)), "little-endian");
        assertMessage(with(b -> b.putShort(18, (short) 62)), "not AArch64");
        assertMessage(with(b -> b.putShort(16, (short) 1)), "not an executable");
        assertMessage(new byte[10], "too short");
    }

    @Test
    void hugeAndOverflowingCountsAndOffsets() {
        assertMessage(with(b -> b.putShort(56, (short) 0xffff)), "PN_XNUM");
        assertMessage(with(b -> b.putShort(56, (short) 0xfffe)), "program header table");
        assertMessage(with(b -> b.putLong(32, -16L)), "program header table");
        assertMessage(with(b -> b.putShort(60, (short) 0xfffe)), "section header table");
        assertMessage(with(b -> b.putLong(40, Long.MAX_VALUE)), "section header table");
        assertMessage(with(b -> b.putShort(54, (short) 32)), "entry size");
        assertMessage(with(b -> b.putShort(62, (short) 100)), "out of range");
    }

    @Test
    void badSegmentsAreRejected() {
        int ph1 = phoff + 56; // the data segment
        assertMessage(with(b -> b.putLong(ph1 + 8, good.length - 4L)), "past the end");        // p_offset
        assertMessage(with(b -> b.putLong(ph1 + 32, 1L << 40)), "past the end");              // p_filesz
        assertMessage(with(b -> b.putLong(ph1 + 8, -1L)), "past the end");
        assertMessage(with(b -> b.putLong(ph1 + 40, 4)), "exceeds memory size");             // p_memsz < p_filesz
        assertMessage(with(b -> b.putLong(ph1 + 16, -0x1000L)), "wraps");                    // p_vaddr
        assertMessage(with(b -> b.putLong(ph1 + 24, -0x1000L)), "52-bit");                   // p_paddr
        assertMessage(with(b -> b.putLong(ph1 + 40, 1L << 60)), "52-bit");                   // p_memsz
        assertMessage(with(b -> b.putLong(ph1 + 24, 0x4007_8000L)), "overlap in physical");  // into the text segment
        assertMessage(with(b -> b.putLong(ph1 + 16, 0x4007_8000L)), "overlap in virtual");
        assertMessage(with(b -> b.putLong(ph1 + 48, 3)), "power of two");
        assertMessage(with(b -> b.putLong(24, 0x1234)), "entry point");
    }

    @Test
    void badSymbolTablesAreRejected() {
        int symtabHdr = shoff + 4 * 64, strtabHdr = shoff + 5 * 64;
        assertMessage(with(b -> b.putInt(symtabHdr + 40, 99)), "string table");               // sh_link
        assertMessage(with(b -> b.putInt(symtabHdr + 40, 1)), "not a string table");          // link to .text
        assertMessage(with(b -> b.putLong(symtabHdr + 56, 16)), "entry size");
        assertMessage(with(b -> b.putLong(symtabHdr + 32, 25)), "multiple of 24");
        assertMessage(with(b -> b.putLong(strtabHdr + 32, 1)), "outside its string table"); // shrink .strtab
        int sym1 = (int) le(good).getLong(symtabHdr + 24) + 24;
        assertMessage(with(b -> b.putInt(sym1, 0x7fff_ffff)), "outside its string table");  // st_name
        assertMessage(with(b -> b.putShort(sym1 + 6, (short) 50)), "refers to section");
        // A .strtab whose last name lost its terminator.
        int strtabEnd = (int) (le(good).getLong(strtabHdr + 24) + le(good).getLong(strtabHdr + 32));
        assertMessage(with(b -> b.put(strtabEnd - 1, (byte) 'x')), "no NUL");
    }

    @Test
    void fileTooLargeIsRefusedBeforeReading() throws Exception {
        Path big = dir.resolve("big.elf");
        try (var ch = FileChannel.open(big, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0}), ElfFile.MAX_FILE_SIZE); // sparse
        }
        ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfFile.read(big));
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
    }

    /** Parses; on success also loads into a permissive sink and symbolizes, which must not throw either. */
    private static void expectParsesOrRejects(byte[] bytes, String what) {
        try {
            ElfFile elf = ElfFile.parse(bytes);
            elf.load(new SegmentSink() {
                @Override
                public void write(long physAddr, byte[] data, int off, int len) {
                    if (off < 0 || len < 0 || off + len > data.length) fail(what + ": load passed a bad slice");
                }

                @Override
                public void zero(long physAddr, long len) {
                    if (len <= 0) fail(what + ": load asked to zero " + len + " bytes");
                }
            });
            for (long a = ElfTestProgram.TEXT - 8; a < ElfTestProgram.TEXT + 0x40; a += 4) elf.symbols().describe(a);
            elf.symbols().byName("_start");
        } catch (ElfFormatException expected) {
            assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty());
        } catch (Throwable t) {
            throw new AssertionError(what + ": escaped as " + t, t);
        }
    }

    private static void assertMessage(byte[] bytes, String expected) {
        ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfFile.parse(bytes));
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }

    private static byte[] with(Consumer<ByteBuffer> edit) {
        byte[] copy = good.clone();
        edit.accept(le(copy));
        return copy;
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }
}
