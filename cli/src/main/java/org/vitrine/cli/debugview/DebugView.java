package org.vitrine.cli.debugview;

import static org.lwjgl.glfw.GLFW.*;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.Objects;

import org.vitrine.cli.debugview.ViewLayout.Control;
import org.vitrine.cli.debugview.ViewLayout.Rect;
import org.vitrine.cli.window.SidePanel;

/**
 * The debugger view: the panel beside the guest screen (a {@link SidePanel} of the desktop window)
 * showing a {@link DebugController}'s state and sending it the user's commands, from buttons and
 * keys: F5 continue, F6 pause, F11 step, F10 step over, F4 run to the selected line, F9 toggle a
 * breakpoint there (or click the gutter), Shift+F11 / Shift+F5 reverse step / continue when the
 * engine supports it, F12 opens the view and stops the guest. The disassembly scrolls with the
 * wheel (which turns follow-PC off); the memory address is typed after a click on its field.
 *
 * <p>Drawing is Java2D into an image the window uploads as a texture, only when something changed:
 * a new state, the pointer over a button, the console (at most {@value #CONSOLE_REDRAWS_PER_SECOND}
 * times a second). An idle view costs nothing.
 *
 * <p>Threads: everything runs on the window's thread but {@link #attach}, {@link #detach} and
 * {@link #changed}, which the emulation thread calls.
 */
public final class DebugView implements SidePanel {
    static final int CONSOLE_REDRAWS_PER_SECOND = 5;

    static {
        // Java2D draws into images only; never let it look for a display of its own beside GLFW's.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    private final ConsoleTail console;
    private final Runnable openRequest;
    private PanelPainter painter;      // made at the first render: a run that never opens the view loads no fonts
    private volatile DebugController controller;
    private volatile boolean stateChanged = true;
    private boolean shown;
    private boolean uiChanged = true;
    private long consoleVersion = -1;
    private long nextConsoleRedraw;
    private BufferedImage image;
    private double mouseX = Double.NaN, mouseY = Double.NaN;
    private long cursor = 1;            // the selected line's address (1: none)
    private boolean follow = true;
    private String memoryEdit;          // the address being typed, or null
    private ViewLayout layout = ViewLayout.of(ViewLayout.PANEL_WIDTH, 768);
    private volatile boolean sizeSent;  // the attached controller knows the panels' sizes

    /**
     * @param console     the UART's last lines
     * @param openRequest asks the session to stop the guest and attach a controller (F12); the
     *                    view shows "stopping" until {@link #attach}
     */
    public DebugView(ConsoleTail console, Runnable openRequest) {
        this.console = Objects.requireNonNull(console);
        this.openRequest = Objects.requireNonNull(openRequest);
    }

    /** A controller now serves the view (the guest is stopped); opens the view. Any thread. */
    public void attach(DebugController c) {
        controller = c;
        c.onChange(this::changed);
        sizeSent = false;
        stateChanged = true;
    }

    /** The controller is gone (the machine stopped or reset). Any thread. */
    public void detach() {
        controller = null;
        stateChanged = true;
    }

    /** A new state was published. Any thread. */
    public void changed() {
        stateChanged = true;
    }

    /** Shows the view from the start (--debug). Window thread. */
    public void show() {
        shown = true;
        uiChanged = true;
    }

    @Override
    public int width() {
        return shown ? ViewLayout.PANEL_WIDTH : 0;
    }

    @Override
    public boolean dirty() {
        if (!shown) return false;
        if (stateChanged || uiChanged) return true;
        long now = System.nanoTime();
        if (now - nextConsoleRedraw >= 0 && console.version() != consoleVersion) return true;
        return false;
    }

    @Override
    public int[] render(int width, int height) {
        stateChanged = false;
        uiChanged = false;
        consoleVersion = console.version();
        nextConsoleRedraw = System.nanoTime() + 1_000_000_000L / CONSOLE_REDRAWS_PER_SECOND;
        if (image == null || image.getWidth() != width || image.getHeight() != height) {
            image = new BufferedImage(Math.max(1, width), Math.max(1, height), BufferedImage.TYPE_INT_ARGB);
        }
        ViewLayout l = ViewLayout.of(width, height);
        if (!l.equals(layout) || (!sizeSent && controller != null)) {
            layout = l;
            sizeSent = controller != null;
            send(new DebugController.Command.ViewSize(ViewLayout.rows(l.code(), ViewLayout.ROW), memoryRows()));
        }
        DebugController c = controller;
        DebugState s = c == null ? null : c.state();
        if (painter == null) painter = new PanelPainter();
        Graphics2D g = image.createGraphics();
        try {
            painter.paint(g, l, s, new PanelPainter.Ui(mouseX, mouseY, cursor, follow, memoryEdit, c != null, console.lines()));
        } finally {
            g.dispose();
        }
        return ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
    }

    /** The state shown, or null (tests and the status line). */
    public DebugState state() {
        DebugController c = controller;
        return c == null ? null : c.state();
    }

    // ---- input ----------------------------------------------------------------------------------

    @Override
    public void pointer(double x, double y) {
        boolean overButtonBefore = overButton(mouseX, mouseY);
        mouseX = x;
        mouseY = y;
        if (overButtonBefore || overButton(x, y)) uiChanged = true;   // hover and tooltips
    }

    private boolean overButton(double x, double y) {
        for (Rect r : layout.buttons().values()) {
            if (r.contains(x, y)) return true;
        }
        return false;
    }

    @Override
    public void button(int glfwButton, boolean pressed) {
        if (glfwButton != GLFW_MOUSE_BUTTON_LEFT || !pressed) return;
        for (var e : layout.buttons().entrySet()) {
            if (e.getValue().contains(mouseX, mouseY)) {
                control(e.getKey());
                return;
            }
        }
        if (PanelPainter.followToggle(layout).contains(mouseX, mouseY)) {
            follow = !follow;
            sendCodeView();
        } else if (PanelPainter.memoryAddressField(layout).contains(mouseX, mouseY)) {
            memoryEdit = "";
        } else if (PanelPainter.physicalToggle(layout).contains(mouseX, mouseY)) {
            DebugState s = state();
            if (s != null) send(new DebugController.Command.ViewMemory(s.memory().address(), !s.memory().physical(), memoryRows()));
        } else if (layout.code().body().contains(mouseX, mouseY)) {
            clickCode();
        } else {
            memoryEdit = null;
        }
        uiChanged = true;
    }

    private void clickCode() {
        DebugState s = state();
        if (s == null) return;
        int row = (int) ((mouseY - layout.code().body().y() - 2) / ViewLayout.ROW);
        var rows = PanelPainter.codeRows(s.disassembly(), ViewLayout.rows(layout.code(), ViewLayout.ROW));
        if (row < 0 || row >= rows.size() || rows.get(row).label()) return;
        long address = rows.get(row).line().address();
        if (mouseX < layout.code().x() + 24) send(new DebugController.Command.ToggleBreakpoint(address));   // the gutter
        else cursor = address;
    }

    @Override
    public void scroll(double dy) {
        DebugState s = state();
        if (s == null) return;
        int lines = (int) Math.round(-dy * 3);
        if (lines == 0) return;
        if (layout.code().contains(mouseX, mouseY) && !s.disassembly().isEmpty()) {
            follow = false;
            sendCodeView(s.disassembly().getFirst().address() + 4L * lines);
        } else if (layout.memory().contains(mouseX, mouseY)) {
            send(new DebugController.Command.ViewMemory(s.memory().address() + (long) lines * DebugState.Memory.BYTES_PER_ROW,
                    s.memory().physical(), memoryRows()));
        }
    }

    @Override
    public boolean key(int key, int action, int mods) {
        if (action == GLFW_RELEASE) return shown && (isOurs(key) || memoryEdit != null);
        if (key == GLFW_KEY_F12) {
            if (controller == null) {
                if (!shown) {
                    shown = true;
                    uiChanged = true;
                    openRequest.run();
                }
            } else {
                control(Control.PAUSE);
            }
            return true;
        }
        if (!shown) return false;
        if (memoryEdit != null) {
            editAddress(key);
            return true;
        }
        boolean shift = (mods & GLFW_MOD_SHIFT) != 0;
        Control c = switch (key) {
            case GLFW_KEY_F5 -> shift ? Control.REVERSE_CONTINUE : Control.CONTINUE;
            case GLFW_KEY_F6 -> Control.PAUSE;
            case GLFW_KEY_F11 -> shift ? Control.REVERSE_STEP : Control.STEP;
            case GLFW_KEY_F10 -> Control.STEP_OVER;
            case GLFW_KEY_F4 -> Control.RUN_TO_CURSOR;
            case GLFW_KEY_F9 -> Control.BREAKPOINT;
            default -> null;
        };
        if (c == null) return false;
        control(c);
        return true;
    }

    private static boolean isOurs(int key) {
        return key == GLFW_KEY_F4 || key == GLFW_KEY_F5 || key == GLFW_KEY_F6 || key == GLFW_KEY_F9 || key == GLFW_KEY_F10
                || key == GLFW_KEY_F11 || key == GLFW_KEY_F12;
    }

    private void editAddress(int key) {
        if (key >= GLFW_KEY_0 && key <= GLFW_KEY_9 && memoryEdit.length() < 16) {
            memoryEdit += (char) ('0' + key - GLFW_KEY_0);
        } else if (key >= GLFW_KEY_A && key <= GLFW_KEY_F && memoryEdit.length() < 16) {
            memoryEdit += (char) ('a' + key - GLFW_KEY_A);
        } else if (key == GLFW_KEY_BACKSPACE && !memoryEdit.isEmpty()) {
            memoryEdit = memoryEdit.substring(0, memoryEdit.length() - 1);
        } else if (key == GLFW_KEY_ENTER || key == GLFW_KEY_KP_ENTER) {
            DebugState s = state();
            if (!memoryEdit.isEmpty() && s != null) {
                send(new DebugController.Command.ViewMemory(Long.parseUnsignedLong(memoryEdit, 16), s.memory().physical(), memoryRows()));
            }
            memoryEdit = null;
        } else if (key == GLFW_KEY_ESCAPE) {
            memoryEdit = null;
        }
        uiChanged = true;
    }

    /** What a button or its key does. */
    private void control(Control c) {
        DebugController dc = controller;
        DebugState s = state();
        if (dc == null || s == null) return;
        if (c == Control.PAUSE) {
            dc.pause();
            return;
        }
        if (s.running()) return;   // the others act on a stopped guest
        switch (c) {
            case CONTINUE -> send(new DebugController.Command.Continue());
            case STEP -> send(new DebugController.Command.Step());
            case STEP_OVER -> send(new DebugController.Command.StepOver());
            case RUN_TO_CURSOR -> {
                if (cursor != 1) send(new DebugController.Command.RunTo(cursor));
            }
            case BREAKPOINT -> send(new DebugController.Command.ToggleBreakpoint(cursor != 1 ? cursor : s.pc()));
            case REVERSE_STEP -> {
                if (s.reverseAvailable()) send(new DebugController.Command.ReverseStep());
            }
            case REVERSE_CONTINUE -> {
                if (s.reverseAvailable()) send(new DebugController.Command.ReverseContinue());
            }
            case PAUSE -> { }
        }
        if (c != Control.BREAKPOINT && !follow) {
            follow = true;   // executing brings the listing back to PC
            sendCodeView();
        }
    }

    /** Tells the controller where the listing starts: where the user scrolled, else where it starts now. */
    private void sendCodeView(long start) {
        send(new DebugController.Command.ViewCode(start, follow));
    }

    private void sendCodeView() {
        DebugState s = state();
        sendCodeView(s == null || s.disassembly().isEmpty() ? 0 : s.disassembly().getFirst().address());
    }

    private int memoryRows() {
        return Math.max(1, ViewLayout.rows(layout.memory(), ViewLayout.ROW) - 1);
    }

    /** Sends a command; the controller's next state (it publishes one after every command) redraws the view. */
    private void send(DebugController.Command c) {
        DebugController dc = controller;
        if (dc != null) dc.submit(c);
    }
}
