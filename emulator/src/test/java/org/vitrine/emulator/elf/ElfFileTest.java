package org.vitrine.emulator.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parses and loads a real linked AArch64 program and cross-checks it against GNU readelf and nm. */
class ElfFileTest {
    @TempDir
    static Path dir;
    static Path path;
    static ElfFile elf;

    @BeforeAll
    static void buildProgram() throws Exception {
        path = ElfTestProgram.build(dir);
        elf = ElfFile.read(path);
    }

    @Test
    void entryAndType() {
        assertEquals(ElfFile.ET_EXEC, elf.type());
        assertEquals(ElfTestProgram.TEXT, elf.entry());
        assertEquals(ElfTestProgram.TEXT, elf.physicalEntry());
    }

    @Test
    void loadSegmentsMatchReadelf() throws Exception {
        String out = ElfTestProgram.run(dir, "aarch64-linux-gnu-readelf", "-lW", "prog.elf");
        Matcher m = Pattern.compile("^\\s*LOAD\\s+0x(\\p{XDigit}+)\\s+0x(\\p{XDigit}+)\\s+0x(\\p{XDigit}+)"
                + "\\s+0x(\\p{XDigit}+)\\s+0x(\\p{XDigit}+)\\s+([RWE ]+?)\\s+0x(\\p{XDigit}+)$", Pattern.MULTILINE).matcher(out);
        List<ElfSegment> expected = new ArrayList<>();
        while (m.find()) {
            String f = m.group(6);
            int flags = (f.contains("R") ? ElfSegment.PF_R : 0) | (f.contains("W") ? ElfSegment.PF_W : 0)
                    | (f.contains("E") ? ElfSegment.PF_X : 0);
            expected.add(new ElfSegment(ElfSegment.PT_LOAD, flags, hex(m.group(1)), hex(m.group(2)), hex(m.group(3)),
                    hex(m.group(4)), hex(m.group(5)), hex(m.group(7))));
        }
        assertEquals(2, expected.size(), out);
        assertEquals(expected, elf.loadSegments());
        ElfSegment text = elf.loadSegments().get(0), data = elf.loadSegments().get(1);
        assertTrue(text.isExecutable() && !text.isWritable());
        assertTrue(data.isWritable() && !data.isExecutable());
        assertTrue(data.memSize() > data.fileSize(), "the .bss makes the data segment larger in memory");
    }

    @Test
    void sectionsAreNamed() {
        List<String> names = elf.sections().stream().map(ElfSection::name).toList();
        assertEquals(List.of("", ".text", ".data", ".bss", ".symtab", ".strtab", ".shstrtab"), names);
        ElfSection text = elf.sections().get(1);
        assertEquals(ElfTestProgram.TEXT, text.addr());
        assertTrue(text.isExecutable());
        assertEquals(ElfSection.SHT_NOBITS, elf.sections().get(3).type());
    }

    @Test
    void symbolsMatchNm() throws Exception {
        String out = ElfTestProgram.run(dir, "aarch64-linux-gnu-nm", "prog.elf");
        int checked = 0;
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 3) continue;
            ElfSymbol s = elf.symbols().byName(f[2]).orElseThrow(() -> new AssertionError("no symbol " + f[2]));
            assertEquals(hex(f[0]), s.value(), f[2]);
            checked++;
        }
        assertTrue(checked >= 8, out);
        ElfSymbol start = elf.symbols().byName("_start").orElseThrow();
        assertEquals(ElfSymbol.Type.FUNC, start.type());
        assertEquals(ElfSymbol.Binding.GLOBAL, start.binding());
        assertEquals(0x18, start.size());
        ElfSymbol helper = elf.symbols().byName("helper").orElseThrow();
        assertEquals(ElfSymbol.Binding.LOCAL, helper.binding());
        assertEquals(8, helper.size());
        ElfSymbol counter = elf.symbols().byName("counter").orElseThrow();
        assertEquals(ElfSymbol.Type.OBJECT, counter.type());
        assertEquals(8, counter.size());
        assertFalse(elf.symbols().byName("no_such_symbol").isPresent());
    }

    @Test
    void addressLookupFindsTheEnclosingFunction() {
        SymbolTable t = elf.symbols();
        long text = ElfTestProgram.TEXT;
        assertEquals("_start", t.describe(text));
        assertEquals("_start+0x8", t.describe(text + 8));
        assertEquals("_start+0x14", t.describe(text + 0x14));
        assertEquals("helper", t.describe(text + 0x18));
        assertEquals("helper+0x4", t.describe(text + 0x1c));
        // An untyped assembler label in .text covers up to the end of the section (the literal pool).
        assertEquals("raw_label+0x4", t.describe(text + 0x24));
        assertEquals("raw_label+0xc", t.describe(text + 0x2c));
        assertEquals("0x40080030", t.describe(text + 0x30));
        assertEquals("0x4007fffc", t.describe(text - 4));
        // Data symbols are not code: the address of counter does not resolve to a function.
        long counter = t.byName("counter").orElseThrow().value();
        assertFalse(t.lookup(counter).isPresent());
        SymbolTable.Location loc = t.lookup(text + 0x1c).orElseThrow();
        assertEquals("helper", loc.symbol().name());
        assertEquals(4, loc.offset());
        // The assembler's mapping symbols ($x at code, $d at the literal pool) are never reported.
        assertTrue(t.symbols().stream().anyMatch(s -> s.name().equals("$d") && s.value() == text + 0x28),
                "the literal pool should carry a $d mapping symbol");
    }

    @Test
    void loadWritesSegmentsAndZeroesBss() throws Exception {
        byte[] file = Files.readAllBytes(path);
        long base = 0x4007_0000L;
        byte[] ram = new byte[0x40000];
        Arrays.fill(ram, (byte) 0xaa); // so the zero-fill is visible
        long[] zeroed = new long[2];
        elf.load(new SegmentSink() {
            @Override
            public void write(long physAddr, byte[] data, int off, int len) {
                System.arraycopy(data, off, ram, Math.toIntExact(physAddr - base), len);
            }

            @Override
            public void zero(long physAddr, long len) {
                Arrays.fill(ram, Math.toIntExact(physAddr - base), Math.toIntExact(physAddr - base + len), (byte) 0);
                zeroed[0] = physAddr;
                zeroed[1] = len;
            }
        });
        ByteBuffer mem = ByteBuffer.wrap(ram).order(ByteOrder.LITTLE_ENDIAN);
        int textAt = (int) (ElfTestProgram.TEXT - base);
        assertEquals(0xd2800541, mem.getInt(textAt + 4), "mov x1, #42");
        assertEquals(0x91000400, mem.getInt(textAt + 0x18), "helper: add x0, x0, #1");
        assertEquals(0xd65f03c0, mem.getInt(textAt + 0x1c), "ret");
        long counter = elf.symbols().byName("counter").orElseThrow().value();
        assertEquals(7, mem.getLong((int) (counter - base)));
        long buffer = elf.symbols().byName("buffer").orElseThrow().value();
        assertEquals(buffer, zeroed[0]);
        assertEquals(4096, zeroed[1]);
        byte[] bss = Arrays.copyOfRange(ram, (int) (buffer - base), (int) (buffer - base) + 4096);
        assertArrayEquals(new byte[4096], bss);
        assertEquals((byte) 0xaa, ram[(int) (buffer - base) + 4096], "nothing written past the segment");
        // The first segment starts with the ELF header itself, copied verbatim.
        assertArrayEquals(Arrays.copyOf(file, 64), Arrays.copyOf(ram, 64));
    }

    private static long hex(String s) {
        return HexFormat.fromHexDigitsToLong(s);
    }
}
