package org.vitrine.emulator.elf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The symbols of an ELF image, indexed for the two questions traces and the debugger ask: "what
 * is at this address?" ({@link #lookup}, {@link #describe}) and "where is this name?" ({@link
 * #byName}).
 *
 * <p>Address lookup considers code symbols only: functions, and untyped labels defined in an
 * executable section (hand-written assembly often omits {@code .type}) except the AArch64 mapping
 * symbols {@code $x}/{@code $d}. A symbol with a size covers {@code [value, value + size)}; one
 * without covers everything up to the next code symbol or the end of its section.
 */
public final class SymbolTable {
    /** A lookup result: {@code address = symbol.value() + offset}. */
    public record Location(ElfSymbol symbol, long offset) {
        @Override
        public String toString() {
            return offset == 0 ? symbol.name() : symbol.name() + "+0x" + Long.toHexString(offset);
        }
    }

    private static final SymbolTable EMPTY = new SymbolTable(List.of(), List.of());

    /**
     * By unsigned address (flipping the sign bit makes signed order match unsigned order); at one
     * address the preferred name first: functions before labels, global before local, larger first.
     */
    private static final Comparator<ElfSymbol> BY_ADDRESS =
            Comparator.comparingLong((ElfSymbol s) -> s.value() ^ Long.MIN_VALUE)
                    .thenComparingInt(SymbolTable::rank)
                    .thenComparing(Comparator.comparingLong(ElfSymbol::size).reversed())
                    .thenComparing(ElfSymbol::name);

    private final List<ElfSymbol> all;
    private final Map<String, ElfSymbol> byName = new HashMap<>();
    /** Code symbols sorted by unsigned address, the preferred one first at each address. */
    private final ElfSymbol[] code;
    private final long[] codeAddresses;
    /** How many bytes from its address each code symbol covers (unsigned; -1 means unbounded). */
    private final long[] codeExtents;

    SymbolTable(List<ElfSymbol> symbols, List<ElfSection> sections) {
        this.all = List.copyOf(symbols);
        List<ElfSymbol> codeList = new ArrayList<>();
        for (ElfSymbol s : all) {
            if (s.name().isEmpty() || !s.isDefined()) continue;
            byName.merge(s.name(), s, (old, neu) -> isLocal(old) && !isLocal(neu) ? neu : old);
            if (isCode(s, sections)) codeList.add(s);
        }
        codeList.sort(BY_ADDRESS);
        code = codeList.toArray(ElfSymbol[]::new);
        codeAddresses = new long[code.length];
        codeExtents = new long[code.length];
        for (int i = 0; i < code.length; i++) {
            codeAddresses[i] = code[i].value() ^ Long.MIN_VALUE;
            codeExtents[i] = extent(code[i], sections);
        }
    }

    static SymbolTable empty() {
        return EMPTY;
    }

    /** Every symbol in file order, without the null symbol 0. */
    public List<ElfSymbol> symbols() {
        return all;
    }

    /** The defined symbol called {@code name}; a global one wins over a local of the same name. */
    public Optional<ElfSymbol> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The code symbol covering {@code address} and the offset into it. */
    public Optional<Location> lookup(long address) {
        long key = address ^ Long.MIN_VALUE;
        int i = Arrays.binarySearch(codeAddresses, key);
        if (i < 0) i = -i - 2; // the last symbol below the address
        if (i < 0) return Optional.empty();
        while (i > 0 && codeAddresses[i - 1] == codeAddresses[i]) i--; // the preferred one at that address
        long offset = address - code[i].value();
        if (Long.compareUnsigned(offset, codeExtents[i]) >= 0) return Optional.empty();
        return Optional.of(new Location(code[i], offset));
    }

    /** {@code "name+0x1c"} for a trace line, or the bare hex address when no symbol covers it. */
    public String describe(long address) {
        return lookup(address).map(Location::toString).orElseGet(() -> "0x" + Long.toHexString(address));
    }

    private static boolean isCode(ElfSymbol s, List<ElfSection> sections) {
        if (s.type() == ElfSymbol.Type.FUNC) return true;
        if (s.type() != ElfSymbol.Type.NOTYPE || s.name().startsWith("$")) return false;
        int idx = s.sectionIndex();
        return idx < sections.size() && sections.get(idx).isExecutable();
    }

    private static long extent(ElfSymbol s, List<ElfSection> sections) {
        if (s.size() != 0) return s.size();
        int idx = s.sectionIndex();
        if (idx >= sections.size()) return -1;
        ElfSection sec = sections.get(idx);
        long into = s.value() - sec.addr();
        return Long.compareUnsigned(into, sec.size()) < 0 ? sec.size() - into : -1;
    }

    private static boolean isLocal(ElfSymbol s) {
        return s.binding() == ElfSymbol.Binding.LOCAL;
    }

    private static int rank(ElfSymbol s) {
        int r = s.type() == ElfSymbol.Type.FUNC ? 0 : 2;
        return r + (s.binding() == ElfSymbol.Binding.GLOBAL ? 0 : 1);
    }
}
