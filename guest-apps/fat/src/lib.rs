//! FAT16, as the file server (guest-apps/fsd) keeps files on the disk: reading here, writing,
//! growing and creating files in write.rs, directories made, entries renamed and deleted in
//! tree.rs, long names and timestamps in name.rs, and a small write-through cache of sectors in
//! cache.rs. Pure logic: sectors go through the `Disk` trait, so
//! it is tested on the host (`cargo test` here) against the image mkfs.fat and mcopy make
//! (../build/disk.img), and what it writes is checked with mtools and fsck.fat.
//!
//! Layout (Microsoft FAT specification): sector 0 holds the BIOS parameter block; then the
//! reserved sectors, `fats` copies of the allocation table (16-bit entries: 0 free, >= 0xfff8
//! end of chain), the fixed-size root directory, and the data clusters numbered from 2.
//! Directory entries are 32 bytes: 8.3 name, attributes, first cluster (low word at 26), size.
//! A VFAT long name is stored in entries of attribute 0x0f just before its short entry; names
//! are matched case-insensitively against the long name and the short one.
//!
//! A disk is not trusted: every chain walk is bounded by the volume's cluster count, every
//! cluster number checked, and a corrupt structure gives None, never a panic or an endless loop.

#![no_std]

extern crate alloc;

mod cache;
mod name;
mod tree;
mod write;

pub use cache::Cache;
pub use name::{MAX_NAME, Stamp, alias, checksum, valid as valid_name};
use name::{LongName, display_short};

use alloc::vec;
use alloc::vec::Vec;

pub const SECTOR: usize = 512;
pub(crate) const ATTR_DIR: u8 = 0x10;
const ATTR_LFN: u8 = 0x0f;
const ATTR_VOLUME: u8 = 0x08;

/// Sector access: `buf.len() / SECTOR` whole sectors from `sector` on. `false`: the device
/// failed.
pub trait Disk {
    fn read(&mut self, sector: u64, buf: &mut [u8]) -> bool;
    fn write(&mut self, sector: u64, buf: &[u8]) -> bool;
}

impl<D: Disk> Disk for &mut D {
    fn read(&mut self, sector: u64, buf: &mut [u8]) -> bool {
        (**self).read(sector, buf)
    }

    fn write(&mut self, sector: u64, buf: &[u8]) -> bool {
        (**self).write(sector, buf)
    }
}

pub struct Fat {
    pub(crate) spc: u64,
    pub(crate) fat_start: u64,
    pub(crate) fat_size: u64,
    pub(crate) fats: u64,
    pub(crate) root_start: u64,
    pub(crate) root_sectors: u64,
    pub(crate) data_start: u64,
    pub(crate) clusters: u64,
}

/// A directory entry: short name (8.3, as stored), its name as shown (the long name, else the
/// short one as `README.TXT`), first cluster, size, whether it is a directory, when it was last
/// written, and where it is stored: the short entry's (sector, byte offset; the root's own is
/// (0, 0)), and that of its first long-name entry (`at` without one).
#[derive(Clone, Copy)]
pub struct Entry {
    pub short: [u8; 11],
    long: [u8; MAX_NAME],
    long_len: u8,
    pub cluster: u16,
    pub size: u32,
    pub dir: bool,
    pub modified: Stamp,
    pub at: (u64, usize),
    pub first: (u64, usize),
}

impl Entry {
    /// The root directory, which has no entry of its own.
    pub(crate) fn root() -> Entry {
        Entry { short: [b' '; 11], long: [0; MAX_NAME], long_len: 0, cluster: 0, size: 0, dir: true, modified: Stamp::default(), at: (0, 0), first: (0, 0) }
    }

    /// The name as shown: the long name if it has one.
    pub fn name(&self) -> &[u8] {
        &self.long[..self.long_len as usize]
    }

    /// Whether `name` names this entry (its long or its short name, case-insensitively).
    pub fn is_named(&self, name: &[u8]) -> bool {
        self.name().eq_ignore_ascii_case(name) || short_name(name) == Some(self.short)
    }

    /// `.` or `..`.
    pub fn is_dot(&self) -> bool {
        self.short == *b".          " || self.short == *b"..         "
    }
}

pub(crate) fn le(b: &[u8], off: usize, n: usize) -> u64 {
    b[off..off + n].iter().rev().fold(0, |v, &x| v << 8 | x as u64)
}

/// `name` as a padded, upper-case 8.3 name, if it fits.
pub fn short_name(name: &[u8]) -> Option<[u8; 11]> {
    let (base, ext) = match name.iter().rposition(|&b| b == b'.') {
        Some(dot) if dot > 0 => (&name[..dot], &name[dot + 1..]),
        _ => (name, &[][..]),
    };
    if base.is_empty() || base.len() > 8 || ext.len() > 3 {
        return None;
    }
    let mut out = [b' '; 11];
    out[..base.len()].copy_from_slice(base);
    out[8..8 + ext.len()].copy_from_slice(ext);
    out.make_ascii_uppercase();
    Some(out)
}

impl Fat {
    /// Reads the BPB; None unless it describes a FAT16 volume of 512-byte sectors.
    pub fn mount(d: &mut impl Disk) -> Option<Fat> {
        let mut b = [0u8; SECTOR];
        if !d.read(0, &mut b) || le(&b, 11, 2) != SECTOR as u64 || le(&b, 510, 2) != 0xaa55 {
            return None;
        }
        let spc = le(&b, 13, 1);
        let (fat_start, fat_size, fats) = (le(&b, 14, 2), le(&b, 22, 2), le(&b, 16, 1));
        let root_sectors = (le(&b, 17, 2) * 32).div_ceil(SECTOR as u64);
        let total = if le(&b, 19, 2) != 0 { le(&b, 19, 2) } else { le(&b, 32, 4) };
        let root_start = fat_start + fats * fat_size;
        let data_start = root_start + root_sectors;
        let clusters = total.checked_sub(data_start)? / spc.max(1);
        let fat_room = fat_size * SECTOR as u64 / 2;
        if spc == 0 || fats == 0 || clusters + 2 > fat_room || !(4085..65525).contains(&clusters) {
            return None;
        }
        Some(Fat { spc, fat_start, fat_size, fats, root_start, root_sectors, data_start, clusters })
    }

    /// The FAT entry of `cluster`: the next cluster of its chain (>= 0xfff8: none).
    pub(crate) fn next(&self, d: &mut impl Disk, cluster: u16) -> Option<u16> {
        let mut b = [0u8; SECTOR];
        let off = cluster as u64 * 2;
        d.read(self.fat_start + off / SECTOR as u64, &mut b).then(|| le(&b, off as usize % SECTOR, 2) as u16)
    }

    /// The sectors of a chain from `first` (0: the root directory), in order; None if the chain
    /// is broken (points outside the volume, or loops).
    pub(crate) fn sectors(&self, d: &mut impl Disk, first: u16) -> Option<Vec<u64>> {
        if first == 0 {
            return Some((self.root_start..self.root_start + self.root_sectors).collect());
        }
        let mut out = Vec::new();
        let mut c = first;
        while c < 0xfff8 {
            if c < 2 || c as u64 >= self.clusters + 2 || out.len() as u64 > self.clusters * self.spc {
                return None;
            }
            let s = self.data_start + (c as u64 - 2) * self.spc;
            out.extend(s..s + self.spc);
            c = self.next(d, c)?;
        }
        Some(out)
    }

    /// The entries of directory `dir` (cluster; 0 the root), without deleted, long-name and
    /// volume entries, with their long names.
    pub fn list(&self, d: &mut impl Disk, dir: u16) -> Option<Vec<Entry>> {
        let mut out = Vec::new();
        let mut b = [0u8; SECTOR];
        let mut long = LongName::new();
        let mut first = None;
        for s in self.sectors(d, dir)? {
            if !d.read(s, &mut b) {
                return None;
            }
            for (i, e) in b.chunks(32).enumerate() {
                match (e[0], e[11]) {
                    (0, _) => return Some(out),
                    (0xe5, _) => first = None,
                    (_, ATTR_LFN) => {
                        if e[0] & name::LAST_PIECE != 0 {
                            first = Some((s, i * 32));
                        }
                        long.push(e);
                    }
                    (_, attr) if attr & ATTR_VOLUME != 0 => first = None,
                    (_, attr) => {
                        let short: [u8; 11] = e[..11].try_into().unwrap();
                        let (name, len) = match long.finish(&short) {
                            Some(found) => found,
                            None => {
                                first = None;
                                let (shown, n) = display_short(&short, e[12]);
                                let mut name = [0; MAX_NAME];
                                name[..n].copy_from_slice(&shown[..n]);
                                (name, n)
                            }
                        };
                        out.push(Entry {
                            short,
                            long: name,
                            long_len: len as u8,
                            cluster: le(e, 26, 2) as u16,
                            size: le(e, 28, 4) as u32,
                            dir: attr & ATTR_DIR != 0,
                            modified: Stamp { date: le(e, 24, 2) as u16, time: le(e, 22, 2) as u16 },
                            at: (s, i * 32),
                            first: first.take().unwrap_or((s, i * 32)),
                        });
                    }
                }
            }
        }
        Some(out)
    }

    /// The entry at absolute `path` (`/BIN/HELLO`; long or 8.3 names, case-insensitive).
    pub fn lookup(&self, d: &mut impl Disk, path: &[u8]) -> Option<Entry> {
        let mut cur = Entry::root();
        for part in path.split(|&b| b == b'/').filter(|p| !p.is_empty()) {
            cur = self.list(d, cur.cluster).filter(|_| cur.dir)?.into_iter().find(|e| e.is_named(part))?;
        }
        Some(cur)
    }

    /// The entry at `path`, opened.
    pub fn open(&self, d: &mut impl Disk, path: &[u8]) -> Option<File> {
        let entry = self.lookup(d, path)?;
        self.file(d, entry)
    }

    /// `entry` opened: with its chain of sectors (a directory's too); None if the chain is broken.
    pub fn file(&self, d: &mut impl Disk, entry: Entry) -> Option<File> {
        let sectors = if entry.dir || entry.cluster != 0 { self.sectors(d, entry.cluster)? } else { Vec::new() };
        Some(File { entry, sectors })
    }

    /// The whole content of the file at `path`.
    pub fn read_file(&self, d: &mut impl Disk, path: &[u8]) -> Option<Vec<u8>> {
        let f = self.open(d, path).filter(|f| !f.entry.dir)?;
        let mut data = vec![0u8; f.entry.size as usize];
        (f.read_at(d, 0, &mut data)? == data.len()).then_some(data)
    }
}

/// An open file (or directory): its entry and the sectors of its cluster chain, so that reading
/// and writing at an offset need not walk the chain again.
pub struct File {
    pub entry: Entry,
    pub(crate) sectors: Vec<u64>,
}

impl File {
    /// Up to `buf.len()` bytes from `off`; the count read (less at the end of the file). None if
    /// the disk fails or the chain is shorter than the size says.
    pub fn read_at(&self, d: &mut impl Disk, off: u32, buf: &mut [u8]) -> Option<usize> {
        let n = (self.entry.size.saturating_sub(off) as usize).min(buf.len());
        let mut b = [0u8; SECTOR];
        let (mut pos, mut done) = (off as usize, 0);
        while done < n {
            let (s, at) = (*self.sectors.get(pos / SECTOR)?, pos % SECTOR);
            let k = (SECTOR - at).min(n - done);
            d.read(s, &mut b).then_some(())?;
            buf[done..done + k].copy_from_slice(&b[at..at + k]);
            (pos, done) = (pos + k, done + k);
        }
        Some(n)
    }
}
