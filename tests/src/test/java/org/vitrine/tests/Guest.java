package org.vitrine.tests;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.vitrine.devices.VirtBoard;
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

    record Run(String console, Cpu.Exit exit, long cycles, long instructions) {
        List<String> lines() {
            return Arrays.asList(console.split("\n", -1));
        }
    }

    static Run vitrine(Path image, long untilCycles) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (VirtBoard board = new VirtBoard(VirtBoard.Options.defaults(), out::write)) {
            board.loadKernel(image);
            Cpu.Exit exit = board.run(untilCycles);
            Cpu cpu = board.machine().cpu();
            return new Run(out.toString(StandardCharsets.UTF_8), exit, cpu.cycles(), cpu.instructionsRetired());
        }
    }

    /** Console lines that may differ between machines: scheduler statistics. */
    static List<String> comparable(String console) {
        return console.lines().filter(l -> !l.startsWith("[rost] stats:")).toList();
    }
}
