package org.vitrine.cli.debugview;

import static org.lwjgl.glfw.GLFW.*;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.vitrine.cli.debugview.DebugController.Command;
import org.vitrine.cli.debugview.ViewLayout.Control;
import org.vitrine.cli.debugview.ViewLayout.Rect;
import org.vitrine.cli.debugview.ViewLayout.Tab;
import org.vitrine.cli.window.SidePanel;

/**
 * The debugger view: the panel beside the guest screen (a {@link SidePanel} of the desktop window)
 * showing a {@link DebugController}'s state and sending it the user's commands, from buttons and
 * keys: F5 continue, F6 pause, F11 step, F10 step over, F8 step out, F4 run to the selected line,
 * F9 toggle a breakpoint there (or click the gutter), Shift+F11 / Shift+F5 reverse step / reverse
 * continue; F12 opens the view and stops the guest, and pauses it once open.
 *
 * <p>Clicks: a disassembly line selects it (run to cursor), the gutter toggles a breakpoint, the
 * wheel scrolls (follow-PC off); a register's value and the memory panel's address take typed hex
 * (Enter sets it, Escape cancels); a memory byte is selected by a click (shift-click extends) and
 * typed over in hex, and the panel's "watch" and "who wrote?" act on the selection; a Stack frame
 * shows its code, a process row toggles "stop when it is scheduled", a Breakpoints row's cross
 * deletes it; the command bar takes {@code vitrine debug --batch}'s language (Up recalls).
 *
 * <p>Drawing is Java2D into an image the window uploads as a texture, only when something changed:
 * a new state, the pointer over something live, typing, the console (at most
 * {@value #CONSOLE_REDRAWS_PER_SECOND} times a second). An idle view costs nothing.
 *
 * <p>Threads: everything runs on the window's thread but {@link #attach}, {@link #detach} and
 * {@link #changed}, which the emulation thread calls.
 */
public final class DebugView implements SidePanel {
    static final int CONSOLE_REDRAWS_PER_SECOND = 5;
    private static final long NONE = 1;   // no selection, no cursor line

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
    private long cursor = NONE;         // the selected line's address
    private boolean follow = true;
    private boolean shift;
    private Tab tab = Tab.STACK;
    private String memoryEdit;          // the address being typed, or null
    private String command;             // the command bar's line, or null (not focused)
    private final List<String> history = new ArrayList<>();
    private int historyAt;
    private String regEdit, regText;    // the register being changed and its typed value
    private long selStart = NONE, selEnd = NONE;
    private int nibble = -1;            // the first hex digit typed over the selected byte
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
        return now - nextConsoleRedraw >= 0 && console.version() != consoleVersion;
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
            send(new Command.ViewSize(ViewLayout.rows(l.code(), ViewLayout.ROW), memoryRows()));
        }
        DebugController c = controller;
        DebugState s = c == null ? null : c.state();
        if (painter == null) painter = new PanelPainter();
        Graphics2D g = image.createGraphics();
        try {
            painter.paint(g, l, s, new PanelPainter.Ui(mouseX, mouseY, cursor, follow, memoryEdit, c != null, console.lines(), tab,
                    command, regEdit, regText, selStart, selEnd, nibble));
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

    private boolean stopped() {
        DebugState s = state();
        return s != null && !s.running();
    }

    // ---- pointer --------------------------------------------------------------------------------

    @Override
    public void pointer(double x, double y) {
        mouseX = x;
        mouseY = y;
        uiChanged = true;   // hover, tooltips; redrawn at the window's pace only while the pointer moves
    }

    @Override
    public void button(int glfwButton, boolean pressed) {
        if (glfwButton != GLFW_MOUSE_BUTTON_LEFT || !pressed) return;
        uiChanged = true;
        for (var e : layout.buttons().entrySet()) {
            if (e.getValue().contains(mouseX, mouseY)) {
                control(e.getKey());
                return;
            }
        }
        boolean inCommand = layout.command().contains(mouseX, mouseY);
        if (!inCommand) command = null;
        if (!PanelPainter.memoryAddressField(layout).contains(mouseX, mouseY)) memoryEdit = null;
        String reg = registerAt(mouseX, mouseY);
        if (reg == null) regEdit = null;
        DebugState s = state();
        if (inCommand) {
            command = command == null ? "" : command;
            historyAt = history.size();
        } else if (PanelPainter.followToggle(layout).contains(mouseX, mouseY)) {
            follow = !follow;
            sendCodeView();
        } else if (PanelPainter.memoryAddressField(layout).contains(mouseX, mouseY)) {
            memoryEdit = "";
        } else if (PanelPainter.physicalToggle(layout).contains(mouseX, mouseY)) {
            if (s != null) send(new Command.ViewMemory(s.memory().address(), !s.memory().physical(), memoryRows()));
            clearSelection();   // the selected addresses were in the other address space
        } else if (PanelPainter.watchButton(layout).contains(mouseX, mouseY)) {
            onSelection("watch 0x%x %d w");
            tab = Tab.BREAKPOINTS;
        } else if (PanelPainter.whoWroteButton(layout).contains(mouseX, mouseY)) {
            onSelection("who-wrote 0x%x %d");
            tab = Tab.LOG;
        } else if (reg != null) {
            if (stopped() && Registers.editable(reg)) {
                regEdit = reg;
                regText = "";
            }
        } else if (layout.code().body().contains(mouseX, mouseY)) {
            clickCode();
        } else if (layout.memory().body().contains(mouseX, mouseY)) {
            clickMemory(s);
        } else {
            for (var t : layout.tabButtons().entrySet()) {
                if (t.getValue().contains(mouseX, mouseY)) tab = t.getKey();
            }
            if (layout.tabs().body().contains(mouseX, mouseY)) clickTabRow(s);
        }
    }

    private String registerAt(double x, double y) {
        if (!layout.registers().body().contains(x, y)) return null;
        for (PanelPainter.RegCell c : PanelPainter.registerCells(layout)) {
            if (c.rect().contains(x, y)) return c.name();
        }
        return null;
    }

    private void clickCode() {
        DebugState s = state();
        if (s == null) return;
        int row = (int) ((mouseY - layout.code().body().y() - 2) / ViewLayout.ROW);
        var rows = PanelPainter.codeRows(s.disassembly(), ViewLayout.rows(layout.code(), ViewLayout.ROW));
        if (row < 0 || row >= rows.size() || rows.get(row).label()) return;
        long address = rows.get(row).line().address();
        if (mouseX < layout.code().x() + 24) {
            if (!s.running()) send(new Command.ToggleBreakpoint(address));   // the gutter
        } else {
            cursor = address;
        }
    }

    private void clickMemory(DebugState s) {
        long a = PanelPainter.memoryByteAt(layout, s, mouseX, mouseY);
        nibble = -1;
        if (a == NONE) {
            clearSelection();
        } else if (shift && selStart != NONE) {
            if (Long.compareUnsigned(a, selStart) < 0) selStart = a;
            else selEnd = a;
        } else {
            selStart = selEnd = a;
        }
    }

    private void clearSelection() {
        selStart = selEnd = NONE;
        nibble = -1;
    }

    /** A command line about the selected bytes (or the first row when none is selected): {@code format} gets address and length. */
    private void onSelection(String format) {
        DebugState s = state();
        if (s == null || s.running() || s.memory().physical()) return;
        long start = selStart == NONE ? s.memory().address() : selStart;
        long length = selStart == NONE ? DebugState.Memory.BYTES_PER_ROW : selEnd - selStart + 1;
        typed(String.format(format, start, length));
    }

    private void clickTabRow(DebugState s) {
        if (s == null) return;
        int row = PanelPainter.tabRowAt(layout, tab, mouseY);
        if (row < 0) return;
        switch (tab) {
            case STACK -> {
                if (row < s.stack().size()) {
                    long pc = s.stack().get(row).pc();
                    cursor = pc;
                    follow = false;
                    sendCodeView(pc - 4L * 4);
                }
            }
            case PROCESSES -> {
                if (row < s.processes().size() && !s.running()) typed("sched " + s.processes().get(row).pid());
            }
            case BREAKPOINTS -> {
                if (row < s.stops().size() && !s.running() && mouseX >= layout.tabs().x() + layout.tabs().w() - 32) {
                    typed(s.stops().get(row).delete());
                }
            }
            case LOG -> { }
        }
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
            send(new Command.ViewMemory(s.memory().address() + (long) lines * DebugState.Memory.BYTES_PER_ROW,
                    s.memory().physical(), memoryRows()));
        }
    }

    // ---- keys and text --------------------------------------------------------------------------

    @Override
    public boolean key(int key, int action, int mods) {
        if (key == GLFW_KEY_LEFT_SHIFT || key == GLFW_KEY_RIGHT_SHIFT) shift = action != GLFW_RELEASE;
        boolean typing = shown && (memoryEdit != null || command != null || regEdit != null || (selStart != NONE && stopped()));
        if (action == GLFW_RELEASE) return shown && (isOurs(key) || typing);
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
        Control c = switch (key) {
            case GLFW_KEY_F5 -> (mods & GLFW_MOD_SHIFT) != 0 ? Control.REVERSE_CONTINUE : Control.CONTINUE;
            case GLFW_KEY_F6 -> Control.PAUSE;
            case GLFW_KEY_F11 -> (mods & GLFW_MOD_SHIFT) != 0 ? Control.REVERSE_STEP : Control.STEP;
            case GLFW_KEY_F10 -> Control.STEP_OVER;
            case GLFW_KEY_F8 -> Control.STEP_OUT;
            case GLFW_KEY_F4 -> Control.RUN_TO_CURSOR;
            case GLFW_KEY_F9 -> Control.BREAKPOINT;
            default -> null;
        };
        if (c != null) {
            control(c);
            return true;
        }
        if (typing) editKey(key);
        return typing;
    }

    private static boolean isOurs(int key) {
        return key == GLFW_KEY_F4 || key == GLFW_KEY_F5 || key == GLFW_KEY_F6 || key == GLFW_KEY_F8 || key == GLFW_KEY_F9
                || key == GLFW_KEY_F10 || key == GLFW_KEY_F11 || key == GLFW_KEY_F12;
    }

    /** Enter, Escape, Backspace and Up/Down for the field being typed in (characters come through {@link #character}). */
    private void editKey(int key) {
        uiChanged = true;
        boolean enter = key == GLFW_KEY_ENTER || key == GLFW_KEY_KP_ENTER;
        boolean escape = key == GLFW_KEY_ESCAPE;
        boolean back = key == GLFW_KEY_BACKSPACE;
        if (memoryEdit != null) {
            if (back && !memoryEdit.isEmpty()) memoryEdit = memoryEdit.substring(0, memoryEdit.length() - 1);
            DebugState s = state();
            if (enter && !memoryEdit.isEmpty() && s != null) {
                send(new Command.ViewMemory(Long.parseUnsignedLong(memoryEdit, 16), s.memory().physical(), memoryRows()));
                clearSelection();
            }
            if (enter || escape) memoryEdit = null;
        } else if (regEdit != null) {
            if (back && !regText.isEmpty()) regText = regText.substring(0, regText.length() - 1);
            if (enter && !regText.isEmpty() && stopped()) send(new Command.SetRegister(regEdit, Long.parseUnsignedLong(regText, 16)));
            if (enter || escape) regEdit = null;
        } else if (command != null) {
            if (back && !command.isEmpty()) command = command.substring(0, command.length() - 1);
            if (key == GLFW_KEY_UP && historyAt > 0) command = history.get(--historyAt);
            if (key == GLFW_KEY_DOWN && historyAt < history.size()) {
                historyAt++;
                command = historyAt == history.size() ? "" : history.get(historyAt);
            }
            if (enter && stopped() && !command.isBlank()) {
                if (history.isEmpty() || !history.getLast().equals(command)) history.add(command);
                historyAt = history.size();
                typed(command);
                tab = Tab.LOG;
                command = "";
            }
            if (escape) command = null;
        } else if (escape) {
            clearSelection();
        } else if (back) {
            nibble = -1;
        }
    }

    @Override
    public boolean character(int codepoint) {
        if (!shown || codepoint < 0x20 || codepoint > 0x7e) return false;
        char ch = (char) codepoint;
        int hex = Character.digit(ch, 16);
        if (memoryEdit != null) {
            if (hex >= 0 && memoryEdit.length() < 16) memoryEdit += Character.toLowerCase(ch);
        } else if (regEdit != null) {
            if (hex >= 0 && regText.length() < 16) regText += Character.toLowerCase(ch);
        } else if (command != null) {
            if (command.length() < 200) command += ch;
        } else if (selStart != NONE && stopped()) {
            if (hex < 0) return false;
            if (nibble < 0) {
                nibble = hex;
            } else {
                DebugState s = state();
                send(new Command.WriteMemory(selStart, new byte[] {(byte) (nibble << 4 | hex)}, s != null && s.memory().physical()));
                nibble = -1;
                selStart = selEnd = selStart + 1;   // on to the next byte, as a hex editor does
            }
        } else {
            return false;
        }
        uiChanged = true;
        return true;
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
            case CONTINUE -> send(new Command.Continue());
            case STEP -> send(new Command.Step());
            case STEP_OVER -> send(new Command.StepOver());
            case STEP_OUT -> send(new Command.StepOut());
            case RUN_TO_CURSOR -> {
                if (cursor != NONE) send(new Command.RunTo(cursor));
            }
            case BREAKPOINT -> send(new Command.ToggleBreakpoint(cursor != NONE ? cursor : s.pc()));
            case REVERSE_STEP -> send(new Command.ReverseStep());
            case REVERSE_CONTINUE -> send(new Command.ReverseContinue());
            case PAUSE -> { }
        }
        if (c != Control.BREAKPOINT && !follow) {
            follow = true;   // executing brings the listing back to PC
            sendCodeView();
        }
    }

    private void typed(String line) {
        send(new Command.Typed(line));
    }

    /** Tells the controller where the listing starts: where the user scrolled, else where it starts now. */
    private void sendCodeView(long start) {
        send(new Command.ViewCode(start, follow));
    }

    private void sendCodeView() {
        DebugState s = state();
        sendCodeView(s == null || s.disassembly().isEmpty() ? 0 : s.disassembly().getFirst().address());
    }

    private int memoryRows() {
        return Math.max(1, ViewLayout.rows(layout.memory(), ViewLayout.ROW) - 1);
    }

    /** Sends a command; the controller's next state (it publishes one after every command) redraws the view. */
    private void send(Command c) {
        DebugController dc = controller;
        if (dc != null) dc.submit(c);
    }
}
