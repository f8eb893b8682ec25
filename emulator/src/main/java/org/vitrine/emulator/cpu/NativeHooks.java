package org.vitrine.emulator.cpu;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Vitrine's own native hooks (src/main/c/vitrine_hooks.c), shipped in the jar and extracted to a
 * temporary file once per process: the per-block clock ({@link NativeBlockClock}) and the
 * system-instruction filter ({@link NativeSysInsnFilter}).
 */
final class NativeHooks {
    private static final String RESOURCE = "/native/linux-x86_64/libvitrine_hooks.so";
    private static SymbolLookup library;

    private NativeHooks() { }

    /** The address of one of the library's functions. */
    static synchronized MemorySegment function(String name) {
        if (library == null) library = load();
        return library.findOrThrow(name);
    }

    private static SymbolLookup load() {
        try (InputStream in = NativeHooks.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("native hook library " + RESOURCE + " missing from the build "
                        + "(the emulator module compiles it with gcc; is gcc installed?)");
            }
            Path tmp = Files.createTempFile("vitrine-hooks", ".so");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return SymbolLookup.libraryLookup(tmp, Arena.global());
        } catch (IOException e) {
            throw new IllegalStateException("cannot extract the native hook library: " + e.getMessage(), e);
        }
    }
}
