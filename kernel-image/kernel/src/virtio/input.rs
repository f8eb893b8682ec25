//! virtio-input (virtio 1.2 §5.8): devices that send Linux evdev events, 8 bytes each (le16 type,
//! le16 code, le32 value). The event queue (queue 0) is kept full of pre-posted 8-byte buffers;
//! the device fills them and interrupts, `drain` decodes them and posts them again. The status
//! queue (LEDs) is not used.
//!
//! What a device is comes from its configuration space: a tablet reports absolute axes (EV_BITS
//! for EV_ABS), a keyboard has letter keys (EV_BITS for EV_KEY includes KEY_A); the name comes
//! from ID_NAME, the axis ranges from ABS_INFO. Decoding, into the ABI's `InputEvent`: EV_KEY with
//! a code below 0x100 is a key, from 0x100 (BTN_MISC) on a button; ABS_X/ABS_Y are collected
//! until EV_SYN, which reports the pointer position (in the device's units) once per report;
//! everything else is dropped.

use super::Transport;
use super::queue::{Buf, Queue};
use crate::iommu::domain::Domain;
use crate::uart::kprintln;
use abi::{INPUT_BUTTON, INPUT_KEY, INPUT_POINTER, InputEvent};

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

pub struct Input {
    pub(super) t: Transport,
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
        let mut dom = Domain::new(t.slot);
        let (_, mut q) = t.start(0, EVENT_BUFFERS, &mut dom)?;
        let (events, iova) = dom.page();
        for i in 0..q.size() {
            q.set(i, Buf::device_writes(iova + 8 * i as u64, 8), None);
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
        t.notify();
        Some(dev)
    }

    /// Selects a configuration item; returns its size in bytes (0: the device has none).
    fn select(&self, select: u8, subsel: u8) -> u8 {
        self.t.set_config8(CFG_SELECT, select);
        self.t.set_config8(CFG_SUBSEL, subsel);
        self.t.config8(CFG_SIZE)
    }

    /// Decodes every event the device has delivered, hands the meaningful ones to `deliver`
    /// (with the device's axis maxima), and gives the buffers back to the device.
    pub fn drain(&mut self, deliver: fn(InputEvent, [u32; 2])) {
        let mut taken = false;
        while let Some((id, _)) = self.q.take_used() {
            let id = id % self.q.size(); // a device bug must not make us read elsewhere
            // SAFETY: buffer `id` is one of ours (id < EVENT_BUFFERS), 8-byte aligned, and the
            // device has finished writing it.
            let raw = unsafe { (self.events.add(8 * id as usize) as *const u64).read_volatile() };
            if let Some(event) = self.decode(raw as u16, (raw >> 16) as u16, (raw >> 32) as u32) {
                deliver(event, self.max);
            }
            self.q.offer(id);
            taken = true;
        }
        if taken {
            self.t.notify();
        }
    }

    fn decode(&mut self, kind: u16, code: u16, value: u32) -> Option<InputEvent> {
        let key = |kind| Some(InputEvent { kind, code: code as u32, value, x: 0, y: 0 });
        match (kind, code) {
            (EV_KEY, BTN_MISC..) => key(INPUT_BUTTON),
            (EV_KEY, _) => key(INPUT_KEY),
            (EV_ABS, ABS_X | ABS_Y) => {
                self.abs[code as usize] = value;
                self.moved = true;
                None
            }
            (EV_SYN, _) if self.moved => {
                self.moved = false;
                Some(InputEvent { kind: INPUT_POINTER, code: 0, value: 0, x: self.abs[0], y: self.abs[1] })
            }
            _ => None,
        }
    }
}
