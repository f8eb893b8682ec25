package org.vitrine.emulator.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Assembles and links a tiny real AArch64 program with the GNU cross binutils at test time, and
 * runs the binutils' own readers on it so tests can compare against them.
 */
final class ElfTestProgram {
    static final long TEXT = 0x4008_0000L;

    static final String SOURCE = """
                .text
                .global _start
                .type _start, %function
            _start:
                ldr x0, =counter
                mov x1, #42
                str x1, [x0]
                bl helper
            1:  wfi
                b 1b
                .size _start, . - _start

                .type helper, %function
            helper:
                add x0, x0, #1
                ret
                .size helper, . - helper

            raw_label:
                nop
                nop

                .data
                .global counter
                .type counter, %object
                .size counter, 8
            counter:
                .quad 7

                .bss
                .global buffer
                .type buffer, %object
                .size buffer, 4096
            buffer:
                .skip 4096
            """;

    private ElfTestProgram() { }

    /** Builds prog.elf in {@code dir}; aborts the test if the cross binutils are missing. */
    static Path build(Path dir) throws IOException, InterruptedException {
        Path src = dir.resolve("prog.s");
        Files.writeString(src, SOURCE);
        run(dir, "aarch64-linux-gnu-as", "-o", "prog.o", "prog.s");
        run(dir, "aarch64-linux-gnu-ld", "-Ttext=0x40080000", "-o", "prog.elf", "prog.o");
        return dir.resolve("prog.elf");
    }

    /** Runs a tool in {@code dir} and returns its standard output; the tool must succeed. */
    static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort(command[0] + " is not installed (apt-get install binutils-aarch64-linux-gnu)");
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed:\n" + out);
        return out;
    }
}
