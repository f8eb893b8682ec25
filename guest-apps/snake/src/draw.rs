//! Snake's picture, drawn with the toolkit: the score line, the board centred in the window
//! (cells as large as fit, 16 pixels at most), the snake (its head brighter), the food, and a
//! line saying which keys do what. A step redraws only the cells it changed.

use librost::ui::draw::{CHAR_H, CHAR_W, Rect};
use librost::window::Window;
use snakegame::{COLS, Game, ROWS, State};

const BG: u32 = 0x14_181f;
const BOARD: u32 = 0x1b_2029;
const EDGE: u32 = 0x4c_566a;
const TEXT: u32 = 0xd8_dee9;
const DIM: u32 = 0x8f_99a8;
const BODY: u32 = 0x5e_9cd6;
const HEAD: u32 = 0xa8_d0f0;
const FOOD: u32 = 0xe8_b45a;
const OVER: u32 = 0xd0_5050;
const PAD: u32 = 12;

/// Where the board is in a window of the given size.
struct Board {
    x: u32,
    y: u32,
    cell: u32,
}

fn board(win: &Window) -> Board {
    let (w, h) = win.size();
    let room_h = h.saturating_sub(2 * PAD + 2 * (CHAR_H + PAD));
    let cell = (w.saturating_sub(2 * PAD) / COLS as u32).min(room_h / ROWS as u32).clamp(2, 16);
    let (bw, bh) = (cell * COLS as u32, cell * ROWS as u32);
    Board { x: w.saturating_sub(bw) / 2, y: (h.saturating_sub(bh) / 2).max(PAD + CHAR_H + PAD), cell }
}

impl Board {
    fn rect(&self, (cx, cy): (u8, u8)) -> Rect {
        Rect::new(self.x + cx as u32 * self.cell, self.y + cy as u32 * self.cell, self.cell, self.cell)
    }

    fn paint(&self, win: &mut Window, at: (u8, u8), colour: u32) {
        let r = self.rect(at);
        let mut c = win.canvas(r);
        c.fill(r, BOARD);
        let inset = if self.cell >= 6 { 1 } else { 0 };
        c.fill(Rect::new(r.x + inset, r.y + inset, r.w - 2 * inset, r.h - 2 * inset), colour);
    }

    fn food(&self, win: &mut Window, at: (u8, u8)) {
        let r = self.rect(at);
        let q = self.cell / 4;
        let mut c = win.canvas(r);
        c.fill(r, BOARD);
        c.fill(Rect::new(r.x + q, r.y + 1, r.w - 2 * q, r.h - 2), FOOD);
        c.fill(Rect::new(r.x + 1, r.y + q, r.w - 2, r.h - 2 * q), FOOD);
    }
}

/// Everything.
pub fn all(win: &mut Window, g: &Game, high: u32) {
    let (w, h) = win.size();
    if w == 0 || h == 0 {
        return;
    }
    let b = board(win);
    let frame = Rect::new(b.x - 2, b.y - 2, b.cell * COLS as u32 + 4, b.cell * ROWS as u32 + 4);
    {
        let mut c = win.canvas(Rect::new(0, 0, w, h));
        c.fill(Rect::new(0, 0, w, h), BG);
        c.frame(frame, 1, EDGE);
        c.fill(Rect::new(b.x, b.y, b.cell * COLS as u32, b.cell * ROWS as u32), BOARD);
        let (msg, colour): (&[u8], u32) = match g.state {
            State::Ready => (b"Arrow keys: start and steer", DIM),
            State::Playing => (b"Arrow keys: steer", DIM),
            State::Over => (b"Game over - Space: new game", OVER),
        };
        let my = frame.y + frame.h + PAD;
        c.text_styled(w.saturating_sub(msg.len() as u32 * CHAR_W) / 2, my, 1, msg, colour, g.state == State::Over, false);
    }
    header(win, g, high);
    b.food(win, g.food());
    for (i, cell) in g.cells().enumerate() {
        b.paint(win, cell, if i == 0 { HEAD } else { BODY });
    }
}

/// The score line above the board.
pub fn header(win: &mut Window, g: &Game, high: u32) {
    let b = board(win);
    let width = b.cell * COLS as u32;
    let y = b.y.saturating_sub(PAD + CHAR_H);
    let mut c = win.canvas(Rect::new(b.x, y, width, CHAR_H));
    c.fill(Rect::new(b.x, y, width, CHAR_H), BG);
    let mut line = librost::Line::new();
    line.s(b"Score ").dec(g.score as u64);
    c.text_styled(b.x, y, 1, line.as_bytes(), TEXT, true, false);
    let mut line = librost::Line::new();
    line.s(b"High ").dec(high.max(g.score) as u64);
    let hw = line.as_bytes().len() as u32 * CHAR_W;
    c.text16(b.x + width.saturating_sub(hw), y, line.as_bytes(), DIM, None);
}

/// After a step: the cell the tail left (if it is free now), the old head now body, the new
/// head, and the food (it may have moved).
pub fn moved(win: &mut Window, g: &Game, old_tail: Option<(u8, u8)>, old_head: (u8, u8)) {
    let b = board(win);
    if let Some(t) = old_tail.filter(|t| !g.cells().any(|c| c == *t)) {
        b.paint(win, t, BOARD);
    }
    b.paint(win, old_head, BODY);
    b.paint(win, g.head(), HEAD);
    b.food(win, g.food());
}
