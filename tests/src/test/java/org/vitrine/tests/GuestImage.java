package org.vitrine.tests;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the bare-metal test guests kept as assembly under src/test/resources/guests/ into ELF
 * images, with the real GNU toolchain (binutils-aarch64-linux-gnu), the shared linker script
 * guests/guest.ld (one image at 0x4010_0000, like rost, so QEMU passes its device tree at the
 * start of RAM) and what the guests share, guests/guest.inc (entry set-up, console output).
 *
 * <p>By hand (single-file launch, JDK only):
 * {@code java tests/src/test/java/org/vitrine/tests/GuestImage.java tests/src/test/resources/guests/aborts.S /tmp/aborts.elf}
 */
final class GuestImage {
    private GuestImage() { }

    /** Builds the guest {@code guests/<name>.S} from the test resources into {@code dir}/<name>.elf. */
    static Path fromResource(String name, Path dir) throws IOException, InterruptedException {
        return fromResource(name, dir, List.of());
    }

    /**
     * As {@link #fromResource(String, Path)}, with assembler symbols defined ({@code --defsym}, e.g.
     * {@code STAY=1}); the image is named after them: {@code dir}/<name>-STAY.elf.
     */
    static Path fromResource(String name, Path dir, List<String> symbols) throws IOException, InterruptedException {
        Path source = dir.resolve(name + ".S");
        if (!Files.exists(source)) copyResource("guests/" + name + ".S", source);
        Path script = dir.resolve("guest.ld");
        if (!Files.exists(script)) copyResource("guests/guest.ld", script);
        Path include = dir.resolve("guest.inc");
        if (!Files.exists(include)) copyResource("guests/guest.inc", include);
        StringBuilder elf = new StringBuilder(name);
        for (String s : symbols) elf.append('-').append(s.replaceAll("=.*", ""));
        return build(source, script, dir.resolve(elf + ".elf"), symbols);
    }

    /** Assembles {@code source} (its includes next to it) and links it with {@code linkerScript} into {@code elf}. */
    static Path build(Path source, Path linkerScript, Path elf) throws IOException, InterruptedException {
        return build(source, linkerScript, elf, List.of());
    }

    private static Path build(Path source, Path linkerScript, Path elf, List<String> symbols) throws IOException, InterruptedException {
        Path object = elf.resolveSibling(elf.getFileName() + ".o");
        Path includes = source.toAbsolutePath().getParent();
        List<String> as = new ArrayList<>(List.of("aarch64-linux-gnu-as", "-I", includes.toString(), "-o", object.toString()));
        for (String s : symbols) as.addAll(List.of("--defsym", s));
        as.add(source.toString());
        run(as);
        run(List.of("aarch64-linux-gnu-ld", "-nostdlib", "--no-warn-rwx-segments", "-T", linkerScript.toString(),
                "-o", elf.toString(), object.toString()));
        return elf;
    }

    private static Path copyResource(String resource, Path to) throws IOException {
        try (InputStream in = GuestImage.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IOException("no test resource " + resource);
            Files.copy(in, to);
        }
        return to;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + out);
        }
    }

    /** {@code GuestImage SOURCE.S OUT.elf}: builds with the guest.ld next to the source. */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: GuestImage SOURCE.S OUT.elf");
            System.exit(2);
        }
        Path source = Path.of(args[0]);
        Path elf = build(source, source.resolveSibling("guest.ld"), Path.of(args[1]).toAbsolutePath());
        System.out.println(elf);
    }
}
