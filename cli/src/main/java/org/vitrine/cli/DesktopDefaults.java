package org.vitrine.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

import org.vitrine.devices.board.VirtBoard;

/**
 * What {@code vitrine run} and {@code vitrine script} boot when the user names neither a kernel nor
 * a command line: rost's desktop ({@link #BOOT_ARGS}) on a 1024x768 display, with rost's disk.
 *
 * <p>Two kinds of disk. A window gets the user's own disk, which lives outside the build folder
 * ({@code $XDG_DATA_HOME/vitrine/disk.img}, by default {@code ~/.local/share/vitrine/disk.img}):
 * made from the built image ({@code guest-apps/build/disk.img}) the first time, then kept, so that a
 * rebuild never wipes what the user saved. Headless and scripted runs get a fresh copy of the built
 * image for each run (deleted when the JVM ends), so that they are deterministic.
 *
 * <p>New programs: the user's disk is never overwritten behind their back. Next to it,
 * {@code disk.img.from} records the SHA-256 of the built image it was made from; when the built
 * image differs, the run says so and names {@code --reset-disk}, which makes the disk again from the
 * built image and keeps the old one as {@code disk.img.old} (from which files can be copied with
 * mtools: {@code mcopy -i disk.img.old ::/NOTES.TXT .}).
 */
public final class DesktopDefaults {
    /** The kernel command line that starts the window manager (guest-apps/fsd's init). */
    public static final String BOOT_ARGS = "rost.desktop";
    /** The desktop's display when none is named. */
    public static final VirtBoard.Options.Display SIZE = new VirtBoard.Options.Display(1024, 768);

    private DesktopDefaults() { }

    /** rost's built disk image: programs and documents (made by guest-apps/build.sh). */
    public static Path builtDisk() {
        return Path.of(System.getProperty("vitrine.root", "."), "guest-apps", "build", "disk.img");
    }

    /** Where the user's disk lives, from the environment ({@code XDG_DATA_HOME}, {@code HOME}). */
    public static Path userDisk(Map<String, String> env) {
        String data = env.get("XDG_DATA_HOME");
        Path base = data != null && !data.isBlank() ? Path.of(data)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".local", "share");
        return base.resolve("vitrine").resolve("disk.img");
    }

    /** The built disk image is missing: the user has to build it first. */
    public static final class MissingImageException extends IOException {
        MissingImageException(Path image) {
            super("rost's disk image " + image + " not found (build it with ./vitrine build)");
        }
    }

    /**
     * The user's disk at {@code disk}, made from {@code built} if it does not exist yet or if
     * {@code reset} (the old one kept as {@code disk.img.old}); tells {@code err} where it is when it
     * is made, and when {@code built} has changed since (the disk is left as it is).
     */
    public static Path userDisk(Path disk, Path built, boolean reset, PrintStream err) throws IOException {
        boolean exists = Files.exists(disk);
        if (exists && !reset) {
            if (Files.isRegularFile(built) && !digest(built).equals(readFrom(disk))) {
                err.println("[vitrine] rost's built disk image has changed since your disk " + disk + " was made from it; "
                        + "your disk is kept as it is (new programs are not on it): ./vitrine run --reset-disk makes it again "
                        + "from the built image and keeps the old one as " + disk.getFileName() + ".old");
            }
            return disk;
        }
        requireBuilt(built);
        Files.createDirectories(disk.toAbsolutePath().getParent());
        if (exists) {
            Path old = disk.resolveSibling(disk.getFileName() + ".old");
            Files.move(disk, old, StandardCopyOption.REPLACE_EXISTING);
            err.println("[vitrine] your disk made again from the built image: " + disk + " (the old one is " + old + ")");
        } else {
            err.println("[vitrine] your disk (kept across rebuilds; --reset-disk makes it again): " + disk);
        }
        Path part = disk.resolveSibling(disk.getFileName() + ".part");
        Files.copy(built, part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, disk, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(fromFile(disk), digest(built) + "\n");
        return disk;
    }

    /** A fresh copy of {@code built} in a temporary file, deleted when the JVM ends. */
    public static Path freshCopy(Path built) throws IOException {
        requireBuilt(built);
        Path copy = Files.createTempFile("vitrine-disk", ".img");
        copy.toFile().deleteOnExit();
        Files.copy(built, copy, StandardCopyOption.REPLACE_EXISTING);
        return copy;
    }

    /** A copy of the built image at {@code copy} (replaced if there), kept after the run: a saved session's disk. */
    public static Path keptCopy(Path built, Path copy) throws IOException {
        requireBuilt(built);
        Files.copy(built, copy, StandardCopyOption.REPLACE_EXISTING);
        return copy.toAbsolutePath();
    }

    private static void requireBuilt(Path built) throws MissingImageException {
        if (!Files.isRegularFile(built)) throw new MissingImageException(built);
    }

    private static Path fromFile(Path disk) {
        return disk.resolveSibling(disk.getFileName() + ".from");
    }

    private static String readFrom(Path disk) throws IOException {
        Path from = fromFile(disk);
        return Files.isRegularFile(from) ? Files.readString(from).trim() : "";
    }

    static String digest(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
