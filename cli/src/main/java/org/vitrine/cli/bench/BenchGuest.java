package org.vitrine.cli.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.vitrine.emulator.elf.ElfFile;
import org.vitrine.emulator.elf.ElfFormatException;
import org.vitrine.emulator.elf.ElfSegment;

/**
 * A bare-metal benchmark guest from src/main/asm (assembled into the jar as bench/NAME.elf by the
 * build), with its parameter block filled in: each guest starts with a branch over two 64-bit
 * words at entry + 8, the iteration count and a mode.
 */
final class BenchGuest {
    private BenchGuest() { }

    /** Writes guest {@code name} with these parameters into a temporary file and returns it. */
    static Path write(String name, long iterations, long mode) throws IOException {
        byte[] elf;
        try (InputStream in = BenchGuest.class.getResourceAsStream("/bench/" + name + ".elf")) {
            if (in == null) throw new IllegalStateException("benchmark guest bench/" + name + ".elf missing from the build (binutils-aarch64-linux-gnu?)");
            elf = in.readAllBytes();
        }
        patch(elf, iterations, mode);
        Path f = Files.createTempFile("vitrine-bench-" + name, ".elf");
        f.toFile().deleteOnExit();
        Files.write(f, elf);
        return f;
    }

    /** Fills the parameter block at entry + 8 in the file image. */
    static void patch(byte[] elf, long iterations, long mode) {
        try {
            ElfFile file = ElfFile.parse(elf);
            long at = file.entry() + 8;
            for (ElfSegment s : file.loadSegments()) {
                if (s.vaddr() <= at && at + 16 <= s.vaddr() + s.fileSize()) {
                    ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putLong((int) (s.offset() + at - s.vaddr()), iterations)
                            .putLong((int) (s.offset() + at + 8 - s.vaddr()), mode);
                    return;
                }
            }
            throw new IllegalStateException("benchmark guest has no parameter block at entry + 8");
        } catch (ElfFormatException e) {
            throw new IllegalStateException("benchmark guest is not a valid ELF: " + e.getMessage(), e);
        }
    }
}
