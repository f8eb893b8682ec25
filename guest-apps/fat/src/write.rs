//! Writing inside files, growing them and creating them. Every table change goes to all FAT
//! copies; sectors are read, patched and written back one at a time, and fsd's disk flushes
//! each write (blk_write), so the disk is consistent whenever fsd is idle.

use crate::{Disk, Entry, Fat, File, SECTOR, le, short_name};
use alloc::vec::Vec;

/// The date stamped on created files (rost has no calendar): 2026-01-01, FAT-encoded.
const DATE: u16 = (2026 - 1980) << 9 | 1 << 5 | 1;

/// Reads sector `s`, lets `f` patch it, writes it back.
fn patch(d: &mut impl Disk, s: u64, f: impl FnOnce(&mut [u8; SECTOR])) -> Option<()> {
    let mut b = [0u8; SECTOR];
    d.read(s, &mut b).then_some(())?;
    f(&mut b);
    d.write(s, &b).then_some(())
}

impl Fat {
    /// Sets the FAT entry of `cluster` in every copy of the table.
    fn set_next(&self, d: &mut impl Disk, cluster: u16, next: u16) -> Option<()> {
        let off = cluster as u64 * 2;
        for copy in 0..self.fats {
            let s = self.fat_start + copy * self.fat_size + off / SECTOR as u64;
            let at = off as usize % SECTOR;
            patch(d, s, |b| b[at..at + 2].copy_from_slice(&next.to_le_bytes()))?;
        }
        Some(())
    }

    /// A free cluster, now marked end-of-chain.
    fn alloc(&self, d: &mut impl Disk) -> Option<u16> {
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

    /// Writes `e`'s first cluster and size back into its directory entry.
    fn save(&self, d: &mut impl Disk, e: &Entry) -> Option<()> {
        let (s, at) = e.at;
        patch(d, s, |b| {
            b[at + 26..at + 28].copy_from_slice(&e.cluster.to_le_bytes());
            b[at + 28..at + 32].copy_from_slice(&e.size.to_le_bytes());
        })
    }

    /// Writes `data` into file `f` at `off`, growing its cluster chain and size as needed.
    pub fn write_at(&self, d: &mut impl Disk, f: &mut File, off: u32, data: &[u8]) -> Option<usize> {
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
        self.save(d, &f.entry)?;
        Some(data.len())
    }

    /// Creates an empty file at `path` (its directory must exist and have a free entry).
    pub fn create(&self, d: &mut impl Disk, path: &[u8]) -> Option<File> {
        let slash = path.iter().rposition(|&b| b == b'/')?;
        let dir = self.lookup(d, &path[..slash]).filter(|e| e.dir)?;
        let name = short_name(&path[slash + 1..])?;
        let sectors = self.sectors(d, dir.cluster)?;
        let mut b = [0u8; SECTOR];
        for s in sectors {
            d.read(s, &mut b).then_some(())?;
            if let Some(i) = b.chunks(32).position(|e| e[0] == 0 || e[0] == 0xe5) {
                let at = i * 32;
                b[at..at + 32].fill(0);
                b[at..at + 11].copy_from_slice(&name);
                b[at + 11] = 0x20; // archive
                for field in [16, 18, 24] {
                    b[at + field..at + field + 2].copy_from_slice(&DATE.to_le_bytes()); // created, accessed, written
                }
                d.write(s, &b).then_some(())?;
                let entry = Entry { name, cluster: 0, size: 0, dir: false, at: (s, at) };
                return Some(File { entry, sectors: Vec::new() });
            }
        }
        None
    }
}
