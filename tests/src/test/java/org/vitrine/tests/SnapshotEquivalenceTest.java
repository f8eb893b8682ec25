package org.vitrine.tests;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vitrine.cli.script.GuestFont;
import org.vitrine.cli.script.ScenarioParser;
import org.vitrine.cli.script.ScenarioResult;
import org.vitrine.cli.script.TextFinder;
import org.vitrine.cli.script.ScenarioRunner;
import org.vitrine.devices.board.BoardSnapshot;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.cpu.ObservableRegisters;
import org.vitrine.emulator.display.Frame;
import org.vitrine.emulator.display.HostInput;
import org.vitrine.emulator.snapshot.Snapshot;
import org.vitrine.emulator.snapshot.SnapshotFile;
import org.vitrine.emulator.time.TimingModel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10's equivalence: on the real kernel and desktop ({@code --display 1024x768 --append
 * rost.desktop} on a copy of the built disk), running straight to T2 gives the same machine as
 * running to T1, saving, restoring in a fresh JVM ({@code vitrine run --restore}) and running on to
 * T2: the same console, screenshot, RAM, disk contents, cycle count — in fact every section of a
 * snapshot taken at T2 is identical (clock and pending events, RAM, each device), and so are the
 * CPU's observable registers and run-loop state (its raw libunicorn context is not compared: it
 * also holds a PMU cycle counter that follows host time, different in any two runs).
 *
 * <p>The straight run is in process and stops at T1 only where steps (keys) follow it, as any
 * scenario stops to type. The split run saves at T1 (in process, after the same scenario), and
 * between the save and the restore its disk image is scribbled on: the restore must bring the disk
 * back to its contents at T1. T1 is taken mid-boot (the block device and file server busy), with
 * the desktop up, while keys typed into the Terminal are on their way through the window manager,
 * the terminal and the file server (IPC, and the GPU's transfers), while Snake runs with arrows
 * typed before and after T1 (virtio-input writes them into buffers posted before the save: the
 * machine's only DMA that waits, as virtio requests complete when notified), and behind each
 * IOMMU while rost's system-call suite works the disk. Under both timing models for the boot, the
 * desktop and the in-memory rewind: with a53 the CPU section carries the model's whole state
 * (caches, TLBs, predictor, block costs, sampling schedule), which the comparison of the run
 * loop's state at T2 checks byte for byte, as it checks the cycle count.
 */
class SnapshotEquivalenceTest {
    private static final long MS = 1_000_000L;  // cycles per millisecond at 1 GHz

    @TempDir
    Path dir;

    /** A desktop board run in process, with its console captured and a scenario player on it. */
    private static final class Desktop implements AutoCloseable {
        final ByteArrayOutputStream console = new ByteArrayOutputStream();
        final VirtBoard board;
        final ScenarioRunner runner;

        Desktop(Path disk, VirtBoard.Options o) throws Exception {
            ScenarioRunner[] r = new ScenarioRunner[1];
            board = new VirtBoard(o, b -> {
                console.write(b);
                if (r[0] != null) r[0].consoleByte(b);
            });
            runner = new ScenarioRunner(board, new PrintStream(new ByteArrayOutputStream()), disk.getParent(), disk.getParent(),
                    new TextFinder(GuestFont.project()));
            r[0] = runner;
            board.loadKernel(Guest.kernel());
        }

        /** Plays the scenario; returns the cycle it ended at. */
        long play(List<String> scenario) throws Exception {
            if (!scenario.isEmpty()) {
                ScenarioResult o = runner.play(ScenarioParser.parse("equivalence.vts", Path.of("."), scenario), "equivalence.vts");
                assertTrue(o.passed(), o.sections() + "\n" + console());
            }
            return board.machine().cpu().cycles();
        }

        Cpu.Exit runTo(long cycle) {
            Cpu.Exit e = board.run(cycle);
            assertEquals(Cpu.ExitKind.TIME_LIMIT, e.kind(), e + "\n" + console());
            return e;
        }

        String console() {
            return console.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() {
            board.close();
        }
    }

    /** rost's desktop at 1024x768 on {@code disk}. */
    private static VirtBoard.Options desktop(Path disk) {
        return VirtBoard.Options.defaults().withDesktop(new VirtBoard.Options.Display(1024, 768)).withDisk(disk, false).withBootArgs("rost.desktop");
    }

    /** rost's desktop with the {@code timing} model. */
    private static Function<Path, VirtBoard.Options> desktop(TimingModel.Pipeline timing) {
        return disk -> {
            VirtBoard.Options o = desktop(disk);
            return o.withTiming(o.timing().with(timing));
        };
    }

    /** The straight run, to compare against. */
    private record Straight(String console, Frame frame, Snapshot end, byte[] disk, long cycles) { }

    /**
     * Plays {@code scenario}; when something happens at T1 (host input posted, or steps after it)
     * runs to T1 (a step boundary), posts the input and plays the steps; then runs to T2.
     */
    private Straight straight(Function<Path, VirtBoard.Options> machine, List<String> scenario, long t1AfterScenario, List<String> afterT1,
                              List<HostInput.Event> postedAtT1, long t2) throws Exception {
        Path disk = Guest.disk(Files.createDirectories(dir.resolve("straight")));
        try (Desktop d = new Desktop(disk, machine.apply(disk))) {
            long t1 = d.play(scenario) + t1AfterScenario;
            if (!afterT1.isEmpty() || !postedAtT1.isEmpty()) {
                d.runTo(t1);
                postedAtT1.forEach(d.board.input()::post);
                d.play(afterT1);
            }
            d.runTo(t2);
            Snapshot end = BoardSnapshot.take(d.board, "running");
            return new Straight(d.console(), d.board.currentFrame(), end, Files.readAllBytes(disk), d.board.machine().cpu().cycles());
        }
    }

    private void equivalent(String name, List<String> scenario, long t1AfterScenario, long t2) throws Exception {
        equivalent(name, SnapshotEquivalenceTest::desktop, scenario, t1AfterScenario, List.of(), t2);
    }

    private void equivalent(String name, Function<Path, VirtBoard.Options> machine, List<String> scenario, long t1AfterScenario,
                            List<String> afterT1, long t2) throws Exception {
        equivalent(name, machine, scenario, t1AfterScenario, afterT1, List.of(), t2);
    }

    /**
     * Runs the scenario then on to T1 = its end + {@code t1AfterScenario}, saves, scribbles on the
     * disk, restores in a fresh JVM, plays {@code afterT1} and runs to {@code t2} there, and
     * compares with the straight run. Without steps after T1 the fresh JVM is {@code vitrine run
     * --restore}; with them, {@link SnapshotContinuation} (the CLI's run has no scenario player).
     * Host input {@code postedAtT1} is posted just before the save: in the snapshot, not yet
     * delivered (the straight run posts it at T1 and runs on).
     */
    private Straight equivalent(String name, Function<Path, VirtBoard.Options> machine, List<String> scenario, long t1AfterScenario,
                                List<String> afterT1, List<HostInput.Event> postedAtT1, long t2) throws Exception {
        Straight s = straight(machine, scenario, t1AfterScenario, afterT1, postedAtT1, t2);
        Path work = Files.createDirectories(dir.resolve(name));
        Path disk = Guest.disk(work);
        Path saved = work.resolve("t1.vtsnap");
        String before;
        long t1;
        try (Desktop d = new Desktop(disk, machine.apply(disk))) {
            t1 = d.play(scenario) + t1AfterScenario;
            assertTrue(t1 < t2, "T1 " + t1 + " is before T2 " + t2);
            d.runTo(t1);
            postedAtT1.forEach(d.board.input()::post);
            assertEquals(postedAtT1.isEmpty(), d.board.input().isEmpty(), "the input posted at T1 is not delivered yet when saved");
            SnapshotFile.write(BoardSnapshot.take(d.board, "running"), saved);
            before = d.console();
        }
        scribble(disk);

        Path end = work.resolve("t2.vtsnap");
        Path shot = work.resolve("t2.png");
        String after;
        if (afterT1.isEmpty()) {
            List<String> args = new ArrayList<>(List.of("run", "--headless", "--restore", saved.toString(), "--until", t2 + "ns",
                    "--save-snapshot", end.toString()));
            if (s.frame() != null) args.addAll(List.of("--screenshot", shot.toString()));
            CliTest.Result r = CliTest.vitrine(args.toArray(String[]::new));
            assertEquals(0, r.exit(), r.stderr());
            // at T2, or the end of the block that crosses it: where the straight run stopped too
            assertTrue(r.stderr().contains("; " + s.cycles() + " cycles"), "the restored run ends at cycle " + s.cycles() + ": " + r.stderr());
            after = r.stdout();
        } else {
            Process p = new ProcessBuilder(SnapshotContinuation.command(saved, t2, work, afterT1)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS), "the fresh JVM finished");
            assertEquals(0, p.exitValue(), out);
            after = Files.readString(work.resolve("console.txt"), StandardCharsets.ISO_8859_1);
        }

        assertEquals(s.console(), before + after, name + ": the console, T1 at cycle " + t1);
        if (s.frame() != null) {
            Files.copy(shot, Files.createDirectories(Path.of("target")).resolve("snapshot-" + name + "-t2.png"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);  // to look at
            assertSamePicture(s.frame(), ImageIO.read(shot.toFile()));
        }
        assertArrayEquals(s.disk(), Files.readAllBytes(disk), name + ": the disk image at T2");
        Snapshot split = SnapshotFile.read(end);
        Map<String, byte[]> straightSections = sections(s.end());
        Map<String, byte[]> splitSections = sections(split);
        assertEquals(straightSections.keySet(), splitSections.keySet());
        List<String> differing = new ArrayList<>();
        for (String k : straightSections.keySet()) {
            if (!k.equals("cpu") && !java.util.Arrays.equals(straightSections.get(k), splitSections.get(k))) differing.add(k);
        }
        assertEquals(List.of(), differing, name + ": sections of the machine at T2 that differ (RAM, clock and events, devices)");
        // The CPU: every observable register, and the run loop's state (cycles, instructions, IRQ, WFI) byte for byte.
        assertEquals(registersOf(machine, s.end()), registersOf(machine, split), name + ": the CPU's registers at T2");
        assertArrayEquals(loopState(straightSections.get("cpu")), loopState(splitSections.get("cpu")),
                name + ": cycle count, instructions retired and the run loop's state at T2");
        return s;
    }

    /** The part of the CPU section after libunicorn's context: cycles, instructions, IRQ level, WFI... */
    static byte[] loopState(byte[] cpu) {
        int contextLength = java.nio.ByteBuffer.wrap(cpu).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0);
        return java.util.Arrays.copyOfRange(cpu, 4 + contextLength, cpu.length);
    }

    /**
     * The observable registers of a snapshot's CPU, read after restoring it into a scratch board: a
     * raw libunicorn context also holds host-side fields (its PMU cycle counter follows host time,
     * and differs between any two runs, snapshot or not).
     */
    private Map<String, Long> registersOf(Function<Path, VirtBoard.Options> machine, Snapshot snap) throws Exception {
        Path scratch = Guest.disk(Files.createDirectories(dir.resolve("scratch")));
        try (Desktop d = new Desktop(scratch, machine.apply(scratch))) {
            BoardSnapshot.restore(d.board, snap);
            return ObservableRegisters.read(d.board.machine().unicorn());
        }
    }

    private static Map<String, byte[]> sections(Snapshot s) {
        Map<String, byte[]> m = new TreeMap<>();
        for (Snapshot.Section sec : s.sections()) m.put(sec.name(), sec.body());
        return m;
    }

    /** Overwrites the start of the FAT volume and a stretch of its data: the restore must undo it. */
    private static void scribble(Path disk) throws Exception {
        try (var ch = java.nio.channels.FileChannel.open(disk, java.nio.file.StandardOpenOption.WRITE)) {
            byte[] junk = new byte[64 * 1024];
            java.util.Arrays.fill(junk, (byte) 0xA5);
            ch.write(java.nio.ByteBuffer.wrap(junk), 0);
            ch.write(java.nio.ByteBuffer.wrap(junk), 1 << 20);
        }
    }

    private static void assertSamePicture(Frame expected, BufferedImage actual) {
        assertEquals(expected.width(), actual.getWidth());
        assertEquals(expected.height(), actual.getHeight());
        int differ = 0;
        for (int y = 0; y < expected.height(); y++) {
            for (int x = 0; x < expected.width(); x++) {
                int rgba = expected.rgba()[y * expected.width() + x];  // memory order R, G, B, A
                int rgb = ((rgba & 0xFF) << 16) | (rgba & 0xFF00) | ((rgba >>> 16) & 0xFF);
                if ((actual.getRGB(x, y) & 0xFFFFFF) != rgb) differ++;
            }
        }
        assertEquals(0, differ, "pixels that differ from the straight run's screen");
    }

    /**
     * The debugger's use: in one machine, run to T2 taking snapshots at several T1 on the way, then
     * restore (in memory) each and run to T2 again: the same console output, screen and machine
     * state as the first time. The T1 fall while the desktop starts: the file server mounting the
     * disk, the window manager starting and configuring the keyboard and tablet (configuration-change
     * interrupts in flight), the desktop's first frames. A restore once kept the engine's pending
     * virtual IRQ from before it (not part of the CPU context), and replays from some of these
     * instants went another way.
     */
    @ParameterizedTest
    @EnumSource(TimingModel.Pipeline.class)
    void rewindingInMemoryReplaysExactly(TimingModel.Pipeline timing) throws Exception {
        Path disk = Guest.disk(Files.createDirectories(dir.resolve("rewind")));
        try (Desktop d = new Desktop(disk, desktop(timing).apply(disk))) {
            d.play(List.of("wait-for \"[blk] self-test ok\" within 10s"));
            long start = d.board.machine().cpu().cycles(), t2 = 1500 * MS;
            long[] afterSelfTest = {0, 2 * MS, 3 * MS + 105_000, 4 * MS, 5 * MS + 400_000};
            List<Snapshot> atT1 = new ArrayList<>();
            List<Long> savedAt = new ArrayList<>();
            List<Integer> marks = new ArrayList<>();
            for (long t : afterSelfTest) {
                d.runTo(start + t);
                // Only instants while the desktop starts: how many fall before it is up depends on
                // how fast rost's start-up is (in instructions), so later ones are left out.
                if (d.console().contains("[wm] desktop up")) break;
                atT1.add(BoardSnapshot.take(d.board, "running"));
                savedAt.add(d.board.machine().cpu().cycles());  // the block boundary at or after T1
                marks.add(d.console().length());
            }
            d.runTo(t2);
            String first = d.console();
            Snapshot firstEnd = BoardSnapshot.take(d.board, "running");
            Frame firstFrame = d.board.currentFrame();
            System.out.println("[rewind] " + atT1.size() + " instants while the desktop starts, saved at cycles " + savedAt);
            assertTrue(atT1.size() >= 3, "at least three T1 while the desktop starts, got " + atT1.size() + ": " + first);
            assertTrue(first.substring(marks.getLast()).contains("[wm] desktop up"), "the desktop came up after the last T1: " + first);
            Map<String, byte[]> a = sections(firstEnd);

            for (int i = 0; i < atT1.size(); i++) {
                String t1 = "T1 = self-test + " + afterSelfTest[i] + " cycles";
                BoardSnapshot.restore(d.board, atT1.get(i));
                assertEquals(savedAt.get(i), d.board.machine().cpu().cycles(), t1);
                int mark = d.console().length();
                d.runTo(t2);
                assertEquals(first.substring(marks.get(i)), d.console().substring(mark), t1 + ": the console up to T2, replayed");
                Map<String, byte[]> b = sections(BoardSnapshot.take(d.board, "running"));
                List<String> differing = new ArrayList<>();
                for (String k : a.keySet()) if (!k.equals("cpu") && !java.util.Arrays.equals(a.get(k), b.get(k))) differing.add(k);
                assertEquals(List.of(), differing, t1 + ": sections that differ after the replay");
                assertArrayEquals(loopState(a.get("cpu")), loopState(b.get("cpu")), t1 + ": cycles, instructions and run-loop state");
                assertArrayEquals(firstFrame.rgba(), d.board.currentFrame().rgba(), t1 + ": the screen");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TimingModel.Pipeline.class)
    void midBootWhileTheDiskIsRead(TimingModel.Pipeline timing) throws Exception {
        equivalent("mid-boot-" + timing.cliName(), desktop(timing), List.of(), 60 * MS, List.of(), 1500 * MS);
    }

    @ParameterizedTest
    @EnumSource(TimingModel.Pipeline.class)
    void desktopUp(TimingModel.Pipeline timing) throws Exception {
        equivalent("desktop-" + timing.cliName(), desktop(timing), List.of("wait-for \"[wm] desktop up\" within 10s"), 7 * MS + 123_457,
                List.of(), 1800 * MS);
    }

    @Test
    void keysTypedIntoTheTerminalOnTheirWay() throws Exception {
        equivalent("terminal", List.of(
                "wait-for \"[wm] desktop up\" within 10s",
                "move 100 14", "run 20ms", "click",
                "wait-for \"[wm] window of task\" within 10s",
                "run 200ms",
                "type \"echo snap\"", "key enter",
                "wait-for \"[terminal] snap\" within 5s",
                "type \"ls /BIN\"", "key enter"), 150_001, 2600 * MS);
    }

    /**
     * Host input posted but not yet delivered is part of the machine: keys typed into the Terminal
     * are posted at T1, and the snapshot is taken before the machine has run on (so before they
     * reach virtio-input). The restored machine gets them at the same cycle as the straight run,
     * and the Terminal runs the command.
     */
    @Test
    void keysPostedAtT1NotYetDeliveredComeWithTheSnapshot() throws Exception {
        List<HostInput.Event> keys = new ArrayList<>();
        for (char c : "echo posted\n".toCharArray()) {
            int code = c == '\n' ? org.vitrine.cli.window.LinuxKeyCodes.KEY_ENTER : org.vitrine.cli.script.UsKeyboard.stroke(c).code();
            for (int value : new int[] {1, 0}) {
                keys.add(new HostInput.Event(HostInput.Target.KEYBOARD, HostInput.EV_KEY, code, value));
                keys.add(HostInput.sync(HostInput.Target.KEYBOARD));
            }
        }
        Straight s = equivalent("posted-input", SnapshotEquivalenceTest::desktop, List.of(
                "wait-for \"[wm] desktop up\" within 10s",
                "move 100 14", "run 20ms", "click",
                "wait-for \"[wm] window of task\" within 10s",
                "run 200ms"), 1_000_003, List.of(), keys, 2600 * MS);
        assertTrue(s.console().contains("[terminal] posted"), "the Terminal ran the command typed at T1: " + s.console());
    }

    /**
     * While Snake runs: opened from the menu, started with an arrow, it eats its first food; T1 falls
     * mid-game, and more arrows come after it (in the fresh JVM, delivered by virtio-input into
     * buffers the guest posted before the save) steering it into a wall: game over, and the new high
     * score written to the disk after T1.
     */
    @Test
    void whileSnakeRunsWithArrowsBeforeAndAfterT1() throws Exception {
        equivalent("snake", SnapshotEquivalenceTest::desktop, List.of(
                "wait-for \"[wm] desktop up\" within 10s",
                "move 400 14", "click",
                "wait-for \"[wm] window of task 3: Snake\" within 10s",
                "run 300ms",
                "key right",
                "wait-for \"[snake] ate: score 10, length 4\" within 5s",
                "key down"), 40 * MS + 123_457, List.of(
                "key left",
                "run 150ms",
                "key up",
                "wait-for \"[snake] game over\" within 10s",
                "wait-for \"[snake] new high score 10 saved to /SNAKE.HI\" within 5s"), 5000 * MS);
    }

    /**
     * Behind each IOMMU: rost's disk-heavy system-call suite saved mid-run (the block device busy)
     * and continued in a fresh JVM. rost does not program the IOMMU yet, so it passes DMA through in
     * its reset state; once rost's IOMMU domain enables it, the same test covers a programmed IOMMU
     * (the models' unit tests restore one mid-invalidation with hand-built tables).
     */
    @ParameterizedTest
    @EnumSource(value = VirtBoard.Options.IommuChoice.Model.class, names = {"SMMUV3", "VTD", "AMDVI"})
    void systestBehindTheIommu(VirtBoard.Options.IommuChoice.Model model) throws Exception {
        Function<Path, VirtBoard.Options> machine = disk -> VirtBoard.Options.defaults().withDisk(disk, false)
                .withBootArgs("rost.init=/BIN/SYSTEST").withIommu(new VirtBoard.Options.IommuChoice(model, -1, false));
        equivalent("systest-" + model.name().toLowerCase(), machine, List.of(), 120 * MS + 123_457, List.of(), 220 * MS);
    }
}
