//! Writing inside files, growing them and creating them. Every table change goes to all FAT
//! copies; sectors are read, patched and written back one at a time, and fsd's disk flushes
//! each write (blk_write), so the disk is consistent whenever fsd is idle. Times come from the
//! caller (a `Stamp`): the FAT code has no clock.

use crate::{Disk, Entry, Fat, File, SECTOR, Stamp, le};
use alloc::vec::Vec;

/// Reads sector `s`, lets `f` patch it, writes it back.
pub(crate) fn patch(d: &mut impl Disk, s: u64, f: impl FnOnce(&mut [u8; SECTOR])) -> Option<()> {
    let mut b = [0u8; SECTOR];
    d.read(s, &mut b).then_some(())?;
    f(&mut b);
    d.write(s, &b).then_some(())
}

impl Fat {
    /// Sets the FAT entry of `cluster` in every copy of the table.
    pub(crate) fn set_next(&self, d: &mut impl Disk, cluster: u16, next: u16) -> Option<()> {
        let off = cluster as u64 * 2;
        for copy in 0..self.fats {
            let s = self.fat_start + copy * self.fat_size + off / SECTOR as u64;
            let at = off as usize % SECTOR;
            patch(d, s, |b| b[at..at + 2].copy_from_slice(&next.to_le_bytes()))?;
        }
        Some(())
    }

    /// A free cluster, now marked end-of-chain.
    pub(crate) fn alloc(&self, d: &mut impl Disk) -> Option<u16> {
        let mut b = [0u8; SECTOR];
        for c in 2..self.clusters + 2 {
            let off = c * 2;
            if off % SECTOR as u64 == 0 || c == 2 {
                d.read(self.fat_start + off / SECTOR as u64, &mut b).then_some(())?;
            }
            if le(&b, off as usize % SECTOR, 2) == 0 {
                self.set_next(d, c as u16, 0xffff)?;
                return Some(c as u16);
            }
        }
        None
    }

    /// Writes `e`'s first cluster, size and modification time back into its directory entry.
    fn save(&self, d: &mut impl Disk, e: &Entry) -> Option<()> {
        let (s, at) = e.at;
        patch(d, s, |b| {
            b[at + 22..at + 24].copy_from_slice(&e.modified.time.to_le_bytes());
            b[at + 24..at + 26].copy_from_slice(&e.modified.date.to_le_bytes());
            b[at + 26..at + 28].copy_from_slice(&e.cluster.to_le_bytes());
            b[at + 28..at + 32].copy_from_slice(&e.size.to_le_bytes());
        })
    }

    /// Writes `data` into file `f` at `off`, growing its cluster chain and size as needed; the
    /// file was modified at `now`.
    pub fn write_at(&self, d: &mut impl Disk, f: &mut File, off: u32, data: &[u8], now: Stamp) -> Option<usize> {
        let end = off as u64 + data.len() as u64;
        while (f.sectors.len() as u64) * (SECTOR as u64) < end {
            let c = self.alloc(d)?;
            match f.sectors.last() {
                None => f.entry.cluster = c,
                Some(&s) => self.set_next(d, ((s - self.data_start) / self.spc + 2) as u16, c)?,
            }
            let first = self.data_start + (c as u64 - 2) * self.spc;
            f.sectors.extend(first..first + self.spc);
        }
        let (mut pos, mut done) = (off as usize, 0);
        while done < data.len() {
            let (s, at) = (f.sectors[pos / SECTOR], pos % SECTOR);
            let n = (SECTOR - at).min(data.len() - done);
            patch(d, s, |b| b[at..at + n].copy_from_slice(&data[done..done + n]))?;
            (pos, done) = (pos + n, done + n);
        }
        f.entry.size = f.entry.size.max(end as u32);
        f.entry.modified = now;
        self.save(d, &f.entry)?;
        Some(data.len())
    }

    /// Empties file `f`, modified at `now`: its entry says size 0 and no cluster before its old
    /// chain is freed (so a failure in between leaks clusters rather than sharing them). What a
    /// save that rewrites a whole file starts with.
    pub fn truncate(&self, d: &mut impl Disk, f: &mut File, now: Stamp) -> Option<()> {
        if f.entry.dir {
            return None;
        }
        let first = f.entry.cluster;
        (f.entry.cluster, f.entry.size, f.entry.modified) = (0, 0, now);
        f.sectors.clear();
        self.save(d, &f.entry)?;
        self.free_chain(d, first)
    }

    /// Creates an empty file at `path` (its directory must exist, the name must be free and
    /// valid), created and modified at `now`.
    pub fn create(&self, d: &mut impl Disk, path: &[u8], now: Stamp) -> Option<File> {
        let entry = self.add(d, path, crate::tree::ATTR_ARCHIVE, 0, now)?;
        Some(File { entry, sectors: Vec::new() })
    }
}
