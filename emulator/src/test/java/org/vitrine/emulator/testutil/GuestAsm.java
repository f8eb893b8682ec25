package org.vitrine.emulator.testutil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Assembles AArch64 test programs with the real GNU toolchain (binutils-aarch64-linux-gnu) into a
 * flat binary plus its symbol table, so CPU tests run genuine guest code whose source sits next
 * to the assertions.
 */
public final class GuestAsm {
    public record Program(long base, byte[] image, Map<String, Long> symbols) {
        public long symbol(String name) {
            Long v = symbols.get(name);
            if (v == null) throw new IllegalArgumentException("no symbol " + name);
            return v;
        }
    }

    /**
     * An assembler macro {@code mmu_on}: MAIR (attr0 Device-nGnRE, attr1 Normal write-back), TCR
     * for a 39-bit TTBR0 space with the 4 KiB granule (TTBR1 walks disabled), TTBR0 = 0x4001_0000
     * where the tests build their tables, then SCTLR_EL1.M. Clobbers x0.
     */
    public static final String MMU_ON_MACRO = """
            .macro mmu_on
                ldr x0, =0xff04
                msr mair_el1, x0
                ldr x0, =((25) | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (2 << 32))
                msr tcr_el1, x0
                ldr x0, =0x40010000
                msr ttbr0_el1, x0
                isb
                mrs x0, sctlr_el1
                orr x0, x0, #1
                msr sctlr_el1, x0
                isb
            .endm
            """;

    private GuestAsm() { }

    /** Assembles {@code source} and links .text at {@code base}; extra linker args may place sections. */
    public static Program assemble(String source, long base, String... linkerArgs) {
        try {
            Path dir = Files.createTempDirectory("vitrine-asm");
            Path s = dir.resolve("t.S"), o = dir.resolve("t.o"), elf = dir.resolve("t.elf"), bin = dir.resolve("t.bin");
            Files.writeString(s, source);
            run(dir, "aarch64-linux-gnu-as", "-o", o.toString(), s.toString());
            List<String> ld = new ArrayList<>(List.of("aarch64-linux-gnu-ld", "-nostdlib", "-Ttext=0x" + Long.toHexString(base)));
            ld.addAll(List.of(linkerArgs));
            ld.addAll(List.of("-o", elf.toString(), o.toString()));
            run(dir, ld.toArray(String[]::new));
            run(dir, "aarch64-linux-gnu-objcopy", "-O", "binary", elf.toString(), bin.toString());
            Map<String, Long> syms = new HashMap<>();
            for (String line : run(dir, "aarch64-linux-gnu-nm", elf.toString()).split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 3) syms.put(f[2], Long.parseUnsignedLong(f[0], 16));
            }
            return new Program(base, Files.readAllBytes(bin), syms);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot assemble test program: " + e.getMessage(), e);
        }
    }

    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }
}
