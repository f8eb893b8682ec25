//! How Files looks: a header with the folder's path and the New folder / Rename / Delete
//! buttons, the column headings, one row per entry (name, size, date; folders in the accent
//! colour with a `/`; the selection highlighted, scrolled into view), and a status line with the
//! last message, the key hints, or the prompt. Colours from the toolkit's palette.

use crate::{Ask, Files};
use librost::Line;
use librost::ui::draw::{CHAR_H, CHAR_W, Canvas, Rect};
use librost::ui::palette as p;
use librost::window::Window;
use text::path;

const HEADER_H: u32 = CHAR_H + 12;
const HEADINGS_H: u32 = CHAR_H + 6;
const LIST_Y: u32 = HEADER_H + HEADINGS_H;
const ROW_H: u32 = CHAR_H + 4;
const STATUS_H: u32 = CHAR_H + 8;
const BUTTONS: [(&[u8], Ask); 3] = [(b"New folder", Ask::NewFolder), (b"Rename", Ask::Rename), (b"Delete", Ask::Delete)];
const HINTS: &[u8] = b"enter open  backspace up  ctrl+n new folder  ctrl+r rename  del delete  a-z find";

/// Button `i` of the header in a window `w` pixels wide (right-aligned, 8 px apart).
fn button(i: usize, w: u32) -> Rect {
    let width = |label: &[u8]| label.len() as u32 * CHAR_W + 16;
    let right: u32 = BUTTONS[i..].iter().map(|(l, _)| width(l) + 8).sum();
    Rect::new(w.saturating_sub(right), 4, width(BUTTONS[i].0), HEADER_H - 8)
}

/// The header button at (x, y), if any.
pub fn button_at(x: u32, y: u32, w: u32) -> Option<Ask> {
    (0..BUTTONS.len()).find(|&i| button(i, w).contains(x, y)).map(|i| BUTTONS[i].1)
}

/// The entry shown at height `y`, if it is in the list.
pub fn row_at(f: &Files, y: u32) -> Option<usize> {
    let row = (y.checked_sub(LIST_Y)? / ROW_H) as usize;
    (row < f.rows).then_some(f.top + row)
}

/// Where the size and date columns start, and whether there is room for dates.
fn columns(w: u32) -> (u32, u32, bool) {
    let dates = w >= 56 * CHAR_W;
    let date_x = if dates { w.saturating_sub(8 + 16 * CHAR_W) } else { w };
    (date_x.saturating_sub(16 + 8 * CHAR_W), date_x, dates)
}

pub fn draw(win: &mut Window, f: &mut Files) {
    let (w, h) = win.size();
    if h < LIST_Y + ROW_H + STATUS_H || w < 24 * CHAR_W {
        return;
    }
    f.rows = ((h - LIST_Y - STATUS_H) / ROW_H) as usize;
    if f.selected < f.top {
        f.top = f.selected;
    } else if f.selected >= f.top + f.rows {
        f.top = f.selected + 1 - f.rows;
    }
    let mut c = win.canvas(Rect::new(0, 0, w, h));
    c.fill(Rect::new(0, 0, w, h), p::WINDOW);
    header(&mut c, f, w);
    let (size_x, date_x, dates) = columns(w);
    c.text16(12, HEADER_H + 3, b"Name", p::TEXT_DIM, None);
    c.text16(size_x + 4 * CHAR_W, HEADER_H + 3, b"Size", p::TEXT_DIM, None);
    if dates {
        c.text16(date_x, HEADER_H + 3, b"Modified", p::TEXT_DIM, None);
    }
    c.fill(Rect::new(8, LIST_Y - 2, w.saturating_sub(16), 1), p::SELECTED);
    for (row, i) in (f.top..f.count.min(f.top + f.rows)).enumerate() {
        let e = &f.entries[i];
        let y = LIST_Y + row as u32 * ROW_H;
        if i == f.selected {
            c.fill(Rect::new(4, y, w.saturating_sub(8), ROW_H), if f.focused { p::SELECTED } else { p::BAND });
        }
        let ty = y + 2;
        let room = (size_x.saturating_sub(12 + CHAR_W) / CHAR_W) as usize;
        let name = &e.name()[..e.name().len().min(room)];
        let r = c.text16(12, ty, name, if e.dir { p::ACCENT } else { p::TEXT }, None);
        if e.dir {
            c.text16(r.x + r.w, ty, b"/", p::ACCENT, None);
        } else {
            let mut out = [0u8; 8];
            c.text16(size_x, ty, path::size(e.size, &mut out), p::TEXT_DIM, None);
        }
        if let (true, Some(m)) = (dates, e.modified) {
            let mut out = [0u8; 16];
            c.text16(date_x, ty, path::date(m, &mut out), p::TEXT_DIM, None);
        }
    }
    if f.count == 0 {
        c.text16(12, LIST_Y + 2, b"(empty folder)", p::TEXT_DIM, None);
    }
    status(&mut c, f, w, h);
    win.show();
}

fn header(c: &mut Canvas, f: &Files, w: u32) {
    c.fill(Rect::new(0, 0, w, HEADER_H), p::BAND);
    let room = (button(0, w).x.saturating_sub(16) / CHAR_W) as usize;
    let dir = f.dir.as_bytes();
    c.text16(8, 6, &dir[dir.len().saturating_sub(room)..], p::TEXT, None);
    for (i, (label, _)) in BUTTONS.iter().enumerate() {
        let b = button(i, w);
        c.fill(b, p::SELECTED);
        c.text16(b.x + 8, b.y + (b.h - CHAR_H) / 2, label, p::TEXT, None);
    }
}

/// The bottom line: the prompt, else the last message, else the key hints.
fn status(c: &mut Canvas, f: &Files, w: u32, h: u32) {
    let y0 = h - STATUS_H;
    c.fill(Rect::new(0, y0, w, STATUS_H), p::BAND);
    c.fill(Rect::new(0, y0, w, 1), p::SELECTED);
    let y = y0 + 4;
    let room = (w.saturating_sub(16) / CHAR_W) as usize;
    let cut = |s: &[u8]| s.len().min(room);
    let selected = f.entries[f.selected].name();
    match &f.prompt {
        Some((Ask::Delete, _)) => {
            let mut l = Line::new();
            l.s(b"Delete ").s(selected).s(b"? y / n");
            c.text16(8, y, &l.as_bytes()[..cut(l.as_bytes())], p::CURSOR, None);
        }
        Some((what, field)) => {
            let label: &[u8] = if *what == Ask::NewFolder { b"New folder:" } else { b"Rename to:" };
            let r = c.text16(8, y, label, p::TEXT, None);
            let cells = (w.saturating_sub(r.x + r.w + 24) / CHAR_W) as usize;
            field.draw(c, r.x + r.w + 8, y0 + 2, cells, (p::TEXT, p::WINDOW, p::ACCENT));
        }
        None => match &f.message {
            Some(m) => {
                let colour = if f.message_is_error { p::ERROR } else { p::TEXT_DIM };
                c.text16(8, y, &m.as_bytes()[..cut(m.as_bytes())], colour, None);
            }
            None => {
                c.text16(8, y, &HINTS[..cut(HINTS)], p::TEXT_DIM, None);
            }
        },
    }
}
