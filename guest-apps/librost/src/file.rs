//! Files, through the file server (guest-apps/fsd, process `abi::fs::SERVER`) over IPC with the
//! protocol of `abi::fs`, and programs started from files (`spawn`: the server lends the file
//! in shared memory, fs::MAP, and this program hands it to the kernel's `spawn`). Each call sends one request per chunk
//! of at most `fs::DATA` bytes and waits for the server's answer; messages from anyone else that
//! arrive meanwhile are dropped, so a program that also serves messages should not use these
//! helpers while it expects any.

use crate::{recv_message, send_message, shm_map, shm_unmap, spawn_image};
use abi::{Error, MAX_ARGS, Message, fs};

/// A file server, by pid.
pub struct Fs(pub u64);

/// What stat and readdir say about an entry: size, whether it is a directory, 8.3 name.
pub struct Stat {
    pub size: u32,
    pub dir: bool,
    pub name: [u8; 11],
}

impl Fs {
    /// The system's file server.
    pub const SERVER: Fs = Fs(fs::SERVER);

    /// One request and its answer: the result and the whole answer.
    fn call(&self, kind: u32, payload: &[u8]) -> Result<(u64, Message), Error> {
        send_message(self.0, &Message::new(kind, payload))?;
        loop {
            let m = recv_message(u64::MAX)?;
            if m.sender == self.0 && m.kind == kind {
                return Error::from_ret(m.u64_at(0)).map(|v| (v, m));
            }
        }
    }

    pub fn open(&self, path: &[u8], create: bool) -> Result<u32, Error> {
        let mut p = [0u8; 64];
        let n = path.len().min(63);
        p[0] = if create { fs::CREATE } else { 0 };
        p[1..1 + n].copy_from_slice(&path[..n]);
        self.call(fs::OPEN, &p[..1 + n]).map(|(v, _)| v as u32)
    }

    /// Reads until `buf` is full or the file ends; the count read.
    pub fn read(&self, fd: u32, buf: &mut [u8]) -> Result<usize, Error> {
        let mut done = 0;
        while done < buf.len() {
            let want = (buf.len() - done).min(fs::DATA) as u32;
            let (n, m) = self.call(fs::READ, &pair(fd, want))?;
            if n == 0 {
                break;
            }
            buf[done..done + n as usize].copy_from_slice(&m.payload[8..8 + n as usize]);
            done += n as usize;
        }
        Ok(done)
    }

    pub fn write(&self, fd: u32, data: &[u8]) -> Result<usize, Error> {
        for chunk in data.chunks(fs::DATA) {
            let mut p = [0u8; 4 + fs::DATA];
            p[..4].copy_from_slice(&fd.to_le_bytes());
            p[4..4 + chunk.len()].copy_from_slice(chunk);
            self.call(fs::WRITE, &p[..4 + chunk.len()])?;
        }
        Ok(data.len())
    }

    pub fn seek(&self, fd: u32, offset: u32) -> Result<(), Error> {
        self.call(fs::SEEK, &pair(fd, offset)).map(|_| ())
    }

    pub fn close(&self, fd: u32) -> Result<(), Error> {
        self.call(fs::CLOSE, &fd.to_le_bytes()).map(|_| ())
    }

    fn stat_of(m: &Message) -> Stat {
        let p = &m.payload[8..];
        Stat { size: u32::from_le_bytes(p[..4].try_into().unwrap()), dir: p[4] != 0, name: p[5..16].try_into().unwrap() }
    }

    pub fn stat(&self, path: &[u8]) -> Result<Stat, Error> {
        self.call(fs::STAT, path).map(|(_, m)| Self::stat_of(&m))
    }

    /// The whole file `fd` in shared memory (fs::MAP): the object's id and the file's size. The
    /// object lives until the descriptor is closed.
    pub fn map(&self, fd: u32) -> Result<(u64, usize), Error> {
        let (id, m) = self.call(fs::MAP, &fd.to_le_bytes())?;
        Ok((id, u32::from_le_bytes(m.payload[8..12].try_into().unwrap()) as usize))
    }

    /// Entry `index` of the open directory `fd`.
    pub fn readdir(&self, fd: u32, index: u32) -> Result<Stat, Error> {
        self.call(fs::READDIR, &pair(fd, index)).map(|(_, m)| Self::stat_of(&m))
    }
}

/// Two u32s, little-endian: the payload of most requests.
fn pair(a: u32, b: u32) -> [u8; 8] {
    let mut p = [0u8; 8];
    p[..4].copy_from_slice(&a.to_le_bytes());
    p[4..].copy_from_slice(&b.to_le_bytes());
    p
}

/// Starts the program at `path` (a file of the file server: `/BIN/HELLO`) with `args`, which it
/// gets after its path (argument 0); returns the child's pid. Errors: those of the file server
/// (NoEnt: no such file, or a directory; Inval: an empty file or one larger than
/// abi::MAX_IMAGE), Inval for too many arguments, and those of the kernel's `spawn`.
pub fn spawn(path: &[u8], args: &[&[u8]]) -> Result<u64, Error> {
    spawn_with(path, args, 0)
}

/// Starts a program that may become a system server (abi::SPAWN_SERVER): a window manager. Only
/// a process with that right itself may.
pub fn spawn_server(path: &[u8], args: &[&[u8]]) -> Result<u64, Error> {
    spawn_with(path, args, abi::SPAWN_SERVER)
}

fn spawn_with(path: &[u8], args: &[&[u8]], flags: u64) -> Result<u64, Error> {
    let mut all = [&[][..]; MAX_ARGS as usize];
    if args.len() >= all.len() {
        return Err(Error::Inval);
    }
    all[0] = path;
    all[1..=args.len()].copy_from_slice(args);
    let fs = Fs::SERVER;
    if fs.stat(path)?.dir {
        return Err(Error::NoEnt);
    }
    let fd = fs.open(path, false)?;
    let pid = fs.map(fd).and_then(|(id, size)| {
        let va = shm_map(id, 0)?;
        // SAFETY: the file server's object holds the file's `size` bytes from its start, and
        // nothing else writes it while it is lent to us.
        let image = unsafe { core::slice::from_raw_parts(va as *const u8, size) };
        let pid = spawn_image(image, &all[..=args.len()], flags);
        shm_unmap(id)?;
        pid
    });
    let _ = fs.close(fd); // which also destroys the object
    pid
}
