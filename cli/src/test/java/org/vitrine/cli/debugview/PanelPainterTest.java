package org.vitrine.cli.debugview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.vitrine.cli.debugview.ViewLayout.Rect;

/**
 * The panel drawn headless from a made-up state: what changed is amber and only there, the PC line
 * is the accent row, a breakpoint is a red dot in the gutter, the buttons are live while stopped
 * and only Pause while running; each tab of the bottom card draws its rows. The pictures are kept
 * in target/debugview/panel*.png to look at.
 */
class PanelPainterTest {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private static final ViewLayout LAYOUT = ViewLayout.of(ViewLayout.PANEL_WIDTH, 768);

    @Test
    void changedRegistersAreHighlightedAndOnlyThey() throws Exception {
        BufferedImage none = paint(state(Set.of()));
        BufferedImage some = paint(state(Set.of("x1", "pc", "sp_el1")));
        Files.createDirectories(Path.of("target", "debugview"));
        ImageIO.write(some, "png", Path.of("target", "debugview", "panel.png").toFile());
        assertEquals(0, count(none, LAYOUT.registers(), PanelPainter.CHANGED_BG), "nothing changed: no highlight");
        int highlighted = count(some, LAYOUT.registers(), PanelPainter.CHANGED_BG);
        assertTrue(highlighted > 3 * 100, "three highlighted values: " + highlighted + " pixels");
        // the highlight is on x1's row (the second) and not on x0's (the first)
        Rect body = LAYOUT.registers().body();
        assertEquals(0, count(some, new Rect(body.x(), body.y() + 2, body.w(), ViewLayout.ROW - 1), PanelPainter.CHANGED_BG));
        assertTrue(count(some, new Rect(body.x(), body.y() + 2 + ViewLayout.ROW, body.w(), ViewLayout.ROW), PanelPainter.CHANGED_BG) > 50);
        assertTrue(count(some, LAYOUT.registers(), PanelPainter.CHANGED) > 20, "changed values in amber");
    }

    @Test
    void pcLineBreakpointsAndButtonsLiveOnlyWhenTheyCanAct() throws Exception {
        BufferedImage img = paint(state(Set.of()));
        Rect code = LAYOUT.code().body();
        // line 3 is PC (row 3, no label rows in this listing): the accent background spans it
        Rect pcRow = new Rect(code.x() + 40, code.y() + 2 + 3 * ViewLayout.ROW, code.w() - 80, ViewLayout.ROW);
        assertTrue(count(img, pcRow, PanelPainter.PC_ROW) > pcRow.w() * 4, "PC row background");
        Rect gutter1 = new Rect(code.x(), code.y() + 2 + ViewLayout.ROW, 20, ViewLayout.ROW);
        assertTrue(count(img, gutter1, PanelPainter.BREAK) > 20, "breakpoint dot on line 1");
        Rect gutter2 = new Rect(code.x(), code.y() + 2 + 2 * ViewLayout.ROW, 20, ViewLayout.ROW);
        assertEquals(0, count(img, gutter2, PanelPainter.BREAK), "no dot on line 2");
        Rect step = LAYOUT.buttons().get(ViewLayout.Control.STEP);
        Rect pause = LAYOUT.buttons().get(ViewLayout.Control.PAUSE);
        assertTrue(count(img, step, PanelPainter.ACCENT) > 5, "step enabled while stopped: accent icon");
        assertEquals(0, count(img, pause, PanelPainter.CHANGED), "pause disabled while stopped");
        BufferedImage running = paint(state(Set.of()).asRunning("running: continue"));
        assertEquals(0, count(running, step, PanelPainter.ACCENT), "step disabled while running");
        assertTrue(count(running, pause, PanelPainter.CHANGED) > 5, "pause enabled while running");
    }

    @Test
    void eachTabDrawsItsRows() throws Exception {
        DebugState s = state(Set.of());
        Files.createDirectories(Path.of("target", "debugview"));
        Rect firstRow = new Rect(LAYOUT.tabs().x(), PanelPainter.tabRowsTop(LAYOUT), LAYOUT.tabs().w(), ViewLayout.ROW);
        for (ViewLayout.Tab t : ViewLayout.Tab.values()) {
            BufferedImage img = paint(s, t);
            ImageIO.write(img, "png", Path.of("target", "debugview", "panel-" + t.name().toLowerCase() + ".png").toFile());
            Rect rows = t == ViewLayout.Tab.PROCESSES ? new Rect(firstRow.x(), firstRow.y() + ViewLayout.ROW, firstRow.w(), firstRow.h()) : firstRow;
            assertTrue(ink(img, rows) > 60, t + ": a first row drawn");
        }
        // the Processes tab: the current process in the accent colour, the one to stop for with a red dot
        BufferedImage ps = paint(s, ViewLayout.Tab.PROCESSES);
        int top = PanelPainter.tabRowsTop(LAYOUT) + ViewLayout.ROW;
        assertTrue(count(ps, new Rect(LAYOUT.tabs().x(), top + ViewLayout.ROW, LAYOUT.tabs().w(), ViewLayout.ROW), PanelPainter.ACCENT) > 30,
                "pid 1 (current) in the accent colour");
        assertTrue(count(ps, new Rect(LAYOUT.tabs().x(), top + 2 * ViewLayout.ROW, 30, ViewLayout.ROW), PanelPainter.BREAK) > 10,
                "pid 2 marked: stop when scheduled");
    }

    @Test
    void longConsoleLinesWrapInsteadOfBeingCut() throws Exception {
        String longLine = "[rost] " + "the quick brown fox jumps over the lazy dog, ".repeat(6) + "END";
        BufferedImage img = paintConsole(List.of("rost v0: booting at EL1", longLine));
        Files.createDirectories(Path.of("target", "debugview"));
        ImageIO.write(img, "png", Path.of("target", "debugview", "panel-console-wrap.png").toFile());
        Rect body = LAYOUT.console().body();
        int rows = consoleRowsWithText(img);
        assertTrue(rows >= 3, "the long line takes several rows: " + rows + " rows with text");
        BufferedImage shortOnly = paintConsole(List.of("rost v0: booting at EL1", "[rost] mmu on"));
        assertEquals(2, consoleRowsWithText(shortOnly), "two short lines: two rows");
        // the text stays inside the card: the strip at its right edge has no text
        Rect edge = new Rect(body.x() + body.w() - 6, body.y(), 5, body.h());
        assertEquals(ink(shortOnly, edge), ink(img, edge), "nothing drawn past the right margin");
    }

    private static int consoleRowsWithText(BufferedImage img) {
        Rect body = LAYOUT.console().body();
        int rows = 0;
        for (int y = body.y() + 2; y + ViewLayout.CONSOLE_ROW <= body.y() + body.h(); y += ViewLayout.CONSOLE_ROW) {
            if (ink(img, new Rect(body.x() + 4, y, body.w() - 8, ViewLayout.CONSOLE_ROW)) > 20) rows++;
        }
        return rows;
    }

    private static BufferedImage paintConsole(List<String> console) {
        BufferedImage img = new BufferedImage(LAYOUT.width(), LAYOUT.height(), BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        new PanelPainter().paint(g, LAYOUT, state(Set.of()), PanelPainter.Ui.idle(console));
        g.dispose();
        return img;
    }

    private static BufferedImage paint(DebugState s) {
        return paint(s, ViewLayout.Tab.STACK);
    }

    private static BufferedImage paint(DebugState s, ViewLayout.Tab tab) {
        BufferedImage img = new BufferedImage(LAYOUT.width(), LAYOUT.height(), BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        PanelPainter.Ui idle = PanelPainter.Ui.idle(List.of("rost v0: booting at EL1", "[rost] mmu on"));
        new PanelPainter().paint(g, LAYOUT, s, new PanelPainter.Ui(idle.mouseX(), idle.mouseY(), idle.cursor(), idle.follow(), null, true,
                idle.console(), tab, null, null, null, 0x7fff_f688L, 0x7fff_f68bL, -1));
        g.dispose();
        return img;
    }

    private static DebugState state(Set<String> changed) {
        Map<String, Long> v = new LinkedHashMap<>();
        for (int i = 0; i <= 30; i++) v.put("x" + i, (long) i * 0x1111);
        v.put("sp", 0x7fff_f680L);
        v.put("pc", 0x4010_000cL);
        v.put("cpsr", 0x3c5L);
        for (String s : Registers.SYSTEM) v.put(s, 0L);
        List<DebugState.Line> lines = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long a = 0x4010_0000L + 4L * i;
            lines.add(new DebugState.Line(a, 0xd503201f, "nop", "", null, "start+0x" + Long.toHexString(4L * i)));
        }
        List<byte[]> rows = new ArrayList<>();
        for (int r = 0; r < 10; r++) rows.add(r == 3 ? new byte[0] : "Vitrine!".getBytes());
        List<DebugState.Frame> stack = List.of(new DebugState.Frame(0, 0x4010_000cL, "start+0xc"),
                new DebugState.Frame(1, 0x4010_2040L, "sched::run+0x40"));
        List<DebugState.Process> ps = List.of(new DebugState.Process(0, "fsd", "receiving", 1_200_000, false, false),
                new DebugState.Process(1, "wm", "ready", 5_500_000, true, false),
                new DebugState.Process(2, "terminal", "sleeping", 700_000, false, true));
        List<DebugState.StopRule> stops = List.of(new DebugState.StopRule("break", "1  0x40100004 start+0x4  if pid 2", "delete 1"),
                new DebugState.StopRule("watch", "2  write 0x7fff0000 len 8", "delete 2"), new DebugState.StopRule("catch", "syscall 3", "catch off"));
        return new DebugState(false, "step", "pid 1 wm", 42, 40, new Registers(v), changed, lines, Set.of(0x4010_0004L), stops,
                new DebugState.Memory(0x7fff_f680L, false, rows, "va 0x7ffff680 -> pa 0x40511680"), stack, ps, "",
                List.of("(vitrine) who-wrote 0x7fff0000 8", "last written by sched::run+0x40 (0x40102040), pid 1", "error: no symbol 'x'"));
    }

    /** Pixels of the rectangle that stand out from the card (text, dots). */
    private static int ink(BufferedImage img, Rect r) {
        int n = 0, card = PanelPainter.CARD.getRGB();
        for (int y = r.y(); y < r.y() + r.h(); y++) {
            for (int x = r.x(); x < r.x() + r.w(); x++) {
                int p = img.getRGB(x, y);
                if (Math.abs((p >> 16 & 0xff) - (card >> 16 & 0xff)) + Math.abs((p >> 8 & 0xff) - (card >> 8 & 0xff))
                        + Math.abs((p & 0xff) - (card & 0xff)) > 120) n++;
            }
        }
        return n;
    }

    private static int count(BufferedImage img, Rect r, Color c) {
        int n = 0;
        for (int y = r.y(); y < r.y() + r.h(); y++) {
            for (int x = r.x(); x < r.x() + r.w(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == (c.getRGB() & 0xffffff)) n++;
            }
        }
        return n;
    }
}
