//! fsd's heap (the FAT code builds Vecs): power-of-two size classes over a static arena, freed
//! blocks kept on per-class free lists, like the kernel's heap; larger blocks are rare (a
//! cluster's sector list) and come from the arena too, kept on their own class lists up to 64
//! KiB. Running out of arena is an allocation failure (the server panics and exits).

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;

const ARENA: usize = 256 * 1024;
const CLASSES: usize = 13; // 16 << 0 ..= 16 << 12 = 64 KiB

struct Heap(UnsafeCell<([usize; CLASSES], usize, [u8; ARENA])>);

// SAFETY: fsd is single-threaded.
unsafe impl Sync for Heap {}

#[global_allocator]
static HEAP: Heap = Heap(UnsafeCell::new(([0; CLASSES], 0, [0; ARENA])));

fn class(layout: Layout) -> usize {
    let size = layout.size().max(layout.align()).max(16).next_power_of_two();
    size.trailing_zeros() as usize - 4
}

// SAFETY: hands out disjoint blocks of the arena, aligned to their (power-of-two) size.
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let c = class(layout);
        // SAFETY: single-threaded; no other reference to the heap state exists.
        let (free, next, arena) = unsafe { &mut *self.0.get() };
        if c >= CLASSES {
            return core::ptr::null_mut();
        }
        if free[c] != 0 {
            let block = free[c];
            // SAFETY: a free block's first word links to the next.
            free[c] = unsafe { (block as *const usize).read() };
            return block as *mut u8;
        }
        let (size, base) = (16 << c, arena.as_mut_ptr() as usize);
        let start = (base + *next).next_multiple_of(size);
        if start + size > base + ARENA {
            return core::ptr::null_mut();
        }
        *next = start + size - base;
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as in alloc.
        let (free, _, _) = unsafe { &mut *self.0.get() };
        let c = class(layout);
        // SAFETY: the block is ours again; its first word becomes the link.
        unsafe { (ptr as *mut usize).write(free[c]) };
        free[c] = ptr as usize;
    }
}
