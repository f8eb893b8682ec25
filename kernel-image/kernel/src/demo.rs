//! The demo tasks that rost v0 runs at EL0, built into the kernel image.
//!
//! Their code is linked into `.user_text` and their constants into `.user_rodata`; the kernel
//! maps both into every task at `USER_IMAGE_BASE` (mm.rs), and the tasks get at nothing else.
//! So everything a task executes must be in those sections: helpers carry the section
//! attribute, string literals go through `u!`, FP constants through `f64_bits`, and buffers are
//! filled with volatile stores so the optimiser cannot replace loops with calls to the kernel's
//! memcpy/memset. build.sh fails the build if any instruction in .user_text refers to an address
//! outside the user image.
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

use abi::{PRINT_DEBUG_MAX, Sysno, USER_IMAGE_BASE, USER_STACK_TOP};
use core::arch::asm;
use core::mem::MaybeUninit;

/// Every task's favourite forbidden address: kernel memory, EL1-only. It was the image's start in
/// v0; the image now starts at 0x4010_0000 and this is a page of the DTB below it, mapped with
/// the same EL1-only, never-executable rights, so the faults (and the log) are unchanged.
const KERNEL_BASE: u64 = 0x4008_0000;
const SPIN_ITERATIONS: u64 = 30_000_000;

/// The tasks kmain starts; task id = index + 1.
pub const TASKS: &[extern "C" fn() -> !] = &[
    hello,
    spin,
    read_kernel,
    bad_pointers,
    fp_registers,
    fp_noise,
    crash_undefined,
    crash_brk,
    crash_exec_kernel,
    crash_write_text,
];

/// A byte-string literal placed in .user_rodata, where tasks can read it.
macro_rules! u {
    ($s:literal) => {{
        #[unsafe(link_section = ".user_rodata")]
        static S: [u8; $s.len()] = *$s;
        &S
    }};
}

#[unsafe(link_section = ".user_text")]
#[inline(always)]
fn syscall(nr: u64, a0: u64, a1: u64) -> u64 {
    let ret;
    // SAFETY: the kernel preserves every register but x0; it may read memory we point it at.
    unsafe { asm!("svc #0", inlateout("x0") a0 => ret, in("x1") a1, in("x8") nr, options(nostack)) };
    ret
}

#[unsafe(link_section = ".user_text")]
#[inline(always)]
fn exit(code: u64) -> ! {
    // SAFETY: exit does not return.
    unsafe { asm!("svc #0", in("x0") code, in("x8") Sysno::Exit as u64, options(noreturn, nostack)) }
}

#[unsafe(link_section = ".user_text")]
#[inline(always)]
fn sleep_ms(ms: u64) {
    syscall(Sysno::Sleep as u64, ms * 1_000_000, 0);
}

/// An f64 from its bits, built in registers: most FP constants would otherwise be loaded from
/// the kernel's .rodata.
#[unsafe(link_section = ".user_text")]
#[inline(always)]
fn f64_bits(bits: u64) -> f64 {
    let f: f64;
    // SAFETY: moves a value between registers.
    unsafe { asm!("fmov {:d}, {}", out(vreg) f, in(reg) bits, options(pure, nomem, nostack)) };
    f
}

/// One console line, built on the stack and printed with a single print_debug.
struct Line {
    buf: [MaybeUninit<u8>; 100],
    len: usize,
}

impl Line {
    /// A line starting with "task <id>: ".
    #[unsafe(link_section = ".user_text")]
    #[inline(never)]
    fn task() -> Line {
        let mut line = Line { buf: [MaybeUninit::uninit(); 100], len: 0 };
        line.s(u!(b"task ")).dec(syscall(Sysno::GetPid as u64, 0, 0)).s(u!(b": "));
        line
    }

    #[unsafe(link_section = ".user_text")]
    fn byte(&mut self, b: u8) -> &mut Self {
        if self.len < self.buf.len() {
            // SAFETY: in bounds, checked above.
            unsafe { self.buf.as_mut_ptr().add(self.len).write_volatile(MaybeUninit::new(b)) };
            self.len += 1;
        }
        self
    }

    #[unsafe(link_section = ".user_text")]
    #[inline(never)]
    fn s(&mut self, s: &[u8]) -> &mut Self {
        for &b in s {
            self.byte(b);
        }
        self
    }

    #[unsafe(link_section = ".user_text")]
    #[inline(never)]
    fn dec(&mut self, v: u64) -> &mut Self {
        let mut p = 1;
        while p <= v / 10 {
            p *= 10;
        }
        while p > 0 {
            self.byte(b'0' + (v / p % 10) as u8);
            p /= 10;
        }
        self
    }

    #[unsafe(link_section = ".user_text")]
    #[inline(never)]
    fn int(&mut self, v: i64) -> &mut Self {
        if v < 0 {
            self.byte(b'-');
        }
        self.dec(v.unsigned_abs())
    }

    #[unsafe(link_section = ".user_text")]
    #[inline(never)]
    fn hex(&mut self, v: u64) -> &mut Self {
        self.s(u!(b"0x"));
        let digits = (64 - (v | 1).leading_zeros()).div_ceil(4);
        for i in (0..digits).rev() {
            let d = (v >> (i * 4)) as u8 & 0xf;
            self.byte(if d < 10 { b'0' + d } else { b'a' + d - 10 });
        }
        self
    }

    #[unsafe(link_section = ".user_text")]
    fn send(&mut self) {
        self.byte(b'\n');
        syscall(Sysno::PrintDebug as u64, self.buf.as_ptr() as u64, self.len as u64);
    }
}

/// Task 1: prints with a yield and a sleep in between.
#[unsafe(link_section = ".user_text")]
extern "C" fn hello() -> ! {
    let hello = u!(b"task 1: hello from EL0\n"); // printed straight from .user_rodata
    syscall(Sysno::PrintDebug as u64, hello.as_ptr() as u64, hello.len() as u64);
    syscall(Sysno::Yield as u64, 0, 0);
    Line::task().s(u!(b"back from yield")).send();
    sleep_ms(100);
    Line::task().s(u!(b"woke up after 100 ms")).send();
    exit(0)
}

/// Task 2: a long CPU-bound loop with an integer checksum and an FP sum live in registers while
/// the tick preempts it. Sleeps before printing: see the module documentation.
#[unsafe(link_section = ".user_text")]
extern "C" fn spin() -> ! {
    Line::task().s(u!(b"spinning for ")).dec(SPIN_ITERATIONS).s(u!(b" iterations")).send();
    let (mut x, mut sum, mut f) = (0x9e37_79b9_7f4a_7c15u64, 0u64, 0.0f64);
    let two_to_minus_53 = f64_bits(0x3ca0_0000_0000_0000);
    for _ in 0..SPIN_ITERATIONS {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        sum = sum.rotate_left(5) ^ x;
        f += (x >> 11) as f64 * two_to_minus_53;
    }
    sleep_ms(1200);
    let thousand = f64_bits(0x408f_4000_0000_0000);
    Line::task().s(u!(b"checksum ")).hex(sum).s(u!(b", fp sum x1000 = ")).dec((f * thousand) as u64).send();
    exit(0)
}

/// Task 3: reads kernel memory, and is killed for it.
#[unsafe(link_section = ".user_text")]
extern "C" fn read_kernel() -> ! {
    sleep_ms(200);
    Line::task().s(u!(b"reading kernel memory at ")).hex(KERNEL_BASE).send();
    // SAFETY: not safe at all: this is meant to fault.
    let v = unsafe { (KERNEL_BASE as *const u64).read_volatile() };
    Line::task().s(u!(b"read ")).hex(v).s(u!(b" from the kernel: isolation is broken")).send();
    exit(1)
}

#[unsafe(link_section = ".user_text")]
fn report(what: &[u8], ret: u64) {
    Line::task().s(what).s(u!(b" = ")).int(ret as i64).send();
}

/// Task 4: syscalls with bad pointers, a bad length and a bad number; prints each error.
#[unsafe(link_section = ".user_text")]
extern "C" fn bad_pointers() -> ! {
    sleep_ms(300);
    let pd = Sysno::PrintDebug as u64;
    report(u!(b"print_debug(kernel address, 16)"), syscall(pd, KERNEL_BASE, 16));
    report(u!(b"print_debug(null, 5)"), syscall(pd, 0, 5));
    report(u!(b"print_debug(stack top - 8, 16)"), syscall(pd, USER_STACK_TOP - 8, 16));
    report(u!(b"print_debug(2^64 - 4, 16)"), syscall(pd, u64::MAX - 3, 16));
    report(u!(b"print_debug(image, PRINT_DEBUG_MAX + 1)"), syscall(pd, USER_IMAGE_BASE, PRINT_DEBUG_MAX + 1));
    report(u!(b"syscall 99"), syscall(99, 0, 0));
    exit(0)
}

/// Loads distinct values (chosen by `seed`) into q0-q31 and non-default values into FPCR and
/// FPSR, sleeps one tick, so other tasks run and use FP meanwhile, then checks that all of it came
/// back; `rounds` times. Returns 0 if everything survived, nonzero bits otherwise.
#[unsafe(link_section = ".user_text")]
fn fp_rounds(seed: u64, rounds: u64) -> u64 {
    let mut diff = 0u64;
    for round in 0..rounds {
        let mut before = [MaybeUninit::<u64>::uninit(); 64];
        let mut after = [MaybeUninit::<u64>::uninit(); 64];
        for i in 0..64 {
            let v = (0x0123_4567_89ab_cdef ^ seed << 48 ^ round << 32).wrapping_mul(2 * i as u64 + 1);
            // SAFETY: in bounds.
            unsafe { before.as_mut_ptr().add(i).write_volatile(MaybeUninit::new(v)) };
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
            // SAFETY: both arrays were fully written above.
            diff |= unsafe { before[i].assume_init() ^ after[i].assume_init() };
        }
        diff |= (fpcr_in ^ fpcr_out) | (fpsr_in ^ fpsr_out);
    }
    diff
}

#[unsafe(link_section = ".user_text")]
fn fp_corrupted() -> ! {
    Line::task().s(u!(b"FP/SIMD state CORRUPTED across a context switch")).send();
    exit(1)
}

/// Task 5: checks its FP/SIMD state across three sleeps, and says so.
#[unsafe(link_section = ".user_text")]
extern "C" fn fp_registers() -> ! {
    sleep_ms(400);
    Line::task().s(u!(b"checking q0-q31, FPCR and FPSR across 3 sleeps")).send();
    if fp_rounds(5, 3) != 0 {
        fp_corrupted()
    }
    Line::task().s(u!(b"q0-q31, FPCR and FPSR intact")).send();
    exit(0)
}

/// Task 6: the same check, silently, every tick for 90 ticks from the start: it keeps other FP
/// values and rounding modes in the registers while `spin` and `fp_registers` run.
#[unsafe(link_section = ".user_text")]
extern "C" fn fp_noise() -> ! {
    if fp_rounds(6, 90) != 0 {
        fp_corrupted()
    }
    exit(0)
}

/// Tasks 7-10: each faults in its own way and is killed. Should the fault not happen, they say
/// so and fail.
#[unsafe(link_section = ".user_text")]
fn survived() -> ! {
    Line::task().s(u!(b"survived: the fault was not caught")).send();
    exit(1)
}

#[unsafe(link_section = ".user_text")]
extern "C" fn crash_undefined() -> ! {
    sleep_ms(500);
    Line::task().s(u!(b"executing an undefined instruction")).send();
    // SAFETY: meant to fault.
    unsafe { asm!("udf #0", options(nostack)) };
    survived()
}

#[unsafe(link_section = ".user_text")]
extern "C" fn crash_brk() -> ! {
    sleep_ms(600);
    Line::task().s(u!(b"executing brk #42")).send();
    // SAFETY: meant to fault.
    unsafe { asm!("brk #42", options(nostack)) };
    survived()
}

#[unsafe(link_section = ".user_text")]
extern "C" fn crash_exec_kernel() -> ! {
    sleep_ms(700);
    Line::task().s(u!(b"jumping into kernel code at ")).hex(KERNEL_BASE).send();
    // SAFETY: meant to fault (at the branch target).
    unsafe { asm!("blr {}", in(reg) KERNEL_BASE, out("x30") _, options(nostack)) };
    survived()
}

#[unsafe(link_section = ".user_text")]
extern "C" fn crash_write_text() -> ! {
    sleep_ms(800);
    Line::task().s(u!(b"writing to its own code")).send();
    // SAFETY: meant to fault: code pages are read-only.
    unsafe { asm!("adr {0}, .", "str xzr, [{0}]", out(reg) _, options(nostack)) };
    survived()
}
