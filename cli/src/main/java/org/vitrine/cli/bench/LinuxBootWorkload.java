package org.vitrine.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

import org.vitrine.devices.board.VirtBoard;

/**
 * Debian 12's arm64 Linux 6.1 (the Image scripts/setup.sh puts in .deps/debian-boot) booted with a
 * busybox initramfs whose /init powers off at once: wall seconds from board set-up to power-off
 * (Vitrine, in this already running JVM) against QEMU's process run. Skipped with a message when
 * the images are missing.
 */
final class LinuxBootWorkload implements Workload {
    static final String INIT = """
            #!/bin/busybox sh
            /bin/busybox echo vitrine-bench-init
            /bin/busybox poweroff -f
            """;
    static final String APPEND = "console=ttyAMA0";

    private Path initrd;

    @Override
    public String name() {
        return "linux-boot";
    }

    @Override
    public String description() {
        return "Debian Linux 6.1 Image + busybox initrd to /init and power-off";
    }

    @Override
    public String unit() {
        return "s";
    }

    @Override
    public boolean higherIsBetter() {
        return false;
    }

    static Path bootDir(BenchEnv env) {
        return env.root().resolve(".deps/debian-boot");
    }

    static Optional<Path> kernel(BenchEnv env) {
        Path boot = bootDir(env).resolve("boot");
        if (!Files.isDirectory(boot)) return Optional.empty();
        try (Stream<Path> files = Files.list(boot)) {
            return files.filter(p -> p.getFileName().toString().matches("vmlinuz-6\\.1\\.0-\\d+-arm64")).max(Path::compareTo);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> unavailable(BenchEnv env) {
        Path busybox = bootDir(env).resolve("bin/busybox");
        if (kernel(env).isEmpty() || !Files.isRegularFile(busybox)) {
            return Optional.of("Debian's Linux Image or busybox missing under " + bootDir(env) + ": run scripts/setup.sh");
        }
        return Optional.empty();
    }

    private Path initrd(BenchEnv env) throws IOException {
        if (initrd == null) {
            byte[] busybox = Files.readAllBytes(bootDir(env).resolve("bin/busybox"));
            Path f = Files.createTempFile("vitrine-bench-initrd", ".gz");
            f.toFile().deleteOnExit();
            Files.write(f, new Initramfs().directory("bin").file("bin/busybox", 0755, busybox)
                    .file("init", 0755, INIT.getBytes(StandardCharsets.US_ASCII)).directory("dev").build());
            initrd = f;
        }
        return initrd;
    }

    @Override
    public double vitrine(BenchEnv env) throws Exception {
        VirtBoard.Options options = env.board().withBootArgs(APPEND)
                .withFirmware(new VirtBoard.Options.Firmware(initrd(env), null, null, 0));
        return GuestRuns.vitrine(env, options, kernel(env).orElseThrow()).seconds();
    }

    @Override
    public double qemu(BenchEnv env) throws Exception {
        return GuestRuns.qemu(env, kernel(env).orElseThrow(), "-initrd", initrd(env).toString(), "-append", APPEND);
    }
}
