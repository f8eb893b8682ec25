//! GICv2 at QEMU virt's addresses: distributor 0x0800_0000, CPU interface 0x0801_0000. rost uses
//! one interrupt, the EL1 virtual timer's PPI, so set-up is: enable it, open the priority mask,
//! switch both halves on.

use crate::arch::{mmio_read, mmio_write};

const GICD: usize = 0x0800_0000;
const GICC: usize = 0x0801_0000;
const GICD_CTLR: usize = 0x000;
const GICD_ISENABLER0: usize = 0x100;
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

/// Acknowledges the highest-priority pending interrupt; returns the IAR value (INTID in bits
/// 9:0), to be handed back to `end`.
pub fn acknowledge() -> u32 {
    mmio_read(GICC + GICC_IAR)
}

/// Signals the end of the interrupt `acknowledge` returned.
pub fn end(iar: u32) {
    mmio_write(GICC + GICC_EOIR, iar);
}
