package org.vitrine.cli.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.vitrine.devices.board.VirtBoard;
import org.vitrine.devices.board.VirtBoard.Options.IommuChoice;
import org.vitrine.devices.iommu.Iommu;
import org.vitrine.devices.iommu.Smmuv3;
import org.vitrine.emulator.cpu.Cpu;

/**
 * {@code vitrine bench --only iommu-linux}: what IOMMU translation costs the host on a real
 * disk-heavy run (issue 12's closing figure). Debian's Linux (the Image {@link LinuxBootWorkload}
 * boots) loads its own virtio modules and reads a whole virtio-blk disk with {@code dd
 * iflag=direct} several times: with O_DIRECT every block is DMA straight into the user buffer, so
 * each request is mapped, transferred and unmapped. Run once with {@code --iommu none} and once
 * with {@code --iommu smmuv3}, where Linux's arm-smmu-v3 driver maps each request into IOVAs of a
 * strict domain (a TLBI and a CMD_SYNC after every unmap) and the device's DMA goes through the
 * IOTLB, hitting after the first access to each page.
 *
 * <p>Each pass is timed between two lines the guest prints, in host CPU time of the emulation thread
 * and in virtual time; the median pass gives the throughput. Three ratios smmuv3 / none are printed, because the
 * end-to-end one mixes two costs: the host throughput (what a user sees); the guest's throughput in
 * virtual time, which falls by the work Linux itself does to map, unmap and invalidate (Vitrine's
 * disk answers at once, so that CPU work is the whole difference, and it costs the host like any
 * guest code); and the host time a virtual second costs, which rises only by what the model's
 * translations and commands cost the host: the figure closest to the
 * host cost of translation that issue 12 bounds (within 15 %).
 */
public final class LinuxDiskIommuBenchmark {
    static final String BEGIN = "READ-BEGIN", END = "READ-END";
    /**
     * The host side is the CPU time of the emulation thread (the console is written on it): the
     * machine this runs on is shared, and wall time there measures the other jobs as much as this.
     */
    private static final java.lang.management.ThreadMXBean THREAD_CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private LinuxDiskIommuBenchmark() { }

    /** The /init script: {@code passes} whole-disk O_DIRECT reads between markers, then power-off. */
    static String init(int passes) {
        return """
                #!/bin/busybox sh
                B=/bin/busybox
                $B mount -t devtmpfs devtmpfs /dev
                $B insmod /lib/modules/virtio_mmio.ko
                $B insmod /lib/modules/virtio_blk.ko
                for i in $($B seq %d); do
                  $B echo %s
                  $B dd if=/dev/vda of=/dev/null bs=256k iflag=direct 2>/dev/null
                  $B echo %s
                done
                $B poweroff -f
                """.formatted(passes, BEGIN, END);
    }

    /** One configuration's passes: host and virtual nanoseconds of each, and what the IOMMU did. */
    record Passes(long[] hostNanos, long[] virtualNanos, String iommuCounters) {
        double medianHostSeconds() {
            return median(hostNanos) / 1e9;
        }

        double medianVirtualSeconds() {
            return median(virtualNanos) / 1e9;
        }

        /** Emulation speed over the passes: what the host's time bought of the guest's. */
        double virtualMsPerHostSecond() {
            return Arrays.stream(virtualNanos).sum() / 1e6 / (Arrays.stream(hostNanos).sum() / 1e9);
        }

        static double median(long[] v) {
            long[] s = v.clone();
            Arrays.sort(s);
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
        }
    }

    /** Splits the console into lines and notes the host and virtual time of each marker line. */
    static final class MarkerClock implements java.util.function.IntConsumer {
        private final StringBuilder line = new StringBuilder();
        private final StringBuilder all = new StringBuilder();
        final List<long[]> begins = new ArrayList<>(), ends = new ArrayList<>();
        java.util.function.LongSupplier virtualNanos = () -> 0;

        @Override
        public void accept(int b) {
            all.append((char) b);
            if (b != '\n') {
                if (b != '\r') line.append((char) b);
                return;
            }
            String l = line.toString();
            line.setLength(0);
            long[] now = {THREAD_CPU.getCurrentThreadCpuTime(), virtualNanos.getAsLong()};
            if (l.equals(BEGIN)) begins.add(now);
            else if (l.equals(END) && ends.size() < begins.size()) ends.add(now);
        }

        String console() {
            return all.toString();
        }
    }

    public static void run(BenchEnv env, PrintStream out) throws Exception {
        Path boot = LinuxBootWorkload.bootDir(env);
        Optional<Path> kernel = LinuxBootWorkload.kernel(env);
        Optional<Path> mmio = module(boot, "virtio_mmio"), blk = module(boot, "virtio_blk");
        Path busybox = boot.resolve("bin/busybox");
        if (kernel.isEmpty() || mmio.isEmpty() || blk.isEmpty() || !Files.isRegularFile(busybox)) {
            out.println("iommu-linux: skipped: Debian's Linux Image, busybox or virtio modules missing under " + boot + ": run scripts/setup.sh");
            return;
        }
        int mib = env.quick() ? 1 : 16, passes = env.quick() ? 1 : 3;
        Path initrd = Files.createTempFile("vitrine-bench-iommu-initrd", ".gz"), disk = Files.createTempFile("vitrine-bench-iommu-disk", ".img");
        try {
            Files.write(initrd, new Initramfs().directory("bin").file("bin/busybox", 0755, Files.readAllBytes(busybox))
                    .file("init", 0755, init(passes).getBytes(StandardCharsets.US_ASCII)).directory("dev").directory("lib")
                    .directory("lib/modules").file("lib/modules/virtio_mmio.ko", 0644, Files.readAllBytes(mmio.get()))
                    .file("lib/modules/virtio_blk.ko", 0644, Files.readAllBytes(blk.get())).build());
            try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
                f.setLength((long) mib << 20);
            }
            Passes none = measure(env, kernel.get(), initrd, disk, IommuChoice.NONE, passes);
            Passes smmu = measure(env, kernel.get(), initrd, disk, new IommuChoice(IommuChoice.Model.SMMUV3, -1, false), passes);
            double mb = (mib << 20) / 1e6;
            out.printf("iommu-linux: Debian Linux, dd iflag=direct of a %d MiB virtio-blk disk in 256 KiB blocks, median of %d passes:%n", mib, passes);
            for (String name : List.of("none", "smmuv3")) {
                Passes p = name.equals("none") ? none : smmu;
                out.printf("  --iommu %-7s host %6.1f MB/s (%.2f CPU s a pass), guest %6.1f MB/s of virtual time, %.2f virtual ms per host CPU s%s%n", name,
                        mb / p.medianHostSeconds(), p.medianHostSeconds(), mb / p.medianVirtualSeconds(), p.virtualMsPerHostSecond(),
                        p.iommuCounters().isEmpty() ? "" : "; " + p.iommuCounters());
            }
            out.printf("iommu-linux: smmuv3 / none: host throughput %.0f %%; guest throughput in virtual time %.0f %% (Linux's own mapping,"
                            + " unmapping and invalidation work); host cost of a virtual second %.0f %% (the model's translation and commands)%n",
                    100 * none.medianHostSeconds() / smmu.medianHostSeconds(), 100 * none.medianVirtualSeconds() / smmu.medianVirtualSeconds(),
                    100 * none.virtualMsPerHostSecond() / smmu.virtualMsPerHostSecond());
        } finally {
            Files.deleteIfExists(initrd);
            Files.deleteIfExists(disk);
        }
    }

    private static Passes measure(BenchEnv env, Path kernel, Path initrd, Path disk, IommuChoice iommu, int passes) throws Exception {
        MarkerClock markers = new MarkerClock();
        VirtBoard.Options o = VirtBoard.Options.defaults().withBootArgs(LinuxBootWorkload.APPEND).withDisk(disk, true)
                .withFirmware(new VirtBoard.Options.Firmware(initrd, null, null, 0)).withIommu(iommu).withGuestLog(env.logs().sink());
        try (VirtBoard board = new VirtBoard(o, markers)) {
            long perSecond = board.machine().clock().cyclesPerSecond();
            markers.virtualNanos = () -> (long) (board.machine().clock().now() * 1e9 / perSecond);
            board.boot(kernel);
            env.logs().started(board.machine().guestLog());
            Cpu.Exit exit = board.run(120 * perSecond);
            env.logs().finished(board.machine().guestLog());
            if (exit.kind() != Cpu.ExitKind.POWER_OFF || markers.ends.size() != passes) {
                throw new IllegalStateException("iommu-linux guest (--iommu " + iommu.model().name().toLowerCase() + ") did not read the disk "
                        + passes + " times and power off: " + exit + "\n" + markers.console());
            }
            long[] host = new long[passes], virtual = new long[passes];
            for (int i = 0; i < passes; i++) {
                host[i] = markers.ends.get(i)[0] - markers.begins.get(i)[0];
                virtual[i] = markers.ends.get(i)[1] - markers.begins.get(i)[1];
            }
            Iommu m = board.iommu();
            String counters = m == null ? "" : String.format("over the whole run %d commands, %d CMD_SYNCs, IOTLB %d misses, %d hits, %d faults",
                    m.commandsExecuted(), m instanceof Smmuv3 s ? s.syncsCompleted() : 0, m.iotlb().misses(), m.iotlb().hits(), m.faults());
            return new Passes(host, virtual, counters);
        }
    }

    /** Debian's {@code name}.ko under lib/modules/VERSION/kernel. */
    private static Optional<Path> module(Path boot, String name) throws IOException {
        Path dir = boot.resolve("lib/modules");
        if (!Files.isDirectory(dir)) return Optional.empty();
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().equals(name + ".ko")).findFirst();
        }
    }
}
