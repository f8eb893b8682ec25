package org.vitrine.cli.bench;

import java.nio.file.Path;

import org.vitrine.cli.log.GuestLogSession;

/**
 * What every workload run needs: the QEMU binary, whether this is the quick mode (tiny sizes, for
 * tests that only check the suite runs), where the project's downloaded images are, and the guest
 * log of the Vitrine runs.
 */
public record BenchEnv(String qemu, boolean quick, Path root, GuestLogSession logs) { }
