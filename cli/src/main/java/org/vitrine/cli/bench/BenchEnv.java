package org.vitrine.cli.bench;

import java.nio.file.Path;

import org.vitrine.cli.log.GuestLogSession;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.time.TimingModel;

/**
 * What every workload run needs: the QEMU binary, whether this is the quick mode (tiny sizes, for
 * tests that only check the suite runs), where the project's downloaded images are, the guest
 * log of the Vitrine runs, the timing model Vitrine runs with ({@code --timing}), and whether
 * Vitrine's runs are timed by the CPU time of the thread that runs them ({@code threadCpu}: two
 * Vitrine runs compared with each other on a loaded machine, where wall time mostly measures the
 * other processes) or by wall time (the default: Vitrine against QEMU, a separate process), and
 * whether QEMU runs with {@code -icount shift=0,sleep=off} ({@code qemuIcount}: QEMU's deterministic
 * mode, one instruction a nanosecond, the guarantee Vitrine's fixed model gives) or as users run it.
 */
public record BenchEnv(String qemu, boolean quick, Path root, GuestLogSession logs, TimingModel.Pipeline timing, boolean threadCpu,
                       boolean qemuIcount) {
    /** What {@code qemuIcount} adds to QEMU's command line. */
    public static final java.util.List<String> QEMU_ICOUNT = java.util.List.of("-icount", "shift=0,sleep=off");

    public BenchEnv(String qemu, boolean quick, Path root, GuestLogSession logs) {
        this(qemu, quick, root, logs, TimingModel.Pipeline.FIXED);
    }

    public BenchEnv(String qemu, boolean quick, Path root, GuestLogSession logs, TimingModel.Pipeline timing) {
        this(qemu, quick, root, logs, timing, false, false);
    }

    /** The default board with this run's timing model. */
    public VirtBoard.Options board() {
        VirtBoard.Options d = VirtBoard.Options.defaults();
        return d.withTiming(d.timing().with(timing));
    }

    /** The same environment with Vitrine on {@code pipeline}. */
    public BenchEnv withTiming(TimingModel.Pipeline pipeline) {
        return new BenchEnv(qemu, quick, root, logs, pipeline, threadCpu, qemuIcount);
    }

    /** The same environment with Vitrine's runs timed by their thread's CPU time. */
    public BenchEnv withThreadCpuTime() {
        return new BenchEnv(qemu, quick, root, logs, timing, true, qemuIcount);
    }

    /** The same environment with QEMU in its deterministic mode ({@link #QEMU_ICOUNT}). */
    public BenchEnv withQemuIcount() {
        return new BenchEnv(qemu, quick, root, logs, timing, threadCpu, true);
    }
}
