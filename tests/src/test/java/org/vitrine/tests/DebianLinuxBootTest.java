package org.vitrine.tests;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.cli.bench.Initramfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Smoke test of issue 13's Linux boot: Debian 12's arm64 kernel, given as {@code --kernel Image
 * --initrd}, reaches a busybox {@code /init} built here, whose output (a marker and /proc/cpuinfo)
 * must equal QEMU's, and powers off. The full console comparison is a later step of issue 13.
 */
class DebianLinuxBootTest {
    @TempDir
    Path dir;

    static final String INIT = """
            #!/bin/busybox sh
            /bin/busybox mkdir -p /proc
            /bin/busybox mount -t proc proc /proc
            /bin/busybox echo INIT-BEGIN
            /bin/busybox cat /proc/cpuinfo
            /bin/busybox echo INIT-END
            /bin/busybox poweroff -f
            """;

    @Test
    void debianKernelReachesInitAndItsOutputEqualsQemus() throws Exception {
        Path kernel = DebianImages.linuxImage();
        Path initrd = dir.resolve("initrd.gz");
        Files.write(initrd, new Initramfs().directory("bin").file("bin/busybox", 0755, Files.readAllBytes(DebianImages.busybox()))
                .file("init", 0755, INIT.getBytes(StandardCharsets.US_ASCII)).directory("dev").build());

        long start = System.nanoTime();
        List<String> vitrine;
        try (VitrineProcess v = VitrineProcess.start(java.util.Map.of(), "run", "--headless", "--quiet", "--kernel", kernel.toString(),
                "--initrd", initrd.toString(), "--append", "console=ttyAMA0")) {
            v.process.getOutputStream().close();
            assertEquals(0, v.awaitExit(Duration.ofMinutes(5)), "powered off with status 0\n" + v.err.text());
            vitrine = v.out.lines();
        }
        long vitrineMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(vitrine.stream().anyMatch(l -> l.contains("Run /init as init process")), String.join("\n", vitrine));

        start = System.nanoTime();
        List<String> qemu = qemu(kernel, initrd);
        long qemuMs = (System.nanoTime() - start) / 1_000_000;
        List<String> ours = initOutput(vitrine), theirs = initOutput(qemu);
        assertTrue(ours.size() > 5, "the init printed /proc/cpuinfo: " + ours);
        assertEquals(theirs, ours, "/init's output (marker and /proc/cpuinfo) as on QEMU");
        System.out.printf("Debian Linux to /init and power-off: Vitrine %d ms, QEMU %d ms host%n", vitrineMs, qemuMs);
    }

    /** The lines between the init's markers. */
    static List<String> initOutput(List<String> console) {
        int from = console.indexOf("INIT-BEGIN"), to = console.indexOf("INIT-END");
        assertTrue(from >= 0 && to > from, "the init's markers in:\n" + String.join("\n", console));
        return new ArrayList<>(console.subList(from, to + 1));
    }

    private static List<String> qemu(Path kernel, Path initrd) throws Exception {
        Process p = new ProcessBuilder(Qemu.BINARY, "-M", "virt", "-cpu", "cortex-a72", "-m", "512", "-nodefaults", "-nic", "none",
                "-display", "none", "-monitor", "none", "-serial", "stdio", "-kernel", kernel.toString(), "-initrd", initrd.toString(),
                "-append", "console=ttyAMA0").redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "QEMU powers off");
        return List.of(out.replace("\r\n", "\n").split("\n"));
    }
}
