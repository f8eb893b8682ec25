//! fsd: the file server, process 1 (abi::fs), built into the kernel image. It owns the disk (the
//! first process to use blk_read/blk_write does) and serves the FAT16 volume to other processes
//! over IPC, with the protocol of `abi::fs`: open (optionally creating), read, write (growing
//! files), seek, close, stat, readdir, a whole program lent in shared memory (map), and mkdir,
//! rename and delete (tree.rs); without a disk or a volume it answers NoEnt. The FAT logic is the `fat` crate (guest-apps/fat). fsd
//! keeps the sectors it read last (fat::Cache) and each open file's chain of sectors, and
//! writes through, so a file is on the disk (for mtools on the host, say) as soon as its write
//! is answered. As process 1 it also starts the system's programs (init.rs).
//!
//! Descriptors are indices into one table; each records its owner, the kernel-stamped pid of
//! the process that opened it, and only that process may use it. When the kernel reports that a
//! process ended (MSG_EXITED), its descriptors are freed, so a client that exits (or is killed)
//! without closing its files cannot use up the table.
#![no_std]
#![no_main]

extern crate alloc;

mod init;
mod tree;

use fat::{Cache, Disk, Entry, Fat, File, SECTOR, Stamp};
use librost::abi::{Error, MAX_IMAGE, MSG_EXITED, Message, fs};
use librost::{Line, blk_read, blk_write, recv_message, send_message, shm_create, shm_destroy, shm_map, shm_unmap};

struct Blk;

/// The disk as fsd uses it: through the sector cache.
pub(crate) type Dev = Cache<Blk>;

impl Disk for Blk {
    fn read(&mut self, sector: u64, buf: &mut [u8]) -> bool {
        blk_read(sector, buf).is_ok()
    }

    fn write(&mut self, sector: u64, buf: &[u8]) -> bool {
        blk_write(sector, buf).is_ok()
    }
}

pub(crate) struct Open {
    owner: u64,
    file: File,
    offset: u32,
    /// The shared-memory object of fs::MAP, which lives as long as the descriptor.
    shm: Option<u64>,
}

impl Drop for Open {
    fn drop(&mut self) {
        if let Some(id) = self.shm {
            let _ = shm_destroy(id);
        }
    }
}

pub(crate) const FDS: usize = 32;
/// Largest file fsd writes (a write past it is refused, so one client cannot fill the disk or
/// fsd's heap with a single far seek).
const MAX_FILE: usize = 2 << 20;

/// fsd's heap (the FAT code builds Vecs), on a static arena.
#[global_allocator]
static HEAP: heap::Heap = heap::Heap::new();
const ARENA_SIZE: usize = 512 << 10;
#[repr(C, align(4096))]
struct Arena([u8; ARENA_SIZE]);
static mut ARENA: Arena = Arena([0; ARENA_SIZE]);

librost::entry!(main);

fn main(args: &[&[u8]]) -> u64 {
    HEAP.grant(&raw mut ARENA as usize, &raw mut ARENA as usize + ARENA_SIZE);
    let d = &mut Cache::new(Blk);
    let vol = Fat::mount(d);
    if vol.is_some() {
        Line::new().s(b"[fs] FAT16 volume mounted").send();
    }
    let mut children = init::start(vol.as_ref(), d, args);
    let mut fds: [Option<Open>; FDS] = [const { None }; FDS];
    while children.left > 0 {
        let Ok(m) = recv_message(u64::MAX) else { continue };
        if m.sender == 0 && m.kind == MSG_EXITED {
            // A process ended (the kernel's notice; nobody else can send as pid 0): its
            // descriptors go, and if it was one fsd started, fsd may be done.
            let pid = m.u64_at(0);
            fds.iter_mut().filter(|o| o.as_ref().is_some_and(|o| o.owner == pid)).for_each(|o| *o = None);
            children.ended(pid);
            continue;
        }
        let mut reply = Message::new(m.kind, &[]);
        let result = match &vol {
            Some(vol) => serve(vol, d, &mut fds, &m, &mut reply.payload[8..]),
            None => Err(Error::NoEnt),
        };
        let (value, extra) = match result {
            Ok((v, extra)) => (v as i64, extra),
            Err(e) => (e as i64, 0),
        };
        reply.payload[..8].copy_from_slice(&value.to_le_bytes());
        reply.len = 8 + extra as u32;
        let _ = send_message(m.sender, &reply); // a client that is gone gets no answer
    }
    children.status
}

fn u32_at(p: &[u8], at: usize) -> u32 {
    p.get(at..at + 4).map_or(u32::MAX, |b| u32::from_le_bytes(b.try_into().unwrap()))
}

/// Empties `file` for an OPEN with fs::TRUNCATE: not a directory (Inval), not open elsewhere
/// (Perm: those descriptors would keep the freed clusters).
fn truncate(vol: &Fat, d: &mut Dev, fds: &[Option<Open>; FDS], file: &mut File) -> Result<(), Error> {
    if file.entry.dir {
        return Err(Error::Inval);
    }
    if fds.iter().flatten().any(|o| o.file.entry.at == file.entry.at) {
        return Err(Error::Perm);
    }
    vol.truncate(d, file, now()).ok_or(Error::Io)
}

/// Fills `out` (the answer after its result) with size, kind, name length, date, time and name
/// of `e`, as abi::fs::STAT says; returns how many bytes that is.
fn describe(e: &Entry, out: &mut [u8]) -> usize {
    let name = &e.name()[..e.name().len().min(fs::NAME)];
    out[..4].copy_from_slice(&e.size.to_le_bytes());
    out[4] = e.dir as u8;
    out[5] = name.len() as u8;
    out[6..8].copy_from_slice(&e.modified.date.to_le_bytes());
    out[8..10].copy_from_slice(&e.modified.time.to_le_bytes());
    out[10..10 + name.len()].copy_from_slice(name);
    10 + name.len()
}

/// 2026-01-01 00:00 UTC in Unix seconds: rost has no calendar (the RTC is not given to
/// programs), so the file server's clock starts there at boot and runs with the uptime.
const EPOCH: u64 = 1_767_225_600;

/// Now, by the file server's clock.
fn now() -> Stamp {
    Stamp::from_unix(EPOCH + librost::uptime() / 1_000_000_000)
}

/// The descriptor named at the start of payload `p`, if `sender` owns it (and, with
/// `need_file`, it is not a directory).
fn fd<'a>(fds: &'a mut [Option<Open>; FDS], p: &[u8], sender: u64, need_file: bool) -> Result<(usize, &'a mut Open), Error> {
    let i = u32_at(p, 0) as usize;
    let o = fds.get_mut(i).and_then(|o| o.as_mut()).ok_or(Error::Inval)?;
    if o.owner != sender {
        return Err(Error::Perm);
    }
    if need_file && o.file.entry.dir {
        return Err(Error::Inval);
    }
    Ok((i, o))
}

/// One request; Ok((result, bytes of `out` used)).
fn serve(vol: &Fat, d: &mut Dev, fds: &mut [Option<Open>; FDS], m: &Message, out: &mut [u8]) -> Result<(u64, usize), Error> {
    let p = &m.payload[..(m.len as usize).min(m.payload.len())];
    let path = |from: usize| p.get(from..).ok_or(Error::Inval);
    match m.kind {
        fs::OPEN => {
            let path = path(1)?;
            let mut file = match vol.lookup(d, path) {
                Some(e) => vol.file(d, e).ok_or(Error::Io)?,
                None if p[0] & fs::CREATE != 0 => {
                    tree::check_new(vol, d, path)?;
                    vol.create(d, path, now()).ok_or(Error::NoMem)?
                }
                None => return Err(Error::NoEnt),
            };
            let i = fds.iter().position(Option::is_none).ok_or(Error::NoMem)?;
            if p[0] & fs::TRUNCATE != 0 {
                truncate(vol, d, fds, &mut file)?;
            }
            fds[i] = Some(Open { owner: m.sender, file, offset: 0, shm: None });
            Ok((i as u64, 0))
        }
        fs::READ => {
            let want = (u32_at(p, 4) as usize).min(fs::DATA);
            let (_, o) = fd(fds, p, m.sender, true)?;
            let n = o.file.read_at(d, o.offset, &mut out[..want]).ok_or(Error::Io)?;
            o.offset += n as u32;
            Ok((n as u64, n))
        }
        fs::WRITE => {
            let data = p.get(4..).ok_or(Error::Inval)?;
            let (_, o) = fd(fds, p, m.sender, true)?;
            if o.offset as usize + data.len() > MAX_FILE {
                return Err(Error::Inval);
            }
            let n = vol.write_at(d, &mut o.file, o.offset, data, now()).ok_or(Error::Io)?;
            o.offset += n as u32;
            Ok((n as u64, 0))
        }
        fs::MAP => {
            let (_, o) = fd(fds, p, m.sender, true)?;
            let size = o.file.entry.size as usize;
            if size == 0 || size as u64 > MAX_IMAGE || o.shm.is_some() {
                return Err(Error::Inval);
            }
            let id = shm_create(size as u64)?;
            o.shm = Some(id); // destroyed with the descriptor, whatever happens below
            let va = shm_map(id, 0)?;
            // SAFETY: the object just made and mapped at `va` holds at least `size` bytes.
            let read = o.file.read_at(d, 0, unsafe { core::slice::from_raw_parts_mut(va as *mut u8, size) });
            shm_unmap(id)?;
            read.filter(|&n| n == size).ok_or(Error::Io)?;
            shm_map(id, m.sender)?;
            out[..4].copy_from_slice(&(size as u32).to_le_bytes());
            Ok((id, 4))
        }
        fs::SEEK => {
            let (_, o) = fd(fds, p, m.sender, false)?;
            o.offset = u32_at(p, 4);
            Ok((0, 0))
        }
        fs::CLOSE => {
            let (i, _) = fd(fds, p, m.sender, false)?;
            fds[i] = None;
            Ok((0, 0))
        }
        fs::STAT => {
            let e = vol.lookup(d, path(0)?).ok_or(Error::NoEnt)?;
            Ok((0, describe(&e, out)))
        }
        fs::READDIR => {
            let index = u32_at(p, 4) as usize;
            let (_, o) = fd(fds, p, m.sender, false)?;
            if !o.file.entry.dir {
                return Err(Error::Inval);
            }
            let entries = vol.list(d, o.file.entry.cluster).ok_or(Error::Io)?;
            let e = entries.iter().filter(|e| !e.is_dot()).nth(index).ok_or(Error::NoEnt)?;
            Ok((0, describe(e, out)))
        }
        fs::MKDIR => tree::mkdir(vol, d, p),
        fs::RENAME => tree::rename(vol, d, fds, p),
        fs::DELETE => tree::delete(vol, d, fds, p),
        _ => Err(Error::NoSys),
    }
}

const _: () = assert!(SECTOR == 512);
