package org.vitrine.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.vitrine.cli.bench.Initramfs;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the Debian Linux tests give the kernel: an initramfs with busybox, a test's {@code /init}
 * script (starting with {@link #INIT_START}) and Debian's own modules (with what they depend on, listed in load order in
 * /lib/modules/order), and a small FAT disk made with dosfstools and mtools as a user would.
 */
final class DebianGuestFiles {
    private DebianGuestFiles() { }

    /**
     * How every test's /init starts: the kernel's file systems, INIT-BEGIN, the modules in order,
     * the FAT disk mounted read-only and its HELLO.TXT printed; the test's own lines follow.
     */
    static final String INIT_START = """
            #!/bin/busybox sh
            B=/bin/busybox
            $B mount -t proc proc /proc
            $B mount -t sysfs sysfs /sys
            $B mount -t devtmpfs devtmpfs /dev
            $B echo INIT-BEGIN
            for m in $($B cat /lib/modules/order); do $B insmod /lib/modules/$m.ko; done
            $B mkdir -p /mnt
            $B mount -t vfat -o ro /dev/vda /mnt
            $B cat /mnt/HELLO.TXT
            """;

    /** A gzip-compressed initramfs in {@code dir} holding busybox, {@code init} and the modules. */
    static Path initrd(Path dir, String init, String... modules) throws IOException {
        Initramfs fs = new Initramfs().directory("bin").file("bin/busybox", 0755, Files.readAllBytes(DebianImages.busybox()))
                .file("init", 0755, init.getBytes(StandardCharsets.US_ASCII))
                .directory("dev").directory("proc").directory("sys").directory("lib").directory("lib/modules");
        StringBuilder order = new StringBuilder();
        for (Path ko : new DebianModules().withDependencies(modules)) {
            String name = DebianModules.nameOf(ko);
            fs.file("lib/modules/" + name + ".ko", 0644, Files.readAllBytes(ko));
            order.append(name).append('\n');
        }
        fs.file("lib/modules/order", 0644, order.toString().getBytes(StandardCharsets.US_ASCII));
        Path p = Files.createTempFile(dir, "initrd-" + modules.length + "-", ".gz");
        Files.write(p, fs.build());
        return p;
    }

    /** A 1 MiB FAT disk in {@code dir} holding HELLO.TXT with {@code text} and a newline. */
    static Path fatDisk(Path dir, String text) throws Exception {
        Path disk = dir.resolve("fat-" + System.nanoTime() + ".img");
        Path hello = dir.resolve("hello.txt");
        Files.writeString(hello, text + "\n");
        run(List.of("mkfs.fat", "-C", "-i", "12345678", disk.toString(), "1024"));
        run(List.of("mcopy", "-i", disk.toString(), hello.toString(), "::HELLO.TXT"));
        return disk;
    }

    private static void run(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("MTOOLS_SKIP_CHECK", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, cmd + "\n" + out);
    }
}
