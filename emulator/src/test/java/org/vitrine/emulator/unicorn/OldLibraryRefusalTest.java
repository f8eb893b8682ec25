package org.vitrine.emulator.unicorn;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Vitrine refuses Debian 12's libunicorn 2.0.1 (setup.sh extracts it into .deps/unicorn-2.0 for
 * this test only) with a message that says why and how to get 2.1. Runs in a child JVM because a
 * process binds one libunicorn for its lifetime.
 */
class OldLibraryRefusalTest {
    /** Child process: tries to open an engine and prints what the user would see. */
    public static void main(String[] args) {
        try (Unicorn uc = Unicorn.open(Unicorn.CpuModel.A72)) {
            System.out.println("OPENED " + Unicorn.versionString(Unicorn.version()));
        } catch (UnicornException e) {
            System.out.println("REFUSED " + e.getMessage());
            System.exit(3);
        }
    }

    @Test
    void libunicorn20IsRefusedWithAClearMessage() throws Exception {
        Path root = Path.of(System.getProperty("vitrine.root", "..")).toAbsolutePath();
        Path old = root.resolve(".deps/unicorn-2.0/usr/lib/x86_64-linux-gnu/libunicorn.so.2");
        Assumptions.assumeTrue(Files.isRegularFile(old), "Debian 12's libunicorn 2.0.1 not extracted (scripts/setup.sh)");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dvitrine.unicorn.lib=" + old,
                "-cp", System.getProperty("java.class.path"), OldLibraryRefusalTest.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(3, p.exitValue(), out);
        assertTrue(out.contains("libunicorn 2.0.1"), out);
        assertTrue(out.contains("too old: Vitrine needs 2.1 or newer"), out);
        assertTrue(out.contains("./scripts/setup.sh"), out);
    }
}
