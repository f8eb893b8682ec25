package org.vitrine.cli.debugview;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

import org.vitrine.cli.debugview.ViewLayout.Control;
import org.vitrine.cli.debugview.ViewLayout.Rect;
import org.vitrine.cli.debugview.ViewLayout.Tab;

/**
 * Draws the debugger panel with Java2D: one dark palette (the window's background, a slightly
 * lighter card per panel, one blue accent for PC and one amber for what changed, red for
 * breakpoints), a monospaced font for data and a sans-serif one for controls, every panel a card
 * with a small-caps header. Draws only; what is shown comes from a {@link DebugState} and the
 * view's {@link Ui} state. The static methods say where the clickable parts are, for the view's
 * hit tests (the same numbers the drawing uses).
 */
final class PanelPainter {
    static final Color BG = new Color(0x121214), CARD = new Color(0x1b1c21), HEADER_BG = new Color(0x23252c),
            TEXT = new Color(0xd8dbe2), DIM = new Color(0x7f8696), FAINT = new Color(0x4a4f5c),
            ACCENT = new Color(0x61afef), PC_ROW = new Color(0x21364f), CHANGED = new Color(0xe5c07b),
            CHANGED_BG = new Color(0x3a3122), BREAK = new Color(0xe06c75), OK = new Color(0x98c379),
            BUTTON = new Color(0x2a2d35), BUTTON_HOVER = new Color(0x363a45), CURSOR_ROW = new Color(0x2a2d35),
            TOOLTIP = new Color(0x30333c), SELECTION = new Color(0x2d4a3a);
    static final Font MONO = new Font(Font.MONOSPACED, Font.PLAIN, 12);
    static final Font SMALL = new Font(Font.MONOSPACED, Font.PLAIN, 10);
    static final Font BOLD = new Font(Font.MONOSPACED, Font.BOLD, 12);
    static final Font SANS = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Font SANS_SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
    private static final int CHAR_W;

    static {
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = scratch.createGraphics();
        CHAR_W = g.getFontMetrics(MONO).charWidth('0');
        g.dispose();
    }

    /**
     * What the view adds to the debugger's state: where the pointer is, the run-to-cursor line,
     * follow-PC, whether a debugger is attached, the console's lines, the tab shown, and the text
     * being typed: the memory address (null: not editing), the command bar's line (null: not
     * focused), a register's new value ({@code regEdit} its name, null: none). {@code selStart..selEnd}
     * is the memory selection (inclusive; selStart 1 = none), {@code nibble} the half-typed byte (-1: none).
     */
    record Ui(double mouseX, double mouseY, long cursor, boolean follow, String memoryEdit, boolean attached,
              List<String> console, Tab tab, String command, String regEdit, String regText, long selStart, long selEnd,
              int nibble) {
        static Ui idle(List<String> console) {
            return new Ui(Double.NaN, Double.NaN, 1, true, null, true, console, Tab.STACK, null, null, null, 1, 1, -1);
        }
    }

    /** A row of the disassembly: a symbol's label, or an instruction. */
    record CodeRow(DebugState.Line line, boolean label) { }

    /** The rows the disassembly shows: each instruction, preceded by a label row where a symbol starts. */
    static List<CodeRow> codeRows(List<DebugState.Line> lines, int max) {
        List<CodeRow> rows = new ArrayList<>();
        for (DebugState.Line l : lines) {
            if (rows.size() >= max) break;
            if (l.label() != null && !rows.isEmpty()) rows.add(new CodeRow(l, true));
            if (rows.size() < max) rows.add(new CodeRow(l, false));
        }
        return rows;
    }

    // ---- where the clickable parts are -------------------------------------------------------------

    static Rect followToggle(ViewLayout l) {
        return new Rect(l.code().x() + l.code().w() - 86, l.code().y() + 3, 80, ViewLayout.HEADER - 6);
    }

    static Rect memoryAddressField(ViewLayout l) {
        return new Rect(l.memory().x() + 70, l.memory().y() + 3, 136, ViewLayout.HEADER - 6);
    }

    static Rect watchButton(ViewLayout l) {
        return new Rect(l.memory().x() + 212, l.memory().y() + 3, 56, ViewLayout.HEADER - 6);
    }

    static Rect whoWroteButton(ViewLayout l) {
        return new Rect(l.memory().x() + 272, l.memory().y() + 3, 76, ViewLayout.HEADER - 6);
    }

    static Rect physicalToggle(ViewLayout l) {
        return new Rect(l.memory().x() + l.memory().w() - 80, l.memory().y() + 3, 74, ViewLayout.HEADER - 6);
    }

    /** The first memory row's top (under the translation line). */
    private static int memoryTop(ViewLayout l) {
        return l.memory().body().y() + 2 + ViewLayout.ROW;
    }

    private static int byteX(ViewLayout l, int i) {
        return l.memory().x() + 10 + CHAR_W * (18 + 3 * i + (i > 3 ? 1 : 0));
    }

    /** The address of the memory byte drawn at (x, y), or 1 (none). */
    static long memoryByteAt(ViewLayout l, DebugState s, double x, double y) {
        if (s == null || !l.memory().body().contains(x, y) || y < memoryTop(l)) return 1;
        int row = (int) ((y - memoryTop(l)) / ViewLayout.ROW);
        if (row >= s.memory().rows().size()) return 1;
        for (int i = 0; i < DebugState.Memory.BYTES_PER_ROW; i++) {
            if (x >= byteX(l, i) - 2 && x < byteX(l, i) + 2 * CHAR_W + 2) {
                return s.memory().address() + (long) row * DebugState.Memory.BYTES_PER_ROW + i;
            }
        }
        return 1;
    }

    /** A register's place in the Registers panel. */
    record RegCell(String name, Rect rect) { }

    /** Where each register is drawn: x0..x15 left, x16..x30 and sp right, then pc, cpsr and the system registers. */
    static List<RegCell> registerCells(ViewLayout l) {
        Rect body = l.registers().body();
        List<RegCell> cells = new ArrayList<>();
        int colW = (body.w() - 16) / 2;
        int y = body.y() + 2;
        for (int i = 0; i < 16; i++) {
            cells.add(new RegCell("x" + i, new Rect(body.x() + 4, y, colW, ViewLayout.REG_ROW)));
            cells.add(new RegCell(i == 15 ? "sp" : "x" + (i + 16), new Rect(body.x() + 12 + colW, y, colW, ViewLayout.REG_ROW)));
            y += ViewLayout.REG_ROW;
        }
        y += 4;
        cells.add(new RegCell("pc", new Rect(body.x() + 4, y, body.w() - 8, ViewLayout.REG_ROW)));
        y += ViewLayout.REG_ROW;
        cells.add(new RegCell("cpsr", new Rect(body.x() + 4, y, body.w() - 8, ViewLayout.REG_ROW)));
        y += ViewLayout.REG_ROW + 6;
        for (String name : Registers.SYSTEM) {
            cells.add(new RegCell(name, new Rect(body.x() + 4, y, body.w() - 8, ViewLayout.REG_ROW)));
            y += ViewLayout.REG_ROW;
        }
        return cells;
    }

    /** The tab card's rows (Stack frames, processes, rules, log lines) start here. */
    static int tabRowsTop(ViewLayout l) {
        return l.tabs().body().y() + 4;
    }

    /** The row of the tab card at y (-1: none); the Processes tab has a column header first. */
    static int tabRowAt(ViewLayout l, Tab tab, double y) {
        int top = tabRowsTop(l) + (tab == Tab.PROCESSES ? ViewLayout.ROW : 0);
        if (y < top || y >= l.tabs().y() + l.tabs().h()) return -1;
        return (int) ((y - top) / ViewLayout.ROW);
    }

    // ---- drawing ---------------------------------------------------------------------------------

    void paint(Graphics2D g, ViewLayout l, DebugState s, Ui ui) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_OFF);
        g.setColor(BG);
        g.fillRect(0, 0, l.width(), l.height());
        boolean stopped = ui.attached() && s != null && !s.running();
        for (Control c : Control.values()) {
            boolean enabled = ui.attached() && s != null && (c == Control.PAUSE ? s.running() : stopped);
            button(g, l.buttons().get(c), c, enabled, ui);
        }
        status(g, l.status(), s, ui);
        code(g, l, s, ui);
        memory(g, l, s, ui);
        registers(g, l, s, ui);
        console(g, l.console(), ui.console());
        tabs(g, l, s, ui);
        command(g, l.command(), ui, stopped);
        tooltip(g, l, ui);
    }

    private void button(Graphics2D g, Rect r, Control c, boolean enabled, Ui ui) {
        boolean hover = enabled && r.contains(ui.mouseX(), ui.mouseY());
        g.setColor(hover ? BUTTON_HOVER : BUTTON);
        g.fill(new RoundRectangle2D.Float(r.x(), r.y(), r.w(), r.h(), 8, 8));
        int ix = r.x() + 9, cy = r.centreY();
        g.setColor(enabled ? iconColour(c) : FAINT);
        g.fill(icon(c, ix, cy));
        g.setFont(SANS);
        g.setColor(enabled ? TEXT : FAINT);
        g.drawString(c.label, ix + 16, r.y() + 16);
        g.setFont(SANS_SMALL);
        g.setColor(enabled ? DIM : FAINT);
        g.drawString(c.key, ix + 16, r.y() + 29);
    }

    private static Color iconColour(Control c) {
        return switch (c) {
            case CONTINUE -> OK;
            case PAUSE -> CHANGED;
            case BREAKPOINT -> BREAK;
            case REVERSE_STEP, REVERSE_CONTINUE -> new Color(0xc678dd);
            default -> ACCENT;
        };
    }

    /** A small glyph per control, drawn rather than taken from a font that may lack it. */
    private static Shape icon(Control c, int x, int cy) {
        Path2D.Float p = new Path2D.Float();
        switch (c) {
            case CONTINUE -> triangle(p, x, cy, 5, 1);
            case PAUSE -> {
                p.append(new java.awt.Rectangle(x, cy - 5, 3, 10), false);
                p.append(new java.awt.Rectangle(x + 5, cy - 5, 3, 10), false);
            }
            case STEP -> {
                p.append(new java.awt.Rectangle(x, cy - 1, 5, 2), false);
                triangle(p, x + 5, cy, 4, 1);
            }
            case STEP_OVER -> {   // an arc over a dot: over the call
                p.append(new java.awt.Rectangle(x, cy - 5, 9, 2), false);
                p.append(new java.awt.Rectangle(x, cy - 5, 2, 5), false);
                triangle(p, x + 7, cy - 1, 3, 0);
                p.append(new Ellipse2D.Float(x + 2, cy + 2, 4, 4), false);
            }
            case STEP_OUT -> {   // an arrow up out of a box
                p.append(new java.awt.Rectangle(x + 3, cy - 2, 2, 7), false);
                p.moveTo(x, cy - 1);
                p.lineTo(x + 4, cy - 6);
                p.lineTo(x + 8, cy - 1);
                p.closePath();
            }
            case RUN_TO_CURSOR -> {
                triangle(p, x, cy, 4, 1);
                p.append(new java.awt.Rectangle(x + 6, cy - 5, 2, 10), false);
            }
            case BREAKPOINT -> p.append(new Ellipse2D.Float(x, cy - 4, 8, 8), false);
            case REVERSE_STEP -> {
                triangle(p, x + 4, cy, 4, -1);
                p.append(new java.awt.Rectangle(x + 4, cy - 1, 5, 2), false);
            }
            case REVERSE_CONTINUE -> {
                triangle(p, x + 4, cy, 4, -1);
                triangle(p, x + 9, cy, 4, -1);
            }
        }
        return p;
    }

    /** A triangle pointing right (dir 1), left (-1) or down (0), its base at x. */
    private static void triangle(Path2D.Float p, int x, int cy, int size, int dir) {
        if (dir == 0) {
            p.moveTo(x - size, cy);
            p.lineTo(x + size, cy);
            p.lineTo(x, cy + size);
        } else {
            p.moveTo(x, cy - size);
            p.lineTo(x + size * dir, cy);
            p.lineTo(x, cy + size);
        }
        p.closePath();
    }

    private void status(Graphics2D g, Rect r, DebugState s, Ui ui) {
        g.setColor(CARD);
        g.fill(new RoundRectangle2D.Float(r.x(), r.y(), r.w(), r.h(), 8, 8));
        int y = r.y() + 15;
        String state;
        Color dot;
        if (!ui.attached()) {
            state = "stopping the guest\u2026";
            dot = CHANGED;
        } else if (s == null || s.running()) {
            state = s == null ? "running" : s.status();
            dot = OK;
        } else {
            state = s.status().startsWith("stopped") ? s.status() : "stopped: " + s.status();
            dot = BREAK;
        }
        g.setColor(dot);
        g.fill(new Ellipse2D.Float(r.x() + 8, y - 8, 9, 9));
        g.setFont(MONO);
        String right = s == null ? "" : String.format("%s \u00b7 pc %x \u00b7 %,d insns \u00b7 %,d cycles", s.where(), s.pc(),
                s.instructions(), s.cycles());
        int rightW = g.getFontMetrics().stringWidth(right);
        g.setColor(TEXT);
        g.setFont(SANS);
        drawClipped(g, state, r.x() + 24, y, r.w() - rightW - 40);
        g.setFont(MONO);
        g.setColor(DIM);
        g.drawString(right, r.x() + r.w() - rightW - 10, y);
    }

    /** Draws {@code text} cut with an ellipsis to {@code maxW} pixels. */
    private static void drawClipped(Graphics2D g, String text, int x, int y, int maxW) {
        FontMetrics fm = g.getFontMetrics();
        if (fm.stringWidth(text) > maxW) {
            while (!text.isEmpty() && fm.stringWidth(text + "\u2026") > maxW) text = text.substring(0, text.length() - 1);
            text += "\u2026";
        }
        g.drawString(text, x, y);
    }

    /** A panel's card: its title in small capitals, then {@code detail} (a symbol: case kept). */
    private Rect card(Graphics2D g, Rect r, String title, String detail) {
        g.setColor(CARD);
        g.fill(new RoundRectangle2D.Float(r.x(), r.y(), r.w(), r.h(), 8, 8));
        g.setColor(HEADER_BG);
        g.fill(new RoundRectangle2D.Float(r.x(), r.y(), r.w(), ViewLayout.HEADER, 8, 8));
        g.fillRect(r.x(), r.y() + ViewLayout.HEADER - 6, r.w(), 6);
        if (!title.isEmpty()) {
            g.setFont(SANS_SMALL);
            g.setColor(DIM);
            String caps = title.toUpperCase();
            g.drawString(caps, r.x() + 10, r.y() + 15);
            if (!detail.isEmpty()) {
                int x = r.x() + 18 + g.getFontMetrics().stringWidth(caps);
                g.setFont(MONO);
                g.setColor(ACCENT);
                drawClipped(g, detail, x, r.y() + 15, r.w() - (x - r.x()) - 94);
            }
        }
        return r.body();
    }

    /** A small header button: {@code on} shows it selected (accent). */
    private void chip(Graphics2D g, Rect r, String label, boolean on, boolean enabled, Ui ui) {
        boolean hover = enabled && r.contains(ui.mouseX(), ui.mouseY());
        g.setColor(on ? PC_ROW : hover ? BUTTON_HOVER : BUTTON);
        g.fill(new RoundRectangle2D.Float(r.x(), r.y(), r.w(), r.h(), 6, 6));
        g.setFont(SANS_SMALL);
        g.setColor(!enabled ? FAINT : on ? ACCENT : TEXT);
        g.drawString(label, r.x() + (r.w() - g.getFontMetrics().stringWidth(label)) / 2, r.y() + r.h() - 5);
    }

    private void code(Graphics2D g, ViewLayout l, DebugState s, Ui ui) {
        String where = s == null || s.disassembly().isEmpty() ? "" : currentSymbol(s);
        Rect body = card(g, l.code(), "Disassembly", where);
        chip(g, followToggle(l), "follow PC", ui.follow(), true, ui);
        if (s == null) return;
        Shape clip = g.getClip();
        g.clipRect(body.x(), body.y(), body.w(), body.h());
        int y = body.y() + 2;
        g.setFont(MONO);
        FontMetrics fm = g.getFontMetrics();
        long pc = s.pc();
        for (CodeRow row : codeRows(s.disassembly(), ViewLayout.rows(l.code(), ViewLayout.ROW))) {
            DebugState.Line line = row.line();
            int base = y + 12;
            if (row.label()) {
                g.setColor(ACCENT);
                g.setFont(BOLD);
                drawClipped(g, line.label() + ":", body.x() + 28, base, body.w() - 36);
                g.setFont(MONO);
                y += ViewLayout.ROW;
                continue;
            }
            boolean isPc = line.address() == pc;
            if (isPc) {
                g.setColor(s.running() ? CURSOR_ROW : PC_ROW);
                g.fillRect(body.x(), y, body.w(), ViewLayout.ROW);
            } else if (line.address() == ui.cursor()) {
                g.setColor(CURSOR_ROW);
                g.fillRect(body.x(), y, body.w(), ViewLayout.ROW);
            }
            if (s.breakpoints().contains(line.address())) {
                g.setColor(BREAK);
                g.fill(new Ellipse2D.Float(body.x() + 6, y + 4, 9, 9));
            }
            if (isPc) {
                g.setColor(ACCENT);
                Path2D.Float p = new Path2D.Float();
                triangle(p, body.x() + 18, y + 8, 4, 1);
                g.fill(p);
            }
            int x = body.x() + 28;
            g.setColor(isPc ? TEXT : DIM);
            g.drawString(String.format("%016x", line.address()), x, base);
            x += fm.stringWidth("0000000000000000  ");
            g.setColor(FAINT);
            g.drawString(String.format("%08x", line.word()), x, base);
            x += fm.stringWidth("00000000  ");
            g.setColor(line.mnemonic().startsWith(".") ? BREAK : isPc ? CHANGED : ACCENT);
            g.drawString(line.mnemonic(), x, base);
            x += fm.stringWidth("0000000 ");
            g.setColor(TEXT);
            g.drawString(line.operands(), x, base);
            y += ViewLayout.ROW;
        }
        g.setClip(clip);
    }

    private static String currentSymbol(DebugState s) {
        for (DebugState.Line line : s.disassembly()) {
            if (line.address() == s.pc()) return line.where() == null ? "" : line.where();
        }
        return "";
    }

    private void memory(Graphics2D g, ViewLayout l, DebugState s, Ui ui) {
        Rect body = card(g, l.memory(), "Memory", "");
        Rect field = memoryAddressField(l);
        boolean editing = ui.memoryEdit() != null;
        g.setColor(editing ? BG : BUTTON);
        g.fill(new RoundRectangle2D.Float(field.x(), field.y(), field.w(), field.h(), 6, 6));
        if (editing) {
            g.setColor(ACCENT);
            g.draw(new RoundRectangle2D.Float(field.x(), field.y(), field.w() - 1, field.h() - 1, 6, 6));
        }
        g.setFont(MONO);
        g.setColor(editing ? TEXT : DIM);
        String text = editing ? ui.memoryEdit() + "_" : s == null ? "" : String.format("%016x", s.memory().address());
        g.drawString(text, field.x() + 6, field.y() + field.h() - 4);
        boolean stopped = s != null && !s.running();
        boolean virtual = s != null && !s.memory().physical();
        chip(g, watchButton(l), "watch", false, stopped && virtual, ui);
        chip(g, whoWroteButton(l), "who wrote?", false, stopped && virtual, ui);
        chip(g, physicalToggle(l), s != null && s.memory().physical() ? "physical" : "virtual", true, true, ui);
        if (s == null) return;
        DebugState.Memory m = s.memory();
        Shape clip = g.getClip();
        g.clipRect(body.x(), body.y(), body.w(), body.h());
        FontMetrics fm = g.getFontMetrics(MONO);
        g.setFont(SMALL);
        g.setColor(DIM);
        String sel = ui.selStart() == 1 ? "click a byte, type hex"
                : String.format("selected 0x%x, %d byte%s", ui.selStart(), ui.selEnd() - ui.selStart() + 1,
                ui.selEnd() == ui.selStart() ? "" : "s");
        int selW = g.getFontMetrics().stringWidth(sel);
        drawClipped(g, m.translation(), body.x() + 10, body.y() + 13, body.w() - selW - 36);
        g.setColor(ui.selStart() == 1 ? FAINT : CHANGED);
        g.drawString(sel, body.x() + body.w() - selW - 10, body.y() + 13);
        int y = memoryTop(l);
        g.setFont(MONO);
        int rows = Math.min(m.rows().size(), ViewLayout.rows(l.memory(), ViewLayout.ROW) - 1);
        for (int r = 0; r < rows; r++) {
            byte[] b = m.rows().get(r);
            int base = y + 12;
            long rowAddress = m.address() + (long) r * DebugState.Memory.BYTES_PER_ROW;
            g.setColor(DIM);
            g.drawString(String.format("%016x", rowAddress), body.x() + 10, base);
            StringBuilder ascii = new StringBuilder();
            for (int i = 0; i < DebugState.Memory.BYTES_PER_ROW; i++) {
                int x = byteX(l, i);
                long a = rowAddress + i;
                boolean selected = ui.selStart() != 1 && Long.compareUnsigned(a, ui.selStart()) >= 0 && Long.compareUnsigned(a, ui.selEnd()) <= 0;
                if (selected) {
                    g.setColor(SELECTION);
                    g.fillRect(x - 2, y + 1, 2 * CHAR_W + 4, ViewLayout.ROW - 2);
                }
                if (a == ui.selStart() && ui.nibble() >= 0) {
                    g.setColor(CHANGED);
                    g.drawString(Integer.toHexString(ui.nibble()) + "_", x, base);
                    ascii.append('.');
                } else if (i < b.length) {
                    int v = b[i] & 0xff;
                    g.setColor(v == 0 && !selected ? FAINT : TEXT);
                    g.drawString(String.format("%02x", v), x, base);
                    ascii.append(v >= 0x20 && v < 0x7f ? (char) v : '.');
                } else {
                    g.setColor(FAINT);
                    g.drawString("??", x, base);
                    ascii.append(' ');
                }
            }
            g.setColor(OK);
            g.drawString(ascii.toString(), byteX(l, DebugState.Memory.BYTES_PER_ROW) + fm.stringWidth(" "), base);
            y += ViewLayout.ROW;
        }
        g.setClip(clip);
    }

    private void registers(Graphics2D g, ViewLayout l, DebugState s, Ui ui) {
        Rect body = card(g, l.registers(), "Registers", "");
        g.setFont(SANS_SMALL);
        g.setColor(FAINT);
        String hint = "click a value to change it";
        g.drawString(hint, l.registers().x() + l.registers().w() - g.getFontMetrics().stringWidth(hint) - 10, l.registers().y() + 15);
        if (s == null) return;
        Shape clip = g.getClip();
        g.clipRect(body.x(), body.y(), body.w(), body.h());
        g.setFont(MONO);
        FontMetrics fm = g.getFontMetrics();
        Registers regs = s.regs();
        List<RegCell> cells = registerCells(l);
        int systemTop = Integer.MAX_VALUE;
        for (RegCell c : cells) {
            String name = c.name();
            boolean general = !Registers.SYSTEM.contains(name);
            if (!general) systemTop = Math.min(systemTop, c.rect().y());
            int nameCols = general && !name.equals("cpsr") ? 4 : 10;
            boolean editing = name.equals(ui.regEdit());
            reg(g, fm, c, name.equals("cpsr") ? "pstate" : name, regs.get(name), s.changed().contains(name), editing ? ui.regText() : null,
                    nameCols, !s.running() && Registers.editable(name) && c.rect().contains(ui.mouseX(), ui.mouseY()));
            String note = switch (name) {
                case "cpsr" -> Registers.describePstate(regs.get(name));
                case "ttbr0_el1", "ttbr1_el1" -> "asid " + (regs.get(name) >>> 48);
                case "esr_el1" -> Registers.exceptionClass((int) (regs.get(name) >>> 26) & 0x3f);
                case "spsr_el1" -> Registers.describePstate(regs.get(name)).substring(0, 4);
                case "sctlr_el1" -> Registers.describeSctlr(regs.get(name));
                case "tcr_el1" -> Registers.describeTcr(regs.get(name));
                default -> "";
            };
            if (!note.isEmpty()) {
                g.setColor(name.equals("cpsr") ? ACCENT : DIM);
                g.setFont(name.equals("cpsr") ? MONO : SMALL);
                g.drawString(note, c.rect().x() + 4 + fm.stringWidth("ttbr0_el1 0000000000000000  "), c.rect().y() + 12);
                g.setFont(MONO);
            }
        }
        g.setColor(HEADER_BG);
        if (systemTop != Integer.MAX_VALUE) g.fillRect(body.x() + 8, systemTop - 4, body.w() - 16, 1);
        g.setClip(clip);
    }

    /**
     * One register: name dim, value bright; amber on an amber-tinted block when the last step
     * changed it; an edit field with the typed digits when being changed; a faint outline on hover.
     */
    private void reg(Graphics2D g, FontMetrics fm, RegCell cell, String label, long v, boolean hot, String typed, int nameCols,
                     boolean hover) {
        int x = cell.rect().x() + 4, y = cell.rect().y();
        String value = label.equals("pstate") ? String.format("%08x", v) : String.format("%016x", v);
        int vx = x + fm.stringWidth("0".repeat(nameCols));
        if (typed != null) {
            g.setColor(BG);
            g.fillRect(vx - 3, y, fm.stringWidth("0".repeat(16)) + 6, ViewLayout.REG_ROW);
            g.setColor(ACCENT);
            g.drawRect(vx - 3, y, fm.stringWidth("0".repeat(16)) + 5, ViewLayout.REG_ROW - 1);
        } else if (hot) {
            g.setColor(CHANGED_BG);
            g.fillRect(vx - 3, y + 1, fm.stringWidth(value) + 6, ViewLayout.REG_ROW - 2);
        } else if (hover) {
            g.setColor(BUTTON);
            g.fillRect(vx - 3, y + 1, fm.stringWidth(value) + 6, ViewLayout.REG_ROW - 2);
        }
        g.setColor(DIM);
        g.drawString(label, x, y + 12);
        if (typed != null) {
            g.setColor(TEXT);
            g.drawString(typed + "_", vx, y + 12);
            return;
        }
        g.setColor(hot ? CHANGED : v == 0 ? FAINT : TEXT);
        g.drawString(value, vx, y + 12);
    }

    private void console(Graphics2D g, Rect r, List<String> lines) {
        Rect body = card(g, r, "Console", "");
        Shape clip = g.getClip();
        g.clipRect(body.x(), body.y(), body.w(), body.h());
        g.setFont(MONO);
        int n = Math.max(0, (body.h() - 4) / ViewLayout.CONSOLE_ROW);
        List<String> rows = ConsoleTail.wrap(lines, (body.w() - 20) / CHAR_W);   // long lines go on below, none is cut
        int from = Math.max(0, rows.size() - n);
        int y = body.y() + 2;
        g.setColor(TEXT);
        for (int i = from; i < rows.size(); i++) {
            g.drawString(rows.get(i), body.x() + 10, y + 12);
            y += ViewLayout.CONSOLE_ROW;
        }
        g.setClip(clip);
    }

    private void tabs(Graphics2D g, ViewLayout l, DebugState s, Ui ui) {
        Rect body = card(g, l.tabs(), "", "");
        for (Tab t : Tab.values()) {
            Rect r = l.tabButtons().get(t);
            boolean on = t == ui.tab();
            if (on) {
                g.setColor(CARD);
                g.fill(new RoundRectangle2D.Float(r.x(), r.y() + 3, r.w(), r.h() - 3, 6, 6));
                g.fillRect(r.x(), r.y() + r.h() - 4, r.w(), 4);
                g.setColor(ACCENT);
                g.fillRect(r.x() + 8, r.y() + 3, r.w() - 16, 2);
            }
            g.setFont(SANS_SMALL);
            g.setColor(on ? TEXT : r.contains(ui.mouseX(), ui.mouseY()) ? TEXT : DIM);
            String label = t.label.toUpperCase() + count(t, s);
            g.drawString(label, r.x() + (r.w() - g.getFontMetrics().stringWidth(label)) / 2, r.y() + 15);
        }
        if (s == null) return;
        Shape clip = g.getClip();
        g.clipRect(body.x(), body.y(), body.w(), body.h());
        int x = body.x() + 10, y = tabRowsTop(l);
        int rows = (body.y() + body.h() - y) / ViewLayout.ROW;
        g.setFont(MONO);
        switch (ui.tab()) {
            case STACK -> {
                if (s.stack().isEmpty()) empty(g, x, y, "no frames");
                for (int i = 0; i < Math.min(rows, s.stack().size()); i++) {
                    DebugState.Frame f = s.stack().get(i);
                    hoverRow(g, l, y, ui);
                    g.setColor(DIM);
                    g.drawString(String.format("#%-2d", f.level()), x, y + 12);
                    g.setColor(i == 0 ? TEXT : DIM);
                    g.drawString(String.format("%016x", f.pc()), x + 4 * CHAR_W, y + 12);
                    g.setColor(f.where().startsWith("0x") ? FAINT : ACCENT);
                    drawClipped(g, f.where(), x + 22 * CHAR_W, y + 12, body.w() - 22 * CHAR_W - 20);
                    y += ViewLayout.ROW;
                }
            }
            case PROCESSES -> {
                g.setFont(SANS_SMALL);
                g.setColor(FAINT);
                g.drawString("PID", x + 16, y + 11);
                g.drawString("NAME", x + 16 + 5 * CHAR_W, y + 11);
                g.drawString("STATE", x + 16 + 22 * CHAR_W, y + 11);
                g.drawString("CPU", x + 16 + 33 * CHAR_W, y + 11);
                String hint = "click: stop when scheduled";
                g.drawString(hint, body.x() + body.w() - g.getFontMetrics().stringWidth(hint) - 10, y + 11);
                g.setFont(MONO);
                y += ViewLayout.ROW;
                if (s.processes().isEmpty()) empty(g, x, y, "no process table: " + s.processProblem());
                for (int i = 0; i < Math.min(rows - 1, s.processes().size()); i++) {
                    DebugState.Process p = s.processes().get(i);
                    hoverRow(g, l, y, ui);
                    if (p.breakWhenScheduled()) {
                        g.setColor(BREAK);
                        g.fill(new Ellipse2D.Float(x, y + 4, 8, 8));
                    } else if (p.current()) {
                        g.setColor(ACCENT);
                        Path2D.Float tri = new Path2D.Float();
                        triangle(tri, x + 1, y + 8, 4, 1);
                        g.fill(tri);
                    }
                    g.setColor(p.current() ? ACCENT : TEXT);
                    g.drawString(String.format("%-4d %-16s", p.pid(), p.name()), x + 16, y + 12);
                    g.setColor(DIM);
                    g.drawString(String.format("%-10s %s", p.state(), p.cpuNs() < 0 ? "?" : String.format("%,.1f ms", p.cpuNs() / 1e6)),
                            x + 16 + 22 * CHAR_W, y + 12);
                    y += ViewLayout.ROW;
                }
            }
            case BREAKPOINTS -> {
                if (s.stops().isEmpty()) empty(g, x, y, "none: click the gutter, a process, or type break / watch / catch below");
                for (int i = 0; i < Math.min(rows, s.stops().size()); i++) {
                    DebugState.StopRule rule = s.stops().get(i);
                    hoverRow(g, l, y, ui);
                    g.setColor(switch (rule.kind()) { case "watch" -> CHANGED; case "catch" -> new Color(0xc678dd); default -> BREAK; });
                    g.fill(new Ellipse2D.Float(x, y + 4, 8, 8));
                    g.setFont(SANS_SMALL);
                    g.setColor(DIM);
                    g.drawString(rule.kind(), x + 14, y + 12);
                    g.setFont(MONO);
                    g.setColor(TEXT);
                    drawClipped(g, rule.text(), x + 56, y + 12, body.w() - 100);
                    g.setColor(FAINT);
                    g.drawString("\u00d7", body.x() + body.w() - 20, y + 12);
                    y += ViewLayout.ROW;
                }
            }
            case LOG -> {
                List<String> log = s.log();
                if (log.isEmpty()) empty(g, x, y, "the command bar's commands and their results");
                for (int i = Math.max(0, log.size() - rows); i < log.size(); i++) {
                    String line = log.get(i);
                    g.setColor(line.startsWith("(vitrine)") ? ACCENT : line.startsWith("error:") ? BREAK : TEXT);
                    drawClipped(g, line, x, y + 12, body.w() - 20);
                    y += ViewLayout.ROW;
                }
            }
        }
        g.setClip(clip);
    }

    private static String count(Tab t, DebugState s) {
        if (s == null) return "";
        int n = switch (t) {
            case STACK -> s.stack().size();
            case PROCESSES -> s.processes().size();
            case BREAKPOINTS -> s.stops().size();
            case LOG -> 0;
        };
        return n == 0 ? "" : " " + n;
    }

    private void hoverRow(Graphics2D g, ViewLayout l, int y, Ui ui) {
        Rect row = new Rect(l.tabs().x(), y, l.tabs().w(), ViewLayout.ROW);
        if (row.contains(ui.mouseX(), ui.mouseY())) {
            g.setColor(CURSOR_ROW);
            g.fillRect(row.x(), row.y(), row.w(), row.h());
        }
    }

    private static void empty(Graphics2D g, int x, int y, String text) {
        g.setFont(SANS);
        g.setColor(FAINT);
        g.drawString(text, x, y + 12);
        g.setFont(MONO);
    }

    private void command(Graphics2D g, Rect r, Ui ui, boolean stopped) {
        boolean focused = ui.command() != null;
        g.setColor(focused ? BG : CARD);
        g.fill(new RoundRectangle2D.Float(r.x(), r.y(), r.w(), r.h(), 8, 8));
        g.setColor(focused ? ACCENT : HEADER_BG);
        g.draw(new RoundRectangle2D.Float(r.x(), r.y(), r.w() - 1, r.h() - 1, 8, 8));
        g.setFont(BOLD);
        g.setColor(stopped ? ACCENT : FAINT);
        g.drawString("\u203a", r.x() + 10, r.y() + 17);
        if (focused && !ui.command().isEmpty()) {
            g.setFont(MONO);
            g.setColor(TEXT);
            g.drawString(ui.command() + "_", r.x() + 26, r.y() + 17);
        } else {
            g.setFont(SANS_SMALL);
            g.setColor(FAINT);
            drawClipped(g, (focused ? "_  " : "command: ") + CommandLine.HINT, r.x() + 26, r.y() + 17, r.w() - 36);
        }
    }

    private void tooltip(Graphics2D g, ViewLayout l, Ui ui) {
        for (Control c : Control.values()) {
            Rect anchor = l.buttons().get(c);
            if (!anchor.contains(ui.mouseX(), ui.mouseY())) continue;
            String tip = c.label + " (" + c.key + "): " + c.help;
            g.setFont(SANS);
            FontMetrics fm = g.getFontMetrics();
            int w = Math.min(fm.stringWidth(tip) + 16, l.width() - 2 * ViewLayout.PAD);
            int x = Math.max(ViewLayout.PAD, Math.min(anchor.x(), l.width() - ViewLayout.PAD - w));
            int y = l.status().y() + l.status().h() + 2;   // under the status line: it says what the click did
            g.setColor(TOOLTIP);
            g.fill(new RoundRectangle2D.Float(x, y, w, 22, 6, 6));
            g.setColor(FAINT);
            g.setStroke(new BasicStroke(1));
            g.draw(new RoundRectangle2D.Float(x, y, w - 1, 21, 6, 6));
            g.setColor(TEXT);
            g.drawString(tip, x + 8, y + 15);
        }
    }
}
