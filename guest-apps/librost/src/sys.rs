//! The system calls, one function each, over the raw `svc #0` convention of the ABI crate:
//! number in x8, arguments in x0-x5, result in x0 (errors are -4095..=-1).

use abi::{Arg, Error, InputEvent, Message, Sysno};
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

/// A raw system call with five arguments.
#[inline(always)]
pub fn syscall5(nr: u64, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64) -> u64 {
    let ret;
    // SAFETY: as for `syscall`.
    unsafe {
        asm!("svc #0", inlateout("x0") a0 => ret, in("x1") a1, in("x2") a2, in("x3") a3,
             in("x4") a4, in("x8") nr, options(nostack))
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
    spawn_with(path, args, 0)
}

/// Starts a program that may become a system server (abi::SPAWN_SERVER): the file server, a
/// window manager. Only a process with that right itself may.
pub fn spawn_server(path: &[u8], args: &[&[u8]]) -> u64 {
    spawn_with(path, args, abi::SPAWN_SERVER)
}

fn spawn_with(path: &[u8], args: &[&[u8]], flags: u64) -> u64 {
    let mut raw = [Arg { ptr: 0, len: 0 }; abi::MAX_ARGS as usize];
    for (r, a) in raw.iter_mut().zip(args) {
        *r = Arg { ptr: a.as_ptr() as u64, len: a.len() as u64 };
    }
    let (n, table) = (args.len() as u64, raw.as_ptr() as u64);
    syscall5(Sysno::SpawnElf as u64, path.as_ptr() as u64, path.len() as u64, table, n, flags)
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

/// Sends `msg` to `pid` (the kernel stamps the sender); blocks while its mailbox is full.
pub fn send_message(pid: u64, msg: &Message) -> u64 {
    syscall(Sysno::SendMessage as u64, pid, msg as *const Message as u64, 0, 0)
}

/// Receives into `msg`, waiting up to `timeout_ns` (0: poll, u64::MAX: for ever).
pub fn recv_message(msg: &mut Message, timeout_ns: u64) -> u64 {
    syscall(Sysno::RecvMessage as u64, msg as *mut Message as u64, timeout_ns, 0, 0)
}

/// A message of `kind` carrying `payload` (cut to MSG_PAYLOAD bytes).
pub fn message(kind: u32, payload: &[u8]) -> Message {
    let mut m = Message { sender: 0, kind, len: 0, payload: [0; abi::MSG_PAYLOAD] };
    let n = payload.len().min(abi::MSG_PAYLOAD);
    m.payload[..n].copy_from_slice(&payload[..n]);
    m.len = n as u32;
    m
}

pub fn shm_create(size: u64) -> u64 {
    syscall(Sysno::ShmCreate as u64, size, 0, 0, 0)
}

/// Maps object `id` into the caller (pid 0) or grants it to `pid`.
pub fn shm_map(id: u64, pid: u64) -> u64 {
    syscall(Sysno::ShmMap as u64, id, pid, 0, 0)
}

pub fn shm_unmap(id: u64) -> u64 {
    syscall(Sysno::ShmUnmap as u64, id, 0, 0, 0)
}

pub fn shm_destroy(id: u64) -> u64 {
    syscall(Sysno::ShmDestroy as u64, id, 0, 0, 0)
}

/// The display size, or the error (no GPU).
pub fn fb_info() -> Result<(u32, u32), i64> {
    check(syscall(Sysno::FbInfo as u64, 0, 0, 0, 0)).map(|v| ((v >> 32) as u32, v as u32))
}

pub fn fb_map() -> u64 {
    syscall(Sysno::FbMap as u64, 0, 0, 0, 0)
}

pub fn fb_flush(x: u32, y: u32, w: u32, h: u32) -> u64 {
    syscall(Sysno::FbFlush as u64, x as u64, y as u64, w as u64, h as u64)
}

/// The next input event the kernel sent, if any (never blocks).
pub fn poll_event() -> Option<InputEvent> {
    let mut ev = InputEvent::default();
    (syscall(Sysno::PollEvent as u64, &mut ev as *mut InputEvent as u64, 0, 0, 0) == 1).then_some(ev)
}

/// Reads `count` sectors from `sector` into `buf` (the file server's disk access).
pub fn blk_read(sector: u64, buf: &mut [u8]) -> u64 {
    syscall(Sysno::BlkRead as u64, sector, buf.as_mut_ptr() as u64, (buf.len() / 512) as u64, 0)
}

/// Writes and flushes `buf.len() / 512` sectors from `sector` on.
pub fn blk_write(sector: u64, buf: &[u8]) -> u64 {
    syscall(Sysno::BlkWrite as u64, sector, buf.as_ptr() as u64, (buf.len() / 512) as u64, 0)
}
