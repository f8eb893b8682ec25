//! hostile: misbehaviour on demand, for the kernel's robustness tests (driven by systest).
//! Argument 1 picks what it does:
//! - `exit <n>`: exits at once with code n, silently (spawn storms);
//! - `loop`: spins for ever (the parent kills it);
//! - `pointers`: passes null, wild, kernel and unmapped pointers to every syscall that takes one
//!   and prints each result;
//! - `kill`: tries to kill processes it has no right to (pid 1, the file server; a missing pid;
//!   pid 0, the kernel);
//! - `selfkill`: kills itself (the kernel must not free the stack it is running on);
//! - `null`: reads address 0 and is killed by the kernel.
//! - `fuzz`: 3000 syscalls with random numbers (0-31) and arguments (small numbers, pointers
//!   into its own memory, into the kernel, wild ones); only the calls that would end or block it
//!   for ever are tamed (exit, sleep, receive without timeout, sending to itself), and
//!   print_debug is left out (it would print junk). Prints a hash
//!   of the results (uptime's left out), the same on every machine.
//! - `relro`: writes to a table of pointers in .data.rel.ro, which the loader made read-only
//!   after relocating it, and is killed;
//! - `window`: opens a window (the toolkit's), draws it, sends the window manager malformed
//!   damage (a rectangle reaching past its buffer, one wholly outside, one cut short), then reads
//!   address 0 and is killed: its window must go as if it had closed it;
//! - `shm`: shared-memory abuse: ids that never existed, unmapping what it never mapped, objects
//!   too large, creating objects until the kernel refuses; prints each result.
#![no_std]
#![no_main]

use librost::abi::{Arg, Error, Sysno};
use librost::abi::Message;
use librost::abi::wm::{AppToWm, Damage, MSG_UPDATE_BUFFER};
use librost::ui::draw::Rect;
use librost::window::{Event, Window, wm_pid};
use librost::{Line, getpid, kill, send_message, sleep_ms, syscall, wait};

const KERNEL: u64 = 0x4010_0000;
/// Pointers into .rodata: relocated, then read-only (PT_GNU_RELRO).
static TABLE: [&[u8]; 2] = [b"relocated", b"then read-only"];

librost::entry!(main);

/// Prints `what = <result>`: the raw value, an error as its negative code.
fn report(what: &[u8], ret: u64) {
    Line::task().s(what).s(b" = ").int(ret as i64).send();
}

/// The raw value of a wrapper's result: 0 for success, an error as the kernel returns it.
fn raw<T>(r: Result<T, Error>) -> u64 {
    r.map_or_else(Error::to_ret, |_| 0)
}

fn main(args: &[&[u8]]) -> u64 {
    match args.get(1).copied().unwrap_or(b"") {
        b"exit" => args.get(2).map_or(0, |a| a.iter().fold(0, |v, &d| v * 10 + (d - b'0') as u64)),
        b"loop" => loop {
            core::hint::spin_loop();
        },
        b"pointers" => {
            let pd = Sysno::PrintDebug as u64;
            let sp = Sysno::Spawn as u64;
            report(b"print_debug(null, 1)", syscall(pd, 0, 1, 0, 0));
            report(b"print_debug(kernel, 8)", syscall(pd, KERNEL, 8, 0, 0));
            report(b"print_debug(wild, 8)", syscall(pd, 0xdead_beef_0000, 8, 0, 0));
            report(b"print_debug(unmapped gap, 8)", syscall(pd, 0x0300_0000, 8, 0, 0));
            report(b"spawn(null image)", syscall(sp, 0, 10, 0, 0));
            report(b"spawn(kernel image)", syscall(sp, KERNEL, 10, 0, 0));
            let image = b"not an ELF"; // never looked at: the arguments are refused first
            let (p, n) = (image.as_ptr() as u64, image.len() as u64);
            report(b"spawn(image, kernel args)", syscall(sp, p, n, KERNEL, 1));
            let bad = [Arg { ptr: KERNEL, len: 4 }];
            report(b"spawn(image, arg -> kernel)", syscall(sp, p, n, bad.as_ptr() as u64, 1));
            report(b"spawn(image, 99 args)", syscall(sp, p, n, bad.as_ptr() as u64, 99));
            report(b"spawn(image, huge length)", syscall(sp, p, u64::MAX, 0, 0));
            0
        }
        b"kill" => {
            report(b"kill(1)", raw(kill(1)));
            report(b"kill(pid + 1000)", raw(kill(getpid() + 1000)));
            report(b"kill(0)", raw(kill(0)));
            0
        }
        b"selfkill" => {
            let _ = kill(getpid());
            Line::task().s(b"still running after killing itself").send();
            1
        }
        b"relro" => {
            let target = &TABLE as *const [&[u8]; 2] as *mut u64;
            Line::task().s(b"TABLE[0] = ").s(TABLE[0]).s(b"; overwriting it").send();
            // SAFETY: not safe at all: this is meant to fault.
            unsafe { target.write_volatile(0) };
            Line::task().s(b"wrote to .data.rel.ro: RELRO is not protected").send();
            1
        }
        b"shm" => {
            use librost::{shm_create, shm_destroy, shm_map, shm_unmap};
            report(b"shm_map(0)", raw(shm_map(0, 0)));
            report(b"shm_map(2^40)", raw(shm_map(1 << 40, 0)));
            report(b"shm_map(u64::MAX, grant to 1)", raw(shm_map(u64::MAX, 1)));
            report(b"shm_unmap(never mapped)", raw(shm_unmap(12345)));
            report(b"shm_destroy(never created)", raw(shm_destroy(12345)));
            report(b"shm_create(8 MiB + 1)", raw(shm_create((8 << 20) + 1)));
            let mut ids = [0u64; 100];
            let mut n = 0;
            while n < ids.len() {
                match shm_create(1 << 20) {
                    Ok(id) => ids[n] = id,
                    Err(e) => {
                        report(b"shm_create after the limit", e.to_ret());
                        break;
                    }
                }
                n += 1;
            }
            Line::task().s(b"created ").dec(n as u64).s(b" objects of 1 MiB before the limit").send();
            // Half are left for the kernel to destroy when this process ends.
            for &id in &ids[..n / 2] {
                let _ = shm_destroy(id);
            }
            report(b"shm_create after destroying half > 0", shm_create(4096).is_ok_and(|id| id > 0) as u64);
            0
        }
        b"fuzz" => {
            let mut seed = 0x0123_4567_89ab_cdefu64;
            let mut next = || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed
            };
            let mut scratch = [0u8; 256];
            let me = getpid();
            let mut hash = 0xcbf2_9ce4_8422_2325u64;
            for _ in 0..3000 {
                let nr = next() % 32;
                let mut a = [0u64; 5];
                for x in a.iter_mut() {
                    *x = match next() % 6 {
                        0 => next() % 16,
                        1 => scratch.as_mut_ptr() as u64 + next() % 256,
                        2 => KERNEL + next() % 0x10_0000,
                        3 => next(),
                        4 => 0x0800_0000 - next() % 0x100, // the top of the stack, and past it
                        _ => next() % 0x1_0000,
                    };
                }
                match nr {
                    1 | 4 | 5 => continue,                  // print_debug (junk on the console), sleep, exit
                    6 => a[3] = 0,                          // spawn: no argument 0, refused after the pointer checks
                    11 => a[1] = 0,                         // receive: poll only
                    10 if a[0] == me || a[0] == 0 => a[0] = 9999, // never to itself
                    8 if a[0] <= me => continue,            // kill itself, or an older app (its parent, the desktop's)
                    _ => {}
                }
                let r = librost::syscall5(nr, a[0], a[1], a[2], a[3], a[4]);
                if nr != 9 {
                    hash = (hash ^ r).wrapping_mul(0x100_0000_01b3);
                }
            }
            while wait(0).is_ok() {} // children it may have spawned
            Line::task().s(b"survived 3000 random syscalls, results hash ").hex(hash).send();
            0
        }
        b"window" => crash_in_a_window(),
        b"null" => {
            // SAFETY: not safe at all: this is meant to fault.
            let v = unsafe { (0 as *const u64).read_volatile() };
            Line::task().s(b"read ").hex(v).s(b" at address 0").send();
            1
        }
        _ => 2,
    }
}

/// The `window` mode: a window drawn once, malformed damage, then a fault.
fn crash_in_a_window() -> u64 {
    let Ok(mut win) = Window::open(b"Hostile") else { return 3 };
    while !matches!(win.next_event(), Event::Resize { .. }) {}
    let (w, h) = win.size();
    let mut c = win.canvas(Rect::new(0, 0, w, h));
    c.fill(Rect::new(0, 0, w, h), 0x80_2020);
    c.text16(16, 16, b"about to read address 0", 0xff_ffff, None);
    win.show();
    let wm = wm_pid().unwrap_or(0);
    for damage in [Damage { x: 8, y: 8, w: u32::MAX, h: 40 }, Damage { x: 5000, y: 0, w: 10, h: 10 }] {
        let _ = send_message(wm, &AppToWm::UpdateBuffer { damage }.encode());
    }
    let _ = send_message(wm, &Message::new(MSG_UPDATE_BUFFER, &[1, 2, 3]));
    sleep_ms(200);
    Line::task().s(b"reading address 0 with a window open").send();
    // SAFETY: not safe at all: this is meant to fault.
    let v = unsafe { (0 as *const u64).read_volatile() };
    Line::task().s(b"read ").hex(v).s(b" at address 0").send();
    1
}
