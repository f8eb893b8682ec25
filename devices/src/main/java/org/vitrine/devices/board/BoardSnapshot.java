package org.vitrine.devices.board;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import org.vitrine.emulator.snapshot.Snapshot;
import org.vitrine.emulator.time.TimingModel;
import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * Snapshots of a whole {@link VirtBoard}: the API the command line, the debugger and scenarios use.
 *
 * <p>{@link #take} saves every part ({@link VirtBoard#snapshotParts()}) with a description of the
 * machine: the libunicorn build (the CPU context is its raw image), RAM size, timing, display,
 * the device sections, the SHA-256 of the booted image, and the options needed to build the same
 * board again ({@link #options}), so {@code vitrine run --restore FILE} needs nothing else.
 * {@link #restore} first checks that the description fits the board (each difference is named),
 * then has every part load and check its section, and only then applies them: a snapshot that does
 * not fit leaves the machine as it was. Take and restore happen between runs of the CPU, on the
 * emulation thread.
 */
public final class BoardSnapshot {
    /** Description keys a board must match to take a restore. */
    private static final List<String> MUST_MATCH = List.of("libunicorn", "ram.size", "timing", "display", "sections", "iommu");

    private BoardSnapshot() { }

    /** Saves the board now (between runs). {@code state} notes how the run stood, e.g. "running". */
    public static Snapshot take(VirtBoard board, String state) {
        Map<String, String> d = describe(board);
        d.put("state", state);
        return Snapshot.take(d, board.snapshotParts());
    }

    /** The description of {@code board}'s machine. */
    static Map<String, String> describe(VirtBoard board) {
        VirtBoard.Options o = board.options();
        Map<String, String> d = new LinkedHashMap<>();
        d.put("machine", "virt");
        d.put("libunicorn", Unicorn.versionString(Unicorn.version()));
        d.put("ram.size", Long.toString(o.ramSize()));
        d.put("timing", o.timing().cyclesPerSecond() + " Hz, " + (o.timing().pipeline() == TimingModel.Pipeline.A53 ? "a53"
                : o.timing().cyclesPerInstruction() + " CPI"));
        d.put("display", o.display() == null ? "none" : o.display().width() + "x" + o.display().height());
        StringJoiner names = new StringJoiner(",");
        for (Snapshottable p : board.snapshotParts()) names.add(p.snapshotName());
        d.put("sections", names.toString());
        d.put("image.sha256", board.bootImageHash() == null ? "none" : board.bootImageHash());
        d.put("keyboard", Boolean.toString(o.keyboard()));
        d.put("tablet", Boolean.toString(o.tablet()));
        d.put("disk", o.disk() == null ? "none" : o.disk().toAbsolutePath().toString());
        d.put("disk.readonly", Boolean.toString(o.diskReadOnly()));
        d.put("bootargs", o.bootArgs() == null ? "" : o.bootArgs());
        d.put("bootargs.set", Boolean.toString(o.bootArgs() != null));
        d.put("rtc.epoch", Long.toString(o.rtcEpochSeconds()));
        d.put("flash1", o.firmware().flash1() == null ? "none" : o.firmware().flash1().toAbsolutePath().toString());
        d.put("seed", Long.toString(o.firmware().seed()));
        d.put("iommu", o.iommu().model().name().toLowerCase());
        d.put("iommu.latency", Long.toString(o.iommu().commandNanos()));
        d.put("iommu.check", Boolean.toString(o.iommu().check()));
        return d;
    }

    /**
     * The options that build the board a snapshot was taken on, from {@code base} (which keeps its
     * guest log and, when it names one, its disk: the disk given on the command line is restored
     * to the snapshot's contents).
     */
    public static VirtBoard.Options options(Snapshot s, VirtBoard.Options base, Path diskOverride) throws SnapshotException {
        Map<String, String> d = s.description();
        try {
            VirtBoard.Options o = base.withRam(Long.parseLong(need(d, "ram.size")));
            String[] timing = need(d, "timing").split(" Hz, | CPI");
            TimingModel model = timing[1].equals("a53") ? TimingModel.a53(Long.parseLong(timing[0]))
                    : TimingModel.fixedCpi(Long.parseLong(timing[0]), Integer.parseInt(timing[1]));
            o = new VirtBoard.Options(o.ramSize(), model, Long.parseLong(need(d, "rtc.epoch")), Boolean.parseBoolean(need(d, "bootargs.set"))
                    ? need(d, "bootargs") : null, null, Boolean.parseBoolean(need(d, "keyboard")), Boolean.parseBoolean(need(d, "tablet")),
                    null, false, base.guestLog(), base.firmware(), VirtBoard.Options.IommuChoice.NONE);
            String display = need(d, "display");
            if (!display.equals("none")) {
                String[] wh = display.split("x");
                o = new VirtBoard.Options(o.ramSize(), o.timing(), o.rtcEpochSeconds(), o.bootArgs(),
                        new VirtBoard.Options.Display(Integer.parseInt(wh[0]), Integer.parseInt(wh[1])), o.keyboard(), o.tablet(),
                        null, false, o.guestLog(), o.firmware(), o.iommu());
            }
            o = o.withIommu(iommu(d));
            String disk = need(d, "disk");
            Path diskPath = diskOverride != null ? diskOverride : disk.equals("none") ? null : Path.of(disk);
            o = o.withDisk(diskPath, Boolean.parseBoolean(need(d, "disk.readonly")));
            String flash1 = need(d, "flash1");
            return o.withFirmware(new VirtBoard.Options.Firmware(null, null, flash1.equals("none") ? null : Path.of(flash1),
                    Long.parseLong(need(d, "seed"))));
        } catch (RuntimeException e) {
            throw new SnapshotException("snapshot's machine description is unreadable: " + e.getMessage(), e);
        }
    }

    /** The IOMMU a snapshot's machine had (snapshots made before IOMMUs could be saved say none). */
    private static VirtBoard.Options.IommuChoice iommu(Map<String, String> d) {
        VirtBoard.Options.IommuChoice.Model model = VirtBoard.Options.IommuChoice.Model.valueOf(d.getOrDefault("iommu", "none").toUpperCase());
        if (model == VirtBoard.Options.IommuChoice.Model.NONE) return VirtBoard.Options.IommuChoice.NONE;
        return new VirtBoard.Options.IommuChoice(model, Long.parseLong(d.getOrDefault("iommu.latency", "-1")),
                Boolean.parseBoolean(d.getOrDefault("iommu.check", "false")));
    }

    private static String need(Map<String, String> d, String key) throws SnapshotException {
        String v = d.get(key);
        if (v == null) throw new SnapshotException("snapshot's machine description has no " + key);
        return v;
    }

    /**
     * Restores {@code s} into {@code board}: refused with a {@link SnapshotException} naming what
     * differs when the snapshot belongs to another machine, and when any section does not load;
     * the board is then unchanged.
     */
    public static void restore(VirtBoard board, Snapshot s) throws SnapshotException {
        Map<String, String> mine = describe(board);
        List<String> differences = new ArrayList<>();
        for (String key : MUST_MATCH) {
            String theirs = s.description().getOrDefault(key, key.equals("iommu") ? "none" : null);  // files from before IOMMUs could be saved
            if (!mine.get(key).equals(theirs)) differences.add(key + " is " + theirs + " in the snapshot, " + mine.get(key) + " here");
        }
        String image = s.description().get("image.sha256");
        if (board.bootImageHash() != null && image != null && !image.equals("none") && !image.equals(board.bootImageHash())) {
            differences.add("the snapshot's machine booted another image (SHA-256 " + image + ", this one " + board.bootImageHash() + ")");
        }
        if (!differences.isEmpty()) throw new SnapshotException("snapshot does not match this machine: " + String.join("; ", differences));
        s.restore(board.snapshotParts());
        if (image != null && !image.equals("none")) board.bootImageHash(image);
    }

    /** Hex SHA-256 of a file, or null when {@code file} is null or unreadable (then the boot reports it). */
    public static String sha256(Path file) {
        if (file == null) return null;
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
