//! Drawing a laid-out page (html::Page) into the window with the toolkit: the page scrolled to
//! `scroll` inside a margin, headings in the accent colour (h1 at twice the cell size), bold
//! struck twice, italic leaning, links in the link colour and underlined, code and pre on a
//! panel, list bullets by depth, a scroll bar when the page is taller than the view, and a
//! status line with the file's path and the keys.

use html::browse::cells;
use html::{Item, Page, Style};
use librost::ui::draw::{CHAR_H, CHAR_W, Canvas, Rect};

pub const BG: u32 = 0x14_181f;
const TEXT: u32 = 0xd8_dee9;
const HEADING: u32 = 0xe8_b45a;
const LINK: u32 = 0x5e_9cd6;
const CODE: u32 = 0xa3_be8c;
const PANEL: u32 = 0x22_2834;
const STATUS_BG: u32 = 0x2b_3240;
const STATUS_FG: u32 = 0x8f_99a8;
const THUMB: u32 = 0x4c_566a;

/// Margin around the page, in pixels.
pub const PAD: u32 = 12;
/// Width of the scroll bar at the right edge.
const BAR: u32 = 6;
/// How far a pre block's panel reaches left and right of its text.
const PANEL_INSET: u32 = 4;
/// Height of the status line at the bottom.
pub const STATUS_H: u32 = CHAR_H + 4;

/// The page's width for a window `w` pixels wide.
pub fn page_width(w: u32) -> u32 {
    w.saturating_sub(2 * PAD + BAR).max(CHAR_W)
}

/// The visible height of the page in a window `h` pixels tall.
pub fn page_height(h: u32) -> u32 {
    h.saturating_sub(2 * PAD + STATUS_H).max(CHAR_H)
}

/// Window point (x, y) in page coordinates at `scroll`, if it is on the page's area.
pub fn to_page(x: u32, y: u32, scroll: u32, h: u32) -> Option<(u32, u32)> {
    let inside = x >= PAD && y >= PAD && y < PAD + page_height(h);
    inside.then(|| (x - PAD, y - PAD + scroll))
}

/// Draws everything: the page at `scroll` and the status line showing `path`.
pub fn draw(c: &mut Canvas, page: &Page, scroll: u32, path: &str, (w, h): (u32, u32)) {
    c.fill(Rect::new(0, 0, w, h), BG);
    let view_h = page_height(h);
    {
        // Wide pre lines stop short of the scroll bar.
        let mut v = c.clipped(Rect::new(0, PAD, w.saturating_sub(BAR + 4), view_h));
        for item in page.visible(scroll, scroll + view_h) {
            draw_item(&mut v, item, scroll);
        }
    }
    if page.height > view_h {
        let track = Rect::new(w - BAR - 2, PAD, BAR, view_h);
        c.fill(track, PANEL);
        let thumb_h = (view_h as u64 * view_h as u64 / page.height as u64).max(8) as u32;
        let top = (scroll as u64 * (view_h - thumb_h.min(view_h)) as u64 / (page.height - view_h).max(1) as u64) as u32;
        c.fill(Rect::new(track.x, PAD + top, BAR, thumb_h.min(view_h)), THUMB);
    }
    let status = Rect::new(0, h.saturating_sub(STATUS_H), w, STATUS_H);
    c.fill(status, STATUS_BG);
    let keys = b"click a link  Backspace: back  arrows, PgUp/PgDn: scroll";
    let room = (w.saturating_sub(2 * PAD) / CHAR_W) as usize;
    let p = cells(path);
    c.text16(PAD, status.y + 2, &p[..p.len().min(room)], STATUS_FG, None);
    if p.len() + 4 + keys.len() <= room {
        c.text16(w - PAD - keys.len() as u32 * CHAR_W, status.y + 2, keys, STATUS_FG, None);
    }
}

fn draw_item(c: &mut Canvas, item: &Item, scroll: u32) {
    // Page y to window y; an item reaching above the view's top is cut by the clip (its top
    // would be negative: it starts at the view's top instead, shifted, so it is skipped).
    let at = |y: u32| (y + PAD).checked_sub(scroll);
    match item {
        Item::Panel { x, y, width, height } => {
            let top = y.max(&scroll);
            if let Some(wy) = at(*top) {
                // A little wider than its text, into the margin, so the text does not touch its edge.
                c.fill(Rect::new(PAD + x - PANEL_INSET, wy, width + 2 * PANEL_INSET, height - (top - y)), PANEL);
            }
        }
        Item::Bullet { x, y, width, height, depth } => {
            let Some(wy) = at(*y) else { return };
            let (cx, cy) = (PAD + x + width / 2, wy + height / 2);
            let dot = Rect::new(cx - 3, cy - 3, 6, 6);
            match depth {
                0 => c.fill(dot, TEXT),
                1 => c.frame(dot, 1, TEXT),
                _ => c.fill(Rect::new(cx - 2, cy - 2, 4, 4), TEXT),
            }
        }
        Item::Text { x, y, width, height, text, style, link } => {
            let Some(wy) = at(*y) else { return };
            let scale = style.scale();
            let ty = wy + height - CHAR_H * scale; // runs of a line share their bottom
            let fg = colour(*style, link.is_some());
            if style.mono && !style.link {
                c.fill(Rect::new(PAD + x, ty, *width, CHAR_H * scale), PANEL);
            }
            c.text_styled(PAD + x, ty, scale, &cells(text), fg, style.bold || style.heading > 0, style.italic);
            if link.is_some() {
                c.fill(Rect::new(PAD + x, ty + CHAR_H * scale - 2, *width, 1), LINK);
            }
        }
    }
}

fn colour(style: Style, link: bool) -> u32 {
    if link {
        LINK
    } else if style.heading > 0 {
        HEADING
    } else if style.mono {
        CODE
    } else {
        TEXT
    }
}
