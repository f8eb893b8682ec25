package org.vitrine.tests;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.vitrine.cli.script.GuestFont;
import org.vitrine.cli.script.ScenarioParser;
import org.vitrine.cli.script.ScenarioResult;
import org.vitrine.cli.script.ScenarioRunner;
import org.vitrine.cli.script.TextFinder;
import org.vitrine.cli.window.Screenshots;
import org.vitrine.devices.board.BoardSnapshot;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.snapshot.Snapshot;
import org.vitrine.emulator.snapshot.SnapshotFile;

/**
 * The second half of a {@link SnapshotEquivalenceTest} run when input arrives after T1, in a JVM of
 * its own: builds the machine a snapshot file describes, restores it, plays scenario steps (keys
 * typed after T1), runs to T2 and writes what the test compares — the machine at T2
 * ({@code t2.vtsnap}), the screen ({@code t2.png}, without the cursor plane) and the console
 * printed since the restore ({@code console.txt}). {@code vitrine run --restore} is the same
 * without steps; this adds the scenario player the CLI's run does not have.
 *
 * <p>Arguments: SNAPSHOT T2-CYCLES OUTPUT-DIR [STEP...]. Exit status 0, or 1 with the reason on
 * standard error.
 */
public final class SnapshotContinuation {
    private SnapshotContinuation() { }

    public static void main(String[] args) throws Exception {
        Snapshot s = SnapshotFile.read(Path.of(args[0]));
        long t2 = Long.parseLong(args[1]);
        Path out = Files.createDirectories(Path.of(args[2]));
        List<String> steps = List.of(args).subList(3, args.length);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        ScenarioRunner[] runner = new ScenarioRunner[1];
        VirtBoard.Options o = BoardSnapshot.options(s, VirtBoard.Options.defaults(), null);
        try (VirtBoard board = new VirtBoard(o, b -> {
            console.write(b);
            if (runner[0] != null) runner[0].consoleByte(b);
        })) {
            runner[0] = new ScenarioRunner(board, new PrintStream(OutputStream.nullOutputStream()), out, out, new TextFinder(GuestFont.project()));
            BoardSnapshot.restore(board, s);
            if (!steps.isEmpty()) {
                ScenarioResult r = runner[0].play(ScenarioParser.parse("after-t1.vts", Path.of("."), steps), "after-t1.vts");
                if (!r.passed()) fail("the steps after T1 failed: " + r.sections() + "\n" + console);
            }
            Cpu.Exit e = board.run(t2);
            if (e.kind() != Cpu.ExitKind.TIME_LIMIT) fail("the run did not reach T2: " + e + "\n" + console);
            SnapshotFile.write(BoardSnapshot.take(board, "running"), out.resolve("t2.vtsnap"));
            if (board.currentFrame() != null) Screenshots.writePng(board.currentFrame(), out.resolve("t2.png"));
            Files.write(out.resolve("console.txt"), console.toByteArray());
        }
    }

    private static void fail(String why) {
        System.err.println(why);
        System.exit(1);
    }

    /** The command that runs this class in a fresh JVM with the tests' class path. */
    static List<String> command(Path snapshot, long t2, Path out, List<String> steps) {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dvitrine.root=" + Guest.root(), "-cp", System.getProperty("java.class.path"),
                SnapshotContinuation.class.getName(), snapshot.toString(), Long.toString(t2), out.toString()));
        cmd.addAll(steps);
        return cmd;
    }
}
