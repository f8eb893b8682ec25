//! rost's system-call ABI: the one place that defines syscall numbers, how arguments and results
//! travel, error codes, and the fixed parts of a task's address space. The kernel and
//! user space (guest-apps/librost) both build against this crate, so nothing here may depend on either.
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
    /// `getpid() -> pid`: the caller's process id (1-based, never reused).
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
    /// `spawn_elf(path: x0, path_len: x1, args: x2, nargs: x3) -> pid`: starts the static-PIE
    /// program at `path` on the disk (e.g. `/BIN/HELLO`; FAT names, case-insensitive) as a child
    /// of the caller. `args` points to `nargs` [`Arg`]s (at most [`MAX_ARGS`], together at most
    /// [`MAX_ARGS_BYTES`] bytes), which the program receives after its own path as argument 0.
    /// Errors: [`Error::Fault`] (bad pointer), [`Error::Inval`] (too many / too long
    /// arguments), [`Error::NoEnt`] (no such file, or no disk), [`Error::NoExec`] (not a
    /// static-PIE AArch64 ELF rost can load), [`Error::NoMem`].
    SpawnElf = 6,
    /// `wait(pid: x0) -> exit status`: blocks until the caller's child `pid` (0: any child) has
    /// ended, reaps it (its pid is gone afterwards) and returns `pid << 32 | status & 0xffff_ffff`
    /// where status is the exit code, or [`KILLED`] if it was killed. [`Error::Child`] if there is
    /// no such child.
    Wait = 7,
    /// `kill(pid: x0) -> 0`: ends process `pid`, which then waits as a zombie to be reaped by
    /// its parent. Permission rule: a process may kill itself and its own children only;
    /// anything else is [`Error::Perm`] ([`Error::Srch`] if there is no live process `pid`).
    Kill = 8,
    /// `uptime() -> ns`: virtual nanoseconds since boot, from the generic timer.
    Uptime = 9,
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
            6 => Sysno::SpawnElf,
            7 => Sysno::Wait,
            8 => Sysno::Kill,
            9 => Sysno::Uptime,
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
    /// No such file or directory.
    NoEnt = -4,
    /// No such process.
    Srch = -5,
    /// Not allowed (see the syscall's permission rule).
    Perm = -6,
    /// Out of memory or of process slots.
    NoMem = -7,
    /// Not a program rost can load.
    NoExec = -8,
    /// No such child to wait for.
    Child = -9,
}

impl Error {
    /// The value the kernel puts in `x0`.
    pub const fn to_ret(self) -> u64 {
        self as i64 as u64
    }
}

/// One program argument as the kernel passes it, and as `spawn_elf` takes them: a byte string.
/// A program starts with `x0` = the number of arguments and `x1` = a pointer to that many `Arg`s
/// on its stack (argument 0 is the program's path), the bytes they point to also on the stack.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Arg {
    pub ptr: u64,
    pub len: u64,
}

/// Most arguments `spawn_elf` passes on (the path comes on top).
pub const MAX_ARGS: u64 = 8;
/// Most bytes of arguments, path included.
pub const MAX_ARGS_BYTES: u64 = 512;
/// What `wait` reports as the status of a killed process.
pub const KILLED: u32 = 0xffff_ffff;

/// Largest `len` `print_debug` accepts.
pub const PRINT_DEBUG_MAX: u64 = 4096;

/// The scheduler tick, which is also the granularity of `sleep`: 10 ms.
pub const TICK_NS: u64 = 10_000_000;

/// Where the loader puts a program's lowest segment: its static-PIE image is relocated to here.
pub const USER_IMAGE_BASE: u64 = 0x0040_0000;
/// One past the highest address a program image may occupy.
pub const USER_IMAGE_END: u64 = 0x0700_0000;
/// One past the top of every task's stack; `sp` starts here (below the arguments).
pub const USER_STACK_TOP: u64 = 0x0800_0000;
/// Size of every task's stack; the page below it is left unmapped as a guard.
pub const USER_STACK_SIZE: u64 = 64 * 1024;
