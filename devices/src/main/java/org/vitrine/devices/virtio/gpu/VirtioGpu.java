package org.vitrine.devices.virtio.gpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

import org.vitrine.devices.virtio.VirtioDevice;
import org.vitrine.devices.virtio.VirtioMmio;
import org.vitrine.devices.virtio.Virtqueue;
import org.vitrine.emulator.display.Frame;
import org.vitrine.emulator.display.FrameExchange;
import org.vitrine.emulator.spi.DmaPort.DmaException;

/**
 * VirtIO GPU device (VirtIO 1.2 section 5.7, device ID {@value #DEVICE_ID}), 2D only, as QEMU
 * 7.2's {@code virtio-gpu-device} (hw/display/virtio-gpu.c, virtio-gpu-base.c) answers a driver,
 * with one scanout.
 *
 * <h2>Interface</h2>
 * <ul>
 *   <li>Behind a {@link VirtioMmio} transport. Queue 0 (controlq): commands with a response each.
 *       Queue 1 (cursorq): cursor commands, no response.</li>
 *   <li>Output: on RESOURCE_FLUSH of the resource shown on the scanout, on SET_SCANOUT and on
 *       every cursor change, a new {@link Frame} (RGBA, the scanout rectangle of the resource,
 *       alpha forced opaque, plus the cursor) is published to the {@link FrameExchange} given
 *       to the constructor; {@link #currentFrame()} returns the latest, for screenshots.</li>
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
 *   <li>No feature is offered: not VIRTIO_GPU_F_EDID (QEMU offers it by default; GET_EDID answers
 *       ERR_UNSPEC here), nor VIRGL, RESOURCE_UUID, RESOURCE_BLOB, CONTEXT_INIT.</li>
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
    public static final int RESP_ERR_UNSPEC = 0x1200;
    public static final int RESP_ERR_OUT_OF_MEMORY = 0x1201;
    public static final int RESP_ERR_INVALID_SCANOUT_ID = 0x1202;
    public static final int RESP_ERR_INVALID_RESOURCE_ID = 0x1203;
    public static final int RESP_ERR_INVALID_CONTEXT_ID = 0x1204;
    public static final int RESP_ERR_INVALID_PARAMETER = 0x1205;

    public static final int FLAG_FENCE = 1;
    public static final int EVENT_DISPLAY = 1;

    // ---- Formats (enum virtio_gpu_formats) -----------------------------------------------------
    public static final int FORMAT_B8G8R8A8_UNORM = 1;
    public static final int FORMAT_B8G8R8X8_UNORM = 2;
    public static final int FORMAT_A8R8G8B8_UNORM = 3;
    public static final int FORMAT_X8R8G8B8_UNORM = 4;
    public static final int FORMAT_R8G8B8A8_UNORM = 67;
    public static final int FORMAT_X8B8G8R8_UNORM = 68;
    public static final int FORMAT_A8B8G8R8_UNORM = 121;
    public static final int FORMAT_R8G8B8X8_UNORM = 134;

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
    private static final int MEM_ENTRY_SIZE = 16;              // le64 addr, le32 length, padding
    private static final int DETACH_SIZE = HDR_SIZE + 8;       // resource_id, padding
    /** struct virtio_gpu_update_cursor: hdr, pos {scanout_id, x, y, padding}, resource_id, hot_x, hot_y, padding. */
    private static final int CURSOR_CMD_SIZE = HDR_SIZE + 32;
    /** struct virtio_gpu_resp_display_info: hdr, 16 x {rect, le32 enabled, le32 flags}. */
    private static final int DISPLAY_INFO_SIZE = HDR_SIZE + MAX_SCANOUTS * 24;
    private static final int CONFIG_SIZE = 16; // events_read, events_clear, num_scanouts, num_capsets
    private static final int CFG_EVENTS_CLEAR = 4;
    private static final int MIN_SCANOUT = 16;

    private static final class Resource {
        final int id;
        final int format;
        final long width;
        final long height;
        final long hostmem;
        final byte[] pixels;
        long[] backingAddr;
        long[] backingLen;

        Resource(int id, int format, long width, long height, byte[] pixels) {
            this.id = id;
            this.format = format;
            this.width = width;
            this.height = height;
            this.hostmem = pixels.length;
            this.pixels = pixels;
        }

        long stride() {
            return width * 4;
        }
    }

    // ---- State --------------------------------------------------------------------------------

    private final FrameExchange frames;
    private final long maxHostmem;
    private Transport transport;

    private final Map<Integer, Resource> resources = new HashMap<>();
    private long hostmem;
    private long backingEntries;
    private int displayWidth;
    private int displayHeight;
    private int eventsRead;

    // Scanout 0.
    private int scanoutResource;
    private long scanX;
    private long scanY;
    private int scanW;
    private int scanH;
    private int[] shadow;

    // Cursor.
    private int[] cursorImage;
    private int cursorX;
    private int cursorY;
    private int cursorHotX;
    private int cursorHotY;
    private boolean cursorVisible;

    private volatile Frame current;
    private long sequence;

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
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("display " + width + "x" + height);
        this.frames = frames;
        this.displayWidth = width;
        this.displayHeight = height;
        this.maxHostmem = maxHostmem;
    }

    /** The newest frame published, or null before the guest has shown anything (any thread). */
    public Frame currentFrame() {
        return current;
    }

    /** Host memory held by resources now. */
    public long hostMemory() {
        return hostmem;
    }

    /**
     * The host display wants {@code width x height} (a window resize): GET_DISPLAY_INFO reports it
     * from now on and the driver is told through VIRTIO_GPU_EVENT_DISPLAY and a configuration
     * interrupt. Emulation thread only.
     */
    public void requestDisplaySize(int width, int height) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("display " + width + "x" + height);
        displayWidth = width;
        displayHeight = height;
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
        return 0;
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
    }

    @Override
    public void reset() {
        boolean wasShowing = scanoutResource != 0;
        resources.clear();
        hostmem = 0;
        backingEntries = 0;
        scanoutResource = 0;
        shadow = null;
        cursorImage = null;
        cursorX = cursorY = cursorHotX = cursorHotY = 0;
        cursorVisible = false;
        if (wasShowing) publishBlank();
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

    private void control(Virtqueue q, Virtqueue.Chain c) {
        ByteBuffer hdr = body(c, HDR_SIZE, "control header");
        if (transport.broken()) return;
        if (hdr == null) {
            respond(q, c, null, nodata(RESP_ERR_UNSPEC));
            return;
        }
        int type = hdr.getInt(HDR_TYPE);
        byte[] resp = switch (type) {
            case CMD_GET_DISPLAY_INFO -> displayInfo();
            case CMD_RESOURCE_CREATE_2D -> nodata(create2d(c));
            case CMD_RESOURCE_UNREF -> nodata(unref(c));
            case CMD_SET_SCANOUT -> nodata(setScanout(c));
            case CMD_RESOURCE_FLUSH -> nodata(flush(c));
            case CMD_TRANSFER_TO_HOST_2D -> nodata(transfer(c));
            case CMD_RESOURCE_ATTACH_BACKING -> nodata(attachBacking(c));
            case CMD_RESOURCE_DETACH_BACKING -> nodata(detachBacking(c));
            case CMD_RESOURCE_CREATE_BLOB, CMD_SET_SCANOUT_BLOB -> {
                transport.log().guestError("command 0x%04x: blob resources are not offered", type);
                yield nodata(RESP_ERR_INVALID_PARAMETER);
            }
            default -> {
                transport.log().guestError("command 0x%04x is not supported by a 2D device without EDID", type);
                yield nodata(RESP_ERR_UNSPEC);
            }
        };
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

    private byte[] displayInfo() {
        ByteBuffer r = ByteBuffer.allocate(DISPLAY_INFO_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt(HDR_TYPE, RESP_OK_DISPLAY_INFO);
        int mode = HDR_SIZE; // pmodes[0]: rect {0, 0, w, h}, enabled 1, flags 0
        r.putInt(mode + 8, displayWidth).putInt(mode + 12, displayHeight).putInt(mode + 16, 1);
        return r.array();
    }

    private static boolean knownFormat(int format) {
        return switch (format) {
            case FORMAT_B8G8R8A8_UNORM, FORMAT_B8G8R8X8_UNORM, FORMAT_A8R8G8B8_UNORM, FORMAT_X8R8G8B8_UNORM,
                 FORMAT_R8G8B8A8_UNORM, FORMAT_X8B8G8R8_UNORM, FORMAT_A8B8G8R8_UNORM, FORMAT_R8G8B8X8_UNORM -> true;
            default -> false;
        };
    }

    private int create2d(Virtqueue.Chain c) {
        ByteBuffer b = body(c, CREATE_2D_SIZE, "RESOURCE_CREATE_2D");
        if (b == null) return RESP_ERR_UNSPEC;
        int id = b.getInt(HDR_SIZE);
        int format = b.getInt(HDR_SIZE + 4);
        long width = b.getInt(HDR_SIZE + 8) & 0xFFFF_FFFFL;
        long height = b.getInt(HDR_SIZE + 12) & 0xFFFF_FFFFL;
        if (id == 0) {
            transport.log().guestError("RESOURCE_CREATE_2D: resource id 0 is not allowed");
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (resources.containsKey(id)) {
            transport.log().guestError("RESOURCE_CREATE_2D: resource %d already exists", id);
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (!knownFormat(format)) {
            transport.log().guestError("RESOURCE_CREATE_2D: format %d is not supported", format);
            return RESP_ERR_INVALID_PARAMETER;
        }
        // 4 bytes a pixel for every format (QEMU's calc_image_hostmem); width and height are u32.
        boolean tooBig = width != 0 && height > Long.MAX_VALUE / 4 / width;
        long bytes = tooBig ? Long.MAX_VALUE : width * height * 4;
        if (bytes > Integer.MAX_VALUE - 16 || bytes + hostmem >= maxHostmem || resources.size() >= MAX_RESOURCES) {
            transport.log().guestError("RESOURCE_CREATE_2D: resource %d of %dx%d does not fit the host memory left (%d of %d bytes used)",
                    id, width, height, hostmem, maxHostmem);
            return RESP_ERR_OUT_OF_MEMORY;
        }
        byte[] pixels;
        try {
            pixels = new byte[(int) bytes];
        } catch (OutOfMemoryError e) {
            transport.log().guestError("RESOURCE_CREATE_2D: host could not allocate %d bytes for resource %d", bytes, id);
            return RESP_ERR_OUT_OF_MEMORY;
        }
        resources.put(id, new Resource(id, format, width, height, pixels));
        hostmem += bytes;
        return RESP_OK_NODATA;
    }

    /** QEMU virtio_gpu_find_check_resource: unknown is INVALID_RESOURCE_ID, no backing is UNSPEC. */
    private Resource find(String what, int id, boolean requireBacking, int[] error) {
        Resource r = resources.get(id);
        if (r == null) {
            transport.log().guestError("%s: invalid resource %d", what, id);
            error[0] = RESP_ERR_INVALID_RESOURCE_ID;
            return null;
        }
        if (requireBacking && r.backingAddr == null) {
            transport.log().guestError("%s: resource %d has no backing storage", what, id);
            error[0] = RESP_ERR_UNSPEC;
            return null;
        }
        return r;
    }

    private int unref(Virtqueue.Chain c) {
        ByteBuffer b = body(c, UNREF_SIZE, "RESOURCE_UNREF");
        if (b == null) return RESP_ERR_UNSPEC;
        int[] err = new int[1];
        Resource r = find("RESOURCE_UNREF", b.getInt(HDR_SIZE), false, err);
        if (r == null) return err[0];
        if (scanoutResource == r.id) disableScanout();
        if (r.backingAddr != null) backingEntries -= r.backingAddr.length;
        resources.remove(r.id);
        hostmem -= r.hostmem;
        return RESP_OK_NODATA;
    }

    /** The virtio_gpu_rect at the start of a command body: four le32 values, held in 64 bits so sums cannot wrap. */
    private record Rect(long x, long y, long w, long h) {
        static Rect read(ByteBuffer b) {
            return new Rect(u32(b, RECT), u32(b, RECT + 4), u32(b, RECT + 8), u32(b, RECT + 12));
        }

        /** QEMU's check that the rectangle lies inside a width x height resource. */
        boolean inside(long width, long height) {
            return x <= width && y <= height && w <= width && h <= height && x + w <= width && y + h <= height;
        }

        @Override
        public String toString() {
            return "(" + x + "," + y + ")+" + w + "x" + h;
        }
    }

    private int setScanout(Virtqueue.Chain c) {
        ByteBuffer b = body(c, SET_SCANOUT_SIZE, "SET_SCANOUT");
        if (b == null) return RESP_ERR_UNSPEC;
        Rect q = Rect.read(b);
        long x = q.x(), y = q.y(), w = q.w(), h = q.h();
        long scanout = u32(b, RECT + 16);
        int id = b.getInt(RECT + 20);
        if (scanout >= 1) {
            transport.log().guestError("SET_SCANOUT: scanout %d does not exist (1 scanout)", scanout);
            return RESP_ERR_INVALID_SCANOUT_ID;
        }
        if (id == 0) {
            disableScanout();
            return RESP_OK_NODATA;
        }
        int[] err = new int[1];
        Resource r = find("SET_SCANOUT", id, true, err);
        if (r == null) return err[0];
        if (!q.inside(r.width, r.height) || w < MIN_SCANOUT || h < MIN_SCANOUT) {
            transport.log().guestError("SET_SCANOUT: rectangle %s is not inside resource %d (%dx%d) or smaller than 16x16",
                    q, id, r.width, r.height);
            return RESP_ERR_INVALID_PARAMETER;
        }
        scanoutResource = id;
        scanX = x;
        scanY = y;
        scanW = (int) w;
        scanH = (int) h;
        shadow = new int[scanW * scanH];
        convert(r, x, y, w, h);
        publish();
        return RESP_OK_NODATA;
    }

    private int flush(Virtqueue.Chain c) {
        ByteBuffer b = body(c, FLUSH_SIZE, "RESOURCE_FLUSH");
        if (b == null) return RESP_ERR_UNSPEC;
        Rect q = Rect.read(b);
        long x = q.x(), y = q.y(), w = q.w(), h = q.h();
        int[] err = new int[1];
        Resource r = find("RESOURCE_FLUSH", b.getInt(RECT + 16), false, err);
        if (r == null) return err[0];
        if (!q.inside(r.width, r.height)) {
            transport.log().guestError("RESOURCE_FLUSH: rectangle %s is not inside resource %d (%dx%d)",
                    q, r.id, r.width, r.height);
            return RESP_ERR_INVALID_PARAMETER;
        }
        if (scanoutResource == r.id) {
            long x0 = Math.max(x, scanX);
            long y0 = Math.max(y, scanY);
            long x1 = Math.min(x + w, scanX + scanW);
            long y1 = Math.min(y + h, scanY + scanH);
            if (x1 > x0 && y1 > y0) convert(r, x0, y0, x1 - x0, y1 - y0);
            publish();
        }
        return RESP_OK_NODATA;
    }

    private int transfer(Virtqueue.Chain c) {
        ByteBuffer b = body(c, TRANSFER_SIZE, "TRANSFER_TO_HOST_2D");
        if (b == null) return RESP_ERR_UNSPEC;
        Rect q = Rect.read(b);
        long x = q.x(), y = q.y(), w = q.w(), h = q.h();
        long offset = b.getLong(RECT + 16);
        int[] err = new int[1];
        Resource r = find("TRANSFER_TO_HOST_2D", b.getInt(RECT + 24), true, err);
        if (r == null) return err[0];
        if (!q.inside(r.width, r.height)) {
            transport.log().guestError("TRANSFER_TO_HOST_2D: rectangle %s is not inside resource %d (%dx%d)",
                    q, r.id, r.width, r.height);
            return RESP_ERR_INVALID_PARAMETER;
        }
        long stride = r.stride();
        boolean complete = true;
        if (offset != 0 || x != 0 || y != 0 || w != r.width) {
            for (long row = 0; row < h; row++) {
                long src = offset + stride * row;
                long dst = (y + row) * stride + x * 4;
                complete &= fromBacking(r, src, (int) dst, (int) (w * 4));
            }
        } else {
            // QEMU copies the whole image in this case, whatever the rectangle's height.
            complete = fromBacking(r, 0, 0, r.pixels.length);
        }
        if (!complete) {
            transport.log().guestError("TRANSFER_TO_HOST_2D: resource %d: backing ends before the rectangle %s at offset %d;"
                    + " the rest is left unchanged", r.id, q, offset);
        }
        return RESP_OK_NODATA;
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

    private int attachBacking(Virtqueue.Chain c) {
        ByteBuffer b = body(c, ATTACH_SIZE, "RESOURCE_ATTACH_BACKING");
        if (b == null) return RESP_ERR_UNSPEC;
        int id = b.getInt(HDR_SIZE);
        long count = u32(b, HDR_SIZE + 4);
        Resource r = resources.get(id);
        if (r == null) {
            transport.log().guestError("RESOURCE_ATTACH_BACKING: invalid resource %d", id);
            return RESP_ERR_INVALID_RESOURCE_ID;
        }
        if (r.backingAddr != null) {
            transport.log().guestError("RESOURCE_ATTACH_BACKING: resource %d already has backing storage", id);
            return RESP_ERR_UNSPEC;
        }
        if (count > MAX_BACKING_ENTRIES || backingEntries + count > MAX_TOTAL_BACKING_ENTRIES) {
            transport.log().guestError("RESOURCE_ATTACH_BACKING: %d entries is too many (at most %d, %d over all resources)",
                    count, MAX_BACKING_ENTRIES, MAX_TOTAL_BACKING_ENTRIES);
            return RESP_ERR_UNSPEC;
        }
        int n = (int) count;
        byte[] raw = new byte[n * MEM_ENTRY_SIZE];
        int got = c.read(ATTACH_SIZE, raw, 0, raw.length);
        if (got < 0) return RESP_ERR_UNSPEC;
        if (got < raw.length) {
            transport.log().guestError("RESOURCE_ATTACH_BACKING: %d entries announced, %d bytes of them present", n, got);
            return RESP_ERR_UNSPEC;
        }
        ByteBuffer e = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        long[] addr = new long[n];
        long[] len = new long[n];
        for (int i = 0; i < n; i++) {
            addr[i] = e.getLong(i * MEM_ENTRY_SIZE);
            len[i] = e.getInt(i * MEM_ENTRY_SIZE + 8) & 0xFFFF_FFFFL;
            if (len[i] != 0 && !Virtqueue.accessible(transport.dma(), addr[i], len[i])) {
                transport.log().guestError("RESOURCE_ATTACH_BACKING: resource %d entry %d (0x%x+0x%x) is not in guest memory",
                        id, i, addr[i], len[i]);
                return RESP_ERR_UNSPEC;
            }
        }
        r.backingAddr = addr;
        r.backingLen = len;
        backingEntries += n;
        return RESP_OK_NODATA;
    }

    private int detachBacking(Virtqueue.Chain c) {
        ByteBuffer b = body(c, DETACH_SIZE, "RESOURCE_DETACH_BACKING");
        if (b == null) return RESP_ERR_UNSPEC;
        int[] err = new int[1];
        Resource r = find("RESOURCE_DETACH_BACKING", b.getInt(HDR_SIZE), true, err);
        if (r == null) return err[0];
        backingEntries -= r.backingAddr.length;
        r.backingAddr = null;
        r.backingLen = null;
        return RESP_OK_NODATA;
    }

    private static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & 0xFFFF_FFFFL;
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
        long scanout = u32(b, HDR_SIZE);
        int x = b.getInt(HDR_SIZE + 4);
        int y = b.getInt(HDR_SIZE + 8);
        int id = b.getInt(HDR_SIZE + 16);
        if (scanout >= 1) {
            transport.log().guestError("cursor command for scanout %d, which does not exist", scanout);
            return;
        }
        if (type != CMD_MOVE_CURSOR) {
            if (type != CMD_UPDATE_CURSOR) {
                transport.log().guestError("cursor queue command 0x%04x taken as UPDATE_CURSOR, as QEMU does", type);
            }
            cursorHotX = b.getInt(HDR_SIZE + 20);
            cursorHotY = b.getInt(HDR_SIZE + 24);
            if (cursorImage == null) cursorImage = new int[CURSOR_SIZE * CURSOR_SIZE];
            if (id != 0) {
                Resource r = resources.get(id);
                if (r == null) {
                    transport.log().guestError("UPDATE_CURSOR: invalid resource %d; cursor image unchanged", id);
                } else if (r.width != CURSOR_SIZE || r.height != CURSOR_SIZE) {
                    transport.log().guestError("UPDATE_CURSOR: resource %d is %dx%d, not 64x64; cursor image unchanged", id, r.width, r.height);
                } else {
                    int[] img = new int[CURSOR_SIZE * CURSOR_SIZE];
                    for (int i = 0; i < img.length; i++) img[i] = rgba(r.pixels, i * 4, r.format);
                    cursorImage = img;
                }
            }
        }
        cursorX = x;
        cursorY = y;
        cursorVisible = id != 0;
        if (current != null && scanoutResource != 0) {
            Frame f = current;
            current = new Frame(f.width(), f.height(), f.rgba(), ++sequence, cursorState());
            frames.publish(current);
        }
    }

    private Frame.Cursor cursorState() {
        return new Frame.Cursor(cursorX, cursorY, cursorHotX, cursorHotY, cursorVisible ? cursorImage : null);
    }

    // ---- Scanout ------------------------------------------------------------------------------

    private void disableScanout() {
        if (scanoutResource == 0) return;
        scanoutResource = 0;
        shadow = null;
        publishBlank();
    }

    /** Converts a rectangle (resource coordinates, inside the scanout) into the shadow picture. */
    private void convert(Resource r, long x, long y, long w, long h) {
        for (long row = y; row < y + h; row++) {
            int src = (int) ((row * r.width + x) * 4);
            int dst = (int) ((row - scanY) * scanW + (x - scanX));
            for (long col = 0; col < w; col++, src += 4, dst++) {
                shadow[dst] = rgba(r.pixels, src, r.format) | 0xFF00_0000; // the screen is opaque
            }
        }
    }

    private void publish() {
        current = new Frame(scanW, scanH, shadow.clone(), ++sequence, cursorState());
        frames.publish(current);
    }

    private void publishBlank() {
        int[] black = new int[displayWidth * displayHeight];
        java.util.Arrays.fill(black, 0xFF00_0000);
        current = new Frame(displayWidth, displayHeight, black, ++sequence, Frame.Cursor.HIDDEN);
        frames.publish(current);
    }

    /** One pixel of {@code format} at {@code p[at..at+3]} as 0xAABBGGRR (alpha 0xFF for X formats). */
    static int rgba(byte[] p, int at, int format) {
        int b0 = p[at] & 0xFF;
        int b1 = p[at + 1] & 0xFF;
        int b2 = p[at + 2] & 0xFF;
        int b3 = p[at + 3] & 0xFF;
        int r;
        int g;
        int b;
        int a;
        switch (format) {
            case FORMAT_B8G8R8A8_UNORM -> { b = b0; g = b1; r = b2; a = b3; }
            case FORMAT_B8G8R8X8_UNORM -> { b = b0; g = b1; r = b2; a = 0xFF; }
            case FORMAT_A8R8G8B8_UNORM -> { a = b0; r = b1; g = b2; b = b3; }
            case FORMAT_X8R8G8B8_UNORM -> { a = 0xFF; r = b1; g = b2; b = b3; }
            case FORMAT_R8G8B8A8_UNORM -> { r = b0; g = b1; b = b2; a = b3; }
            case FORMAT_X8B8G8R8_UNORM -> { a = 0xFF; b = b1; g = b2; r = b3; }
            case FORMAT_A8B8G8R8_UNORM -> { a = b0; b = b1; g = b2; r = b3; }
            case FORMAT_R8G8B8X8_UNORM -> { r = b0; g = b1; b = b2; a = 0xFF; }
            default -> throw new IllegalStateException("format " + format + " passed RESOURCE_CREATE_2D");
        }
        return r | g << 8 | b << 16 | a << 24;
    }
}
