//! The kernel's access to files on the disk: the first virtio-blk device, read through fat.rs.
//! Used by `spawn_elf` to load programs; nothing else in the kernel touches files.

use crate::arch::Global;
use crate::fat::{Disk, Fat};
use crate::virtio::blk::Blk;
use alloc::vec::Vec;

static FS: Global<Option<(Blk, Fat)>> = Global::new(None);

impl Disk for Blk {
    fn read(&mut self, sector: u64, buf: &mut [u8]) -> bool {
        Blk::read(self, sector, buf).is_ok()
    }
}

/// Mounts the disk's FAT16 volume, if there is one; returns whether it is mounted.
pub fn init(mut blk: Blk) -> bool {
    let fat = Fat::mount(&mut blk);
    fat.map(|f| *FS.get() = Some((blk, f))).is_some()
}

/// The content of the file at `path`, if the disk has it.
pub fn read(path: &[u8]) -> Option<Vec<u8>> {
    let (blk, fat) = FS.get().as_mut()?;
    fat.read_file(blk, path)
}
