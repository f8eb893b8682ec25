package org.vitrine.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import org.vitrine.cli.script.Hashes;
import org.vitrine.cli.script.RecordingScript;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.display.HostInput;
import org.vitrine.emulator.display.Frame;

/**
 * {@code vitrine run --record FILE.vts}: listens to one machine of a window session (the input its
 * devices are given, with the cycle of each delivery, and its console) and, when the run ends
 * (window closed, guest powered off, --until, guest reset), writes the scenario
 * {@link RecordingScript} makes of it. The file is written whole, to a temporary file beside it
 * and then moved into place, so a failed write never leaves half a script. Only the first machine
 * of a session is recorded: after a guest reset the new machine's input is not.
 */
final class SessionRecorder {
    private final Path file;
    private final List<String> bootOptions;
    private final List<HostInput.Delivery> deliveries = new ArrayList<>();   // emulation thread only
    private final StringBuilder console = new StringBuilder();
    private VirtBoard board;
    private Runnable stopListening = () -> { };
    private boolean written;

    /** @param bootOptions the options of the script's boot line, which make {@code vitrine script} build the same machine */
    SessionRecorder(Path file, List<String> bootOptions) {
        this.file = file;
        this.bootOptions = List.copyOf(bootOptions);
    }

    /**
     * Checks, before any window opens, that the recording can be written at {@code file}; returns
     * what is wrong, or null.
     */
    static String problemWith(Path file) {
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs)) return file + " is a directory";
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) return "no directory " + (dir == null ? "/" : dir) + " to write " + file.getFileName() + " into";
        if (!Files.isWritable(dir)) return "cannot write into " + dir;
        if (Files.exists(abs) && !Files.isWritable(abs)) return file + " cannot be overwritten";
        return null;
    }

    /** Records this machine (the first one of the session; later ones are ignored). Emulation thread, before it runs. */
    void attach(VirtBoard b) {
        if (board != null || written) return;
        board = b;
        stopListening = b.input().addDeliveryListener(deliveries::add);
    }

    /** A byte the guest wrote to its console. */
    void consoleByte(int b) {
        if (!written && board != null) console.append((char) (b & 0xff));
    }

    /** The recorded machine stopped: writes the scenario (once). Returns false, having said why, when it cannot be written. */
    boolean finish(VirtBoard b, Cpu.Exit exit, java.io.PrintStream err) {
        if (written || b != board) return true;
        written = true;
        stopListening.run();
        long cps = b.options().timing().cyclesPerSecond();
        Frame f = b.currentFrame();
        VirtBoard.Options.Display d = b.options().display();
        boolean off = exit.kind() == Cpu.ExitKind.POWER_OFF;
        String why = switch (exit.kind()) {
            case STOPPED -> "the window was closed here";
            case POWER_OFF -> "the guest powered off here";
            case TIME_LIMIT -> "--until ended the run here";
            case RESET -> "the guest reset here: the recording ends (vitrine script does not follow a reset)";
            default -> "the run ended here: " + exit.message();
        };
        RecordingScript.End end = new RecordingScript.End(b.machine().cpu().cycles(), off, why, f == null ? null : Hashes.screen(f),
                Hashes.console(console));
        String text = new RecordingScript(cps, d.width(), d.height()).text(List.of(
                "Recorded with vitrine run --record: what was done in the window, each input at the virtual instant",
                "(nanoseconds since power-on) it reached the guest, and the screen and console at the end.",
                "Replay: vitrine script " + file.getFileName()), bootOptions, deliveries, end);
        Path abs = file.toAbsolutePath();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            err.println("vitrine: cannot write the recording " + file + ": " + e);
            try {
                if (tmp != null) Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to tidy
            }
            return false;
        }
        err.printf("[vitrine] recorded %d input deliveries to %s (replay: vitrine script %s)%n", deliveries.size(), file, file);
        return true;
    }
}
