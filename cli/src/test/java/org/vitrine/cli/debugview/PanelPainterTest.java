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
 * is the accent row, a breakpoint is a red dot in the gutter, disabled reverse buttons are dim.
 * The picture is kept in target/debugview/panel.png to look at.
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
    void pcLineBreakpointsAndDisabledReverseButtons() throws Exception {
        BufferedImage img = paint(state(Set.of()));
        Rect code = LAYOUT.code().body();
        // line 3 is PC (row 3, no label rows in this listing): the accent background spans it
        Rect pcRow = new Rect(code.x() + 40, code.y() + 2 + 3 * ViewLayout.ROW, code.w() - 80, ViewLayout.ROW);
        assertTrue(count(img, pcRow, PanelPainter.PC_ROW) > pcRow.w() * 4, "PC row background");
        Rect gutter1 = new Rect(code.x(), code.y() + 2 + ViewLayout.ROW, 20, ViewLayout.ROW);
        assertTrue(count(img, gutter1, PanelPainter.BREAK) > 20, "breakpoint dot on line 1");
        Rect gutter2 = new Rect(code.x(), code.y() + 2 + 2 * ViewLayout.ROW, 20, ViewLayout.ROW);
        assertEquals(0, count(img, gutter2, PanelPainter.BREAK), "no dot on line 2");
        Rect back = LAYOUT.buttons().get(ViewLayout.Control.REVERSE_STEP);
        Rect step = LAYOUT.buttons().get(ViewLayout.Control.STEP);
        assertEquals(0, count(img, back, PanelPainter.ACCENT), "reverse step disabled: no accent icon");
        assertTrue(count(img, step, PanelPainter.ACCENT) > 5, "step enabled: accent icon");
    }

    private static BufferedImage paint(DebugState s) {
        BufferedImage img = new BufferedImage(LAYOUT.width(), LAYOUT.height(), BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        new PanelPainter().paint(g, LAYOUT, s, new PanelPainter.Ui(Double.NaN, Double.NaN, 1, true, null, true,
                List.of("rost v0: booting at EL1", "[rost] mmu on")));
        g.dispose();
        return img;
    }

    private static DebugState state(Set<String> changed) {
        Map<String, Long> v = new LinkedHashMap<>();
        for (int i = 0; i <= 30; i++) v.put("x" + i, (long) i * 0x1111);
        v.put("sp", 0x7fff_f680L);
        v.put("pc", 0x4010_000cL);
        v.put("pstate", 0x3c5L);
        for (String s : Registers.SYSTEM) v.put(s, 0L);
        List<DebugState.Line> lines = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long a = 0x4010_0000L + 4L * i;
            lines.add(new DebugState.Line(a, 0xd503201f, "nop", "", null, "start+0x" + Long.toHexString(4L * i)));
        }
        List<byte[]> rows = new ArrayList<>();
        for (int r = 0; r < 10; r++) rows.add(r == 3 ? new byte[0] : "Vitrine!".getBytes());
        return new DebugState(false, "stopped (step)", 42, 40, new Registers(v), changed, lines, Set.of(0x4010_0004L),
                new DebugState.Memory(0x7fff_f680L, false, rows, "va 0x7ffff680 -> pa 0x40511680"), false,
                "reverse execution needs the debugger engine");
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
