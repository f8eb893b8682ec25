//! Where things go on the screen: the menu bar and its entries, the tiles of 1 to 4 windows,
//! and a window's chrome (title bar, close button, inside). Pure arithmetic on the screen size.

use librost::ui::draw::{CHAR_W, Rect};

/// Height of the menu bar at the top.
pub const MENU_H: u32 = 28;
/// Space between tiles and around them.
pub const GAP: u32 = 8;
/// Height of a window's title bar, and the width of its border.
pub const TITLE_H: u32 = 24;
pub const BORDER: u32 = 1;
/// Most windows at once.
pub const MAX_WINDOWS: usize = 4;
/// Horizontal padding of a menu entry's text.
const PAD: u32 = 12;
/// Where the first entry starts (after the "rost" mark).
const FIRST: u32 = 64;

/// The menu's entries: label and program.
pub const APPS: [(&[u8], &[u8]); 5] = [
    (b"Terminal", b"/BIN/TERMINAL"),
    (b"Editor", b"/BIN/EDITOR"),
    (b"Browser", b"/BIN/BROWSER"),
    (b"Files", b"/BIN/FILES"),
    (b"Snake", b"/BIN/SNAKE"),
];

/// The rectangle of menu entry `i`.
pub fn entry(i: usize) -> Rect {
    let x = APPS[..i].iter().fold(FIRST, |x, (label, _)| x + label.len() as u32 * CHAR_W + 2 * PAD);
    Rect::new(x, 0, APPS[i].0.len() as u32 * CHAR_W + 2 * PAD, MENU_H)
}

/// The menu entry at (x, y), if any.
pub fn entry_at(x: u32, y: u32) -> Option<usize> {
    (0..APPS.len()).find(|&i| entry(i).contains(x, y))
}

/// Tile `i` of `n` (1..=4) windows on a `w` x `h` screen: one fills the desktop, two split it
/// left and right, three put the third below the second, four make a 2x2 grid.
pub fn tile(i: usize, n: usize, w: u32, h: u32) -> Rect {
    let (x0, y0) = (GAP, MENU_H + GAP);
    let (fw, fh) = (w - 2 * GAP, h - MENU_H - 2 * GAP);
    let (hw, hh) = ((fw - GAP) / 2, (fh - GAP) / 2);
    let (right, lower) = (x0 + hw + GAP, y0 + hh + GAP);
    match (n, i) {
        (1, _) => Rect::new(x0, y0, fw, fh),
        (2, 0) | (3, 0) => Rect::new(x0, y0, hw, fh),
        (2, _) => Rect::new(right, y0, hw, fh),
        (3, 1) => Rect::new(right, y0, hw, hh),
        (3, _) => Rect::new(right, lower, hw, hh),
        (_, i) => Rect::new(if i % 2 == 0 { x0 } else { right }, if i < 2 { y0 } else { lower }, hw, hh),
    }
}

/// The close button, at the right of the title bar.
pub fn close_button(tile: Rect) -> Rect {
    Rect::new(tile.x + tile.w - TITLE_H, tile.y, TITLE_H, TITLE_H)
}

/// The part of a window in `tile` that shows the application's buffer.
pub fn inside(tile: Rect) -> Rect {
    Rect::new(tile.x + BORDER, tile.y + TITLE_H, tile.w - 2 * BORDER, tile.h - TITLE_H - BORDER)
}
