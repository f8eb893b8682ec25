//! rost v0: a small AArch64 microkernel for QEMU's `virt` board and for Vitrine, which models the
//! same machine. It boots at EL1, turns the MMU on, starts the virtio devices it finds, and starts
//! one process: the file server (guest-apps/fsd, built into the image), which starts everything
//! else (`rost.init=<path>` from the disk, the boot screen on a machine with a GPU, or the task
//! demo; see the abi crate's `fs`). From then on the kernel runs only in exception handlers:
//! processes, each in its own address space, under a preemptive priority round-robin scheduler,
//! with IPC, shared memory, the display and raw disk access for the file server. When every
//! process has ended it powers the machine off through PSCI.
//!
//! Modules, each using only those below it: boot.rs (entry, vector table, saving and restoring a
//! context) and main.rs (this: the boot sequence) at the top; trap.rs (what an exception is) ->
//! syscall.rs (decoding and checking the system calls) -> ipc.rs, display.rs, disk.rs ->
//! sched.rs (processes) -> loader.rs (with the elf crate), virtio/ -> iommu/ (the IOMMU and each
//! device's domain) -> mm.rs (page frames with the heap crate, address spaces, user copies),
//! timer.rs, gic.rs, uart.rs, psci.rs -> arch.rs (the trap frame, system registers, MMIO). The fdt
//! crate reads the bootargs and finds the IOMMU.
//!
//! Concurrency model: one CPU, and the kernel itself always runs with interrupts masked (exception
//! entry masks them; only EL0 and the idle loop run unmasked). So kernel code is never re-entered
//! and needs no locks. The console log is designed to be the same on every machine; see
//! guest-apps/demo.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use uart::kprintln;

mod arch;
mod boot;
mod disk;
mod display;
mod gic;
mod iommu;
mod ipc;
mod loader;
// memcpy & co. and the unwinding stubs come from the crate shared with user space
extern crate freestanding;
mod mm;
mod psci;
mod sched;
mod syscall;
mod timer;
mod trap;
mod uart;
mod virtio;

/// First Rust code, called by `_start` (boot.rs) with the MMU off, FP/SIMD on, a boot stack, a
/// zeroed .bss and the exception vectors installed.
#[unsafe(no_mangle)]
extern "C" fn kmain() -> ! {
    uart::init();
    kprintln!("rost v0: booting at EL{}", arch::current_el());
    mm::init();
    gic::init();
    let hz = timer::init();
    kprintln!("[rost] mmu on, gic on, timer {} Hz, tick {} ms", hz, abi::TICK_NS / 1_000_000);

    let words: Vec<&[u8]> = bootargs().split(u8::is_ascii_whitespace).filter(|w| !w.is_empty()).collect();
    iommu::init(dtb(), &words);
    let (gpu, blk) = virtio::init();
    if let Some(mut blk) = blk {
        let capacity = blk.capacity;
        match blk.self_test() {
            Ok(()) => kprintln!("[blk] self-test ok (capacity {} sectors)", capacity),
            Err(e) => kprintln!("[blk] self-test failed: {} (capacity {} sectors)", e, capacity),
        }
        disk::init(blk);
    }
    gpu.map(display::init);

    // The file server is the one process the kernel starts (abi::fs); it gets the words of the
    // bootargs as its arguments, and starts everything else.
    let args: Vec<&[u8]> = [&b"fsd"[..]].into_iter().chain(words).take(abi::MAX_ARGS as usize).collect();
    let mut sched = sched::Scheduler::new();
    let fsd = sched.spawn(0, FSD, &args, true).expect("the built-in file server loads");
    sched.live(fsd).expect("just spawned").prio = 1;
    sched::start(sched)
}

/// The file server (guest-apps/fsd), built before the kernel; it includes the demo and the boot
/// screen.
static FSD: &[u8] = include_bytes!("../../../guest-apps/build/fsd.elf");

/// The area of the DTB at the start of RAM.
fn dtb() -> &'static [u8] {
    // SAFETY: the DTB area is mapped EL1 read-only and nothing ever writes it.
    unsafe { core::slice::from_raw_parts(mm::DTB_BASE as *const u8, mm::dtb_room()) }
}

/// The kernel command line: /chosen/bootargs of the DTB; empty without one.
fn bootargs() -> &'static [u8] {
    fdt::bootargs(dtb()).unwrap_or(&[])
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    kprintln!("[rost] PANIC: {}", info);
    psci::system_off(1)
}
