package org.vitrine.cli.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.vitrine.cli.DesktopDefaults;
import org.vitrine.cli.RunCommand;
import org.vitrine.devices.board.VirtBoard;

/**
 * A rost program from its disk as a benchmark target: rost's kernel boots, its file server starts
 * {@code /BIN/<program> <iterations>} ({@code rost.init=... -- N}) on a fresh copy of the built
 * disk (virtio-blk, as QEMU gets it with modern virtio-mmio), and the machine powers off when the
 * program exits; a nonzero exit status fails the run.
 */
record RostProgram(String path) implements LoopWorkload.Target {
    private String bootArgs(long iterations) {
        return "rost.init=" + path + " -- " + iterations;
    }

    @Override
    public Optional<String> unavailable(BenchEnv env) {
        Path kernel = RunCommand.defaultKernel(), disk = DesktopDefaults.builtDisk();
        if (!Files.isRegularFile(kernel) || !Files.isRegularFile(disk)) {
            return Optional.of("rost's kernel or disk is not built (" + kernel + ", " + disk + "): run ./vitrine build");
        }
        return Optional.empty();
    }

    @Override
    public double vitrine(BenchEnv env, long iterations) throws Exception {
        VirtBoard.Options o = env.board().withDisk(DesktopDefaults.freshCopy(DesktopDefaults.builtDisk()), false)
                .withBootArgs(bootArgs(iterations));
        return GuestRuns.vitrine(env, o, RunCommand.defaultKernel()).seconds();
    }

    @Override
    public double qemu(BenchEnv env, long iterations) throws Exception {
        Path disk = DesktopDefaults.freshCopy(DesktopDefaults.builtDisk());
        try {
            return GuestRuns.qemu(env, RunCommand.defaultKernel(), "-global", "virtio-mmio.force-legacy=false",
                    "-drive", "if=none,id=d0,file=" + disk + ",format=raw", "-device", "virtio-blk-device,drive=d0",
                    "-append", bootArgs(iterations));
        } finally {
            Files.deleteIfExists(disk);
        }
    }
}
