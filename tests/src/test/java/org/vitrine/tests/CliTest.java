package org.vitrine.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Process p = new ProcessBuilder(VitrineProcess.command(args)).start();
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

    /** With a display and no kernel or command line named, a headless run boots the desktop on a fresh copy of the built disk. */
    @Test
    void headlessRunWithADisplayBootsTheDesktop() throws Exception {
        Path shot = dir.resolve("desktop.png");
        Result r = vitrine("run", "--headless", "--display", "800x600", "--until", "3s", "--screenshot", shot.toString());
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stdout().contains("[wm] desktop up, 800x600"), r.stdout());
        assertTrue(Files.size(shot) > 0, "screenshot written");
        assertTrue(r.stderr().contains("time limit"), r.stderr());
        r = vitrine("run", "--headless", "--reset-disk");
        assertEquals(2, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("--reset-disk makes your desktop disk again"), r.stderr());
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
        assertTrue(r.stderr().matches("(?s).*\\[trace\\] pid \\d+ \\w+: exception SVC from EL0: ESR=0x56000000 ELR=0x[0-9a-f]+ <\\w+:.*"),
                "each exception with the pid, the program, and ELR named in the program: " + r.stderr());
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

    /**
     * A read from 0x0c10_0000, where nothing is mapped (QEMU's empty platform bus), is a
     * synchronous external abort; with VBAR_EL1 in the same hole every vector fetch aborts again,
     * so the guest is stuck: exit status 4 with the reason, after 1,000 aborts with nothing
     * completed. The trace shows each abort, external, with its physical address.
     */
    @Test
    void aGuestStuckTakingAbortsStopsWithExitStatus4() throws Exception {
        int movX0 = 0xD2A18000;          // movz x0, #0x0c00, lsl #16  -> 0x0c00_0000
        int msrVbar = 0xD518C000;        // msr vbar_el1, x0
        int movX1 = 0xD2A18201;          // movz x1, #0x0c10, lsl #16  -> 0x0c10_0000
        int ldrX0 = 0xF9400020;          // ldr x0, [x1]
        Path elf = TinyElf.write(dir, "stuck.elf", movX0, msrVbar, movX1, ldrX0, TinyElf.SPIN);
        Result r = vitrine("run", "--headless", "--kernel", elf.toString(), "--trace", "exceptions");
        assertEquals(4, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("[trace] pid 0 kernel: exception data abort (external, PA 0xc100000) from EL1: ESR=0x96000010 "
                + "ELR=0x40080084 FAR=0xc100000"), r.stderr());
        assertTrue(r.stderr().contains("[trace] pid 0 kernel: exception instruction abort (external, PA 0xc000200) from EL1: ESR=0x86000010 "
                + "ELR=0xc000200 FAR=0xc000200"), r.stderr());
        assertTrue(r.stderr().contains("guest stuck taking aborts: 1000 in a row, the last at 0xc000200"), r.stderr());
        assertTrue(r.stderr().contains("VBAR_EL1 0xc000000"), r.stderr());
    }

    /** The guest prints "R" and asks PSCI for a reset: the machine restarts from the image each time. */
    @Test
    void systemResetRebootsTheMachine() throws Exception {
        int uartBase = 0xD2A12002;       // movz x2, #0x0900, lsl #16
        int movR = 0x52800A41;           // mov w1, #'R'
        int strW1 = 0xB9000041;          // str w1, [x2]
        int psciReset = 0xD2800120;      // movz x0, #0x0009
        Path elf = TinyElf.write(dir, "reset.elf", uartBase, movR, strW1, psciReset, TinyElf.MOVK_X0_PSCI_OFF_HI,
                TinyElf.HVC0, TinyElf.SPIN);
        // long enough for several boots under either timing model (a53's first boot fetches its code from DRAM)
        Result r = vitrine("run", "--headless", "--kernel", elf.toString(), "--until", "5us");
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stdout().length() > 3 && r.stdout().chars().allMatch(c -> c == 'R'), "one R per boot: " + r.stdout());
        assertTrue(r.stderr().contains("guest reset (PSCI SYSTEM_RESET)"), r.stderr());
    }

    /** Standard input reaches the guest's UART receive FIFO: an echo guest returns each line. */
    @Test
    void standardInputReachesTheUart() throws Exception {
        org.vitrine.emulator.testutil.GuestAsm.Program echo = org.vitrine.emulator.testutil.GuestAsm.assemble("""
                .text
                _start:
                    ldr x2, =0x09000000
                1:  ldr w1, [x2, #0x18]       // FR
                    tbnz w1, #4, 1b           // RXFE: nothing received yet
                    ldr w1, [x2]              // DR
                    and w1, w1, #0xff
                    cmp w1, #'a'
                    b.lt 2f
                    cmp w1, #'z'
                    b.gt 2f
                    sub w1, w1, #32           // upper-case letters, to show the guest did it
                2:  str w1, [x2]
                    cmp w1, #'.'
                    b.ne 1b
                    ldr x0, =0x84000008
                    mov x1, #0
                    hvc #0
                3:  b 3b
                """, TinyElf.LOAD);
        Path elf = dir.resolve("echo.elf");
        Files.write(elf, elfOf(echo));
        Path jar = Guest.root().resolve("cli/target/vitrine.jar");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "run", "--headless", "--quiet",
                "--kernel", elf.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().write("hello, vitrine.".getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().flush();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertEquals("HELLO, VITRINE.", out);
    }

    /** Wraps a flat program assembled at TinyElf.LOAD into the same minimal ELF TinyElf writes. */
    static byte[] elfOf(org.vitrine.emulator.testutil.GuestAsm.Program prog) throws IOException {
        byte[] image = prog.image();
        int[] words = new int[(image.length + 3) / 4];
        java.nio.ByteBuffer.wrap(java.util.Arrays.copyOf(image, words.length * 4)).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .asIntBuffer().get(words);
        Path tmp = TinyElf.write(Files.createTempDirectory("elf"), "p.elf", words);
        return Files.readAllBytes(tmp);
    }

    /**
     * A scripted boot-and-click scenario on the default desktop (each run on a fresh copy of the
     * built disk) passes, and gives the same screen every time.
     */
    @Test
    void scriptedScenarioIsDeterministic() throws Exception {
        Path script = Files.writeString(dir.resolve("demo.vts"), String.join("\n",
                "wait-for \"[wm] desktop up\" within 10s",
                "move 100 14", "click", "wait-for \"[wm] window of task 3: Terminal\" within 10s", "run 100ms",
                "type \"echo Hi!\"", "key enter", "run 20ms",
                "expect \"[terminal] Hi!\"", "screenshot one.png", ""));
        Result first = vitrine("script", script.toString());
        assertEquals(0, first.exit(), first.stderr());
        assertTrue(first.stderr().contains("[script] passed: " + script + " (1 section, "), first.stderr());
        assertTrue(first.stdout().contains("[terminal] $ echo Hi!"), first.stdout());
        byte[] one = Files.readAllBytes(dir.resolve("one.png"));
        Files.move(dir.resolve("one.png"), dir.resolve("first.png"));
        Result second = vitrine("script", script.toString());
        assertEquals(first.stdout(), second.stdout(), "same console");
        assertTrue(java.util.Arrays.equals(one, Files.readAllBytes(dir.resolve("one.png"))), "same screen");
    }

    @Test
    void failingScenarioStepIsNamed() throws Exception {
        Path script = Files.writeString(dir.resolve("fail.vts"), "wait-for \"[wm] desktop up\"\nexpect \"never printed\"\n");
        Result r = vitrine("script", script.toString());
        assertEquals(1, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("[script] FAILED: " + script + ":2:1 expect console \"never printed\"\n"
                + "[script]   expected: the console to show \"never printed\"\n[script]   found:    the console ending\n"), r.stderr());
        Path timeout = Files.writeString(dir.resolve("timeout.vts"), "wait-for \"no such line\" within 200ms\n");
        r = vitrine("script", timeout.toString());
        assertEquals(1, r.exit(), r.stderr());
        assertTrue(r.stderr().contains(timeout + ":1:1 wait-for console \"no such line\" within 200ms\n"
                + "[script]   expected: the console to show \"no such line\" within 200 ms (virtual)"), r.stderr());
    }

    @Test
    void malformedScenarioIsRefusedBeforeBooting() throws Exception {
        Path script = Files.writeString(dir.resolve("bad.vts"), "move 1\nfly away\n");
        Result r = vitrine("script", script.toString());
        assertEquals(2, r.exit(), r.stderr());
        assertTrue(r.stderr().contains(script + ":1:7: expected Y (a display pixel)\n    move 1\n          ^")
                && r.stderr().contains(script + ":2:1: unknown step 'fly'"), r.stderr());
        assertEquals("", r.stdout(), "the machine never started");
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
        assertTrue(r.stderr().contains("nor a valid AArch64 ELF"), r.stderr());

        byte[] rost = Files.readAllBytes(Guest.kernel());
        Path truncated = Files.write(dir.resolve("truncated.elf"), java.util.Arrays.copyOf(rost, rost.length / 3));
        r = vitrine("run", "--headless", "--kernel", truncated.toString());
        assertEquals(5, r.exit(), r.stderr());
    }

    @Test
    void badLinuxImagesAreRefusedWithAMessage() throws Exception {
        java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(4096).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        h.putLong(0x10, 64L << 20).putInt(0x38, 0x644d5241); // image_size 64 MiB, "ARM\x64"
        Path big = Files.write(dir.resolve("big.Image"), h.array());
        Result r = vitrine("run", "--headless", "--ram", "32M", "--kernel", big.toString());
        assertEquals(5, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("arm64 Image needs RAM up to"), r.stderr());

        h.putLong(0x18, 1); // a big-endian kernel
        Path be = Files.write(dir.resolve("be.Image"), h.array());
        r = vitrine("run", "--headless", "--kernel", be.toString());
        assertEquals(5, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("big-endian"), r.stderr());

        Path elf = TinyElf.write(dir, "k.elf", TinyElf.powerOff(0));
        r = vitrine("run", "--headless", "--kernel", elf.toString(), "--initrd", elf.toString());
        assertEquals(5, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("--initrd needs an arm64 Linux Image"), r.stderr());
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
