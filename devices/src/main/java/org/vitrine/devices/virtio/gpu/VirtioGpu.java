package org.vitrine.devices.virtio.gpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.vitrine.devices.virtio.VirtioDevice;
import org.vitrine.devices.virtio.VirtioMmio;
import org.vitrine.devices.virtio.Virtqueue;
import org.vitrine.devices.virtio.gpu.GpuResources.Resource;
import org.vitrine.emulator.display.Frame;
import org.vitrine.emulator.display.FrameExchange;

/**
 * VirtIO GPU device (VirtIO 1.2 section 5.7, device ID {@value #DEVICE_ID}), 2D only, as QEMU
 * 7.2's {@code virtio-gpu-device} (hw/display/virtio-gpu.c, virtio-gpu-base.c) answers a driver,
 * with one scanout.
 *
 * <p>This file is the device and its command handling; the resource table is {@link GpuResources},
 * the formats {@link PixelFormat}, and what is shown {@link Scanout}.
 *
 * <h2>Interface</h2>
 * <ul>
 *   <li>Behind a {@link VirtioMmio} transport. Queue 0 (controlq): commands with a response each.
 *       Queue 1 (cursorq): cursor commands, no response.</li>
 *   <li>Output: on RESOURCE_FLUSH of the resource shown on the scanout, on SET_SCANOUT and on
 *       every cursor change, a new {@link Frame} (RGBA, the scanout rectangle of the resource,
 *       alpha forced opaque, plus the cursor) is published to the {@link FrameExchange} given
 *       to the constructor, which holds the current picture; {@link #currentFrame()} returns it,
 *       for screenshots.</li>
 * </ul>
 *
 * <h2>Modelled</h2>
 * <ul>
 *   <li>GET_DISPLAY_INFO: scanout 0 enabled at the size given to the constructor (default
 *       {@value #DEFAULT_WIDTH}x{@value #DEFAULT_HEIGHT}), at (0, 0); the 15 others disabled.</li>
 *   <li>RESOURCE_CREATE_2D with the eight formats QEMU accepts (B8G8R8A8 1, B8G8R8X8 2, A8R8G8B8 3,
 *       X8R8G8B8 4, R8G8B8A8 67, X8B8G8R8 68, A8B8G8R8 121, R8G8B8X8 134; names give the byte
 *       order in memory). Host memory is 4 bytes a pixel, bounded in total (default 256 MiB,
 *       QEMU's max_hostmem; a resource that would reach the bound is ERR_OUT_OF_MEMORY).</li>
 *   <li>RESOURCE_UNREF (disables the scanout showing it), SET_SCANOUT (resource 0 disables; the
 *       rectangle must lie in the resource and be at least 16x16; the resource needs backing),
 *       RESOURCE_FLUSH, TRANSFER_TO_HOST_2D (rectangle checked against the resource; rows read at
 *       {@code offset + stride * row} of the backing, QEMU's layout; bytes past the end of the
 *       backing are left unchanged), RESOURCE_ATTACH_BACKING (at most 16384 entries, each checked
 *       through the DMA port; the pages are read at each transfer), RESOURCE_DETACH_BACKING.</li>
 *   <li>UPDATE_CURSOR / MOVE_CURSOR: a 64x64 resource becomes the cursor image (converted from its
 *       format, alpha kept); another size or an unknown resource keeps the previous image, as
 *       QEMU; the cursor shows while the last command named a non-zero resource.</li>
 *   <li>Errors, where and as QEMU returns them: ERR_INVALID_RESOURCE_ID (id 0, duplicate, unknown),
 *       ERR_INVALID_PARAMETER (format, rectangles; blob commands, blob not being offered),
 *       ERR_INVALID_SCANOUT_ID, ERR_OUT_OF_MEMORY, ERR_UNSPEC (no backing where one is needed,
 *       backing already attached, a bad backing entry, unknown or 3D commands).
 *       ERR_INVALID_CONTEXT_ID exists but, as in QEMU's 2D device, nothing returns it.</li>
 *   <li>VIRTIO_GPU_FLAG_FENCE: the response carries the flag, fence_id and ctx_id back (commands
 *       complete at once, so every fence is signalled by its own response).</li>
 *   <li>Configuration: events_read, events_clear (writing bits clears them from events_read),
 *       num_scanouts 1, num_capsets 0. {@link #requestDisplaySize} models the host window changing
 *       size: VIRTIO_GPU_EVENT_DISPLAY and a configuration interrupt, as QEMU's ui_info.</li>
 * </ul>
 *
 * <h2>Not modelled, and differences from QEMU</h2>
 * <ul>
 *   <li>One feature is offered, VIRTIO_GPU_F_EDID as QEMU by default: GET_EDID answers the
 *       display's EDID at its current size ({@link Edid}: a base block of our making; QEMU's
 *       generator adds an extension block). Not VIRGL, RESOURCE_UUID, RESOURCE_BLOB, CONTEXT_INIT.</li>
 *   <li>A command whose header or body is shorter than its structure answers ERR_UNSPEC with a
 *       guest error (QEMU answers OK_NODATA for a short body and never completes a short
 *       header).</li>
 *   <li>Vitrine also bounds the number of resources ({@value #MAX_RESOURCES}, beyond which
 *       creation is ERR_OUT_OF_MEMORY) and of backing entries over all resources
 *       ({@value #MAX_TOTAL_BACKING_ENTRIES}, beyond which attaching is ERR_UNSPEC), so
 *       zero-sized resources cannot exhaust the host.</li>
 *   <li>A disabled scanout publishes a black frame of the display size (QEMU shows a "display
 *       output is not active" placeholder).</li>
 *   <li>Commands complete at once, inside the QueueNotify write: no modelled GPU latency.</li>
 * </ul>
 *
 * <p>Used from the emulation thread, except {@link #currentFrame()} (any thread).
 */
public final class VirtioGpu implements VirtioDevice {
    public static final int DEVICE_ID = 16;
    public static final int QUEUE_CONTROL = 0;
    public static final int QUEUE_CURSOR = 1;
    public static final int DEFAULT_WIDTH = 1024;
    public static final int DEFAULT_HEIGHT = 768;
    public static final long DEFAULT_MAX_HOSTMEM = 256L << 20;
    public static final int MAX_SCANOUTS = 16;
    public static final int CURSOR_SIZE = 64;
    /** QEMU's limit on one RESOURCE_ATTACH_BACKING. */
    public static final int MAX_BACKING_ENTRIES = 16384;
    public static final int MAX_RESOURCES = 65536;
    public static final int MAX_TOTAL_BACKING_ENTRIES = 1 << 20;

    // ---- Feature bits (section 5.7.3) ---------------------------------------------------------
    public static final int F_VIRGL = 0;
    public static final int F_EDID = 1;
    public static final int F_RESOURCE_UUID = 2;
    public static final int F_RESOURCE_BLOB = 3;
    public static final int F_CONTEXT_INIT = 4;

    // ---- Command and response types (section 5.7.6.7) ----------------------------------------
    public static final int CMD_GET_DISPLAY_INFO = 0x0100;
    public static final int CMD_RESOURCE_CREATE_2D = 0x0101;
    public static final int CMD_RESOURCE_UNREF = 0x0102;
    public static final int CMD_SET_SCANOUT = 0x0103;
    public static final int CMD_RESOURCE_FLUSH = 0x0104;
    public static final int CMD_TRANSFER_TO_HOST_2D = 0x0105;
    public static final int CMD_RESOURCE_ATTACH_BACKING = 0x0106;
    public static final int CMD_RESOURCE_DETACH_BACKING = 0x0107;
    public static final int CMD_GET_CAPSET_INFO = 0x0108;
    public static final int CMD_GET_CAPSET = 0x0109;
    public static final int CMD_GET_EDID = 0x010A;
    public static final int CMD_RESOURCE_ASSIGN_UUID = 0x010B;
    public static final int CMD_RESOURCE_CREATE_BLOB = 0x010C;
    public static final int CMD_SET_SCANOUT_BLOB = 0x010D;
    public static final int CMD_UPDATE_CURSOR = 0x0300;
    public static final int CMD_MOVE_CURSOR = 0x0301;

    public static final int RESP_OK_NODATA = 0x1100;
    public static final int RESP_OK_DISPLAY_INFO = 0x1101;
    public static final int RESP_OK_EDID = 0x1104;
    public static final int RESP_ERR_UNSPEC = 0x1200;
    public static final int RESP_ERR_OUT_OF_MEMORY = 0x1201;
    public static final int RESP_ERR_INVALID_SCANOUT_ID = 0x1202;
    public static final int RESP_ERR_INVALID_RESOURCE_ID = 0x1203;
    public static final int RESP_ERR_INVALID_CONTEXT_ID = 0x1204;
    public static final int RESP_ERR_INVALID_PARAMETER = 0x1205;

    public static final int FLAG_FENCE = 1;
    public static final int EVENT_DISPLAY = 1;

    // ---- Structure layouts (little-endian) ----------------------------------------------------
    /** struct virtio_gpu_ctrl_hdr: le32 type, le32 flags, le64 fence_id, le32 ctx_id, u8 ring_idx, u8 padding[3]. */
    static final int HDR_SIZE = 24;
    private static final int HDR_TYPE = 0;
    private static final int HDR_FLAGS = 4;
    private static final int HDR_FENCE_ID = 8;
    private static final int HDR_CTX_ID = 16;
    /** struct virtio_gpu_rect: le32 x, y, width, height (16 bytes), after the header. */
    private static final int RECT = HDR_SIZE;
    private static final int CREATE_2D_SIZE = HDR_SIZE + 16;   // resource_id, format, width, height
    private static final int UNREF_SIZE = HDR_SIZE + 8;        // resource_id, padding
    private static final int SET_SCANOUT_SIZE = HDR_SIZE + 24; // rect, scanout_id, resource_id
    private static final int FLUSH_SIZE = HDR_SIZE + 24;       // rect, resource_id, padding
    private static final int TRANSFER_SIZE = HDR_SIZE + 32;    // rect, le64 offset, resource_id, padding
    private static final int ATTACH_SIZE = HDR_SIZE + 8;       // resource_id, nr_entries; then entries
    private static final int DETACH_SIZE = HDR_SIZE + 8;       // resource_id, padding
    /** struct virtio_gpu_update_cursor: hdr, pos {scanout_id, x, y, padding}, resource_id, hot_x, hot_y, padding. */
    private static final int CURSOR_CMD_SIZE = HDR_SIZE + 32;
    /** GET_EDID: header, scanout, padding; its response: header, size, padding, 1024 bytes of EDID. */
    private static final int GET_EDID_SIZE = HDR_SIZE + 8, EDID_RESPONSE_SIZE = HDR_SIZE + 8 + 1024;
    /** struct virtio_gpu_resp_display_info: hdr, 16 x {rect, le32 enabled, le32 flags}. */
    private static final int DISPLAY_INFO_SIZE = HDR_SIZE + MAX_SCANOUTS * 24;
    private static final int CONFIG_SIZE = 16; // events_read, events_clear, num_scanouts, num_capsets
    private static final int CFG_EVENTS_CLEAR = 4;
    private static final int MIN_SCANOUT = 16;

    /** A command refused with an error response; the reason has been logged. */
    static final class Refused extends Exception {
        final int response;

        Refused(int response) {
            super(null, null, false, false);
            this.response = response;
        }
    }

    // ---- State --------------------------------------------------------------------------------

    private final GpuResources resources;
    private final Scanout scanout;
    private Transport transport;
    private int eventsRead;

    public VirtioGpu(FrameExchange frames) {
        this(frames, DEFAULT_WIDTH, DEFAULT_HEIGHT, DEFAULT_MAX_HOSTMEM);
    }

    public VirtioGpu(FrameExchange frames, int width, int height) {
        this(frames, width, height, DEFAULT_MAX_HOSTMEM);
    }

    /**
     * @param width      scanout width GET_DISPLAY_INFO reports
     * @param height     scanout height GET_DISPLAY_INFO reports
     * @param maxHostmem bound on the host memory of all resources together
     */
    public VirtioGpu(FrameExchange frames, int width, int height, long maxHostmem) {
        this.scanout = new Scanout(frames, width, height);
        this.resources = new GpuResources(maxHostmem);
    }

    /** The newest frame published, or null before the guest has shown anything (any thread). */
    public Frame currentFrame() {
        return scanout.current();
    }

    /** Host memory held by resources now. */
    public long hostMemory() {
        return resources.hostMemory();
    }

    /**
     * The host display wants {@code width x height} (a window resize): GET_DISPLAY_INFO reports it
     * from now on and the driver is told through VIRTIO_GPU_EVENT_DISPLAY and a configuration
     * interrupt. Emulation thread only.
     */
    public void requestDisplaySize(int width, int height) {
        scanout.resize(width, height);
        eventsRead |= EVENT_DISPLAY;
        if (transport != null) transport.configChanged();
    }

    // ---- VirtioDevice -------------------------------------------------------------------------

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public String name() {
        return "virtio-gpu";
    }

    @Override
    public long deviceFeatures() {
        return 1L << F_EDID;
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public int configSize() {
        return CONFIG_SIZE;
    }

    @Override
    public byte[] readConfig() {
        return ByteBuffer.allocate(CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(eventsRead).putInt(0).putInt(1).putInt(0).array();
    }

    @Override
    public void writeConfig(int offset, byte[] data) {
        // Only events_clear is writable (QEMU virtio_gpu_set_config); other bytes are ignored.
        int clear = 0;
        for (int i = 0; i < data.length; i++) {
            int at = offset + i;
            if (at >= CFG_EVENTS_CLEAR && at < CFG_EVENTS_CLEAR + 4) clear |= (data[i] & 0xFF) << (8 * (at - CFG_EVENTS_CLEAR));
        }
        eventsRead &= ~clear;
    }

    @Override
    public void attach(Transport t) {
        this.transport = t;
        resources.attach(t);
    }

    @Override
    public void reset() {
        resources.clear();
        scanout.reset();
    }

    @Override
    public void onNotify(int index) {
        Virtqueue q = transport.queue(index);
        boolean pushed = false;
        Virtqueue.Chain c;
        while ((c = q.pop()) != null) {
            if (index == QUEUE_CONTROL) {
                control(q, c);
            } else {
                cursor(q, c);
            }
            if (transport.broken()) return;
            pushed = true;
        }
        if (pushed) q.notifyGuest();
    }

    // ---- Control queue ------------------------------------------------------------------------

    /** The command's bytes (the first {@code size} device-readable bytes), or null when fewer. */
    private ByteBuffer body(Virtqueue.Chain c, int size, String what) {
        byte[] b = new byte[size];
        int got = c.read(0, b, 0, size);
        if (got < 0) return null;
        if (got < size) {
            transport.log().guestError("%s: command of %d bytes, expected %d", what, got, size);
            return null;
        }
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The command's bytes, or {@link Refused} with ERR_UNSPEC when the command is shorter. */
    private ByteBuffer required(Virtqueue.Chain c, int size, String what) throws Refused {
        ByteBuffer b = body(c, size, what);
        if (b == null) throw new Refused(RESP_ERR_UNSPEC);
        return b;
    }

    private void control(Virtqueue q, Virtqueue.Chain c) {
        ByteBuffer hdr = body(c, HDR_SIZE, "control header");
        if (transport.broken()) return;
        if (hdr == null) {
            respond(q, c, null, nodata(RESP_ERR_UNSPEC));
            return;
        }
        byte[] resp;
        try {
            resp = command(hdr.getInt(HDR_TYPE), c);
        } catch (Refused e) {
            resp = nodata(e.response);
        }
        if (transport.broken()) return;
        respond(q, c, hdr, resp);
    }

    private static byte[] nodata(int type) {
        byte[] r = new byte[HDR_SIZE];
        ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN).putInt(HDR_TYPE, type);
        return r;
    }

    /** Completes a command: fence echo, response into the device-writable buffers, used ring. */
    private void respond(Virtqueue q, Virtqueue.Chain c, ByteBuffer request, byte[] resp) {
        ByteBuffer r = ByteBuffer.wrap(resp).order(ByteOrder.LITTLE_ENDIAN);
        if (request != null && (request.getInt(HDR_FLAGS) & FLAG_FENCE) != 0) {
            r.putInt(HDR_FLAGS, r.getInt(HDR_FLAGS) | FLAG_FENCE);
            r.putLong(HDR_FENCE_ID, request.getLong(HDR_FENCE_ID));
            r.putInt(HDR_CTX_ID, request.getInt(HDR_CTX_ID));
        }
        int n = c.write(0, resp, 0, resp.length);
        if (n < 0) return;
        if (n < resp.length) {
            transport.log().guestError("response of %d bytes truncated to the %d device-writable bytes of chain %d", resp.length, n, c.head());
        }
        q.push(c, n);
    }

    /** GET_EDID: the display's EDID ({@link Edid}) for scanout 0, at its current size. */
    private byte[] edid(ByteBuffer b) throws Refused {
        int id = b.getInt(HDR_SIZE);
        if (id >= 1) throw refused(RESP_ERR_INVALID_PARAMETER, "GET_EDID: scanout %d does not exist (1 scanout)", id);
        int w = scanout.displayWidth(), h = scanout.displayHeight();
        if (!Edid.describes(w, h)) {
            transport.log().unimplemented("GET_EDID for a %dx%d display: larger than an EDID base block describes (no DisplayID extension)", w, h);
            throw new Refused(RESP_ERR_UNSPEC);
        }
        byte[] blob = Edid.of(w, h);
        ByteBuffer r = ByteBuffer.allocate(EDID_RESPONSE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt(HDR_TYPE, RESP_OK_EDID).putInt(HDR_SIZE, blob.length);
        r.put(HDR_SIZE + 8, blob);
        return r.array();
    }

    private byte[] displayInfo() {
        ByteBuffer r = ByteBuffer.allocate(DISPLAY_INFO_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt(HDR_TYPE, RESP_OK_DISPLAY_INFO);
        int mode = HDR_SIZE; // pmodes[0]: rect {0, 0, w, h}, enabled 1, flags 0
        r.putInt(mode + 8, scanout.displayWidth()).putInt(mode + 12, scanout.displayHeight()).putInt(mode + 16, 1);
        return r.array();
    }

    /** One control command: its response, or {@link Refused} with the error to answer. */
    private byte[] command(int type, Virtqueue.Chain c) throws Refused {
        switch (type) {
            case CMD_GET_DISPLAY_INFO -> {
                return displayInfo();
            }
            case CMD_RESOURCE_CREATE_2D -> {
                ByteBuffer b = required(c, CREATE_2D_SIZE, "RESOURCE_CREATE_2D");
                resources.create2d(b.getInt(HDR_SIZE), b.getInt(HDR_SIZE + 4), Rect.u32(b, HDR_SIZE + 8), Rect.u32(b, HDR_SIZE + 12));
            }
            case CMD_RESOURCE_UNREF -> {
                ByteBuffer b = required(c, UNREF_SIZE, "RESOURCE_UNREF");
                Resource r = resources.find("RESOURCE_UNREF", b.getInt(HDR_SIZE), false);
                if (scanout.resourceId() == r.id) scanout.disable();
                resources.unref(r);
            }
            case CMD_SET_SCANOUT -> setScanout(required(c, SET_SCANOUT_SIZE, "SET_SCANOUT"));
            case CMD_RESOURCE_FLUSH -> {
                ByteBuffer b = required(c, FLUSH_SIZE, "RESOURCE_FLUSH");
                Rect q = Rect.read(b, RECT);
                Resource r = resources.find("RESOURCE_FLUSH", b.getInt(RECT + 16), false);
                if (!q.inside(r.width, r.height)) {
                    throw refused(RESP_ERR_INVALID_PARAMETER, "RESOURCE_FLUSH: rectangle %s is not inside resource %d (%dx%d)",
                            q, r.id, r.width, r.height);
                }
                scanout.flush(r, q);
            }
            case CMD_TRANSFER_TO_HOST_2D -> {
                ByteBuffer b = required(c, TRANSFER_SIZE, "TRANSFER_TO_HOST_2D");
                Resource r = resources.find("TRANSFER_TO_HOST_2D", b.getInt(RECT + 24), true);
                resources.transfer(r, Rect.read(b, RECT), b.getLong(RECT + 16));
            }
            case CMD_RESOURCE_ATTACH_BACKING -> {
                ByteBuffer b = required(c, ATTACH_SIZE, "RESOURCE_ATTACH_BACKING");
                resources.attachBacking(b.getInt(HDR_SIZE), Rect.u32(b, HDR_SIZE + 4), c, ATTACH_SIZE);
            }
            case CMD_RESOURCE_DETACH_BACKING -> {
                ByteBuffer b = required(c, DETACH_SIZE, "RESOURCE_DETACH_BACKING");
                resources.detachBacking(resources.find("RESOURCE_DETACH_BACKING", b.getInt(HDR_SIZE), true));
            }
            case CMD_GET_EDID -> {
                return edid(required(c, GET_EDID_SIZE, "GET_EDID"));
            }
            case CMD_RESOURCE_CREATE_BLOB, CMD_SET_SCANOUT_BLOB ->
                    throw refused(RESP_ERR_INVALID_PARAMETER, "command 0x%04x: blob resources are not offered", type);
            default -> throw refused(RESP_ERR_UNSPEC, "command 0x%04x is not supported by a 2D device", type);
        }
        return nodata(RESP_OK_NODATA);
    }

    private void setScanout(ByteBuffer b) throws Refused {
        Rect q = Rect.read(b, RECT);
        long id = Rect.u32(b, RECT + 16);
        int resource = b.getInt(RECT + 20);
        if (id >= 1) throw refused(RESP_ERR_INVALID_SCANOUT_ID, "SET_SCANOUT: scanout %d does not exist (1 scanout)", id);
        if (resource == 0) {
            scanout.disable();
            return;
        }
        Resource r = resources.find("SET_SCANOUT", resource, true);
        if (!q.inside(r.width, r.height) || q.w() < MIN_SCANOUT || q.h() < MIN_SCANOUT) {
            throw refused(RESP_ERR_INVALID_PARAMETER, "SET_SCANOUT: rectangle %s is not inside resource %d (%dx%d) or smaller than 16x16",
                    q, resource, r.width, r.height);
        }
        scanout.show(r, q);
    }

    private Refused refused(int response, String format, Object... args) {
        transport.log().guestError(format, args);
        return new Refused(response);
    }

    // ---- Cursor queue -------------------------------------------------------------------------

    private void cursor(Virtqueue q, Virtqueue.Chain c) {
        ByteBuffer b = body(c, CURSOR_CMD_SIZE, "cursor command");
        if (transport.broken()) return;
        if (b != null) updateCursor(b);
        q.push(c, 0);
    }

    private void updateCursor(ByteBuffer b) {
        int type = b.getInt(HDR_TYPE);
        long id = Rect.u32(b, HDR_SIZE);
        int x = b.getInt(HDR_SIZE + 4);
        int y = b.getInt(HDR_SIZE + 8);
        int resource = b.getInt(HDR_SIZE + 16);
        if (id >= 1) {
            transport.log().guestError("cursor command for scanout %d, which does not exist", id);
            return;
        }
        if (type != CMD_MOVE_CURSOR) {
            if (type != CMD_UPDATE_CURSOR) {
                transport.log().guestError("cursor queue command 0x%04x taken as UPDATE_CURSOR, as QEMU does", type);
            }
            scanout.shapeCursor(b.getInt(HDR_SIZE + 20), b.getInt(HDR_SIZE + 24), resource == 0 ? null : cursorImage(resource));
        }
        scanout.moveCursor(x, y, resource != 0);
    }

    /** The resource to show as the cursor, or null (logged) to keep the previous image, as QEMU. */
    private Resource cursorImage(int id) {
        Resource r = resources.get(id);
        if (r == null) {
            transport.log().guestError("UPDATE_CURSOR: invalid resource %d; cursor image unchanged", id);
            return null;
        }
        if (r.width != CURSOR_SIZE || r.height != CURSOR_SIZE) {
            transport.log().guestError("UPDATE_CURSOR: resource %d is %dx%d, not 64x64; cursor image unchanged", id, r.width, r.height);
            return null;
        }
        return r;
    }

    // ---- Snapshot (nested in the transport's section) ------------------------------------------

    @Override
    public int snapshotVersion() {
        return 2;
    }

    /**
     * Layout: i32 events read; the resources with their pixels and backing; the scanout and cursor
     * (version 2: the last frame's pixels once when they are the scanout's picture). Megabytes of
     * pixels: the room is made at once, not by doubling (each doubling is a larger fresh array).
     */
    @Override
    public void save(org.vitrine.emulator.snapshot.StateWriter out) {
        out.reserve(resources.snapshotBytes() + scanout.snapshotBytes());
        out.i32(eventsRead);
        resources.save(out);
        scanout.save(out);
    }

    @Override
    public Runnable load(org.vitrine.emulator.snapshot.StateReader in, int version) throws org.vitrine.emulator.snapshot.SnapshotException {
        int events = in.i32();
        Runnable res = resources.load(in);
        Runnable shown = scanout.load(in, version);
        return () -> {
            eventsRead = events;
            res.run();
            shown.run();
        };
    }
}
