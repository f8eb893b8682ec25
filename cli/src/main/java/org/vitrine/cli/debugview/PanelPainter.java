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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.vitrine.cli.debugview.ViewLayout.Control;
import org.vitrine.cli.debugview.ViewLayout.Rect;

/**
 * Draws the debugger panel with Java2D: one dark palette (the window's background, a slightly
 * lighter card per panel, one blue accent for PC and one amber for what changed, red for
 * breakpoints), one monospaced font, every panel a card with a small-caps header. Draws only; what
 * is shown comes from a {@link DebugState} and the view's {@link Ui} state.
 */
final class PanelPainter {
    static final Color BG = new Color(0x121214), CARD = new Color(0x1b1c21), HEADER_BG = new Color(0x23252c),
            TEXT = new Color(0xd8dbe2), DIM = new Color(0x7f8696), FAINT = new Color(0x4a4f5c),
            ACCENT = new Color(0x61afef), PC_ROW = new Color(0x21364f), CHANGED = new Color(0xe5c07b),
            CHANGED_BG = new Color(0x3a3122), BREAK = new Color(0xe06c75), OK = new Color(0x98c379),
            BUTTON = new Color(0x2a2d35), BUTTON_HOVER = new Color(0x363a45), CURSOR_ROW = new Color(0x2a2d35),
            TOOLTIP = new Color(0x30333c);
    static final Font MONO = new Font(Font.MONOSPACED, Font.PLAIN, 12);
    static final Font SMALL = new Font(Font.MONOSPACED, Font.PLAIN, 10);
    static final Font BOLD = new Font(Font.MONOSPACED, Font.BOLD, 12);

    /**
     * What the view adds to the debugger's state: where the pointer is, the run-to-cursor line,
     * follow-PC, the memory address being typed (null: not editing), whether a debugger is attached.
     */
    record Ui(double mouseX, double mouseY, long cursor, boolean follow, String memoryEdit, boolean attached,
              List<String> console) { }

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

    /** Where the follow toggle and the memory panel's two header widgets are. */
    static Rect followToggle(ViewLayout l) {
        return new Rect(l.code().x() + l.code().w() - 86, l.code().y() + 3, 80, ViewLayout.HEADER - 6);
    }

    static Rect memoryAddressField(ViewLayout l) {
        return new Rect(l.memory().x() + 80, l.memory().y() + 3, 150, ViewLayout.HEADER - 6);
    }

    static Rect physicalToggle(ViewLayout l) {
        return new Rect(l.memory().x() + l.memory().w() - 100, l.memory().y() + 3, 94, ViewLayout.HEADER - 6);
    }

    void paint(Graphics2D g, ViewLayout l, DebugState s, Ui ui) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_OFF);
        g.setColor(BG);
        g.fillRect(0, 0, l.width(), l.height());
        boolean stopped = s != null && !s.running();
        for (Control c : Control.values()) {
            boolean reverse = c == Control.REVERSE_STEP || c == Control.REVERSE_CONTINUE;
            boolean enabled = ui.attached() && s != null && switch (c) {
                case PAUSE -> s.running();
                case REVERSE_STEP, REVERSE_CONTINUE -> stopped && s.reverseAvailable();
                default -> stopped;
            };
            button(g, l.buttons().get(c), c, enabled, reverse, ui);
        }
        status(g, l.status(), s, ui);
        code(g, l, s, ui);
        memory(g, l, s, ui);
        registers(g, l.registers(), s);
        console(g, l.console(), ui.console());
        tooltip(g, l, s, ui);
    }

    private void button(Graphics2D g, Rect r, Control c, boolean enabled, boolean reverse, Ui ui) {
        boolean hover = enabled && r.contains(ui.mouseX(), ui.mouseY());
        g.setColor(hover ? BUTTON_HOVER : BUTTON);
        g.fill(new RoundRectangle2D.Float(r.x(), r.y(), r.w(), r.h(), 8, 8));
        Color fg = enabled ? TEXT : FAINT;
        int ix = r.x() + 10, cy = r.centreY();
        g.setColor(enabled ? iconColour(c) : FAINT);
        g.fill(icon(c, ix, cy));
        g.setFont(MONO);
        g.setColor(fg);
        g.drawString(c.label, ix + 14, cy + 4);
        g.setFont(SMALL);
        g.setColor(enabled ? DIM : FAINT);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(c.key, r.x() + r.w() - 6 - fm.stringWidth(c.key), r.y() + r.h() - 4);
    }

    private static Color iconColour(Control c) {
        return switch (c) {
            case CONTINUE -> OK;
            case PAUSE -> CHANGED;
            case BREAKPOINT -> BREAK;
            default -> ACCENT;
        };
    }

    /** A small glyph per control, drawn rather than taken from a font that may lack it. */
    private static Shape icon(Control c, int x, int cy) {
        Path2D.Float p = new Path2D.Float();
        switch (c) {
            case CONTINUE -> triangle(p, x, cy, 1);
            case PAUSE -> {
                p.append(new java.awt.Rectangle(x, cy - 5, 3, 10), false);
                p.append(new java.awt.Rectangle(x + 5, cy - 5, 3, 10), false);
            }
            case STEP -> {
                p.append(new java.awt.Rectangle(x, cy - 1, 5, 2), false);
                triangleSmall(p, x + 5, cy, 1);
            }
            case STEP_OVER -> {
                p.append(new java.awt.Rectangle(x, cy - 5, 8, 2), false);
                p.append(new java.awt.Rectangle(x + 6, cy - 5, 2, 6), false);
                p.append(new java.awt.Rectangle(x, cy + 3, 2, 3), false);
            }
            case RUN_TO_CURSOR -> {
                triangleSmall(p, x, cy, 1);
                p.append(new java.awt.Rectangle(x + 6, cy - 5, 2, 10), false);
            }
            case BREAKPOINT -> p.append(new Ellipse2D.Float(x, cy - 4, 8, 8), false);
            case REVERSE_STEP -> {
                triangleSmall(p, x + 3, cy, -1);
                p.append(new java.awt.Rectangle(x + 3, cy - 1, 5, 2), false);
            }
            case REVERSE_CONTINUE -> {
                triangleSmall(p, x + 4, cy, -1);
                triangleSmall(p, x + 8, cy, -1);
            }
        }
        return p;
    }

    private static void triangle(Path2D.Float p, int x, int cy, int dir) {
        p.moveTo(x, cy - 5);
        p.lineTo(x + 8, cy);
        p.lineTo(x, cy + 5);
        p.closePath();
    }

    private static void triangleSmall(Path2D.Float p, int x, int cy, int dir) {
        p.moveTo(x, cy - 4);
        p.lineTo(x + 4 * dir, cy);
        p.lineTo(x, cy + 4);
        p.closePath();
    }

    private void status(Graphics2D g, Rect r, DebugState s, Ui ui) {
        g.setFont(MONO);
        int y = r.y() + 15;
        String state;
        Color dot;
        if (!ui.attached()) {
            state = "stopping the guest\u2026";
            dot = CHANGED;
        } else if (s == null || s.running()) {
            state = "running";
            dot = OK;
        } else {
            state = s.status();
            dot = BREAK;
        }
        g.setColor(dot);
        g.fill(new Ellipse2D.Float(r.x() + 2, y - 8, 9, 9));
        g.setColor(TEXT);
        g.drawString(state, r.x() + 18, y);
        if (s == null) return;
        String right = String.format("pc %016x   %,d instructions   %,d cycles", s.pc(), s.instructions(), s.cycles());
        g.setColor(DIM);
        g.drawString(right, r.x() + r.w() - g.getFontMetrics().stringWidth(right) - 2, y);
    }

    private Rect card(Graphics2D g, Rect r, String title) {
        return card(g, r, title, "");
    }

    /** A panel's card: its title in small capitals, then {@code detail} (a symbol: case kept). */
    private Rect card(Graphics2D g, Rect r, String title, String detail) {
        g.setColor(CARD);
        g.fill(new RoundRectangle2D.Float(r.x(), r.y(), r.w(), r.h(), 8, 8));
        g.setColor(HEADER_BG);
        g.fill(new RoundRectangle2D.Float(r.x(), r.y(), r.w(), ViewLayout.HEADER, 8, 8));
        g.fillRect(r.x(), r.y() + ViewLayout.HEADER - 6, r.w(), 6);
        g.setFont(SMALL);
        g.setColor(DIM);
        String caps = title.toUpperCase();
        g.drawString(caps, r.x() + 10, r.y() + 15);
        if (!detail.isEmpty()) {
            int x = r.x() + 10 + g.getFontMetrics().stringWidth(caps + "  ");
            g.setFont(MONO);
            g.setColor(ACCENT);
            g.drawString(detail, x, r.y() + 15);
        }
        return r.body();
    }

    private void toggle(Graphics2D g, Rect r, String label, boolean on) {
        g.setColor(on ? PC_ROW : BUTTON);
        g.fill(new RoundRectangle2D.Float(r.x(), r.y(), r.w(), r.h(), 6, 6));
        g.setFont(SMALL);
        g.setColor(on ? ACCENT : DIM);
        g.drawString(label, r.x() + (r.w() - g.getFontMetrics().stringWidth(label)) / 2, r.y() + r.h() - 5);
    }

    private void code(Graphics2D g, ViewLayout l, DebugState s, Ui ui) {
        String where = s == null || s.disassembly().isEmpty() ? "" : currentSymbol(s);
        Rect body = card(g, l.code(), "Disassembly", where);
        toggle(g, followToggle(l), "follow PC", ui.follow());
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
                g.drawString(line.label() + ":", body.x() + 28, base);
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
                triangleSmall(p, body.x() + 18, y + 8, 1);
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
        Rect body = card(g, l.memory(), "Memory");
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
        toggle(g, physicalToggle(l), s != null && s.memory().physical() ? "physical" : "virtual", true);
        if (s == null) return;
        DebugState.Memory m = s.memory();
        Shape clip = g.getClip();
        g.clipRect(body.x(), body.y(), body.w(), body.h());
        FontMetrics fm = g.getFontMetrics(MONO);
        int y = body.y() + 2;
        g.setFont(SMALL);
        g.setColor(DIM);
        g.drawString(m.translation(), body.x() + 10, y + 11);
        y += ViewLayout.ROW;
        g.setFont(MONO);
        int rows = Math.min(m.rows().size(), ViewLayout.rows(l.memory(), ViewLayout.ROW) - 1);
        for (int r = 0; r < rows; r++) {
            byte[] b = m.rows().get(r);
            int base = y + 12, x = body.x() + 10;
            g.setColor(DIM);
            g.drawString(String.format("%016x", m.address() + (long) r * DebugState.Memory.BYTES_PER_ROW), x, base);
            x += fm.stringWidth("0000000000000000  ");
            StringBuilder ascii = new StringBuilder();
            for (int i = 0; i < DebugState.Memory.BYTES_PER_ROW; i++) {
                if (i < b.length) {
                    int v = b[i] & 0xff;
                    g.setColor(v == 0 ? FAINT : TEXT);
                    g.drawString(String.format("%02x", v), x, base);
                    ascii.append(v >= 0x20 && v < 0x7f ? (char) v : '.');
                } else {
                    g.setColor(FAINT);
                    g.drawString("??", x, base);
                    ascii.append(' ');
                }
                x += fm.stringWidth("00 ") + (i == 3 ? fm.stringWidth(" ") : 0);
            }
            g.setColor(OK);
            g.drawString(ascii.toString(), x + fm.stringWidth(" "), base);
            y += ViewLayout.ROW;
        }
        g.setClip(clip);
    }

    private void registers(Graphics2D g, Rect r, DebugState s) {
        Rect body = card(g, r, "Registers");
        if (s == null) return;
        Shape clip = g.getClip();
        g.clipRect(body.x(), body.y(), body.w(), body.h());
        g.setFont(MONO);
        FontMetrics fm = g.getFontMetrics();
        Registers regs = s.regs();
        Set<String> changed = s.changed();
        int colW = (body.w() - 16) / 2;
        int y = body.y() + 2;
        for (int i = 0; i < 16; i++) {
            reg(g, fm, "x" + i, regs, changed, body.x() + 8, y, 4);
            reg(g, fm, i == 15 ? "sp" : "x" + (i + 16), regs, changed, body.x() + 8 + colW + 8, y, 4);
            y += ViewLayout.ROW;
        }
        y += 4;
        reg(g, fm, "pc", regs, changed, body.x() + 8, y, 4);
        y += ViewLayout.ROW;
        reg(g, fm, "pstate", regs, changed, body.x() + 8, y, 10);
        g.setColor(ACCENT);
        g.drawString(Registers.describePstate(regs.get("pstate")), body.x() + 8 + fm.stringWidth("pstate    ") + fm.stringWidth("00000000  "), y + 12);
        y += ViewLayout.ROW + 6;
        g.setColor(HEADER_BG);
        g.fillRect(body.x() + 8, y - 3, body.w() - 16, 1);
        for (String name : Registers.SYSTEM) {
            reg(g, fm, name, regs, changed, body.x() + 8, y, 10);
            String note = switch (name) {
                case "ttbr0_el1", "ttbr1_el1" -> "asid " + (regs.get(name) >>> 48);
                case "esr_el1" -> Registers.exceptionClass((int) (regs.get(name) >>> 26) & 0x3f);
                case "spsr_el1" -> Registers.describePstate(regs.get(name)).substring(0, 4);
                case "sctlr_el1" -> Registers.describeSctlr(regs.get(name));
                case "tcr_el1" -> Registers.describeTcr(regs.get(name));
                default -> "";
            };
            g.setColor(DIM);
            g.setFont(SMALL);
            g.drawString(note, body.x() + 8 + fm.stringWidth("ttbr0_el1 0000000000000000  "), y + 12);
            g.setFont(MONO);
            y += ViewLayout.ROW;
        }
        g.setClip(clip);
    }

    /** One register: name dim, value bright; amber on an amber-tinted block when the last step changed it. */
    private void reg(Graphics2D g, FontMetrics fm, String name, Registers regs, Set<String> changed, int x, int y, int nameCols) {
        long v = regs.get(name);
        String value = name.equals("pstate") ? String.format("%08x", v) : String.format("%016x", v);
        int vx = x + fm.stringWidth("0".repeat(nameCols));
        boolean hot = changed.contains(name);
        if (hot) {
            g.setColor(CHANGED_BG);
            g.fillRect(vx - 3, y + 1, fm.stringWidth(value) + 6, ViewLayout.ROW - 2);
        }
        g.setColor(DIM);
        g.drawString(name, x, y + 12);
        g.setColor(hot ? CHANGED : v == 0 ? FAINT : TEXT);
        g.drawString(value, vx, y + 12);
    }

    private void console(Graphics2D g, Rect r, List<String> lines) {
        Rect body = card(g, r, "Console");
        Shape clip = g.getClip();
        g.clipRect(body.x(), body.y(), body.w(), body.h());
        g.setFont(MONO);
        int n = Math.max(0, (body.h() - 4) / ViewLayout.CONSOLE_ROW);
        int from = Math.max(0, lines.size() - n);
        int y = body.y() + 2;
        g.setColor(TEXT);
        for (int i = from; i < lines.size(); i++) {
            g.drawString(lines.get(i), body.x() + 10, y + 12);
            y += ViewLayout.CONSOLE_ROW;
        }
        g.setClip(clip);
    }

    private void tooltip(Graphics2D g, ViewLayout l, DebugState s, Ui ui) {
        String tip = null;
        Rect anchor = null;
        for (Control c : List.of(Control.REVERSE_STEP, Control.REVERSE_CONTINUE)) {
            Rect b = l.buttons().get(c);
            if (b.contains(ui.mouseX(), ui.mouseY()) && s != null && !s.reverseAvailable()) {
                tip = s.reverseTooltip();
                anchor = b;
            }
        }
        if (tip == null) return;
        g.setFont(SMALL);
        FontMetrics fm = g.getFontMetrics();
        int w = Math.min(fm.stringWidth(tip) + 16, l.width() - 2 * ViewLayout.PAD);
        int x = Math.max(ViewLayout.PAD, Math.min(anchor.x(), l.width() - ViewLayout.PAD - w));
        int y = anchor.y() + anchor.h() + 4;
        g.setColor(TOOLTIP);
        g.fill(new RoundRectangle2D.Float(x, y, w, 22, 6, 6));
        g.setColor(FAINT);
        g.setStroke(new BasicStroke(1));
        g.draw(new RoundRectangle2D.Float(x, y, w - 1, 21, 6, 6));
        g.setColor(TEXT);
        g.drawString(tip, x + 8, y + 15);
    }
}
