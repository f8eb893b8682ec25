//! The terminal's text: a scrollback of lines (the oldest dropped when full), the input line
//! being edited (cursor, insert, backspace, left/right, home/end) and its history (up/down).
//! Pure logic, no drawing.

pub const COLS: usize = 160;
pub const LINES: usize = 300;
const HISTORY: usize = 16;

#[derive(Clone, Copy)]
pub struct Text {
    pub bytes: [u8; COLS],
    pub len: usize,
}

impl Text {
    const EMPTY: Text = Text { bytes: [0; COLS], len: 0 };

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    fn set(&mut self, s: &[u8]) {
        self.len = s.len().min(COLS);
        self.bytes[..self.len].copy_from_slice(&s[..self.len]);
    }
}

pub struct Console {
    /// Ring of lines; `first` is the oldest, `count` are in use; the last one is open.
    lines: [Text; LINES],
    first: usize,
    count: usize,
    /// Line wrap width in characters.
    pub width: usize,
    pub input: Text,
    pub cursor: usize,
    history: [Text; HISTORY],
    hist_len: usize,
    /// While browsing history: how far back (0: the line being typed).
    hist_at: usize,
}

impl Console {
    pub const fn new() -> Console {
        Console {
            lines: [Text::EMPTY; LINES],
            first: 0,
            count: 1,
            width: COLS,
            input: Text::EMPTY,
            cursor: 0,
            history: [Text::EMPTY; HISTORY],
            hist_len: 0,
            hist_at: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    /// Line `i`, 0 the oldest kept.
    pub fn line(&self, i: usize) -> &[u8] {
        self.lines[(self.first + i) % LINES].as_bytes()
    }

    fn last(&mut self) -> &mut Text {
        &mut self.lines[(self.first + self.count - 1) % LINES]
    }

    fn newline(&mut self) {
        if self.count == LINES {
            self.first = (self.first + 1) % LINES;
        } else {
            self.count += 1;
        }
        *self.last() = Text::EMPTY;
    }

    /// Appends output; `\n` ends a line, long lines wrap at `width`.
    pub fn write(&mut self, s: &[u8]) {
        for &b in s {
            if b == b'\n' {
                self.newline();
                continue;
            }
            if self.last().len >= self.width.min(COLS) {
                self.newline();
            }
            let c = if (0x20..0x7f).contains(&b) { b } else { b'?' };
            let last = self.last();
            last.bytes[last.len] = c;
            last.len += 1;
        }
    }

    pub fn clear(&mut self) {
        (self.first, self.count) = (0, 1);
        self.lines[0] = Text::EMPTY;
    }

    pub fn insert(&mut self, c: u8) {
        let t = &mut self.input;
        if t.len < COLS - 1 {
            t.bytes.copy_within(self.cursor..t.len, self.cursor + 1);
            t.bytes[self.cursor] = c;
            t.len += 1;
            self.cursor += 1;
        }
    }

    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            let t = &mut self.input;
            t.bytes.copy_within(self.cursor..t.len, self.cursor - 1);
            t.len -= 1;
            self.cursor -= 1;
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.input.len);
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.input.len;
    }

    /// Up (`older`) or down through the history.
    pub fn history(&mut self, older: bool) {
        let at = if older { (self.hist_at + 1).min(self.hist_len.min(HISTORY)) } else { self.hist_at.saturating_sub(1) };
        if at == self.hist_at {
            return;
        }
        self.hist_at = at;
        let line = if at == 0 { Text::EMPTY } else { self.history[(self.hist_len - at) % HISTORY] };
        self.input.set(line.as_bytes());
        self.cursor = self.input.len;
    }

    /// Takes the input line (kept in the history unless empty).
    pub fn take_input(&mut self) -> Text {
        let line = core::mem::replace(&mut self.input, Text::EMPTY);
        if line.len > 0 {
            self.history[self.hist_len % HISTORY] = line;
            self.hist_len += 1;
        }
        self.hist_at = 0;
        self.cursor = 0;
        line
    }
}
