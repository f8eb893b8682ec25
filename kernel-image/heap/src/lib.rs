//! The memory allocator of the kernel and of user programs alike: whole pages out of one range
//! of memory, and the blocks behind `alloc` carved out of those pages. The kernel gives it the
//! RAM past its image (its page frames: page tables, process memory, kernel stacks all come from
//! here, see kernel/src/mm.rs); a program gives it a static arena. The range is the only
//! difference.
//!
//! Pages: a bump pointer through the range; runs given back are kept on per-length free lists
//! (a free run's first word links to the next) and handed out again first; runs longer than
//! MAX_RUN pages are not reused. Blocks: power-of-two size classes from 16 to 2048 bytes, carved
//! out of whole pages and kept on per-class free lists when freed; anything larger is a run of
//! pages of its own. A class never gives its pages back, so it only grows to the most it ever
//! held at once.
//!
//! Not thread-safe, and need not be: the kernel has one thread of execution (kernel/src/main.rs),
//! and rost's programs are single-threaded.
#![no_std]

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;

pub const PAGE_SIZE: usize = 4096;
const CLASSES: usize = 8; // 16 << 0 ..= 16 << 7 = 2048
const MAX_RUN: usize = 256;

pub struct Heap(UnsafeCell<State>);

struct State {
    /// Heads of the free lists of blocks (by class) and of page runs (by length).
    blocks: [usize; CLASSES],
    runs: [usize; MAX_RUN + 1],
    /// The untouched rest of the range.
    next: usize,
    end: usize,
}

// SAFETY: one thread of execution (see the module documentation).
unsafe impl Sync for Heap {}

impl Heap {
    /// An allocator with no memory yet: `grant` gives it its range.
    pub const fn new() -> Heap {
        Heap(UnsafeCell::new(State { blocks: [0; CLASSES], runs: [0; MAX_RUN + 1], next: 0, end: 0 }))
    }

    #[allow(clippy::mut_from_ref)]
    fn state(&self) -> &mut State {
        // SAFETY: one thread, and no caller holds on to the reference across another call.
        unsafe { &mut *self.0.get() }
    }

    /// Hands out pages from `[start, end)` (page-aligned) from now on.
    pub fn grant(&self, start: usize, end: usize) {
        (self.state().next, self.state().end) = (start, end);
    }

    /// `n` contiguous pages (not zeroed), or null if the range is used up.
    pub fn alloc_pages(&self, n: usize) -> *mut u8 {
        let s = self.state();
        if n <= MAX_RUN && s.runs[n] != 0 {
            let run = s.runs[n];
            // SAFETY: a free run's first word holds the next run's address.
            s.runs[n] = unsafe { (run as *const usize).read() };
            return run as *mut u8;
        }
        match s.next.checked_add(n * PAGE_SIZE).filter(|&end| end <= s.end) {
            Some(end) => core::mem::replace(&mut s.next, end) as *mut u8,
            None => core::ptr::null_mut(),
        }
    }

    /// Pages not handed out: the untouched rest of the range and the free runs (blocks' pages
    /// count as used).
    pub fn free_pages_count(&self) -> usize {
        let s = self.state();
        let mut free = (s.end - s.next) / PAGE_SIZE;
        for (n, &head) in s.runs.iter().enumerate() {
            let mut run = head;
            while run != 0 {
                free += n;
                // SAFETY: a free run's first word holds the next run's address.
                run = unsafe { (run as *const usize).read() };
            }
        }
        free
    }

    /// Takes back a run of `n` pages from `alloc_pages(n)`; nothing may use it any more.
    pub fn free_pages(&self, base: *mut u8, n: usize) {
        let s = self.state();
        if n <= MAX_RUN {
            // SAFETY: the run is ours again; its first word becomes the link.
            unsafe { (base as *mut usize).write(s.runs[n]) };
            s.runs[n] = base as usize;
        }
    }
}

/// The size class of `layout` (block size 16 << class), or None for a run of pages.
fn class(layout: Layout) -> Option<usize> {
    let size = layout.size().max(layout.align()).max(16).next_power_of_two();
    let c = size.trailing_zeros() as usize - 4;
    (c < CLASSES).then_some(c)
}

// SAFETY: hands out disjoint blocks, aligned to their power-of-two size (or to a page), that
// nothing else uses until they are freed.
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(c) = class(layout) else {
            return self.alloc_pages(layout.size().div_ceil(PAGE_SIZE));
        };
        if self.state().blocks[c] == 0 {
            let (page, size) = (self.alloc_pages(1) as usize, 16 << c);
            if page == 0 {
                return core::ptr::null_mut();
            }
            for block in (page..page + PAGE_SIZE).step_by(size).rev() {
                // SAFETY: a fresh page, split into blocks that link to each other.
                unsafe { (block as *mut usize).write(self.state().blocks[c]) };
                self.state().blocks[c] = block;
            }
        }
        let free = &mut self.state().blocks[c];
        let block = *free;
        // SAFETY: a free block's first word is the link to the next.
        *free = unsafe { (block as *const usize).read() };
        block as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match class(layout) {
            Some(c) => {
                let free = &mut self.state().blocks[c];
                // SAFETY: the block is ours again; its first word becomes the link.
                unsafe { (ptr as *mut usize).write(*free) };
                *free = ptr as usize;
            }
            None => self.free_pages(ptr, layout.size().div_ceil(PAGE_SIZE)),
        }
    }
}
