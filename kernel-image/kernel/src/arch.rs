//! The AArch64 architecture as the rest of the kernel sees it: the saved CPU context (`Frame`)
//! and the assembly entry points of boot.rs that work on it, system-register access, MMIO,
//! barriers, and `Global`, the kernel's container for mutable statics.

use core::cell::UnsafeCell;

/// A saved CPU context: what boot.rs's `trap_save` stores on exception entry and `trap_restore`
/// resumes (its assembly relies on this layout).
#[repr(C)]
pub struct Frame {
    pub x: [u64; 31],
    pub sp_el0: u64,
    pub elr: u64,
    pub spsr: u64,
    pub q: [u128; 32],
    pub fpcr: u64,
    pub fpsr: u64,
}

pub const FRAME_SIZE: usize = core::mem::size_of::<Frame>();
pub const FP_OFF: usize = core::mem::offset_of!(Frame, q);

unsafe extern "C" {
    /// Restores `frame` and returns from the exception into it (boot.rs). Used once, to start
    /// the first context.
    pub fn trap_restore(frame: *mut Frame) -> !;
    /// Entry point of the idle context (boot.rs).
    pub fn idle_loop() -> !;
}

/// Reads a system register by name, e.g. `sysreg_read!("esr_el1")`.
macro_rules! sysreg_read {
    ($name:literal) => {{
        let v: u64;
        // SAFETY: reading a system register has no memory effects.
        unsafe { core::arch::asm!(concat!("mrs {}, ", $name), out(reg) v, options(nomem, nostack)) };
        v
    }};
}

/// Writes a system register by name. Not `nomem`: writes such as TTBR0 or SCTLR change how
/// memory is accessed, so the compiler must not move memory accesses across them.
macro_rules! sysreg_write {
    ($name:literal, $value:expr) => {{
        let v: u64 = $value;
        // SAFETY: callers write only registers and values this kernel is designed for.
        unsafe { core::arch::asm!(concat!("msr ", $name, ", {}"), in(reg) v, options(nostack)) };
    }};
}

pub(crate) use {sysreg_read, sysreg_write};

/// Instruction synchronization barrier: later instructions see earlier system-register writes.
pub fn isb() {
    // SAFETY: a barrier has no other effect.
    unsafe { core::arch::asm!("isb", options(nostack)) };
}

/// The exception level we run at (CurrentEL bits 3:2).
pub fn current_el() -> u64 {
    (sysreg_read!("CurrentEL") >> 2) & 3
}

/// 32-bit MMIO read. `addr` must be a device register mapped as Device memory (or MMU off).
pub fn mmio_read(addr: usize) -> u32 {
    // SAFETY: per the contract above; volatile so every access reaches the device.
    unsafe { (addr as *const u32).read_volatile() }
}

/// 32-bit MMIO write; see `mmio_read`.
pub fn mmio_write(addr: usize, value: u32) {
    // SAFETY: as for mmio_read.
    unsafe { (addr as *mut u32).write_volatile(value) }
}

/// 8-bit MMIO read (virtio configuration space has byte-wide fields); see `mmio_read`.
pub fn mmio_read8(addr: usize) -> u8 {
    // SAFETY: as for mmio_read.
    unsafe { (addr as *const u8).read_volatile() }
}

/// 8-bit MMIO write; see `mmio_read`.
pub fn mmio_write8(addr: usize, value: u8) {
    // SAFETY: as for mmio_read.
    unsafe { (addr as *mut u8).write_volatile(value) }
}

/// Full-system data synchronization barrier: every earlier memory access (RAM or device) is
/// complete before any later one starts. Orders virtqueue updates against the device, which reads
/// and writes RAM on its own.
pub fn dsb() {
    // SAFETY: a barrier has no other effect.
    unsafe { core::arch::asm!("dsb sy", options(nostack)) };
}

/// A mutable static. Sound only because of the kernel's concurrency model (main.rs): one CPU,
/// and kernel code never runs with interrupts enabled, so nothing runs concurrently with the
/// holder of a reference. Callers must still not hold two references to the same `Global` at
/// once; each one is reached from a single place.
pub struct Global<T>(UnsafeCell<T>);

// SAFETY: see the type's documentation: there is never a second thread of kernel execution.
unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    pub const fn new(value: T) -> Self {
        Global(UnsafeCell::new(value))
    }

    #[allow(clippy::mut_from_ref)]
    pub fn get(&self) -> &mut T {
        // SAFETY: see the type's documentation.
        unsafe { &mut *self.0.get() }
    }
}
