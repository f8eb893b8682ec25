//! PL011 UART0 at 0x0900_0000: the console. Transmit only, polled: the kernel prints little, and
//! only from code that runs with interrupts masked, so a line is never split by another print.

use crate::arch::{mmio_read, mmio_write};
use core::fmt;

const BASE: usize = 0x0900_0000;
const DR: usize = 0x00;
const FR: usize = 0x18;
const CR: usize = 0x30;
const FR_TXFF: u32 = 1 << 5;
const CR_UARTEN_TXE_RXE: u32 = 0x301;

/// Enables the UART and its transmitter (QEMU does not need it; real hardware and other models
/// may).
pub fn init() {
    mmio_write(BASE + CR, CR_UARTEN_TXE_RXE);
}

/// Sends one byte, waiting while the transmit FIFO is full.
pub fn putc(byte: u8) {
    while mmio_read(BASE + FR) & FR_TXFF != 0 {}
    mmio_write(BASE + DR, byte as u32);
}

/// `core::fmt` sink for `kprintln!`.
pub struct Console;

impl fmt::Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        s.bytes().for_each(putc);
        Ok(())
    }
}

pub fn print(args: fmt::Arguments) {
    let _ = fmt::Write::write_fmt(&mut Console, args);
}

/// Prints a line to the console (`\n` only, no `\r`: logs are compared byte for byte).
macro_rules! kprintln {
    ($($arg:tt)*) => { $crate::uart::print(format_args!("{}\n", format_args!($($arg)*))) };
}
pub(crate) use kprintln;
