package org.vitrine.emulator.unicorn;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One libunicorn 2.1 (2.1.4 or newer) AArch64 engine, bound through the Foreign Function &amp; Memory API.
 *
 * <p>The unsafe surface is this class: every native call goes through a static MethodHandle,
 * every return code is checked, and every upcall (hook, MMIO callback) runs inside a trampoline
 * that catches anything thrown, remembers it, stops the emulation and lets {@link #start} rethrow
 * it once {@code uc_emu_start} has returned: an exception escaping an upcall would kill the JVM.
 *
 * <p>Native memory (upcall stubs, scratch buffers, RAM mapped with {@link #mapPtr}) lives in one
 * shared arena per engine, closed after {@code uc_close}. An engine is used from one thread at a
 * time (the emulation thread); {@link #stop()} is the one call that may come from elsewhere.
 */
public final class Unicorn implements AutoCloseable {
    public static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, PROT_ALL = 7;

    public static final int HOOK_INTR = 1, HOOK_INSN = 1 << 1, HOOK_CODE = 1 << 2, HOOK_BLOCK = 1 << 3;
    public static final int HOOK_MEM_READ_UNMAPPED = 1 << 4, HOOK_MEM_WRITE_UNMAPPED = 1 << 5,
            HOOK_MEM_FETCH_UNMAPPED = 1 << 6;
    public static final int HOOK_MEM_UNMAPPED = HOOK_MEM_READ_UNMAPPED | HOOK_MEM_WRITE_UNMAPPED | HOOK_MEM_FETCH_UNMAPPED;
    public static final int HOOK_MEM_READ = 1 << 10, HOOK_MEM_WRITE = 1 << 11, HOOK_MEM_FETCH = 1 << 12;

    /** {@code uc_arm64_insn} values for {@link #hookSysInsn}. */
    public static final int INS_MRS = 1, INS_MSR = 2, INS_SYS = 3, INS_SYSL = 4;

    public static final int ERR_READ_UNMAPPED = 6, ERR_WRITE_UNMAPPED = 7, ERR_FETCH_UNMAPPED = 8;

    /** {@code uc_cpu_arm64} CPU models. */
    public enum CpuModel { A57, A53, A72, MAX }

    /**
     * Minimum accepted library version: 2.1.4. 2.0.x takes a slow path on every guest store and
     * checks memory by virtual address (design/unicorn.md); 2.1.1 leaves PC at the start of the
     * translated block, not at the faulting load or store, when an access hits an unmapped
     * physical address, so an external abort's ELR could not be exact (docs/unicorn-notes.md).
     */
    public static final int MIN_VERSION = 0x02010400;

    /** What {@link #ensureAvailable} tells a user whose library is older than {@link #MIN_VERSION}. */
    private static final String WHY_MIN_VERSION = "2.0.x takes a ~100 ns slow path on every guest store and checks "
            + "memory by virtual address; 2.1.1 does not report which load or store touched an unmapped address, "
            + "which the guest's external aborts need";

    private static final int UC_ARCH_ARM64 = 2, UC_MODE_ARM = 0;
    private static final int CTL_WRITE = 1 << 30;
    private static final int CTL_CPU_MODEL = 7 | (1 << 26) | CTL_WRITE;
    private static final int CTL_PAGE_SIZE = 1 | (1 << 26) | CTL_WRITE;
    /**
     * The engine's target page (its TLB, dirty tracking and mapping granule), set when the engine is
     * opened. libunicorn's arm64 default is 1 KiB (AArch32's tiny pages); with 4 KiB, as QEMU uses
     * for a v8 CPU, a guest's 4 KiB page costs one TLB refill instead of four, which after every
     * address-space switch (a full TLB flush) is most of a context switch's host time.
     */
    public static final int PAGE_SIZE = 4096;
    private static final int CTL_TB_REMOVE_CACHE = 9 | (2 << 26) | CTL_WRITE;
    private static final int CTL_TB_FLUSH = 10 | CTL_WRITE;
    private static final int CTL_TLB_FLUSH = 11 | CTL_WRITE;

    // ---- native entry points ---------------------------------------------------------------
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Throwable LOAD_FAILURE;
    private static final String LIBRARY_PATH;
    private static final SymbolLookup LIBRARY;
    private static final MethodHandle UC_VERSION, UC_OPEN, UC_CLOSE, UC_STRERROR, UC_REG_READ, UC_REG_WRITE,
            UC_MEM_MAP, UC_MEM_MAP_PTR, UC_MMIO_MAP, UC_MEM_UNMAP, UC_MEM_READ, UC_MEM_WRITE, UC_EMU_START,
            UC_EMU_STOP, UC_HOOK_ADD, UC_HOOK_DEL, UC_CTL_INT, UC_CTL_NONE, UC_CTL_LONG2, UC_CONTEXT_SIZE,
            UC_CONTEXT_ALLOC, UC_CONTEXT_SAVE, UC_CONTEXT_RESTORE, UC_CONTEXT_FREE;

    static {
        MethodHandle[] h = new MethodHandle[24];
        Throwable failure = null;
        String path = null;
        SymbolLookup found = null;
        try {
            Arena global = Arena.global();
            SymbolLookup lib = null;
            List<String> tried = new ArrayList<>();
            for (String candidate : libraryCandidates()) {
                tried.add(candidate);
                try {
                    if (candidate.contains("/")) {
                        if (!Files.isRegularFile(Path.of(candidate))) continue;
                        lib = SymbolLookup.libraryLookup(Path.of(candidate), global);
                    } else {
                        lib = SymbolLookup.libraryLookup(candidate, global);
                    }
                } catch (IllegalArgumentException e) {
                    continue;
                }
                path = candidate;
                break;
            }
            if (lib == null) {
                throw new UnicornException("libunicorn 2.1.4 not found (tried " + tried + "). Run ./scripts/setup.sh, "
                        + "which extracts Debian sid's libunicorn2t64 into .deps/unicorn-2.1.4, or set -Dvitrine.unicorn.lib=PATH.");
            }
            SymbolLookup l = lib;
            found = lib;
            int i = 0;
            h[i++] = down(l, "uc_version", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), false);
            h[i++] = down(l, "uc_open", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), false);
            h[i++] = down(l, "uc_close", FunctionDescriptor.of(JAVA_INT, ADDRESS), false);
            h[i++] = down(l, "uc_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT), true);
            h[i++] = down(l, "uc_reg_read", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), true);
            h[i++] = down(l, "uc_reg_write", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), true);
            h[i++] = down(l, "uc_mem_map", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT), false);
            h[i++] = down(l, "uc_mem_map_ptr", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS), false);
            h[i++] = down(l, "uc_mmio_map", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS), false);
            h[i++] = down(l, "uc_mem_unmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), false);
            h[i++] = down(l, "uc_mem_read", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG), false);
            h[i++] = down(l, "uc_mem_write", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG), false);
            h[i++] = down(l, "uc_emu_start", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), false);
            h[i++] = down(l, "uc_emu_stop", FunctionDescriptor.of(JAVA_INT, ADDRESS), false);
            // uc_hook_add is variadic after `end`; the extra int is the instruction id for HOOK_INSN
            // and ignored otherwise, so one shape serves every hook type.
            h[i++] = LINKER.downcallHandle(l.findOrThrow("uc_hook_add"), FunctionDescriptor.of(JAVA_INT,
                    ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT), Linker.Option.firstVariadicArg(7));
            h[i++] = down(l, "uc_hook_del", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), false);
            MemorySegment ctl = l.findOrThrow("uc_ctl");
            h[i++] = LINKER.downcallHandle(ctl, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
            h[i++] = LINKER.downcallHandle(ctl, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            h[i++] = LINKER.downcallHandle(ctl, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
            h[i++] = down(l, "uc_context_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS), true);
            h[i++] = down(l, "uc_context_alloc", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), false);
            h[i++] = down(l, "uc_context_save", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), false);
            h[i++] = down(l, "uc_context_restore", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), false);
            h[i++] = down(l, "uc_context_free", FunctionDescriptor.of(JAVA_INT, ADDRESS), false);
        } catch (Throwable t) {
            failure = t;
        }
        LOAD_FAILURE = failure;
        LIBRARY_PATH = path;
        LIBRARY = found;
        int i = 0;
        UC_VERSION = h[i++]; UC_OPEN = h[i++]; UC_CLOSE = h[i++]; UC_STRERROR = h[i++]; UC_REG_READ = h[i++];
        UC_REG_WRITE = h[i++]; UC_MEM_MAP = h[i++]; UC_MEM_MAP_PTR = h[i++]; UC_MMIO_MAP = h[i++]; UC_MEM_UNMAP = h[i++];
        UC_MEM_READ = h[i++]; UC_MEM_WRITE = h[i++]; UC_EMU_START = h[i++]; UC_EMU_STOP = h[i++]; UC_HOOK_ADD = h[i++];
        UC_HOOK_DEL = h[i++]; UC_CTL_INT = h[i++]; UC_CTL_NONE = h[i++]; UC_CTL_LONG2 = h[i++]; UC_CONTEXT_SIZE = h[i++];
        UC_CONTEXT_ALLOC = h[i++]; UC_CONTEXT_SAVE = h[i++]; UC_CONTEXT_RESTORE = h[i++]; UC_CONTEXT_FREE = h[i++];
    }

    private static MethodHandle down(SymbolLookup l, String name, FunctionDescriptor fd, boolean critical) {
        return critical
                ? LINKER.downcallHandle(l.findOrThrow(name), fd, Linker.Option.critical(false))
                : LINKER.downcallHandle(l.findOrThrow(name), fd);
    }

    /** Where to look for libunicorn, best first: explicit setting, the project's .deps, the system. */
    private static List<String> libraryCandidates() {
        List<String> c = new ArrayList<>();
        String explicit = System.getProperty("vitrine.unicorn.lib", System.getenv("VITRINE_UNICORN_LIB"));
        if (explicit != null && !explicit.isBlank()) c.add(explicit);
        String rel = ".deps/unicorn-2.1.4/usr/lib/x86_64-linux-gnu/libunicorn.so.2";
        for (String root : new String[] {System.getProperty("vitrine.root"), System.getenv("VITRINE_ROOT"), "."}) {
            if (root == null) continue;
            for (Path dir = Path.of(root).toAbsolutePath(); dir != null; dir = dir.getParent()) {
                Path p = dir.resolve(rel);
                if (Files.isRegularFile(p)) {
                    c.add(p.toString());
                    break;
                }
            }
        }
        c.add("/usr/lib/x86_64-linux-gnu/libunicorn.so.2");
        c.add("libunicorn.so.2");
        return c;
    }

    /** Throws a clear error when libunicorn &gt;= 2.1.4 cannot be used. */
    public static void ensureAvailable() {
        if (LOAD_FAILURE != null) {
            if (LOAD_FAILURE instanceof UnicornException ue) throw ue;
            if (LOAD_FAILURE instanceof IllegalCallerException) {
                throw new UnicornException("native access is not enabled: run java with --enable-native-access=ALL-UNNAMED", LOAD_FAILURE);
            }
            throw new UnicornException("cannot bind libunicorn: " + LOAD_FAILURE, LOAD_FAILURE);
        }
        int v = version();
        if (Integer.compareUnsigned(v, MIN_VERSION) < 0) {
            throw new UnicornException(String.format("libunicorn %s at %s is too old: Vitrine needs %s or newer (%s). "
                    + "Run ./scripts/setup.sh to fetch Debian sid's libunicorn2t64 into .deps/unicorn-2.1.4, or point "
                    + "-Dvitrine.unicorn.lib at a libunicorn.so.2 of version %s+.", versionString(v), LIBRARY_PATH,
                    versionString(MIN_VERSION), WHY_MIN_VERSION, versionString(MIN_VERSION)));
        }
    }

    /** {@code uc_version()}: major &lt;&lt; 24 | minor &lt;&lt; 16 | patch &lt;&lt; 8 | extra. */
    public static int version() {
        if (UC_VERSION == null) ensureAvailableNoVersion();
        try {
            return (int) UC_VERSION.invokeExact(MemorySegment.NULL, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new UnicornException("uc_version failed", t);
        }
    }

    private static void ensureAvailableNoVersion() {
        if (LOAD_FAILURE instanceof UnicornException ue) throw ue;
        throw new UnicornException("cannot bind libunicorn: " + LOAD_FAILURE, LOAD_FAILURE);
    }

    public static String versionString(int v) {
        return ((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff);
    }

    public static String libraryPath() {
        return LIBRARY_PATH;
    }

    /** Address of a libunicorn function, for native code that calls back into the library. */
    public MemorySegment symbol(String name) {
        return LIBRARY.findOrThrow(name);
    }

    /** This engine's {@code uc_engine *}, for native code that calls the library with it (the a53 model's restore). */
    public MemorySegment engine() {
        return uc;
    }

    // ---- callback interfaces --------------------------------------------------------------

    /** UC_HOOK_INTR: a CPU exception, {@code intno} being QEMU's EXCP_* number. */
    @FunctionalInterface public interface InterruptHook { void onInterrupt(int intno); }

    /** UC_HOOK_BLOCK and UC_HOOK_CODE. */
    @FunctionalInterface public interface CodeHook { void onCode(long address, int size); }

    /** UC_HOOK_MEM_READ/WRITE/FETCH. */
    @FunctionalInterface public interface MemoryHook { void onAccess(int type, long address, int size, long value); }

    /** Unmapped or protection events; return true when the hook fixed the problem and the access should be retried. */
    @FunctionalInterface public interface MemoryEventHook { boolean onEvent(int type, long address, int size, long value); }

    /**
     * MRS / MSR / SYS / SYSL. {@code reg} is the Unicorn id of the transfer register; for writes
     * {@code value} is what is written. Return true to skip the instruction (the hook emulated it).
     */
    @FunctionalInterface public interface SysInsnHook {
        boolean onSysInsn(int reg, int op0, int op1, int crn, int crm, int op2, long value);
    }

    /** MMIO callbacks: offset from the region base, access size in bytes. */
    public interface MmioHandler {
        long read(long offset, int size);
        void write(long offset, int size, long value);
    }

    // ---- QEMU internals libunicorn exports (optional) -------------------------------------

    /**
     * libunicorn exports QEMU's own functions too (Debian's build does). Two of them drop the
     * translated code of a guest RAM range from inside a hook without ending the run, which
     * uc_ctl's remove-cache cannot do (it goes by virtual address and needs the page executable
     * at the current EL). Null when the library does not export them.
     */
    private static final MethodHandle RAM_ADDR_FROM_HOST = optional("qemu_ram_addr_from_host_aarch64",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS));
    private static final MethodHandle TB_INVALIDATE_PHYS_RANGE = optional("tb_invalidate_phys_range_aarch64",
            FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final long RAM_ADDR_INVALID = -1;
    /** uc_reg_read_batch / uc_reg_write_batch(uc, int *ids, void **values, int count): see {@link Batch}. */
    private static final MethodHandle UC_REG_READ_BATCH = optional("uc_reg_read_batch",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle UC_REG_WRITE_BATCH = optional("uc_reg_write_batch",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
    /** uc_reg_write2(uc, regid, value, size*): public API, see {@link #jumpFromHook}. */
    private static final MethodHandle UC_REG_WRITE2 = optional("uc_reg_write2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));

    /**
     * uc_vitrine_block_counter(uc, const uc_block_counter *): only in a libunicorn built with
     * Vitrine's patch 0005 (scripts/unicorn/); Debian's library lacks it. See {@link #countBlocksInline}.
     */
    private static final MethodHandle UC_VITRINE_BLOCK_COUNTER = optional("uc_vitrine_block_counter",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    private static MethodHandle optional(String name, FunctionDescriptor fd) {
        if (LIBRARY == null) return null;
        try {
            return LIBRARY.find(name).map(f -> LINKER.downcallHandle(f, fd)).orElse(null);
        } catch (RuntimeException e) {
            return null; // e.g. native access not enabled: ensureAvailable reports that
        }
    }

    /** True when {@link #invalidateCode} is available. */
    public static boolean canInvalidateCodeInHooks() {
        return RAM_ADDR_FROM_HOST != null && TB_INVALIDATE_PHYS_RANGE != null;
    }

    /**
     * Drops the translated blocks made from guest RAM {@code hostBytes} (a slice of memory mapped
     * with {@link #mapPtr}), by physical location, so it works for any virtual alias and from
     * inside a hook while the CPU runs (QEMU's own helpers do the same for self-modifying code).
     * False when it could not (not exported, or not mapped RAM): the caller falls back to
     * {@link #removeTranslations} between runs.
     */
    public boolean invalidateCode(MemorySegment hostBytes) {
        if (!canInvalidateCodeInHooks()) return false;
        codeChanged();
        try {
            long ramAddr = (long) RAM_ADDR_FROM_HOST.invokeExact(uc, hostBytes);
            if (ramAddr == RAM_ADDR_INVALID) return false;
            TB_INVALIDATE_PHYS_RANGE.invokeExact(uc, ramAddr, ramAddr + hostBytes.byteSize());
            return true;
        } catch (Throwable t) {
            throw new UnicornException("tb_invalidate_phys_range", t);
        }
    }

    // ---- engine --------------------------------------------------------------------------

    private final Arena arena = Arena.ofShared();
    private final MemorySegment uc;
    private final MemorySegment scratch;      // 64 bytes for register values
    private final MemorySegment cpReg;        // uc_arm64_cp_reg (32 bytes)
    private final MemorySegment hookHandle;   // uc_hook out-parameter
    private final List<Object> keepAlive = new ArrayList<>();
    private volatile boolean running;
    private Throwable upcallFailure;
    private boolean closed;

    private Unicorn(MemorySegment uc) {
        this.uc = uc;
        this.scratch = arena.allocate(64, 16);
        this.cpReg = arena.allocate(32, 8);
        this.hookHandle = arena.allocate(JAVA_LONG);
    }

    /** Opens an AArch64 engine with the given CPU model (set first, as libunicorn requires). */
    public static Unicorn open(CpuModel model) {
        ensureAvailable();
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment out = tmp.allocate(ADDRESS);
            check((int) UC_OPEN.invokeExact(UC_ARCH_ARM64, UC_MODE_ARM, out), "uc_open");
            Unicorn u = new Unicorn(out.get(ADDRESS, 0));
            try {
                check((int) UC_CTL_INT.invokeExact(u.uc, CTL_CPU_MODEL, model.ordinal()), "uc_ctl(CPU_MODEL)");
                check((int) UC_CTL_INT.invokeExact(u.uc, CTL_PAGE_SIZE, PAGE_SIZE), "uc_ctl(PAGE_SIZE)");
            } catch (RuntimeException e) {
                u.close();
                throw e;
            }
            return u;
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new UnicornException("uc_open failed", t);
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            int unused = (int) UC_CLOSE.invokeExact(uc);
        } catch (Throwable t) {
            // nothing sensible to do: the arena is closed next either way
        }
        arena.close();
    }

    /** The engine's arena, for native memory that must live exactly as long as the engine. */
    public Arena arena() {
        return arena;
    }

    private static void check(int err, String what) {
        if (err != 0) throw new UnicornException(what + ": " + strerror(err) + " (uc_err " + err + ")", err);
    }

    public static String strerror(int err) {
        try {
            MemorySegment s = (MemorySegment) UC_STRERROR.invokeExact(err);
            return s.equals(MemorySegment.NULL) ? "error " + err : s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "error " + err;
        }
    }

    // ---- memory ---------------------------------------------------------------------------

    public void map(long address, long size, int perms) {
        try {
            check((int) UC_MEM_MAP.invokeExact(uc, address, size, perms), mapWhat("uc_mem_map", address, size));
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_mem_map", t); }
    }

    /** Maps host memory the caller owns as guest physical memory: no copy between the two. */
    public void mapPtr(long address, MemorySegment host, int perms) {
        try {
            check((int) UC_MEM_MAP_PTR.invokeExact(uc, address, host.byteSize(), perms, host),
                    mapWhat("uc_mem_map_ptr", address, host.byteSize()));
            keepAlive.add(host);
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_mem_map_ptr", t); }
    }

    private static String mapWhat(String fn, long address, long size) {
        return String.format("%s(0x%x, 0x%x)", fn, address, size);
    }

    public void unmap(long address, long size) {
        try {
            check((int) UC_MEM_UNMAP.invokeExact(uc, address, size), mapWhat("uc_mem_unmap", address, size));
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_mem_unmap", t); }
    }

    /** Maps an MMIO region whose accesses call {@code handler} on the emulation thread. */
    public void mapMmio(long address, long size, MmioHandler handler) {
        MmioTrampoline t = new MmioTrampoline(handler);
        MemorySegment read = upcall(t, "read", MethodType.methodType(long.class, MemorySegment.class, long.class, int.class, MemorySegment.class),
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS));
        MemorySegment write = upcall(t, "write", MethodType.methodType(void.class, MemorySegment.class, long.class, int.class, long.class, MemorySegment.class),
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS));
        try {
            check((int) UC_MMIO_MAP.invokeExact(uc, address, size, read, MemorySegment.NULL, write, MemorySegment.NULL),
                    mapWhat("uc_mmio_map", address, size));
        } catch (RuntimeException e) { throw e; } catch (Throwable t2) { throw new UnicornException("uc_mmio_map", t2); }
        keepAlive.add(t);
    }

    /**
     * Reads guest memory at a physical address (2.1 reads by physical address). Over an MMIO
     * region this calls the device's read callback; an exception it throws is rethrown here.
     */
    public void read(long address, MemorySegment into) {
        Throwable before = upcallFailure;
        try {
            int err = (int) UC_MEM_READ.invokeExact(uc, address, into, into.byteSize());
            if (err != 0) check(err, String.format("uc_mem_read(0x%x, %d)", address, into.byteSize()));
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_mem_read", t); }
        rethrowFailureSince(before);
    }

    public byte[] read(long address, int length) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment buf = tmp.allocate(Math.max(1, length));
            read(address, buf.asSlice(0, length));
            return buf.asSlice(0, length).toArray(JAVA_BYTE);
        }
    }

    /** Writes guest memory; over an MMIO region the device's write callback runs (and may throw). */
    public void write(long address, byte[] data) {
        Throwable before = upcallFailure;
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment buf = tmp.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, JAVA_BYTE, 0, data.length);
            int err = (int) UC_MEM_WRITE.invokeExact(uc, address, buf, (long) data.length);
            if (err != 0) check(err, String.format("uc_mem_write(0x%x, %d)", address, data.length));
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_mem_write", t); }
        rethrowFailureSince(before);
    }

    // ---- registers -------------------------------------------------------------------------

    public long reg(int id) {
        try {
            scratch.set(JAVA_LONG, 0, 0);
            int err = (int) UC_REG_READ.invokeExact(uc, id, scratch);
            if (err != 0) check(err, "uc_reg_read(" + id + ")"); // the message is built only on failure: this is a hot path
            return scratch.get(JAVA_LONG, 0);
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_reg_read", t); }
    }

    public void reg(int id, long value) {
        try {
            scratch.set(JAVA_LONG, 0, value);
            int err = (int) UC_REG_WRITE.invokeExact(uc, id, scratch);
            if (err != 0) check(err, "uc_reg_write(" + id + ")");
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_reg_write", t); }
    }

    /**
     * Sets PC from a hook that runs between blocks (the interrupt hook), so that the run goes on
     * at {@code pc} without leaving uc_emu_start. Unlike {@link #reg(int, long)} (uc_reg_write),
     * uc_reg_write2 does not set libunicorn's skip_sync_pc_on_exit, which would otherwise stay set
     * for the rest of the run and make a later access to an unmapped address report the start of
     * its block instead of the access (docs/unicorn-notes.md). Also fine outside runs.
     */
    public void jumpFromHook(long pc) {
        if (UC_REG_WRITE2 == null) {
            reg(Arm64Reg.PC, pc);
            return;
        }
        try {
            scratch.set(JAVA_LONG, 0, pc);
            scratch.set(JAVA_LONG, 8, 8);
            int err = (int) UC_REG_WRITE2.invokeExact(uc, Arm64Reg.PC, scratch, scratch.asSlice(8, 8));
            if (err != 0) check(err, "uc_reg_write2(PC)");
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_reg_write2", t); }
    }

    /**
     * A fixed list of registers read or written with one native call (uc_reg_read_batch /
     * uc_reg_write_batch) instead of one per register: exception entry touches about ten, and each
     * call crossing into libunicorn costs ~20-50 ns. Entries are 64-bit registers or system
     * registers by encoding (through CP_REG, whose write also rebuilds the cached EL/MMU flags, as
     * {@link #sysReg(int, int, int, int, int, long)}). Writing PC in a batch does not set
     * skip_sync_pc_on_exit (see {@link #jumpFromHook}). Made once, reused; not thread-safe.
     */
    public final class Batch {
        private static final long SLOT = 32;
        private final int count;
        private final MemorySegment ids, pointers, values;
        private final boolean[] cp;

        private Batch(int count) {
            this.count = count;
            ids = arena.allocate(4L * count, 4);
            pointers = arena.allocate(8L * count, 8);
            values = arena.allocate(SLOT * count, 8);
            cp = new boolean[count];
            for (int i = 0; i < count; i++) pointers.setAtIndex(ADDRESS, i, values.asSlice(SLOT * i, SLOT));
        }

        /** Entry {@code i} is the register {@code id} (an {@link Arm64Reg} constant, not CP_REG). */
        public Batch register(int i, int id) {
            ids.setAtIndex(JAVA_INT, i, id);
            cp[i] = false;
            return this;
        }

        /** Entry {@code i} is a system register by encoding (never CurrentEL or NZCV). */
        public Batch sysReg(int i, int op0, int op1, int crn, int crm, int op2) {
            rejectFatalSysReg(op0, op1, crn, crm, op2);
            ids.setAtIndex(JAVA_INT, i, Arm64Reg.CP_REG);
            MemorySegment v = values.asSlice(SLOT * i, SLOT);
            v.set(JAVA_INT, 0, crn);
            v.set(JAVA_INT, 4, crm);
            v.set(JAVA_INT, 8, op0);
            v.set(JAVA_INT, 12, op1);
            v.set(JAVA_INT, 16, op2);
            cp[i] = true;
            return this;
        }

        public void set(int i, long value) {
            values.set(JAVA_LONG, SLOT * i + (cp[i] ? 24 : 0), value);
        }

        public long get(int i) {
            return values.get(JAVA_LONG, SLOT * i + (cp[i] ? 24 : 0));
        }

        /** Reads every entry (get them with {@link #get}). */
        public void read() {
            for (int i = 0; i < count; i++) if (!cp[i]) values.set(JAVA_LONG, SLOT * i, 0);
            try {
                int err = (int) UC_REG_READ_BATCH.invokeExact(uc, ids, pointers, count);
                if (err != 0) check(err, "uc_reg_read_batch");
            } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_reg_read_batch", t); }
        }

        /** Writes every entry, in order (set them with {@link #set}). */
        public void write() {
            try {
                int err = (int) UC_REG_WRITE_BATCH.invokeExact(uc, ids, pointers, count);
                if (err != 0) check(err, "uc_reg_write_batch");
            } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_reg_write_batch", t); }
        }
    }

    /** A register batch of {@code count} entries. */
    public Batch batch(int count) {
        if (UC_REG_READ_BATCH == null || UC_REG_WRITE_BATCH == null) {
            throw new UnicornException("libunicorn at " + LIBRARY_PATH + " lacks uc_reg_read_batch / uc_reg_write_batch");
        }
        return new Batch(count);
    }

    /** True when {@link #jumpFromHook} keeps the run's exit PC exact (uc_reg_write2 is available). */
    public static boolean canJumpFromHook() {
        return UC_REG_WRITE2 != null;
    }

    /** Reads a 128-bit vector register Qn: {low, high}. */
    public long[] vector(int n) {
        try {
            int err = (int) UC_REG_READ.invokeExact(uc, Arm64Reg.q(n), scratch);
            if (err != 0) check(err, "uc_reg_read(q" + n + ")");
            return new long[] {scratch.get(JAVA_LONG, 0), scratch.get(JAVA_LONG, 8)};
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_reg_read", t); }
    }

    public void vector(int n, long lo, long hi) {
        try {
            scratch.set(JAVA_LONG, 0, lo);
            scratch.set(JAVA_LONG, 8, hi);
            int err = (int) UC_REG_WRITE.invokeExact(uc, Arm64Reg.q(n), scratch);
            if (err != 0) check(err, "uc_reg_write(q" + n + ")");
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_reg_write", t); }
    }

    /**
     * Reads a system register by its encoding. Never use this for CurrentEL or NZCV: libunicorn
     * asserts on them and the process dies (read PSTATE / NZCV through {@link #reg} instead).
     */
    public long sysReg(int op0, int op1, int crn, int crm, int op2) {
        rejectFatalSysReg(op0, op1, crn, crm, op2);
        try {
            fillCpReg(op0, op1, crn, crm, op2, 0);
            int err = (int) UC_REG_READ.invokeExact(uc, Arm64Reg.CP_REG, cpReg);
            if (err != 0) check(err, cpRegWhat("read", op0, op1, crn, crm, op2)); // the name is formatted only on failure
            return cpReg.get(JAVA_LONG, 24);
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_reg_read(CP_REG)", t); }
    }

    /**
     * Writes a system register by its encoding. In 2.1 this also rebuilds the cached translation
     * flags (exception level, MMU state), which a PSTATE write alone does not.
     */
    public void sysReg(int op0, int op1, int crn, int crm, int op2, long value) {
        rejectFatalSysReg(op0, op1, crn, crm, op2);
        try {
            fillCpReg(op0, op1, crn, crm, op2, value);
            int err = (int) UC_REG_WRITE.invokeExact(uc, Arm64Reg.CP_REG, cpReg);
            if (err != 0) check(err, cpRegWhat("write", op0, op1, crn, crm, op2));
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_reg_write(CP_REG)", t); }
    }

    private static void rejectFatalSysReg(int op0, int op1, int crn, int crm, int op2) {
        boolean currentEl = op0 == 3 && op1 == 0 && crn == 4 && crm == 2 && op2 == 2;
        boolean nzcv = op0 == 3 && op1 == 3 && crn == 4 && crm == 2 && op2 == 0;
        if (currentEl || nzcv) {
            throw new IllegalArgumentException("CurrentEL and NZCV must not go through CP_REG (libunicorn aborts); use PSTATE/NZCV");
        }
    }

    private void fillCpReg(int op0, int op1, int crn, int crm, int op2, long value) {
        cpReg.set(JAVA_INT, 0, crn);
        cpReg.set(JAVA_INT, 4, crm);
        cpReg.set(JAVA_INT, 8, op0);
        cpReg.set(JAVA_INT, 12, op1);
        cpReg.set(JAVA_INT, 16, op2);
        cpReg.set(JAVA_LONG, 24, value);
    }

    private static String cpRegWhat(String rw, int op0, int op1, int crn, int crm, int op2) {
        return String.format("uc_reg_%s(S%d_%d_C%d_C%d_%d)", rw, op0, op1, crn, crm, op2);
    }

    // ---- running ---------------------------------------------------------------------------

    /**
     * Runs from {@code begin} until {@code until} is reached, {@code count} instructions ran
     * (0 = no limit), {@link #stop()} or an error. An exception thrown by an upcall during the
     * run is rethrown here. Returns the uc_err code for emulation errors the caller may handle
     * (unmapped accesses, ...); 0 when the run ended normally.
     */
    public int start(long begin, long until, long timeoutMicros, long count) {
        upcallFailure = null;
        running = true;
        int err;
        try {
            err = (int) UC_EMU_START.invokeExact(uc, begin, until, timeoutMicros, count);
        } catch (Throwable t) {
            throw new UnicornException("uc_emu_start", t);
        } finally {
            running = false;
        }
        Throwable f = upcallFailure;
        if (f != null) {
            upcallFailure = null;
            rethrow(f);
        }
        return err;
    }

    /**
     * Rethrows a callback failure recorded during a host-side call that reached a device (uc_mem_read
     * / uc_mem_write over MMIO), which would otherwise be lost: the next {@link #start} clears it.
     * During a run the failure also stays recorded, so {@link #start} still reports it.
     */
    private void rethrowFailureSince(Throwable before) {
        Throwable f = upcallFailure;
        if (f == null || f == before) return;
        if (!running) upcallFailure = null;
        rethrow(f);
    }

    private static void rethrow(Throwable f) {
        if (f instanceof RuntimeException re) throw re;
        if (f instanceof Error e) throw e;
        throw new UnicornException("exception in a callback", f);
    }

    /** Asks a running emulation to stop at the next block boundary. Lost when nothing is running. */
    public void stop() {
        try {
            int unused = (int) UC_EMU_STOP.invokeExact(uc);
        } catch (Throwable t) {
            throw new UnicornException("uc_emu_stop", t);
        }
    }

    public boolean isRunning() {
        return running;
    }

    /** Records an upcall failure and stops the run, so {@link #start} rethrows it. */
    private void fail(Throwable t) {
        if (upcallFailure == null) upcallFailure = t;
        try {
            int unused = (int) UC_EMU_STOP.invokeExact(uc);
        } catch (Throwable ignored) {
            // stopping is best effort; start() still reports the failure
        }
    }

    // ---- hooks -----------------------------------------------------------------------------

    /** A registered hook; {@link #remove()} deletes it. */
    public final class Hook {
        private final long handle;
        private final Object target;

        private Hook(long handle, Object target) {
            this.handle = handle;
            this.target = target;
        }

        public void remove() {
            try {
                check((int) UC_HOOK_DEL.invokeExact(uc, handle), "uc_hook_del");
            } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_hook_del", t); }
            keepAlive.remove(target);
        }
    }

    public Hook hookInterrupt(InterruptHook hook) {
        return hookInterruptNative(interruptUpcall(hook), MemorySegment.NULL);
    }

    /**
     * The upcall stub of an interrupt hook, as a native function pointer
     * ({@code void f(uc_engine*, uint32_t intno, void*)}) that native code in front of it may call.
     * It lives as long as the engine.
     */
    public MemorySegment interruptUpcall(InterruptHook hook) {
        Object t = new Object() {
            @SuppressWarnings("unused")
            void call(MemorySegment u, int intno, MemorySegment ud) {
                try { hook.onInterrupt(intno); } catch (Throwable e) { fail(e); }
            }
        };
        keepAlive.add(t);
        return upcall(t, "call", MethodType.methodType(void.class, MemorySegment.class, int.class, MemorySegment.class),
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS));
    }

    /** UC_HOOK_INTR with a native callback ({@code void f(uc_engine*, uint32_t, void*)}) and its user data. */
    public Hook hookInterruptNative(MemorySegment function, MemorySegment userData) {
        try {
            check((int) UC_HOOK_ADD.invokeExact(uc, hookHandle, HOOK_INTR, function, userData, 1L, 0L, 0), "uc_hook_add(interrupt)");
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_hook_add", t); }
        keepAlive.add(userData);
        return new Hook(hookHandle.get(JAVA_LONG, 0), userData);
    }

    /**
     * An instruction counter the translator compiles into every block (patch 0005's
     * {@code uc_block_counter}): while the 64-bit word at {@code limit} is above the word at
     * {@code committed} in {@code state}, a block writes {@code blockAddress}, {@code blockSize}
     * (32-bit), {@code blockStart} (committed before it), {@code blockCycles} (its size / 4 times
     * {@code cyclesPerInsn}) and {@code blockExtra} (0), and adds to {@code committed} and
     * {@code retired}; otherwise it calls {@code slow} as a block hook with {@code slowData}.
     * Offsets are bytes into {@code state}.
     */
    public record BlockCounter(MemorySegment state, MemorySegment limit, int committed, int retired, int blockAddress,
                               int blockStart, int blockSize, int blockCycles, int blockExtra, long cyclesPerInsn,
                               MemorySegment slow, MemorySegment slowData) { }

    /** True when the loaded library can count instructions inline ({@link #countBlocksInline}). */
    public static boolean canCountBlocksInline() {
        return UC_VITRINE_BLOCK_COUNTER != null;
    }

    /**
     * Turns on {@code counter} for the blocks translated from now on (the translation cache is
     * flushed). Its segments must outlive the engine.
     */
    public void countBlocksInline(BlockCounter counter) {
        if (UC_VITRINE_BLOCK_COUNTER == null) {
            throw new UnicornException("libunicorn at " + LIBRARY_PATH + " lacks uc_vitrine_block_counter (Vitrine's patch 0005)");
        }
        MemorySegment d = arena.allocate(72, 8);  // struct uc_block_counter
        d.set(ADDRESS, 0, counter.state());
        d.set(ADDRESS, 8, counter.limit());
        int[] offsets = {counter.committed(), counter.retired(), counter.blockAddress(), counter.blockStart(),
                counter.blockSize(), counter.blockCycles(), counter.blockExtra()};
        for (int i = 0; i < offsets.length; i++) d.set(JAVA_INT, 16 + 4L * i, offsets[i]);
        d.set(JAVA_LONG, 48, counter.cyclesPerInsn());
        d.set(ADDRESS, 56, counter.slow());
        d.set(ADDRESS, 64, counter.slowData());
        try {
            check((int) UC_VITRINE_BLOCK_COUNTER.invokeExact(uc, d), "uc_vitrine_block_counter");
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_vitrine_block_counter", t); }
        keepAlive.add(counter.state());
        keepAlive.add(counter.limit());
        keepAlive.add(counter.slowData());
    }

    /** UC_HOOK_BLOCK over all addresses. */
    public Hook hookBlock(CodeHook hook) {
        return hookCode(HOOK_BLOCK, hook, 1, 0);
    }

    /**
     * UC_HOOK_BLOCK with a native callback ({@code void f(uc_engine*, uint64_t, uint32_t, void*)})
     * and its user data; both must outlive the engine.
     */
    public Hook hookBlockNative(MemorySegment function, MemorySegment userData) {
        try {
            check((int) UC_HOOK_ADD.invokeExact(uc, hookHandle, HOOK_BLOCK, function, userData, 1L, 0L, 0),
                    "uc_hook_add(native block)");
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_hook_add", t); }
        keepAlive.add(userData);
        return new Hook(hookHandle.get(JAVA_LONG, 0), userData);
    }

    /** UC_HOOK_CODE for [begin, end] (begin &gt; end means every address). */
    public Hook hookCode(CodeHook hook, long begin, long end) {
        return hookCode(HOOK_CODE, hook, begin, end);
    }

    /**
     * A code-hook upcall made once and installed any number of times with {@link #hookCode(CodeStub,
     * long, long)}: upcall stubs live as long as the engine, so a debugger that adds and removes a
     * hook per breakpoint on every resume would otherwise grow the arena without bound.
     */
    public final class CodeStub {
        private final Object target;
        private final MemorySegment stub;

        private CodeStub(Object target, MemorySegment stub) {
            this.target = target;
            this.stub = stub;
        }
    }

    public CodeStub codeStub(CodeHook hook) {
        Object t = new Object() {
            @SuppressWarnings("unused")
            void call(MemorySegment u, long address, int size, MemorySegment ud) {
                try { hook.onCode(address, size); } catch (Throwable e) { fail(e); }
            }
        };
        return new CodeStub(t, upcall(t, "call", MethodType.methodType(void.class, MemorySegment.class, long.class,
                int.class, MemorySegment.class), FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS)));
    }

    /** UC_HOOK_CODE for [begin, end] (begin &gt; end means every address) calling a prepared stub. */
    public Hook hookCode(CodeStub stub, long begin, long end) {
        try {
            check((int) UC_HOOK_ADD.invokeExact(uc, hookHandle, HOOK_CODE, stub.stub, MemorySegment.NULL, begin, end, 0),
                    "uc_hook_add(code)");
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_hook_add", t); }
        keepAlive.add(stub.target);
        return new Hook(hookHandle.get(JAVA_LONG, 0), stub.target);
    }

    private Hook hookCode(int type, CodeHook hook, long begin, long end) {
        Object t = new Object() {
            @SuppressWarnings("unused")
            void call(MemorySegment u, long address, int size, MemorySegment ud) {
                try { hook.onCode(address, size); } catch (Throwable e) { fail(e); }
            }
        };
        return addHook(type, t, MethodType.methodType(void.class, MemorySegment.class, long.class, int.class, MemorySegment.class),
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS), begin, end, 0);
    }

    /**
     * Memory access hooks (types HOOK_MEM_READ / WRITE / FETCH) over all addresses with a native
     * callback ({@code void f(uc_engine*, uc_mem_type, uint64_t, int, int64_t, void*)}) and its
     * user data; both must outlive the engine.
     */
    public Hook hookMemoryNative(int types, MemorySegment function, MemorySegment userData) {
        try {
            check((int) UC_HOOK_ADD.invokeExact(uc, hookHandle, types, function, userData, 1L, 0L, 0),
                    "uc_hook_add(native memory)");
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_hook_add", t); }
        keepAlive.add(userData);
        return new Hook(hookHandle.get(JAVA_LONG, 0), userData);
    }

    /** Memory access hooks (types HOOK_MEM_READ / WRITE / FETCH) over [begin, end]. */
    public Hook hookMemory(int types, MemoryHook hook, long begin, long end) {
        Object t = new Object() {
            @SuppressWarnings("unused")
            void call(MemorySegment u, int type, long address, int size, long value, MemorySegment ud) {
                try { hook.onAccess(type, address, size, value); } catch (Throwable e) { fail(e); }
            }
        };
        return addHook(types, t, MethodType.methodType(void.class, MemorySegment.class, int.class, long.class, int.class, long.class, MemorySegment.class),
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS), begin, end, 0);
    }

    /** Unmapped / protection event hooks over all addresses; a failing hook counts as "not handled". */
    public Hook hookMemoryEvent(int types, MemoryEventHook hook) {
        return hookMemoryEvent(types, hook, 1, 0);
    }

    /**
     * Unmapped / protection event hooks over the physical range [begin, end]. Keep such a hook off
     * RAM when it is not needed there: while any memory hook covers a RAM page, libunicorn 2.1.4
     * never marks its TLB entries dirty (cputlb.c, {@code notdirty_write}), so every guest store
     * to it takes the slow path (a region lookup and a check for translated code), several times
     * slower than a plain store.
     */
    public Hook hookMemoryEvent(int types, MemoryEventHook hook, long begin, long end) {
        Object t = new Object() {
            @SuppressWarnings("unused")
            boolean call(MemorySegment u, int type, long address, int size, long value, MemorySegment ud) {
                try { return hook.onEvent(type, address, size, value); } catch (Throwable e) { fail(e); return false; }
            }
        };
        return addHook(types, t, MethodType.methodType(boolean.class, MemorySegment.class, int.class, long.class, int.class, long.class, MemorySegment.class),
                FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS), begin, end, 0);
    }

    /** MRS / MSR / SYS / SYSL hook (insn one of INS_*). Must be added before code is translated. */
    public Hook hookSysInsn(int insn, SysInsnHook hook) {
        return hookSysInsnNative(insn, sysInsnUpcall(hook), MemorySegment.NULL);
    }

    /**
     * The upcall stub of a system-instruction hook, as a native function pointer
     * ({@code int f(uc_engine*, uc_arm64_reg, const uc_arm64_cp_reg*, void*)}) that native code
     * (a filter in front of it) may call. It lives as long as the engine.
     */
    public MemorySegment sysInsnUpcall(SysInsnHook hook) {
        Object t = new Object() {
            @SuppressWarnings("unused")
            int call(MemorySegment u, int reg, MemorySegment cp, MemorySegment ud) {
                try {
                    MemorySegment c = cp.reinterpret(32);
                    return hook.onSysInsn(reg, c.get(JAVA_INT, 8), c.get(JAVA_INT, 12), c.get(JAVA_INT, 0),
                            c.get(JAVA_INT, 4), c.get(JAVA_INT, 16), c.get(JAVA_LONG, 24)) ? 1 : 0;
                } catch (Throwable e) {
                    fail(e);
                    return 1;
                }
            }
        };
        keepAlive.add(t);
        return upcall(t, "call", MethodType.methodType(int.class, MemorySegment.class, int.class, MemorySegment.class, MemorySegment.class),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    }

    /** MRS / MSR / SYS / SYSL hook with a native callback and its user data (both must outlive the engine). */
    public Hook hookSysInsnNative(int insn, MemorySegment function, MemorySegment userData) {
        try {
            check((int) UC_HOOK_ADD.invokeExact(uc, hookHandle, HOOK_INSN, function, userData, 1L, 0L, insn),
                    "uc_hook_add(system instruction " + insn + ")");
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_hook_add", t); }
        keepAlive.add(userData);
        return new Hook(hookHandle.get(JAVA_LONG, 0), userData);
    }

    private Hook addHook(int type, Object target, MethodType mt, FunctionDescriptor fd, long begin, long end, int extra) {
        MemorySegment stub = upcall(target, "call", mt, fd);
        try {
            check((int) UC_HOOK_ADD.invokeExact(uc, hookHandle, type, stub, MemorySegment.NULL, begin, end, extra),
                    "uc_hook_add(type " + type + ")");
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_hook_add", t); }
        keepAlive.add(target);
        return new Hook(hookHandle.get(JAVA_LONG, 0), target);
    }

    private MemorySegment upcall(Object target, String method, MethodType mt, FunctionDescriptor fd) {
        try {
            MethodHandle mh = MethodHandles.privateLookupIn(target.getClass(), MethodHandles.lookup())
                    .findVirtual(target.getClass(), method, mt).bindTo(target);
            return LINKER.upcallStub(mh, fd, arena);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create upcall for " + method, e);
        }
    }

    private final class MmioTrampoline {
        private final MmioHandler handler;

        MmioTrampoline(MmioHandler handler) {
            this.handler = handler;
        }

        @SuppressWarnings("unused")
        long read(MemorySegment u, long offset, int size, MemorySegment ud) {
            try { return handler.read(offset, size); } catch (Throwable e) { fail(e); return 0; }
        }

        @SuppressWarnings("unused")
        void write(MemorySegment u, long offset, int size, long value, MemorySegment ud) {
            try { handler.write(offset, size, value); } catch (Throwable e) { fail(e); }
        }
    }

    // ---- uc_ctl ----------------------------------------------------------------------------

    private final List<Runnable> codeChangeListeners = new ArrayList<>();

    /**
     * Runs {@code listener} whenever translated code is dropped ({@link #flushTranslations},
     * {@link #removeTranslations}, {@link #invalidateCode}): whatever was derived from the old code
     * (the a53 timing model's block costs) must be derived again.
     */
    public void onCodeChange(Runnable listener) {
        codeChangeListeners.add(listener);
    }

    private void codeChanged() {
        for (Runnable r : codeChangeListeners) r.run();
    }

    /** Drops every translated block (needed after the host writes code into guest memory). */
    public void flushTranslations() {
        codeChanged();
        retranslate();
    }

    /**
     * Drops every translated block while the code stays as it was (a hook added or removed
     * reaches only blocks translated afterwards): what was derived from the code (the a53 model's
     * block costs and measurements) stays valid, and the {@link #onCodeChange} listeners are not
     * told, so that installing a debugger's or tracer's hook does not change guest time.
     */
    public void retranslate() {
        try {
            check((int) UC_CTL_NONE.invokeExact(uc, CTL_TB_FLUSH), "uc_ctl(TB_FLUSH)");
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_ctl", t); }
    }

    /** Drops the translated blocks covering [begin, end), addresses as the CPU currently sees them. */
    public void removeTranslations(long begin, long end) {
        codeChanged();
        try {
            check((int) UC_CTL_LONG2.invokeExact(uc, CTL_TB_REMOVE_CACHE, begin, end), "uc_ctl(TB_REMOVE_CACHE)");
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_ctl", t); }
    }

    public void flushTlb() {
        try {
            check((int) UC_CTL_NONE.invokeExact(uc, CTL_TLB_FLUSH), "uc_ctl(TLB_FLUSH)");
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_ctl", t); }
    }

    // ---- context ---------------------------------------------------------------------------

    public long contextSize() {
        try {
            return (long) UC_CONTEXT_SIZE.invokeExact(uc);
        } catch (Throwable t) {
            throw new UnicornException("uc_context_size", t);
        }
    }

    /**
     * A saved CPU context. {@link #bytes()} exposes the raw image: Vitrine reads QEMU's exception
     * record (syndrome, fault address) out of it at calibrated offsets.
     */
    public final class Context implements AutoCloseable {
        private final MemorySegment ptr;
        private final MemorySegment view;
        private boolean freed;

        private Context(MemorySegment ptr, long size) {
            this.ptr = ptr;
            this.view = ptr.reinterpret(size);
        }

        public MemorySegment bytes() {
            return view;
        }

        public void save() {
            try {
                check((int) UC_CONTEXT_SAVE.invokeExact(uc, ptr), "uc_context_save");
            } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_context_save", t); }
        }

        public void restore() {
            try {
                check((int) UC_CONTEXT_RESTORE.invokeExact(uc, ptr), "uc_context_restore");
            } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_context_restore", t); }
        }

        @Override
        public void close() {
            if (freed) return;
            freed = true;
            try {
                int unused = (int) UC_CONTEXT_FREE.invokeExact(ptr);
            } catch (Throwable ignored) {
                // freeing is best effort
            }
        }
    }

    public Context newContext() {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment out = tmp.allocate(ADDRESS);
            check((int) UC_CONTEXT_ALLOC.invokeExact(uc, out), "uc_context_alloc");
            MemorySegment p = out.get(ADDRESS, 0);
            return new Context(p, contextSize());
        } catch (RuntimeException e) { throw e; } catch (Throwable t) { throw new UnicornException("uc_context_alloc", t); }
    }
}
