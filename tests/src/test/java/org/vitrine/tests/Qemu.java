package org.vitrine.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the reference machine, qemu-system-aarch64 -M virt, on the same image. */
final class Qemu {
    private Qemu() { }

    static final String BINARY = "qemu-system-aarch64";

    /**
     * Boots {@code image} on QEMU 7.2's virt board as Vitrine models it (Cortex-A72, 512 MiB, no
     * NIC, console on stdout) and returns the console once the guest powers off.
     */
    static String run(Path image, List<String> extra, int timeoutSeconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(BINARY, "-M", "virt", "-cpu", "cortex-a72", "-m", "512",
                "-nodefaults", "-nic", "none", "-display", "none", "-monitor", "none", "-serial", "stdio",
                "-kernel", image.toString()));
        cmd.addAll(extra);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("QEMU did not power off within " + timeoutSeconds + " s");
        }
        return new String(out, StandardCharsets.UTF_8).replace("\r\n", "\n");
    }
}
