package org.vitrine.emulator.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Lazily committed host memory for guest RAM: an anonymous private mmap with MAP_NORESERVE, so a
 * 512 MiB guest costs only the pages it touches, and pages read as zero until written.
 */
public final class HostMemory {
    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20,
            MAP_NORESERVE = 0x4000;
    private static final MethodHandle MMAP, MUNMAP;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        MMAP = linker.downcallHandle(libc.findOrThrow("mmap"),
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
        MUNMAP = linker.downcallHandle(libc.findOrThrow("munmap"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private HostMemory() { }

    /** Maps {@code size} bytes; the segment is unmapped when {@code arena} closes. */
    public static MemorySegment allocate(long size, Arena arena) {
        MemorySegment p;
        try {
            p = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("mmap failed", t);
        }
        if (p.address() == -1L || p.address() == 0) {
            throw new OutOfMemoryError("cannot reserve " + (size >> 20) + " MiB of address space for guest RAM");
        }
        return p.reinterpret(size, arena, seg -> {
            try {
                int unused = (int) MUNMAP.invokeExact(seg, size);
            } catch (Throwable ignored) {
                // the process is going away or the arena is closing; nothing to recover
            }
        });
    }
}
