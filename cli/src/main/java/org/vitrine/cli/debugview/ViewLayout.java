package org.vitrine.cli.debugview;

import java.util.EnumMap;
import java.util.Map;

/**
 * Where everything of the debugger panel goes for a panel of a given size, in panel pixels (origin
 * top left): the tool bar's buttons, the status line, Disassembly and Memory on the left,
 * Registers on the right, then the Console and a tabbed card (Stack, Processes, Breakpoints, Log)
 * side by side, and the command bar across the bottom. Pure, so that tests can find a button the
 * way a user does: by where it is drawn.
 */
public record ViewLayout(int width, int height, Map<Control, Rect> buttons, Rect status, Rect code, Rect memory,
                         Rect registers, Rect console, Rect tabs, Map<Tab, Rect> tabButtons, Rect command) {
    /** The panel's width beside the guest screen. */
    public static final int PANEL_WIDTH = 860;
    public static final int PAD = 8, HEADER = 22, ROW = 16, REG_ROW = 15, CONSOLE_ROW = 15;
    static final int BUTTON_W = 84, BUTTON_H = 36, BUTTON_GAP = 5, STATUS_H = 22, COMMAND_H = 26;
    static final int LEFT_W = 470, BOTTOM_H = 168, TAB_W = 86;

    /** A rectangle; {@code contains} is half-open. */
    public record Rect(int x, int y, int w, int h) {
        public boolean contains(double px, double py) {
            return px >= x && py >= y && px < x + w && py < y + h;
        }

        public int centreX() {
            return x + w / 2;
        }

        public int centreY() {
            return y + h / 2;
        }

        /** The part below the panel's header bar. */
        public Rect body() {
            return new Rect(x, y + HEADER, w, Math.max(0, h - HEADER));
        }
    }

    /** The tool bar's buttons, left to right, with their keys and what they do (the tooltip). */
    public enum Control {
        CONTINUE("Continue", "F5", "run until a breakpoint, watchpoint or catch"),
        PAUSE("Pause", "F6 / F12", "stop the guest where it is"),
        STEP("Step", "F11", "one instruction"),
        STEP_OVER("Over", "F10", "one instruction; a call or system call runs to its return"),
        STEP_OUT("Out", "F8", "run until this function returns to its caller"),
        RUN_TO_CURSOR("Run to", "F4", "run to the selected line"),
        BREAKPOINT("Break", "F9", "toggle a breakpoint on the selected line (or PC)"),
        REVERSE_STEP("Back", "\u21e7F11", "back one instruction: registers and memory as they were"),
        REVERSE_CONTINUE("Reverse", "\u21e7F5", "back to the previous breakpoint or watchpoint hit");

        public final String label, key, help;

        Control(String label, String key, String help) {
            this.label = label;
            this.key = key;
            this.help = help;
        }
    }

    /** The tabs of the card beside the console. */
    public enum Tab {
        STACK("Stack"), PROCESSES("Processes"), BREAKPOINTS("Breakpoints"), LOG("Log");

        public final String label;

        Tab(String label) {
            this.label = label;
        }
    }

    public static ViewLayout of(int width, int height) {
        Map<Control, Rect> buttons = new EnumMap<>(Control.class);
        int x = PAD;
        for (Control c : Control.values()) {
            if (c == Control.REVERSE_STEP) x += 2 * BUTTON_GAP + 2;   // the reverse pair set apart
            buttons.put(c, new Rect(x, PAD, BUTTON_W, BUTTON_H));
            x += BUTTON_W + BUTTON_GAP;
        }
        int top = PAD + BUTTON_H + 6;
        Rect status = new Rect(PAD, top, width - 2 * PAD, STATUS_H);
        top += STATUS_H + 4;
        Rect command = new Rect(PAD, height - PAD - COMMAND_H, width - 2 * PAD, COMMAND_H);
        int bottomH = Math.min(BOTTOM_H, Math.max(HEADER + CONSOLE_ROW * 3, (height - top) / 4));
        int bottomY = command.y() - PAD - bottomH;
        int middle = Math.max(0, bottomY - PAD - top);
        int codeH = middle * 58 / 100;
        int leftW = Math.min(LEFT_W, width * 55 / 100);
        Rect code = new Rect(PAD, top, leftW, codeH);
        Rect memory = new Rect(PAD, top + codeH + PAD, leftW, Math.max(0, middle - codeH - PAD));
        Rect registers = new Rect(PAD + leftW + PAD, top, Math.max(0, width - leftW - 3 * PAD), middle);
        int consoleW = (width - 3 * PAD) * 40 / 100;
        Rect console = new Rect(PAD, bottomY, consoleW, bottomH);
        Rect tabs = new Rect(2 * PAD + consoleW, bottomY, width - 3 * PAD - consoleW, bottomH);
        Map<Tab, Rect> tabButtons = new EnumMap<>(Tab.class);
        int tx = tabs.x() + 4;
        for (Tab t : Tab.values()) {
            tabButtons.put(t, new Rect(tx, tabs.y(), TAB_W, HEADER));
            tx += TAB_W + 2;
        }
        return new ViewLayout(width, height, Map.copyOf(buttons), status, code, memory, registers, console, tabs,
                Map.copyOf(tabButtons), command);
    }

    /** How many rows of {@code rowHeight} fit in a panel's body. */
    public static int rows(Rect panel, int rowHeight) {
        return Math.max(0, (panel.h() - HEADER - 4) / rowHeight);
    }
}
