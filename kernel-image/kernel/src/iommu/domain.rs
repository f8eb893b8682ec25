//! A device's IOMMU domain: its own I/O address space, as the exokernel plan's `iommu/domain.c`
//! describes it. `map(iova, pa, len, perm)` and `unmap(iova, len)` edit the domain's tables (three
//! levels of 512 entries, 4 KiB pages, 39-bit IOVAs, in each IOMMU's own entry format: SMMUv3
//! stage-1 descriptors, VT-d second-level entries, AMD-Vi PTEs); `tlb_sync()` invalidates what
//! was unmapped since the last one and returns once the IOMMU has completed it, so a DMA after it
//! can no longer use the old translation. Mapping an unmapped IOVA needs no invalidation (none of
//! the three caches a missing entry).
//!
//! Drivers map long-lived memory (virtqueues, request pages, the framebuffer) once with `dma`,
//! from IOVA_BASE upwards, and lend a request's data buffer (user data on its way to or from the
//! disk) at WINDOW with `lend`, giving it back with `release`: unmap + tlb_sync() before the
//! buffer is reused, unless `rost.iommu.nosync`. A device not behind an IOMMU gets an untranslated
//! domain: its IOVAs are physical addresses and nothing is mapped.

use super::{Kind, NOSYNC};
use crate::mm::{self, PAGE_SIZE, Perm};

/// Where long-lived mappings start: above RAM, so a device that bypassed translation would miss.
const IOVA_BASE: u64 = 1 << 32;
/// The IOVA window every lent buffer uses in turn (16 pages): reusing it is what makes a missing
/// tlb_sync() visible.
const WINDOW: u64 = 1 << 36;
const PAGE: u64 = PAGE_SIZE as u64;

pub struct Domain {
    /// The device's IOMMU ID and level-1 table; None: untranslated.
    dev: Option<(u32, u64)>,
    next: u64,
    /// IOVA range unmapped since the last tlb_sync().
    stale: Option<(u64, u64)>,
}

impl Domain {
    /// The domain of the device in virtio slot `slot`, attached to the IOMMU if it is behind one.
    pub fn new(slot: u32) -> Domain {
        let dev = super::for_slot(slot).map(|id| {
            let root = mm::alloc_table().as_ptr() as u64;
            super::hw().attach(id, root, id as u64 + 1);
            (id, root)
        });
        Domain { dev, next: IOVA_BASE, stale: None }
    }

    /// The last-level entry for `iova` in the tables under `root`, creating tables on the way.
    fn entry(root: u64, iova: u64) -> &'static mut u64 {
        let mut table = mm::next_table(root);
        for (shift, next_level) in [(30, 2), (21, 1)] {
            let e = &mut table[(iova >> shift) as usize & 511];
            if *e == 0 {
                let t = mm::alloc_table().as_ptr() as u64;
                *e = if super::hw().kind == Kind::AmdVi { t | 1 | next_level << 9 | 3 << 61 } else { t | 3 };
            }
            table = mm::next_table(*e);
        }
        &mut table[(iova >> 12) as usize & 511]
    }

    /// Maps `[iova, iova + len)` to `[pa, pa + len)` (pages), for device reads, or reads and
    /// writes with `Perm::ReadWrite`.
    pub fn map(&mut self, iova: u64, pa: u64, len: u64, perm: Perm) {
        let Some((_, root)) = self.dev else { return };
        let w = (perm == Perm::ReadWrite) as u64;
        for off in (0..len).step_by(PAGE_SIZE) {
            *Self::entry(root, iova + off) = pa + off | match super::hw().kind {
                Kind::Smmu => 3 | 1 << 10 | 3 << 8 | (1 - w) << 7, // AF, inner shareable, AP[2] read-only
                Kind::Vtd => 1 | w << 1,
                Kind::AmdVi => 1 | 1 << 61 | w << 62,
            };
        }
    }

    /// Removes the mappings of `[iova, iova + len)`; DMA may still use them until `tlb_sync()`.
    pub fn unmap(&mut self, iova: u64, len: u64) {
        let Some((_, root)) = self.dev else { return };
        (0..len).step_by(PAGE_SIZE).for_each(|off| *Self::entry(root, iova + off) = 0);
        let (lo, hi) = self.stale.unwrap_or((iova, iova + len));
        self.stale = Some((lo.min(iova), hi.max(iova + len)));
    }

    /// Invalidates the IOTLB entries of everything unmapped since the last call (the smallest
    /// aligned power-of-two block of pages covering it) and waits for the IOMMU to complete it.
    /// False if the IOMMU did not (logged).
    pub fn tlb_sync(&mut self) -> bool {
        let (Some((id, _)), Some((lo, hi))) = (self.dev, self.stale.take()) else { return true };
        let order = (0..).find(|o| lo / PAGE >> o == (hi - 1) / PAGE >> o).unwrap_or(0);
        super::hw().invalidate(id as u64 + 1, lo / PAGE >> order << order << 12, 1 << order)
    }

    /// Maps the pages under `len` bytes of kernel memory at `ptr` from `iova` on; returns the
    /// IOVA of `ptr` (its physical address if untranslated) and the bytes mapped.
    fn place<T>(&mut self, iova: u64, ptr: *const T, len: usize, perm: Perm) -> (u64, u64) {
        let pa = mm::phys(ptr);
        let bytes = (pa % PAGE + len as u64).next_multiple_of(PAGE);
        self.map(iova, pa & !(PAGE - 1), bytes, perm);
        (if self.dev.is_some() { iova + pa % PAGE } else { pa }, bytes)
    }

    /// Maps kernel memory for the device for good (queues, request pages); returns its IOVA.
    pub fn dma<T>(&mut self, ptr: *const T, len: usize, perm: Perm) -> u64 {
        let (iova, bytes) = self.place(self.next, ptr, len, perm);
        self.next += bytes;
        iova
    }

    /// A new zeroed page of kernel memory for the device (a queue, a request page) and its IOVA.
    pub fn page(&mut self) -> (*mut u8, u64) {
        let page = mm::alloc_pages(1);
        (page, self.dma(page, PAGE_SIZE, Perm::ReadWrite))
    }

    /// Lends a request's buffer to the device at the window until `release`.
    pub fn lend(&mut self, buf: *const u8, len: usize, perm: Perm) -> u64 {
        assert!(len <= 15 * PAGE_SIZE, "iommu: buffer larger than the window");
        self.place(WINDOW, buf, len, perm).0
    }

    /// Ends a loan: unmaps the buffer and syncs, before its memory can be reused.
    pub fn release(&mut self, iova: u64, len: usize) {
        self.unmap(iova & !(PAGE - 1), (iova % PAGE + len as u64).next_multiple_of(PAGE));
        if !*NOSYNC.get() {
            self.tlb_sync();
        }
    }
}
