//! The system calls, one function each, over the raw `svc #0` convention of the ABI crate:
//! number in x8, arguments in x0-x5, result in x0 (errors are -4095..=-1).

use abi::{Arg, Error, Sysno};
use core::arch::asm;

/// A raw system call with up to four arguments; returns x0 as the kernel left it.
#[inline(always)]
pub fn syscall(nr: u64, a0: u64, a1: u64, a2: u64, a3: u64) -> u64 {
    let ret;
    // SAFETY: the kernel preserves every register but x0; it only touches memory we point it at,
    // after checking it is ours.
    unsafe {
        asm!("svc #0", inlateout("x0") a0 => ret, in("x1") a1, in("x2") a2, in("x3") a3,
             in("x8") nr, options(nostack))
    };
    ret
}

/// A result as `Ok(value)` or the ABI's error.
pub fn check(ret: u64) -> Result<u64, i64> {
    if (ret as i64) < 0 && (ret as i64) >= -4095 { Err(ret as i64) } else { Ok(ret) }
}

/// Is `ret` exactly `e`?
pub fn is(ret: u64, e: Error) -> bool {
    ret == e.to_ret()
}

pub fn print(s: &[u8]) -> u64 {
    syscall(Sysno::PrintDebug as u64, s.as_ptr() as u64, s.len() as u64, 0, 0)
}

pub fn getpid() -> u64 {
    syscall(Sysno::GetPid as u64, 0, 0, 0, 0)
}

pub fn yield_now() {
    syscall(Sysno::Yield as u64, 0, 0, 0, 0);
}

pub fn sleep_ns(ns: u64) {
    syscall(Sysno::Sleep as u64, ns, 0, 0, 0);
}

pub fn sleep_ms(ms: u64) {
    sleep_ns(ms * 1_000_000)
}

pub fn exit(code: u64) -> ! {
    // SAFETY: exit does not return.
    unsafe { asm!("svc #0", in("x0") code, in("x8") Sysno::Exit as u64, options(noreturn, nostack)) }
}

/// Starts the program at `path` with `args` (after the path); returns its pid or the error.
pub fn spawn(path: &[u8], args: &[&[u8]]) -> u64 {
    let mut raw = [Arg { ptr: 0, len: 0 }; abi::MAX_ARGS as usize];
    for (r, a) in raw.iter_mut().zip(args) {
        *r = Arg { ptr: a.as_ptr() as u64, len: a.len() as u64 };
    }
    let n = args.len() as u64;
    syscall(Sysno::SpawnElf as u64, path.as_ptr() as u64, path.len() as u64, raw.as_ptr() as u64, n)
}

/// Waits for child `pid` (0: any); returns `pid << 32 | status` or the error.
pub fn wait(pid: u64) -> u64 {
    syscall(Sysno::Wait as u64, pid, 0, 0, 0)
}

pub fn kill(pid: u64) -> u64 {
    syscall(Sysno::Kill as u64, pid, 0, 0, 0)
}

/// Virtual nanoseconds since boot.
pub fn uptime() -> u64 {
    syscall(Sysno::Uptime as u64, 0, 0, 0, 0)
}
