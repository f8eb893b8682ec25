//! files: rost's file manager. Lists a folder of the file server (names, sizes, dates; folders
//! first, a `..` entry to go up), moves into and out of folders (click a selected entry or
//! Enter; Backspace goes up), opens what is selected (text and sources in the Editor, `.htm`
//! pages in the Browser, programs in /BIN run), and makes folders, renames and deletes through
//! a small prompt in the window (ctrl+n, ctrl+r, Delete, or the buttons in the header); a
//! letter selects the next entry starting with it. Paths
//! and the listing's columns come from the pure `text::path`; view.rs draws. What it does also
//! goes to the debug console as `[files] ...` lines, for tests and headless runs.
#![no_std]
#![no_main]

mod view;

use librost::abi::{Error, PROC_ZOMBIE};
use librost::file::Fs;
use librost::ui::field::{Edit, Field};
use librost::ui::keymap::Key;
use librost::window::{Event, Window};
use librost::{Line, getpid, proc_info, spawn, wait};
use text::path::{self, Opener, Path};

/// Most entries a folder shows.
const ENTRIES: usize = 128;
/// Most bytes of a name (as the file server reports them).
const NAME: usize = librost::abi::fs::NAME;

#[derive(Clone, Copy)]
pub struct Entry {
    name: [u8; NAME],
    name_len: usize,
    pub size: u32,
    pub dir: bool,
    /// (year, month, day, hour, minute, second); None for `..`.
    pub modified: Option<(u16, u8, u8, u8, u8, u8)>,
}

impl Entry {
    const UP: Entry = Entry { name: [b'.'; NAME], name_len: 2, size: 0, dir: true, modified: None };

    pub fn name(&self) -> &[u8] {
        &self.name[..self.name_len]
    }
}

/// What the prompt at the bottom asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    NewFolder,
    Rename,
    /// Delete the selected entry? (y / Enter, n / Esc)
    Delete,
}

pub struct Files {
    pub dir: Path,
    pub entries: [Entry; ENTRIES],
    pub count: usize,
    pub selected: usize,
    /// The first entry shown.
    pub top: usize,
    /// Rows of entries the window shows (as last drawn).
    pub rows: usize,
    pub prompt: Option<(Ask, Field)>,
    /// The status line's message (what the last action did).
    pub message: Option<Line>,
    pub message_is_error: bool,
    pub focused: bool,
}

static mut FILES: Files = Files {
    dir: Path::root(),
    entries: [Entry::UP; ENTRIES],
    count: 0,
    selected: 0,
    top: 0,
    rows: 1,
    prompt: None,
    message: None,
    message_is_error: false,
    focused: false,
};

librost::entry!(main);

fn main(args: &[&[u8]]) -> u64 {
    let Ok(mut win) = Window::open(b"Files") else {
        Line::new().s(b"[files] no window manager").send();
        return 1;
    };
    // SAFETY: the only reference to FILES, taken once (too large for the stack).
    let f = unsafe { &mut *&raw mut FILES };
    f.dir = args.get(1).and_then(|a| Path::new(a)).unwrap_or(Path::root());
    f.list();
    let mut children = 0;
    loop {
        // While programs it started run, wake up now and then to reap those that ended.
        let timeout = if children > 0 { 1_000_000_000 } else { u64::MAX };
        if let Some(event) = win.next_event_within(timeout) {
            match event {
                Event::Resize { .. } | Event::Redraw => {}
                Event::Focus(focused) => f.focused = focused,
                Event::Close => break,
                Event::Key(k) => f.key(k),
                Event::Click { x, y } => f.click(x, y, win.size()),
            }
            view::draw(&mut win, f);
        }
        children = reap();
    }
    win.exit();
    0
}

/// Reaps the programs it started that have ended; how many still run.
fn reap() -> usize {
    let (me, mut after, mut running) = (getpid(), 0, 0);
    while let Some(p) = proc_info(after) {
        after = p.pid;
        if p.parent == me {
            match p.state {
                PROC_ZOMBIE => {
                    let _ = wait(p.pid);
                }
                _ => running += 1,
            }
        }
    }
    running
}

/// A short reason for an error of the file server.
fn why(e: Error) -> &'static [u8] {
    match e {
        Error::NoEnt => b"not found",
        Error::Inval => b"not allowed (a name taken, invalid, or a folder not empty)",
        Error::Perm => b"in use",
        Error::NoMem => b"the disk is full",
        _ => b"failed",
    }
}

impl Files {
    fn say(&mut self, what: &[u8], error: bool) {
        let mut l = Line::new();
        l.s(what);
        (self.message, self.message_is_error) = (Some(l), error);
        Line::new().s(b"[files] ").s(what).send();
    }

    /// Reads the folder: `..` first (but in the root), then folders and files by name.
    fn list(&mut self) {
        let fs = Fs::SERVER;
        self.count = 0;
        if !self.dir.is_root() {
            self.entries[0] = Entry::UP;
            self.count = 1;
        }
        let fd = match fs.open(self.dir.as_bytes(), false) {
            Ok(fd) => fd,
            Err(e) => return self.say(Line::new().s(self.dir.as_bytes()).s(b": ").s(why(e)).as_bytes(), true),
        };
        let mut i = 0;
        while self.count < ENTRIES {
            let Ok(st) = fs.readdir(fd, i) else { break };
            i += 1;
            let mut e = Entry { name: [0; NAME], name_len: st.name().len().min(NAME), size: st.size, dir: st.dir, modified: Some(st.modified()) };
            e.name[..e.name_len].copy_from_slice(&st.name()[..e.name_len]);
            self.entries[self.count] = e;
            self.count += 1;
        }
        let _ = fs.close(fd);
        let first = usize::from(!self.dir.is_root());
        self.entries[first..self.count].sort_unstable_by(|a, b| path::order((a.dir, a.name()), (b.dir, b.name())));
        self.selected = self.selected.min(self.count.saturating_sub(1));
        let mut l = Line::new();
        l.s(b"listed ").s(self.dir.as_bytes()).s(b": ").dec((self.count - first) as u64).s(b" entries");
        Line::new().s(b"[files] ").s(l.as_bytes()).send();
    }

    /// Goes into folder `dir` (or up), selecting `select` there if it is listed.
    fn go(&mut self, dir: Path, select: &[u8]) {
        self.dir = dir;
        (self.selected, self.top, self.message) = (0, 0, None);
        self.list();
        if let Some(i) = self.entries[..self.count].iter().position(|e| e.name() == select) {
            self.selected = i;
        }
    }

    fn up(&mut self) {
        if !self.dir.is_root() {
            let name = self.dir;
            self.go(self.dir.parent(), name.name());
        }
    }

    fn selected_path(&self) -> Option<Path> {
        let e = self.entries.get(self.selected).filter(|_| self.selected < self.count)?;
        if e.modified.is_none() {
            return None;
        }
        self.dir.join(e.name())
    }

    /// Opens the selected entry: a folder is entered, a program run, a page browsed, anything
    /// else edited.
    fn open(&mut self) {
        if self.count == 0 {
            return;
        }
        let e = self.entries[self.selected];
        let Some(path) = self.selected_path() else { return self.up() };
        let (program, args): (&[u8], [&[u8]; 1]) = match path::opener(&path, e.dir) {
            Opener::Enter => return self.go(path, b""),
            Opener::Run => (path.as_bytes(), [b""]),
            Opener::Browse => (path::BROWSER, [path.as_bytes()]),
            Opener::Edit => (path::EDITOR, [path.as_bytes()]),
        };
        let args = if program == path.as_bytes() { &args[..0] } else { &args[..] };
        let label = Path::new(program).unwrap_or(Path::root());
        let mut l = Line::new();
        match spawn(program, args) {
            Ok(pid) => {
                l.s(b"started ").s(program);
                for a in args {
                    l.s(b" ").s(a);
                }
                l.s(b" as task ").dec(pid)
            }
            Err(Error::NoEnt) => l.s(label.name()).s(b" is not installed yet"),
            Err(_) => l.s(b"could not start ").s(label.name()),
        };
        let failed = !l.as_bytes().starts_with(b"started");
        self.say(l.as_bytes(), failed);
    }

    fn ask(&mut self, what: Ask) {
        let name = match self.selected_path() {
            Some(p) => p,
            None if what == Ask::NewFolder => Path::root(),
            None => return self.say(b"select a file or folder first", true),
        };
        let field = match what {
            Ask::NewFolder => Field::new(b""),
            Ask::Rename => Field::new(name.name()),
            Ask::Delete => Field::new(b""),
        };
        self.prompt = Some((what, field));
    }

    /// The prompt's answer: make, rename or delete, then list the folder again.
    fn answer(&mut self, what: Ask, text: &[u8]) {
        let fs = Fs::SERVER;
        let selected = self.selected_path();
        let mut l = Line::new();
        let result = match (what, selected) {
            (Ask::NewFolder, _) => self.dir.join(text).ok_or(Error::Inval).and_then(|p| {
                l.s(b"made folder ").s(p.as_bytes());
                fs.mkdir(p.as_bytes())
            }),
            (Ask::Rename, Some(from)) => self.dir.join(text).ok_or(Error::Inval).and_then(|to| {
                l.s(b"renamed ").s(from.as_bytes()).s(b" to ").s(to.as_bytes());
                fs.rename(from.as_bytes(), to.as_bytes())
            }),
            (Ask::Delete, Some(p)) => {
                l.s(b"deleted ").s(p.as_bytes());
                fs.delete(p.as_bytes())
            }
            (_, None) => return,
        };
        match result {
            Ok(()) => {
                let keep = Path::new(text).filter(|_| what != Ask::Delete);
                let selected = self.selected;
                self.go(self.dir, keep.as_ref().map_or(b"", |p| p.name()));
                if what == Ask::Delete {
                    self.selected = selected.min(self.count.saturating_sub(1));
                }
                self.say(l.as_bytes(), false);
            }
            Err(e) => {
                let mut l = Line::new();
                let verb: &[u8] = match what {
                    Ask::NewFolder => b"make the folder",
                    Ask::Rename => b"rename",
                    Ask::Delete => b"delete",
                };
                l.s(b"could not ").s(verb);
                l.s(b": ").s(why(e));
                self.say(l.as_bytes(), true);
            }
        }
    }

    fn key(&mut self, k: Key) {
        if let Some((what, field)) = &mut self.prompt {
            let what = *what;
            let done = match (what, k) {
                (Ask::Delete, Key::Char(b'y') | Key::Enter) => Edit::Done,
                (Ask::Delete, Key::Char(b'n' | 0x1b)) => Edit::Cancel,
                (Ask::Delete, _) => Edit::Ignored,
                _ => field.key(k),
            };
            match done {
                Edit::Done => {
                    let field = *field;
                    self.prompt = None;
                    self.answer(what, field.text());
                }
                Edit::Cancel => self.prompt = None,
                Edit::Changed | Edit::Ignored => {}
            }
            return;
        }
        let last = self.count.saturating_sub(1);
        match k {
            Key::Up => self.selected = self.selected.saturating_sub(1),
            Key::Down => self.selected = (self.selected + 1).min(last),
            Key::Home => self.selected = 0,
            Key::End => self.selected = last,
            Key::PageUp => self.selected = self.selected.saturating_sub(self.rows.max(2) - 1),
            Key::PageDown => self.selected = (self.selected + self.rows.max(2) - 1).min(last),
            Key::Enter => self.open(),
            Key::Backspace => self.up(),
            Key::Delete => self.ask(Ask::Delete),
            Key::Ctrl(b'n') => self.ask(Ask::NewFolder),
            Key::Ctrl(b'r') => self.ask(Ask::Rename),
            Key::Char(c) if c.is_ascii_alphanumeric() => self.jump(c),
            _ => {}
        }
    }

    /// Selects the next entry (after the selected one, wrapping) whose name starts with `c`.
    fn jump(&mut self, c: u8) {
        let starts = |e: &Entry| e.name().first().is_some_and(|f| f.eq_ignore_ascii_case(&c));
        let n = self.count;
        if let Some(i) = (1..=n).map(|k| (self.selected + k) % n).find(|&i| starts(&self.entries[i])) {
            self.selected = i;
        }
    }

    /// A click on an entry selects it, on the selected one opens it; the header's buttons ask.
    fn click(&mut self, x: u32, y: u32, size: (u32, u32)) {
        if self.prompt.is_some() {
            return;
        }
        if let Some(ask) = view::button_at(x, y, size.0) {
            return self.ask(ask);
        }
        if let Some(i) = view::row_at(self, y).filter(|&i| i < self.count) {
            if i == self.selected {
                self.open();
            } else {
                self.selected = i;
            }
        }
    }
}
