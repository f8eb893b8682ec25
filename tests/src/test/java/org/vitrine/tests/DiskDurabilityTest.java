package org.vitrine.tests;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.cli.window.Xvfb;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.testutil.GuestAsm;

/**
 * No write the guest has flushed is lost, even if the JVM is killed right after.
 *
 * <p>A small guest (assembled here, run on a real {@link VirtBoard} with its virtio-blk disk in a
 * child JVM) drives the virtio-mmio transport itself: it writes 1 MiB of random data in 64 KiB
 * requests, sends VIRTIO_BLK_T_FLUSH, checks every status byte, and then writes 'F' to the UART.
 * The child JVM's console sink answers that byte by sending SIGKILL to its own process, on the
 * emulation thread, before the guest runs another instruction: nothing in Vitrine gets a chance to
 * write anything later (no shutdown hook, no close of the image, no background writer). The parent
 * then checks that the process died of SIGKILL and that the image holds the guest's data at the
 * sectors it wrote and the original bytes everywhere else.
 *
 * <p>A process kill does not lose what is in the host's page cache; what flush adds is stable
 * storage, which no test short of pulling the power can observe. So where strace is installed the
 * child runs under it, and the test also checks the system calls: the flush reached the host as an
 * fsync/fdatasync of the image after its last write, and before the kill.
 */
class DiskDurabilityTest {
    static final long DATA = 0x4200_0000L;            // guest RAM the host fills with the data to write
    static final int LENGTH = 1 << 20, CHUNK = 64 << 10, FIRST_SECTOR = 1000;
    static final long IMAGE_SIZE = 8L << 20;

    @TempDir
    Path dir;

    @Test
    void flushedWritesSurviveSigkillRightAfterTheFlush() throws Exception {
        Random rnd = new Random();
        long seed = rnd.nextLong();
        rnd = new Random(seed);
        byte[] original = new byte[(int) IMAGE_SIZE], data = new byte[LENGTH];
        rnd.nextBytes(original);
        rnd.nextBytes(data);
        Path image = Files.write(dir.resolve("disk.img"), original);
        Path dataFile = Files.write(dir.resolve("data.bin"), data);
        Path elf = dir.resolve("writer.elf");
        Files.write(elf, CliTest.elfOf(GuestAsm.assemble(writerSource(), TinyElf.LOAD)));

        boolean traced = straceWorks();
        Path trace = dir.resolve("strace.txt");
        List<String> cmd = new ArrayList<>();
        if (traced) cmd.addAll(List.of("strace", "-f", "-y", "--seccomp-bpf", "-e", "trace=pwrite64,fsync,fdatasync,kill",
                "-e", "signal=none", "-o", trace.toString()));
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), FlushThenDie.class.getName(),
                elf.toString(), image.toString(), dataFile.toString()));
        long t0 = System.nanoTime();
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        child.getOutputStream().close();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly().waitFor();
            throw new AssertionError("child did not finish:\n" + out);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(128 + 9, child.exitValue(), "the child JVM died of SIGKILL (seed " + seed + "); its output:\n" + out);
        assertTrue(out.contains("guest: flushed"), out);

        byte[] after = Files.readAllBytes(image);
        assertEquals(original.length, after.length, "image size");
        long at = (long) FIRST_SECTOR * 512;
        int lost = 0;
        for (int i = 0; i < LENGTH; i++) if (after[(int) at + i] != data[i]) lost++;
        assertEquals(0, lost, "bytes of the flushed data missing from the image (seed " + seed + ")");
        assertArrayEquals(Arrays.copyOfRange(original, 0, (int) at), Arrays.copyOfRange(after, 0, (int) at), "sectors before the write");
        assertArrayEquals(Arrays.copyOfRange(original, (int) at + LENGTH, original.length),
                Arrays.copyOfRange(after, (int) at + LENGTH, after.length), "sectors after the write");
        System.out.printf("[durability] guest wrote %d KiB in %d requests + FLUSH; JVM killed by SIGKILL at the flush's completion"
                + " (%d ms run); image holds all of it%n", LENGTH >> 10, LENGTH / CHUNK, ms);

        if (traced) checkSyscalls(Files.readAllLines(trace), image);
        else System.out.println("[durability] strace not installed or not permitted here: system calls not checked");
    }

    /** Whether strace is installed and may trace a child here (containers may forbid ptrace). */
    private static boolean straceWorks() throws InterruptedException {
        if (!Xvfb.onPath("strace")) return false;
        try {
            Process p = new ProcessBuilder("strace", "-f", "--seccomp-bpf", "-e", "trace=fsync", "-o", "/dev/null", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The image's last pwrite64 is followed by an fsync/fdatasync of it, then the SIGKILL; nothing written to it after. */
    private static void checkSyscalls(List<String> trace, Path image) {
        String name = "<" + image.toAbsolutePath() + ">";
        int lastWrite = -1, sync = -1, kill = -1, writes = 0;
        for (int i = 0; i < trace.size(); i++) {
            String l = trace.get(i);
            if (l.contains("pwrite64(") && l.contains(name)) {
                lastWrite = i;
                writes++;
                if (sync >= 0) throw new AssertionError("write to the image after its sync:\n" + l);
            } else if ((l.contains("fsync(") || l.contains("fdatasync(")) && l.contains(name) && l.contains("= 0")) {
                sync = i;
            } else if (l.contains("kill(") && l.contains("SIGKILL")) {
                kill = i;
            }
        }
        assertTrue(writes >= LENGTH / CHUNK, writes + " writes to the image in the trace");
        assertTrue(sync > lastWrite, "no fsync/fdatasync of the image after its last write");
        assertTrue(kill > sync, "the SIGKILL came after the sync");
        Matcher m = Pattern.compile("(fsync|fdatasync)\\(").matcher(trace.get(sync));
        assertTrue(m.find());
        System.out.printf("[durability] strace: %d pwrite64 to the image, then %s of it, then kill(self, SIGKILL)%n", writes, m.group(1));
    }

    /**
     * The guest: virtio-blk at slot 31 (the only device, so QEMU's top-down placement puts it there),
     * modern transport, one 8-entry queue; LENGTH bytes from DATA to FIRST_SECTOR on in CHUNK-byte
     * writes, then a flush; 'F' on the UART when every request came back OK, 'X' and power-off with
     * status 1 otherwise. MMU off, so every address is physical.
     */
    static String writerSource() {
        return """
                .equ SLOT, 0x0a003e00
                .equ UART, 0x09000000
                .equ DESC, 0x41000000
                .equ AVAIL, 0x41001000
                .equ USED, 0x41002000
                .equ HDR, 0x41003000
                .equ STATUS, 0x41003100
                .equ DATA, %d
                .equ LENGTH, %d
                .equ CHUNK, %d
                .equ FIRST, %d
                .text
                _start:
                    ldr x20, =SLOT
                    ldr w0, [x20, #0x000]          // MagicValue "virt"
                    ldr w1, =0x74726976
                    cmp w0, w1
                    b.ne fail
                    ldr w0, [x20, #0x004]          // Version 2
                    cmp w0, #2
                    b.ne fail
                    ldr w0, [x20, #0x008]          // DeviceID 2: block
                    cmp w0, #2
                    b.ne fail
                    str wzr, [x20, #0x070]         // reset
                    mov w0, #1
                    str w0, [x20, #0x070]          // ACKNOWLEDGE
                    mov w0, #3
                    str w0, [x20, #0x070]          // DRIVER
                    str wzr, [x20, #0x014]
                    ldr w0, [x20, #0x010]
                    tbz w0, #9, fail               // VIRTIO_BLK_F_FLUSH offered
                    str wzr, [x20, #0x024]
                    mov w0, #0x200
                    str w0, [x20, #0x020]          // accept FLUSH
                    mov w0, #1
                    str w0, [x20, #0x024]
                    str w0, [x20, #0x020]          // VIRTIO_F_VERSION_1
                    mov w0, #11
                    str w0, [x20, #0x070]          // FEATURES_OK
                    ldr w0, [x20, #0x070]
                    tbz w0, #3, fail
                    str wzr, [x20, #0x030]         // QueueSel 0
                    ldr w0, [x20, #0x034]
                    cmp w0, #8
                    b.lo fail
                    mov w0, #8
                    str w0, [x20, #0x038]          // QueueNum
                    ldr x0, =DESC
                    str w0, [x20, #0x080]
                    str wzr, [x20, #0x084]
                    ldr x0, =AVAIL
                    str w0, [x20, #0x090]
                    str wzr, [x20, #0x094]
                    ldr x0, =USED
                    str w0, [x20, #0x0a0]
                    str wzr, [x20, #0x0a4]
                    mov w0, #1
                    str w0, [x20, #0x044]          // QueueReady
                    mov w0, #15
                    str w0, [x20, #0x070]          // DRIVER_OK
                    mov w21, #0                    // avail idx
                    ldr x22, =DATA
                    ldr x23, =FIRST
                    ldr x24, =(DATA + LENGTH)
                1:  mov w0, #1                     // VIRTIO_BLK_T_OUT
                    mov x1, x23
                    mov x2, x22
                    ldr x3, =CHUNK
                    bl request
                    ldr x0, =CHUNK
                    add x22, x22, x0
                    add x23, x23, x0, lsr #9
                    cmp x22, x24
                    b.lo 1b
                    mov w0, #4                     // VIRTIO_BLK_T_FLUSH
                    mov x1, #0
                    mov x2, #0
                    mov x3, #0
                    bl request
                    ldr x1, =UART
                    mov w0, #'F'
                    str w0, [x1]
                2:  b 2b

                // request(type w0, sector x1, data x2, length x3: 0 = none): header, [data], status.
                request:
                    ldr x9, =HDR
                    str w0, [x9]
                    str wzr, [x9, #4]
                    str x1, [x9, #8]
                    ldr x10, =STATUS
                    mov w11, #0xff
                    strb w11, [x10]
                    ldr x12, =DESC
                    str x9, [x12]                  // desc 0: header, NEXT -> 1
                    mov w11, #16
                    str w11, [x12, #8]
                    mov w11, #1
                    strh w11, [x12, #12]
                    strh w11, [x12, #14]
                    mov x13, x12                   // the status descriptor: 1, or 2 after data
                    cbz x3, 3f
                    add x13, x12, #32
                    str x2, [x12, #16]             // desc 1: data, device-readable, NEXT -> 2
                    str w3, [x12, #24]
                    mov w11, #1
                    strh w11, [x12, #28]
                    mov w11, #2
                    strh w11, [x12, #30]
                    b 4f
                3:  add x13, x12, #16
                4:  str x10, [x13]                 // status: 1 byte, device-writable
                    mov w11, #1
                    str w11, [x13, #8]
                    mov w11, #2
                    strh w11, [x13, #12]
                    strh wzr, [x13, #14]
                    ldr x14, =AVAIL
                    and w15, w21, #7
                    add x15, x14, x15, lsl #1
                    strh wzr, [x15, #4]            // ring[idx %% 8] = head 0
                    add w21, w21, #1
                    dmb sy
                    strh w21, [x14, #2]            // avail idx
                    dmb sy
                    str wzr, [x20, #0x050]         // QueueNotify 0
                    ldr x14, =USED
                5:  ldrh w15, [x14, #2]
                    cmp w15, w21, uxth
                    b.ne 5b
                    dmb sy
                    ldrb w11, [x10]
                    cbnz w11, fail                 // status must be VIRTIO_BLK_S_OK
                    ret

                fail:
                    ldr x1, =UART
                    mov w0, #'X'
                    str w0, [x1]
                    ldr x0, =0x84000008
                    mov x1, #1
                    hvc #0
                6:  b 6b
                """.formatted(DATA, LENGTH, CHUNK, FIRST_SECTOR);
    }

    /**
     * The child JVM: a virt board with only the disk, the guest's data in RAM, and a console sink
     * that kills the whole process with SIGKILL (kill(2) on its own pid) when the guest says 'F'.
     * Arguments: kernel ELF, disk image, data file.
     */
    public static final class FlushThenDie {
        public static void main(String[] args) throws Throwable {
            Linker linker = Linker.nativeLinker();
            MethodHandle kill = linker.downcallHandle(linker.defaultLookup().find("kill").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            int pid = (int) ProcessHandle.current().pid();
            VirtBoard.Options o = VirtBoard.Options.defaults().withDisk(Path.of(args[1]), false);
            try (VirtBoard board = new VirtBoard(o, b -> {
                if (b == 'F') {
                    System.out.println("guest: flushed; SIGKILL now");
                    System.out.flush();
                    try {
                        int rc = (int) kill.invokeExact(pid, 9);
                        System.out.println("kill returned " + rc);
                    } catch (Throwable t) {
                        throw new IllegalStateException(t);
                    }
                } else {
                    System.out.println("guest: " + (char) b);
                }
            })) {
                board.loadKernel(Path.of(args[0]));
                byte[] data = Files.readAllBytes(Path.of(args[2]));
                board.machine().ram().write(DATA, data, 0, data.length);
                System.out.println("run ended: " + board.run(10_000_000_000L));
            }
        }
    }
}
