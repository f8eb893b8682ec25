package org.vitrine.devices.virtio.gpu;

import static org.vitrine.devices.virtio.gpu.VirtioGpu.MAX_BACKING_ENTRIES;
import static org.vitrine.devices.virtio.gpu.VirtioGpu.MAX_RESOURCES;
import static org.vitrine.devices.virtio.gpu.VirtioGpu.MAX_TOTAL_BACKING_ENTRIES;
import static org.vitrine.devices.virtio.gpu.VirtioGpu.RESP_ERR_INVALID_PARAMETER;
import static org.vitrine.devices.virtio.gpu.VirtioGpu.RESP_ERR_INVALID_RESOURCE_ID;
import static org.vitrine.devices.virtio.gpu.VirtioGpu.RESP_ERR_OUT_OF_MEMORY;
import static org.vitrine.devices.virtio.gpu.VirtioGpu.RESP_ERR_UNSPEC;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.vitrine.devices.virtio.VirtioDevice;
import org.vitrine.devices.virtio.Virtqueue;
import org.vitrine.devices.virtio.gpu.VirtioGpu.Refused;
import org.vitrine.emulator.spi.DmaPort.DmaException;

/**
 * The GPU's resource table: 2D images by id, each held in host memory (4 bytes a pixel) with the
 * list of guest memory ranges that back it, and the bounds that keep a guest from exhausting the
 * host (total host memory, number of resources, backing entries over all resources).
 *
 * <p>Each operation checks what QEMU checks and answers as QEMU does: a refused operation logs a
 * guest error and throws {@link Refused} with the response to send.
 */
final class GpuResources {
    /** struct virtio_gpu_mem_entry: le64 addr, le32 length, padding. */
    static final int MEM_ENTRY_SIZE = 16;

    /** One 2D resource. */
    static final class Resource {
        final int id;
        final PixelFormat format;
        final long width;
        final long height;
        final byte[] pixels;
        long[] backingAddr;
        long[] backingLen;

        Resource(int id, PixelFormat format, long width, long height, byte[] pixels) {
            this.id = id;
            this.format = format;
            this.width = width;
            this.height = height;
            this.pixels = pixels;
        }

        long stride() {
            return width * PixelFormat.BYTES_PER_PIXEL;
        }
    }

    private final long maxHostmem;
    private final Map<Integer, Resource> byId = new HashMap<>();
    private long hostmem;
    private long backingEntries;
    private VirtioDevice.Transport transport;

    /** @param maxHostmem bound on the host memory of all resources together */
    GpuResources(long maxHostmem) {
        this.maxHostmem = maxHostmem;
    }

    /** The transport gives the table its DMA port and its guest log. */
    void attach(VirtioDevice.Transport t) {
        this.transport = t;
    }

    long hostMemory() {
        return hostmem;
    }

    /** The resource, or null: for the cursor, which keeps its image when the resource is bad. */
    Resource get(int id) {
        return byId.get(id);
    }

    void clear() {
        byId.clear();
        hostmem = 0;
        backingEntries = 0;
    }

    // ---- Snapshot (part of the GPU's section) ---------------------------------------------

    /** An upper bound of what {@link #save} writes. */
    long snapshotBytes() {
        long n = 64;
        for (Resource r : byId.values()) n += 64 + r.pixels.length + 16L * (r.backingAddr == null ? 0 : r.backingAddr.length);
        return n;
    }

    /** Layout: i32 n, n x (i32 id, i32 format, i64 width, i64 height, bytes pixels, longs backing addresses, longs lengths), by id. */
    void save(org.vitrine.emulator.snapshot.StateWriter out) {
        List<Resource> all = new ArrayList<>(byId.values());
        all.sort(java.util.Comparator.comparingInt(r -> r.id));
        out.i32(all.size());
        for (Resource r : all) {
            out.i32(r.id).i32(r.format.id()).i64(r.width).i64(r.height).bytes(r.pixels).longs(r.backingAddr).longs(r.backingLen);
        }
    }

    Runnable load(org.vitrine.emulator.snapshot.StateReader in) throws org.vitrine.emulator.snapshot.SnapshotException {
        int n = in.i32("resources", 0, MAX_RESOURCES);
        List<Resource> loaded = new ArrayList<>(n);
        long mem = 0, entries = 0;
        for (int i = 0; i < n; i++) {
            int id = in.i32();
            PixelFormat format = PixelFormat.byId(in.i32());
            long w = in.i64("a resource's width", 0, 1 << 24), h = in.i64("a resource's height", 0, 1 << 24);
            byte[] pixels = in.bytes();
            long[] addr = in.longs(), len = in.longs();
            if (id == 0 || format == null || pixels == null || pixels.length != w * h * PixelFormat.BYTES_PER_PIXEL
                    || (addr == null) != (len == null) || (addr != null && addr.length != len.length)) {
                throw in.bad("resource " + id + " is inconsistent (format, size, pixels or backing)");
            }
            Resource r = new Resource(id, format, w, h, pixels);
            r.backingAddr = addr;
            r.backingLen = len;
            for (Resource other : loaded) if (other.id == id) throw in.bad("resource " + id + " twice");
            loaded.add(r);
            mem += pixels.length;
            entries += addr == null ? 0 : addr.length;
        }
        if (mem >= maxHostmem || entries > MAX_TOTAL_BACKING_ENTRIES) throw in.bad("resources exceed the GPU's host memory");
        long savedMem = mem, savedEntries = entries;
        return () -> {
            byId.clear();
            for (Resource r : loaded) byId.put(r.id, r);
            hostmem = savedMem;
            backingEntries = savedEntries;
        };
    }

    /** RESOURCE_CREATE_2D. */
    void create2d(int id, int formatId, long width, long height) throws Refused {
        if (id == 0) throw refused(RESP_ERR_INVALID_RESOURCE_ID, "RESOURCE_CREATE_2D: resource id 0 is not allowed");
        if (byId.containsKey(id)) throw refused(RESP_ERR_INVALID_RESOURCE_ID, "RESOURCE_CREATE_2D: resource %d already exists", id);
        PixelFormat format = PixelFormat.byId(formatId);
        if (format == null) throw refused(RESP_ERR_INVALID_PARAMETER, "RESOURCE_CREATE_2D: format %d is not supported", formatId);
        // Width and height are u32: the product is computed so it cannot overflow.
        boolean tooBig = width != 0 && height > Long.MAX_VALUE / PixelFormat.BYTES_PER_PIXEL / width;
        long bytes = tooBig ? Long.MAX_VALUE : width * height * PixelFormat.BYTES_PER_PIXEL;
        if (bytes > Integer.MAX_VALUE - 16 || bytes + hostmem >= maxHostmem || byId.size() >= MAX_RESOURCES) {
            throw refused(RESP_ERR_OUT_OF_MEMORY,
                    "RESOURCE_CREATE_2D: resource %d of %dx%d does not fit the host memory left (%d of %d bytes used)",
                    id, width, height, hostmem, maxHostmem);
        }
        byte[] pixels;
        try {
            pixels = new byte[(int) bytes];
        } catch (OutOfMemoryError e) {
            throw refused(RESP_ERR_OUT_OF_MEMORY, "RESOURCE_CREATE_2D: host could not allocate %d bytes for resource %d", bytes, id);
        }
        byId.put(id, new Resource(id, format, width, height, pixels));
        hostmem += bytes;
    }

    /** QEMU virtio_gpu_find_check_resource: unknown is INVALID_RESOURCE_ID, no backing is UNSPEC. */
    Resource find(String what, int id, boolean requireBacking) throws Refused {
        Resource r = byId.get(id);
        if (r == null) throw refused(RESP_ERR_INVALID_RESOURCE_ID, "%s: invalid resource %d", what, id);
        if (requireBacking && r.backingAddr == null) throw refused(RESP_ERR_UNSPEC, "%s: resource %d has no backing storage", what, id);
        return r;
    }

    /** RESOURCE_UNREF (the caller has taken it off the scanout). */
    void unref(Resource r) {
        if (r.backingAddr != null) backingEntries -= r.backingAddr.length;
        byId.remove(r.id);
        hostmem -= r.pixels.length;
    }

    /**
     * TRANSFER_TO_HOST_2D: rows of the rectangle read at {@code offset + stride * row} of the
     * backing, QEMU's layout; bytes past the end of the backing are left unchanged.
     */
    void transfer(Resource r, Rect q, long offset) throws Refused {
        if (!q.inside(r.width, r.height)) {
            throw refused(RESP_ERR_INVALID_PARAMETER, "TRANSFER_TO_HOST_2D: rectangle %s is not inside resource %d (%dx%d)",
                    q, r.id, r.width, r.height);
        }
        long stride = r.stride();
        boolean complete = true;
        if (offset != 0 || q.x() != 0 || q.y() != 0 || q.w() != r.width) {
            for (long row = 0; row < q.h(); row++) {
                long src = offset + stride * row;
                long dst = (q.y() + row) * stride + q.x() * PixelFormat.BYTES_PER_PIXEL;
                complete &= fromBacking(r, src, (int) dst, (int) (q.w() * PixelFormat.BYTES_PER_PIXEL));
            }
        } else {
            // QEMU copies the whole image in this case, whatever the rectangle's height.
            complete = fromBacking(r, 0, 0, r.pixels.length);
        }
        if (!complete) {
            transport.log().guestError("TRANSFER_TO_HOST_2D: resource %d: backing ends before the rectangle %s at offset %d;"
                    + " the rest is left unchanged", r.id, q, offset);
        }
    }

    /**
     * Copies {@code length} bytes at {@code offset} of the resource's backing into its pixels at
     * {@code dst}; false when the backing ends first (what it had is copied, as QEMU's iov_to_buf)
     * or a page can no longer be read.
     */
    private boolean fromBacking(Resource r, long offset, int dst, int length) {
        long skip = offset;
        int done = 0;
        for (int e = 0; e < r.backingAddr.length && done < length; e++) {
            long len = r.backingLen[e];
            if (skip >= len) {
                skip -= len;
                continue;
            }
            int n = (int) Math.min(len - skip, length - done);
            try {
                transport.dma().read(r.backingAddr[e] + skip, r.pixels, dst + done, n);
            } catch (DmaException ex) {
                transport.log().guestError("resource %d: backing entry %d can no longer be read: %s", r.id, e, ex.getMessage());
                return false;
            }
            done += n;
            skip = 0;
        }
        return done == length;
    }

    /**
     * RESOURCE_ATTACH_BACKING: {@code count} struct virtio_gpu_mem_entry read from the command
     * chain at {@code entriesAt}, each checked through the DMA port (the pages are read again at
     * each transfer).
     */
    void attachBacking(int id, long count, Virtqueue.Chain c, int entriesAt) throws Refused {
        Resource r = byId.get(id);
        if (r == null) throw refused(RESP_ERR_INVALID_RESOURCE_ID, "RESOURCE_ATTACH_BACKING: invalid resource %d", id);
        if (r.backingAddr != null) throw refused(RESP_ERR_UNSPEC, "RESOURCE_ATTACH_BACKING: resource %d already has backing storage", id);
        if (count > MAX_BACKING_ENTRIES || backingEntries + count > MAX_TOTAL_BACKING_ENTRIES) {
            throw refused(RESP_ERR_UNSPEC, "RESOURCE_ATTACH_BACKING: %d entries is too many (at most %d, %d over all resources)",
                    count, MAX_BACKING_ENTRIES, MAX_TOTAL_BACKING_ENTRIES);
        }
        int n = (int) count;
        byte[] raw = new byte[n * MEM_ENTRY_SIZE];
        int got = c.read(entriesAt, raw, 0, raw.length);
        if (got < 0) throw new Refused(RESP_ERR_UNSPEC); // the chain broke the device: already reported
        if (got < raw.length) {
            throw refused(RESP_ERR_UNSPEC, "RESOURCE_ATTACH_BACKING: %d entries announced, %d bytes of them present", n, got);
        }
        ByteBuffer e = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        long[] addr = new long[n];
        long[] len = new long[n];
        for (int i = 0; i < n; i++) {
            addr[i] = e.getLong(i * MEM_ENTRY_SIZE);
            len[i] = e.getInt(i * MEM_ENTRY_SIZE + 8) & 0xFFFF_FFFFL;
            if (len[i] != 0 && !Virtqueue.accessible(transport.dma(), addr[i], len[i])) {
                throw refused(RESP_ERR_UNSPEC, "RESOURCE_ATTACH_BACKING: resource %d entry %d (0x%x+0x%x) is not in guest memory",
                        id, i, addr[i], len[i]);
            }
        }
        r.backingAddr = addr;
        r.backingLen = len;
        backingEntries += n;
    }

    /** RESOURCE_DETACH_BACKING of a resource that has backing. */
    void detachBacking(Resource r) {
        backingEntries -= r.backingAddr.length;
        r.backingAddr = null;
        r.backingLen = null;
    }

    private Refused refused(int response, String format, Object... args) {
        transport.log().guestError(format, args);
        return new Refused(response);
    }
}
