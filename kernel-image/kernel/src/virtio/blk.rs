//! virtio-blk (virtio 1.2 §5.2): reads and writes of whole 512-byte sectors, a cache flush, and
//! the capacity from configuration space. Synchronous, one request at a time on queue 0; a request
//! is three descriptors: header (type, sector), data, and one status byte the device writes.

use super::Transport;
use super::queue::{Buf, Queue};
use crate::iommu::domain::Domain;
use crate::mm::Perm;
use crate::uart::kprintln;

/// virtio-blk always counts in 512-byte sectors, whatever the disk's block size.
pub const SECTOR: usize = 512;
const F_RO: u64 = 1 << 5;
const F_FLUSH: u64 = 1 << 9;
const T_IN: u32 = 0;
const T_OUT: u32 = 1;
const T_FLUSH: u32 = 4;
/// A failed request's status from the device: 1 I/O error, 2 unsupported.
pub type Status = u8;
/// Offset of the status byte in the request page (the 16-byte header comes first).
const STATUS: usize = 16;

pub struct Blk {
    t: Transport,
    q: Queue,
    dom: Domain,
    /// One page: the request header, then the status byte; and its address for the device.
    req: *mut u8,
    req_iova: u64,
    /// Number of sectors.
    pub capacity: u64,
    pub read_only: bool,
    /// Whether the device has a write cache to flush (VIRTIO_BLK_F_FLUSH); without it, writes
    /// are durable once they complete.
    has_flush: bool,
}

impl Blk {
    pub fn new(t: Transport) -> Option<Blk> {
        let mut dom = Domain::new(t.slot);
        let (features, q) = t.start(F_RO | F_FLUSH, 4, &mut dom)?;
        let (req, req_iova) = dom.page();
        let (capacity, read_only) = (t.config64(0), features & F_RO != 0);
        let ro = if read_only { ", read-only" } else { "" };
        kprintln!("[virtio] slot {}: blk, {} sectors{}", t.slot, capacity, ro);
        Some(Blk {
            t,
            q,
            dom,
            req,
            req_iova,
            capacity,
            read_only,
            has_flush: features & F_FLUSH != 0,
        })
    }

    /// Reads `buf.len() / 512` sectors from `sector` on.
    pub fn read(&mut self, sector: u64, buf: &mut [u8]) -> Result<(), Status> {
        self.request(T_IN, sector, Some((buf.as_ptr(), Buf::device_writes(0, buf.len()))))
    }

    /// Writes `buf.len() / 512` sectors from `sector` on.
    pub fn write(&mut self, sector: u64, buf: &[u8]) -> Result<(), Status> {
        self.request(T_OUT, sector, Some((buf.as_ptr(), Buf::device_reads(0, buf.len()))))
    }

    /// Makes completed writes durable.
    pub fn flush(&mut self) -> Result<(), Status> {
        if self.has_flush { self.request(T_FLUSH, 0, None) } else { Ok(()) }
    }

    /// One request; `data` is a buffer (its address filled in here: lent to the device for the
    /// request's duration) and where it lies in kernel memory.
    fn request(&mut self, kind: u32, sector: u64, data: Option<(*const u8, Buf)>) -> Result<(), Status> {
        assert!(data.is_none_or(|(_, d)| d.len as usize % SECTOR == 0), "blk: partial sector");
        // SAFETY: `req` is our own page: header words at 0..16, status byte at STATUS.
        unsafe {
            (self.req as *mut u32).write_volatile(kind);
            (self.req.add(4) as *mut u32).write_volatile(0);
            (self.req.add(8) as *mut u64).write_volatile(sector);
            self.req.add(STATUS).write_volatile(0xff);
        }
        let base = self.req_iova;
        let (header, status) = (Buf::device_reads(base, 16), Buf::device_writes(base + STATUS as u64, 1));
        let perm = |d: Buf| if d.device_writes { Perm::ReadWrite } else { Perm::ReadOnly };
        let data = data.map(|(at, d)| Buf { addr: self.dom.lend(at, d.len as usize, perm(d)), ..d });
        match data {
            Some(d) => self.t.roundtrip(&mut self.q, &[header, d, status]),
            None => self.t.roundtrip(&mut self.q, &[header, status]),
        };
        data.map(|d| self.dom.release(d.addr, d.len as usize));
        // SAFETY: as above; the device has finished with the page.
        match unsafe { self.req.add(STATUS).read_volatile() } {
            0 => Ok(()),
            s => Err(s),
        }
    }

    /// Writes a pattern to the last sector, flushes, reads it back and compares; then puts the
    /// sector's original content back (the disk is the user's). Err says what went wrong.
    pub fn self_test(&mut self) -> Result<(), &'static str> {
        if self.read_only || self.capacity == 0 {
            return Err(if self.read_only { "disk is read-only" } else { "disk is empty" });
        }
        let last = self.capacity - 1;
        let pattern: [u8; SECTOR] =
            core::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ (i >> 8) as u8 ^ 0x5a);
        let (mut saved, mut back) = ([0; SECTOR], [0; SECTOR]);
        self.read(last, &mut saved).map_err(|_| "read failed")?;
        self.write(last, &pattern).map_err(|_| "write failed")?;
        self.flush().map_err(|_| "flush failed")?;
        let read_back = self.read(last, &mut back);
        let restored = self.write(last, &saved).and_then(|()| self.flush());
        read_back.map_err(|_| "read-back failed")?;
        if back != pattern {
            return Err("read-back differs from the pattern written");
        }
        restored.map_err(|_| "restoring the sector failed")
    }
}
