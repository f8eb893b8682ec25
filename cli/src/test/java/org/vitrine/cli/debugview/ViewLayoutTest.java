package org.vitrine.cli.debugview;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vitrine.cli.debugview.ViewLayout.Rect;

class ViewLayoutTest {
    @Test
    void everythingFitsInsideThePanelWithoutOverlapping() {
        for (int h : new int[] {600, 768, 800, 1080}) {
            ViewLayout l = ViewLayout.of(ViewLayout.PANEL_WIDTH, h);
            List<Rect> all = new ArrayList<>(l.buttons().values());
            all.addAll(List.of(l.status(), l.code(), l.memory(), l.registers(), l.console(), l.tabs(), l.command()));
            for (Rect r : all) {
                assertTrue(r.x() >= 0 && r.y() >= 0 && r.x() + r.w() <= l.width() && r.y() + r.h() <= h, r + " inside " + h);
                for (Rect o : all) {
                    if (o != r) assertFalse(overlap(r, o), r + " overlaps " + o + " at height " + h);
                }
            }
            for (Rect t : l.tabButtons().values()) {
                assertTrue(t.x() >= l.tabs().x() && t.x() + t.w() <= l.tabs().x() + l.tabs().w() && t.y() == l.tabs().y(), "tab in its card's header");
            }
        }
    }

    @Test
    void panelsHaveRoomForTheirContentsAtTheDefaultHeight() {
        ViewLayout l = ViewLayout.of(ViewLayout.PANEL_WIDTH, 768);
        assertTrue(ViewLayout.rows(l.code(), ViewLayout.ROW) >= 15, "disassembly lines: " + ViewLayout.rows(l.code(), ViewLayout.ROW));
        assertTrue(ViewLayout.rows(l.memory(), ViewLayout.ROW) >= 8);
        assertTrue(ViewLayout.rows(l.tabs(), ViewLayout.ROW) >= 8, "a backtrace of 8 frames");
        // x0..x15 beside x16..x30/sp, pc, pstate, a rule, then the 11 system registers
        var cells = PanelPainter.registerCells(l);
        Rect last = cells.getLast().rect();
        assertTrue(last.y() + last.h() <= l.registers().y() + l.registers().h(), "tcr_el1 inside: " + last + " in " + l.registers());
    }

    @Test
    void buttonsGoLeftToRightInControlOrder() {
        ViewLayout l = ViewLayout.of(ViewLayout.PANEL_WIDTH, 768);
        int x = -1;
        for (ViewLayout.Control c : ViewLayout.Control.values()) {
            Rect r = l.buttons().get(c);
            assertTrue(r.x() > x, c + " after the previous button");
            x = r.x();
            assertTrue(r.contains(r.centreX(), r.centreY()));
        }
    }

    private static boolean overlap(Rect a, Rect b) {
        return a.x() < b.x() + b.w() && b.x() < a.x() + a.w() && a.y() < b.y() + b.h() && b.y() < a.y() + a.h();
    }
}
