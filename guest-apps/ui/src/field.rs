//! A one-line text field (a name typed into a prompt: a new folder, a rename, "save as"): its
//! text, cursor and editing keys, and how it draws itself in 8x16 cells. Pure logic.

use crate::draw::{CHAR_H, CHAR_W, Canvas, Rect};
use crate::keymap::Key;

/// Most bytes a field holds (a file-server path is at most 63).
pub const MAX: usize = 63;

/// What a key did to a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    /// The text or the cursor changed: draw it again.
    Changed,
    /// Enter: the text is done.
    Done,
    /// Escape: give up.
    Cancel,
    /// Not a key a field uses.
    Ignored,
}

#[derive(Clone, Copy)]
pub struct Field {
    bytes: [u8; MAX],
    len: usize,
    cursor: usize,
}

impl Default for Field {
    fn default() -> Self {
        Field::new(b"")
    }
}

impl Field {
    /// A field holding `text` (cut to MAX bytes), the cursor at its end.
    pub fn new(text: &[u8]) -> Field {
        let len = text.len().min(MAX);
        let mut bytes = [0; MAX];
        bytes[..len].copy_from_slice(&text[..len]);
        Field { bytes, len, cursor: len }
    }

    pub fn text(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Applies `key`: printable characters are inserted at the cursor (while there is room),
    /// Backspace and Delete remove, the arrows, Home and End move.
    pub fn key(&mut self, key: Key) -> Edit {
        match key {
            Key::Enter => return Edit::Done,
            Key::Char(0x1b) => return Edit::Cancel,
            Key::Char(c @ 0x20..0x7f) if self.len < MAX => {
                self.bytes.copy_within(self.cursor..self.len, self.cursor + 1);
                self.bytes[self.cursor] = c;
                (self.len, self.cursor) = (self.len + 1, self.cursor + 1);
            }
            Key::Backspace if self.cursor > 0 => {
                self.bytes.copy_within(self.cursor..self.len, self.cursor - 1);
                (self.len, self.cursor) = (self.len - 1, self.cursor - 1);
            }
            Key::Delete if self.cursor < self.len => {
                self.bytes.copy_within(self.cursor + 1..self.len, self.cursor);
                self.len -= 1;
            }
            Key::Left => self.cursor = self.cursor.saturating_sub(1),
            Key::Right => self.cursor = (self.cursor + 1).min(self.len),
            Key::Home => self.cursor = 0,
            Key::End => self.cursor = self.len,
            _ => return Edit::Ignored,
        }
        Edit::Changed
    }

    /// Draws the field as a box `cells` characters wide at (x, y): the text's end shows if it
    /// is longer, the cursor is a block of `cursor` colour. Returns the box.
    pub fn draw(&self, c: &mut Canvas, x: u32, y: u32, cells: usize, (fg, bg, cursor): (u32, u32, u32)) -> Rect {
        let cells = cells.max(2);
        let r = Rect::new(x, y, cells as u32 * CHAR_W + 4, CHAR_H + 4);
        c.fill(r, bg);
        c.frame(r, 1, cursor);
        let first = (self.cursor + 1).saturating_sub(cells - 1);
        let (tx, ty) = (x + 2, y + 2);
        c.text16(tx, ty, &self.text()[first..], fg, None);
        let at = Rect::new(tx + (self.cursor - first) as u32 * CHAR_W, ty, CHAR_W, CHAR_H);
        c.fill(at, cursor);
        if let Some(&ch) = self.text().get(self.cursor) {
            c.text16(at.x, ty, &[ch], bg, None);
        }
        r
    }
}
