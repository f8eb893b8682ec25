//! The system calls, one function each, over the raw `svc #0` convention of the ABI crate:
//! number in x8, arguments in x0-x5, result in x0. A call that can fail returns
//! `Result<_, abi::Error>`; `syscall` and `syscall5` are the raw calls, for tests that pass what
//! no wrapper would (read their result with `Error::from_ret`).

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

fn call(nr: Sysno, a0: u64, a1: u64, a2: u64, a3: u64) -> Result<u64, Error> {
    Error::from_ret(syscall(nr as u64, a0, a1, a2, a3))
}

/// Writes `s` to the console as it is, in one piece.
pub fn print(s: &[u8]) -> Result<(), Error> {
    call(Sysno::PrintDebug, s.as_ptr() as u64, s.len() as u64, 0, 0).map(|_| ())
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

/// Starts the program whose ELF file is `image` with `args` (argument 0, its name, first);
/// `flags`: 0 or abi::SPAWN_SERVER. Returns the child's pid. `spawn` (file.rs) starts a program
/// from a file.
pub fn spawn_image(image: &[u8], args: &[&[u8]], flags: u64) -> Result<u64, Error> {
    let mut raw = [Arg { ptr: 0, len: 0 }; abi::MAX_ARGS as usize];
    for (r, a) in raw.iter_mut().zip(args) {
        *r = Arg { ptr: a.as_ptr() as u64, len: a.len() as u64 };
    }
    let (image, len) = (image.as_ptr() as u64, image.len() as u64);
    let n = args.len() as u64; // the kernel refuses more than MAX_ARGS before it reads the table
    Error::from_ret(syscall5(Sysno::Spawn as u64, image, len, raw.as_ptr() as u64, n, flags))
}

/// Waits for child `pid` (0: any) to end and reaps it: its pid and exit status (the exit code,
/// or abi::KILLED).
pub fn wait(pid: u64) -> Result<(u64, u32), Error> {
    call(Sysno::Wait, pid, 0, 0, 0).map(|r| (r >> 32, r as u32))
}

pub fn kill(pid: u64) -> Result<(), Error> {
    call(Sysno::Kill, pid, 0, 0, 0).map(|_| ())
}

/// Virtual nanoseconds since boot.
pub fn uptime() -> u64 {
    syscall(Sysno::Uptime as u64, 0, 0, 0, 0)
}

/// Sends `msg` to `pid` (the kernel stamps the sender); blocks while its mailbox is full.
pub fn send_message(pid: u64, msg: &Message) -> Result<(), Error> {
    call(Sysno::SendMessage, pid, msg as *const Message as u64, 0, 0).map(|_| ())
}

/// Sends `msg` to `pid` unless its mailbox is full (Error::Again): how a server talks to its
/// clients, so that one that stops reading cannot hang it.
pub fn send_nowait(pid: u64, msg: &Message) -> Result<(), Error> {
    call(Sysno::SendMessage, pid, msg as *const Message as u64, abi::SEND_NOWAIT, 0).map(|_| ())
}

/// The next message, waiting up to `timeout_ns` for one (0: poll, u64::MAX: for ever).
pub fn recv_message(timeout_ns: u64) -> Result<Message, Error> {
    let mut m = Message::new(0, &[]);
    call(Sysno::RecvMessage, &mut m as *mut Message as u64, timeout_ns, 0, 0).map(|_| m)
}

/// A new shared-memory object of `size` bytes: its id.
pub fn shm_create(size: u64) -> Result<u64, Error> {
    call(Sysno::ShmCreate, size, 0, 0, 0)
}

/// Maps object `id` into the caller (pid 0: returns the address) or grants it to `pid`.
pub fn shm_map(id: u64, pid: u64) -> Result<u64, Error> {
    call(Sysno::ShmMap, id, pid, 0, 0)
}

pub fn shm_unmap(id: u64) -> Result<(), Error> {
    call(Sysno::ShmUnmap, id, 0, 0, 0).map(|_| ())
}

pub fn shm_destroy(id: u64) -> Result<(), Error> {
    call(Sysno::ShmDestroy, id, 0, 0, 0).map(|_| ())
}

/// The display size.
pub fn fb_info() -> Result<(u32, u32), Error> {
    call(Sysno::FbInfo, 0, 0, 0, 0).map(|v| ((v >> 32) as u32, v as u32))
}

/// Maps the framebuffer, making the caller the window manager: its address.
pub fn fb_map() -> Result<u64, Error> {
    call(Sysno::FbMap, 0, 0, 0, 0)
}

pub fn fb_flush(x: u32, y: u32, w: u32, h: u32) -> Result<(), Error> {
    call(Sysno::FbFlush, x as u64, y as u64, w as u64, h as u64).map(|_| ())
}

/// The next input event the kernel sent, if any (never blocks).
pub fn poll_event() -> Option<InputEvent> {
    let mut b = [0u8; InputEvent::SIZE];
    let got = call(Sysno::PollEvent, b.as_mut_ptr() as u64, 0, 0, 0) == Ok(1);
    got.then(|| InputEvent::from_bytes(&b)).flatten()
}

/// Reads `buf.len() / 512` sectors from `sector` on into `buf` (the file server's disk access).
pub fn blk_read(sector: u64, buf: &mut [u8]) -> Result<(), Error> {
    call(Sysno::BlkRead, sector, buf.as_mut_ptr() as u64, (buf.len() / 512) as u64, 0).map(|_| ())
}

/// Writes and flushes `buf.len() / 512` sectors from `sector` on.
pub fn blk_write(sector: u64, buf: &[u8]) -> Result<(), Error> {
    call(Sysno::BlkWrite, sector, buf.as_ptr() as u64, (buf.len() / 512) as u64, 0).map(|_| ())
}

/// The process with the smallest pid above `after` (start with 0), if any.
pub fn proc_info(after: u64) -> Option<abi::ProcInfo> {
    let mut info = abi::ProcInfo::default();
    let r = call(Sysno::ProcInfo, after, &mut info as *mut abi::ProcInfo as u64, 0, 0);
    r.is_ok().then_some(info)
}

/// Free and total pages of the kernel's memory.
pub fn mem_info() -> (u64, u64) {
    let v = syscall(Sysno::MemInfo as u64, 0, 0, 0, 0);
    (v >> 32, v & 0xffff_ffff)
}
