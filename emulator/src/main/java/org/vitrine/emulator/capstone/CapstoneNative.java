package org.vitrine.emulator.capstone;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The downcall handles into libcapstone 4 — the whole unsafe surface of the binding. Nothing
 * outside this package sees a pointer.
 *
 * <p>The library is looked up once, by soname ({@code libcapstone.so.4}, which is what Debian's
 * {@code libcapstone4} package installs), then by its multiarch path, or at the path named by the
 * system property {@code vitrine.capstone.lib}. A failure is remembered instead of thrown from the
 * static initialiser (which would surface as an opaque {@code NoClassDefFoundError}); {@link
 * #require()} turns it into a {@link CapstoneException} that says what to install.
 */
@SuppressWarnings("restricted") // the restricted calls are the point of this class, and stay in it
final class CapstoneNative {
    private CapstoneNative() { }

    static final String SONAME = "libcapstone.so.4";
    static final Path MULTIARCH_PATH = Path.of("/usr/lib/x86_64-linux-gnu/libcapstone.so.4");

    static final int CS_ARCH_ARM64 = 1;
    static final int CS_MODE_LITTLE_ENDIAN = 0;
    static final int CS_OPT_DETAIL = 2;
    static final long CS_OPT_ON = 3;
    static final int CS_ERR_OK = 0;
    /** {@code ARM64_REG_ENDING}: register ids are below this. */
    static final int ARM64_REG_ENDING = 260;

    /** {@code cs_err cs_open(cs_arch, cs_mode, csh *handle)} */
    static final MethodHandle CS_OPEN;
    /** {@code cs_err cs_close(csh *handle)} */
    static final MethodHandle CS_CLOSE;
    /** {@code cs_err cs_option(csh, cs_opt_type, size_t value)} */
    static final MethodHandle CS_OPTION;
    /** {@code cs_insn *cs_malloc(csh)} */
    static final MethodHandle CS_MALLOC;
    /** {@code void cs_free(cs_insn *, size_t count)} */
    static final MethodHandle CS_FREE;
    /** {@code bool cs_disasm_iter(csh, const uint8_t **code, size_t *size, uint64_t *address, cs_insn *)} */
    static final MethodHandle CS_DISASM_ITER;
    /** {@code const char *cs_reg_name(csh, unsigned int reg_id)} */
    static final MethodHandle CS_REG_NAME;
    /** {@code const char *cs_strerror(cs_err)} */
    static final MethodHandle CS_STRERROR;

    private static final String UNAVAILABLE;

    static {
        MethodHandle open = null, close = null, option = null, malloc = null, free = null;
        MethodHandle iter = null, regName = null, strerror = null;
        String unavailable = null;
        try {
            SymbolLookup lib = lookup(System.getProperty("vitrine.capstone.lib"), SONAME, MULTIARCH_PATH);
            Linker linker = Linker.nativeLinker();
            checkVersion(lib, linker);
            open = downcall(lib, linker, "cs_open", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
            close = downcall(lib, linker, "cs_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            option = downcall(lib, linker, "cs_option", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG));
            malloc = downcall(lib, linker, "cs_malloc", FunctionDescriptor.of(ADDRESS, JAVA_LONG));
            free = downcall(lib, linker, "cs_free", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG));
            // The hot call: it never blocks nor calls back, so skip the thread-state transition.
            iter = downcall(lib, linker, "cs_disasm_iter",
                    FunctionDescriptor.of(JAVA_BOOLEAN, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS),
                    Linker.Option.critical(false));
            regName = downcall(lib, linker, "cs_reg_name", FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_INT));
            strerror = downcall(lib, linker, "cs_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        } catch (CapstoneException e) {
            unavailable = e.getMessage();
        }
        CS_OPEN = open;
        CS_CLOSE = close;
        CS_OPTION = option;
        CS_MALLOC = malloc;
        CS_FREE = free;
        CS_DISASM_ITER = iter;
        CS_REG_NAME = regName;
        CS_STRERROR = strerror;
        UNAVAILABLE = unavailable;
    }

    /** Throws a {@link CapstoneException} explaining why the library could not be bound, if it could not. */
    static void require() {
        if (UNAVAILABLE != null) throw new CapstoneException(UNAVAILABLE);
    }

    /** Text for a {@code cs_err} code. */
    static String strerror(int err) {
        try {
            String s = string((MemorySegment) CS_STRERROR.invokeExact(err));
            return s == null ? "error " + err : s;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Gives a pointer Capstone returned the size of the C object it points to. */
    static MemorySegment sized(MemorySegment pointer, long size) {
        return pointer.reinterpret(size);
    }

    /** A NUL-terminated string Capstone returned (its static name tables), or null for NULL. */
    static String string(MemorySegment pointer) {
        return pointer.equals(MemorySegment.NULL) ? null : pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** Downcalls cannot throw checked exceptions; anything that escapes one is a bug or a VM error. */
    static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("unexpected exception from a Capstone call", t);
    }

    /** Opens the library: at {@code override} if given, else by {@code soname}, else at {@code fallback}. */
    static SymbolLookup lookup(String override, String soname, Path fallback) {
        if (override != null) {
            try {
                return SymbolLookup.libraryLookup(Path.of(override), Arena.global());
            } catch (IllegalArgumentException e) {
                throw new CapstoneException("cannot load Capstone from vitrine.capstone.lib=" + override
                        + ": " + e.getMessage());
            }
        }
        try {
            return SymbolLookup.libraryLookup(soname, Arena.global());
        } catch (IllegalArgumentException bySoname) {
            try {
                return SymbolLookup.libraryLookup(fallback, Arena.global());
            } catch (IllegalArgumentException byPath) {
                throw new CapstoneException("cannot load " + soname + " (Capstone 4 disassembler): "
                        + "install it with 'apt-get install libcapstone4', or point the system property "
                        + "vitrine.capstone.lib at a libcapstone.so.4");
            }
        }
    }

    /** The struct layouts in {@link CsStructs} are Capstone 4's; refuse any other major version. */
    private static void checkVersion(SymbolLookup lib, Linker linker) {
        MethodHandle version = downcall(lib, linker, "cs_version",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment major = arena.allocate(JAVA_INT);
            MemorySegment minor = arena.allocate(JAVA_INT);
            int unused = (int) version.invokeExact(major, minor);
            if (major.get(JAVA_INT, 0) != 4) {
                throw new CapstoneException("the loaded Capstone is version " + major.get(JAVA_INT, 0) + "."
                        + minor.get(JAVA_INT, 0) + ", but Vitrine's binding is for Capstone 4 "
                        + "(install Debian's libcapstone4)");
            }
        } catch (CapstoneException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static MethodHandle downcall(SymbolLookup lib, Linker linker, String name,
                                         FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment fn = lib.find(name).orElseThrow(() -> new CapstoneException(
                "the loaded Capstone library has no symbol " + name + " (install Debian's libcapstone4)"));
        return linker.downcallHandle(fn, fd, options);
    }
}
