//! A split virtqueue (virtio 1.2 §2.7) in one zeroed page of kernel memory: the descriptor table
//! at offset 0, the available (driver) ring at 1024, the used (device) ring at 2048, which leaves
//! room for `MAX_SIZE` entries. Only the driver side: descriptors are written by the driver,
//! which then offers a chain's head in the available ring; the device returns heads in the used
//! ring. No indirect descriptors, no event index: interrupts come for every used buffer.
//!
//! The device reads and writes this page on its own, so every access is volatile, and `dsb`
//! orders ring entries before the index that publishes them (and the index before the notify).

use crate::arch::dsb;
use crate::iommu::domain::Domain;

pub const MAX_SIZE: u16 = 64;
const AVAIL: usize = 1024;
const USED: usize = 2048;
const DESC_NEXT: u16 = 1;
const DESC_WRITE: u16 = 2; // the device writes this buffer

/// One buffer of a request: its address for the device (an IOVA), length, and whether the device
/// writes it.
#[derive(Clone, Copy)]
pub struct Buf {
    pub addr: u64,
    pub len: u32,
    pub device_writes: bool,
}

impl Buf {
    /// `len` bytes at `addr` for the device to read (a request).
    pub fn device_reads(addr: u64, len: usize) -> Buf {
        Buf { addr, len: len as u32, device_writes: false }
    }

    /// `len` bytes at `addr` for the device to write (an answer).
    pub fn device_writes(addr: u64, len: usize) -> Buf {
        Buf { addr, len: len as u32, device_writes: true }
    }
}

pub struct Queue {
    page: *mut u8,
    /// The page's address for the device.
    iova: u64,
    size: u16,
    /// Our next available-ring index (free-running, wraps at 2^16 like the device's).
    next_avail: u16,
    /// The used-ring index up to which we have taken entries.
    last_used: u16,
}

impl Queue {
    /// A queue in a new page, mapped for the device in `dom`.
    pub fn new(size: u16, dom: &mut Domain) -> Queue {
        assert!(size > 0 && size <= MAX_SIZE);
        let (page, iova) = dom.page();
        Queue { page, iova, size, next_avail: 0, last_used: 0 }
    }

    pub fn size(&self) -> u16 {
        self.size
    }

    /// Device addresses of the descriptor table, available ring and used ring.
    pub fn addrs(&self) -> [u64; 3] {
        [self.iova, self.iova + AVAIL as u64, self.iova + USED as u64]
    }

    fn write<T>(&mut self, off: usize, value: T) {
        // SAFETY: `off` lies inside our page (callers index within `size`), suitably aligned.
        unsafe { (self.page.add(off) as *mut T).write_volatile(value) }
    }

    fn read<T>(&self, off: usize) -> T {
        // SAFETY: as for `write`.
        unsafe { (self.page.add(off) as *const T).read_volatile() }
    }

    /// Writes descriptor `i`, linked to `next` if given.
    pub fn set(&mut self, i: u16, buf: Buf, next: Option<u16>) {
        let off = i as usize % self.size as usize * 16;
        let flags = if buf.device_writes { DESC_WRITE } else { 0 } | next.map_or(0, |_| DESC_NEXT);
        self.write(off, buf.addr);
        self.write(off + 8, buf.len);
        self.write(off + 12, flags);
        self.write(off + 14, next.unwrap_or(0));
    }

    /// Offers the descriptor chain that starts at `head` to the device (notify it afterwards).
    pub fn offer(&mut self, head: u16) {
        let slot = self.next_avail % self.size;
        self.write(AVAIL + 4 + 2 * slot as usize, head);
        dsb(); // the entry before the index that makes it visible
        self.next_avail = self.next_avail.wrapping_add(1);
        self.write(AVAIL + 2, self.next_avail);
    }

    /// Chains `bufs` through descriptors 0, 1, ... and offers the chain: for drivers that have
    /// one request in flight at a time.
    pub fn offer_chain(&mut self, bufs: &[Buf]) {
        for (i, &buf) in bufs.iter().enumerate() {
            let next = (i + 1 < bufs.len()).then_some(i as u16 + 1);
            self.set(i as u16, buf, next);
        }
        self.offer(0);
    }

    /// The next chain the device has finished with: (head descriptor, bytes it wrote).
    pub fn take_used(&mut self) -> Option<(u16, u32)> {
        if self.read::<u16>(USED + 2) == self.last_used {
            return None;
        }
        dsb(); // read the entry (and the buffer) only after seeing the index
        let off = USED + 4 + 8 * (self.last_used % self.size) as usize;
        self.last_used = self.last_used.wrapping_add(1);
        Some((self.read::<u32>(off) as u16, self.read::<u32>(off + 4)))
    }
}
