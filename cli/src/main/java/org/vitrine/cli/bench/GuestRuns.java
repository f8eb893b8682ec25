package org.vitrine.cli.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;

/**
 * Runs a guest to power-off once on each side and times it: Vitrine in this JVM (board set-up,
 * image loading and the run; the JVM itself is already up), QEMU as a process (its start-up
 * included, as a user would run it).
 */
final class GuestRuns {
    /** The board QEMU is given: the machine Vitrine models. */
    static final List<String> QEMU_MACHINE = List.of("-M", "virt", "-cpu", "cortex-a72", "-m", "512", "-nodefaults",
            "-nic", "none", "-display", "none", "-monitor", "none");

    private GuestRuns() { }

    /** What a Vitrine run did: host seconds and guest instructions. */
    record Ran(double seconds, long instructions) { }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /** Now, on the clock {@code env} times Vitrine with: wall time, or this thread's CPU time (nanoseconds). */
    private static long now(BenchEnv env) {
        return env.threadCpu() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /**
     * Boots {@code kernel} on a fresh board with {@code options} and runs it until it powers off,
     * timed on {@code env}'s clock (the board's devices run on this thread too, so its CPU time is
     * the whole run's but for the JVM's compiler and collector threads).
     */
    static Ran vitrine(BenchEnv env, VirtBoard.Options options, Path kernel) {
        long t0 = now(env);
        try (VirtBoard board = new VirtBoard(options.withGuestLog(env.logs().sink()), b -> { })) {
            board.boot(kernel);
            env.logs().started(board.machine().guestLog());
            Cpu.Exit exit = board.run(Long.MAX_VALUE);
            double s = (now(env) - t0) / 1e9;
            env.logs().finished(board.machine().guestLog());
            if (exit.kind() != Cpu.ExitKind.POWER_OFF || exit.status() != 0) {
                throw new IllegalStateException("benchmark guest " + kernel.getFileName() + " did not power off: " + exit.message());
            }
            return new Ran(s, board.machine().cpu().instructionsRetired());
        } catch (VirtBoard.ImageException | IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Wall seconds of QEMU running {@code kernel} (plus {@code extra} arguments) to power-off; NaN if QEMU cannot start. */
    static double qemu(BenchEnv env, Path kernel, String... extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(env.qemu()));
        cmd.addAll(QEMU_MACHINE);
        if (env.qemuIcount()) cmd.addAll(BenchEnv.QEMU_ICOUNT);
        cmd.addAll(List.of("-serial", "null", "-kernel", kernel.toString()));
        cmd.addAll(List.of(extra));
        long t0 = System.nanoTime();
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return Double.NaN;
        }
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("QEMU did not finish " + kernel.getFileName() + " in 600 s");
        }
        if (p.exitValue() != 0) throw new IllegalStateException("QEMU failed on " + kernel.getFileName() + " (status " + p.exitValue() + ")");
        return (System.nanoTime() - t0) / 1e9;
    }
}
