package org.vitrine.emulator.elf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * A parsed and validated ELF64 little-endian AArch64 executable: its entry point, program
 * headers, section headers and symbol table. {@link #load} copies the loadable segments into
 * guest memory through a {@link SegmentSink}.
 *
 * <p>The file is untrusted input. Everything is checked before use — identification, machine,
 * header sizes, every table and segment against the file size, address ranges for wrap-around
 * and overlap, string-table references — and every problem is an {@link ElfFormatException}
 * with a message fit for the user. No allocation is sized by a header field beyond what the
 * file's own length bounds.
 */
public final class ElfFile {
    public static final int EM_AARCH64 = 183;
    public static final int ET_EXEC = 2;
    public static final int ET_DYN = 3;
    /** Larger inputs are refused before reading them (a kernel with full debug info is far smaller). */
    public static final long MAX_FILE_SIZE = 512L << 20;
    /** More symbols than any real kernel has (Linux: ~200k); bounds memory for hostile tables. */
    public static final int MAX_SYMBOLS = 1 << 21;

    static final int EHDR_SIZE = 64;
    static final int PHDR_SIZE = 56;
    static final int SHDR_SIZE = 64;
    static final int SYM_SIZE = 24;
    /** AArch64 physical addresses have at most 52 bits (FEAT_LPA); this also keeps sizes positive. */
    static final long MAX_PHYSICAL = 1L << 52;
    private static final int PN_XNUM = 0xffff;
    private static final int SHN_LORESERVE = 0xff00;

    private final byte[] data;
    private final int type;
    private final long entry;
    private final long physicalEntry;
    private final List<ElfSegment> segments;
    private final List<ElfSection> sections;
    private final SymbolTable symbols;

    private ElfFile(byte[] data, int type, long entry, long physicalEntry, List<ElfSegment> segments,
                    List<ElfSection> sections, SymbolTable symbols) {
        this.data = data;
        this.type = type;
        this.entry = entry;
        this.physicalEntry = physicalEntry;
        this.segments = List.copyOf(segments);
        this.sections = List.copyOf(sections);
        this.symbols = symbols;
    }

    /** Reads and parses the file at {@code path}. */
    public static ElfFile read(Path path) throws IOException, ElfFormatException {
        long size = Files.size(path);
        if (size > MAX_FILE_SIZE) {
            throw new ElfFormatException(path + " is " + size + " bytes; ELF images over " + MAX_FILE_SIZE + " bytes are refused");
        }
        return parse(Files.readAllBytes(path));
    }

    /**
     * Parses an ELF image held in memory. The array is kept (not copied) for {@link #load}: do not
     * modify it afterwards.
     */
    public static ElfFile parse(byte[] data) throws ElfFormatException {
        ElfReader r = new ElfReader(data);
        if (data.length < EHDR_SIZE) {
            throw new ElfFormatException("file is " + data.length + " bytes, too short for an ELF header (64 bytes)");
        }
        if (r.u32(0) != 0x464c457f) throw new ElfFormatException("not an ELF file (bad magic number)");
        if (r.u8(4) != 2) throw new ElfFormatException("not a 64-bit ELF file (EI_CLASS " + r.u8(4) + "); Vitrine loads AArch64 ELF64");
        if (r.u8(5) != 1) throw new ElfFormatException("not a little-endian ELF file (EI_DATA " + r.u8(5) + ")");
        if (r.u8(6) != 1) throw new ElfFormatException("unknown ELF version " + r.u8(6) + " in e_ident");
        int type = r.u16(16);
        if (type != ET_EXEC && type != ET_DYN) {
            throw new ElfFormatException("ELF type " + type + " is not an executable (expected ET_EXEC or ET_DYN)");
        }
        int machine = r.u16(18);
        if (machine != EM_AARCH64) {
            throw new ElfFormatException("ELF machine " + machine + " is not AArch64 (EM_AARCH64 = 183)");
        }
        if (r.u32(20) != 1) throw new ElfFormatException("unknown ELF version " + Integer.toUnsignedString(r.u32(20)));
        if (r.u16(52) != EHDR_SIZE) throw new ElfFormatException("ELF header size is " + r.u16(52) + ", expected 64");

        List<ElfSegment> segments = readSegments(r);
        List<ElfSection> sections = readSections(r);
        SymbolTable symbols = readSymbols(r, sections);

        long entry = r.u64(24);
        ElfSegment entrySegment = segments.stream()
                .filter(s -> s.isLoad() && s.isExecutable() && s.containsVirtual(entry)).findFirst()
                .orElseThrow(() -> new ElfFormatException(
                        "entry point 0x" + Long.toHexString(entry) + " is not inside an executable PT_LOAD segment"));
        return new ElfFile(data, type, entry, entrySegment.paddr() + (entry - entrySegment.vaddr()),
                segments, sections, symbols);
    }

    private static List<ElfSegment> readSegments(ElfReader r) throws ElfFormatException {
        long phoff = r.u64(32);
        int phnum = r.u16(56);
        if (phnum == PN_XNUM) throw new ElfFormatException("extended program header numbering (PN_XNUM) is not supported");
        if (phnum == 0) throw new ElfFormatException("no program headers: nothing to load");
        if (r.u16(54) != PHDR_SIZE) throw new ElfFormatException("program header entry size is " + r.u16(54) + ", expected 56");
        r.requireRange(phoff, (long) phnum * PHDR_SIZE, "program header table (" + phnum + " entries)");

        List<ElfSegment> segments = new ArrayList<>(phnum);
        for (int i = 0; i < phnum; i++) {
            long at = phoff + (long) i * PHDR_SIZE;
            ElfSegment s = new ElfSegment(r.u32(at), r.u32(at + 4), r.u64(at + 8), r.u64(at + 16),
                    r.u64(at + 24), r.u64(at + 32), r.u64(at + 40), r.u64(at + 48));
            segments.add(s);
            if (!s.isLoad()) continue;
            String what = "program header " + i + " (PT_LOAD)";
            r.requireRange(s.offset(), s.fileSize(), what + " data");
            if (Long.compareUnsigned(s.fileSize(), s.memSize()) > 0) {
                throw new ElfFormatException(String.format("%s: file size 0x%x exceeds memory size 0x%x",
                        what, s.fileSize(), s.memSize()));
            }
            requireNoWrap(s.vaddr(), s.memSize(), what + ": virtual range");
            if (Long.compareUnsigned(s.paddr(), MAX_PHYSICAL) > 0 || Long.compareUnsigned(s.memSize(), MAX_PHYSICAL - s.paddr()) > 0) {
                throw new ElfFormatException(String.format("%s: physical range 0x%x + 0x%x lies beyond the 52-bit "
                        + "physical address space", what, s.paddr(), s.memSize()));
            }
            if ((s.align() & (s.align() - 1)) != 0) {
                throw new ElfFormatException(String.format("%s: alignment 0x%x is not a power of two", what, s.align()));
            }
        }
        List<ElfSegment> loads = segments.stream().filter(ElfSegment::isLoad).filter(s -> s.memSize() != 0).toList();
        if (loads.isEmpty()) throw new ElfFormatException("no non-empty PT_LOAD segment: nothing to load");
        requireDisjoint(loads, ElfSegment::paddr, "physical");
        requireDisjoint(loads, ElfSegment::vaddr, "virtual");
        return segments;
    }

    private static List<ElfSection> readSections(ElfReader r) throws ElfFormatException {
        long shoff = r.u64(40);
        int shnum = r.u16(60);
        int shstrndx = r.u16(62);
        if (shnum == 0) {
            if (shoff != 0) throw new ElfFormatException("extended section numbering (e_shnum 0 with a table) is not supported");
            return List.of();
        }
        if (r.u16(58) != SHDR_SIZE) throw new ElfFormatException("section header entry size is " + r.u16(58) + ", expected 64");
        r.requireRange(shoff, (long) shnum * SHDR_SIZE, "section header table (" + shnum + " entries)");
        if (shstrndx >= shnum) {
            throw new ElfFormatException("section name table index " + shstrndx + " is out of range (" + shnum + " sections)");
        }

        List<ElfSection> sections = new ArrayList<>(shnum);
        long[] nameIndex = new long[shnum];
        for (int i = 0; i < shnum; i++) {
            long at = shoff + (long) i * SHDR_SIZE;
            nameIndex[i] = r.u32(at) & 0xffff_ffffL;
            ElfSection s = new ElfSection("", r.u32(at + 4), r.u64(at + 8), r.u64(at + 16), r.u64(at + 24),
                    r.u64(at + 32), r.u32(at + 40), r.u32(at + 44), r.u64(at + 56));
            if (s.hasFileData()) r.requireRange(s.offset(), s.size(), "section " + i + " data");
            sections.add(s);
        }
        if (shstrndx == 0) return sections; // no section names
        ElfSection table = sections.get(shstrndx);
        if (table.type() != ElfSection.SHT_STRTAB) {
            throw new ElfFormatException("section name table (section " + shstrndx + ") is not a string table");
        }
        ElfReader.StringTable names = r.stringTable(table.offset(), table.size(), "section name table");
        for (int i = 1; i < shnum; i++) {
            ElfSection s = sections.get(i);
            sections.set(i, new ElfSection(names.get(nameIndex[i], "section " + i), s.type(), s.flags(), s.addr(),
                    s.offset(), s.size(), s.link(), s.info(), s.entSize()));
        }
        return sections;
    }

    private static SymbolTable readSymbols(ElfReader r, List<ElfSection> sections) throws ElfFormatException {
        ElfSection symtab = sections.stream().filter(s -> s.type() == ElfSection.SHT_SYMTAB).findFirst().orElse(null);
        if (symtab == null) return SymbolTable.empty();
        if (symtab.entSize() != SYM_SIZE) {
            throw new ElfFormatException("symbol table entry size is " + symtab.entSize() + ", expected 24");
        }
        if (symtab.size() % SYM_SIZE != 0) {
            throw new ElfFormatException("symbol table size " + symtab.size() + " is not a multiple of 24");
        }
        long count = symtab.size() / SYM_SIZE; // the range was checked with the section, so count < 2^31 / 24
        if (count > MAX_SYMBOLS) throw new ElfFormatException("symbol table has " + count + " entries, more than " + MAX_SYMBOLS);
        if (Integer.compareUnsigned(symtab.link(), sections.size()) >= 0
                || sections.get(symtab.link()).type() != ElfSection.SHT_STRTAB) {
            throw new ElfFormatException("symbol table's string table (section " + Integer.toUnsignedString(symtab.link())
                    + ") is missing or not a string table");
        }
        ElfSection strtab = sections.get(symtab.link());
        ElfReader.StringTable names = r.stringTable(strtab.offset(), strtab.size(), "symbol string table");

        List<ElfSymbol> symbols = new ArrayList<>((int) count);
        for (int i = 1; i < count; i++) { // entry 0 is the reserved null symbol
            long at = symtab.offset() + (long) i * SYM_SIZE;
            int info = r.u8(at + 4);
            int shndx = r.u16(at + 6);
            if (shndx != ElfSymbol.SHN_UNDEF && shndx < SHN_LORESERVE && shndx >= sections.size()) {
                throw new ElfFormatException("symbol " + i + " refers to section " + shndx + ", but there are " + sections.size());
            }
            symbols.add(new ElfSymbol(names.get(r.u32(at) & 0xffff_ffffL, "symbol " + i), r.u64(at + 8), r.u64(at + 16),
                    ElfSymbol.Type.of(info & 0xf), ElfSymbol.Binding.of(info >>> 4), shndx));
        }
        return new SymbolTable(symbols, sections);
    }

    /** {@code [start, start + size)} must not wrap past 2^64. */
    private static void requireNoWrap(long start, long size, String what) throws ElfFormatException {
        if (size != 0 && Long.compareUnsigned(start, -size) > 0) {
            throw new ElfFormatException(String.format("%s 0x%x + 0x%x wraps around the address space", what, start, size));
        }
    }

    private static void requireDisjoint(List<ElfSegment> loads, ToLongFunction<ElfSegment> start, String kind)
            throws ElfFormatException {
        List<ElfSegment> sorted = new ArrayList<>(loads);
        sorted.sort(Comparator.comparingLong(s -> start.applyAsLong(s) ^ Long.MIN_VALUE)); // unsigned order
        for (int i = 1; i < sorted.size(); i++) {
            ElfSegment a = sorted.get(i - 1), b = sorted.get(i);
            long aStart = start.applyAsLong(a), bStart = start.applyAsLong(b);
            if (Long.compareUnsigned(bStart - aStart, a.memSize()) < 0) {
                throw new ElfFormatException(String.format("PT_LOAD segments overlap in %s memory: [0x%x, +0x%x) and [0x%x, +0x%x)",
                        kind, aStart, a.memSize(), bStart, b.memSize()));
            }
        }
    }

    /**
     * Copies every PT_LOAD segment to its physical address and zero-fills the rest of its memory
     * size. Exceptions thrown by the sink (e.g. for an address outside RAM) propagate unchanged.
     */
    public void load(SegmentSink sink) {
        for (ElfSegment s : segments) {
            if (!s.isLoad()) continue;
            // Validated in parse: the file part lies inside data, so both casts are exact.
            if (s.fileSize() != 0) sink.write(s.paddr(), data, (int) s.offset(), (int) s.fileSize());
            if (s.memSize() != s.fileSize()) sink.zero(s.paddr() + s.fileSize(), s.memSize() - s.fileSize());
        }
    }

    /** {@link #ET_EXEC} or {@link #ET_DYN}. */
    public int type() {
        return type;
    }

    /** The entry point as linked (a virtual address). */
    public long entry() {
        return entry;
    }

    /** The entry point translated to the physical address it is loaded at (they differ for a kernel linked high). */
    public long physicalEntry() {
        return physicalEntry;
    }

    /** All program headers, in file order. */
    public List<ElfSegment> segments() {
        return segments;
    }

    /** The PT_LOAD program headers, in file order. */
    public List<ElfSegment> loadSegments() {
        return segments.stream().filter(ElfSegment::isLoad).toList();
    }

    /** All section headers, in file order (empty for a stripped-of-sections file). */
    public List<ElfSection> sections() {
        return sections;
    }

    public SymbolTable symbols() {
        return symbols;
    }
}
