//! uarch: microbenchmarks of the CPU's timing (issue 15), for checking Vitrine's `--timing a53`
//! model against the Cortex-A53 figures (tests/TimingMicrobenchmarkTest) and drawing its memory
//! latency staircase (`vitrine bench --only timing`). Run as init: `rost.init=/BIN/UARCH`.
//!
//! Every figure is virtual time from the kernel's uptime (the virtual counter, CNTVCT_EL0) over
//! a loop long enough that the counter's resolution and the system call do not matter, printed
//! as cycles at 1 GHz (nanoseconds) per operation with two decimals, one line each:
//! `uarch: <what> <cycles>`. The loops are hand-written assembly so the compiler cannot change
//! what is measured:
//! - dependent chains of one instruction (ALU add, MUL, UDIV, FADD, FMUL, FMADD through its
//!   accumulator, FDIV), eight per loop iteration: the latency of each;
//! - a pointer chase through one 64-byte line after another over a working set from 4 KiB to
//!   64 MiB (shared memory, contiguous 8 MiB objects): load-to-use latency by level;
//! - a loop whose conditional branch follows a random bit (the top bit of a 64-bit linear
//!   congruential generator, Knuth's MMIX constants) or a constant one: the cost
//!   of a mispredict is twice the difference per iteration (random bits mispredict half the time);
//! - a pointer chase over one line per 4 KiB page, over 8, 256 and 4096 pages: the reach of the
//!   micro-TLB and the L2 TLB.
#![no_std]
#![no_main]

use core::arch::asm;
use librost::{Line, shm_create, shm_map, uptime};

librost::entry!(main);

/// Iterations of the eight-instruction chains.
const CHAIN_ITERATIONS: u64 = 50_000;
/// Loads timed per working-set size (after one untimed pass to warm the caches).
const CHASE_LOADS: u64 = 1 << 17;
const LINE: usize = 64;
const PAGE: usize = 4096;
const SHM_OBJECT: u64 = 8 << 20;
const BUFFER: usize = 64 << 20;

fn main(_args: &[&[u8]]) -> u64 {
    chains();
    let Some(buffer) = buffer() else {
        Line::task().s(b"uarch: no 64 MiB of contiguous shared memory").send();
        return 1;
    };
    staircase(buffer);
    branches();
    tlb(buffer);
    Line::task().s(b"uarch: done").send();
    0
}

/// Prints `uarch: <what> <ns * 100 / ops as x.yy>`.
fn report(what: &[u8], ns: u64, ops: u64) {
    let hundredths = ns * 100 / ops;
    let mut line = Line::task();
    line.s(b"uarch: ").s(what).s(b" ").dec(hundredths / 100).s(b".");
    if hundredths % 100 < 10 {
        line.s(b"0");
    }
    line.dec(hundredths % 100).send();
}

fn timed(f: impl FnOnce()) -> u64 {
    let t0 = uptime();
    f();
    uptime() - t0
}

macro_rules! chain {
    ($name:literal, $op:literal) => {{
        let ns = timed(|| unsafe {
            asm!(
                "mov x10, #3", "mov x11, #1", "fmov d0, #1.0", "fmov d1, #1.0", "fmov d2, #1.0",
                "2:",
                $op, $op, $op, $op, $op, $op, $op, $op,
                "subs {n}, {n}, #1",
                "b.ne 2b",
                n = inout(reg) CHAIN_ITERATIONS => _,
                out("x10") _, out("x11") _, out("d0") _, out("d1") _, out("d2") _,
                options(nostack),
            )
        });
        report($name, ns, CHAIN_ITERATIONS * 8);
    }};
}

fn chains() {
    chain!(b"chain alu", "add x10, x10, #1");
    chain!(b"chain mul", "mul x10, x10, x11");
    chain!(b"chain div", "udiv x10, x10, x11");
    chain!(b"chain fadd", "fadd d0, d0, d1");
    chain!(b"chain fmul", "fmul d0, d0, d1");
    chain!(b"chain fmadd", "fmadd d0, d1, d2, d0");
    chain!(b"chain fdiv", "fdiv d0, d0, d1");
}

/// 64 MiB of contiguous memory: eight 8 MiB shared-memory objects, which the kernel maps one
/// after the other (`SHM_BASE + id * SHM_MAX`).
fn buffer() -> Option<*mut u8> {
    let mut base = 0;
    for i in 0..(BUFFER as u64 / SHM_OBJECT) {
        let id = shm_create(SHM_OBJECT).ok()?;
        let at = shm_map(id, 0).ok()?;
        if i == 0 {
            base = at;
        } else if at != base + i * SHM_OBJECT {
            return None;
        }
    }
    Some(base as *mut u8)
}

/// Links `count` slots `stride` bytes apart into a ring and returns its first slot.
fn ring(buffer: *mut u8, count: usize, stride: usize) -> *const u64 {
    for i in 0..count {
        let next = unsafe { buffer.add((i + 1) % count * stride) } as u64;
        // SAFETY: inside the 64 MiB buffer (the callers keep count * stride within it).
        unsafe { (buffer.add(i * stride) as *mut u64).write_volatile(next) };
    }
    buffer as *const u64
}

/// Follows the ring from `start` for `loads` loads (a multiple of 8); returns where it ended.
fn chase(start: *const u64, loads: u64) -> *const u64 {
    let mut p = start;
    unsafe {
        asm!(
            "2:",
            "ldr {p}, [{p}]", "ldr {p}, [{p}]", "ldr {p}, [{p}]", "ldr {p}, [{p}]",
            "ldr {p}, [{p}]", "ldr {p}, [{p}]", "ldr {p}, [{p}]", "ldr {p}, [{p}]",
            "subs {n}, {n}, #1",
            "b.ne 2b",
            p = inout(reg) p,
            n = inout(reg) loads / 8 => _,
            options(nostack, readonly),
        )
    };
    p
}

/// Load latency over a ring of `count` slots `stride` apart: one warming pass, then timed loads.
fn latency(buffer: *mut u8, count: usize, stride: usize) -> u64 {
    let start = ring(buffer, count, stride);
    let warm = (count as u64).div_ceil(8) * 8;
    let p = chase(start, warm);
    let ns = timed(|| {
        chase(p, CHASE_LOADS);
    });
    ns
}

fn staircase(buffer: *mut u8) {
    let mut size = 4 << 10;
    while size <= BUFFER {
        let ns = latency(buffer, size / LINE, LINE);
        let mut what = Line::new();
        if size < 1 << 20 {
            what.s(b"load ").dec((size >> 10) as u64).s(b"KiB");
        } else {
            what.s(b"load ").dec((size >> 20) as u64).s(b"MiB");
        }
        report(what.as_bytes(), ns, CHASE_LOADS);
        size *= 2;
    }
}

const BRANCH_ITERATIONS: u64 = 100_000;

/// `$pick` makes x17 from the generator's x12 and x14 = 0: `orr` (x17 = x12, a random top bit)
/// or `and` (x17 = 0); either way the branch waits for the same chain of results.
macro_rules! branch_loop {
    ($pick:literal) => {
        timed(|| unsafe {
            asm!(
                "mov x12, #0x5eed", "mov x14, #0",
                "movz x15, #0x7f2d", "movk x15, #0x4c95, lsl #16", "movk x15, #0xf42d, lsl #32", "movk x15, #0x5851, lsl #48",
                "mov x16, #0x4f1b",
                "2:",
                "madd x12, x12, x15, x16",
                concat!($pick, " x17, x12, x14"),
                "tbz x17, #63, 3f",
                "add x13, x13, #1",
                "3:",
                "subs {n}, {n}, #1",
                "b.ne 2b",
                n = inout(reg) BRANCH_ITERATIONS => _,
                out("x12") _, out("x13") _, out("x14") _, out("x15") _, out("x16") _, out("x17") _,
                options(nostack, nomem),
            )
        })
    };
}

fn branches() {
    let predictable = branch_loop!("and");
    let random = branch_loop!("orr");
    report(b"branch predictable", predictable, BRANCH_ITERATIONS);
    report(b"branch random", random, BRANCH_ITERATIONS);
    report(b"branch mispredict", 2 * random.saturating_sub(predictable), BRANCH_ITERATIONS);
}

fn tlb(buffer: *mut u8) {
    for pages in [8usize, 256, 4096] {
        // one line per page, each in another L1 set: the caches hold them, the TLBs may not
        let ns = latency(buffer, pages, PAGE + LINE);
        let mut what = Line::new();
        what.s(b"tlb ").dec(pages as u64).s(b" pages");
        report(what.as_bytes(), ns, CHASE_LOADS);
    }
}
