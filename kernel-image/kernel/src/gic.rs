//! GICv2 at QEMU virt's addresses: distributor 0x0800_0000, CPU interface 0x0801_0000. rost uses
//! the EL1 virtual timer's PPI and the SPIs of the virtio devices it drives. Set-up: enable the
//! timer, open the priority mask, switch both halves on; `enable` adds an SPI, level-triggered and
//! routed to CPU 0. Every interrupt keeps the reset priority 0.

use crate::arch::{mmio_read, mmio_write};

const GICD: usize = 0x0800_0000;
const GICC: usize = 0x0801_0000;
const GICD_CTLR: usize = 0x000;
const GICD_ISENABLER0: usize = 0x100;
const GICD_ITARGETSR0: usize = 0x800;
const GICD_ICFGR0: usize = 0xc00;
const GICC_CTLR: usize = 0x000;
const GICC_PMR: usize = 0x004;
const GICC_IAR: usize = 0x00c;
const GICC_EOIR: usize = 0x010;

/// The EL1 virtual timer's interrupt: PPI 11.
pub const TIMER_INTID: u32 = 27;
/// What IAR reads when nothing is pending.
pub const SPURIOUS: u32 = 1023;

pub fn init() {
    mmio_write(GICD + GICD_ISENABLER0, 1 << TIMER_INTID);
    mmio_write(GICD + GICD_CTLR, 1);
    mmio_write(GICC + GICC_PMR, 0xff);
    mmio_write(GICC + GICC_CTLR, 1);
}

/// Enables shared peripheral interrupt `intid` (32..1020) as level-sensitive, for CPU 0.
pub fn enable(intid: u32) {
    let (word, bit) = ((intid / 32) as usize * 4, 1 << (intid % 32));
    let cfg = GICD + GICD_ICFGR0 + (intid / 16) as usize * 4;
    mmio_write(cfg, mmio_read(cfg) & !(2 << (2 * (intid % 16)))); // Int_config 0: level
    let target = GICD + GICD_ITARGETSR0 + (intid & !3) as usize;
    mmio_write(target, mmio_read(target) | 1 << (8 * (intid % 4)));
    mmio_write(GICD + GICD_ISENABLER0 + word, bit);
}

/// Acknowledges the highest-priority pending interrupt; returns the IAR value (INTID in bits
/// 9:0), to be handed back to `end`.
pub fn acknowledge() -> u32 {
    mmio_read(GICC + GICC_IAR)
}

/// Signals the end of the interrupt `acknowledge` returned.
pub fn end(iar: u32) {
    mmio_write(GICC + GICC_EOIR, iar);
}
