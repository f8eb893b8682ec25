//! A few recently used sectors kept in memory in front of a `Disk`, written through: a read of a
//! kept sector costs no device access, a write goes to the device at once and updates the kept
//! copy. Reading a file in small pieces (the file protocol moves 56 bytes per message) reads
//! each sector from the device once, and the FAT sector of a chain stays at hand.

use crate::{Disk, SECTOR};

const SLOTS: usize = 8;
const NONE: u64 = u64::MAX;

pub struct Cache<D> {
    disk: D,
    /// Sector number and content of each slot (NONE: empty); `next` is replaced next.
    slots: [(u64, [u8; SECTOR]); SLOTS],
    next: usize,
}

impl<D: Disk> Cache<D> {
    pub fn new(disk: D) -> Cache<D> {
        Cache { disk, slots: [(NONE, [0; SECTOR]); SLOTS], next: 0 }
    }

    /// The device itself.
    pub fn disk(&mut self) -> &mut D {
        &mut self.disk
    }

    /// Keeps `data` as the content of `sector`, in its slot or the next one to replace.
    fn keep(&mut self, sector: u64, data: &[u8]) {
        let i = self.slots.iter().position(|(s, _)| *s == sector).unwrap_or(self.next);
        if i == self.next {
            self.next = (self.next + 1) % SLOTS;
        }
        self.slots[i].0 = sector;
        self.slots[i].1.copy_from_slice(data);
    }
}

impl<D: Disk> Disk for Cache<D> {
    fn read(&mut self, sector: u64, buf: &mut [u8]) -> bool {
        for (s, chunk) in (sector..).zip(buf.chunks_mut(SECTOR)) {
            if let Some((_, data)) = self.slots.iter().find(|(kept, _)| *kept == s) {
                chunk.copy_from_slice(data);
            } else if self.disk.read(s, chunk) {
                self.keep(s, chunk);
            } else {
                return false;
            }
        }
        true
    }

    fn write(&mut self, sector: u64, buf: &[u8]) -> bool {
        let ok = self.disk.write(sector, buf);
        for (s, chunk) in (sector..).zip(buf.chunks(SECTOR)) {
            match ok {
                true => self.keep(s, chunk),
                // What the device holds now is unknown: forget the sector.
                false => self.slots.iter_mut().filter(|(kept, _)| *kept == s).for_each(|slot| slot.0 = NONE),
            }
        }
        ok
    }
}
