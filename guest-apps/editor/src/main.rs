//! editor: rost's text editor. Opens the file named by its argument (from the shell's `run
//! EDITOR /DOCS/SAMPLE.RS`, or from Files); a missing file is a new one, saved under that name,
//! and without an argument ctrl+s asks for a name. The text and its editing live in the pure
//! `text::buffer` (host-tested), highlighting in `text::rust`; this file is the message loop,
//! loading and saving through the file server, and view.rs draws. What it does also goes to
//! the debug console as `[editor] ...` lines, for tests and headless runs.
#![no_std]
#![no_main]

mod view;

use librost::Line;
use librost::abi::Error;
use librost::file::Fs;
use librost::ui::field::{Edit, Field};
use librost::ui::keymap::Key;
use librost::window::{Event, Window};
use text::buffer::{Buffer, CAPACITY};
use text::path::Path;

static mut BUFFER: Buffer = Buffer::new();
/// Where a file is read before it goes into the buffer (one byte more, to see it is too long).
static mut LOADING: [u8; CAPACITY + 1] = [0; CAPACITY + 1];

/// The editor's state besides the text.
pub struct Editor {
    pub buf: &'static mut Buffer,
    /// The file, None until a name is given.
    pub path: Option<Path>,
    /// Whether the text is highlighted as Rust (a `.rs` file).
    pub rust: bool,
    /// The first column shown (horizontal scrolling).
    pub left: usize,
    /// The status line's message (what the last load or save did).
    pub message: Line,
    pub message_is_error: bool,
    /// The "save as" prompt while it is open.
    pub prompt: Option<Field>,
    pub focused: bool,
    /// Text rows the window shows (as last drawn).
    pub rows: usize,
    /// Whether a Close was refused once because of unsaved changes.
    pub warned: bool,
}

librost::entry!(main);

fn main(args: &[&[u8]]) -> u64 {
    let path = args.get(1).and_then(|a| Path::new(a));
    let mut title = Line::new();
    title.s(b"Editor");
    if let Some(p) = &path {
        title.s(b" - ").s(p.name());
    }
    let Ok(mut win) = Window::open(title.as_bytes()) else {
        Line::new().s(b"[editor] no window manager").send();
        return 1;
    };
    // SAFETY: the only references to these statics, taken once (too large for the stack).
    let (buf, loading) = unsafe { (&mut *&raw mut BUFFER, &mut *&raw mut LOADING) };
    let mut ed = Editor { buf, path: None, rust: false, left: 0, message: Line::new(), message_is_error: false, prompt: None, focused: false, rows: 1, warned: false };
    match path {
        Some(p) => ed.open(p, loading),
        None if args.len() > 1 => ed.say(b"that path is too long", None, b"", true),
        None => ed.say(b"new file: ctrl+s saves it", None, b"", false),
    }
    loop {
        match win.next_event() {
            Event::Resize { .. } | Event::Redraw => {}
            Event::Focus(f) => ed.focused = f,
            // Unsaved changes are not lost to one click: the first Close only warns.
            Event::Close if ed.buf.modified() && !ed.warned => {
                ed.warned = true;
                ed.say(b"unsaved changes: ctrl+s saves, close again discards them", None, b"", true);
            }
            Event::Close => break,
            Event::Key(k) => ed.key(k),
            Event::Click { x, y } => ed.click(x, y),
        }
        view::draw(&mut win, &mut ed);
    }
    win.exit();
    0
}

impl Editor {
    /// Reports what happened: `verb` and `tail` in the status line, and with the path between
    /// them on the debug console (`[editor] saved /DOCS/A.RS (12 bytes)`).
    fn say(&mut self, verb: &[u8], path: Option<&Path>, tail: &[u8], error: bool) {
        self.message = Line::new();
        self.message.s(verb).s(tail);
        self.message_is_error = error;
        let mut l = Line::new();
        l.s(b"[editor] ").s(verb);
        if let Some(p) = path {
            l.s(b" ").s(p.as_bytes());
        }
        l.s(tail).send();
    }

    /// Loads `path`; a missing file starts empty (a new file saved under that name).
    fn open(&mut self, path: Path, loading: &mut [u8; CAPACITY + 1]) {
        let fs = Fs::SERVER;
        self.rust = text::path::extension(path.name()).eq_ignore_ascii_case(b"rs");
        let mut l = Line::new();
        match fs.stat(path.as_bytes()) {
            Ok(st) if st.dir => return self.say(b"cannot edit a folder:", Some(&path), b"", true),
            Ok(_) => {}
            Err(Error::NoEnt) => {
                self.path = Some(path);
                return self.say(b"new file", Some(&path), b"", false);
            }
            Err(_) => return self.say(b"cannot open", Some(&path), b"", true),
        }
        let read = fs.open(path.as_bytes(), false).and_then(|fd| {
            let n = fs.read(fd, loading);
            let _ = fs.close(fd);
            n
        });
        match read {
            Ok(n) if n <= CAPACITY => {
                self.buf.load(&loading[..n]);
                self.path = Some(path);
                self.say(b"opened", Some(&path), l.s(b" (").dec(n as u64).s(b" bytes)").as_bytes(), false);
            }
            Ok(_) => self.say(b"larger than 64 KiB:", Some(&path), b"", true),
            Err(_) => self.say(b"cannot read", Some(&path), b"", true),
        }
    }

    /// Writes the text to its file (emptied first); asks for a name if it has none.
    fn save(&mut self) {
        let Some(path) = self.path else {
            self.prompt = Some(Field::new(b"/DOCS/"));
            return self.say(b"save as: a path, enter saves, esc cancels", None, b"", false);
        };
        let fs = Fs::SERVER;
        let wrote = fs.open_truncated(path.as_bytes()).and_then(|fd| {
            let w = fs.write(fd, self.buf.text());
            let _ = fs.close(fd);
            w
        });
        let mut l = Line::new();
        match wrote {
            Ok(n) => {
                self.buf.saved();
                self.say(b"saved", Some(&path), l.s(b" (").dec(n as u64).s(b" bytes)").as_bytes(), false);
            }
            Err(e) => {
                let why: &[u8] = match e {
                    Error::NoEnt => b": no such folder",
                    Error::Inval => b": not a valid file name",
                    Error::NoMem => b": the disk is full",
                    Error::Perm => b": the file is in use",
                    _ => b": failed",
                };
                self.say(b"could not save", Some(&path), why, true);
            }
        }
    }

    fn key(&mut self, k: Key) {
        let rows = self.rows;
        if let Some(field) = &mut self.prompt {
            match field.key(k) {
                Edit::Done => {
                    let path = Path::new(field.text()).filter(|p| !p.is_root());
                    self.prompt = None;
                    match path {
                        Some(p) => {
                            self.rust = text::path::extension(p.name()).eq_ignore_ascii_case(b"rs");
                            self.path = Some(p);
                            self.save();
                        }
                        None => self.say(b"not a file name", None, b"", true),
                    }
                }
                Edit::Cancel => {
                    self.prompt = None;
                    self.say(b"not saved", None, b"", false);
                }
                Edit::Changed | Edit::Ignored => {}
            }
            return;
        }
        if k == Key::Ctrl(b's') {
            return self.save();
        }
        let b = &mut *self.buf;
        let mut room = true;
        match k {
            Key::Char(0x1b) | Key::Ctrl(_) => {}
            Key::Char(c) => room = b.insert(c),
            Key::Enter => room = b.newline(),
            Key::Backspace => b.backspace(),
            Key::Delete => b.delete(),
            Key::Left => b.left(),
            Key::Right => b.right(),
            Key::Up => b.up(),
            Key::Down => b.down(),
            Key::Home => b.home(),
            Key::End => b.end(),
            Key::PageUp => b.page_up(rows),
            Key::PageDown => b.page_down(rows),
        }
        if !room {
            self.say(b"the text is full (64 KiB)", None, b"", true);
        }
        self.buf.scroll_to_cursor(rows);
    }

    /// A click in the text puts the cursor there.
    fn click(&mut self, x: u32, y: u32) {
        if self.prompt.is_some() {
            return;
        }
        if let Some((line, col)) = view::cell_at(self, x, y) {
            self.buf.goto(line, col);
        }
    }
}
