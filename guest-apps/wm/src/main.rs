//! wm: rost's window manager, an EL0 server process (the file server starts it when the
//! bootargs say `rost.desktop`). It maps the framebuffer (which makes the kernel send it every
//! input event), owns the window list and speaks the window protocol of `abi::wm`:
//! - a menu bar with an entry per app (hover highlight; a click spawns `/BIN/<APP>`; an app that
//!   is not on the disk gets a "not installed yet" notice in the bar);
//! - tiling of 1 to 4 windows (layout.rs; a fifth is refused with a notice and sent Close),
//!   chrome with title and close button, click-to-focus with the focused window in the accent
//!   colour, keys routed to the focused app through the kernel (RouteInput), clicks inside a
//!   window routed with window-relative coordinates;
//! - compositing: each change repaints only its damaged rectangle (desktop, bar, chrome, the
//!   apps' shared buffers, the pointer on top) and flushes only that rectangle; an app's
//!   UpdateBuffer names the rectangle it changed, clipped to its window (logged when it reaches
//!   past the app's buffer, dropped when nothing of it is in the buffer);
//! - a window goes when its app says Exit or when the kernel's exit notice comes (crash, kill,
//!   Close obeyed): the others are re-tiled and redrawn.
//! - an app renames its window with SetTitle (the Browser: the page's title).
#![no_std]
#![no_main]

mod layout;
mod theme;

use layout::{APPS, MAX_WINDOWS, MENU_H};
use librost::abi::wm::{AppToWm, KernelToWm, TITLE, WmToApp, WmToKernel};
use librost::abi::{Error, INPUT_BUTTON, INPUT_KEY, INPUT_POINTER, InputEvent, MSG_EXITED, Message, SHM_MAX, SHM_BASE};
use librost::ui::draw::{CHAR_H, CHAR_W, Canvas, POINTER_H, POINTER_W, Rect};
use librost::{Line, fb_flush, fb_info, fb_map, mailbox, send_message, send_nowait, shm_map, shm_unmap, spawn, wait};

/// Sends `msg` to app `pid` without waiting: an app whose mailbox is full (one that stopped
/// reading) misses it rather than hanging the desktop.
fn tell(pid: u64, msg: WmToApp) {
    if send_nowait(pid, &msg.encode()).is_err() {
        Line::new().s(b"[wm] task ").dec(pid).s(b" is not reading its messages").send();
    }
}

/// evdev code of the left mouse button.
const BTN_LEFT: u32 = 272;

#[derive(Clone, Copy)]
struct Win {
    pid: u64,
    shm: u64,
    title: [u8; TITLE],
    title_len: usize,
    buf: &'static [u32],
    stride: u32,
    tile: Rect,
}

struct Wm {
    fb: &'static mut [u32],
    w: u32,
    h: u32,
    wins: [Option<Win>; MAX_WINDOWS],
    /// Apps started from the menu that have not made their window yet.
    pending: [u64; MAX_WINDOWS],
    focus: Option<u64>,
    pointer: (u32, u32),
    hover: Option<usize>,
    notice: Line,
}

librost::entry!(main);

fn main(_: &[&[u8]]) -> u64 {
    let Ok((w, h)) = fb_info() else { return 1 };
    let Ok(fb) = fb_map() else { return 1 };
    // SAFETY: fb_map mapped w * h pixels read-write at `fb`, for this process alone.
    let fb = unsafe { core::slice::from_raw_parts_mut(fb as *mut u32, w as usize * h as usize) };
    let mut wm = Wm { fb, w, h, wins: [None; MAX_WINDOWS], pending: [0; MAX_WINDOWS], focus: None, pointer: (w / 2, h / 2), hover: None, notice: Line::new() };
    wm.paint(Rect::new(0, 0, w, h));
    Line::new().s(b"[wm] desktop up, ").dec(w as u64).s(b"x").dec(h as u64).send();
    loop {
        let Ok(m) = mailbox::recv(u64::MAX) else { continue }; // what came while spawning first
        wm.message(&m);
    }
}

impl Wm {
    fn count(&self) -> usize {
        self.wins.iter().flatten().count()
    }

    fn message(&mut self, m: &Message) {
        if m.sender == 0 && m.kind == MSG_EXITED {
            let pid = m.u64_at(0);
            let _ = wait(pid); // reaps it if it was ours
            self.pending.iter_mut().filter(|p| **p == pid).for_each(|p| *p = 0);
            self.remove(pid);
        } else if m.sender == 0 {
            match KernelToWm::decode(m) {
                Ok(KernelToWm::InputEvent { mouse_x, mouse_y, event, .. }) => self.input(mouse_x, mouse_y, event),
                Err(_) => Line::new().s(b"[wm] dropped a malformed kernel message").send(),
            }
        } else {
            match AppToWm::decode(m) {
                Ok(msg) => self.app(m.sender, msg),
                Err(_) => Line::new().s(b"[wm] dropped a malformed message from task ").dec(m.sender).send(),
            }
        }
    }

    fn app(&mut self, pid: u64, msg: AppToWm) {
        match msg {
            AppToWm::CreateWindow { title, title_len, width, height, shmem_id } => self.create(pid, title, title_len as usize, width, height, shmem_id),
            AppToWm::UpdateBuffer { damage } => {
                let Some(win) = self.wins.iter().flatten().find(|w| w.pid == pid) else { return };
                // A rectangle past the app's buffer is malformed (logged); one past the tile is
                // not (the app drew for its old size before a Resize reached it): both are clipped.
                let (bw, bh) = (win.stride, win.buf.len() as u32 / win.stride);
                let inside = layout::inside(win.tile);
                match damage.clip(bw, bh) {
                    Some(d) if d != damage => Line::new().s(b"[wm] task ").dec(pid).s(b" damaged pixels outside its buffer: clipped").send(),
                    Some(_) => {}
                    None => return Line::new().s(b"[wm] task ").dec(pid).s(b" sent an empty or outside damage rectangle: dropped").send(),
                }
                if let Some(d) = damage.clip(inside.w.min(bw), inside.h.min(bh)) {
                    self.paint(Rect::new(inside.x + d.x, inside.y + d.y, d.w, d.h));
                }
            }
            AppToWm::Exit => self.remove(pid),
            AppToWm::SetTitle { title, title_len } => {
                if let Some(win) = self.wins.iter_mut().flatten().find(|w| w.pid == pid) {
                    (win.title, win.title_len) = (title, title_len as usize);
                    Line::new().s(b"[wm] window of task ").dec(pid).s(b" now: ").s(&title[..title_len as usize]).send();
                    let bar = Rect::new(win.tile.x, win.tile.y, win.tile.w, layout::TITLE_H);
                    self.paint(bar);
                }
            }
        }
    }

    fn create(&mut self, pid: u64, title: [u8; TITLE], title_len: usize, width: u32, height: u32, id: u64) {
        self.pending.iter_mut().filter(|p| **p == pid).for_each(|p| *p = 0);
        let taken = self.wins.iter().flatten().any(|w| w.pid == pid);
        let Some(slot) = self.wins.iter().position(|w| w.is_none()).filter(|_| !taken) else {
            self.say(b"Four windows at most: close one first");
            self.tell(pid, WmToApp::Close);
            return;
        };
        let Ok(at) = shm_map(id, 0) else {
            Line::new().s(b"[wm] task ").dec(pid).s(b" sent a buffer it did not grant").send();
            return;
        };
        debug_assert_eq!(at, SHM_BASE + id * SHM_MAX);
        // SAFETY: the object is mapped for as long as the window lives; CreateWindow's decoder
        // checked width * height pixels fit in one object. The app may scribble on it: we only
        // copy pixels out.
        let buf = unsafe { core::slice::from_raw_parts(at as *const u32, width as usize * height as usize) };
        self.wins[slot] = Some(Win { pid, shm: id, title, title_len, buf, stride: width, tile: Rect::new(0, 0, 0, 0) });
        Line::new().s(b"[wm] window of task ").dec(pid).s(b": ").s(&title[..title_len]).send();
        self.set_focus(Some(pid));
        self.retile();
    }

    fn remove(&mut self, pid: u64) {
        let Some(i) = self.wins.iter().position(|w| w.is_some_and(|w| w.pid == pid)) else { return };
        let _ = shm_unmap(self.wins[i].unwrap().shm);
        self.wins[i] = None;
        Line::new().s(b"[wm] window of task ").dec(pid).s(b" closed").send();
        self.notice = Line::new(); // a notice about the windows is out of date now
        self.paint(Rect::new(0, 0, self.w, MENU_H));
        self.wins[i..].rotate_left(1); // keep the order of the rest
        if self.focus == Some(pid) {
            let last = self.wins.iter().flatten().last().map(|w| w.pid);
            self.set_focus(last);
        }
        self.retile();
    }

    /// Gives every window its tile (telling each app its new size) and repaints the desktop.
    fn retile(&mut self) {
        let n = self.count();
        let (w, h) = (self.w, self.h);
        for (i, win) in self.wins.iter_mut().flatten().enumerate() {
            let tile = layout::tile(i, n, w, h);
            if tile != win.tile {
                win.tile = tile;
                let inside = layout::inside(tile);
                tell(win.pid, WmToApp::Resize { width: inside.w, height: inside.h });
            }
        }
        self.paint(Rect::new(0, MENU_H, w, h - MENU_H));
    }

    fn set_focus(&mut self, pid: Option<u64>) {
        if self.focus == pid {
            return;
        }
        for (who, focused) in [(self.focus, false), (pid, true)] {
            // (the old focus may be an app whose window just went: nothing to tell it)
            if let Some(p) = who.filter(|&p| self.wins.iter().flatten().any(|w| w.pid == p)) {
                self.tell(p, WmToApp::Focus { focused });
            }
        }
        let old = core::mem::replace(&mut self.focus, pid);
        for p in [old, pid].into_iter().flatten() {
            if let Some(win) = self.wins.iter().flatten().find(|w| w.pid == p) {
                let t = win.tile;
                self.paint(t);
            }
        }
    }

    fn tell(&self, pid: u64, msg: WmToApp) {
        tell(pid, msg);
    }

    fn say(&mut self, text: &[u8]) {
        Line::new().s(b"[wm] notice: ").s(text).send();
        self.notice = Line::new();
        self.notice.s(text);
        self.paint(Rect::new(0, 0, self.w, MENU_H));
    }

    fn input(&mut self, x: u32, y: u32, ev: InputEvent) {
        match ev.kind {
            INPUT_POINTER => self.move_pointer(x.min(self.w - 1), y.min(self.h - 1)),
            INPUT_BUTTON if ev.code == BTN_LEFT && ev.value == 1 => self.click(),
            INPUT_KEY => {
                let route = match self.focus {
                    Some(app_pid) => WmToKernel::RouteInput { app_pid, event: ev },
                    None => WmToKernel::NoAction,
                };
                if let Some(m) = route.encode() {
                    let _ = send_message(0, &m);
                }
            }
            _ => {}
        }
    }

    fn move_pointer(&mut self, x: u32, y: u32) {
        let old = Rect::new(self.pointer.0, self.pointer.1, POINTER_W, POINTER_H);
        self.pointer = (x, y);
        let hover = layout::entry_at(x, y);
        if hover != self.hover {
            let was = core::mem::replace(&mut self.hover, hover);
            for e in [was, hover].into_iter().flatten() {
                self.paint(layout::entry(e));
            }
        }
        let new = Rect::new(x, y, POINTER_W, POINTER_H);
        if old.intersects(new) {
            self.paint(old.union(new));
        } else {
            self.paint(old);
            self.paint(new);
        }
    }

    fn click(&mut self) {
        let (x, y) = self.pointer;
        if let Some(i) = layout::entry_at(x, y) {
            return self.launch(i);
        }
        let Some(win) = self.wins.iter().flatten().find(|w| w.tile.contains(x, y)).copied() else { return };
        if layout::close_button(win.tile).contains(x, y) {
            self.tell(win.pid, WmToApp::Close);
            return;
        }
        self.set_focus(Some(win.pid));
        let inside = layout::inside(win.tile);
        if inside.contains(x, y) {
            let event = InputEvent { kind: INPUT_BUTTON, code: BTN_LEFT, value: 1, x: x - inside.x, y: y - inside.y };
            if let Some(m) = (WmToKernel::RouteInput { app_pid: win.pid, event }).encode() {
                let _ = send_message(0, &m);
            }
        }
    }

    fn launch(&mut self, i: usize) {
        let (label, path) = APPS[i];
        if self.count() + self.pending.iter().filter(|&&p| p != 0).count() >= MAX_WINDOWS {
            return self.say(b"Four windows at most: close one first");
        }
        match spawn(path, &[]) {
            Ok(pid) => {
                if let Some(p) = self.pending.iter_mut().find(|p| **p == 0) {
                    *p = pid;
                }
                self.notice = Line::new();
                self.paint(Rect::new(0, 0, self.w, MENU_H));
                Line::new().s(b"[wm] started ").s(path).s(b" as task ").dec(pid).send();
            }
            Err(Error::NoEnt) => {
                let mut l = Line::new();
                l.s(label).s(b" is not installed yet");
                self.say(l.as_bytes());
            }
            Err(_) => {
                let mut l = Line::new();
                l.s(b"Could not start ").s(label);
                self.say(l.as_bytes());
            }
        }
    }

    /// Repaints `r` from scratch (desktop, menu bar, windows, pointer) and flushes it.
    fn paint(&mut self, r: Rect) {
        let r = r.clip(self.w, self.h);
        if r.w == 0 || r.h == 0 {
            return;
        }
        let (w, h) = (self.w, self.h);
        let mut full = Canvas::new(self.fb, w, h);
        let mut c = full.clipped(r);
        c.fill(r, theme::DESKTOP);
        for dy in (r.y / 32..=(r.y + r.h) / 32).map(|i| i * 32) {
            for dx in (r.x / 32..=(r.x + r.w) / 32).map(|i| i * 32) {
                c.fill(Rect::new(dx, dy, 2, 2), theme::DESKTOP_DOT);
            }
        }
        if self.wins.iter().all(|w| w.is_none()) {
            let hint = b"Open an app from the menu above";
            let hx = (w - hint.len() as u32 * CHAR_W) / 2;
            c.text16(hx, (h + MENU_H) / 2 - CHAR_H / 2, hint, theme::TEXT_DIM, None);
        }
        let bar = Rect::new(0, 0, w, MENU_H);
        if r.intersects(bar) {
            c.fill(bar, theme::MENU);
            c.fill(Rect::new(0, MENU_H - 1, w, 1), theme::MENU_LINE);
            c.text16(16, 6, b"rost", theme::ACCENT, None);
            c.text16(17, 6, b"rost", theme::ACCENT, None); // bold: the mark
            for (i, (label, _)) in APPS.iter().enumerate() {
                let e = layout::entry(i);
                if self.hover == Some(i) {
                    c.fill(Rect::new(e.x, e.y + 3, e.w, e.h - 6), theme::MENU_HOVER);
                }
                c.text16(e.x + 12, 6, label, theme::TEXT, None);
            }
            let n = self.notice.as_bytes();
            c.text16(w.saturating_sub(16 + n.len() as u32 * CHAR_W), 6, n, theme::NOTICE, None);
        }
        for win in self.wins.iter().flatten() {
            if !r.intersects(win.tile) {
                continue;
            }
            let focused = self.focus == Some(win.pid);
            let chrome = if focused { theme::ACCENT } else { theme::TITLE };
            c.fill(win.tile, chrome);
            let title_fg = if focused { 0x0f_1520 } else { theme::TEXT };
            c.text16(win.tile.x + 10, win.tile.y + 4, &win.title[..win.title_len], title_fg, None);
            let close = layout::close_button(win.tile);
            c.fill(Rect::new(close.x + 4, close.y + 4, close.w - 8, close.h - 8), theme::CLOSE);
            let (cx, cy) = (close.x + 8, close.y + 8);
            for d in 0..2 {
                c.line((cx + d, cy), (cx + d + 7, cy + 7), theme::TEXT);
                c.line((cx + d + 7, cy), (cx + d, cy + 7), theme::TEXT);
            }
            let inside = layout::inside(win.tile);
            c.fill(inside, theme::WINDOW);
            c.blit(inside.x, inside.y, inside.w, inside.h, win.buf, win.stride);
        }
        c.pointer(self.pointer.0, self.pointer.1);
        let _ = fb_flush(r.x, r.y, r.w, r.h);
    }
}
