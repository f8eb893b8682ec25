package org.vitrine.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds QemuLockstep's TCG plugin (tests/src/test/c/device_wait_plugin.c: it holds QEMU's vCPU
 * at rost's device waits) into a test's folder with the system's gcc, which scripts/setup.sh
 * installs; a missing compiler or a build error fails the test, saying so.
 */
final class DeviceWaitPlugin {
    private DeviceWaitPlugin() { }

    static Path build(Path dir) throws IOException, InterruptedException {
        Path source = Guest.root().resolve("tests/src/test/c/device_wait_plugin.c"), lib = dir.resolve("device_wait_plugin.so");
        if (!Files.isRegularFile(source)) throw new IllegalStateException(source + " is missing");
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-Werror", "-shared", "-fPIC", "-o", lib.toString(), source.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException noGcc) {
            throw new IllegalStateException("gcc is needed to build QEMU's device-wait plugin: run scripts/setup.sh", noGcc);
        }
        gcc.getOutputStream().close();
        String out = new String(gcc.getInputStream().readAllBytes());
        if (gcc.waitFor() != 0) throw new IOException("gcc could not build " + source + ":\n" + out);
        return lib;
    }
}
