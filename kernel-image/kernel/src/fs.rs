//! The kernel's access to the disk (the first virtio-blk device): read-only files through
//! fat.rs, for `spawn_elf` to load programs, and raw sectors for the one process that owns the
//! disk, the user-space file server (guest-apps/fsd), which implements files for everyone else.

use crate::arch::Global;
use fat::{Disk, Fat, SECTOR};
use crate::sched::Scheduler;
use crate::trap::{copy_in, copy_out};
use crate::virtio::blk::Blk;
use abi::{BLK_MAX, Error};
use alloc::vec;
use alloc::vec::Vec;

static FS: Global<Option<(Blk, Option<Fat>)>> = Global::new(None);
/// Pid of the process that owns the disk (0: none yet).
static OWNER: Global<u64> = Global::new(0);

impl Disk for Blk {
    fn read(&mut self, sector: u64, buf: &mut [u8]) -> bool {
        Blk::read(self, sector, buf).is_ok()
    }

    fn write(&mut self, sector: u64, buf: &[u8]) -> bool {
        Blk::write(self, sector, buf).is_ok()
    }
}

/// Mounts the disk's FAT16 volume, if there is one; returns whether it is mounted.
pub fn init(mut blk: Blk) -> bool {
    let fat = Fat::mount(&mut blk);
    let mounted = fat.is_some();
    *FS.get() = Some((blk, fat));
    mounted
}

/// Largest file the kernel reads (a program; see elf.rs's limit on its memory).
const MAX_FILE: u32 = 1 << 20;

/// The content of the file at `path`, if the disk has it (and it is at most MAX_FILE bytes).
pub fn read(path: &[u8]) -> Option<Vec<u8>> {
    let (blk, fat) = FS.get().as_mut()?;
    let fat = fat.as_ref()?;
    fat.lookup(blk, path).filter(|e| e.size <= MAX_FILE)?;
    fat.read_file(blk, path)
}

/// `blk_read` / `blk_write` for the current process (the first to call either owns the disk).
pub fn sectors(sched: &mut Scheduler, write: bool, sector: u64, buf: u64, count: u64) -> Result<u64, Error> {
    let (blk, _) = FS.get().as_mut().ok_or(Error::NoEnt)?;
    let (me, owner) = (sched.current_id(), OWNER.get());
    if !sched.cur().server || *owner != me && sched.live(*owner).is_some() {
        return Err(Error::Perm);
    }
    *owner = me;
    sched.cur().prio = 1;
    if !(1..=BLK_MAX).contains(&count) || sector.checked_add(count).is_none_or(|end| end > blk.capacity) {
        return Err(Error::Inval);
    }
    let len = count * SECTOR as u64;
    if write {
        let data = copy_in(sched.space(), buf, len)?;
        blk.write(sector, &data).and_then(|()| blk.flush()).map_err(|_| Error::Io)?;
        return Ok(0);
    }
    if !sched.space().user_ok(buf, len, true) {
        return Err(Error::Fault);
    }
    let mut data = vec![0u8; len as usize];
    Blk::read(blk, sector, &mut data).map_err(|_| Error::Io)?;
    copy_out(sched.space(), buf, &data)
}
