//! What a page of at most `MAX_PAGE` bytes costs: the document and its layout together stay
//! under `PAGE_MEMORY` at their peak for the worst inputs known (many tiny runs, lines, list
//! items, links), so the Browser's fixed heap holds any file of the disk.

use html::browse::{MAX_PAGE, PAGE_MEMORY, document_for};
use html::{CellFont, layout};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// The system allocator, counting the bytes held and their peak.
struct Counting;
static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let now = HELD.fetch_add(l.size(), Relaxed) + l.size();
        PEAK.fetch_max(now, Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        HELD.fetch_sub(l.size(), Relaxed);
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn fill(unit: &[u8]) -> Vec<u8> {
    unit.iter().copied().cycle().take(MAX_PAGE).collect()
}

#[test]
fn the_worst_pages_fit_the_memory_budget() {
    let binary: Vec<u8> = (0..MAX_PAGE).map(|i| (i * 7919 % 256) as u8).collect();
    let cases = [
        ("/A.TXT", fill(b"a\n")),
        ("/A.TXT", binary),
        ("/A.HTM", fill(b"<b>a</b> ")),
        ("/A.HTM", fill(b"a<br>")),
        ("/A.HTM", fill(b"<li>")),
        ("/A.HTM", fill(b"<p><a href=x>a</a>")),
        ("/A.HTM", fill(b"<pre>a\n")),
        ("/A.HTM", fill(b"<i>a b c d e f g h </i>")),
    ];
    // One test, so no other test allocates meanwhile.
    for (path, bytes) in cases {
        let before = HELD.load(Relaxed);
        PEAK.store(before, Relaxed);
        let doc = document_for(path, &bytes, false);
        let page = layout(&doc, &CellFont { width: 8, height: 16 }, 480);
        let peak = PEAK.load(Relaxed) - before;
        assert!(peak <= PAGE_MEMORY, "{path} {:?}...: {} KiB at the peak, {} items", &bytes[..8], peak >> 10, page.items.len());
    }
}
