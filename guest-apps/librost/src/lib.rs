//! librost: what every rost user program links against. It wraps each system call of the shared
//! ABI crate (`abi`, re-exported) in a function (errors as `abi::Error`), provides the program
//! entry (`entry!`), the panic handler, the memory functions the compiler expects from a libc,
//! `Line`, a small stack-allocated console line builder (no heap needed), `file`: files and
//! programs from the file server, `mailbox`: the message queue every loop reads (what came
//! during a file operation first), and the toolkit every app draws with: `window` (a window of
//! the window manager and its message loop) over `ui` (canvas, font, keymap, damage).
//!
//! A program is `#![no_std] #![no_main]` and names its main function with `librost::entry!`:
//! `fn main(args: &[&[u8]]) -> u64`; the returned value is the exit code.
#![no_std]

pub use abi;
pub mod file;
pub mod mailbox;
// memcpy & co. and the unwinding stubs come from the crate shared with the kernel
extern crate freestanding;
pub mod sys;
pub mod window;
pub use ui;

pub use file::{spawn, spawn_server};
pub use sys::*;

/// Most arguments a program gets (the kernel's `spawn` passes no more).
pub const ARGS: usize = abi::MAX_ARGS as usize;

/// The program's arguments, as the kernel laid them out on the stack (argument 0 is the path).
/// # Safety
/// `argv` must point to `argc` valid [`abi::Arg`]s whose bytes stay valid for ever.
pub unsafe fn args<'a>(argc: usize, argv: *const abi::Arg, out: &'a mut [&'static [u8]; ARGS]) -> &'a [&'static [u8]] {
    let n = argc.min(out.len());
    for (i, slot) in out.iter_mut().enumerate().take(n) {
        // SAFETY: per the contract above.
        let a = unsafe { *argv.add(i) };
        *slot = unsafe { core::slice::from_raw_parts(a.ptr as *const u8, a.len as usize) };
    }
    &out[..n]
}

/// Defines the program's entry point, which calls `$main(args)` and exits with its result.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        #[unsafe(no_mangle)]
        extern "C" fn entry(argc: usize, argv: *const $crate::abi::Arg) -> ! {
            let mut store = [&[][..]; $crate::ARGS];
            // SAFETY: the kernel starts every program with x0 = argc, x1 = argv (abi::Arg).
            let args = unsafe { $crate::args(argc, argv, &mut store) };
            $crate::exit($main(args))
        }
    };
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    Line::task().s(b"panicked").send();
    exit(101)
}

/// One console line, built on the stack and printed with a single print_debug (so lines of
/// different processes never interleave).
pub struct Line {
    buf: [u8; LINE_MAX + 1], // the text, and room for its newline
    len: usize,
}

/// Most bytes of a [`Line`] before its newline: longer text is cut there, and the newline is
/// always printed (a full line used to lose it, running into the next one).
pub const LINE_MAX: usize = 255;

impl Default for Line {
    fn default() -> Self {
        Line { buf: [0; LINE_MAX + 1], len: 0 }
    }
}

impl Line {
    /// An empty line.
    pub fn new() -> Line {
        Line::default()
    }

    /// A line starting with "task <pid>: ".
    #[inline(never)]
    pub fn task() -> Line {
        let mut line = Line::new();
        line.s(b"task ").dec(getpid()).s(b": ");
        line
    }

    pub fn byte(&mut self, b: u8) -> &mut Self {
        if self.len < LINE_MAX {
            self.buf[self.len] = b;
            self.len += 1;
        }
        self
    }

    #[inline(never)]
    pub fn s(&mut self, s: &[u8]) -> &mut Self {
        for &b in s {
            self.byte(b);
        }
        self
    }

    #[inline(never)]
    pub fn dec(&mut self, v: u64) -> &mut Self {
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

    #[inline(never)]
    pub fn int(&mut self, v: i64) -> &mut Self {
        if v < 0 {
            self.byte(b'-');
        }
        self.dec(v.unsigned_abs())
    }

    #[inline(never)]
    pub fn hex(&mut self, v: u64) -> &mut Self {
        self.s(b"0x");
        let digits = (64 - (v | 1).leading_zeros()).div_ceil(4);
        for i in (0..digits).rev() {
            let d = (v >> (i * 4)) as u8 & 0xf;
            self.byte(if d < 10 { b'0' + d } else { b'a' + d - 10 });
        }
        self
    }

    /// The bytes so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Ends the line with `\n` and prints it.
    pub fn send(&mut self) {
        self.buf[self.len] = b'\n';
        let _ = print(&self.buf[..=self.len]); // nowhere to report that the console failed
    }
}
