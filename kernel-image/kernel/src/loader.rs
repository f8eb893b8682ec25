//! The program loader: puts a static-PIE ELF (parsed by the elf crate) into a fresh address space at
//! `USER_IMAGE_BASE`, applies its relocations, makes its code visible to instruction fetch, and
//! builds its stack with the arguments (layout in the ABI crate, `abi::Arg`).
//!
//! Segments are copied into frames the space owns, page by page, with the segment's permissions:
//! read + execute, read-write, or read-only (never W+X; the elf crate refuses such files), and the
//! pages of the RELRO range are made read-only once relocated. Code is
//! written through the kernel's identity map, so before it runs the architected maintenance
//! (DC CVAU, DSB, IC IVAU, DSB, ISB) is done on every executable page.

use elf::{Bad, Elf, PF_W, PF_X};
use crate::mm::{self, PAGE_SIZE, Perm, Space};
use abi::{Arg, USER_IMAGE_BASE, USER_STACK_SIZE, USER_STACK_TOP};

const PAGE: u64 = PAGE_SIZE as u64;

/// Where the program starts: entry point, stack pointer, and x0/x1 (argc, argv).
pub struct Start {
    pub entry: u64,
    pub sp: u64,
    pub argc: u64,
    pub argv: u64,
}

/// Loads `file` into `space` with arguments `args` (argument 0 first).
pub fn load(space: &Space, file: &[u8], args: &[&[u8]]) -> Result<Start, Bad> {
    let elf = Elf::parse(file)?;
    let base = USER_IMAGE_BASE;
    for seg in elf.segments() {
        let perm = match seg.flags {
            f if f & PF_X != 0 => Perm::ReadExecute,
            f if f & PF_W != 0 => Perm::ReadWrite,
            _ => Perm::ReadOnly,
        };
        let (start, end) = (base + seg.vaddr, base + seg.vaddr + seg.memsz);
        for va in (start & !(PAGE - 1)..end).step_by(PAGE_SIZE) {
            if space.kernel_addr(va).is_none() && !space.map(va, mm::alloc_pages(1) as u64, perm, true) {
                return Err("segment overlaps kernel memory");
            }
        }
        for (i, &b) in elf.data(&seg).iter().enumerate() {
            poke(space, start + i as u64, b);
        }
    }
    for (offset, addend) in elf.relocations()? {
        for (i, b) in (base + addend).to_le_bytes().into_iter().enumerate() {
            if space.kernel_addr(base + offset).is_none() {
                return Err("relocation outside the image");
            }
            poke(space, base + offset + i as u64, b);
        }
    }
    if let Some((start, end)) = elf.relro() {
        // Both ends rounded down, as glibc does: the linker lays the range out for this.
        for va in (base + (start & !(PAGE - 1))..base + (end & !(PAGE - 1))).step_by(PAGE_SIZE) {
            space.protect(va, Perm::ReadOnly);
        }
    }
    for seg in elf.segments().filter(|s| s.flags & PF_X != 0) {
        let start = base + seg.vaddr;
        for va in (start & !(PAGE - 1)..start + seg.memsz).step_by(PAGE_SIZE) {
            mm::sync_icache(space.kernel_addr(va).expect("mapped above"), PAGE);
        }
    }
    stack(space, base + elf.entry, args)
}

/// Writes one byte of a loaded image (mapped by the caller).
fn poke(space: &Space, va: u64, b: u8) {
    let ka = space.kernel_addr(va).expect("loader: unmapped image byte");
    // SAFETY: a frame this space owns, reached through the kernel's identity map.
    unsafe { (ka as *mut u8).write_volatile(b) };
}

/// Maps the stack and lays out the arguments at its top: their bytes, then the `Arg` array,
/// with `sp` 16-byte aligned below.
fn stack(space: &Space, entry: u64, args: &[&[u8]]) -> Result<Start, Bad> {
    let frames = mm::alloc_pages((USER_STACK_SIZE / PAGE) as usize) as u64;
    let bottom = USER_STACK_TOP - USER_STACK_SIZE;
    for off in (0..USER_STACK_SIZE).step_by(PAGE_SIZE) {
        space.map(bottom + off, frames + off, Perm::ReadWrite, true);
    }
    let mut top = USER_STACK_TOP;
    let mut table = alloc::vec::Vec::new();
    for a in args {
        top -= a.len() as u64;
        a.iter().enumerate().for_each(|(i, &b)| poke(space, top + i as u64, b));
        table.push(Arg { ptr: top, len: a.len() as u64 });
    }
    let argv = (top - 16 * table.len() as u64) & !15;
    for (i, a) in table.iter().enumerate() {
        let at = argv + 16 * i as u64;
        a.ptr.to_le_bytes().into_iter().chain(a.len.to_le_bytes()).enumerate().for_each(|(j, b)| poke(space, at + j as u64, b));
    }
    Ok(Start { entry, sp: argv, argc: args.len() as u64, argv })
}
