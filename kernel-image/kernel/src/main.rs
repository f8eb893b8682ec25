//! rost v0: a small AArch64 microkernel for QEMU's `virt` board and for Vitrine, which models the
//! same machine. It boots at EL1, turns the MMU on, and starts the virtio devices it finds. With a
//! GPU it shows the boot screen (bootscreen.rs) and keeps running; otherwise, or when the
//! bootargs say `rost.demo=tasks`, it runs the demo at EL0 (guest-apps/demo, a static-PIE
//! program built into the image: ten processes, one per task) under a preemptive round-robin
//! scheduler, each in its own address space, and when every process has ended it powers the
//! machine off through PSCI. With `rost.init=<path>` it runs that program from the disk instead.
//!
//! Concurrency model: one CPU, and the kernel itself always runs with interrupts masked (exception
//! entry masks them; only EL0 and the idle loop run unmasked). So kernel code is never re-entered
//! and needs no locks. The console log is designed to be the same on every machine; see demo.rs.
#![no_std]
#![no_main]

extern crate alloc;

mod arch;
mod boot;
mod display;
mod fs;
mod gic;
mod ipc;
mod loader;
// memcpy & co. and the unwinding stubs come from the crate shared with user space
extern crate freestanding;
mod mm;
mod psci;
mod sched;
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

    let devices = virtio::init();
    if let Some(mut blk) = devices.blk {
        let capacity = blk.capacity;
        match blk.self_test() {
            Ok(()) => kprintln!("[blk] self-test ok (capacity {} sectors)", capacity),
            Err(e) => kprintln!("[blk] self-test failed: {} (capacity {} sectors)", e, capacity),
        }
        if fs::init(blk) {
            kprintln!("[fs] FAT16 volume mounted");
        }
    }

    let mut sched = sched::Scheduler::new();
    let init = fdt::word_value(bootargs(), b"rost.init=");
    let has_gpu = devices.gpu.is_some();
    devices.gpu.map(display::init);
    match init {
        Some(path) => {
            kprintln!("[rost] starting {}", core::str::from_utf8(path).unwrap_or("?"));
            let file = fs::read(path).unwrap_or_default();
            if sched.spawn(0, &file, &[path], true).is_err() {
                kprintln!("[rost] no program {} on the disk", core::str::from_utf8(path).unwrap_or("?"));
            }
        }
        None if has_gpu && !fdt::has_word(bootargs(), b"rost.demo=tasks") => {
            sched.spawn(0, SCREEN, &[b"screen"], true).expect("the built-in boot screen loads");
            display::announce_first_flush("[rost] boot screen up, waiting for input");
        }
        None => {
            for task in DEMO_TASKS {
                sched.spawn(0, DEMO, &[b"demo", task], true).expect("the built-in demo loads");
            }
            kprintln!("[rost] starting {} tasks", DEMO_TASKS.len());
        }
    }
    sched::start(sched)
}

/// The boot screen (guest-apps/screen), the window manager of a machine with a GPU.
static SCREEN: &[u8] = include_bytes!("../../../guest-apps/build/screen.elf");
/// The demo program (guest-apps/demo), built before the kernel, and its tasks in pid order.
static DEMO: &[u8] = include_bytes!("../../../guest-apps/build/demo.elf");
const DEMO_TASKS: [&[u8]; 10] = [
    b"hello",
    b"spin",
    b"read_kernel",
    b"bad_pointers",
    b"fp_registers",
    b"fp_noise",
    b"crash_undefined",
    b"crash_brk",
    b"crash_exec_kernel",
    b"crash_write_text",
];

/// The kernel command line: /chosen/bootargs of the DTB at the start of RAM; empty without one.
fn bootargs() -> &'static [u8] {
    // SAFETY: the DTB area is mapped EL1 read-only and nothing ever writes it.
    let area = unsafe { core::slice::from_raw_parts(mm::DTB_BASE as *const u8, mm::dtb_room()) };
    fdt::bootargs(area).unwrap_or(&[])
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    kprintln!("[rost] PANIC: {}", info);
    psci::system_off(1)
}
