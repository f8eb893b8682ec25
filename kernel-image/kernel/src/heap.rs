//! The kernel heap behind `alloc`: a bump allocator over a fixed run of page frames. rost v0
//! allocates only at start-up (the task table) and never frees, so `dealloc` is a no-op and
//! running out is an allocation-failure panic.

use crate::arch::Global;
use crate::mm;
use core::alloc::{GlobalAlloc, Layout};

const HEAP_PAGES: usize = 64;

/// Next free byte and end of the heap.
static HEAP: Global<(usize, usize)> = Global::new((0, 0));

pub fn init() {
    let base = mm::alloc_pages(HEAP_PAGES) as usize;
    *HEAP.get() = (base, base + HEAP_PAGES * mm::PAGE_SIZE);
}

struct Bump;

// SAFETY: hands out disjoint, suitably aligned ranges of memory nothing else uses.
unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let (next, end) = HEAP.get();
        let start = (*next + layout.align() - 1) & !(layout.align() - 1);
        match start.checked_add(layout.size()) {
            Some(stop) if stop <= *end => {
                *next = stop;
                start as *mut u8
            }
            _ => core::ptr::null_mut(),
        }
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}

#[global_allocator]
static ALLOCATOR: Bump = Bump;
