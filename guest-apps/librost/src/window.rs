//! The toolkit's window: a shared-memory pixel buffer shown by the window manager
//! (guest-apps/wm) through the window protocol of `abi::wm`, and the message loop that turns
//! what arrives into [`Event`]s (keys mapped with `ui::keymap`). Drawing is `ui::draw`'s canvas
//! on the buffer, clipped to the window's inside; [`Window::show`] sends UpdateBuffer when
//! something was drawn (the damage, `ui::damage`).
//!
//! The buffer is as large as the display, so a window can take any tile without a new buffer;
//! the application draws in the top-left `size()` pixels of it.

use crate::{Line, recv_message, send_message, shm_create, shm_map, syscall};
use abi::wm::{AppToWm, WmToApp};
use abi::{Error, INPUT_BUTTON, INPUT_KEY, Sysno};
use ui::damage::Damage;
use ui::draw::{Canvas, Rect};
use ui::keymap::{Key, Keyboard};

/// What the message loop yields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The window's inside is now that size: draw it all.
    Resize { width: u32, height: u32 },
    Focus(bool),
    Redraw,
    /// The close button: the application should exit.
    Close,
    Key(Key),
    /// A mouse button pressed at (x, y) of the window's inside.
    Click { x: u32, y: u32 },
}

/// The window manager's pid.
pub fn wm_pid() -> Result<u64, Error> {
    Error::from_ret(syscall(Sysno::WmPid as u64, 0, 0, 0, 0))
}

pub struct Window {
    wm: u64,
    px: &'static mut [u32],
    stride: u32,
    size: (u32, u32),
    keyboard: Keyboard,
    damage: Damage,
}

impl Window {
    /// Makes the buffer and asks the window manager for a window titled `title`.
    pub fn open(title: &[u8]) -> Result<Window, Error> {
        let wm = wm_pid()?;
        let (w, h) = crate::fb_info()?;
        let id = shm_create(w as u64 * h as u64 * 4)?;
        let at = shm_map(id, 0)?;
        shm_map(id, wm)?;
        // SAFETY: shm_map mapped the object's w * h pixels read-write at `at`, for ever.
        let px = unsafe { core::slice::from_raw_parts_mut(at as *mut u32, w as usize * h as usize) };
        send_message(wm, &AppToWm::create_window(title, w, h, id).encode())?;
        crate::pending::enable();
        Ok(Window { wm, px, stride: w, size: (0, 0), keyboard: Keyboard::default(), damage: Damage::default() })
    }

    /// The inside's size, as the last Resize said (0 x 0 before the first).
    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    /// A canvas on the buffer, clipped to the inside; `changed` marks what the caller draws.
    pub fn canvas(&mut self, changed: Rect) -> Canvas<'_> {
        self.damage.add(changed);
        let (w, h) = self.size;
        let mut c = Canvas::new(self.px, self.stride, h);
        c.clip = Rect::new(0, 0, w, h);
        c
    }

    /// Shows what was drawn since the last call (UpdateBuffer), if anything.
    pub fn show(&mut self) {
        if self.damage.take().is_some() {
            let _ = send_message(self.wm, &AppToWm::UpdateBuffer.encode());
        }
    }

    /// Tells the window manager the application ends.
    pub fn exit(&self) {
        let _ = send_message(self.wm, &AppToWm::Exit.encode());
    }

    /// The next event, waiting up to `timeout_ns` (u64::MAX: for ever); None if none came.
    /// Malformed or foreign messages are logged and dropped.
    pub fn next_event_within(&mut self, timeout_ns: u64) -> Option<Event> {
        loop {
            let m = match crate::pending::take() {
                Some(m) => m,
                None => recv_message(timeout_ns).ok()?,
            };
            let msg = match WmToApp::decode(&m, self.wm) {
                Ok(msg) => msg,
                Err(_) => {
                    Line::task().s(b"dropped a malformed window message, kind ").hex(m.kind as u64).send();
                    continue;
                }
            };
            let event = match msg {
                WmToApp::Resize { width, height } => {
                    self.size = (width.min(self.stride), height.min(self.px.len() as u32 / self.stride));
                    Event::Resize { width: self.size.0, height: self.size.1 }
                }
                WmToApp::Focus { focused } => Event::Focus(focused),
                WmToApp::Redraw => Event::Redraw,
                WmToApp::Close => Event::Close,
                WmToApp::InputEvent { event } => match event.kind {
                    INPUT_KEY => match self.keyboard.key(event.code as u16, event.value) {
                        Some(k) => Event::Key(k),
                        None => continue,
                    },
                    INPUT_BUTTON if event.value == 1 => Event::Click { x: event.x, y: event.y },
                    _ => continue,
                },
            };
            return Some(event);
        }
    }

    /// The next event (blocks).
    pub fn next_event(&mut self) -> Event {
        loop {
            if let Some(e) = self.next_event_within(u64::MAX) {
                return e;
            }
        }
    }
}
