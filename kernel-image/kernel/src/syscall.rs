//! The system calls (numbers, arguments and results are documented in the abi crate): decoding
//! an `svc`'s number and arguments, checking every user pointer and length before the call
//! goes to the module that does it (processes in sched.rs, messages and shared memory in
//! ipc.rs, the display in display.rs, the disk in disk.rs).

use crate::mm::{Space, bytes_of};
use crate::sched::{Scheduler, State};
use crate::{display, disk, mm, timer, uart};
use abi::{Error, InputEvent, MAX_ARGS, MAX_ARGS_BYTES, MAX_IMAGE, Message, PRINT_DEBUG_MAX};
use abi::{SEND_NOWAIT, SPAWN_SERVER, Sysno};
use alloc::vec::Vec;

const MSG_SIZE: u64 = core::mem::size_of::<Message>() as u64;
const EVENT_SIZE: u64 = InputEvent::SIZE as u64;

/// Runs syscall `nr` with arguments `a` (x0-x5) for the current process; returns the value for
/// x0, or None to run the `svc` again when the process next runs (it blocked, and the call is
/// retried then).
pub fn dispatch(sched: &mut Scheduler, nr: u64, a: &[u64]) -> Option<u64> {
    let ret = |r: Result<u64, Error>| Some(r.unwrap_or_else(Error::to_ret));
    let retry = |r: Result<Option<u64>, Error>| r.unwrap_or_else(|e| Some(e.to_ret()));
    let done = |()| Some(0);
    let space = sched.space();
    match Sysno::from_raw(nr) {
        Some(Sysno::PrintDebug) => ret(print_debug(space, a[0], a[1])),
        Some(Sysno::GetPid) => Some(sched.current_id()),
        Some(Sysno::Yield) => done(sched.pick()),
        Some(Sysno::Sleep) => done(sched.block(State::Sleeping(sched.deadline(a[0])))),
        Some(Sysno::Exit) => done(sched.exit_current(a[0])), // nobody reads x0: the process is gone
        Some(Sysno::Spawn) => ret(spawn(sched, space, a)),
        Some(Sysno::Wait) => retry(sched.wait(a[0])),
        Some(Sysno::Kill) => ret(sched.kill(a[0])),
        Some(Sysno::Uptime) => Some(timer::uptime_ns()),
        Some(Sysno::SendMessage) => retry(space.read_msg(a[1]).and_then(|m| sched.send(a[0], m, a[2] & SEND_NOWAIT != 0))),
        Some(Sysno::RecvMessage) if !space.user_ok(a[0], MSG_SIZE, true) => ret(Err(Error::Fault)),
        Some(Sysno::RecvMessage) => match sched.recv(a[1]) {
            Ok(Some(m)) => ret(space.copy_out(a[0], bytes_of(&m))),
            Ok(None) => None,
            Err(e) => ret(Err(e)),
        },
        Some(Sysno::PollEvent) if !space.user_ok(a[0], EVENT_SIZE, true) => ret(Err(Error::Fault)),
        Some(Sysno::PollEvent) => ret(match sched.poll_event() {
            Some(m) => space.copy_out(a[0], &m.payload[..InputEvent::SIZE]).map(|_| 1),
            None => Ok(0),
        }),
        Some(Sysno::ShmCreate) => ret(sched.shm_create(a[0])),
        Some(Sysno::ShmMap) => ret(sched.shm_map(a[0], a[1])),
        Some(Sysno::ShmUnmap) => ret(sched.shm_unmap(a[0])),
        Some(Sysno::ShmDestroy) => ret(sched.shm_destroy(a[0])),
        Some(Sysno::FbInfo) => ret(display::info()),
        Some(Sysno::FbMap) => ret(display::map(sched)),
        Some(Sysno::FbFlush) if sched.wm != sched.current_id() => ret(Err(Error::Perm)),
        Some(Sysno::FbFlush) => ret(display::flush(a[0], a[1], a[2], a[3])),
        Some(Sysno::BlkRead) => ret(disk::sectors(sched, false, a[0], a[1], a[2])),
        Some(Sysno::BlkWrite) => ret(disk::sectors(sched, true, a[0], a[1], a[2])),
        Some(Sysno::ProcInfo) => ret(sched.proc_info(a[0]).ok_or(Error::Srch).and_then(|p| space.copy_out(a[1], bytes_of(&p)))),
        Some(Sysno::MemInfo) => Some(mm::mem_info()),
        Some(Sysno::WmPid) => ret(sched.live(sched.wm).map(|p| p.pid).ok_or(Error::NoEnt)),
        None => ret(Err(Error::NoSys)),
    }
}

fn print_debug(space: Space, ptr: u64, len: u64) -> Result<u64, Error> {
    if len > PRINT_DEBUG_MAX {
        return Err(Error::Inval);
    }
    space.copy_in(ptr, len)?.into_iter().for_each(uart::putc);
    Ok(len)
}

/// `spawn(image, len, args, nargs, flags)`: the image and the arguments are copied in (each
/// argument after checking the table that points to it), then loaded as a child of the caller.
fn spawn(sched: &mut Scheduler, space: Space, a: &[u64]) -> Result<u64, Error> {
    let (image, len, args, nargs, flags) = (a[0], a[1], a[2], a[3], a[4]);
    if nargs > MAX_ARGS || len > MAX_IMAGE || flags & !SPAWN_SERVER != 0 {
        return Err(Error::Inval);
    }
    let server = flags & SPAWN_SERVER != 0;
    if server && !sched.cur().server {
        return Err(Error::Perm);
    }
    let file = space.copy_in(image, len)?;
    let mut strings = Vec::new();
    for arg in space.copy_in(args, nargs * 16)?.chunks(16) {
        let word = |i: usize| u64::from_le_bytes(arg[i..i + 8].try_into().unwrap());
        strings.push(space.copy_in(word(0), word(8).min(MAX_ARGS_BYTES + 1))?);
    }
    if strings.is_empty() || strings.iter().map(Vec::len).sum::<usize>() > MAX_ARGS_BYTES as usize {
        return Err(Error::Inval);
    }
    let args: Vec<&[u8]> = strings.iter().map(Vec::as_slice).collect();
    let parent = sched.current_id();
    sched.spawn(parent, &file, &args, server)
}
