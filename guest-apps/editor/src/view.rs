//! How the editor looks: a gutter of line numbers, the text (highlighted as Rust for `.rs`
//! files, scrolled to keep the cursor in view, long lines scrolled sideways), the cursor, and a
//! status line with the file's name, the modified marker, the last message and the cursor's
//! line and column (or the "save as" prompt). Colours from the toolkit's palette.

use crate::Editor;
use librost::Line;
use librost::ui::draw::{CHAR_H, CHAR_W, Canvas, Rect};
use librost::ui::palette as p;
use librost::window::Window;
use text::rust::{self, Kind, State};

/// Space above the first line, and the status line's height.
const PAD: u32 = 4;
const STATUS_H: u32 = CHAR_H + 8;

/// The text area's first pixel column, after the gutter (wide enough for the last line number).
fn text_x(ed: &Editor) -> u32 {
    let digits = (ed.buf.lines().max(999).ilog10() + 1) as u32;
    (digits + 2) * CHAR_W + 6
}

/// The (line, column) of the text under (x, y), if it is in the text area.
pub fn cell_at(ed: &Editor, x: u32, y: u32) -> Option<(usize, usize)> {
    let row = (y.checked_sub(PAD)? / CHAR_H) as usize;
    let col = (x.checked_sub(text_x(ed))? / CHAR_W) as usize;
    (row < ed.rows).then_some((ed.buf.top + row, ed.left + col))
}

fn colour(kind: Kind) -> u32 {
    match kind {
        Kind::Plain => p::TEXT,
        Kind::Keyword => p::KEYWORD,
        Kind::Type => p::TYPE,
        Kind::Macro => p::MACRO,
        Kind::Str => p::STRING,
        Kind::Number => p::NUMBER,
        Kind::Comment => p::COMMENT,
    }
}

pub fn draw(win: &mut Window, ed: &mut Editor) {
    let (w, h) = win.size();
    if h < STATUS_H + PAD + CHAR_H {
        return;
    }
    let tx = text_x(ed);
    ed.rows = ((h - STATUS_H - PAD) / CHAR_H) as usize;
    let cols = (w.saturating_sub(tx + 4) / CHAR_W).max(1) as usize;
    ed.buf.scroll_to_cursor(ed.rows);
    let (cur_line, cur_col) = ed.buf.position();
    if cur_col < ed.left {
        ed.left = cur_col;
    } else if cur_col >= ed.left + cols {
        ed.left = cur_col + 1 - cols;
    }
    let mut c = win.canvas(Rect::new(0, 0, w, h));
    c.fill(Rect::new(0, 0, w, h), p::WINDOW);
    c.fill(Rect::new(0, 0, tx - 6, h - STATUS_H), p::BAND);
    let mut state = State::Code;
    let top = ed.buf.top;
    for (i, line) in ed.buf.text().split(|&b| b == b'\n').enumerate().take(top + ed.rows) {
        if i < top {
            if ed.rust {
                state = rust::line(line, state, &mut |_, _, _| {});
            }
            continue;
        }
        let y = PAD + (i - top) as u32 * CHAR_H;
        let mut number = Line::new();
        number.dec(i as u64 + 1);
        let nx = tx - 6 - CHAR_W - number.as_bytes().len() as u32 * CHAR_W;
        c.text16(nx, y, number.as_bytes(), if i == cur_line { p::TEXT } else { p::TEXT_DIM }, None);
        let shown = ed.left..ed.left + cols;
        let mut span = |a: usize, b: usize, kind: Kind| {
            let (a, b) = (a.max(shown.start), b.min(shown.end));
            if a < b {
                c.text16(tx + (a - shown.start) as u32 * CHAR_W, y, &line[a..b], colour(kind), None);
            }
        };
        if ed.rust {
            state = rust::line(line, state, &mut span);
        } else {
            span(0, line.len(), Kind::Plain);
        }
    }
    if ed.prompt.is_none() {
        cursor(&mut c, ed, tx, cur_line, cur_col);
    }
    status(&mut c, ed, w, h, cur_line, cur_col);
    win.show();
}

/// A solid block on the character under the cursor while focused, an outline otherwise.
fn cursor(c: &mut Canvas, ed: &Editor, tx: u32, line: usize, col: usize) {
    let cell = Rect::new(tx + (col - ed.left) as u32 * CHAR_W, PAD + (line - ed.buf.top) as u32 * CHAR_H, CHAR_W, CHAR_H);
    if ed.focused {
        c.fill(cell, p::CURSOR);
        if let Some(&ch) = ed.buf.text().get(ed.buf.cursor()).filter(|&&ch| ch != b'\n') {
            c.text16(cell.x, cell.y, &[ch], p::WINDOW, None);
        }
    } else {
        c.frame(cell, 1, p::CURSOR);
    }
}

/// The bottom line: name, modified marker, message, position; or the "save as" prompt.
fn status(c: &mut Canvas, ed: &Editor, w: u32, h: u32, line: usize, col: usize) {
    let y0 = h - STATUS_H;
    c.fill(Rect::new(0, y0, w, STATUS_H), p::BAND);
    c.fill(Rect::new(0, y0, w, 1), p::SELECTED);
    let y = y0 + 4;
    if let Some(field) = &ed.prompt {
        let label = c.text16(8, y, b"Save as:", p::TEXT, None);
        let cells = (w.saturating_sub(label.x + label.w + 24) / CHAR_W) as usize;
        field.draw(c, label.x + label.w + 8, y0 + 2, cells, (p::TEXT, p::WINDOW, p::ACCENT));
        return;
    }
    let name: &[u8] = ed.path.as_ref().map_or(b"untitled", |p| p.name());
    let mut r = c.text16(8, y, name, p::TEXT, None);
    if ed.buf.modified() {
        r = c.text16(r.x + r.w + CHAR_W, y, b"[modified]", p::CURSOR, None);
    }
    let mut pos = Line::new();
    pos.s(b"Ln ").dec(line as u64 + 1).s(b", Col ").dec(col as u64 + 1);
    let px = w.saturating_sub(8 + pos.as_bytes().len() as u32 * CHAR_W);
    c.text16(px, y, pos.as_bytes(), p::TEXT_DIM, None);
    let mx = r.x + r.w + 2 * CHAR_W;
    let room = (px.saturating_sub(mx + CHAR_W) / CHAR_W) as usize;
    let msg = ed.message.as_bytes();
    c.text16(mx, y, &msg[..msg.len().min(room)], if ed.message_is_error { p::ERROR } else { p::TEXT_DIM }, None);
}
