package org.vitrine.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code vitrine} command as a user runs it (the shaded jar in a separate JVM): exit statuses,
 * messages for bad input, and that nothing a guest or a file does takes the JVM down.
 */
class CliTest {
    @TempDir
    Path dir;

    record Result(int exit, String stdout, String stderr) { }

    static Result vitrine(String... args) throws IOException, InterruptedException {
        Path jar = Guest.root().resolve("cli/target/vitrine.jar");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dvitrine.root=" + Guest.root(), "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        var err = new java.io.ByteArrayOutputStream();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // the process ended
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "vitrine finished");
        t.join();
        return new Result(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void headlessRunBootsRostAndExitsZero() throws Exception {
        Result r = vitrine("run", "--headless");
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stdout().startsWith("rost v0: booting at EL1\n"), r.stdout());
        assertTrue(r.stdout().contains("[rost] all tasks exited, powering off (status 0)"), r.stdout());
        assertTrue(r.stderr().contains("guest powered off (PSCI SYSTEM_OFF), status 0"), r.stderr());
    }

    @Test
    void exitStatusIsTheGuestsStatus() throws Exception {
        Path elf = TinyElf.write(dir, "status.elf", TinyElf.powerOff(42));
        assertEquals(42, vitrine("run", "--headless", "--kernel", elf.toString()).exit());
    }

    @Test
    void traceShowsExceptions() throws Exception {
        Result r = vitrine("run", "--headless", "--trace", "exceptions");
        assertEquals(0, r.exit());
        assertTrue(r.stderr().contains("[trace] exception SVC from EL0: ESR=0x56000000"), r.stderr());
    }

    @Test
    void guestHangIsReported() throws Exception {
        Path elf = TinyElf.write(dir, "hang.elf", TinyElf.WFI, TinyElf.SPIN);
        Result r = vitrine("run", "--headless", "--kernel", elf.toString());
        assertEquals(3, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("guest hang: WFI at PC 0x40080078"), r.stderr());
    }

    @Test
    void untilStopsASpinningGuest() throws Exception {
        Path elf = TinyElf.write(dir, "spin.elf", TinyElf.SPIN);
        Result r = vitrine("run", "--headless", "--kernel", elf.toString(), "--until", "2ms");
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("time limit reached; 2000000 cycles"), r.stderr());
    }

    @Test
    void accessToUnmappedPhysicalAddressStopsWithAMessage() throws Exception {
        int movX1 = 0xD2A20001;          // movz x1, #0x1000, lsl #16  -> 0x1000_0000, a hole in the map
        int ldrX0 = 0xF9400020;          // ldr x0, [x1]
        Path elf = TinyElf.write(dir, "bus.elf", movX1, ldrX0, TinyElf.SPIN);
        Result r = vitrine("run", "--headless", "--kernel", elf.toString());
        assertEquals(4, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("read from physical address 0x10000000"), r.stderr());
    }

    @Test
    void missingKernelIsAClearError() throws Exception {
        Result r = vitrine("run", "--headless", "--kernel", dir.resolve("nope.elf").toString());
        assertEquals(5, r.exit());
        assertTrue(r.stderr().contains("not found"), r.stderr());
    }

    @Test
    void brokenElfFilesAreRefusedWithAMessage() throws Exception {
        Random rnd = new Random(7);
        byte[] garbage = new byte[4096];
        rnd.nextBytes(garbage);
        Path junk = Files.write(dir.resolve("junk.elf"), garbage);
        Result r = vitrine("run", "--headless", "--kernel", junk.toString());
        assertEquals(5, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("is not a valid AArch64 ELF"), r.stderr());

        byte[] rost = Files.readAllBytes(Guest.kernel());
        Path truncated = Files.write(dir.resolve("truncated.elf"), java.util.Arrays.copyOf(rost, rost.length / 3));
        r = vitrine("run", "--headless", "--kernel", truncated.toString());
        assertEquals(5, r.exit(), r.stderr());
    }

    @Test
    void kernelLinkedOverTheDeviceTreeIsRefused() throws Exception {
        // same program, but loaded at the start of RAM where the DTB goes
        Path elf = TinyElf.write(dir, "low.elf", TinyElf.powerOff(0));
        byte[] b = Files.readAllBytes(elf);
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bb.putLong(24, 0x4000_0078L);                 // e_entry
        bb.putLong(64 + 16, 0x4000_0000L).putLong(64 + 24, 0x4000_0000L); // p_vaddr, p_paddr
        Files.write(elf, b);
        Result r = vitrine("run", "--headless", "--kernel", elf.toString());
        assertEquals(5, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("overlaps the device tree"), r.stderr());
    }

    @Test
    void badArgumentsGiveUsage() throws Exception {
        Result r = vitrine("run", "--headless", "--ram", "lots");
        assertEquals(2, r.exit());
        assertTrue(r.stderr().contains("'lots' is not a size"), r.stderr());
        r = vitrine("run", "--until", "5");
        assertEquals(2, r.exit());
        assertTrue(r.stderr().contains("needs a unit"), r.stderr());
        r = vitrine("frobnicate");
        assertEquals(2, r.exit());
    }

    @Test
    void helpDescribesEveryOption() throws Exception {
        Result r = vitrine("run", "--help");
        assertEquals(0, r.exit());
        for (String opt : List.of("--headless", "--kernel", "--ram", "--trace", "--until")) {
            assertTrue(r.stdout().contains(opt), opt + " in help:\n" + r.stdout());
        }
    }
}
