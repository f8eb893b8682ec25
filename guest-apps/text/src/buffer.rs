//! The text being edited: bytes in one fixed array (no heap; an insert moves the tail, which
//! is cheap at this size), a cursor (a byte offset), the column the cursor aims for while it
//! moves up and down, the first line shown (scrolling), and whether anything changed since the
//! last load or save. Lines end with `\n`; the last line has none.

/// Most bytes a buffer holds.
pub const CAPACITY: usize = 64 * 1024;
/// Spaces a Tab key inserts.
const TAB: usize = 4;

pub struct Buffer {
    bytes: [u8; CAPACITY],
    len: usize,
    cursor: usize,
    /// The column Up and Down keep to (the cursor's column when it last moved sideways).
    goal: usize,
    /// The first line shown.
    pub top: usize,
    modified: bool,
}

impl Default for Buffer {
    fn default() -> Self {
        Buffer::new()
    }
}

impl Buffer {
    pub const fn new() -> Buffer {
        Buffer { bytes: [0; CAPACITY], len: 0, cursor: 0, goal: 0, top: 0, modified: false }
    }

    /// Replaces the text with `data` (cursor at the start, unmodified); false if it did not
    /// fit and was cut at CAPACITY bytes.
    pub fn load(&mut self, data: &[u8]) -> bool {
        self.len = data.len().min(CAPACITY);
        self.bytes[..self.len].copy_from_slice(&data[..self.len]);
        (self.cursor, self.goal, self.top, self.modified) = (0, 0, 0, false);
        self.len == data.len()
    }

    pub fn text(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Whether the text changed since it was loaded or last saved.
    pub fn modified(&self) -> bool {
        self.modified
    }

    /// The text was saved as it is now.
    pub fn saved(&mut self) {
        self.modified = false;
    }

    /// Number of lines (an empty text has one).
    pub fn lines(&self) -> usize {
        1 + self.text().iter().filter(|&&b| b == b'\n').count()
    }

    /// Where line `n` starts (the end of the text past the last line).
    pub fn line_start(&self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        let mut seen = 0;
        for (i, &b) in self.text().iter().enumerate() {
            if b == b'\n' {
                seen += 1;
                if seen == n {
                    return i + 1;
                }
            }
        }
        self.len
    }

    /// The line starting at `start`, without its `\n`.
    pub fn line_at(&self, start: usize) -> &[u8] {
        let rest = &self.text()[start.min(self.len)..];
        &rest[..rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len())]
    }

    /// Line `n`, without its `\n` (empty past the end).
    pub fn line(&self, n: usize) -> &[u8] {
        if n >= self.lines() {
            return &[];
        }
        self.line_at(self.line_start(n))
    }

    /// The cursor's line and column (0-based).
    pub fn position(&self) -> (usize, usize) {
        let before = &self.text()[..self.cursor];
        let line = before.iter().filter(|&&b| b == b'\n').count();
        let start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        (line, self.cursor - start)
    }

    fn start_of_cursor_line(&self) -> usize {
        self.text()[..self.cursor].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)
    }

    /// Inserts `b` at the cursor (Tab as spaces); false if the buffer is full.
    pub fn insert(&mut self, b: u8) -> bool {
        if b == b'\t' {
            let spaces = TAB - self.position().1 % TAB;
            return (0..spaces).all(|_| self.insert(b' '));
        }
        if self.len == CAPACITY {
            return false;
        }
        self.bytes.copy_within(self.cursor..self.len, self.cursor + 1);
        self.bytes[self.cursor] = b;
        (self.len, self.cursor, self.modified) = (self.len + 1, self.cursor + 1, true);
        self.goal = self.position().1;
        true
    }

    /// Ends the line at the cursor; the new line starts with the old one's indentation.
    pub fn newline(&mut self) -> bool {
        let start = self.start_of_cursor_line();
        let indent = self.text()[start..self.cursor].iter().take_while(|&&b| b == b' ').count();
        self.insert(b'\n') && (0..indent).all(|_| self.insert(b' '))
    }

    /// Removes the byte before the cursor (joining lines at a line's start).
    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            self.delete();
        }
    }

    /// Removes the byte at the cursor.
    pub fn delete(&mut self) {
        if self.cursor < self.len {
            self.bytes.copy_within(self.cursor + 1..self.len, self.cursor);
            (self.len, self.modified) = (self.len - 1, true);
        }
        self.goal = self.position().1;
    }

    /// Puts the cursor on `line` at `col` (each clamped to what is there): a click.
    pub fn goto(&mut self, line: usize, col: usize) {
        let start = self.line_start(line.min(self.lines() - 1));
        self.cursor = start + col.min(self.line_at(start).len());
        self.goal = self.position().1;
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
        self.goal = self.position().1;
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.len);
        self.goal = self.position().1;
    }

    pub fn home(&mut self) {
        self.cursor = self.start_of_cursor_line();
        self.goal = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.start_of_cursor_line() + self.line_at(self.start_of_cursor_line()).len();
        self.goal = self.position().1;
    }

    /// Moves `by` lines up (negative) or down, to the goal column or the line's end if shorter;
    /// past the first or last line it stops there.
    pub fn vertical(&mut self, by: isize) {
        let (line, _) = self.position();
        let to = line.saturating_add_signed(by).min(self.lines() - 1);
        let start = self.line_start(to);
        self.cursor = start + self.goal.min(self.line_at(start).len());
    }

    pub fn up(&mut self) {
        self.vertical(-1);
    }

    pub fn down(&mut self) {
        self.vertical(1);
    }

    /// A page up: the view and the cursor move `rows - 1` lines.
    pub fn page_up(&mut self, rows: usize) {
        let step = rows.saturating_sub(1).max(1);
        self.top = self.top.saturating_sub(step);
        self.vertical(-(step as isize));
    }

    pub fn page_down(&mut self, rows: usize) {
        let step = rows.saturating_sub(1).max(1);
        self.top = (self.top + step).min(self.lines().saturating_sub(1));
        self.vertical(step as isize);
    }

    /// Scrolls so that the cursor's line is among the `rows` lines shown.
    pub fn scroll_to_cursor(&mut self, rows: usize) {
        let (line, _) = self.position();
        let rows = rows.max(1);
        if line < self.top {
            self.top = line;
        } else if line >= self.top + rows {
            self.top = line + 1 - rows;
        }
    }
}
