//! Drawing into a 32-bit framebuffer (0x00RRGGBB pixels, row-major, no row padding): rectangles,
//! lines, blits of other buffers, text in the bitmap font (8x8 at an integer scale, or 8x16 with
//! [`Canvas::text16`]), the pointer sprite, and the boot screen's test pattern. Pure logic; every
//! operation is clipped to the canvas's clip rectangle (the whole canvas unless
//! [`Canvas::clipped`] narrows it); nothing here touches hardware.

use crate::font;

pub const BLACK: u32 = 0x00_0000;
pub const WHITE: u32 = 0xff_ffff;
const BACKGROUND: u32 = 0x10_1820;
const GRID: u32 = 0x28_3848;
const BORDER: u32 = 0xc0_c0c0;
/// White, yellow, cyan, green, magenta, red, blue, black: the classic colour bars.
const BARS: [u32; 8] = [WHITE, 0xffff00, 0x00ffff, 0x00ff00, 0xff00ff, 0xff0000, 0x0000ff, BLACK];
const GRID_STEP: u32 = 32;

/// The pointer: an arrow with its hot spot at the top-left pixel. B black, W white, . clear.
const ARROW: [&[u8; 11]; 17] = [
    b"B..........",
    b"BB.........",
    b"BWB........",
    b"BWWB.......",
    b"BWWWB......",
    b"BWWWWB.....",
    b"BWWWWWB....",
    b"BWWWWWWB...",
    b"BWWWWWWWB..",
    b"BWWWWWWWWB.",
    b"BWWWWWBBBBB",
    b"BWWBWWB....",
    b"BWB.BWWB...",
    b"BB..BWWB...",
    b"B....BWWB..",
    b".....BWWB..",
    b"......BB...",
];
pub const POINTER_W: u32 = 11;
pub const POINTER_H: u32 = 17;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

impl Rect {
    pub const fn new(x: u32, y: u32, w: u32, h: u32) -> Rect {
        Rect { x, y, w, h }
    }

    /// The part of `self` inside a `width` x `height` area.
    pub fn clip(self, width: u32, height: u32) -> Rect {
        let (x, y) = (self.x.min(width), self.y.min(height));
        Rect { x, y, w: self.w.min(width - x), h: self.h.min(height - y) }
    }

    #[allow(dead_code)] // used by the host tests
    pub fn is_empty(self) -> bool {
        self.w == 0 || self.h == 0
    }

    pub fn intersects(self, o: Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    /// The part both cover (an empty rectangle if they do not meet).
    pub fn intersect(self, o: Rect) -> Rect {
        let (x, y) = (self.x.max(o.x), self.y.max(o.y));
        let (r, b) = ((self.x + self.w).min(o.x + o.w), (self.y + self.h).min(o.y + o.h));
        Rect { x, y, w: r.saturating_sub(x), h: b.saturating_sub(y) }
    }

    pub fn contains(self, x: u32, y: u32) -> bool {
        x >= self.x && x < self.x + self.w && y >= self.y && y < self.y + self.h
    }

    /// The smallest rectangle holding both.
    pub fn union(self, o: Rect) -> Rect {
        let (x, y) = (self.x.min(o.x), self.y.min(o.y));
        let (r, b) = ((self.x + self.w).max(o.x + o.w), (self.y + self.h).max(o.y + o.h));
        Rect { x, y, w: r - x, h: b - y }
    }
}

/// Cell size of [`Canvas::text16`], the text of the desktop.
pub const CHAR_W: u32 = 8;
pub const CHAR_H: u32 = 16;

pub struct Canvas<'a> {
    pub px: &'a mut [u32],
    pub width: u32,
    pub height: u32,
    /// Nothing is drawn outside it.
    pub clip: Rect,
}

impl<'a> Canvas<'a> {
    /// A canvas on `px`, `width` pixels a row, `height` rows, clipped to itself.
    pub fn new(px: &'a mut [u32], width: u32, height: u32) -> Canvas<'a> {
        let height = height.min(px.len() as u32 / width.max(1));
        Canvas { px, width, height, clip: Rect::new(0, 0, width, height) }
    }

    /// This canvas drawing only inside `r` (and inside the present clip).
    pub fn clipped(&mut self, r: Rect) -> Canvas<'_> {
        let clip = self.clip.intersect(r);
        Canvas { px: self.px, width: self.width, height: self.height, clip }
    }

    /// Row ranges (as indices into `px`) of `r`, clipped.
    fn rows(&self, r: Rect) -> impl Iterator<Item = core::ops::Range<usize>> + use<> {
        let (r, width) = (r.clip(self.width, self.height).intersect(self.clip), self.width as usize);
        (r.y..r.y + r.h).map(move |y| {
            let start = y as usize * width + r.x as usize;
            start..start + r.w as usize
        })
    }

    pub fn fill(&mut self, r: Rect, colour: u32) {
        for row in self.rows(r) {
            self.px[row].fill(colour);
        }
    }

    /// A `thickness`-pixel frame just inside `r`.
    pub fn frame(&mut self, r: Rect, thickness: u32, colour: u32) {
        let t = thickness.min(r.w / 2).min(r.h / 2);
        self.fill(Rect::new(r.x, r.y, r.w, t), colour);
        self.fill(Rect::new(r.x, r.y + r.h - t, r.w, t), colour);
        self.fill(Rect::new(r.x, r.y, t, r.h), colour);
        self.fill(Rect::new(r.x + r.w - t, r.y, t, r.h), colour);
    }

    /// Draws `text` with its top-left corner at (x, y), each font pixel `scale` x `scale`, on
    /// `bg`; returns the rectangle covered.
    pub fn text(&mut self, x: u32, y: u32, scale: u32, text: &[u8], fg: u32, bg: u32) -> Rect {
        self.glyphs(x, y, (scale, scale), text, fg, Some(bg), false)
    }

    /// Draws `text` in 8x16 cells (the font's rows doubled) from (x, y), on `bg` or, with None,
    /// over what is there; returns the rectangle covered.
    pub fn text16(&mut self, x: u32, y: u32, text: &[u8], fg: u32, bg: Option<u32>) -> Rect {
        self.glyphs(x, y, (1, 2), text, fg, bg, false)
    }

    /// Draws `text` over what is there in 8x16 cells times `scale` (2: 16x32), `bold` (each
    /// glyph struck twice, one font pixel apart) and `italic` (the top half of each glyph
    /// leaning right by one font pixel per quarter); returns the cells covered.
    pub fn text_styled(&mut self, x: u32, y: u32, scale: u32, text: &[u8], fg: u32, bold: bool, italic: bool) -> Rect {
        let s = scale.max(1);
        if bold {
            self.glyphs(x + s, y, (s, 2 * s), text, fg, None, italic);
        }
        self.glyphs(x, y, (s, 2 * s), text, fg, None, italic)
    }

    /// The font's glyphs at (sx, sy) font pixels per glyph pixel; `slant` shifts the rows of
    /// the top half right (rows 0-1 by 2 sx, rows 2-3 by sx), an italic look in a bitmap font.
    #[allow(clippy::too_many_arguments)]
    fn glyphs(&mut self, x: u32, y: u32, (sx, sy): (u32, u32), text: &[u8], fg: u32, bg: Option<u32>, slant: bool) -> Rect {
        let (cw, ch) = (8 * sx, 8 * sy);
        for (i, &c) in text.iter().enumerate() {
            let cell = Rect::new(x + i as u32 * cw, y, cw, ch);
            if !cell.intersects(self.clip) {
                continue;
            }
            let bits = font::glyph(c);
            // The row-by-row path draws upright glyphs only: a slanted one goes pixel by pixel.
            if !slant && cell.clip(self.width, self.height).intersect(self.clip) == cell {
                self.whole_glyph(cell, (sx, sy), bits, fg, bg);
                continue;
            }
            for row in 0..8 {
                let shift = if slant { sx * (2u32.saturating_sub(row / 2)) } else { 0 };
                for col in 0..8 {
                    let on = bits >> (8 * (7 - row) + (7 - col)) & 1 != 0;
                    let colour = if on { Some(fg) } else { bg };
                    if let Some(colour) = colour {
                        self.fill(Rect::new(cell.x + col * sx + shift, y + row * sy, sx, sy), colour);
                    }
                }
            }
        }
        Rect::new(x, y, text.len() as u32 * cw, ch)
    }

    /// A glyph whose `cell` lies wholly inside the canvas and the clip, written row by row
    /// (the common case, and much faster than a clipped fill per font pixel).
    fn whole_glyph(&mut self, cell: Rect, (sx, sy): (u32, u32), bits: u64, fg: u32, bg: Option<u32>) {
        for row in 0..8 {
            let line = (bits >> (8 * (7 - row))) as u8;
            if line == 0 && bg.is_none() {
                continue;
            }
            for dy in 0..sy {
                let base = ((cell.y + row * sy + dy) * self.width + cell.x) as usize;
                for col in 0..8 {
                    let colour = if line >> (7 - col) & 1 != 0 { Some(fg) } else { bg };
                    if let Some(colour) = colour {
                        let at = base + (col * sx) as usize;
                        self.px[at..at + sx as usize].fill(colour);
                    }
                }
            }
        }
    }

    /// A one-pixel line from (x0, y0) to (x1, y1), both ends included (Bresenham).
    pub fn line(&mut self, (x0, y0): (u32, u32), (x1, y1): (u32, u32), colour: u32) {
        let (mut x, mut y) = (x0 as i64, y0 as i64);
        let (dx, dy) = ((x1 as i64 - x).abs(), -(y1 as i64 - y).abs());
        let (sx, sy) = (if x < x1 as i64 { 1 } else { -1 }, if y < y1 as i64 { 1 } else { -1 });
        let mut err = dx + dy;
        loop {
            self.fill(Rect::new(x as u32, y as u32, 1, 1), colour);
            if (x, y) == (x1 as i64, y1 as i64) {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }

    /// Copies the `w` x `h` pixels at the top-left of `src` (rows `stride` pixels apart) to
    /// (x, y), clipped to the canvas and to what `src` holds.
    pub fn blit(&mut self, x: u32, y: u32, w: u32, h: u32, src: &[u32], stride: u32) {
        let h = h.min(src.len() as u32 / stride.max(1));
        let w = w.min(stride);
        let visible = Rect::new(x, y, w, h).clip(self.width, self.height).intersect(self.clip);
        for row in visible.y..visible.y + visible.h {
            let from = ((row - y) * stride + visible.x - x) as usize;
            let to = (row * self.width + visible.x) as usize;
            self.px[to..to + visible.w as usize].copy_from_slice(&src[from..from + visible.w as usize]);
        }
    }

    /// Text centred horizontally, its top at `y`.
    fn centred(&mut self, y: u32, scale: u32, text: &[u8], fg: u32, bg: u32) -> Rect {
        let w = text.len() as u32 * 8 * scale;
        self.text(self.width.saturating_sub(w) / 2, y, scale, text, fg, bg)
    }

    /// Copies the pixels of `r` (clipped) to `out`, row after row.
    pub fn save(&self, r: Rect, out: &mut [u32]) {
        let mut n = 0;
        for row in self.rows(r) {
            out[n..n + row.len()].copy_from_slice(&self.px[row.clone()]);
            n += row.len();
        }
    }

    /// Puts back what `save` copied from the same `r`.
    pub fn restore(&mut self, r: Rect, saved: &[u32]) {
        let mut n = 0;
        for row in self.rows(r) {
            n += row.len();
            self.px[row.clone()].copy_from_slice(&saved[n - row.len()..n]);
        }
    }

    /// Draws the pointer with its hot spot at (x, y); returns the rectangle it may cover.
    pub fn pointer(&mut self, x: u32, y: u32) -> Rect {
        for (dy, line) in ARROW.iter().enumerate() {
            for (dx, &p) in line.iter().enumerate() {
                let (px, py) = (x + dx as u32, y + dy as u32);
                if p != b'.' && px < self.width && py < self.height && self.clip.contains(px, py) {
                    self.px[(py * self.width + px) as usize] =
                        if p == b'B' { BLACK } else { WHITE };
                }
            }
        }
        Rect::new(x, y, POINTER_W, POINTER_H)
    }

    /// Paints the boot screen's test pattern, which depends only on the canvas size: a grid on a
    /// dark background, colour bars over the top third, a 16-step grey ramp, the title and
    /// `subtitle`, and an empty text box. Returns the text box's inside.
    pub fn boot_screen(&mut self, subtitle: &[u8]) -> Rect {
        let (w, h) = (self.width, self.height);
        self.fill(Rect::new(0, 0, w, h), BACKGROUND);
        for i in (0..w).step_by(GRID_STEP as usize) {
            self.fill(Rect::new(i, 0, 1, h), GRID);
        }
        for i in (0..h).step_by(GRID_STEP as usize) {
            self.fill(Rect::new(0, i, w, 1), GRID);
        }
        let bars_h = h / 3;
        for (i, &colour) in BARS.iter().enumerate() {
            let (x0, x1) = (w * i as u32 / 8, w * (i as u32 + 1) / 8);
            self.fill(Rect::new(x0, 0, x1 - x0, bars_h), colour);
        }
        let ramp_h = h / 20;
        for i in 0..16 {
            let (x0, x1, grey) = (w * i / 16, w * (i + 1) / 16, i * 17);
            self.fill(Rect::new(x0, bars_h, x1 - x0, ramp_h), grey << 16 | grey << 8 | grey);
        }
        let title = self.centred(bars_h + ramp_h + 24, 4, b"rost boot screen", WHITE, BLACK);
        self.frame(
            Rect::new(title.x.saturating_sub(12), title.y - 12, title.w + 24, title.h + 24),
            12,
            BLACK,
        );
        let sub = self.centred(title.y + title.h + 28, 2, subtitle, BORDER, BACKGROUND);
        let top = sub.y + sub.h + 24;
        let outer = Rect::new(32, top, w.saturating_sub(64), h.saturating_sub(top + 32));
        self.fill(outer, BLACK);
        self.frame(outer, 2, BORDER);
        Rect::new(outer.x + 8, outer.y + 8, outer.w.saturating_sub(16), outer.h.saturating_sub(16))
    }
}
