//! The disk (the first virtio-blk device) as user space sees it: raw sectors (`blk_read`,
//! `blk_write`) for the one process that owns it, the file server (guest-apps/fsd), which
//! implements files for everyone else. The kernel itself reads no file.

use crate::arch::Global;
use crate::sched::Scheduler;
use crate::virtio::blk::{Blk, SECTOR};
use abi::{BLK_MAX, Error};
use alloc::vec;

static DISK: Global<Option<Blk>> = Global::new(None);
/// Pid of the process that owns the disk (0: none yet).
static OWNER: Global<u64> = Global::new(0);

pub fn init(blk: Blk) {
    *DISK.get() = Some(blk);
}

/// `blk_read` / `blk_write` for the current process, which must own the disk (`claim`).
pub fn sectors(sched: &mut Scheduler, write: bool, sector: u64, buf: u64, count: u64) -> Result<u64, Error> {
    let blk = DISK.get().as_mut().ok_or(Error::NoEnt)?;
    *OWNER.get() = sched.claim(*OWNER.get())?;
    if !(1..=BLK_MAX).contains(&count) || sector.checked_add(count).is_none_or(|end| end > blk.capacity) {
        return Err(Error::Inval);
    }
    let (space, len) = (sched.space(), count * SECTOR as u64);
    if write {
        let data = space.copy_in(buf, len)?;
        blk.write(sector, &data).and_then(|()| blk.flush()).map_err(|_| Error::Io)?;
        return Ok(0);
    }
    if !space.user_ok(buf, len, true) {
        return Err(Error::Fault);
    }
    let mut data = vec![0u8; len as usize];
    blk.read(sector, &mut data).map_err(|_| Error::Io)?;
    space.copy_out(buf, &data)
}
