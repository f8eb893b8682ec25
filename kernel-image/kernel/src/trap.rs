//! Exception handling: what each vector means, the syscalls, and fault reports.
//!
//! From EL0, an SVC is a syscall and any other synchronous exception kills the task with a
//! one-line report (format in README.md). An IRQ, from EL0 or from the idle loop, is the timer
//! tick or a virtio device's (input events go to the boot screen and the console). Anything else
//! (a synchronous exception in the kernel, FIQ, SError, an exception from AArch32) is a kernel
//! bug: panic report, power off with status 1.

use crate::sched::Scheduler;
use crate::{bootscreen, gic, kprintln, mm, psci, sysreg_read, uart, virtio};
use abi::{Error, PRINT_DEBUG_MAX, Sysno, TICK_NS};

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
            virtio::irq(intid, bootscreen::input);
            gic::end(iar);
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
        frame.x[0] = syscall(sched, if imm == 0 { frame.x[8] } else { u64::MAX }, frame);
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

/// Runs syscall `nr` for the current task; returns the value for x0.
fn syscall(sched: &mut Scheduler, nr: u64, frame: &Frame) -> u64 {
    let a = &frame.x;
    match Sysno::from_raw(nr) {
        Some(Sysno::PrintDebug) => print_debug(a[0], a[1]),
        Some(Sysno::GetPid) => sched.current_id(),
        Some(Sysno::Yield) => {
            sched.yield_current();
            0
        }
        Some(Sysno::Sleep) => {
            sched.sleep_current(a[0].div_ceil(TICK_NS).max(1));
            0
        }
        Some(Sysno::Exit) => {
            sched.exit_current(a[0]);
            0 // nobody reads it: the task is gone
        }
        None => Error::NoSys.to_ret(),
    }
}

fn print_debug(ptr: u64, len: u64) -> u64 {
    if len > PRINT_DEBUG_MAX {
        return Error::Inval.to_ret();
    }
    if !mm::user_readable(ptr, len) {
        return Error::Fault.to_ret();
    }
    for i in 0..len {
        // SAFETY: checked above to be user memory of the current task, whose table is live;
        // volatile because the task, not the compiler, owns that memory.
        uart::putc(unsafe { ((ptr + i) as *const u8).read_volatile() });
    }
    len
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
