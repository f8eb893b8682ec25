//! Files, through the file server (guest-apps/fsd) over IPC, with the protocol of `abi::fs`.
//! `Fs(pid)` names the server; each call sends one request per chunk of at most `fs::DATA`
//! bytes and waits for the server's answer (messages from anyone else that arrive meanwhile are
//! dropped: a program that also serves messages should not use these helpers).

use crate::{message, recv_message, send_message};
use abi::{Message, fs};

pub struct Fs(pub u64);

/// What stat and readdir say about an entry: size, whether it is a directory, 8.3 name.
pub struct Stat {
    pub size: u32,
    pub dir: bool,
    pub name: [u8; 11],
}

fn i64_at(m: &Message) -> i64 {
    i64::from_le_bytes(m.payload[..8].try_into().unwrap())
}

impl Fs {
    /// One request and its answer; Err(error) if the server says so or cannot be reached.
    fn call(&self, kind: u32, payload: &[u8]) -> Result<(i64, Message), i64> {
        let r = send_message(self.0, &message(kind, payload)) as i64;
        if r < 0 {
            return Err(r);
        }
        let mut m = message(0, &[]);
        loop {
            let r = recv_message(&mut m, u64::MAX) as i64;
            if r < 0 {
                return Err(r);
            }
            if m.sender == self.0 && m.kind == kind {
                let v = i64_at(&m);
                return if v < 0 { Err(v) } else { Ok((v, m)) };
            }
        }
    }

    pub fn open(&self, path: &[u8], create: bool) -> Result<u32, i64> {
        let mut p = [0u8; 64];
        let n = path.len().min(63);
        p[0] = if create { fs::CREATE } else { 0 };
        p[1..1 + n].copy_from_slice(&path[..n]);
        self.call(fs::OPEN, &p[..1 + n]).map(|(v, _)| v as u32)
    }

    /// Reads until `buf` is full or the file ends; the count read.
    pub fn read(&self, fd: u32, buf: &mut [u8]) -> Result<usize, i64> {
        let mut done = 0;
        while done < buf.len() {
            let want = (buf.len() - done).min(fs::DATA) as u32;
            let mut p = [0u8; 8];
            p[..4].copy_from_slice(&fd.to_le_bytes());
            p[4..].copy_from_slice(&want.to_le_bytes());
            let (n, m) = self.call(fs::READ, &p)?;
            if n == 0 {
                break;
            }
            buf[done..done + n as usize].copy_from_slice(&m.payload[8..8 + n as usize]);
            done += n as usize;
        }
        Ok(done)
    }

    pub fn write(&self, fd: u32, data: &[u8]) -> Result<usize, i64> {
        for chunk in data.chunks(fs::DATA) {
            let mut p = [0u8; 4 + fs::DATA];
            p[..4].copy_from_slice(&fd.to_le_bytes());
            p[4..4 + chunk.len()].copy_from_slice(chunk);
            self.call(fs::WRITE, &p[..4 + chunk.len()])?;
        }
        Ok(data.len())
    }

    pub fn seek(&self, fd: u32, offset: u32) -> Result<(), i64> {
        let mut p = [0u8; 8];
        p[..4].copy_from_slice(&fd.to_le_bytes());
        p[4..].copy_from_slice(&offset.to_le_bytes());
        self.call(fs::SEEK, &p).map(|_| ())
    }

    pub fn close(&self, fd: u32) -> Result<(), i64> {
        self.call(fs::CLOSE, &fd.to_le_bytes()).map(|_| ())
    }

    fn stat_of(m: &Message) -> Stat {
        let p = &m.payload[8..];
        Stat { size: u32::from_le_bytes(p[..4].try_into().unwrap()), dir: p[4] != 0, name: p[5..16].try_into().unwrap() }
    }

    pub fn stat(&self, path: &[u8]) -> Result<Stat, i64> {
        self.call(fs::STAT, path).map(|(_, m)| Self::stat_of(&m))
    }

    /// Entry `index` of the open directory `fd`.
    pub fn readdir(&self, fd: u32, index: u32) -> Result<Stat, i64> {
        let mut p = [0u8; 8];
        p[..4].copy_from_slice(&fd.to_le_bytes());
        p[4..].copy_from_slice(&index.to_le_bytes());
        self.call(fs::READDIR, &p).map(|(_, m)| Self::stat_of(&m))
    }
}
