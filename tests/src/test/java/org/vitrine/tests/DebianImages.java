package org.vitrine.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian 12's boot software that scripts/setup.sh extracts under .deps/debian-boot (never fetched
 * at test time): U-Boot for QEMU, the arm64 Linux 6.1 Image, busybox-static. A test whose file is
 * missing is skipped with the reason.
 */
final class DebianImages {
    private DebianImages() { }

    static Path dir() {
        return Guest.root().resolve(".deps/debian-boot");
    }

    static Path uboot() {
        return require(dir().resolve("usr/lib/u-boot/qemu_arm64/u-boot.bin"));
    }

    static Path busybox() {
        return require(dir().resolve("bin/busybox"));
    }

    /** The newest vmlinuz-6.1.0-*-arm64 (an uncompressed arm64 Image despite its name). */
    static Path linuxImage() throws IOException {
        Path boot = dir().resolve("boot");
        assumeTrue(Files.isDirectory(boot), "Debian's Linux image missing: run scripts/setup.sh (" + boot + ")");
        try (Stream<Path> files = Files.list(boot)) {
            return files.filter(p -> p.getFileName().toString().matches("vmlinuz-6\\.1\\.0-\\d+-arm64"))
                    .max(Path::compareTo).orElseGet(() -> require(boot.resolve("vmlinuz-6.1.0-N-arm64")));
        }
    }

    private static Path require(Path p) {
        assumeTrue(Files.isRegularFile(p), "Debian boot file missing: run scripts/setup.sh (" + p + ")");
        return p;
    }
}
