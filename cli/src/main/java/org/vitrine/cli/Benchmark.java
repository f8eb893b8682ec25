package org.vitrine.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.vitrine.cli.log.GuestLogSession;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;

/**
 * The CPU-bound benchmark: a 4-instruction loop (add, eor, subs, b.ne) in a minimal bare-metal
 * ELF that powers off through PSCI when done, run on Vitrine and on QEMU in the same process run.
 * Each side runs twice, with N and N/10 iterations, and the difference cancels start-up costs
 * (JVM and engine set-up, QEMU's process start), so the figure is the steady-state guest MIPS.
 */
public final class Benchmark {
    static final long LOAD = 0x4008_0000L;
    static final int HEADERS = 64 + 56;

    private Benchmark() { }

    /** The loop program's instruction words (see {@code BenchmarkTest}, which checks them with the disassembler). */
    static int[] loopProgram() {
        return new int[] {
            0x58000000 | (10 << 5),      // ldr x0, n         (the literal 10 words ahead)
            0xD2800001,                  // mov x1, #0
            0x8B000021,                  // loop: add x1, x1, x0
            0xCA010042,                  //       eor x2, x2, x1
            0xF1000400,                  //       subs x0, x0, #1
            0x54000001 | ((-3 & 0x7FFFF) << 5), // b.ne loop
            0x58000000 | (6 << 5),       // ldr x0, =SYSTEM_OFF (the literal 6 words ahead)
            0xD2800001,                  // mov x1, #0
            0xD4000002,                  // hvc #0
            0x14000000,                  // b .
        };
    }

    /** A minimal ELF64 executable: one PT_LOAD (headers + code + literals) at {@link #LOAD}. */
    static byte[] elf(long iterations) {
        int[] code = loopProgram();
        int codeOff = HEADERS;
        int litOff = codeOff + code.length * 4;   // word 10: n at +0, psci id at +8
        int size = litOff + 16;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).putLong(0);
        b.putShort((short) 2).putShort((short) 183).putInt(1);   // ET_EXEC, EM_AARCH64, EV_CURRENT
        b.putLong(LOAD + codeOff).putLong(64).putLong(0);         // entry, phoff, shoff
        b.putInt(0).putShort((short) 64).putShort((short) 56).putShort((short) 1)
                .putShort((short) 64).putShort((short) 0).putShort((short) 0);
        b.putInt(1).putInt(5).putLong(0).putLong(LOAD).putLong(LOAD)  // PT_LOAD, R+X
                .putLong(size).putLong(size).putLong(0x1000);
        for (int w : code) b.putInt(w);
        b.putLong(iterations).putLong(0x8400_0008L);
        return b.array();
    }

    /** Runs the benchmark, printing its figures on {@code out}; the Vitrine runs report to {@code logs}. */
    public static int run(long iterations, String qemu, PrintStream out, GuestLogSession logs) throws IOException, InterruptedException {
        if (iterations < 1000) throw new IllegalArgumentException("--iterations must be at least 1000");
        long small = iterations / 10;
        Path dir = Files.createTempDirectory("vitrine-bench");
        Path big = dir.resolve("loop-big.elf"), little = dir.resolve("loop-small.elf");
        Files.write(big, elf(iterations));
        Files.write(little, elf(small));
        long instructions = 4 * (iterations - small);

        double vBig = vitrineSeconds(big, iterations, logs), vSmall = vitrineSeconds(little, small, logs);
        double vMips = instructions / (vBig - vSmall) / 1e6;
        out.printf("vitrine: %d iterations in %.3f s, %d in %.3f s -> %.0f guest MIPS%n", iterations, vBig, small, vSmall, vMips);

        double qBig = qemuSeconds(qemu, big), qSmall = qemuSeconds(qemu, little);
        if (Double.isNaN(qBig) || Double.isNaN(qSmall)) {
            out.println("qemu: not available (" + qemu + "); no ratio");
            return 0;
        }
        double qMips = instructions / (qBig - qSmall) / 1e6;
        out.printf("qemu:    %d iterations in %.3f s, %d in %.3f s -> %.0f guest MIPS%n", iterations, qBig, small, qSmall, qMips);
        out.printf("ratio vitrine/qemu: %.2f%n", vMips / qMips);
        return 0;
    }

    private static double vitrineSeconds(Path elf, long iterations, GuestLogSession logs) {
        try (VirtBoard board = new VirtBoard(VirtBoard.Options.defaults().withGuestLog(logs.sink()), b -> { })) {
            board.loadKernel(elf);
            logs.started(board.machine().guestLog());
            long t0 = System.nanoTime();
            Cpu.Exit exit = board.run(Long.MAX_VALUE);
            double s = (System.nanoTime() - t0) / 1e9;
            logs.finished(board.machine().guestLog());
            long retired = board.machine().cpu().instructionsRetired();
            if (exit.kind() != Cpu.ExitKind.POWER_OFF || retired < 4 * iterations) {
                throw new IllegalStateException("benchmark guest did not finish: " + exit.message() + ", " + retired + " instructions");
            }
            return s;
        } catch (VirtBoard.ImageException | IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static double qemuSeconds(String qemu, Path elf) throws IOException, InterruptedException {
        List<String> cmd = List.of(qemu, "-M", "virt", "-cpu", "cortex-a72", "-m", "512", "-display", "none",
                "-serial", "null", "-monitor", "none", "-nodefaults", "-kernel", elf.toString());
        long t0 = System.nanoTime();
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return Double.NaN;
        }
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("QEMU did not finish the benchmark in 600 s");
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
