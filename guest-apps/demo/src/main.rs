//! The demo: rost v0's ten EL0 demo tasks, now one user program. The file server (process 1,
//! which includes this program) starts it ten times at boot (task demo mode), with the task's
//! name as argument 1; the processes get pids 2-11 in the order of `TASKS`, so the log is v0's
//! apart from those pids (one more than v0's task numbers) and the fault addresses (ELR) inside
//! the program.
//!
//! The console log must be identical on every machine, whatever the host speed and wherever the
//! ticks fall. So at most one task prints at any time: phases are ordered by sleeps, which count
//! ticks (abi::Sysno::Sleep), at least 10 ticks apart, while a woken task gets the CPU within a
//! tick or two (round robin) and needs microseconds. `spin` is the only task whose timing depends
//! on the machine's speed; it sleeps 1.2 s after its work before printing, so it prints after
//! every other phase, however long the work took. Tick numbers below count from boot:
//!
//! | tick | task | what |
//! |---|---|---|
//! | 0 | 1 hello | prints, yields (task 2 prints before it runs again), prints, sleeps |
//! | 0 | 2 spin | prints, then 30M iterations of integer + FP work, preempted by every tick |
//! | 0-90 | 6 fp_noise | silent: reloads its own FP values and rounding modes every tick |
//! | 10 | 1 hello | prints, exits |
//! | 20 | 3 read_kernel | reads kernel memory: killed (data abort) |
//! | 30 | 4 bad_pointers | syscalls with bad pointers, length and number; prints the errors |
//! | 40-43 | 5 fp_registers | q0-q31, FPCR and FPSR survive three sleeps |
//! | 50-80 | 7-10 crash_* | undefined instruction, BRK, jump into kernel, write to own code |
//! | 90 | 6 fp_noise | exits (code 1 if its FP state was ever disturbed) |
//! | 120+ | 2 spin | prints its checksums (FP state live across every preemption) |
#![no_std]
#![no_main]

use core::arch::asm;
use librost::abi::{self, PRINT_DEBUG_MAX, Sysno, USER_IMAGE_BASE, USER_STACK_TOP};
use librost::{Line, exit, sleep_ms, yield_now};

/// Every task's favourite forbidden address: kernel memory, EL1-only (a page of the DTB below
/// the kernel image, mapped EL1-only and never executable).
const KERNEL_BASE: u64 = 0x4008_0000;
const SPIN_ITERATIONS: u64 = 30_000_000;

/// The tasks by name, as the kernel passes them in argument 1.
const TASKS: &[(&[u8], fn() -> !)] = &[
    (b"hello", hello),
    (b"spin", spin),
    (b"read_kernel", read_kernel),
    (b"bad_pointers", bad_pointers),
    (b"fp_registers", fp_registers),
    (b"fp_noise", fp_noise),
    (b"crash_undefined", crash_undefined),
    (b"crash_brk", crash_brk),
    (b"crash_exec_kernel", crash_exec_kernel),
    (b"crash_write_text", crash_write_text),
];

librost::entry!(main);

fn main(args: &[&[u8]]) -> u64 {
    let name = args.get(1).copied().unwrap_or(b"");
    match TASKS.iter().find(|(n, _)| *n == name) {
        Some((_, task)) => task(),
        None => {
            Line::task().s(b"demo: unknown task ").s(name).send();
            1
        }
    }
}

/// Task 1: prints with a yield and a sleep in between.
fn hello() -> ! {
    Line::task().s(b"hello from EL0").send();
    yield_now();
    Line::task().s(b"back from yield").send();
    sleep_ms(100);
    Line::task().s(b"woke up after 100 ms").send();
    exit(0)
}

/// Task 2: a long CPU-bound loop with an integer checksum and an FP sum live in registers while
/// the tick preempts it. Sleeps before printing: see the module documentation.
fn spin() -> ! {
    Line::task().s(b"spinning for ").dec(SPIN_ITERATIONS).s(b" iterations").send();
    let (mut x, mut sum, mut f) = (0x9e37_79b9_7f4a_7c15u64, 0u64, 0.0f64);
    let two_to_minus_53 = f64::from_bits(0x3ca0_0000_0000_0000);
    for _ in 0..SPIN_ITERATIONS {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        sum = sum.rotate_left(5) ^ x;
        f += (x >> 11) as f64 * two_to_minus_53;
    }
    sleep_ms(1200);
    let thousand = 1000.0f64;
    Line::task().s(b"checksum ").hex(sum).s(b", fp sum x1000 = ").dec((f * thousand) as u64).send();
    exit(0)
}

/// Task 3: reads kernel memory, and is killed for it.
fn read_kernel() -> ! {
    sleep_ms(200);
    Line::task().s(b"reading kernel memory at ").hex(KERNEL_BASE).send();
    // SAFETY: not safe at all: this is meant to fault.
    let v = unsafe { (KERNEL_BASE as *const u64).read_volatile() };
    Line::task().s(b"read ").hex(v).s(b" from the kernel: isolation is broken").send();
    exit(1)
}

fn report(what: &[u8], ret: u64) {
    Line::task().s(what).s(b" = ").int(ret as i64).send();
}

/// Task 4: syscalls with bad pointers, a bad length and a bad number; prints each error.
fn bad_pointers() -> ! {
    sleep_ms(300);
    let pd = Sysno::PrintDebug as u64;
    let syscall = |nr, a0, a1| librost::syscall(nr, a0, a1, 0, 0);
    report(b"print_debug(kernel address, 16)", syscall(pd, KERNEL_BASE, 16));
    report(b"print_debug(null, 5)", syscall(pd, 0, 5));
    report(b"print_debug(stack top - 8, 16)", syscall(pd, USER_STACK_TOP - 8, 16));
    report(b"print_debug(2^64 - 4, 16)", syscall(pd, u64::MAX - 3, 16));
    report(b"print_debug(image, PRINT_DEBUG_MAX + 1)", syscall(pd, USER_IMAGE_BASE, PRINT_DEBUG_MAX + 1));
    report(b"syscall 99", syscall(99, 0, 0));
    exit(0)
}

/// Loads distinct values (chosen by `seed`) into q0-q31 and non-default values into FPCR and
/// FPSR, sleeps one tick, so other tasks run and use FP meanwhile, then checks that all of it came
/// back; `rounds` times. Returns 0 if everything survived, nonzero bits otherwise.
fn fp_rounds(seed: u64, rounds: u64) -> u64 {
    let mut diff = 0u64;
    for round in 0..rounds {
        let mut before = [0u64; 64];
        let mut after = [0u64; 64];
        for i in 0..64 {
            let v = (0x0123_4567_89ab_cdef ^ seed << 48 ^ round << 32).wrapping_mul(2 * i as u64 + 1);
            before[i] = v;
        }
        let fpcr_in = ((seed + round) % 3 + 1) << 22 | 1 << 24 | 1 << 25; // RMode not RN; FZ; DN
        let fpsr_in = 1 << 27 | 1 << ((seed + round) % 5); // QC and one cumulative flag
        let (fpcr_out, fpsr_out): (u64, u64);
        // SAFETY: reads `before`, writes `after` (512 bytes each); sleep preserves all registers
        // but x0; FPCR/FPSR are back to their defaults when the block ends.
        unsafe {
            asm!(
                "msr fpcr, {fpcr_in}",
                "msr fpsr, {fpsr_in}",
                "ld1 {{v0.2d, v1.2d, v2.2d, v3.2d}}, [{src}], #64",
                "ld1 {{v4.2d, v5.2d, v6.2d, v7.2d}}, [{src}], #64",
                "ld1 {{v8.2d, v9.2d, v10.2d, v11.2d}}, [{src}], #64",
                "ld1 {{v12.2d, v13.2d, v14.2d, v15.2d}}, [{src}], #64",
                "ld1 {{v16.2d, v17.2d, v18.2d, v19.2d}}, [{src}], #64",
                "ld1 {{v20.2d, v21.2d, v22.2d, v23.2d}}, [{src}], #64",
                "ld1 {{v24.2d, v25.2d, v26.2d, v27.2d}}, [{src}], #64",
                "ld1 {{v28.2d, v29.2d, v30.2d, v31.2d}}, [{src}], #64",
                "svc #0",
                "st1 {{v0.2d, v1.2d, v2.2d, v3.2d}}, [{dst}], #64",
                "st1 {{v4.2d, v5.2d, v6.2d, v7.2d}}, [{dst}], #64",
                "st1 {{v8.2d, v9.2d, v10.2d, v11.2d}}, [{dst}], #64",
                "st1 {{v12.2d, v13.2d, v14.2d, v15.2d}}, [{dst}], #64",
                "st1 {{v16.2d, v17.2d, v18.2d, v19.2d}}, [{dst}], #64",
                "st1 {{v20.2d, v21.2d, v22.2d, v23.2d}}, [{dst}], #64",
                "st1 {{v24.2d, v25.2d, v26.2d, v27.2d}}, [{dst}], #64",
                "st1 {{v28.2d, v29.2d, v30.2d, v31.2d}}, [{dst}], #64",
                "mrs {fpcr_out}, fpcr",
                "mrs {fpsr_out}, fpsr",
                "msr fpcr, xzr",
                "msr fpsr, xzr",
                fpcr_in = in(reg) fpcr_in,
                fpsr_in = in(reg) fpsr_in,
                src = inout(reg) before.as_ptr() => _,
                dst = inout(reg) after.as_mut_ptr() => _,
                fpcr_out = lateout(reg) fpcr_out,
                fpsr_out = lateout(reg) fpsr_out,
                inout("x0") abi::TICK_NS => _,
                in("x8") Sysno::Sleep as u64,
                out("v0") _, out("v1") _, out("v2") _, out("v3") _,
                out("v4") _, out("v5") _, out("v6") _, out("v7") _,
                out("v8") _, out("v9") _, out("v10") _, out("v11") _,
                out("v12") _, out("v13") _, out("v14") _, out("v15") _,
                out("v16") _, out("v17") _, out("v18") _, out("v19") _,
                out("v20") _, out("v21") _, out("v22") _, out("v23") _,
                out("v24") _, out("v25") _, out("v26") _, out("v27") _,
                out("v28") _, out("v29") _, out("v30") _, out("v31") _,
                options(nostack),
            )
        };
        for i in 0..64 {
            diff |= before[i] ^ after[i];
        }
        diff |= (fpcr_in ^ fpcr_out) | (fpsr_in ^ fpsr_out);
    }
    diff
}

fn fp_corrupted() -> ! {
    Line::task().s(b"FP/SIMD state CORRUPTED across a context switch").send();
    exit(1)
}

/// Task 5: checks its FP/SIMD state across three sleeps, and says so.
fn fp_registers() -> ! {
    sleep_ms(400);
    Line::task().s(b"checking q0-q31, FPCR and FPSR across 3 sleeps").send();
    if fp_rounds(5, 3) != 0 {
        fp_corrupted()
    }
    Line::task().s(b"q0-q31, FPCR and FPSR intact").send();
    exit(0)
}

/// Task 6: the same check, silently, every tick for 90 ticks from the start: it keeps other FP
/// values and rounding modes in the registers while `spin` and `fp_registers` run.
fn fp_noise() -> ! {
    if fp_rounds(6, 90) != 0 {
        fp_corrupted()
    }
    exit(0)
}

/// Tasks 7-10: each faults in its own way and is killed. Should the fault not happen, they say
/// so and fail.
fn survived() -> ! {
    Line::task().s(b"survived: the fault was not caught").send();
    exit(1)
}

fn crash_undefined() -> ! {
    sleep_ms(500);
    Line::task().s(b"executing an undefined instruction").send();
    // SAFETY: meant to fault.
    unsafe { asm!("udf #0", options(nostack)) };
    survived()
}

fn crash_brk() -> ! {
    sleep_ms(600);
    Line::task().s(b"executing brk #42").send();
    // SAFETY: meant to fault.
    unsafe { asm!("brk #42", options(nostack)) };
    survived()
}

fn crash_exec_kernel() -> ! {
    sleep_ms(700);
    Line::task().s(b"jumping into kernel code at ").hex(KERNEL_BASE).send();
    // SAFETY: meant to fault (at the branch target).
    unsafe { asm!("blr {}", in(reg) KERNEL_BASE, out("x30") _, options(nostack)) };
    survived()
}

fn crash_write_text() -> ! {
    sleep_ms(800);
    Line::task().s(b"writing to its own code").send();
    // SAFETY: meant to fault: code pages are read-only.
    unsafe { asm!("adr {0}, .", "str xzr, [{0}]", out(reg) _, options(nostack)) };
    survived()
}
