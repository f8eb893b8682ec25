package org.vitrine.cli.debugview;

import java.util.EnumMap;
import java.util.Map;

/**
 * Where everything of the debugger panel goes for a panel of a given size, in panel pixels (origin
 * top left): the tool bar's buttons, the status line, the Disassembly and Memory panels on the
 * left, Registers on the right, the Console across the bottom. Pure, so that tests can find a
 * button the way a user does: by where it is drawn.
 */
public record ViewLayout(int width, int height, Map<Control, Rect> buttons, Rect status, Rect code, Rect memory,
                         Rect registers, Rect console) {
    /** The panel's width beside the guest screen. */
    public static final int PANEL_WIDTH = 820;
    public static final int PAD = 8, HEADER = 22, ROW = 16, CONSOLE_ROW = 15;
    static final int BUTTON_W = 92, BUTTON_H = 30, BUTTON_GAP = 6, STATUS_H = 22;
    static final int LEFT_W = 470, CONSOLE_H = 150;

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

    /** The tool bar's buttons, left to right, with their keys. */
    public enum Control {
        CONTINUE("Continue", "F5"), PAUSE("Pause", "F6"), STEP("Step", "F11"), STEP_OVER("Over", "F10"),
        RUN_TO_CURSOR("Run to", "F4"), BREAKPOINT("Break", "F9"), REVERSE_STEP("Back", "\u21e7F11"),
        REVERSE_CONTINUE("Reverse", "\u21e7F5");

        public final String label, key;

        Control(String label, String key) {
            this.label = label;
            this.key = key;
        }
    }

    public static ViewLayout of(int width, int height) {
        Map<Control, Rect> buttons = new EnumMap<>(Control.class);
        int x = PAD;
        for (Control c : Control.values()) {
            if (c == Control.REVERSE_STEP) x += 2 * BUTTON_GAP;   // the reverse pair set apart
            buttons.put(c, new Rect(x, PAD, BUTTON_W, BUTTON_H));
            x += BUTTON_W + BUTTON_GAP;
        }
        int top = PAD + BUTTON_H + 4;
        Rect status = new Rect(PAD, top, width - 2 * PAD, STATUS_H);
        top += STATUS_H + 4;
        int consoleH = Math.min(CONSOLE_H, Math.max(HEADER + CONSOLE_ROW * 3, (height - top) / 4));
        int bottom = height - PAD - consoleH - PAD;   // where the middle panels end
        int middle = Math.max(0, bottom - top);
        int codeH = middle * 58 / 100;
        int leftW = Math.min(LEFT_W, width * 57 / 100);
        Rect code = new Rect(PAD, top, leftW, codeH);
        Rect memory = new Rect(PAD, top + codeH + PAD, leftW, Math.max(0, middle - codeH - PAD));
        Rect registers = new Rect(PAD + leftW + PAD, top, Math.max(0, width - leftW - 3 * PAD), middle);
        Rect console = new Rect(PAD, height - PAD - consoleH, width - 2 * PAD, consoleH);
        return new ViewLayout(width, height, Map.copyOf(buttons), status, code, memory, registers, console);
    }

    /** How many rows of {@code rowHeight} fit in a panel's body. */
    public static int rows(Rect panel, int rowHeight) {
        return Math.max(0, (panel.h() - HEADER - 4) / rowHeight);
    }
}
