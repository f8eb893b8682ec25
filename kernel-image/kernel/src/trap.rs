//! Exception handling: what each vector means, the syscalls, and fault reports.
//!
//! From EL0, an SVC is a syscall and any other synchronous exception kills the task with a
//! one-line report (format in README.md). An IRQ, from EL0 or from the idle loop, is the timer
//! tick or a virtio device's (input events go to the console and the window manager). Anything else
//! (a synchronous exception in the kernel, FIQ, SError, an exception from AArch32) is a kernel
//! bug: panic report, power off with status 1.

use crate::mm::Space;
use crate::sched::Scheduler;
use crate::{display, fs, gic, kprintln, psci, sysreg_read, timer, uart, virtio};
use abi::{Error, MAX_ARGS, MAX_ARGS_BYTES, Message, PRINT_DEBUG_MAX, SPAWN_SERVER, Sysno, TICK_NS};
use alloc::vec::Vec;
use alloc::vec;

/// A saved CPU context. Layout shared with the assembly in boot.rs.
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

// Vector numbers as boot.rs passes them (entry offset / 0x80).
const EL1_SYNC: u64 = 4;
const EL1_IRQ: u64 = 5;
const EL0_SYNC: u64 = 8;
const EL0_IRQ: u64 = 9;

/// Exception class (ESR_EL1 bits 31:26) of an SVC from AArch64.
const EC_SVC64: u64 = 0x15;

/// Called by trap_save with the just-saved frame; returns the frame to resume (the same one, or
/// another context's after a switch).
#[unsafe(no_mangle)]
extern "C" fn rost_trap(frame: &mut Frame, vector: u64) -> *mut Frame {
    let Some(sched) = crate::sched::get() else { kernel_fault(frame, vector) };
    sched.reap_orphans();
    match vector {
        EL0_SYNC => el0_sync(sched, frame),
        EL0_IRQ => irq(sched),
        EL1_IRQ if sched.idle() => irq(sched),
        _ => kernel_fault(frame, vector),
    }
    sched.resume()
}

fn irq(sched: &mut Scheduler) {
    let iar = gic::acknowledge();
    match iar & 0x3ff {
        gic::SPURIOUS => {}
        gic::TIMER_INTID => {
            sched.tick();
            gic::end(iar);
        }
        intid if virtio::is_virtio(intid) => {
            virtio::irq(intid, display::input);
            gic::end(iar);
            sched.woken();
        }
        other => {
            kprintln!("[rost] ignoring unexpected interrupt {}", other);
            gic::end(iar);
        }
    }
}

fn el0_sync(sched: &mut Scheduler, frame: &mut Frame) {
    let esr = sysreg_read!("esr_el1");
    if esr >> 26 == EC_SVC64 {
        let imm = esr & 0xffff;
        match syscall(sched, if imm == 0 { frame.x[8] } else { u64::MAX }, frame) {
            Some(ret) => frame.x[0] = ret,
            None => frame.elr -= 4,
        }
        return;
    }
    let (kind, far) = describe(esr);
    kprintln!(
        "[rost] task {} killed: {} (ESR={:#010x} FAR={:#018x} ELR={:#018x})",
        sched.current_id(),
        kind,
        esr,
        far,
        frame.elr
    );
    sched.kill_current();
}

/// Runs syscall `nr` for the current process; returns the value for x0, or None to run the
/// `svc` again when the process next runs (it blocked, and the call is retried then).
fn syscall(sched: &mut Scheduler, nr: u64, frame: &Frame) -> Option<u64> {
    let a = &frame.x;
    let ret = |r: Result<u64, Error>| Some(r.unwrap_or_else(Error::to_ret));
    match Sysno::from_raw(nr) {
        Some(Sysno::PrintDebug) => ret(print_debug(sched.space(), a[0], a[1])),
        Some(Sysno::GetPid) => Some(sched.current_id()),
        Some(Sysno::Yield) => {
            sched.yield_current();
            Some(0)
        }
        Some(Sysno::Sleep) => {
            sched.sleep_current(a[0].div_ceil(TICK_NS).max(1));
            Some(0)
        }
        Some(Sysno::Exit) => {
            sched.exit_current(a[0]);
            Some(0) // nobody reads it: the process is gone
        }
        Some(Sysno::SpawnElf) => ret(spawn(sched, a[0], a[1], a[2], a[3], a[4])),
        Some(Sysno::Wait) => sched.wait(a[0]).unwrap_or_else(|e| Some(e.to_ret())),
        Some(Sysno::Kill) => ret(sched.kill(a[0])),
        Some(Sysno::Uptime) => Some(timer::uptime_ns()),
        Some(Sysno::SendMessage) => match copy_in(sched.space(), a[1], MSG_SIZE) {
            Ok(m) => sched.send(a[0], read_msg(&m)).unwrap_or_else(|e| Some(e.to_ret())),
            Err(e) => Some(e.to_ret()),
        },
        Some(Sysno::RecvMessage) if !sched.space().user_ok(a[0], MSG_SIZE, true) => ret(Err(Error::Fault)),
        Some(Sysno::RecvMessage) => match sched.recv(a[1]) {
            Ok(Some(m)) => ret(copy_out(sched.space(), a[0], bytes_of(&m))),
            Ok(None) => None,
            Err(e) => Some(e.to_ret()),
        },
        Some(Sysno::PollEvent) if !sched.space().user_ok(a[0], 20, true) => ret(Err(Error::Fault)),
        Some(Sysno::PollEvent) => ret(match sched.poll_event() {
            Some(ev) => copy_out(sched.space(), a[0], bytes_of(&ev)).map(|_| 1),
            None => Ok(0),
        }),
        Some(Sysno::ShmCreate) => ret(sched.shm_create(a[0])),
        Some(Sysno::ShmMap) => ret(sched.shm_map(a[0], a[1])),
        Some(Sysno::ShmUnmap) => ret(sched.shm_unmap(a[0])),
        Some(Sysno::ShmDestroy) => ret(sched.shm_destroy(a[0])),
        Some(Sysno::FbInfo) => ret(display::info()),
        Some(Sysno::FbMap) => ret(display::map(sched)),
        Some(Sysno::FbFlush) if sched.wm != sched.current_id() => ret(Err(Error::Perm)),
        Some(Sysno::FbFlush) => ret(display::flush(a[0], a[1], a[2], a[3])),
        Some(Sysno::BlkRead) => ret(fs::sectors(sched, false, a[0], a[1], a[2])),
        Some(Sysno::BlkWrite) => ret(fs::sectors(sched, true, a[0], a[1], a[2])),
        None => ret(Err(Error::NoSys)),
    }
}

/// A copy of the caller's `[ptr, ptr + len)`, after checking it is the caller's to read.
pub fn copy_in(space: Space, ptr: u64, len: u64) -> Result<Vec<u8>, Error> {
    if !space.user_ok(ptr, len, false) {
        return Err(Error::Fault);
    }
    // SAFETY: checked above to be user memory of the current process, whose table is live;
    // volatile because the process, not the compiler, owns that memory.
    Ok((0..len).map(|i| unsafe { ((ptr + i) as *const u8).read_volatile() }).collect())
}

const MSG_SIZE: u64 = core::mem::size_of::<Message>() as u64;

fn read_msg(bytes: &[u8]) -> Message {
    // SAFETY: `bytes` holds MSG_SIZE bytes, and every bit pattern is a valid Message.
    unsafe { core::ptr::read_unaligned(bytes.as_ptr() as *const Message) }
}

/// Copies `bytes` to the caller's `ptr`, after checking the caller may write there.
pub fn copy_out(space: Space, ptr: u64, bytes: &[u8]) -> Result<u64, Error> {
    if !space.user_ok(ptr, bytes.len() as u64, true) {
        return Err(Error::Fault);
    }
    for (i, &b) in bytes.iter().enumerate() {
        // SAFETY: checked above; the current process's table is live.
        unsafe { ((ptr + i as u64) as *mut u8).write_volatile(b) };
    }
    Ok(0)
}

/// The bytes of a plain-data value (a message, an input event) for `copy_out`.
fn bytes_of<T: Copy>(value: &T) -> &[u8] {
    // SAFETY: T is plain data without padding (repr(C) integers), every byte initialised.
    unsafe { core::slice::from_raw_parts(value as *const T as *const u8, core::mem::size_of::<T>()) }
}

fn print_debug(space: Space, ptr: u64, len: u64) -> Result<u64, Error> {
    if len > PRINT_DEBUG_MAX {
        return Err(Error::Inval);
    }
    copy_in(space, ptr, len)?.into_iter().for_each(uart::putc);
    Ok(len)
}

/// `spawn_elf(path, path_len, args, nargs, flags)`: see the ABI crate.
fn spawn(sched: &mut Scheduler, path: u64, path_len: u64, args: u64, nargs: u64, flags: u64) -> Result<u64, Error> {
    let space = sched.space();
    if nargs > MAX_ARGS || path_len > MAX_ARGS_BYTES || flags & !SPAWN_SERVER != 0 {
        return Err(Error::Inval);
    }
    let server = flags & SPAWN_SERVER != 0;
    if server && !sched.cur().server {
        return Err(Error::Perm);
    }
    let mut strings = vec![copy_in(space, path, path_len)?];
    let table = copy_in(space, args, nargs * 16)?;
    for arg in table.chunks(16) {
        let word = |i: usize| u64::from_le_bytes(arg[i..i + 8].try_into().unwrap());
        strings.push(copy_in(space, word(0), word(8).min(MAX_ARGS_BYTES + 1))?);
    }
    if strings.iter().map(Vec::len).sum::<usize>() > MAX_ARGS_BYTES as usize {
        return Err(Error::Inval);
    }
    let file = fs::read(&strings[0]).ok_or(Error::NoEnt)?;
    let args: Vec<&[u8]> = strings.iter().map(Vec::as_slice).collect();
    let parent = sched.current_id();
    sched.spawn(parent, &file, &args, server)
}

/// Names an exception for a report, and gives the fault address when ESR's class defines one
/// (FAR_EL1 is stale otherwise, so 0 is reported to keep logs identical across machines).
fn describe(esr: u64) -> (&'static str, u64) {
    let far = sysreg_read!("far_el1");
    match esr >> 26 {
        0x00 => ("undefined instruction", 0),
        0x0e => ("illegal execution state", 0),
        0x18 => ("trapped system register access", 0),
        0x20 | 0x21 => ("instruction abort", far),
        0x22 => ("PC alignment fault", far),
        0x24 | 0x25 => ("data abort", far),
        0x26 => ("SP alignment fault", 0),
        0x3c => ("breakpoint (BRK)", 0),
        _ => ("unexpected exception", 0),
    }
}

/// An exception the kernel cannot handle: report and power off with a failure status.
fn kernel_fault(frame: &Frame, vector: u64) -> ! {
    let esr = sysreg_read!("esr_el1");
    let kind = if vector == EL1_SYNC { describe(esr).0 } else { "unexpected exception" };
    kprintln!(
        "[rost] KERNEL PANIC: {} in kernel, vector {:#x} (ESR={:#010x} FAR={:#018x} ELR={:#018x} SPSR={:#010x})",
        kind,
        vector * 0x80,
        esr,
        sysreg_read!("far_el1"),
        frame.elr,
        frame.spsr
    );
    psci::system_off(1)
}
