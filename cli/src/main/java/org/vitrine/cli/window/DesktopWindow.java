package org.vitrine.cli.window;

import static org.lwjgl.glfw.GLFW.*;
import static org.lwjgl.system.MemoryUtil.NULL;

import java.util.Objects;
import java.util.function.Supplier;

import org.lwjgl.glfw.Callbacks;
import org.lwjgl.glfw.GLFWErrorCallback;
import org.lwjgl.opengl.GL;
import org.lwjgl.system.MemoryStack;
import org.vitrine.emulator.display.Frame;
import org.vitrine.emulator.display.FrameExchange;
import org.vitrine.emulator.display.HostInput;

/**
 * The desktop window: shows the newest {@link Frame} of a {@link FrameExchange}, scaled to fit with
 * its aspect ratio kept, the guest cursor on top, and forwards the host's mouse and keyboard to a
 * {@link HostInput} as a tablet and a keyboard.
 *
 * <p><b>Threading.</b> GLFW wants every call on one thread, and on macOS that must be the process's
 * first thread: {@link #open}, {@link #loop} and {@link #close} run on the main thread while the
 * emulation runs on its own. The only methods for other threads are {@link #wake} and
 * {@link #requestClose}.
 *
 * <p><b>Status.</b> A one-line status (the guest errors counted so far) shows in the title bar,
 * "Vitrine - 12 guest errors": seen at a glance, never over the guest's picture, and what the
 * window manager and task bar already show. It is polled {@value #STATUS_CHECKS_PER_SECOND} times
 * a second, so a guest that reports a million errors changes the title a few times a second at most.
 *
 * <p><b>Side panel.</b> A {@link SidePanel} (the debugger view) may take a strip on the right: the
 * window widens by its width, the guest keeps its own part, the strip gets the pointer over it and
 * every key first.
 *
 * <p><b>Cost.</b> The loop sleeps in {@code glfwWaitEventsTimeout(1/60 s)} and draws only when a
 * new frame was published, the cursor changed, or the window was resized or exposed; an idle
 * window costs next to nothing.
 *
 * <pre>{@code
 * try (DesktopWindow w = DesktopWindow.open(frames, input, Options.defaults().withSize(1024, 768))) {
 *     emulation.onFinish(w::requestClose);     // guest powered off: close the window
 *     w.loop(board::powerOff);                 // returns when the window is closed
 * }
 * }</pre>
 */
public final class DesktopWindow implements AutoCloseable {
    /** How the guest picture is scaled. */
    public enum Filter {
        NEAREST, LINEAR,
        /** Nearest at integer scales (sharp 1:1 and HiDPI 2:1), linear otherwise. */
        AUTO
    }

    /**
     * @param title          window title
     * @param width          initial content size in screen coordinates: the guest display size
     * @param height         (clamped to the monitor's work area, aspect kept)
     * @param filter         scaling filter
     * @param hideHostCursor hide the host pointer over the window while the guest shows its own
     */
    public record Options(String title, int width, int height, Filter filter, boolean hideHostCursor) {
        public static final int DEFAULT_WIDTH = 1024, DEFAULT_HEIGHT = 768;

        public Options {
            Objects.requireNonNull(title);
            Objects.requireNonNull(filter);
            if (width <= 0 || height <= 0) throw new IllegalArgumentException("window size " + width + "x" + height);
        }

        public static Options defaults() {
            return new Options("Vitrine", DEFAULT_WIDTH, DEFAULT_HEIGHT, Filter.AUTO, true);
        }

        public Options withSize(int w, int h) {
            return new Options(title, w, h, filter, hideHostCursor);
        }

        public Options withFilter(Filter f) {
            return new Options(title, width, height, f, hideHostCursor);
        }

        public Options withTitle(String t) {
            return new Options(t, width, height, filter, hideHostCursor);
        }
    }

    /** Thrown when no window can be opened (no display, no OpenGL 3.3): callers may fall back to headless. */
    public static final class UnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnavailableException(String message) {
            super(message);
        }
    }

    private static final double WAIT_SECONDS = 1.0 / 60;
    static final int STATUS_CHECKS_PER_SECOND = 4;

    private final FrameExchange frames;
    private final Options options;
    private final InputForwarder forwarder;
    private final Thread owner = Thread.currentThread();
    private final Object lifeLock = new Object();
    private final GLFWErrorCallback errorCallback;
    private final long window;
    private final FrameRenderer renderer;
    private volatile String lastError;        // GLFW's last error message
    private volatile boolean printErrors;     // print GLFW errors once the window exists (before, they end up in the exception)

    private boolean alive;                    // guarded by lifeLock: GLFW initialised and not yet terminated
    private volatile boolean closeRequested;  // set by requestClose, from any thread
    private boolean dirty = true;             // redraw at the next turn of the loop
    private Frame shown;                      // the frame last drawn
    private int guestW, guestH;               // the guest resolution the letterbox is for
    private int winW, winH, fbW, fbH;
    private Letterbox box = new Letterbox(0, 0, 0, 0);
    private boolean hostCursorHidden;
    private volatile Supplier<String> status = () -> "";
    private String shownStatus = "";
    private long nextStatusCheck = System.nanoTime();   // when the loop next polls status
    private SidePanel panel;                  // window thread only
    private int panelW;                       // the strip's width in framebuffer pixels (0: none)
    private boolean panelDirty;
    private boolean pointerInPanel;

    /**
     * Opens a window of the guest display size from the newest frame (or 1024x768 before the
     * first), shows frames until it is closed, then calls {@code onClose} — the emulation powers
     * the guest off — and returns. Call on the main thread.
     */
    public static void run(FrameExchange frames, HostInput input, Runnable onClose) {
        Options o = Options.defaults();
        Frame f = frames.latest();
        if (f != null) o = o.withSize(f.width(), f.height());
        try (DesktopWindow w = open(frames, input, o)) {
            w.loop(onClose);
        }
    }

    /** Opens the window (visible, dark until the first frame). Call on the main thread. */
    public static DesktopWindow open(FrameExchange frames, HostInput input, Options options) {
        return new DesktopWindow(frames, input, options);
    }

    private DesktopWindow(FrameExchange frames, HostInput input, Options options) {
        this.frames = Objects.requireNonNull(frames);
        this.options = Objects.requireNonNull(options);
        this.forwarder = new InputForwarder(Objects.requireNonNull(input));
        configureLwjgl();
        errorCallback = GLFWErrorCallback.create((code, description) -> {
            lastError = GLFWErrorCallback.getDescription(description);
            if (printErrors) System.err.printf("[vitrine] GLFW error 0x%x: %s%n", code, lastError);
        });
        glfwSetErrorCallback(errorCallback);
        choosePlatform();
        if (!glfwInit()) {
            glfwSetErrorCallback(null);
            errorCallback.free();
            throw new UnavailableException("cannot open a window: " + (lastError != null ? lastError : "GLFW failed")
                    + " (is DISPLAY or WAYLAND_DISPLAY set?); use --headless");
        }
        synchronized (lifeLock) {
            alive = true;
        }
        long w = NULL;
        try {
            glfwDefaultWindowHints();
            glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
            glfwWindowHint(GLFW_RESIZABLE, GLFW_TRUE);
            glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
            glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
            glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
            glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
            glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
            int[] size = fitToWorkArea(options.width(), options.height());
            w = glfwCreateWindow(size[0], size[1], options.title(), NULL, NULL);
            if (w == NULL) {
                throw new UnavailableException("cannot open a window with an OpenGL 3.3 core context"
                        + (lastError != null ? ": " + lastError : ""));
            }
            glfwMakeContextCurrent(w);
            GL.createCapabilities();
            glfwSwapInterval(1);
            this.renderer = new FrameRenderer();
        } catch (RuntimeException | Error e) {
            if (w != NULL) glfwDestroyWindow(w);
            terminate();
            throw e;
        }
        this.window = w;
        printErrors = true;
        guestW = options.width();
        guestH = options.height();
        installCallbacks();
        updateGeometry();
        glfwShowWindow(window);
    }

    /**
     * Shows frames until the user closes the window (then calls {@code onClose}, if not null) or
     * {@link #requestClose} is called (then does not). Keys and buttons still held are released
     * towards the guest before returning.
     */
    public void loop(Runnable onClose) {
        checkThread();
        boolean userClosed = false;
        while (true) {
            if (closeRequested) break;
            if (glfwWindowShouldClose(window)) {
                userClosed = true;
                break;
            }
            Frame f = frames.latest();
            if (f != null && f != shown) {
                if (f.width() != guestW || f.height() != guestH) guestResized(f.width(), f.height());
                updateHostCursor(f);
                shown = f;
                dirty = true;
            }
            updateTitle();
            if (panel != null) checkPanel();
            if (dirty) render();
            glfwWaitEventsTimeout(WAIT_SECONDS);
        }
        forwarder.releaseAll();
        glfwHideWindow(window);
        if (userClosed && onClose != null) onClose.run();
    }

    /** Ends {@link #loop} soon (the guest powered off). Any thread. Does not call {@code onClose}. */
    public void requestClose() {
        closeRequested = true;
        wake();
    }

    /**
     * What the title shows after the window's name ("Vitrine - " + status), polled from the window's
     * thread; an empty status leaves the name alone. Any thread.
     */
    public void showStatus(Supplier<String> status) {
        this.status = Objects.requireNonNull(status);
    }

    /** Gives the strip right of the guest to {@code p} (its width may change at any turn of the loop). Window thread. */
    public void attachPanel(SidePanel p) {
        checkThread();
        panel = Objects.requireNonNull(p);
        dirty = true;
    }

    private void checkPanel() {
        int w = panel.width();
        if (w != panelW) {
            panelW = w;
            pointerInPanel = false;
            int[] size = fitToWorkArea(guestW + w, guestH);
            glfwSetWindowSize(window, size[0], size[1]);
            updateGeometry();
            panelDirty = true;
        }
        if (panelW > 0 && panel.dirty()) {
            panelDirty = true;
            dirty = true;
        }
    }

    /** Makes the loop look for a new frame now instead of at its next tick (e.g. after a publish). Any thread. */
    public void wake() {
        synchronized (lifeLock) {
            if (alive) glfwPostEmptyEvent();
        }
    }

    /** Destroys the window and shuts GLFW down. Call on the main thread. */
    @Override
    public void close() {
        checkThread();
        synchronized (lifeLock) {
            if (!alive) return;
        }
        renderer.close();
        GL.setCapabilities(null);
        Callbacks.glfwFreeCallbacks(window);
        glfwDestroyWindow(window);
        terminate();
    }

    /**
     * How many frames were uploaded, their total upload time, how many times the window was drawn,
     * and the {@link Frame#sequence() sequence} of the frame last uploaded (0: none yet).
     */
    public record Stats(long uploads, long uploadNanos, long draws, long shownSequence) {
        public double averageUploadMillis() {
            return uploads == 0 ? 0 : uploadNanos / 1e6 / uploads;
        }
    }

    /** Drawing statistics (readable from any thread). */
    public Stats stats() {
        return new Stats(renderer.uploads(), renderer.uploadNanos(), renderer.draws(), renderer.uploadedSequence());
    }

    /** Tests: what a click on the window's close button does (glfwSetWindowShouldClose is callable from any thread). */
    void simulateUserClose() {
        synchronized (lifeLock) {
            if (!alive) return;
            glfwSetWindowShouldClose(window, true);
            glfwPostEmptyEvent();
        }
    }

    // ------------------------------------------------------------------------------------------

    private void render() {
        renderer.draw(shown, fbW, fbH, box, options.filter());
        int pw = panelWidth();
        if (pw > 0) {
            if (panelDirty || renderer.panelSize(pw, fbH)) renderer.uploadPanel(panel.render(pw, fbH), pw, fbH);
            panelDirty = false;
            renderer.drawPanel(fbW - pw, fbW, fbH);
        }
        glfwSwapBuffers(window);
        dirty = false;
    }

    private void updateTitle() {
        long now = System.nanoTime();
        if (now - nextStatusCheck < 0) return;
        nextStatusCheck = now + 1_000_000_000L / STATUS_CHECKS_PER_SECOND;
        String s = status.get();
        if (s.equals(shownStatus)) return;
        shownStatus = s;
        glfwSetWindowTitle(window, s.isEmpty() ? options.title() : options.title() + " - " + s);
    }

    private void installCallbacks() {
        glfwSetFramebufferSizeCallback(window, (win, w, h) -> guard(this::updateGeometry));
        glfwSetWindowSizeCallback(window, (win, w, h) -> guard(this::updateGeometry));
        glfwSetWindowRefreshCallback(window, win -> dirty = true);
        glfwSetCursorPosCallback(window, (win, x, y) -> guard(() -> pointer(x, y)));
        glfwSetCursorEnterCallback(window, (win, entered) -> {
            if (!entered) guard(() -> {
                forwarder.pointerLeft();
                if (pointerInPanel) panel.pointer(Double.NaN, Double.NaN);
                pointerInPanel = false;
            });
        });
        glfwSetMouseButtonCallback(window, (win, button, action, mods) -> guard(() -> {
            if (pointerInPanel) panel.button(button, action == GLFW_PRESS);
            if (!pointerInPanel || action == GLFW_RELEASE) forwarder.mouseButton(button, action);
        }));
        glfwSetScrollCallback(window, (win, dx, dy) -> guard(() -> {
            if (pointerInPanel) panel.scroll(dy);
            else forwarder.scroll(dy);
        }));
        glfwSetKeyCallback(window, (win, key, scancode, action, mods) -> guard(() -> {
            if (panel == null || !panel.key(key, action, mods)) forwarder.key(key, action);
        }));
        glfwSetCharCallback(window, (win, codepoint) -> guard(() -> {
            if (panel != null) panel.character(codepoint);
        }));
        glfwSetWindowFocusCallback(window, (win, focused) -> {
            if (!focused) guard(forwarder::releaseAll);
        });
    }

    /** The pointer at window coordinates (x, y): over the side panel it is the panel's, else the guest's. */
    private void pointer(double x, double y) {
        int pw = panelWidth();
        double fx = winW > 0 ? x * fbW / winW : x, fy = winH > 0 ? y * fbH / winH : y;
        boolean inPanel = pw > 0 && fx >= fbW - pw;
        if (inPanel) {
            if (!pointerInPanel) forwarder.pointerLeft();
            panel.pointer(fx - (fbW - pw), fy);
        } else {
            if (pointerInPanel) panel.pointer(Double.NaN, Double.NaN);
            forwarder.cursor(x, y);
        }
        pointerInPanel = inPanel;
    }

    private int panelWidth() {
        return panel == null ? 0 : Math.min(panelW, fbW);
    }

    /** A Java exception must not unwind through GLFW's native frames. */
    private static void guard(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            System.err.println("[vitrine] window input: " + e);
        }
    }

    private void updateGeometry() {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            var a = stack.mallocInt(1);
            var b = stack.mallocInt(1);
            glfwGetWindowSize(window, a, b);
            winW = a.get(0);
            winH = b.get(0);
            glfwGetFramebufferSize(window, a, b);
            fbW = a.get(0);
            fbH = b.get(0);
        }
        Letterbox nb = Letterbox.fit(guestW, guestH, Math.max(0, fbW - panelWidth()), fbH);
        forwarder.geometry(winW, winH, fbW, fbH, nb);
        if (!nb.equals(box)) {
            box = nb;
            forwarder.refreshCursor(); // the picture moved under a pointer that did not
        }
        dirty = true;
    }

    /** The guest changed resolution: follow it with the window (as QEMU does), letterboxing meanwhile. */
    private void guestResized(int w, int h) {
        boolean first = shown == null;
        guestW = w;
        guestH = h;
        updateGeometry();
        if (!first || w != options.width() || h != options.height()) {
            int[] size = fitToWorkArea(w + panelW, h);
            glfwSetWindowSize(window, size[0], size[1]);
        }
    }

    private void updateHostCursor(Frame f) {
        boolean hide = options.hideHostCursor() && f.cursor() != null && f.cursor().image() != null;
        if (hide != hostCursorHidden) {
            glfwSetInputMode(window, GLFW_CURSOR, hide ? GLFW_CURSOR_HIDDEN : GLFW_CURSOR_NORMAL);
            hostCursorHidden = hide;
        }
    }

    /** A content size no larger than the primary monitor's work area (minus room for decorations), aspect kept. */
    private static int[] fitToWorkArea(int w, int h) {
        long monitor = glfwGetPrimaryMonitor();
        if (monitor == NULL) return new int[] {w, h};
        int maxW, maxH;
        try (MemoryStack stack = MemoryStack.stackPush()) {
            var x = stack.mallocInt(1);
            var y = stack.mallocInt(1);
            var ww = stack.mallocInt(1);
            var hh = stack.mallocInt(1);
            glfwGetMonitorWorkarea(monitor, x, y, ww, hh);
            maxW = ww.get(0) * 95 / 100;
            maxH = hh.get(0) * 90 / 100;
        }
        if (maxW <= 0 || maxH <= 0 || (w <= maxW && h <= maxH)) return new int[] {w, h};
        Letterbox fit = Letterbox.fit(w, h, maxW, maxH);
        return new int[] {fit.width(), fit.height()};
    }

    private void terminate() {
        synchronized (lifeLock) {
            alive = false;
            glfwTerminate();
        }
        GLFWErrorCallback cb = glfwSetErrorCallback(null);
        if (cb != null) cb.free();
    }

    private void checkThread() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("the window must be driven from the thread that opened it");
        }
    }

    /**
     * GLFW 3.5 prefers Wayland when it is available; without a Wayland compositor (WAYLAND_DISPLAY
     * unset) ask for X11 directly. {@code -Dvitrine.glfw.platform=x11|wayland|any} overrides.
     */
    private static void choosePlatform() {
        String p = System.getProperty("vitrine.glfw.platform", "");
        int hint = switch (p) {
            case "x11" -> GLFW_PLATFORM_X11;
            case "wayland" -> GLFW_PLATFORM_WAYLAND;
            case "any" -> GLFW_ANY_PLATFORM;
            default -> System.getenv("WAYLAND_DISPLAY") == null ? GLFW_PLATFORM_X11 : GLFW_ANY_PLATFORM;
        };
        if (glfwPlatformSupported(hint) || hint == GLFW_ANY_PLATFORM) glfwInitHint(GLFW_PLATFORM, hint);
    }

    /**
     * LWJGL's default memory backend uses sun.misc.Unsafe, which JDK 25 warns about on first use
     * unless started with {@code --sun-misc-unsafe-memory-access=allow}. The window makes a handful
     * of native calls per frame, so the FFM backend costs nothing measurable: choose it unless the
     * user chose otherwise. Must run before any LWJGL class initialises; {@link #open} calls it, and
     * any other LWJGL user (a debugger view) should call it first too.
     */
    public static void configureLwjgl() {
        if (System.getProperty("org.lwjgl.system.memoryBackend") == null) {
            System.setProperty("org.lwjgl.system.memoryBackend", "org.lwjgl.system.MemoryBackendFFM");
        }
    }
}
