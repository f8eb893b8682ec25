package org.vitrine.emulator.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Where zstd-jni finds its native library. Left to itself, zstd-jni unpacks the library from its
 * jar into a new temporary file in every JVM that compresses (about 0.9 MB inflated and written,
 * some 45 ms of CPU: a cold {@code vitrine run --restore} pays it before it can read the file).
 * This keeps one unpacked copy beside the jar the library comes from ({@code cli/target} for the
 * launcher's jar: owned by whoever built it) and points zstd-jni at it through its
 * {@code ZstdNativePath} property. A copy is used when it is newer than the jar (a rebuilt jar
 * gets a new one); otherwise it is unpacked again, written to a temporary name and renamed, so a
 * JVM never loads a half-written copy. Only for a jar that holds this class too
 * (the launcher's): when the classes come from separate jars (Maven's tests, an IDE), or the jar's
 * directory cannot be written, zstd-jni does as it always did.
 */
final class ZstdLibrary {
    /** zstd-jni's override: the path of the library to load instead of unpacking its own. */
    static final String PATH_PROPERTY = "ZstdNativePath";

    private static boolean done;

    private ZstdLibrary() { }

    /** Points zstd-jni at the kept copy (once per JVM; before zstd-jni's classes are first used). */
    static synchronized void locate() {
        if (done) return;
        done = true;
        if (System.getProperty(PATH_PROPERTY) != null) return;
        try {
            Path copy = keptCopy();
            if (copy != null) System.setProperty(PATH_PROPERTY, copy.toString());
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            // zstd-jni unpacks its own copy, as without this class
        }
    }

    /** The library's resource in zstd-jni's jar, named as zstd-jni names it (os/arch/libzstd-jni-VERSION.so). */
    static String resourceName() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT).replace(' ', '_');
        if (os.startsWith("win")) os = "win";
        else if (os.startsWith("mac")) os = "darwin";
        String arch = System.getProperty("os.arch");
        if (os.equals("darwin") && arch.equals("amd64")) arch = "x86_64";
        String ext = os.equals("darwin") ? "dylib" : os.equals("win") ? "dll" : "so";
        return os + "/" + arch + "/libzstd-jni-" + com.github.luben.zstd.util.ZstdVersion.VERSION + "." + ext;
    }

    /** The kept copy, or null when there is none and it cannot be made. */
    private static Path keptCopy() throws IOException, java.net.URISyntaxException {
        String name = resourceName();
        // Only beside a jar that holds this class and the library (the launcher's): not beside a jar in a Maven repository.
        Path jar = Path.of(ZstdLibrary.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isRegularFile(jar)) return null;
        Path copy = jar.resolveSibling(jar.getFileName() + "." + name.substring(name.lastIndexOf('/') + 1));
        // Copies only ever appear whole (renamed into place), so one newer than the jar is this jar's.
        if (Files.isRegularFile(copy) && Files.getLastModifiedTime(copy).compareTo(Files.getLastModifiedTime(jar)) > 0) return copy;
        URL url = ZstdLibrary.class.getClassLoader().getResource(name);
        if (url == null || !url.getProtocol().equals("jar")) return null;
        JarURLConnection c = (JarURLConnection) url.openConnection();
        if (!Path.of(c.getJarFileURL().toURI()).equals(jar)) return null;
        long size = c.getJarEntry().getSize();
        Path dir = copy.getParent();
        if (dir == null || !Files.isWritable(dir)) return null;
        Path tmp = Files.createTempFile(dir, copy.getFileName().toString(), ".part");
        try {
            try (InputStream in = c.getInputStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            if (Files.size(tmp) != size) return null;
            try {
                Files.move(tmp, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
