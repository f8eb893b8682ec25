//! The window protocol: the typed messages between the kernel, the window manager (the process
//! that holds the framebuffer, guest-apps/wm) and the applications, and their one encoding into
//! [`Message`]s. Every receiver decodes with the `decode` functions here, which check the kind,
//! the sender and the length: a malformed message decodes to an [`Malformed`] error that the
//! receiver logs and drops, never to a half-read value.
//!
//! Flows: the kernel sends every input event to the window manager
//! ([`KernelToWm::InputEvent`]); the window manager decides where it goes and answers
//! [`WmToKernel::RouteInput`] (the kernel hands it to that application, which reads it as
//! [`WmToApp::InputEvent`]) or [`WmToKernel::NoAction`] (nothing is sent). An application makes
//! a shared-memory buffer, grants it to the window manager and sends
//! [`AppToWm::CreateWindow`]; after drawing it sends [`AppToWm::UpdateBuffer`] with the
//! rectangle it changed (a [`Damage`], which the window manager clips to the window with
//! [`Damage::clip`] and composites and flushes alone); the window
//! manager answers with [`WmToApp::Resize`] (the window's inside, which the application draws
//! at its top-left corner), [`WmToApp::Focus`], [`WmToApp::Redraw`] and, from the close button,
//! [`WmToApp::Close`], after which the application exits ([`AppToWm::Exit`] first, if it can).
//! An application renames its window with [`AppToWm::SetTitle`] (the Browser: the page's title).

use crate::{InputEvent, MSG_INPUT, MSG_PAYLOAD, MSG_ROUTE_INPUT, Message};

/// Message kinds of the window protocol beyond [`MSG_INPUT`] and [`MSG_ROUTE_INPUT`].
pub const MSG_RESIZE: u32 = 0x200;
pub const MSG_FOCUS: u32 = 0x201;
pub const MSG_REDRAW: u32 = 0x202;
pub const MSG_CLOSE: u32 = 0x203;
pub const MSG_CREATE_WINDOW: u32 = 0x210;
pub const MSG_UPDATE_BUFFER: u32 = 0x211;
pub const MSG_EXIT: u32 = 0x212;
pub const MSG_SET_TITLE: u32 = 0x213;

/// Bytes of a window title.
pub const TITLE: usize = 64;
/// Largest window buffer side, in pixels (a buffer is at most `SHM_MAX` bytes).
pub const MAX_SIDE: u32 = 2048;

/// Why a message was not decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Malformed {
    /// A kind this direction of the protocol does not have.
    Kind(u32),
    /// The sender may not send this (e.g. input not from the kernel).
    Sender(u64),
    /// The payload is too short or holds values out of range.
    Payload,
}

/// Kernel -> window manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelToWm {
    /// An input event of the virtio-input devices; `sender_pid` is 0 (the kernel), `mouse_x`
    /// and `mouse_y` the pointer position the event carries (pointer events; 0 otherwise).
    InputEvent { sender_pid: u64, mouse_x: u32, mouse_y: u32, event: InputEvent },
}

/// Window manager -> kernel (pid 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WmToKernel {
    /// Deliver `event` to application `app_pid` as the kernel's input.
    RouteInput { app_pid: u64, event: InputEvent },
    /// The window manager keeps the event (menu, chrome, pointer): no message is sent.
    NoAction,
}

/// Window manager -> application (input arrives through the kernel, as sender 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WmToApp {
    InputEvent { event: InputEvent },
    /// The window's inside is now `width` x `height` pixels.
    Resize { width: u32, height: u32 },
    Focus { focused: bool },
    /// Draw everything again and send UpdateBuffer.
    Redraw,
    /// The close button was pressed: exit.
    Close,
}

/// A rectangle of a window's inside that changed, in the window's pixels (x, y from its top-left).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Damage {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

impl Damage {
    /// The part of the rectangle inside a `width` x `height` window; None when nothing is left
    /// (empty, or wholly outside). Never overflows, whatever the values.
    pub fn clip(self, width: u32, height: u32) -> Option<Damage> {
        let (x1, y1) = ((self.x as u64 + self.w as u64).min(width as u64), (self.y as u64 + self.h as u64).min(height as u64));
        if self.x as u64 >= x1 || self.y as u64 >= y1 {
            return None;
        }
        Some(Damage { x: self.x, y: self.y, w: (x1 - self.x as u64) as u32, h: (y1 - self.y as u64) as u32 })
    }
}

/// Application -> window manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppToWm {
    /// A window showing shared-memory object `shmem_id` (granted to the window manager), a
    /// buffer of `width` x `height` 0x00RRGGBB pixels; `title_len` bytes of `title` name it.
    CreateWindow { title: [u8; TITLE], title_len: u32, width: u32, height: u32, shmem_id: u64 },
    /// The buffer changed inside `damage` (window pixels): show that.
    UpdateBuffer { damage: Damage },
    /// The application is about to exit: drop its window.
    Exit,
    /// The window's title is now `title_len` bytes of `title`.
    SetTitle { title: [u8; TITLE], title_len: u32 },
}

fn word(m: &Message, at: usize) -> Result<u32, Malformed> {
    if at + 4 > m.len as usize {
        return Err(Malformed::Payload);
    }
    Ok(u32::from_le_bytes(m.payload[at..at + 4].try_into().unwrap()))
}

fn dword(m: &Message, at: usize) -> Result<u64, Malformed> {
    Ok(word(m, at)? as u64 | (word(m, at + 4)? as u64) << 32)
}

/// The input event of a MSG_INPUT message, which only the kernel (sender 0) may send.
fn input(m: &Message) -> Result<InputEvent, Malformed> {
    if m.sender != 0 {
        return Err(Malformed::Sender(m.sender));
    }
    InputEvent::from_bytes(&m.payload[..(m.len as usize).min(MSG_PAYLOAD)]).ok_or(Malformed::Payload)
}

impl KernelToWm {
    /// What the kernel sends for `event` (the wire format is [`InputEvent::to_bytes`]).
    pub fn encode(event: InputEvent) -> Message {
        Message::new(MSG_INPUT, &event.to_bytes())
    }

    pub fn decode(m: &Message) -> Result<KernelToWm, Malformed> {
        match m.kind {
            MSG_INPUT => {
                let event = input(m)?;
                let (mouse_x, mouse_y) = (event.x, event.y);
                Ok(KernelToWm::InputEvent { sender_pid: m.sender, mouse_x, mouse_y, event })
            }
            k => Err(Malformed::Kind(k)),
        }
    }
}

impl WmToKernel {
    /// The message to send to pid 0, None for NoAction.
    pub fn encode(&self) -> Option<Message> {
        let WmToKernel::RouteInput { app_pid, event } = self else { return None };
        let mut b = [0u8; 8 + InputEvent::SIZE];
        b[..8].copy_from_slice(&app_pid.to_le_bytes());
        b[8..].copy_from_slice(&event.to_bytes());
        Some(Message::new(MSG_ROUTE_INPUT, &b))
    }

    /// The kernel's reading of a message sent to it (only RouteInput travels).
    pub fn decode(m: &Message) -> Result<WmToKernel, Malformed> {
        if m.kind != MSG_ROUTE_INPUT {
            return Err(Malformed::Kind(m.kind));
        }
        let app_pid = dword(m, 0)?;
        let event = InputEvent::from_bytes(&m.payload[8..(m.len as usize).min(MSG_PAYLOAD)]).ok_or(Malformed::Payload)?;
        Ok(WmToKernel::RouteInput { app_pid, event })
    }
}

impl WmToApp {
    pub fn encode(&self) -> Message {
        let pair = |kind, a: u32, b: u32| {
            let mut p = [0u8; 8];
            p[..4].copy_from_slice(&a.to_le_bytes());
            p[4..].copy_from_slice(&b.to_le_bytes());
            Message::new(kind, &p)
        };
        match *self {
            WmToApp::InputEvent { event } => Message::new(MSG_INPUT, &event.to_bytes()),
            WmToApp::Resize { width, height } => pair(MSG_RESIZE, width, height),
            WmToApp::Focus { focused } => Message::new(MSG_FOCUS, &[focused as u8]),
            WmToApp::Redraw => Message::new(MSG_REDRAW, &[]),
            WmToApp::Close => Message::new(MSG_CLOSE, &[]),
        }
    }

    /// An application's reading of a message; `wm` is the window manager's pid (input comes
    /// from the kernel, pid 0, everything else from the window manager).
    pub fn decode(m: &Message, wm: u64) -> Result<WmToApp, Malformed> {
        if m.kind == MSG_INPUT {
            return Ok(WmToApp::InputEvent { event: input(m)? });
        }
        if m.sender != wm {
            return Err(Malformed::Sender(m.sender));
        }
        match m.kind {
            MSG_RESIZE => {
                let (width, height) = (word(m, 0)?, word(m, 4)?);
                if width > MAX_SIDE || height > MAX_SIDE {
                    return Err(Malformed::Payload);
                }
                Ok(WmToApp::Resize { width, height })
            }
            MSG_FOCUS if m.len >= 1 => Ok(WmToApp::Focus { focused: m.payload[0] != 0 }),
            MSG_FOCUS => Err(Malformed::Payload),
            MSG_REDRAW => Ok(WmToApp::Redraw),
            MSG_CLOSE => Ok(WmToApp::Close),
            k => Err(Malformed::Kind(k)),
        }
    }
}

impl AppToWm {
    /// CreateWindow with `title` cut to [`TITLE`] bytes.
    pub fn create_window(title: &[u8], width: u32, height: u32, shmem_id: u64) -> AppToWm {
        let (title, title_len) = fixed_title(title);
        AppToWm::CreateWindow { title, title_len, width, height, shmem_id }
    }

    /// SetTitle with `title` cut to [`TITLE`] bytes.
    pub fn set_title(title: &[u8]) -> AppToWm {
        let (title, title_len) = fixed_title(title);
        AppToWm::SetTitle { title, title_len }
    }

    pub fn encode(&self) -> Message {
        match *self {
            AppToWm::CreateWindow { title, title_len, width, height, shmem_id } => {
                let mut p = [0u8; TITLE + 20];
                p[..TITLE].copy_from_slice(&title);
                for (i, v) in [title_len, width, height].into_iter().enumerate() {
                    p[TITLE + 4 * i..TITLE + 4 * i + 4].copy_from_slice(&v.to_le_bytes());
                }
                p[TITLE + 12..].copy_from_slice(&shmem_id.to_le_bytes());
                Message::new(MSG_CREATE_WINDOW, &p)
            }
            AppToWm::UpdateBuffer { damage: Damage { x, y, w, h } } => {
                let mut p = [0u8; 16];
                for (i, v) in [x, y, w, h].into_iter().enumerate() {
                    p[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
                }
                Message::new(MSG_UPDATE_BUFFER, &p)
            }
            AppToWm::Exit => Message::new(MSG_EXIT, &[]),
            AppToWm::SetTitle { title, title_len } => {
                let mut p = [0u8; TITLE + 4];
                p[..TITLE].copy_from_slice(&title);
                p[TITLE..].copy_from_slice(&title_len.to_le_bytes());
                Message::new(MSG_SET_TITLE, &p)
            }
        }
    }

    /// The window manager's reading of an application's message.
    pub fn decode(m: &Message) -> Result<AppToWm, Malformed> {
        if m.sender == 0 {
            return Err(Malformed::Sender(0));
        }
        match m.kind {
            MSG_CREATE_WINDOW => {
                let (title_len, width, height) = (word(m, TITLE)?, word(m, TITLE + 4)?, word(m, TITLE + 8)?);
                let shmem_id = dword(m, TITLE + 12)?;
                let fits = (width as u64) * (height as u64) * 4 <= crate::SHM_MAX;
                if title_len as usize > TITLE || width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE || !fits {
                    return Err(Malformed::Payload);
                }
                let title = m.payload[..TITLE].try_into().unwrap();
                Ok(AppToWm::CreateWindow { title, title_len, width, height, shmem_id })
            }
            MSG_UPDATE_BUFFER => {
                let damage = Damage { x: word(m, 0)?, y: word(m, 4)?, w: word(m, 8)?, h: word(m, 12)? };
                Ok(AppToWm::UpdateBuffer { damage })
            }
            MSG_EXIT => Ok(AppToWm::Exit),
            MSG_SET_TITLE => {
                let title_len = word(m, TITLE)?;
                if title_len as usize > TITLE {
                    return Err(Malformed::Payload);
                }
                Ok(AppToWm::SetTitle { title: m.payload[..TITLE].try_into().unwrap(), title_len })
            }
            k => Err(Malformed::Kind(k)),
        }
    }
}

/// `title` cut to [`TITLE`] bytes, in the fixed field the messages carry, and its length.
fn fixed_title(title: &[u8]) -> ([u8; TITLE], u32) {
    let mut t = [0u8; TITLE];
    let n = title.len().min(TITLE);
    t[..n].copy_from_slice(&title[..n]);
    (t, n as u32)
}
