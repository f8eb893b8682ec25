package org.vitrine.cli.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * A gzip-compressed cpio "newc" archive, the format Linux unpacks as its initramfs: the Linux boot
 * benchmark's /init, and the tests' (DebianLinuxBootTest).
 */
public final class Initramfs {
    private final ByteArrayOutputStream cpio = new ByteArrayOutputStream();
    private int inode = 1;

    public Initramfs directory(String path) {
        return entry(path, 0040755, new byte[0]);
    }

    public Initramfs file(String path, int mode, byte[] data) {
        return entry(path, 0100000 | mode, data);
    }

    /** The archive, closed with its trailer, gzip-compressed. */
    public byte[] build() throws IOException {
        entry("TRAILER!!!", 0, new byte[0]);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            cpio.writeTo(gz);
        }
        return out.toByteArray();
    }

    private Initramfs entry(String name, int mode, byte[] data) {
        byte[] n = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
        String header = String.format("070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
                inode++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, n.length, 0);
        cpio.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        cpio.writeBytes(n);
        pad();
        cpio.writeBytes(data);
        pad();
        return this;
    }

    private void pad() {
        while (cpio.size() % 4 != 0) cpio.write(0);
    }
}
