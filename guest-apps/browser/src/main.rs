//! browser: rost's web browser for the pages on its disk. It opens the file named by its
//! argument (default /DOCS/INDEX.HTM) through the file server, parses and lays it out with the
//! html crate (whose `browse` module also decides HTML or plain text, the error page, history and
//! scrolling), and draws it with the toolkit (view.rs). Arrows, Page Up/Down, Home/End scroll;
//! a click on a link follows it (paths resolved against the page's); Backspace goes back; the
//! window's title is the page's. What it does also goes to the debug console as `[browser] ...`
//! lines, for tests and headless runs.
#![no_std]
#![no_main]

extern crate alloc;

mod view;

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use html::browse::{History, MAX_PAGE, PAGE_MEMORY, cells, clamp_scroll, document_for, error_page};
use html::{CellFont, Document, Page, layout, resolve};
use librost::abi::{Error, MAX_IMAGE};
use librost::file::Fs;
use librost::ui::draw::{CHAR_H, CHAR_W, Rect};
use librost::ui::keymap::Key;
use librost::window::{Event, Window};
use librost::{Line, shm_map, shm_unmap};

const HOME: &str = "/DOCS/INDEX.HTM";
const FONT: CellFont = CellFont { width: CHAR_W, height: CHAR_H };
/// What an arrow key scrolls: three lines.
const STEP: i64 = 3 * CHAR_H as i64;

/// The heap (the DOM and the layout are Vecs and Strings), on a static arena: one page at a
/// time (the old one is dropped before the next is read), twice its most for the allocator's
/// power-of-two rounding, and room for the rest.
#[global_allocator]
static HEAP: heap::Heap = heap::Heap::new();
const ARENA_SIZE: usize = 2 * PAGE_MEMORY + (1 << 20);
#[repr(C, align(4096))]
struct Arena([u8; ARENA_SIZE]);
static mut ARENA: Arena = Arena([0; ARENA_SIZE]);

librost::entry!(main);

struct Browser {
    path: String,
    doc: Document,
    page: Page,
    scroll: u32,
    history: History,
}

fn main(args: &[&[u8]]) -> u64 {
    HEAP.grant(&raw mut ARENA as usize, &raw mut ARENA as usize + ARENA_SIZE);
    let path = args.get(1).map_or(HOME, |a| core::str::from_utf8(a).unwrap_or(HOME));
    // Read before the window exists: the file client drops the window manager's messages that
    // arrive while it waits for the file server, and the first Resize must not be one of them.
    let mut b = Browser { path: String::from(path), doc: load(path), page: Page::default(), scroll: 0, history: History::default() };
    let Ok(mut win) = Window::open(b"Browser") else {
        Line::new().s(b"[browser] no window manager").send();
        return 1;
    };
    b.retitle(&win);
    loop {
        match win.next_event() {
            Event::Resize { width, .. } => {
                b.page = layout(&b.doc, &FONT, view::page_width(width));
                b.scroll_by(&win, 0);
            }
            Event::Focus(_) | Event::Redraw => {}
            Event::Close => break,
            Event::Key(k) => {
                let view = view::page_height(win.size().1) as i64;
                match k {
                    Key::Down => b.scroll_by(&win, STEP),
                    Key::Up => b.scroll_by(&win, -STEP),
                    Key::PageDown | Key::Char(b' ') => b.scroll_by(&win, view - CHAR_H as i64),
                    Key::PageUp => b.scroll_by(&win, -(view - CHAR_H as i64)),
                    Key::Home => b.scroll_by(&win, -(b.scroll as i64)),
                    Key::End => b.scroll_by(&win, b.page.height as i64),
                    Key::Backspace => b.back(&win),
                    _ => continue,
                }
            }
            Event::Click { x, y } => {
                let Some((px, py)) = view::to_page(x, y, b.scroll, win.size().1) else { continue };
                let Some(href) = b.page.link_at(px, py).map(String::from) else { continue };
                b.follow(&win, &href);
            }
        }
        draw(&mut win, &b);
    }
    win.exit();
    0
}

impl Browser {
    fn scroll_by(&mut self, win: &Window, delta: i64) {
        let view = view::page_height(win.size().1);
        self.scroll = clamp_scroll(self.scroll as i64 + delta, self.page.height, view);
    }

    /// Shows `path` (from the history: at `scroll`).
    fn show(&mut self, win: &Window, path: String, scroll: u32) {
        (self.doc, self.page) = (Document::default(), Page::default()); // one page in memory at a time
        self.doc = load(&path);
        self.path = path;
        self.page = layout(&self.doc, &FONT, view::page_width(win.size().0));
        self.scroll = 0;
        self.scroll_by(win, scroll as i64);
        self.retitle(win);
    }

    fn follow(&mut self, win: &Window, href: &str) {
        let Some(target) = resolve(&self.path, href) else {
            Line::new().s(b"[browser] not a file on this disk: ").s(href.as_bytes()).send();
            return;
        };
        Line::new().s(b"[browser] link ").s(href.as_bytes()).s(b" -> ").s(target.as_bytes()).send();
        let here = core::mem::take(&mut self.path);
        self.history.push(&here, self.scroll);
        self.show(win, target, 0);
    }

    fn back(&mut self, win: &Window) {
        match self.history.back() {
            Some((path, scroll)) => {
                Line::new().s(b"[browser] back to ").s(path.as_bytes()).send();
                self.show(win, path, scroll);
            }
            None => Line::new().s(b"[browser] no page to go back to").send(),
        }
    }

    /// The window's title: the page's, else the file's name.
    fn retitle(&self, win: &Window) {
        let title = self.doc.title();
        let name = self.path.rsplit('/').next().unwrap_or("");
        let t = cells(if title.is_empty() { name } else { &title });
        win.set_title(&t);
        Line::new().s(b"[browser] title: ").s(&t).send();
    }
}

fn draw(win: &mut Window, b: &Browser) {
    let (w, h) = win.size();
    if w == 0 || h == 0 {
        return;
    }
    view::draw(&mut win.canvas(Rect::new(0, 0, w, h)), &b.page, b.scroll, &b.path, (w, h));
    win.show();
}

/// The document for `path`: the file's first `MAX_PAGE` bytes, or the error page.
fn load(path: &str) -> Document {
    match read(path.as_bytes()) {
        Ok((bytes, size)) => {
            Line::new().s(b"[browser] open ").s(path.as_bytes()).s(b", ").dec(size as u64).s(b" bytes").send();
            document_for(path, &bytes, size > bytes.len())
        }
        Err(e) => {
            let why = match e {
                Error::NoEnt => "no such file",
                Error::Inval => "not a readable file name",
                Error::Io => "the disk failed",
                _ => "cannot be read",
            };
            Line::new().s(b"[browser] cannot open ").s(path.as_bytes()).s(b": ").s(why.as_bytes()).send();
            error_page(path, why)
        }
    }
}

/// At most MAX_PAGE bytes of the file at `path`, and the file's size. A file the server lends
/// whole (up to MAX_IMAGE) comes in one piece; a larger one through reads.
fn read(path: &[u8]) -> Result<(Vec<u8>, usize), Error> {
    let fs = Fs::SERVER;
    let stat = fs.stat(path)?;
    if stat.dir {
        return Err(Error::NoEnt);
    }
    let size = stat.size as usize;
    let mut bytes = vec![0u8; size.min(MAX_PAGE)];
    if size == 0 {
        return Ok((bytes, 0));
    }
    let fd = fs.open(path, false)?;
    let got = if size as u64 <= MAX_IMAGE { copy_mapped(&fs, fd, &mut bytes) } else { fs.read(fd, &mut bytes) };
    let _ = fs.close(fd);
    bytes.truncate(got?);
    Ok((bytes, size))
}

/// Fills `out` from the start of the file lent in shared memory.
fn copy_mapped(fs: &Fs, fd: u32, out: &mut [u8]) -> Result<usize, Error> {
    let (id, size) = fs.map(fd)?;
    let va = shm_map(id, 0)?;
    let n = size.min(out.len());
    // SAFETY: the file server's object holds the file's `size` bytes from its start.
    out[..n].copy_from_slice(unsafe { core::slice::from_raw_parts(va as *const u8, n) });
    shm_unmap(id)?;
    Ok(n)
}
