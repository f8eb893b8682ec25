package org.vitrine.emulator.fdt;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a Flattened Device Tree blob (DTB, format version 17) — what the board hands the guest
 * kernel in x0 to describe memory, CPUs and devices.
 *
 * <p>Layout of the blob, each block starting 8-byte aligned: the 40-byte header, the memory
 * reservation block (terminated by a zero entry), the structure block (BEGIN_NODE / PROP /
 * END_NODE tokens, then END) and the strings block, where each property name is stored once.
 */
public final class FdtBuilder {
    public static final int MAGIC = 0xd00dfeed;
    public static final int VERSION = 17;
    public static final int LAST_COMPATIBLE_VERSION = 16;
    static final int HEADER_SIZE = 40;

    private static final int FDT_BEGIN_NODE = 1;
    private static final int FDT_END_NODE = 2;
    private static final int FDT_PROP = 3;
    private static final int FDT_END = 9;

    private final FdtNode root = new FdtNode(this, "");
    private final List<long[]> reservations = new ArrayList<>();
    private int bootCpu;
    /** phandles start where QEMU's do; any non-zero, non-0xffffffff value is valid. */
    private int nextPhandle = 0x8000;

    public FdtNode root() {
        return root;
    }

    /** Adds a memory reservation entry (a /memreserve/): RAM the guest must not use. */
    public FdtBuilder reserveMemory(long address, long size) {
        reservations.add(new long[] {address, size});
        return this;
    }

    /** The physical id of the boot CPU (header field boot_cpuid_phys). */
    public FdtBuilder bootCpu(int physicalId) {
        this.bootCpu = physicalId;
        return this;
    }

    int allocatePhandle() {
        return nextPhandle++;
    }

    /** Serializes the tree. The builder stays usable; later changes need another build. */
    public byte[] build() {
        return build(0);
    }

    /**
     * Serializes the tree into a blob of at least {@code totalSize} bytes, the rest free space
     * (zeros) counted in the header's totalsize, as libfdt leaves a tree opened with room to grow:
     * QEMU hands the guest its 1 MiB tree that way, and a guest reserves what totalsize says.
     */
    public byte[] build(int totalSize) {
        StructureWriter w = new StructureWriter();
        w.node(root);
        w.token(FDT_END);
        byte[] structBlock = w.struct.toByteArray();
        byte[] stringsBlock = w.strings.toByteArray();

        int rsvOff = HEADER_SIZE;
        int structOff = align8(rsvOff + 16 * (reservations.size() + 1));
        int stringsOff = align8(structOff + structBlock.length);
        int total = Math.max(align8(stringsOff + stringsBlock.length), align8(totalSize));

        ByteBuffer out = ByteBuffer.allocate(total); // big-endian, and the padding stays zero
        out.putInt(MAGIC).putInt(total).putInt(structOff).putInt(stringsOff).putInt(rsvOff)
                .putInt(VERSION).putInt(LAST_COMPATIBLE_VERSION).putInt(bootCpu)
                .putInt(stringsBlock.length).putInt(structBlock.length);
        out.position(rsvOff);
        for (long[] r : reservations) out.putLong(r[0]).putLong(r[1]);
        out.putLong(0).putLong(0);
        out.put(structOff, structBlock);
        out.put(stringsOff, stringsBlock);
        return out.array();
    }

    private static int align8(int n) {
        return (n + 7) & ~7;
    }

    /** Emits the structure block and collects the (deduplicated) strings block alongside. */
    private static final class StructureWriter {
        final ByteArrayOutputStream struct = new ByteArrayOutputStream();
        final ByteArrayOutputStream strings = new ByteArrayOutputStream();
        private final Map<String, Integer> stringOffsets = new HashMap<>();

        void node(FdtNode node) {
            token(FDT_BEGIN_NODE);
            cString(node.name());
            for (Map.Entry<String, byte[]> p : node.properties().entrySet()) {
                byte[] value = p.getValue();
                token(FDT_PROP);
                u32(value.length);
                u32(nameOffset(p.getKey()));
                struct.writeBytes(value);
                pad4();
            }
            for (FdtNode child : node.childNodes()) node(child);
            token(FDT_END_NODE);
        }

        void token(int token) {
            u32(token);
        }

        private int nameOffset(String name) {
            return stringOffsets.computeIfAbsent(name, n -> {
                int at = strings.size();
                strings.writeBytes(n.getBytes(StandardCharsets.US_ASCII)); // names are ASCII (checked)
                strings.write(0);
                return at;
            });
        }

        private void cString(String s) {
            struct.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
            struct.write(0);
            pad4();
        }

        private void u32(int v) {
            struct.write(v >>> 24);
            struct.write(v >>> 16);
            struct.write(v >>> 8);
            struct.write(v);
        }

        private void pad4() {
            while ((struct.size() & 3) != 0) struct.write(0);
        }
    }
}
