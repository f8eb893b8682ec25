package org.vitrine.tests;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * rost's syscall suite (guest-apps/systest, started from the disk with rost.init=/BIN/SYSTEST by
 * the file server, process 1, so systest is process 2 and its children count from 3):
 * programs loaded from the FAT disk by the relocating ELF loader, spawn/wait/kill with the
 * permission rule, zombies, and the hostile program's bad pointers, forbidden kills, self-kill,
 * null dereference, infinite loop and a spawn storm; IPC and shared memory; files through the
 * user-space file server, with folders and long names. The kernel survives all of it and powers
 * off with status 0, the files the guest wrote are on the disk for mtools to read, on a volume
 * fsck.fat accepts, and the same console log comes out of QEMU.
 */
class RostSystestTest {
    static final String ARGS = "rost.init=/BIN/SYSTEST";
    @TempDir
    static Path dir;
    static Guest.Run run;
    static Path disk;

    @BeforeAll
    static void boot() throws Exception {
        disk = Guest.disk(dir);
        VirtBoard.Options o = VirtBoard.Options.defaults().withDisk(disk, false).withBootArgs(ARGS);
        run = Guest.vitrine(Guest.kernel(), o, 60_000_000_000L);
        System.out.println(run.console());
    }

    @Test
    void suitePassesAndKernelPowersOffCleanly() {
        String log = run.console();
        assertEquals(Cpu.ExitKind.POWER_OFF, run.exit().kind(), log);
        assertEquals(0, run.exit().status(), log);
        assertTrue(log.contains("task 2: systest done, 0 failed"), log);
        assertTrue(!log.contains("FAIL"), log);
    }

    @Test
    void relocatedProgramReadsItsRodataAndArguments() {
        String log = run.console();
        assertTrue(log.contains("task 3: strings in .rodata work"), log);
        assertTrue(log.contains("task 3: a table of &str in .data.rel.ro works"), log);
        assertTrue(log.contains("task 3: argc 3: /BIN/HELLO one two"), log);
    }

    @Test
    void hostileProgramsAreContained() {
        String log = run.console();
        assertTrue(log.contains("task 5: print_debug(kernel, 8) = -2"), log);
        assertTrue(log.contains("task 5: spawn(image, arg -> kernel) = -2"), log);
        assertTrue(log.contains("task 6: kill(1) = -6"), log);
        assertTrue(log.contains("[rost] task 7 killed by task 7"), log);
        assertTrue(log.contains("[rost] task 11 killed: data abort (ESR=0x92000006 FAR=0x0000000000000000"), log);
        assertTrue(log.contains("[rost] task 12 killed by task 2"), log);
        assertTrue(log.contains("task 9: survived 3000 random syscalls, results hash 0x"), log);
        assertTrue(log.contains("[rost] task 10 killed: data abort (ESR=0x9200004f"), log); // write to RELRO
        assertTrue(log.contains("[rost] cannot run /DOCS/README.TXT: not a 64-bit little-endian ELF"), log);
        assertTrue(log.contains("[rost] cannot run /BIN/BROKEN: segment outside the file or too large"), log);
        assertTrue(log.contains("task 2: spawned 30 children, reaped 30"), log);
        assertTrue(log.contains("task 8: created 64 objects of 1 MiB before the limit"), log);
        assertTrue(log.contains("task 8: shm_map(2^40) = -4"), log);
    }

    @Test
    void ipcAndSharedMemoryChecksPass() {
        String log = run.console();
        assertTrue(log.contains("task 2: ok   the answer's sender is the peer, not what it wrote"), log);
        assertTrue(log.contains("task 2: ok   12 sends to a slow peer with an 8-deep mailbox all complete"), log);
        assertTrue(log.contains("task 2: ok   the reader saw our bytes"), log);
        assertTrue(log.contains("task 2: ok   a new process cannot map the dead process's id"), log);
        assertTrue(log.contains("task 2: ok   20 self-killing processes, all reaped as KILLED"), log);
    }

    @Test
    void filesWrittenByTheGuestAreReadableOnTheHostWithMtools() throws Exception {
        String log = run.console();
        assertTrue(log.contains("task 2: /DOCS: INDEX.HTM 880 README.TXT 164 SAMPLE.RS 1003 WEB 0 NOTES.TXT 5000"), log);
        String readme = mtype("::/DOCS/README.TXT");
        assertTrue(readme.startsWith("Welcome to rost.\n"), readme);
        assertTrue(readme.endsWith("\nEdited by systest.\n"), readme);
        String notes = mtype("::/DOCS/NOTES.TXT");
        assertEquals(5000, notes.length());
        assertTrue(notes.startsWith("notes from rost\n"), notes);
    }

    /**
     * The folders, long names, renames and deletes the guest made (systest's tree checks) as mtools
     * lists them, on a volume fsck.fat finds nothing to repair in.
     */
    @Test
    void directoriesMadeByTheGuestPassMtoolsAndFsck() throws Exception {
        String log = run.console();
        assertTrue(log.contains("task 2: /Projects: 'Archive 2026'/"), log);
        assertTrue(log.contains("task 2: /Projects/Archive 2026: 'Kept.txt' 36"), log);
        String all = host("mdir", "-i", disk.toString(), "-/", "::/");
        assertTrue(all.contains("Projects") && all.contains("Archive 2026") && all.contains("Kept.txt"), all);
        for (String gone : List.of("Long name file", "Shorter", "Renamed file", "Scratch", "Empty folder", "Old")) {
            assertTrue(!all.contains(gone), gone + " should be gone:\n" + all);
        }
        assertEquals("A file with a long name, from rost.\n", mtype("::/Projects/Archive 2026/Kept.txt"));
        String fsck = java.nio.file.Files.exists(Path.of("/usr/sbin/fsck.fat")) ? "/usr/sbin/fsck.fat" : "fsck.fat";
        host(fsck, "-n", disk.toString());
    }

    static String mtype(String file) throws Exception {
        return host("mtype", "-i", disk.toString(), file);
    }

    /** Runs a host tool (mtools need no drive configuration); its output, after it succeeded. */
    static String host(String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("MTOOLS_SKIP_CHECK", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    @Test
    void consoleLogMatchesQemuLineForLine() throws Exception {
        String qemu = Qemu.run(Guest.kernel(), Guest.qemuDisk(Guest.disk(dir), ARGS), 120);
        List<String> q = Guest.comparable(qemu), v = Guest.comparable(run.console());
        assertTrue(q.size() > 20, "QEMU printed a full log:\n" + qemu);
        assertEquals(q, v, "--- QEMU ---\n" + qemu + "\n--- Vitrine ---\n" + run.console());
    }
}
