//! virtio-input (virtio 1.2 §5.8): devices that send Linux evdev events, 8 bytes each (le16 type,
//! le16 code, le32 value). The event queue (queue 0) is kept full of pre-posted 8-byte buffers;
//! the device fills them and interrupts, `drain` decodes them and posts them again. The status
//! queue (LEDs) is not used.
//!
//! What a device is comes from its configuration space: a tablet reports absolute axes (EV_BITS
//! for EV_ABS), a keyboard has letter keys (EV_BITS for EV_KEY includes KEY_A); the name comes
//! from ID_NAME, the axis ranges from ABS_INFO. Decoding: EV_KEY with a code below 0x100 is a key,
//! from 0x100 (BTN_MISC) on a button; ABS_X/ABS_Y are collected until EV_SYN, which reports the
//! pointer position once per report; everything else is dropped.

use super::Transport;
use super::queue::{Buf, Queue};
use crate::mm;
use crate::uart::kprintln;
use core::fmt;

const CFG_SELECT: usize = 0;
const CFG_SUBSEL: usize = 1;
const CFG_SIZE: usize = 2;
const CFG_DATA: usize = 8;
const CFG_ID_NAME: u8 = 0x01;
const CFG_EV_BITS: u8 = 0x11;
const CFG_ABS_INFO: u8 = 0x12;
const EV_SYN: u16 = 0;
const EV_KEY: u16 = 1;
const EV_ABS: u16 = 3;
const ABS_X: u16 = 0;
const ABS_Y: u16 = 1;
const KEY_A: u16 = 30;
const BTN_MISC: u16 = 0x100;
const EVENT_BUFFERS: u16 = 64;

/// A decoded input event. `value` of keys and buttons: 0 released, 1 pressed, 2 autorepeat.
#[derive(Clone, Copy)]
pub enum Event {
    Key {
        code: u16,
        value: u32,
    },
    Button {
        code: u16,
        value: u32,
    },
    /// Absolute pointer position, in the device's units (0..=max on each axis).
    Tablet {
        x: u32,
        y: u32,
        max_x: u32,
        max_y: u32,
    },
}

/// The console format (README.md): `key 30 down`, `button 272 up`, `tablet x=16383 y=8191`.
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let action = |value| match value {
            0 => "up",
            1 => "down",
            _ => "repeat",
        };
        match *self {
            Event::Key { code, value } => write!(f, "key {} {}", code, action(value)),
            Event::Button { code, value } => write!(f, "button {} {}", code, action(value)),
            Event::Tablet { x, y, .. } => write!(f, "tablet x={} y={}", x, y),
        }
    }
}

pub struct Input {
    t: Transport,
    q: Queue,
    /// EVENT_BUFFERS 8-byte event buffers; buffer i is descriptor i.
    events: *mut u8,
    /// Latest ABS_X, ABS_Y; whether either changed since the last EV_SYN; their maxima.
    abs: [u32; 2],
    moved: bool,
    max: [u32; 2],
}

impl Input {
    pub fn new(t: Transport) -> Option<Input> {
        t.negotiate(0)?;
        let mut q = t.queue(0, EVENT_BUFFERS)?;
        let events = mm::alloc_pages(1);
        for i in 0..q.size() {
            let buf = Buf { addr: mm::phys(events) + 8 * i as u64, len: 8, device_writes: true };
            q.set(i, buf, None);
            q.offer(i);
        }
        let mut dev = Input { t, q, events, abs: [0; 2], moved: false, max: [0x7fff; 2] };
        for axis in [ABS_X, ABS_Y] {
            if dev.select(CFG_ABS_INFO, axis as u8) >= 8 {
                dev.max[axis as usize] = t.config32(CFG_DATA + 4); // struct { min, max, ... }
            }
        }
        let kind = if dev.select(CFG_EV_BITS, EV_ABS as u8) > 0 {
            "tablet"
        } else if dev.select(CFG_EV_BITS, EV_KEY as u8) as u16 > KEY_A / 8
            && t.config8(CFG_DATA + (KEY_A / 8) as usize) & 1 << (KEY_A % 8) != 0
        {
            "keyboard"
        } else {
            "input device"
        };
        let mut name = [0u8; 128];
        let len = (dev.select(CFG_ID_NAME, 0) as usize).min(name.len());
        for (i, byte) in name.iter_mut().enumerate().take(len) {
            *byte = t.config8(CFG_DATA + i);
        }
        let name = name[..len].split(|&b| b == 0).next().unwrap_or(&[]); // QEMU counts the NUL
        let name = core::str::from_utf8(name).unwrap_or("?");
        kprintln!("[virtio] slot {}: {} \"{}\"", t.slot, kind, name);
        t.driver_ok();
        t.notify(0);
        Some(dev)
    }

    /// Selects a configuration item; returns its size in bytes (0: the device has none).
    fn select(&self, select: u8, subsel: u8) -> u8 {
        self.t.set_config8(CFG_SELECT, select);
        self.t.set_config8(CFG_SUBSEL, subsel);
        self.t.config8(CFG_SIZE)
    }

    pub fn slot(&self) -> u32 {
        self.t.slot
    }

    /// Decodes every event the device has delivered, hands the meaningful ones to `deliver`, and
    /// gives the buffers back to the device.
    pub fn drain(&mut self, deliver: fn(Event)) {
        let mut taken = false;
        while let Some((id, _)) = self.q.take_used() {
            let id = id % self.q.size(); // a device bug must not make us read elsewhere
            // SAFETY: buffer `id` is one of ours (id < EVENT_BUFFERS), 8-byte aligned, and the
            // device has finished writing it.
            let raw = unsafe { (self.events.add(8 * id as usize) as *const u64).read_volatile() };
            if let Some(event) = self.decode(raw as u16, (raw >> 16) as u16, (raw >> 32) as u32) {
                deliver(event);
            }
            self.q.offer(id);
            taken = true;
        }
        if taken {
            self.t.notify(0);
        }
    }

    fn decode(&mut self, kind: u16, code: u16, value: u32) -> Option<Event> {
        match (kind, code) {
            (EV_KEY, BTN_MISC..) => Some(Event::Button { code, value }),
            (EV_KEY, _) => Some(Event::Key { code, value }),
            (EV_ABS, ABS_X | ABS_Y) => {
                self.abs[code as usize] = value;
                self.moved = true;
                None
            }
            (EV_SYN, _) if self.moved => {
                self.moved = false;
                let ([x, y], [max_x, max_y]) = (self.abs, self.max);
                Some(Event::Tablet { x, y, max_x, max_y })
            }
            _ => None,
        }
    }
}
