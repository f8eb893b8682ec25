package org.vitrine.cli.script;

/**
 * Draws text with the guest's font into a frame's pixels the way the ui crate's Canvas does
 * (guest-apps/ui/src/draw.rs: each font pixel an {@code sx x sy} block of the foreground, clear
 * pixels in the background colour or left as they are): the screens {@link TextFinder} is tested
 * and benchmarked on.
 */
public final class FontPainter {
    private final GuestFont font;

    public FontPainter(GuestFont font) {
        this.font = font;
    }

    /**
     * Draws {@code text} with its top-left corner at (x, y) into {@code px} (0xAABBGGRR,
     * {@code width} wide); colours are 0xRRGGBB, {@code bg} negative to draw over what is there.
     */
    public void draw(int[] px, int width, int x, int y, TextFinder.Scale s, String text, int fg, int bg) {
        for (int i = 0; i < text.length(); i++) {
            for (int row = 0; row < 8; row++) {
                for (int col = 0; col < 8; col++) {
                    boolean on = font.on(text.charAt(i), col, row);
                    if (!on && bg < 0) continue;
                    int c = abgr(on ? fg : bg);
                    for (int dy = 0; dy < s.sy(); dy++) {
                        for (int dx = 0; dx < s.sx(); dx++) {
                            px[(y + row * s.sy() + dy) * width + x + (i * 8 + col) * s.sx() + dx] = c;
                        }
                    }
                }
            }
        }
    }

    /** 0xRRGGBB to the frame's 0xAABBGGRR, opaque. */
    public static int abgr(int rgb) {
        return 0xFF000000 | (rgb & 0xFF) << 16 | (rgb & 0xFF00) | (rgb >> 16 & 0xFF);
    }
}
