//! The directory tree: new entries (with a long name and its `~N` alias when the name is not a
//! plain upper-case 8.3 one), directories made, entries renamed and moved, files and empty
//! directories deleted.
//!
//! Orders of writes keep a crash harmless for the data: a rename writes the new entry before it
//! removes the old one, a delete removes the entry before it frees the clusters (at worst
//! clusters are lost, never one in use twice), and mkdir fills the new cluster before it enters
//! it in its parent.

use crate::name::{alias, piece, pieces, plain_short, valid};
use crate::write::patch;
use crate::{ATTR_DIR, Disk, Entry, Fat, SECTOR, Stamp};
use alloc::vec::Vec;

pub(crate) const ATTR_ARCHIVE: u8 = 0x20;
/// Slots (32-byte entries) in a sector.
const SLOTS: usize = SECTOR / 32;
/// Deepest directory tree walked up when checking a move (a path of 64 bytes has fewer levels).
const MAX_DEPTH: usize = 64;

/// `path` split into its directory and last name (`/A/B` -> `/A`, `B`); None for the root.
fn split(path: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = path.iter().rposition(|&b| b != b'/')? + 1;
    let path = &path[..end];
    let slash = path.iter().rposition(|&b| b == b'/')?;
    Some((&path[..slash], &path[slash + 1..]))
}

/// A short entry (32 bytes): `short`, attributes, first cluster, size 0, created and written at
/// `now`.
fn short_entry(short: &[u8; 11], attr: u8, cluster: u16, now: Stamp) -> [u8; 32] {
    let mut e = [0u8; 32];
    e[..11].copy_from_slice(short);
    e[11] = attr;
    for (at, v) in [(14, now.time), (16, now.date), (18, now.date), (22, now.time), (24, now.date), (26, cluster)] {
        e[at..at + 2].copy_from_slice(&v.to_le_bytes());
    }
    e
}

impl Fat {
    /// The (sector, offset) of each slot of directory `dir`, and whether it is free.
    fn slots(&self, d: &mut impl Disk, dir: u16) -> Option<Vec<((u64, usize), bool)>> {
        let mut out = Vec::new();
        let mut b = [0u8; SECTOR];
        let mut ended = false;
        for s in self.sectors(d, dir)? {
            d.read(s, &mut b).then_some(())?;
            for i in 0..SLOTS {
                ended |= b[i * 32] == 0;
                out.push(((s, i * 32), ended || b[i * 32] == 0xe5));
            }
        }
        Some(out)
    }

    /// `n` consecutive free slots of directory `dir`, growing it by zeroed clusters if it is not
    /// the (fixed-size) root.
    fn free_run(&self, d: &mut impl Disk, dir: u16, n: usize) -> Option<Vec<(u64, usize)>> {
        let mut slots = self.slots(d, dir)?;
        for _ in 0..=n / SLOTS + 1 {
            let mut run = 0;
            for (i, &(_, free)) in slots.iter().enumerate() {
                run = if free { run + 1 } else { 0 };
                if run == n {
                    return Some(slots[i + 1 - n..=i].iter().map(|&(at, _)| at).collect());
                }
            }
            if dir == 0 {
                return None;
            }
            let last = ((slots.last()?.0.0 - self.data_start) / self.spc + 2) as u16;
            let c = self.zeroed_cluster(d)?;
            self.set_next(d, last, c)?;
            let first = self.cluster_sector(c);
            slots.extend((first..first + self.spc).flat_map(|s| (0..SLOTS).map(move |i| ((s, i * 32), true))));
        }
        None
    }

    pub(crate) fn cluster_sector(&self, c: u16) -> u64 {
        self.data_start + (c as u64 - 2) * self.spc
    }

    /// A newly allocated cluster, filled with zeros.
    fn zeroed_cluster(&self, d: &mut impl Disk) -> Option<u16> {
        let c = self.alloc(d)?;
        let first = self.cluster_sector(c);
        for s in first..first + self.spc {
            d.write(s, &[0; SECTOR]).then_some(())?;
        }
        Some(c)
    }

    /// Enters `name` in directory `dir` with short entry `template` (its name bytes are set
    /// here): long-name entries and an alias unless the name is a plain 8.3 one. The new entry.
    fn enter(&self, d: &mut impl Disk, dir: &Entry, name: &[u8], template: [u8; 32]) -> Option<Entry> {
        let existing = self.list(d, dir.cluster)?;
        if !valid(name) || existing.iter().any(|e| e.is_named(name)) {
            return None;
        }
        let (short, long) = match plain_short(name) {
            Some(short) => (short, 0),
            None => {
                let taken = |s: &[u8; 11]| existing.iter().any(|e| e.short == *s);
                ((1..1_000_000).map(|n| alias(name, n)).find(|s| !taken(s))?, pieces(name))
            }
        };
        let run = self.free_run(d, dir.cluster, long + 1)?;
        for (k, &(s, at)) in run[..long].iter().enumerate() {
            let e = piece(name, long - 1 - k, &short);
            patch(d, s, |b| b[at..at + 32].copy_from_slice(&e))?;
        }
        let (s, at) = run[long];
        let mut e = template;
        e[..11].copy_from_slice(&short);
        e[12] = 0; // no case flags: a long name says how it is written
        patch(d, s, |b| b[at..at + 32].copy_from_slice(&e))?;
        self.list(d, dir.cluster)?.into_iter().find(|e| e.at == (s, at))
    }

    /// The directory `path` names, and the last name in it.
    fn parent<'p>(&self, d: &mut impl Disk, path: &'p [u8]) -> Option<(Entry, &'p [u8])> {
        let (dir, name) = split(path)?;
        Some((self.lookup(d, dir).filter(|e| e.dir)?, name))
    }

    /// A new entry `path` with `attr` and first cluster `cluster`, made at `now`.
    pub(crate) fn add(&self, d: &mut impl Disk, path: &[u8], attr: u8, cluster: u16, now: Stamp) -> Option<Entry> {
        let (dir, name) = self.parent(d, path)?;
        self.enter(d, &dir, name, short_entry(&[b' '; 11], attr, cluster, now))
    }

    /// Makes directory `path` (its parent must exist, the name be free), with its `.` and `..`
    /// entries, at `now`.
    pub fn mkdir(&self, d: &mut impl Disk, path: &[u8], now: Stamp) -> Option<Entry> {
        let (dir, name) = self.parent(d, path)?;
        if !valid(name) || self.list(d, dir.cluster)?.iter().any(|e| e.is_named(name)) {
            return None;
        }
        let c = self.zeroed_cluster(d)?;
        let first = self.cluster_sector(c);
        let made = patch(d, first, |b| {
            b[..32].copy_from_slice(&short_entry(b".          ", ATTR_DIR, c, now));
            b[32..64].copy_from_slice(&short_entry(b"..         ", ATTR_DIR, dir.cluster, now));
        })
        .and_then(|_| self.enter(d, &dir, name, short_entry(&[b' '; 11], ATTR_DIR, c, now)));
        if made.is_none() {
            self.free_chain(d, c);
        }
        made
    }

    /// Marks every entry of `e` (long-name ones and the short one) in directory `dir` deleted.
    fn remove(&self, d: &mut impl Disk, dir: u16, e: &Entry) -> Option<()> {
        let slots = self.slots(d, dir)?;
        let end = slots.iter().position(|&(at, _)| at == e.at)?;
        let start = slots[..end].iter().rposition(|&(at, _)| at == e.first).filter(|&i| end - i <= 21).unwrap_or(end);
        for &((s, at), _) in &slots[start..=end] {
            patch(d, s, |b| b[at] = 0xe5)?;
        }
        Some(())
    }

    /// Frees the chain from `first` in every FAT copy; stops at anything that is not a cluster
    /// of the volume (and a loop ends, as each freed entry reads 0 afterwards).
    pub(crate) fn free_chain(&self, d: &mut impl Disk, first: u16) -> Option<()> {
        let mut c = first;
        for _ in 0..self.clusters {
            if c < 2 || c as u64 >= self.clusters + 2 {
                break;
            }
            let next = self.next(d, c)?;
            self.set_next(d, c, 0)?;
            c = next;
        }
        Some(())
    }

    /// Deletes the file or empty directory at `path`; None if it does not exist, is the root,
    /// or is a directory with entries.
    pub fn delete(&self, d: &mut impl Disk, path: &[u8]) -> Option<()> {
        let (dir, name) = self.parent(d, path)?;
        let e = self.list(d, dir.cluster)?.into_iter().find(|e| e.is_named(name) && !e.is_dot())?;
        if e.dir && self.list(d, e.cluster)?.iter().any(|x| !x.is_dot()) {
            return None;
        }
        self.remove(d, dir.cluster, &e)?;
        self.free_chain(d, e.cluster)
    }

    /// Whether directory `cluster` is `ancestor` or lies inside it (walking up the `..` entries).
    fn inside(&self, d: &mut impl Disk, mut cluster: u16, ancestor: u16) -> Option<bool> {
        let mut b = [0u8; SECTOR];
        for _ in 0..MAX_DEPTH {
            if cluster == ancestor {
                return Some(true);
            }
            if cluster < 2 || cluster as u64 >= self.clusters + 2 {
                return Some(false); // the root (or a broken link, which leads nowhere)
            }
            d.read(self.cluster_sector(cluster), &mut b).then_some(())?;
            if b[32..43] != *b"..         " {
                return None;
            }
            cluster = crate::le(&b, 32 + 26, 2) as u16;
        }
        None
    }

    /// Renames (and moves) the entry at `from` to `to`, whose directory must exist and which
    /// must not exist; the entry keeps its clusters, size, attributes and times. A directory
    /// cannot move into itself; a moved one's `..` names its new parent. The new entry.
    pub fn rename(&self, d: &mut impl Disk, from: &[u8], to: &[u8]) -> Option<Entry> {
        let (old_dir, old_name) = self.parent(d, from)?;
        let e = self.list(d, old_dir.cluster)?.into_iter().find(|e| e.is_named(old_name) && !e.is_dot())?;
        let (new_dir, new_name) = self.parent(d, to)?;
        if e.dir && self.inside(d, new_dir.cluster, e.cluster)? {
            return None;
        }
        let mut template = [0u8; 32];
        let mut b = [0u8; SECTOR];
        d.read(e.at.0, &mut b).then_some(())?;
        template.copy_from_slice(&b[e.at.1..e.at.1 + 32]);
        let same = old_dir.cluster == new_dir.cluster;
        if same && e.is_named(new_name) && valid(new_name) {
            // Only the case changes (or nothing): the old entry goes first to free the name.
            self.remove(d, old_dir.cluster, &e)?;
            return self.enter(d, &new_dir, new_name, template);
        }
        let moved = self.enter(d, &new_dir, new_name, template)?;
        let old = self.list(d, old_dir.cluster)?.into_iter().find(|x| x.at == e.at)?;
        self.remove(d, old_dir.cluster, &old)?;
        if e.dir && !same && (2..self.clusters + 2).contains(&(e.cluster as u64)) {
            patch(d, self.cluster_sector(e.cluster), |b| {
                if b[32..43] == *b"..         " {
                    b[32 + 26..32 + 28].copy_from_slice(&new_dir.cluster.to_le_bytes());
                }
            })?;
        }
        Some(moved)
    }
}
