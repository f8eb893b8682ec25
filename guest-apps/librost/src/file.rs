//! Files, through the file server (guest-apps/fsd, process `abi::fs::SERVER`) over IPC with the
//! protocol of `abi::fs`, and programs started from files (`spawn`: the server lends the file
//! in shared memory, fs::MAP, and this program hands it to the kernel's `spawn`). Each call sends one request per chunk
//! of at most `fs::DATA` bytes and waits for the server's answer; messages from anyone else that
//! arrive meanwhile are put aside (`mailbox::defer`) for the program's next `mailbox::recv`.

use crate::{recv_message, send_message, shm_map, shm_unmap, spawn_image};
use abi::{Error, MAX_ARGS, MSG_PAYLOAD, Message, fs};

/// A file server, by pid.
pub struct Fs(pub u64);

/// What stat and readdir say about an entry: size, whether it is a directory, when it was last
/// written (FAT-packed date and time, see abi::fs::STAT), and its name (`name()`).
pub struct Stat {
    pub size: u32,
    pub dir: bool,
    pub date: u16,
    pub time: u16,
    name: [u8; fs::NAME],
    name_len: usize,
}

impl Stat {
    /// The name as shown: the long name, else the 8.3 one (`README.TXT`); cut to fs::NAME bytes.
    pub fn name(&self) -> &[u8] {
        &self.name[..self.name_len]
    }

    /// When it was last written: (year, month, day, hour, minute, second).
    pub fn modified(&self) -> (u16, u8, u8, u8, u8, u8) {
        let (d, t) = (self.date, self.time);
        (1980 + (d >> 9), (d >> 5 & 15) as u8, (d & 31) as u8, (t >> 11) as u8, (t >> 5 & 63) as u8, (t & 31) as u8 * 2)
    }
}

/// A request payload: `head` then `path`; Inval if they do not fit one message.
fn with_path(head: &[u8], path: &[u8]) -> Result<([u8; MSG_PAYLOAD], usize), Error> {
    let n = head.len() + path.len();
    if n > MSG_PAYLOAD {
        return Err(Error::Inval);
    }
    let mut p = [0u8; MSG_PAYLOAD];
    p[..head.len()].copy_from_slice(head);
    p[head.len()..n].copy_from_slice(path);
    Ok((p, n))
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
            crate::mailbox::defer(m);
        }
    }

    /// A descriptor of the file or directory at `path` (with `create`, a new empty file if
    /// there is none). Inval for a path longer than a message holds (63 bytes).
    pub fn open(&self, path: &[u8], create: bool) -> Result<u32, Error> {
        let (p, n) = with_path(&[if create { fs::CREATE } else { 0 }], path)?;
        self.call(fs::OPEN, &p[..n]).map(|(v, _)| v as u32)
    }

    /// A descriptor of the file at `path`, made empty (created if there is none): for a save
    /// that rewrites the whole file. Perm while another descriptor has it open.
    pub fn open_truncated(&self, path: &[u8]) -> Result<u32, Error> {
        let (p, n) = with_path(&[fs::CREATE | fs::TRUNCATE], path)?;
        self.call(fs::OPEN, &p[..n]).map(|(v, _)| v as u32)
    }

    /// Makes directory `path`.
    pub fn mkdir(&self, path: &[u8]) -> Result<(), Error> {
        let (p, n) = with_path(&[], path)?;
        self.call(fs::MKDIR, &p[..n]).map(|_| ())
    }

    /// Renames or moves `from` to `to` (both paths together at most 63 bytes).
    pub fn rename(&self, from: &[u8], to: &[u8]) -> Result<(), Error> {
        let len = u8::try_from(from.len()).map_err(|_| Error::Inval)?;
        let (head, n) = with_path(&[len], from)?;
        let (p, m) = with_path(&head[..n], to)?;
        self.call(fs::RENAME, &p[..m]).map(|_| ())
    }

    /// Deletes the file or empty directory at `path`.
    pub fn delete(&self, path: &[u8]) -> Result<(), Error> {
        let (p, n) = with_path(&[], path)?;
        self.call(fs::DELETE, &p[..n]).map(|_| ())
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
        let u16_at = |at: usize| u16::from_le_bytes([p[at], p[at + 1]]);
        let name_len = (p[5] as usize).min(fs::NAME);
        let mut name = [0u8; fs::NAME];
        name[..name_len].copy_from_slice(&p[10..10 + name_len]);
        Stat { size: u32::from_le_bytes(p[..4].try_into().unwrap()), dir: p[4] != 0, date: u16_at(6), time: u16_at(8), name, name_len }
    }

    pub fn stat(&self, path: &[u8]) -> Result<Stat, Error> {
        let (p, n) = with_path(&[], path)?;
        self.call(fs::STAT, &p[..n]).map(|(_, m)| Self::stat_of(&m))
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
