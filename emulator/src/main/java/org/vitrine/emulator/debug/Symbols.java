package org.vitrine.emulator.debug;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import org.vitrine.emulator.elf.ElfFile;
import org.vitrine.emulator.elf.ElfFormatException;
import org.vitrine.emulator.elf.ElfSegment;
import org.vitrine.emulator.elf.ElfSymbol;
import org.vitrine.emulator.elf.SymbolTable;

/**
 * Names for code addresses: the kernel ELF's symbols, and those of the user program the current
 * process runs. rost loads every program (a static-PIE ELF) at {@link #USER_IMAGE_BASE} in its own
 * address space, so an address below the kernel means "the current process's program"; which
 * program that is, is found by comparing the first bytes of each candidate's code segment with
 * what is mapped there (cached per address space, i.e. per TTBR0 value: rost never reuses pids,
 * which are part of the ASID). Candidates come from a directory of program ELFs (the unstripped
 * ones in guest-apps/target/.../release carry symbols; the stripped build/*.elf are recognised but
 * nameless inside).
 */
public final class Symbols {
    /** abi::USER_IMAGE_BASE: where rost's loader puts every program. */
    public static final long USER_IMAGE_BASE = 0x40_0000;
    private static final int PROBE = 64;

    /** A user program: its name (the file's, without .elf), symbols (relative to the load base) and code probe. */
    public record Program(String name, SymbolTable symbols, long probeVa, byte[] probe) { }

    private final SymbolTable kernel;
    private final long kernelLow, kernelHigh;
    private final List<Program> programs;
    private final Map<Long, Optional<Program>> bySpace = new HashMap<>();

    public Symbols(SymbolTable kernel, long kernelLow, long kernelHigh, List<Program> programs) {
        this.kernel = kernel;
        this.kernelLow = kernelLow;
        this.kernelHigh = kernelHigh;
        this.programs = List.copyOf(programs);
    }

    /** No symbols at all. */
    public static Symbols none() {
        return new Symbols(null, 0, 0, List.of());
    }

    /**
     * The kernel ELF's symbols and the programs in {@code programDirs} (each ELF file there; a name
     * found in an earlier directory wins). Unreadable or non-ELF files are skipped.
     */
    public static Symbols load(Path kernelElf, List<Path> programDirs) throws IOException, ElfFormatException {
        SymbolTable k = null;
        long low = 0, high = 0;
        if (kernelElf != null) {
            ElfFile elf = ElfFile.read(kernelElf);
            k = elf.symbols();
            low = Long.MAX_VALUE;
            for (ElfSegment s : elf.loadSegments()) {
                low = Math.min(low, s.vaddr());
                high = Math.max(high, s.vaddr() + s.memSize());
            }
        }
        Map<String, Program> found = new java.util.LinkedHashMap<>();
        for (Path dir : programDirs) {
            if (dir == null || !Files.isDirectory(dir)) continue;
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.sorted().toList()) {
                    String name = f.getFileName().toString().replaceFirst("\\.elf$", "");
                    if (found.containsKey(name) || !Files.isRegularFile(f) || name.contains(".")) continue;
                    Program p = program(name, f);
                    if (p != null) found.put(name, p);
                }
            }
        }
        return new Symbols(k, low, high, new ArrayList<>(found.values()));
    }

    private static Program program(String name, Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length < 4 || bytes[0] != 0x7f || bytes[1] != 'E') return null;
            ElfFile elf = ElfFile.parse(bytes);
            if (elf.type() != ElfFile.ET_DYN) return null;
            for (ElfSegment s : elf.loadSegments()) {
                if (!s.isExecutable() || s.fileSize() < PROBE) continue;
                byte[] probe = Arrays.copyOfRange(bytes, (int) s.offset(), (int) s.offset() + PROBE);
                return new Program(name, elf.symbols(), USER_IMAGE_BASE + s.vaddr(), probe);
            }
        } catch (IOException | ElfFormatException | RuntimeException e) {
            // not a program we can name: skipped
        }
        return null;
    }

    public List<Program> programs() {
        return programs;
    }

    /** True for an address inside the kernel image. */
    public boolean inKernel(long va) {
        return Long.compareUnsigned(va, kernelLow) >= 0 && Long.compareUnsigned(va, kernelHigh) < 0;
    }

    /**
     * The program mapped in the address space {@code ttbr0}, found by reading its code with
     * {@code read} (address, length -&gt; the bytes there, possibly fewer).
     */
    public Optional<Program> programOf(long ttbr0, BiFunction<Long, Integer, byte[]> read) {
        return bySpace.computeIfAbsent(ttbr0, t -> {
            for (Program p : programs) {
                if (Arrays.equals(read.apply(p.probeVa(), PROBE), p.probe())) return Optional.of(p);
            }
            return Optional.empty();
        });
    }

    /** {@code name+0x1c} (the kernel's, or {@code program:name+0x1c}), or the bare address. */
    public String describe(long va, Optional<Program> current) {
        Unwinder.Named n = locate(va, current);
        return n != null ? n.toString() : "0x" + Long.toHexString(va);
    }

    /** The function holding {@code va} (demangled; {@code program:} before a program's) and the offset into it, or null. */
    public Unwinder.Named locate(long va, Optional<Program> current) {
        if (kernel != null && inKernel(va)) {
            Optional<SymbolTable.Location> l = kernel.lookup(va);
            if (l.isPresent()) return named("", l.get());
        } else if (current.isPresent() && !inKernel(va)) {
            Optional<SymbolTable.Location> l = current.get().symbols().lookup(va - USER_IMAGE_BASE);
            if (l.isPresent()) return named(current.get().name() + ":", l.get());
        }
        return null;
    }

    private static Unwinder.Named named(String prefix, SymbolTable.Location l) {
        return new Unwinder.Named(prefix + RustNames.demangle(l.symbol().name()), l.offset());
    }

    /**
     * The address of a symbol: {@code name} in the kernel, or {@code program:name} in a program
     * (at its load address, in whichever process runs it).
     */
    public OptionalLong resolve(String symbol) {
        int colon = symbol.indexOf(':');
        if (colon >= 0 && colon + 1 < symbol.length() && symbol.charAt(colon + 1) == ':') colon = -1;   // a path: sched::start
        if (colon < 0) {
            return kernel == null ? OptionalLong.empty() : find(kernel, symbol, 0);
        }
        String prog = symbol.substring(0, colon), name = symbol.substring(colon + 1);
        for (Program p : programs) {
            if (p.name().equals(prog)) return find(p.symbols(), name, USER_IMAGE_BASE);
        }
        return OptionalLong.empty();
    }

    /** An exact (mangled) name, else the shortest demangled path that is or ends with {@code ::name}. */
    private static OptionalLong find(SymbolTable table, String name, long base) {
        Optional<ElfSymbol> exact = table.byName(name).filter(ElfSymbol::isDefined);
        if (exact.isPresent()) return OptionalLong.of(base + exact.get().value());
        ElfSymbol best = null;
        int bestLength = Integer.MAX_VALUE;
        for (ElfSymbol s : table.symbols()) {
            if (!s.isDefined() || s.type() != ElfSymbol.Type.FUNC && s.type() != ElfSymbol.Type.OBJECT) continue;
            String path = RustNames.demangle(s.name());
            if (RustNames.matches(path, name) && path.length() < bestLength) {
                best = s;
                bestLength = path.length();
            }
        }
        return best == null ? OptionalLong.empty() : OptionalLong.of(base + best.value());
    }
}
