//! Exception handling: what each vector means, fault reports, and interrupt routing.
//!
//! From EL0, an SVC is a syscall (syscall.rs) and any other synchronous exception kills the task
//! with a one-line report (format in README.md). An IRQ, from EL0 or from the idle loop, is the timer
//! tick or a virtio device's (input events go to the console and the window manager). Anything else
//! (a synchronous exception in the kernel, FIQ, SError, an exception from AArch32) is a kernel
//! bug: panic report, power off with status 1.

use crate::arch::{Frame, sysreg_read};
use crate::sched::Scheduler;
use crate::uart::kprintln;
use crate::{display, gic, psci, syscall, virtio};

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
        gic::SPURIOUS => return,
        gic::TIMER_INTID => sched.tick(),
        intid if virtio::is_virtio(intid) => {
            virtio::irq(intid, display::input);
            sched.woken();
        }
        other => kprintln!("[rost] ignoring unexpected interrupt {}", other),
    }
    gic::end(iar);
}

fn el0_sync(sched: &mut Scheduler, frame: &mut Frame) {
    let esr = sysreg_read!("esr_el1");
    if esr >> 26 == EC_SVC64 {
        let imm = esr & 0xffff;
        match syscall::dispatch(sched, if imm == 0 { frame.x[8] } else { u64::MAX }, &frame.x[..6]) {
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
