//! rost's system-call ABI: the one place that defines syscall numbers, how arguments and results
//! travel, error codes, and the fixed parts of a task's address space. The kernel and (later)
//! user-space programs both build against this crate, so nothing here may depend on either.
//!
//! # Calling convention
//! `svc #0` with the syscall number in `x8` and arguments in `x0`..`x5`; the result comes back in
//! `x0`. Every other register, including all FP/SIMD state (q0-q31, FPCR, FPSR), is preserved.
//! A result is a `u64`; read as an `i64`, values in `-4095..=-1` are errors ([`Error`]), anything
//! else is the syscall's success value. An `svc` with an immediate other than 0 or an unknown
//! number in `x8` returns [`Error::NoSys`].
#![no_std]

/// Syscall numbers, passed in `x8`. Each variant documents its arguments and result.
#[repr(u64)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sysno {
    /// `print_debug(ptr: x0, len: x1) -> len`: writes `len` bytes of the caller's memory to the
    /// debug console as they are (no newline is added), in one piece: output of two tasks never
    /// interleaves within one call. [`Error::Inval`] if `len > PRINT_DEBUG_MAX`,
    /// [`Error::Fault`] unless the whole range is readable user memory of the caller.
    PrintDebug = 1,
    /// `getpid() -> id`: the caller's task id (1-based, never reused).
    GetPid = 2,
    /// `yield() -> 0`: gives the CPU to the next ready task in round-robin order (back to the
    /// caller at once if no other task is ready).
    Yield = 3,
    /// `sleep(ns: x0) -> 0`: blocks for `ns` nanoseconds rounded up to whole scheduler ticks
    /// (at least one tick). Sleeps count ticks, not wall-clock time: the task wakes on the
    /// `ceil(ns / tick)`-th tick interrupt after the call. The tick is [`TICK_NS`].
    Sleep = 4,
    /// `exit(code: x0) -> !`: ends the caller. Code 0 means success; any other code makes the
    /// kernel's final power-off status nonzero.
    Exit = 5,
}

impl Sysno {
    /// Decodes a raw syscall number, `None` if there is no such syscall.
    pub const fn from_raw(n: u64) -> Option<Sysno> {
        Some(match n {
            1 => Sysno::PrintDebug,
            2 => Sysno::GetPid,
            3 => Sysno::Yield,
            4 => Sysno::Sleep,
            5 => Sysno::Exit,
            _ => return None,
        })
    }
}

/// Errors a syscall can return, as negative values in `x0`.
#[repr(i64)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// No such syscall (unknown number in `x8`, or `svc` immediate not 0).
    NoSys = -1,
    /// A pointer argument does not lie entirely in the caller's user memory.
    Fault = -2,
    /// An argument is out of range (e.g. a length above its limit).
    Inval = -3,
}

impl Error {
    /// The value the kernel puts in `x0`.
    pub const fn to_ret(self) -> u64 {
        self as i64 as u64
    }
}

/// Largest `len` `print_debug` accepts.
pub const PRINT_DEBUG_MAX: u64 = 4096;

/// The scheduler tick, which is also the granularity of `sleep`: 10 ms.
pub const TICK_NS: u64 = 10_000_000;

/// Where every task's program image (code, then read-only data) is mapped.
pub const USER_IMAGE_BASE: u64 = 0x0040_0000;
/// One past the top of every task's stack; `sp` starts here.
pub const USER_STACK_TOP: u64 = 0x0060_0000;
/// Size of every task's stack; the page below it is left unmapped as a guard.
pub const USER_STACK_SIZE: u64 = 16 * 1024;
