package org.vitrine.tests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code vitrine run --save-snapshot / --restore} as a user meets them, on the real kernel: a
 * snapshot saved at {@code --at} restores and runs on; a truncated file, a corrupt one, something
 * that is not a snapshot, and a snapshot restored into another machine ({@code --ram},
 * {@code --display}, {@code --timing}, the IOMMU options) are each refused with exit status 5 and a message saying which; a snapshot
 * saved at power-off restores as powered off, with the guest's status.
 */
class SnapshotCliTest {
    @TempDir
    static Path dir;

    static Path saved;

    @BeforeAll
    static void save() throws Exception {
        saved = dir.resolve("boot.vtsnap");
        CliTest.Result r = CliTest.vitrine("run", "--headless", "--display", "640x480", "--until", "300ms",
                "--save-snapshot", saved.toString(), "--at", "100ms");
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("snapshot at 0.100 s virtual saved to " + saved), r.stderr());
    }

    private static CliTest.Result restore(Path file, String... extra) throws Exception {
        String[] args = {"run", "--headless", "--restore", file.toString(), "--until", "300ms"};
        String[] all = Arrays.copyOf(args, args.length + extra.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        return CliTest.vitrine(all);
    }

    private static void refused(CliTest.Result r, String why) {
        assertEquals(5, r.exit(), r.stderr());
        assertTrue(r.stderr().contains(why), "expected \"" + why + "\" in: " + r.stderr());
        assertTrue(!r.stderr().contains("time limit reached"), "the machine must not run: " + r.stderr());
    }

    @Test
    void restoresAndRunsOnToTheTimeSincePowerOn() throws Exception {
        CliTest.Result r = restore(saved);
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("restored " + saved + " at 0.100 s virtual"), r.stderr());
        assertTrue(r.stderr().contains("time limit reached; 300000000 cycles"), r.stderr());
    }

    @Test
    void truncatedCorruptAndForeignFilesAreRefused() throws Exception {
        byte[] good = Files.readAllBytes(saved);
        Path cut = Files.write(dir.resolve("cut.vtsnap"), Arrays.copyOf(good, good.length / 2));
        refused(restore(cut), "truncated snapshot");
        byte[] flipped = good.clone();
        flipped[flipped.length - 100] ^= 1;
        refused(restore(Files.write(dir.resolve("flipped.vtsnap"), flipped)), "corrupt snapshot: checksum mismatch");
        refused(restore(Files.writeString(dir.resolve("text.vtsnap"), "hello")), "not a Vitrine snapshot");
        refused(restore(dir.resolve("missing.vtsnap")), "cannot read snapshot");
    }

    @Test
    void anotherMachineIsRefused() throws Exception {
        refused(restore(saved, "--ram", "256M"), "ram.size is 536870912 in the snapshot, 268435456 here");
        refused(restore(saved, "--display", "800x600"), "display is 640x480 in the snapshot, 800x600 here");
        refused(restore(saved, "--timing", "fixed"), "timing is 1000000000 Hz, a53 in the snapshot, 1000000000 Hz, 1 CPI here");
        refused(restore(saved, "--iommu", "smmuv3"), "iommu is none in the snapshot, smmuv3 here");
        refused(restore(saved, "--iommu-check"), "--iommu-check needs an IOMMU");
    }

    /**
     * The IOMMU options with {@code --restore}: left out, the snapshot's IOMMU is built; given, they
     * must describe the snapshot's machine (model, latency, detector), or the restore is refused.
     */
    @Test
    void theIommuOptionsMustMatchTheSnapshot() throws Exception {
        Path smmu = dir.resolve("smmu.vtsnap");
        CliTest.Result r = CliTest.vitrine("run", "--headless", "--iommu", "smmuv3", "--until", "300ms",
                "--save-snapshot", smmu.toString(), "--at", "100ms");
        assertEquals(0, r.exit(), r.stderr());
        CliTest.Result same = restore(smmu, "--iommu", "smmuv3");
        assertEquals(0, same.exit(), same.stderr());
        // at 300 ms, or the end of the block that crosses it (a few cycles more under a53)
        java.util.regex.Matcher end = java.util.regex.Pattern.compile("time limit reached; (\\d+) cycles").matcher(same.stderr());
        assertTrue(end.find() && Long.parseLong(end.group(1)) >= 300_000_000L && Long.parseLong(end.group(1)) < 300_001_000L, same.stderr());
        refused(restore(smmu, "--iommu", "vtd"), "iommu is smmuv3 in the snapshot, vtd here");
        refused(restore(smmu, "--iommu", "none"), "iommu is smmuv3 in the snapshot, none here");
        refused(restore(smmu, "--iommu-latency", "5000"), "cycles in the snapshot, 5000 here (--iommu-latency)");
        refused(restore(smmu, "--iommu-check"), "this machine runs with --iommu-check, the snapshot's did not");
    }

    @Test
    void aPoweredOffMachineRestoresPoweredOff() throws Exception {
        Path off = dir.resolve("off.vtsnap");
        Path guest = TinyElf.write(dir, "off.elf", TinyElf.powerOff(42));
        CliTest.Result r = CliTest.vitrine("run", "--headless", "--kernel", guest.toString(), "--save-snapshot", off.toString());
        int status = r.exit();
        assertEquals(42, status, r.stderr());
        CliTest.Result back = restore(off);
        assertEquals(status, back.exit(), back.stderr());
        assertTrue(back.stderr().contains("the snapshot's guest had powered off"), back.stderr());
    }
}
