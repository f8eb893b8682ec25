//! The kernel heap behind `alloc`: power-of-two size classes from 16 to 2048 bytes, carved out of
//! whole pages and kept on per-class free lists when freed (a free block's first word links to
//! the next); anything larger gets its own run of pages from mm (given back to mm when freed).
//! Nothing ever returns memory of a class to the page allocator, so the heap only grows to the
//! most it ever held at once.

use crate::arch::Global;
use crate::mm::{self, PAGE_SIZE};
use core::alloc::{GlobalAlloc, Layout};

const CLASSES: usize = 8; // 16 << 0 ..= 16 << 7 = 2048

static FREE: Global<[usize; CLASSES]> = Global::new([0; CLASSES]);

/// The size class of `layout` (block size 16 << class), or None for a page run.
fn class(layout: Layout) -> Option<usize> {
    let size = layout.size().max(layout.align()).max(16).next_power_of_two();
    let c = size.trailing_zeros() as usize - 4;
    (c < CLASSES).then_some(c)
}

struct Heap;

// SAFETY: hands out disjoint, suitably aligned blocks that nothing else uses until freed.
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(c) = class(layout) else {
            return mm::alloc_pages(layout.size().div_ceil(PAGE_SIZE));
        };
        let free = &mut FREE.get()[c];
        if *free == 0 {
            let (page, size) = (mm::alloc_pages(1) as usize, 16 << c);
            for block in (page..page + PAGE_SIZE).step_by(size).rev() {
                // SAFETY: a fresh page, split into blocks that link to each other.
                unsafe { (block as *mut usize).write(*free) };
                *free = block;
            }
        }
        let block = *free;
        // SAFETY: a free block's first word is the link to the next.
        *free = unsafe { (block as *const usize).read() };
        block as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match class(layout) {
            Some(c) => {
                let free = &mut FREE.get()[c];
                // SAFETY: the block is ours again.
                unsafe { (ptr as *mut usize).write(*free) };
                *free = ptr as usize;
            }
            None => mm::free_pages(ptr as u64, layout.size().div_ceil(PAGE_SIZE)),
        }
    }
}

#[global_allocator]
static ALLOCATOR: Heap = Heap;
