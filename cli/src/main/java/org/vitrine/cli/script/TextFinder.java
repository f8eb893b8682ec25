package org.vitrine.cli.script;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.vitrine.cli.script.Scenario.Area;

/**
 * Finds text on a screen by matching the guest's bitmap font ({@link GuestFont}) pixel for pixel:
 * no OCR, so no guesses. The ui crate draws a glyph's set pixels in one colour, at a scale
 * {@code sx x sy} per font pixel (8x16 cells: 1x2; 8x8 text at an integer scale: n x n), either on
 * a background colour or over what is there. So a text is at (x, y) when every set pixel of its
 * glyphs has one colour and no clear pixel of its cells has that colour; any colours, any
 * background. A line through the whole text in its colour, at most as thick as a font pixel is
 * high, may cross clear pixels: a link's underline, a strike-through (the Browser draws both); a
 * plain area of the text's colour is no line, so it still matches nothing. Matches come in reading order (top to bottom, then left to right); a match lying
 * inside a bigger one at another scale is the same text seen twice and is dropped.
 *
 * <p>The window manager draws the pointer into the picture, so a text the pointer rests on (after
 * a click on it) has some pixels hidden. The caller says where the pointer is: pixels under it
 * count as neither set nor clear, and a text still matches when at least half of its set pixels
 * show.
 */
public final class TextFinder {
    /** Display pixels per font pixel. */
    public record Scale(int sx, int sy) { }

    /** The scales the toolkit draws with: 8x16 cells first (the desktop's text), then 8x8 at 1 to 4. */
    public static final List<Scale> SCALES = List.of(new Scale(1, 2), new Scale(1, 1), new Scale(2, 2), new Scale(2, 4),
            new Scale(3, 3), new Scale(4, 4));

    /** Where a text was found, its colour (0xRRGGBB) and scale. */
    public record Match(int x, int y, int w, int h, int rgb, Scale scale) {
        public int centreX() {
            return x + w / 2;
        }

        public int centreY() {
            return y + h / 2;
        }

        boolean inside(Match o) {
            return x >= o.x && y >= o.y && x + w <= o.x + o.w && y + h <= o.y + o.h;
        }

        @Override
        public String toString() {
            return "(" + x + ", " + y + ") " + w + "x" + h + String.format(" #%06x", rgb);
        }
    }

    private final GuestFont font;

    public TextFinder(GuestFont font) {
        this.font = font;
    }

    /**
     * Every place {@code text} is drawn in the {@code width x height} screen {@code px}
     * (0xAABBGGRR, alpha ignored), inside {@code area} (null: anywhere).
     */
    public List<Match> find(int[] px, int width, int height, String text, Area area) {
        return find(px, width, height, text, area, (Area) null);
    }

    /** The same, with the pixels of {@code hidden} (the pointer, or null) unknown. */
    public List<Match> find(int[] px, int width, int height, String text, Area area, Area hidden) {
        List<Match> all = new ArrayList<>();
        int[] runs = runs(px, width, height);
        for (Scale s : SCALES) {
            List<Match> found = find(px, width, height, text, area, s, runs);
            all.addAll(found);
            if (hidden != null) all.addAll(findAround(px, width, height, text, area, s, hidden, found, runs));
        }
        List<Match> kept = new ArrayList<>();
        all.sort(Comparator.comparingInt((Match m) -> m.w * m.h).reversed());
        for (Match m : all) {
            if (kept.stream().noneMatch(k -> k != m && m.inside(k))) kept.add(m);
        }
        kept.sort(Comparator.comparingInt(Match::y).thenComparingInt(Match::x));
        return kept;
    }

    /** The matches at one scale. */
    public List<Match> find(int[] px, int width, int height, String text, Area area, Scale s) {
        return find(px, width, height, text, area, s, runs(px, width, height));
    }

    private List<Match> find(int[] px, int width, int height, String text, Area area, Scale s, int[] runs) {
        int mw = text.length() * 8 * s.sx(), mh = 8 * s.sy();
        int[] b = bounds(area, width, height);
        int x0 = b[0], y0 = b[1], x1 = b[2], y1 = b[3];
        List<Match> out = new ArrayList<>();
        if (x1 - x0 < mw || y1 - y0 < mh) return out;
        Checks c = checks(text, s, width);
        int anchor = c.offsets[0];
        int n = c.offsets.length;
        for (int y = y0; y + mh <= y1; y++) {
            int row = y * width;
            for (int x = x0; x + mw <= x1; x++) {
                int base = row + x;
                int colour = px[base + anchor] & 0xFFFFFF;
                int k = 1;
                while (k < n && (((px[base + c.offsets[k]] & 0xFFFFFF) == colour) == c.same[k]
                        || !c.same[k] && onLine(px, runs, width, height, x, y + c.offsets[k] / width, mw, colour, s.sy()))) {
                    k++;
                }
                if (k == n) out.add(new Match(x, y, mw, mh, rgb(colour), s));
            }
        }
        return out;
    }

    /**
     * Matches whose cells overlap {@code hidden}, judged on the pixels outside it (the fast scan
     * compares every pixel, so it misses them); {@code known} are those it found already.
     */
    private List<Match> findAround(int[] px, int width, int height, String text, Area area, Scale s, Area hidden, List<Match> known,
                                   int[] runs) {
        int mw = text.length() * 8 * s.sx(), mh = 8 * s.sy();
        int[] b = bounds(area, width, height);
        int x0 = b[0], y0 = b[1], x1 = b[2], y1 = b[3];
        List<Match> out = new ArrayList<>();
        Checks c = checks(text, s, width);
        for (int y = Math.max(y0, hidden.y() - mh + 1); y <= Math.min(y1 - mh, hidden.y() + hidden.h() - 1); y++) {
            for (int x = Math.max(x0, hidden.x() - mw + 1); x <= Math.min(x1 - mw, hidden.x() + hidden.w() - 1); x++) {
                int base = y * width + x, colour = -1, seen = 0, set = 0;
                boolean ok = true;
                for (int k = 0; k < c.offsets.length && ok; k++) {
                    int o = c.offsets[k];
                    if (c.same[k]) set++;
                    if (hidden.contains(x + o % width, y + o / width)) continue;
                    int v = px[base + o] & 0xFFFFFF;
                    if (c.same[k]) {
                        if (colour < 0) colour = v;
                        ok = v == colour;
                        seen++;
                    } else {
                        ok = colour < 0 || v != colour || onLine(px, runs, width, height, x, y + o / width, mw, colour, s.sy());
                    }
                }
                if (!ok || seen * 2 < set) continue;
                // clear pixels checked before the colour was known
                for (int k = 0; k < c.offsets.length && ok; k++) {
                    int o = c.offsets[k];
                    if (!c.same[k] && !hidden.contains(x + o % width, y + o / width)) {
                        ok = (px[base + o] & 0xFFFFFF) != colour || onLine(px, runs, width, height, x, y + o / width, mw, colour, s.sy());
                    }
                }
                Match m = new Match(x, y, mw, mh, rgb(colour), s);
                if (ok && !known.contains(m)) out.add(m);
            }
        }
        return out;
    }

    /**
     * For each pixel, how many pixels from it to the right (itself included) have its colour:
     * what tells a line across a text from a glyph's pixels in a few reads.
     */
    private static int[] runs(int[] px, int width, int height) {
        int[] runs = new int[width * height];
        for (int y = 0; y < height; y++) {
            int row = y * width;
            runs[row + width - 1] = 1;
            for (int x = width - 2; x >= 0; x--) {
                runs[row + x] = ((px[row + x] ^ px[row + x + 1]) & 0xFFFFFF) == 0 ? runs[row + x + 1] + 1 : 1;
            }
        }
        return runs;
    }

    /**
     * Whether screen row {@code y} holds, from {@code x}, a line of {@code colour} at least
     * {@code length} wide and at most {@code thickest} rows thick: an underline or a strike-through,
     * not a plain area of the text's colour.
     */
    private static boolean onLine(int[] px, int[] runs, int width, int height, int x, int y, int length, int colour, int thickest) {
        if (!lineAt(px, runs, width, x, y, length, colour)) return false;
        int thick = 1;
        for (int u = y - 1; u >= 0 && lineAt(px, runs, width, x, u, length, colour); u--) if (++thick > thickest) return false;
        for (int d = y + 1; d < height && lineAt(px, runs, width, x, d, length, colour); d++) if (++thick > thickest) return false;
        return true;
    }

    private static boolean lineAt(int[] px, int[] runs, int width, int x, int y, int length, int colour) {
        int i = y * width + x;
        return (px[i] & 0xFFFFFF) == colour && runs[i] >= length;
    }

    /** The searched area clipped to the screen: left, top, right and bottom (exclusive). */
    private static int[] bounds(Area area, int width, int height) {
        if (area == null) return new int[] {0, 0, width, height};
        return new int[] {Math.min(area.x(), width), Math.min(area.y(), height),
                Math.min(area.x() + area.w(), width), Math.min(area.y() + area.h(), height)};
    }

    /** 0xAABBGGRR (frame memory order) to 0xRRGGBB. */
    static int rgb(int abgr) {
        return (abgr & 0xFF) << 16 | (abgr & 0xFF00) | (abgr >> 16 & 0xFF);
    }

    /**
     * The pixels to compare with the first set pixel, as offsets from the text's top-left corner
     * in a screen {@code width} wide: set pixels (same colour) and clear ones (another colour)
     * alternating, so a wrong place fails within a few reads, even inside a plain area.
     */
    private record Checks(int[] offsets, boolean[] same) { }

    private Checks checks(String text, Scale s, int width) {
        List<Integer> on = new ArrayList<>(), off = new ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (!GuestFont.has(ch)) throw new IllegalArgumentException("the guest's font has no '" + ch + "'");
            for (int row = 0; row < 8; row++) {
                for (int col = 0; col < 8; col++) {
                    boolean set = font.on(ch, col, row);
                    for (int dy = 0; dy < s.sy(); dy++) {
                        for (int dx = 0; dx < s.sx(); dx++) {
                            int off1 = (row * s.sy() + dy) * width + (i * 8 + col) * s.sx() + dx;
                            (set ? on : off).add(off1);
                        }
                    }
                }
            }
        }
        if (on.isEmpty()) throw new IllegalArgumentException("\"" + text + "\" has nothing visible to find");
        int n = on.size() + off.size();
        int[] offsets = new int[n];
        boolean[] same = new boolean[n];
        int a = 0, b = 0;
        for (int k = 0; k < n; k++) {
            boolean takeOn = b >= off.size() || (a < on.size() && k % 2 == 0);
            offsets[k] = takeOn ? on.get(a++) : off.get(b++);
            same[k] = takeOn;
        }
        return new Checks(offsets, same);
    }
}
