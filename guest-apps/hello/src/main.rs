//! hello: the loader's test program. Its strings live in .rodata and a table of string slices in
//! .data.rel.ro, which only works if the kernel applied the R_AARCH64_RELATIVE relocations; it
//! prints its arguments (laid out on its stack by the kernel) and a mutable static (.data/.bss).
#![no_std]
#![no_main]

use librost::Line;

/// Pointers to .rodata in .data.rel.ro: each needs a relocation.
static GREETINGS: [&str; 3] = ["hello from a relocated static-PIE program", "strings in .rodata work", "a table of &str in .data.rel.ro works"];
static mut COUNTER: u64 = 41;

librost::entry!(main);

fn main(args: &[&[u8]]) -> u64 {
    for g in GREETINGS {
        Line::task().s(g.as_bytes()).send();
    }
    let mut line = Line::task();
    line.s(b"argc ").dec(args.len() as u64).s(b":");
    for a in args {
        line.s(b" ").s(a);
    }
    line.send();
    // SAFETY: one thread; the static is only touched here.
    let c = unsafe {
        COUNTER += 1;
        COUNTER
    };
    Line::task().s(b"writable data: ").dec(c).send();
    0
}
