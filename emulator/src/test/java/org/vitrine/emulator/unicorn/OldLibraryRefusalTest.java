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
 * Vitrine refuses libunicorn older than 2.1.4 — Debian 12's 2.0.1 (setup.sh extracts it into
 * .deps/unicorn-2.0 for this test only) and Debian trixie's 2.1.1 — with a message that says why
 * and how to get 2.1.4. Runs in a child JVM because a process binds one libunicorn for its lifetime.
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
        String out = refusal(".deps/unicorn-2.0", "Debian 12's libunicorn 2.0.1 not extracted (scripts/setup.sh)");
        assertTrue(out.contains("libunicorn 2.0.1"), out);
        assertTrue(out.contains("slow path on every guest store"), out);
    }

    /**
     * Debian trixie's 2.1.1, which the set-up extracts into .deps/unicorn-2.1.1 for this test only.
     */
    @Test
    void libunicorn211IsRefusedSayingWhy() throws Exception {
        String out = refusal(".deps/unicorn-2.1.1", "Debian trixie's libunicorn 2.1.1 not extracted (scripts/setup.sh)");
        assertTrue(out.contains("libunicorn 2.1.1"), out);
        assertTrue(out.contains("does not report which load or store touched an unmapped address"), out);
    }

    /** Runs {@link #main} on the libunicorn.so.2 under {@code folder} and returns what it printed when refused. */
    private static String refusal(String folder, String missing) throws Exception {
        Path root = Path.of(System.getProperty("vitrine.root", "..")).toAbsolutePath();
        Path old = root.resolve(folder + "/usr/lib/x86_64-linux-gnu/libunicorn.so.2");
        Assumptions.assumeTrue(Files.isRegularFile(old), missing);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dvitrine.unicorn.lib=" + old,
                "-cp", System.getProperty("java.class.path"), OldLibraryRefusalTest.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(3, p.exitValue(), out);
        assertTrue(out.contains("too old: Vitrine needs 2.1.4 or newer"), out);
        assertTrue(out.contains("./scripts/setup.sh"), out);
        return out;
    }
}
