package org.vitrine.tests;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;

/** Runs guest images on Vitrine in-process and gives back what a user would see. */
final class Guest {
    private Guest() { }

    static Path root() {
        return Path.of(System.getProperty("vitrine.root", "..")).toAbsolutePath().normalize();
    }

    /** The rost image built by ./vitrine (kernel-image/build.sh); tests fail clearly without it. */
    static Path kernel() {
        Path k = root().resolve("kernel-image/build/kernel.elf");
        if (!Files.isRegularFile(k)) throw new IllegalStateException(k + " is missing: run ./vitrine test (it builds the kernel first)");
        return k;
    }

    /**
     * A private copy of the rost disk image built by guest-apps/build.sh (FAT16: /BIN programs,
     * /DOCS documents), so that a guest may write to it.
     */
    static Path disk(Path dir) throws java.io.IOException {
        Path d = root().resolve("guest-apps/build/disk.img");
        if (!Files.isRegularFile(d)) throw new IllegalStateException(d + " is missing: run ./vitrine test (it builds the disk first)");
        return Files.copy(d, dir.resolve("disk-" + System.nanoTime() + ".img"));
    }

    /** QEMU options that attach {@code disk} as virtio-blk on a modern transport, with bootargs. */
    static List<String> qemuDisk(Path disk, String bootArgs) {
        return List.of("-global", "virtio-mmio.force-legacy=false",
                "-drive", "if=none,id=d0,file=" + disk + ",format=raw", "-device", "virtio-blk-device,drive=d0",
                "-append", bootArgs);
    }

    record Run(String console, Cpu.Exit exit, long cycles, long instructions) {
        List<String> lines() {
            return Arrays.asList(console.split("\n", -1));
        }
    }

    static Run vitrine(Path image, long untilCycles) throws Exception {
        return vitrine(image, VirtBoard.Options.defaults(), untilCycles);
    }

    static Run vitrine(Path image, VirtBoard.Options options, long untilCycles) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (VirtBoard board = new VirtBoard(options, out::write)) {
            board.loadKernel(image);
            Cpu.Exit exit = board.run(untilCycles);
            Cpu cpu = board.machine().cpu();
            return new Run(out.toString(StandardCharsets.UTF_8), exit, cpu.cycles(), cpu.instructionsRetired());
        }
    }

    /**
     * Console lines without those that may differ between machines: scheduler statistics, and
     * QEMU's own warnings on its merged stderr (with -icount sleep=off QEMU warns when the guest
     * idles with no timer armed, e.g. as it powers off: rost stops its tick when nothing needs it).
     */
    static List<String> comparable(String console) {
        return console.lines().filter(l -> !l.startsWith("[rost] stats:") && !l.startsWith("qemu-system-aarch64: warning:")).toList();
    }
}
