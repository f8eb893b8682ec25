package org.vitrine.devices.virtio.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vitrine.devices.virtio.gpu.VirtioGpu.*;
import static org.vitrine.devices.virtio.VirtioTestDriver.*;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vitrine.devices.virtio.VirtioTestDriver.Queue;
import org.vitrine.devices.virtio.VirtioTestDriver;
import org.vitrine.emulator.display.Frame;
import org.vitrine.emulator.display.FrameExchange;

class VirtioGpuTest {
    final FrameExchange frames = new FrameExchange();
    VirtioGpu gpu;
    VirtioTestDriver d;
    Queue ctrl;
    Queue cursorq;
    ByteBuffer lastResponse;

    @AfterEach
    void tearDown() {
        if (d != null) d.close();
    }

    void open(VirtioGpu g) {
        gpu = g;
        d = new VirtioTestDriver(gpu);
        d.init(0);
        ctrl = d.queue(0, 64);
        cursorq = d.queue(1, 16);
        d.driverOk();
    }

    void open() {
        open(new VirtioGpu(frames));
    }

    static ByteBuffer hdr(int size, int type) {
        return le(size).putInt(type).putInt(0).putLong(0).putInt(0).putInt(0);
    }

    /** Sends a command with room for a {@code respSize} response; returns the response type. */
    int send(ByteBuffer request, int respSize) {
        long resp = d.alloc(respSize);
        byte[] req = request.array();
        ctrl.post(out(d.put(req), req.length), in(resp, respSize));
        ctrl.kick();
        Used u = ctrl.takeOne();
        lastResponse = d.readLe(resp, respSize);
        assertEquals(Math.min(respSize, u.len()), u.len());
        return lastResponse.getInt(0);
    }

    int send(ByteBuffer request) {
        return send(request, 24);
    }

    int create(int id, int format, int w, int h) {
        return send(hdr(40, CMD_RESOURCE_CREATE_2D).putInt(id).putInt(format).putInt(w).putInt(h));
    }

    int attach(int id, long... addrLen) {
        ByteBuffer b = hdr(32 + 8 * addrLen.length, CMD_RESOURCE_ATTACH_BACKING).putInt(id).putInt(addrLen.length / 2);
        for (int i = 0; i < addrLen.length; i += 2) b.putLong(addrLen[i]).putInt((int) addrLen[i + 1]).putInt(0);
        return send(b);
    }

    int transfer(int id, int x, int y, int w, int h, long offset) {
        return send(hdr(56, CMD_TRANSFER_TO_HOST_2D).putInt(x).putInt(y).putInt(w).putInt(h).putLong(offset).putInt(id).putInt(0));
    }

    int setScanout(int scanout, int id, int x, int y, int w, int h) {
        return send(hdr(48, CMD_SET_SCANOUT).putInt(x).putInt(y).putInt(w).putInt(h).putInt(scanout).putInt(id));
    }

    int flush(int id, int x, int y, int w, int h) {
        return send(hdr(48, CMD_RESOURCE_FLUSH).putInt(x).putInt(y).putInt(w).putInt(h).putInt(id).putInt(0));
    }

    int unref(int id) {
        return send(hdr(32, CMD_RESOURCE_UNREF).putInt(id).putInt(0));
    }

    /** A B8G8R8X8 guest framebuffer where pixel (x, y) has R = x, G = y, B = 0x40. */
    long framebuffer(int w, int h) {
        byte[] px = new byte[w * h * 4];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 4;
                px[o] = 0x40;
                px[o + 1] = (byte) y;
                px[o + 2] = (byte) x;
                px[o + 3] = 0x00; // X: ignored
            }
        }
        return d.put(px);
    }

    static int expected(int x, int y) {
        return (x & 0xFF) | (y & 0xFF) << 8 | 0x40 << 16 | 0xFF << 24;
    }

    /** Resource 1, w x h, B8G8R8X8, backed, transferred, on the scanout. */
    long showFramebuffer(int w, int h) {
        long fb = framebuffer(w, h);
        assertEquals(RESP_OK_NODATA, create(1, PixelFormat.B8G8R8X8_UNORM.id(), w, h));
        assertEquals(RESP_OK_NODATA, attach(1, fb, (long) w * h * 4));
        assertEquals(RESP_OK_NODATA, transfer(1, 0, 0, w, h, 0));
        assertEquals(RESP_OK_NODATA, setScanout(0, 1, 0, 0, w, h));
        assertEquals(RESP_OK_NODATA, flush(1, 0, 0, w, h));
        return fb;
    }

    // ---- Display info and configuration -------------------------------------------------------

    @Test
    void displayInfoDefault() {
        open();
        assertEquals(16, d.reg(VirtioTestDriver.DEVICE_ID));
        assertEquals(1L << VirtioGpu.F_EDID, d.deviceFeatures() & 0xFFFF_FF, "EDID, as QEMU; no virgl, no blobs");
        assertEquals(RESP_OK_DISPLAY_INFO, send(hdr(24, CMD_GET_DISPLAY_INFO), 408));
        assertEquals(0, lastResponse.getInt(24));
        assertEquals(0, lastResponse.getInt(28));
        assertEquals(1024, lastResponse.getInt(32));
        assertEquals(768, lastResponse.getInt(36));
        assertEquals(1, lastResponse.getInt(40), "enabled");
        assertEquals(0, lastResponse.getInt(24 + 24 + 16), "scanout 1 disabled");
    }

    @Test
    void displayInfoSizeFromConstructor() {
        open(new VirtioGpu(frames, 640, 480));
        send(hdr(24, CMD_GET_DISPLAY_INFO), 408);
        assertEquals(640, lastResponse.getInt(32));
        assertEquals(480, lastResponse.getInt(36));
    }

    @Test
    void config() {
        open();
        assertEquals(0, d.configWord(0), "events_read");
        assertEquals(1, d.configWord(8), "num_scanouts");
        assertEquals(0, d.configWord(12), "num_capsets");
        int gen = d.reg(CONFIG_GENERATION);
        gpu.requestDisplaySize(800, 600);
        assertEquals(EVENT_DISPLAY, d.configWord(0));
        assertEquals(2, d.reg(INTERRUPT_STATUS) & 2);
        assertEquals(gen + 1, d.reg(CONFIG_GENERATION));
        d.mmio.write(CONFIG + 4, 4, EVENT_DISPLAY);
        assertEquals(0, d.configWord(0), "events_clear");
        send(hdr(24, CMD_GET_DISPLAY_INFO), 408);
        assertEquals(800, lastResponse.getInt(32));
    }

    // ---- Drawing ------------------------------------------------------------------------------

    @Test
    void createAttachTransferFlushPublishesFrame() {
        open();
        assertNull(gpu.currentFrame());
        showFramebuffer(64, 48);
        Frame f = frames.latest();
        assertNotNull(f);
        assertSame(f, gpu.currentFrame());
        assertEquals(64, f.width());
        assertEquals(48, f.height());
        for (int y = 0; y < 48; y += 7) {
            for (int x = 0; x < 64; x += 5) assertEquals(expected(x, y), f.rgba()[y * 64 + x], "pixel " + x + "," + y);
        }
        assertEquals(64L * 48 * 4, gpu.hostMemory());
    }

    @Test
    void partialTransferAndFlushUpdateOnlyTheRectangle() {
        open();
        long fb = showFramebuffer(32, 32);
        Frame before = frames.latest();
        // The guest draws white into (8,4)+4x2 of its framebuffer, transfers and flushes that.
        for (int y = 4; y < 6; y++) {
            for (int x = 8; x < 12; x++) d.write(fb + (y * 32 + x) * 4L, new byte[] {-1, -1, -1, 0});
        }
        long offset = (4 * 32 + 8) * 4L;
        assertEquals(RESP_OK_NODATA, transfer(1, 8, 4, 4, 2, offset));
        assertEquals(RESP_OK_NODATA, flush(1, 8, 4, 4, 2));
        Frame after = frames.latest();
        assertTrue(after.sequence() > before.sequence());
        assertEquals(0xFFFF_FFFF, after.rgba()[4 * 32 + 8]);
        assertEquals(0xFFFF_FFFF, after.rgba()[5 * 32 + 11]);
        assertEquals(expected(12, 5), after.rgba()[5 * 32 + 12]);
        assertEquals(expected(7, 4), after.rgba()[4 * 32 + 7]);
        assertEquals(expected(8, 4), before.rgba()[4 * 32 + 8], "published frames are not changed afterwards");
    }

    @Test
    void transferWithoutFlushIsNotShown() {
        open();
        long fb = showFramebuffer(16, 16);
        d.write(fb, new byte[] {1, 2, 3, 4});
        transfer(1, 0, 0, 16, 16, 0);
        assertEquals(expected(0, 0), frames.latest().rgba()[0]);
        flush(1, 0, 0, 1, 1);
        assertEquals(0xFF010203, frames.latest().rgba()[0]);
    }

    @Test
    void scanoutSubRectangle() {
        open();
        long fb = framebuffer(64, 64);
        create(1, PixelFormat.B8G8R8X8_UNORM.id(), 64, 64);
        attach(1, fb, 64 * 64 * 4);
        transfer(1, 0, 0, 64, 64, 0);
        assertEquals(RESP_OK_NODATA, setScanout(0, 1, 16, 8, 32, 20));
        Frame f = frames.latest();
        assertEquals(32, f.width());
        assertEquals(20, f.height());
        assertEquals(expected(16, 8), f.rgba()[0]);
        assertEquals(expected(47, 27), f.rgba()[19 * 32 + 31]);
    }

    @Test
    void scatteredBacking() {
        open();
        // 16x16 B8G8R8X8 = 1024 bytes in three pieces of guest memory.
        byte[] px = new byte[1024];
        for (int i = 0; i < 256; i++) {
            px[i * 4] = (byte) i; // B
        }
        long a = d.put(java.util.Arrays.copyOfRange(px, 0, 100));
        long b = d.put(java.util.Arrays.copyOfRange(px, 100, 700));
        long c = d.put(java.util.Arrays.copyOfRange(px, 700, 1024));
        create(1, PixelFormat.B8G8R8X8_UNORM.id(), 16, 16);
        assertEquals(RESP_OK_NODATA, attach(1, a, 100, b, 600, c, 324));
        transfer(1, 0, 0, 16, 16, 0);
        setScanout(0, 1, 0, 0, 16, 16);
        Frame f = frames.latest();
        for (int i = 0; i < 256; i++) assertEquals(0xFF00_0000 | i << 16, f.rgba()[i]);
    }

    @Test
    void everyFormatConvertsToRgba() {
        byte[] p = {0x11, 0x22, 0x33, 0x44};
        assertEquals(0x44112233, PixelFormat.B8G8R8A8_UNORM.rgba(p, 0));
        assertEquals(0xFF112233, PixelFormat.B8G8R8X8_UNORM.rgba(p, 0));
        assertEquals(0x11443322, PixelFormat.A8R8G8B8_UNORM.rgba(p, 0));
        assertEquals(0xFF443322, PixelFormat.X8R8G8B8_UNORM.rgba(p, 0));
        assertEquals(0x44332211, PixelFormat.R8G8B8A8_UNORM.rgba(p, 0));
        assertEquals(0xFF223344, PixelFormat.X8B8G8R8_UNORM.rgba(p, 0));
        assertEquals(0x11223344, PixelFormat.A8B8G8R8_UNORM.rgba(p, 0));
        assertEquals(0xFF332211, PixelFormat.R8G8B8X8_UNORM.rgba(p, 0));
    }

    @Test
    void everyFormatIsAcceptedAndShownOpaque() {
        open();
        int[] formats = {1, 2, 3, 4, 67, 68, 121, 134};
        for (int i = 0; i < formats.length; i++) {
            int id = 10 + i;
            assertEquals(RESP_OK_NODATA, create(id, formats[i], 16, 16), "format " + formats[i]);
            long px = d.put(new byte[16 * 16 * 4]);
            d.write(px, new byte[] {0x11, 0x22, 0x33, 0x44});
            attach(id, px, 16 * 16 * 4);
            transfer(id, 0, 0, 16, 16, 0);
            setScanout(0, id, 0, 0, 16, 16);
            int want = PixelFormat.byId(formats[i]).rgba(new byte[] {0x11, 0x22, 0x33, 0x44}, 0) | 0xFF00_0000;
            assertEquals(want, frames.latest().rgba()[0], "format " + formats[i]);
        }
    }

    // ---- Cursor -------------------------------------------------------------------------------

    void cursorCmd(int type, int x, int y, int id, int hotX, int hotY) {
        ByteBuffer b = hdr(56, type).putInt(0).putInt(x).putInt(y).putInt(0).putInt(id).putInt(hotX).putInt(hotY).putInt(0);
        cursorq.post(out(d.put(b.array()), 56));
        cursorq.kick();
        assertEquals(new Used(cursorq.usedIdx() - 1 & 0xF, 0), cursorq.takeOne());
    }

    @Test
    void cursorUpdateAndMove() {
        open();
        showFramebuffer(32, 32);
        byte[] img = new byte[64 * 64 * 4];
        for (int i = 0; i < 64 * 64; i++) {
            img[i * 4] = (byte) 0xC0; // B
            img[i * 4 + 3] = (byte) (i == 0 ? 0x80 : 0xFF); // A
        }
        long px = d.put(img);
        assertEquals(RESP_OK_NODATA, create(2, PixelFormat.B8G8R8A8_UNORM.id(), 64, 64));
        attach(2, px, img.length);
        transfer(2, 0, 0, 64, 64, 0);
        cursorCmd(CMD_UPDATE_CURSOR, 10, 12, 2, 3, 4);
        Frame f = frames.latest();
        Frame.Cursor c = f.cursor();
        assertEquals(10, c.x());
        assertEquals(12, c.y());
        assertEquals(3, c.hotX());
        assertEquals(4, c.hotY());
        assertNotNull(c.image());
        assertEquals(64 * 64, c.image().length);
        assertEquals(0x80C0_0000, c.image()[0], "alpha kept for the cursor");
        assertEquals(0xFFC0_0000, c.image()[1]);
        assertEquals(expected(5, 5), f.rgba()[5 * 32 + 5], "screen unchanged");

        cursorCmd(CMD_MOVE_CURSOR, 20, 21, 2, 0, 0);
        c = frames.latest().cursor();
        assertEquals(20, c.x());
        assertEquals(21, c.y());
        assertEquals(3, c.hotX(), "move keeps the hot spot");
        assertNotNull(c.image());

        cursorCmd(CMD_UPDATE_CURSOR, 20, 21, 0, 0, 0);
        assertNull(frames.latest().cursor().image(), "resource 0 hides the cursor");
        assertEquals(1, d.reg(INTERRUPT_STATUS) & 1);
    }

    @Test
    void cursorOfWrongSizeKeepsPreviousImage() {
        open();
        showFramebuffer(16, 16);
        create(3, PixelFormat.B8G8R8A8_UNORM.id(), 32, 32);
        cursorCmd(CMD_UPDATE_CURSOR, 1, 1, 3, 0, 0);
        int[] img = frames.latest().cursor().image();
        assertNotNull(img);
        assertEquals(0, img[0], "a fresh cursor is transparent, as QEMU's cursor_alloc");
        cursorCmd(CMD_UPDATE_CURSOR, 1, 1, 99, 0, 0);
        assertNotNull(frames.latest().cursor().image());
    }

    // ---- Errors -------------------------------------------------------------------------------

    @Test
    void resourceIdErrors() {
        open();
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, create(0, PixelFormat.B8G8R8X8_UNORM.id(), 16, 16));
        assertEquals(RESP_OK_NODATA, create(5, PixelFormat.B8G8R8X8_UNORM.id(), 16, 16));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, create(5, PixelFormat.B8G8R8X8_UNORM.id(), 16, 16), "duplicate");
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, unref(6));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, flush(6, 0, 0, 1, 1));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, transfer(6, 0, 0, 1, 1, 0));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, setScanout(0, 6, 0, 0, 16, 16));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, attach(6, d.alloc(64), 64));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, send(hdr(32, CMD_RESOURCE_DETACH_BACKING).putInt(6).putInt(0)));
        assertEquals(0, d.status() & NEEDS_RESET);
    }

    @Test
    void badFormat() {
        open();
        assertEquals(RESP_ERR_INVALID_PARAMETER, create(1, 5, 16, 16));
        assertEquals(RESP_ERR_INVALID_PARAMETER, create(1, 0, 16, 16));
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, unref(1), "not created");
    }

    @Test
    void badRectangles() {
        open();
        showFramebuffer(32, 32);
        assertEquals(RESP_ERR_INVALID_PARAMETER, transfer(1, 0, 0, 33, 1, 0));
        assertEquals(RESP_ERR_INVALID_PARAMETER, transfer(1, 31, 0, 2, 1, 0));
        assertEquals(RESP_ERR_INVALID_PARAMETER, transfer(1, -1, 0, 2, 1, 0), "x wraps in 32 bits in C, not here");
        assertEquals(RESP_ERR_INVALID_PARAMETER, flush(1, 0, 30, 1, 3));
        assertEquals(RESP_ERR_INVALID_PARAMETER, flush(1, 0, 0x7FFF_FFFF, 1, 0x7FFF_FFFF));
        assertEquals(RESP_ERR_INVALID_PARAMETER, setScanout(0, 1, 0, 0, 15, 32), "narrower than 16");
        assertEquals(RESP_ERR_INVALID_PARAMETER, setScanout(0, 1, 20, 0, 16, 16), "past the right edge");
        assertEquals(RESP_OK_NODATA, flush(1, 32, 32, 0, 0), "an empty rectangle at the corner is inside");
    }

    @Test
    void scanoutIdAndBackingErrors() {
        open();
        assertEquals(RESP_ERR_INVALID_SCANOUT_ID, setScanout(1, 0, 0, 0, 16, 16));
        assertEquals(RESP_ERR_INVALID_SCANOUT_ID, setScanout(-1, 0, 0, 0, 16, 16));
        create(1, PixelFormat.B8G8R8X8_UNORM.id(), 16, 16);
        assertEquals(RESP_ERR_UNSPEC, transfer(1, 0, 0, 16, 16, 0), "no backing");
        assertEquals(RESP_ERR_UNSPEC, setScanout(0, 1, 0, 0, 16, 16), "no backing");
        assertEquals(RESP_ERR_UNSPEC, send(hdr(32, CMD_RESOURCE_DETACH_BACKING).putInt(1).putInt(0)), "no backing");
        assertEquals(RESP_OK_NODATA, flush(1, 0, 0, 16, 16), "flush needs no backing");
        assertEquals(RESP_ERR_UNSPEC, attach(1, 0x1000, 1024), "entry outside RAM");
        assertEquals(RESP_ERR_UNSPEC, attach(1, RAM_BASE + RAM_SIZE - 512, 1024), "entry past RAM");
        assertEquals(RESP_OK_NODATA, attach(1, d.alloc(1024), 1024));
        assertEquals(RESP_ERR_UNSPEC, attach(1, d.alloc(1024), 1024), "already attached");
        assertEquals(RESP_OK_NODATA, send(hdr(32, CMD_RESOURCE_DETACH_BACKING).putInt(1).putInt(0)));
        assertEquals(RESP_ERR_UNSPEC, send(hdr(32, CMD_RESOURCE_ATTACH_BACKING).putInt(1).putInt(20000)), "too many entries");
        assertEquals(RESP_ERR_UNSPEC, send(hdr(32, CMD_RESOURCE_ATTACH_BACKING).putInt(1).putInt(3)), "entries missing");
        assertEquals(0, d.status() & NEEDS_RESET);
    }

    @Test
    void shortBackingTransfersWhatThereIs() {
        open();
        create(1, PixelFormat.B8G8R8X8_UNORM.id(), 16, 16);
        long px = d.put(new byte[] {1, 2, 3, 0, 4, 5, 6, 0});
        assertEquals(RESP_OK_NODATA, attach(1, px, 8));
        long before = d.log.count();
        assertEquals(RESP_OK_NODATA, transfer(1, 0, 0, 16, 16, 0), "QEMU copies what the backing has");
        assertTrue(d.log.count() > before);
        setScanout(0, 1, 0, 0, 16, 16);
        assertEquals(0xFF010203, frames.latest().rgba()[0]);
        assertEquals(0xFF040506, frames.latest().rgba()[1]);
        assertEquals(0xFF00_0000, frames.latest().rgba()[2]);
    }

    @Test
    void outOfMemory() {
        open(new VirtioGpu(frames, 1024, 768, 1 << 20));
        assertEquals(RESP_ERR_OUT_OF_MEMORY, create(1, PixelFormat.B8G8R8X8_UNORM.id(), 512, 512), "exactly the bound is refused, as QEMU");
        assertEquals(RESP_OK_NODATA, create(1, PixelFormat.B8G8R8X8_UNORM.id(), 256, 512));
        assertEquals(RESP_ERR_OUT_OF_MEMORY, create(2, PixelFormat.B8G8R8X8_UNORM.id(), 256, 512));
        assertEquals(RESP_ERR_OUT_OF_MEMORY, create(3, PixelFormat.B8G8R8X8_UNORM.id(), 0xFFFF_FFFF, 0xFFFF_FFFF));
        assertEquals(RESP_OK_NODATA, unref(1));
        assertEquals(0, gpu.hostMemory());
        assertEquals(RESP_OK_NODATA, create(2, PixelFormat.B8G8R8X8_UNORM.id(), 256, 512));
    }

    @Test
    void edidDescribesTheDisplayAtItsCurrentSize() {
        open();
        assertEquals(VirtioGpu.RESP_OK_EDID, send(hdr(32, CMD_GET_EDID).putInt(0).putInt(0), 24 + 8 + 1024));
        assertEquals(Edid.SIZE, lastResponse.getInt(24));
        byte[] blob = new byte[Edid.SIZE];
        lastResponse.get(32, blob);
        assertArrayEqualsEdid(Edid.of(1024, 768), blob);
        assertEquals(0, lastResponse.get(32 + Edid.SIZE), "nothing after the base block");
        assertEquals(RESP_ERR_INVALID_PARAMETER, send(hdr(32, CMD_GET_EDID).putInt(1).putInt(0), 24 + 8 + 1024), "scanout 1");
        assertEquals(RESP_ERR_UNSPEC, send(hdr(28, CMD_GET_EDID).putInt(0)), "short body");
    }

    private static void assertArrayEqualsEdid(byte[] expected, byte[] actual) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, "the display's EDID");
    }

    @Test
    void unknownAndBlobCommands() {
        open();
        assertEquals(RESP_ERR_UNSPEC, send(hdr(24, 0x0200)), "3D context command");
        assertEquals(RESP_ERR_UNSPEC, send(hdr(24, 0x7777)));
        assertEquals(RESP_ERR_INVALID_PARAMETER, send(hdr(24, CMD_RESOURCE_CREATE_BLOB)));
        assertEquals(RESP_ERR_UNSPEC, send(le(8).putInt(CMD_GET_DISPLAY_INFO)), "short header");
        assertEquals(RESP_ERR_UNSPEC, send(hdr(28, CMD_RESOURCE_CREATE_2D).putInt(1)), "short body");
        assertEquals(0, d.status() & NEEDS_RESET);
    }

    @Test
    void fenceIsEchoed() {
        open();
        ByteBuffer b = le(24).putInt(CMD_GET_DISPLAY_INFO).putInt(FLAG_FENCE).putLong(0x1234_5678_9ABCL).putInt(7).putInt(0);
        assertEquals(RESP_OK_DISPLAY_INFO, send(b, 408));
        assertEquals(FLAG_FENCE, lastResponse.getInt(4));
        assertEquals(0x1234_5678_9ABCL, lastResponse.getLong(8));
        assertEquals(7, lastResponse.getInt(16));
        send(hdr(24, CMD_GET_DISPLAY_INFO), 408);
        assertEquals(0, lastResponse.getInt(4), "no fence asked, none given");
    }

    @Test
    void shortResponseBufferIsTruncated() {
        open();
        long before = d.log.count();
        assertEquals(RESP_OK_DISPLAY_INFO, send(hdr(24, CMD_GET_DISPLAY_INFO), 24));
        assertTrue(d.log.count() > before);
    }

    @Test
    void unrefOfScanoutResourceBlanksTheDisplay() {
        open();
        showFramebuffer(16, 16);
        assertEquals(RESP_OK_NODATA, unref(1));
        Frame f = frames.latest();
        assertEquals(1024, f.width());
        assertEquals(768, f.height());
        assertEquals(0xFF00_0000, f.rgba()[0]);
        assertEquals(0, gpu.hostMemory());
    }

    @Test
    void setScanoutZeroDisables() {
        open();
        showFramebuffer(16, 16);
        long seq = frames.latest().sequence();
        assertEquals(RESP_OK_NODATA, setScanout(0, 0, 0, 0, 0, 0));
        assertTrue(frames.latest().sequence() > seq);
        assertEquals(1024, frames.latest().width());
        assertEquals(RESP_OK_NODATA, flush(1, 0, 0, 16, 16));
        assertEquals(1024, frames.latest().width(), "flush of a resource not shown publishes nothing");
    }

    // ---- Snapshot -----------------------------------------------------------------------------

    /**
     * The frame on screen is the scanout's picture, so a snapshot holds those pixels once; after a
     * restore the picture (made from the frame when first drawn into) takes a flush of part of the
     * screen exactly as before the save, and the restored frame is the saved one.
     */
    @Test
    void snapshotHoldsTheShownPictureOnceAndDrawsOnAfterARestore() throws Exception {
        open();
        long fb = showFramebuffer(32, 32);
        org.vitrine.emulator.snapshot.Snapshot s = org.vitrine.emulator.snapshot.Snapshot.take(java.util.Map.of(), java.util.List.of(gpu));
        int pixels = 32 * 32 * 4;
        assertTrue(s.size() < 2 * pixels + pixels / 2, "resource and picture, not the frame again: " + s.size() + " bytes");
        int[] saved = frames.latest().rgba().clone();

        d.write(fb, new byte[] {9, 9, 9, 0});  // drawn and shown after the save: the restore takes it back
        transfer(1, 0, 0, 32, 32, 0);
        flush(1, 0, 0, 32, 32);
        s.restore(java.util.List.of(gpu));
        assertArrayEquals(saved, frames.latest().rgba(), "the saved frame is shown again");

        d.write(fb + (5 * 32 + 3) * 4L, new byte[] {-1, -1, -1, 0});
        transfer(1, 0, 0, 32, 32, 0);
        flush(1, 3, 5, 1, 1);
        int[] after = frames.latest().rgba();
        assertEquals(0xFFFF_FFFF, after[5 * 32 + 3], "the flushed pixel");
        assertEquals(saved[0], after[0], "pixel 0, transferred again (9, 9, 9) but not flushed: the restored picture's");
        assertEquals(saved[32 * 32 - 1], after[32 * 32 - 1], "the last pixel: the restored picture's");
        flush(1, 0, 0, 1, 1);
        assertEquals(0xFF09_0909, frames.latest().rgba()[0], "once flushed, pixel 0 shows what was transferred");
    }

    @Test
    void resetDestroysResources() {
        open();
        showFramebuffer(16, 16);
        d.reg(STATUS, 0);
        assertEquals(0, gpu.hostMemory());
        open(gpu);
        assertEquals(RESP_ERR_INVALID_RESOURCE_ID, flush(1, 0, 0, 1, 1));
    }

    @Test
    void malformedControlQueueNeedsReset() {
        open();
        long before = d.log.count();
        ctrl.writeDesc(0, 0x10, 24, 0, 0);
        ctrl.publish(0);
        ctrl.kick();
        assertTrue((d.status() & NEEDS_RESET) != 0);
        assertTrue((d.reg(INTERRUPT_STATUS) & 2) != 0);
        assertTrue(d.log.count() > before);
    }

    @Test
    void responseLayout() {
        open();
        assertEquals(RESP_OK_NODATA, create(1, PixelFormat.R8G8B8A8_UNORM.id(), 1, 1));
        assertEquals(0, lastResponse.getInt(4));
        assertEquals(0, lastResponse.getLong(8));
    }
}
