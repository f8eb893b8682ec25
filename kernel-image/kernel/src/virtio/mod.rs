//! virtio over MMIO, modern transport only (virtio 1.2 §4.2, register layout version 2).
//!
//! QEMU's `virt` board (and Vitrine) have 32 transport slots at 0x0a00_0000 + 0x200 * n, whose
//! interrupt is SPI 16 + n (INTID 48 + n). QEMU fills them from the top in command-line order,
//! so `init` probes every slot (magic "virt", version 2, device ID not 0) and hands what it finds
//! to the drivers: `gpu.rs` (2D scanout), `input.rs` (keyboard, tablet), `blk.rs` (disk). Each
//! driver accepts VIRTIO_F_VERSION_1 plus only the features it needs, and uses one split
//! virtqueue (`queue.rs`, queue 0) in kernel memory.
//!
//! The GPU and the disk are driven synchronously: a request is offered, notified, and polled for
//! (the kernel always runs with interrupts masked). Input devices deliver events through their
//! interrupt. Interrupts are level-triggered: the handler reads InterruptStatus and writes it
//! back to InterruptACK, which drops the line, before looking at the queues.

pub mod blk;
pub mod gpu;
pub mod input;
pub mod queue;

use crate::arch::{Global, dsb, mmio_read, mmio_read8, mmio_write, mmio_write8};
use crate::arch::sysreg_read;
use crate::gic;
use crate::iommu::domain::Domain;
use crate::uart::kprintln;
use alloc::vec::Vec;
use queue::{Buf, MAX_SIZE, Queue};

const BASE: usize = 0x0a00_0000;
const STRIDE: usize = 0x200;
const SLOTS: u32 = 32;
/// INTID of slot 0's interrupt; slot n has FIRST_INTID + n.
pub const FIRST_INTID: u32 = 48;

const MAGIC: usize = 0x000;
const VERSION: usize = 0x004;
const DEVICE_ID: usize = 0x008;
const DEVICE_FEATURES: usize = 0x010;
const DEVICE_FEATURES_SEL: usize = 0x014;
const DRIVER_FEATURES: usize = 0x020;
const DRIVER_FEATURES_SEL: usize = 0x024;
const QUEUE_SEL: usize = 0x030;
const QUEUE_NUM_MAX: usize = 0x034;
const QUEUE_NUM: usize = 0x038;
const QUEUE_READY: usize = 0x044;
const QUEUE_NOTIFY: usize = 0x050;
const INTERRUPT_STATUS: usize = 0x060;
const INTERRUPT_ACK: usize = 0x064;
const STATUS: usize = 0x070;
const QUEUE_DESC: usize = 0x080; // then QUEUE_DRIVER at 0x090, QUEUE_DEVICE at 0x0a0
const CONFIG_GENERATION: usize = 0x0fc;
const CONFIG: usize = 0x100;

const MAGIC_VALUE: u32 = 0x7472_6976; // "virt", little-endian
const ACKNOWLEDGE: u32 = 1;
const DRIVER: u32 = 2;
const DRIVER_OK: u32 = 4;
const FEATURES_OK: u32 = 8;
const FAILED: u32 = 128;
const F_VERSION_1: u64 = 1 << 32;

const ID_BLK: u32 = 2;
const ID_GPU: u32 = 16;
const ID_INPUT: u32 = 18;

/// Seconds a polled request may take before the kernel gives up on the device.
const TIMEOUT_S: u64 = 5;

/// One slot's registers.
#[derive(Clone, Copy)]
pub struct Transport {
    base: usize,
    pub slot: u32,
}

impl Transport {
    fn at(slot: u32) -> Transport {
        Transport { base: BASE + STRIDE * slot as usize, slot }
    }

    fn read(&self, reg: usize) -> u32 {
        mmio_read(self.base + reg)
    }

    fn write(&self, reg: usize, value: u32) {
        mmio_write(self.base + reg, value)
    }

    /// Starts the device with its virtqueue 0 of up to `size` entries (mapped in `dom`): resets it, accepts
    /// VIRTIO_F_VERSION_1 and those of `wanted` it offers, sets the queue up and sets DRIVER_OK.
    /// Returns the accepted features and the queue, or None (device marked FAILED) if the device
    /// lacks VERSION_1, refuses the features or has no queue 0.
    pub fn start(&self, wanted: u64, size: u16, dom: &mut Domain) -> Option<(u64, Queue)> {
        self.write(STATUS, 0);
        self.write(STATUS, ACKNOWLEDGE | DRIVER);
        let mut offered = 0;
        for half in 0..2 {
            self.write(DEVICE_FEATURES_SEL, half);
            offered |= (self.read(DEVICE_FEATURES) as u64) << (32 * half);
        }
        let accepted = offered & (wanted | F_VERSION_1);
        for half in 0..2 {
            self.write(DRIVER_FEATURES_SEL, half);
            self.write(DRIVER_FEATURES, (accepted >> (32 * half)) as u32);
        }
        self.write(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK);
        let ok = accepted & F_VERSION_1 != 0 && self.read(STATUS) & FEATURES_OK != 0;
        self.write(QUEUE_SEL, 0);
        let max = self.read(QUEUE_NUM_MAX).min(MAX_SIZE as u32) as u16;
        if !ok || max == 0 || self.read(QUEUE_READY) != 0 {
            self.write(STATUS, FAILED);
            return None;
        }
        let q = Queue::new(size.min(max), dom);
        self.write(QUEUE_NUM, q.size() as u32);
        for (i, addr) in q.addrs().into_iter().enumerate() {
            self.write(QUEUE_DESC + 0x10 * i, addr as u32);
            self.write(QUEUE_DESC + 0x10 * i + 4, (addr >> 32) as u32);
        }
        self.write(QUEUE_READY, 1);
        self.write(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
        Some((accepted, q))
    }

    /// Tells the device that its queue has new buffers.
    pub fn notify(&self) {
        dsb(); // the rings before the doorbell
        self.write(QUEUE_NOTIFY, 0);
    }

    /// Acknowledges whatever the device signalled (used buffers, configuration change).
    fn ack_interrupt(&self) {
        let status = self.read(INTERRUPT_STATUS);
        if status != 0 {
            self.write(INTERRUPT_ACK, status);
        }
    }

    pub fn config8(&self, off: usize) -> u8 {
        mmio_read8(self.base + CONFIG + off)
    }

    pub fn set_config8(&self, off: usize, value: u8) {
        mmio_write8(self.base + CONFIG + off, value)
    }

    pub fn config32(&self, off: usize) -> u32 {
        self.read(CONFIG + off)
    }

    /// A 64-bit configuration field, read as two halves under the same configuration generation.
    pub fn config64(&self, off: usize) -> u64 {
        loop {
            let generation = self.read(CONFIG_GENERATION);
            let value = self.config32(off) as u64 | (self.config32(off + 4) as u64) << 32;
            if self.read(CONFIG_GENERATION) == generation {
                return value;
            }
        }
    }

    /// Sends one request (`bufs`, chained) on the queue and polls until the device has finished
    /// it. A device that does not answer within TIMEOUT_S is a fatal error.
    pub fn roundtrip(&self, q: &mut Queue, bufs: &[Buf]) {
        q.offer_chain(bufs);
        self.notify();
        let (start, hz) = (sysreg_read!("cntvct_el0"), sysreg_read!("cntfrq_el0"));
        loop {
            if q.take_used().is_some() {
                self.ack_interrupt(); // we polled; the interrupt has nothing left to say
                return;
            }
            let waited = sysreg_read!("cntvct_el0") - start;
            assert!(
                waited < TIMEOUT_S * hz,
                "virtio slot {}: no answer from the device",
                self.slot
            );
        }
    }
}

/// Input devices; their interrupts deliver events (`irq`).
static INPUTS: Global<Vec<input::Input>> = Global::new(Vec::new());

/// Probes all slots, starts a driver for each device rost knows (the first GPU, the first disk,
/// every input device), each printing a `[virtio] slot <n>: ...` line, and enables the
/// interrupt of every started device. Prints nothing when there are no devices. Returns the
/// devices the kernel drives synchronously: the GPU and the disk, if there are.
pub fn init() -> (Option<gpu::Gpu>, Option<blk::Blk>) {
    let (mut gpu, mut blk) = (None, None);
    for slot in 0..SLOTS {
        let t = Transport::at(slot);
        let id = if t.read(MAGIC) == MAGIC_VALUE { t.read(DEVICE_ID) } else { 0 };
        if id == 0 {
            continue;
        }
        if t.read(VERSION) != 2 {
            kprintln!("[virtio] slot {}: device {} has a legacy transport, ignored", slot, id);
            continue;
        }
        let started = match id {
            ID_GPU if gpu.is_none() => gpu::Gpu::new(t).map(|d| gpu = Some(d)),
            ID_BLK if blk.is_none() => blk::Blk::new(t).map(|d| blk = Some(d)),
            ID_INPUT => input::Input::new(t).map(|d| INPUTS.get().push(d)),
            _ => {
                kprintln!("[virtio] slot {}: device {} not driven", slot, id);
                continue;
            }
        };
        match started {
            Some(()) => gic::enable(FIRST_INTID + slot),
            None => kprintln!("[virtio] slot {}: device {} failed to start", slot, id),
        }
    }
    (gpu, blk)
}

/// Whether `intid` is a virtio-mmio slot's interrupt.
pub fn is_virtio(intid: u32) -> bool {
    (FIRST_INTID..FIRST_INTID + SLOTS).contains(&intid)
}

/// The interrupt of a virtio slot: acknowledge it at the device, then hand the events of an
/// input device in that slot to `deliver`.
pub fn irq(intid: u32, deliver: fn(abi::InputEvent, [u32; 2])) {
    let slot = intid - FIRST_INTID;
    Transport::at(slot).ack_interrupt();
    for dev in INPUTS.get().iter_mut().filter(|d| d.t.slot == slot) {
        dev.drain(deliver);
    }
}
