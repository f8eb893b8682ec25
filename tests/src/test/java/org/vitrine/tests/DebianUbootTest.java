package org.vitrine.tests;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian 12's U-Boot for QEMU ({@code qemu_arm64/u-boot.bin}) started with {@code --bios} on
 * Vitrine and with {@code -bios} on QEMU, each with an empty 64 MiB file as flash bank 1: the
 * banner, {@code version}, {@code bdinfo}, {@code setenv} + {@code saveenv} (erase and buffered program of the
 * environment in bank 1) and {@code poweroff} are typed at the prompt. Up to {@code saveenv} both
 * consoles must be equal; Vitrine's {@code saveenv} must succeed and leave the environment in the
 * file. QEMU 7.2's own {@code saveenv} fails on this U-Boot ("Flash buffer write timeout at address
 * 4020000": its pflash_cfi01 does not complete U-Boot's buffered program on a bank of two x16 chips),
 * so its output there is printed, not compared. Lines that differ by design are dropped first:
 * <ul>
 *   <li>the autoboot countdown: where the key press lands depends on host speed.
 * </ul>
 */
class DebianUbootTest {
    @TempDir
    Path dir;

    static final Duration STEP = Duration.ofMinutes(3);

    @Test
    void ubootReachesItsPromptAndSavesItsEnvironmentAsOnQemu() throws Exception {
        Path uboot = DebianImages.uboot();
        Path ours = emptyFlash("vitrine-flash1.img"), theirs = emptyFlash("qemu-flash1.img");

        long start = System.nanoTime();
        List<String> vitrine;
        try (VitrineProcess v = VitrineProcess.start(java.util.Map.of(), "run", "--headless", "--quiet",
                "--bios", uboot.toString(), "--flash1", ours.toString())) {
            vitrine = session(v.out, v.process.getOutputStream());
            assertEquals(0, v.awaitExit(STEP), "poweroff ends the run with status 0\n" + v.err.text());
        }
        long vitrineMs = (System.nanoTime() - start) / 1_000_000;

        start = System.nanoTime();
        Process q = new ProcessBuilder(Qemu.BINARY, "-M", "virt", "-cpu", "cortex-a72", "-m", "512", "-nodefaults", "-nic", "none",
                "-display", "none", "-monitor", "none", "-serial", "stdio", "-bios", uboot.toString(),
                "-drive", "if=pflash,format=raw,unit=1,file=" + theirs).redirectErrorStream(true).start();
        List<String> qemu;
        try {
            qemu = session(ConsoleLines.follow(q.getInputStream(), "qemu"), q.getOutputStream());
            assertTrue(q.waitFor(STEP.toSeconds(), TimeUnit.SECONDS), "QEMU powers off");
        } finally {
            q.destroyForcibly();
        }
        long qemuMs = (System.nanoTime() - start) / 1_000_000;

        assertEquals(comparable(beforeSaveenv(qemu)), comparable(beforeSaveenv(vitrine)), "U-Boot's console as on QEMU");
        List<String> saved = vitrine.subList(beforeSaveenv(vitrine).size(), vitrine.size());
        assertTrue(saved.contains("Writing to Flash... done") && saved.contains("OK"), "Vitrine's saveenv:\n" + String.join("\n", saved));
        System.out.println("QEMU's saveenv (not compared, see the class comment):\n  "
                + String.join("\n  ", qemu.subList(beforeSaveenv(qemu).size(), qemu.size())));
        assertTrue(new String(Files.readAllBytes(ours), StandardCharsets.ISO_8859_1).contains("vitrine_note=persisted"),
                "saveenv wrote the environment into the --flash1 file");
        System.out.printf("Debian U-Boot to prompt, version, saveenv, poweroff: Vitrine %d ms, QEMU %d ms host%n", vitrineMs, qemuMs);
    }

    /** Stops autoboot, types the commands, returns the console up to the poweroff line. */
    private static List<String> session(ConsoleLines out, OutputStream in) throws Exception {
        out.await(l -> l.startsWith("Net:"), 0, STEP);
        // A key press stops the countdown; typed until the countdown line ends, for slow hosts.
        int countdown = -1;
        while (countdown < 0) {
            type(in, " ");
            countdown = indexOf(out, l -> l.startsWith("Hit any key to stop autoboot"));
            Thread.sleep(200);
        }
        type(in, "\r");
        int at = out.awaitIndex(l -> l.startsWith("=>"), countdown + 1, STEP);
        for (String cmd : List.of("version", "bdinfo", "setenv vitrine_note persisted", "saveenv")) {
            type(in, cmd + "\r");
            at = out.awaitIndex(l -> l.equals("=> " + cmd), at + 1, STEP);
        }
        out.await(l -> l.equals("OK") || l.startsWith("Failed"), at, STEP);
        type(in, "poweroff\r");
        out.await(l -> l.startsWith("poweroff ..."), at, STEP);
        return out.lines();
    }

    private static int indexOf(ConsoleLines out, java.util.function.Predicate<String> p) {
        List<String> lines = out.lines();
        for (int i = 0; i < lines.size(); i++) if (p.test(lines.get(i))) return i;
        return -1;
    }

    /** Types one character at a time, so a 16-byte UART FIFO never overflows. */
    private static void type(OutputStream in, String s) throws IOException, InterruptedException {
        for (byte b : s.getBytes(StandardCharsets.US_ASCII)) {
            in.write(b);
            in.flush();
            Thread.sleep(30);
        }
    }

    /** The console before the {@code saveenv} command line. */
    static List<String> beforeSaveenv(List<String> console) {
        int i = console.indexOf("=> saveenv");
        assertTrue(i >= 0, "saveenv was typed:\n" + String.join("\n", console));
        return console.subList(0, i);
    }

    /** The console without the lines that differ by design (see the class comment), prompts trimmed. */
    static List<String> comparable(List<String> console) {
        return console.stream().map(String::stripTrailing)
                .filter(l -> !l.startsWith("Hit any key to stop autoboot") && !l.matches("=>\\s*"))
                .toList();
    }

    private Path emptyFlash(String name) throws IOException {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(64L << 20);
        }
        return p;
    }
}
