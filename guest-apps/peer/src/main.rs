//! peer: the other end of systest's IPC and shared-memory checks. It prints nothing (systest
//! reports); argument 1 picks the role:
//! - `echo`: answers each message with its payload upper-cased and, in the first 8 bytes of the
//!   reply, the sender pid it was told; the reply's own `sender` field is set to 999 (the kernel
//!   must overwrite it). A message of kind 0 ends it.
//! - `slow <n>`: sleeps 50 ms, then receives n messages and answers with how many it got.
//! - `shm-reader`: receives a shared-memory id, maps it, checks it reads "shared hello", writes
//!   "reader was here" at offset 4096, tries to destroy it (not the owner: must fail), unmaps,
//!   answers with the results.
//! - `shm-owner <parent>`: creates an object, writes to it, grants it to its parent, sends its id
//!   to its parent and exits (the object must die with it).
//! - `shm-probe <id>`: tries to map object `id`; exits with 0 if that failed with NoEnt.
//! - `await`: waits for any message, then exits with code 3 (spawn storms).
//! - `no-server`: an ordinary child: blk_read, fb_map and spawning with SPAWN_SERVER must all
//!   be refused (Perm); exits with 0 if they were.
//! - `fd-hog <fsd>`: opens files until the file server's table is full, then exits without
//!   closing any; exits with the number opened.
//! - `fb-thief`: tries fb_map and fb_flush while another process is the window manager; exits
//!   with 0 if both were refused (Perm).
//! - `app`: waits for an input event routed to it by the window manager (through the kernel:
//!   sender 0) and prints it; then tries to route input itself (refused).
//! - `fs-garbage <fsd>`: sends the file server malformed requests (unknown kind, short and
//!   oversized payloads, descriptors that do not exist, a write 4 GiB into a file, renames whose
//!   length byte lies, directories made or deleted with bad names or the root); exits with
//!   the number of requests that were not refused as expected.
//! - `fd-thief <fsd> <fd>`: tries to read and close someone else's descriptor, and to use the
//!   disk directly; exits with 0 if all three were refused (Perm).
#![no_std]
#![no_main]

use librost::abi::{Error, InputEvent, MSG_ROUTE_INPUT, Message, fs};
use librost::file::Fs;
use librost::{Line, exit, fb_flush, fb_map, getpid, recv_message, send_message, shm_create, shm_destroy, shm_map, shm_unmap, sleep_ms};

librost::entry!(main);

fn number(a: Option<&&[u8]>) -> u64 {
    a.map_or(0, |a| a.iter().fold(0, |v, &d| v * 10 + (d - b'0') as u64))
}

fn recv() -> Message {
    loop {
        if let Ok(m) = recv_message(u64::MAX) {
            return m;
        }
    }
}

fn main(args: &[&[u8]]) -> u64 {
    match args.get(1).copied().unwrap_or(b"") {
        b"echo" => loop {
            let m = recv();
            if m.kind == 0 {
                return 0;
            }
            let mut r = Message::new(m.kind, &m.payload[..m.len as usize]);
            r.payload.make_ascii_uppercase();
            r.payload[..8].copy_from_slice(&m.sender.to_le_bytes());
            r.sender = 999;
            let _ = send_message(m.sender, &r);
        },
        b"slow" => {
            sleep_ms(50);
            let n = number(args.get(2));
            let mut from = 0;
            for _ in 0..n {
                from = recv().sender;
            }
            let _ = send_message(from, &Message::new(2, &n.to_le_bytes()));
            0
        }
        b"shm-reader" => {
            let m = recv();
            let id = m.u64_at(0);
            let va = shm_map(id, 0).unwrap_or(0);
            // SAFETY: shm_map mapped at least 8 KiB read-write at `va` (if it succeeded).
            let ok = va > 0 && unsafe { core::slice::from_raw_parts(va as *const u8, 12) } == b"shared hello";
            if ok {
                // SAFETY: as above.
                unsafe { core::slice::from_raw_parts_mut((va + 4096) as *mut u8, 15) }.copy_from_slice(b"reader was here");
            }
            let destroy_refused = shm_destroy(id) == Err(Error::Perm);
            let unmapped = shm_unmap(id).is_ok();
            let again = shm_unmap(id) == Err(Error::NoEnt);
            let _ = send_message(m.sender, &Message::new(3, &[ok as u8, destroy_refused as u8, unmapped as u8, again as u8]));
            0
        }
        b"shm-owner" => {
            let parent = number(args.get(2));
            let id = shm_create(4096).unwrap_or(0);
            let va = shm_map(id, 0).unwrap_or(0);
            // SAFETY: mapped read-write above (a failure faults, and the check fails).
            unsafe { (va as *mut u64).write_volatile(0x5eed) };
            let _ = shm_map(id, parent);
            let _ = send_message(parent, &Message::new(4, &id.to_le_bytes()));
            exit(0)
        }
        b"shm-probe" => (shm_map(number(args.get(2)), 0) != Err(Error::NoEnt)) as u64,
        b"fd-thief" => {
            let fs = Fs(number(args.get(2)));
            let fd = number(args.get(3)) as u32;
            let read = fs.read(fd, &mut [0u8; 8]) == Err(Error::Perm);
            let close = fs.close(fd) == Err(Error::Perm);
            let blk = librost::blk_read(0, &mut [0u8; 512]) == Err(Error::Perm);
            (!(read && close && blk)) as u64
        }
        b"fs-garbage" => {
            let fsd = number(args.get(2));
            let ask = |kind: u32, payload: &[u8], len: u32| -> Result<u64, Error> {
                let mut m = Message::new(kind, payload);
                m.len = len;
                let _ = send_message(fsd, &m);
                let mut r = recv();
                while r.sender != fsd {
                    r = recv();
                }
                Error::from_ret(r.u64_at(0))
            };
            let mut bad = 0;
            bad += (ask(0x1ff, &[], 0) != Err(Error::NoSys)) as u64;
            bad += (ask(fs::READ, &[], 0) != Err(Error::Inval)) as u64;
            bad += (ask(fs::OPEN, &[], 0) != Err(Error::Inval)) as u64;
            bad += (ask(fs::WRITE, &[31, 0, 0, 0, b'x'], 5) != Err(Error::Inval)) as u64;
            bad += (ask(fs::CLOSE, &[0xff; 4], 1000) != Err(Error::Inval)) as u64;
            bad += (ask(fs::RENAME, &[], 0) != Err(Error::Inval)) as u64;
            bad += (ask(fs::RENAME, &[200, b'/', b'A'], 3) != Err(Error::Inval)) as u64;
            bad += (ask(fs::RENAME, &[1, b'/', b'/', b'X'], 4) != Err(Error::Inval)) as u64;
            bad += (ask(fs::MKDIR, &[], 0) != Err(Error::Inval)) as u64;
            bad += (ask(fs::MKDIR, b"/BIN/a\x01", 8) != Err(Error::Inval)) as u64;
            bad += (ask(fs::DELETE, b"/", 1) != Err(Error::Inval)) as u64;
            bad += (ask(fs::DELETE, &[], 0xffff) != Err(Error::Inval)) as u64;
            let fs = Fs(fsd);
            let fd = fs.open(b"/JUNK.TXT", true).unwrap_or(u32::MAX);
            bad += (fs.seek(fd, 0xffff_ff00).is_err()) as u64;
            bad += (fs.write(fd, b"far away") != Err(Error::Inval)) as u64;
            bad += (fs.stat(b"/JUNK.TXT").map(|s| s.size).unwrap_or(1) != 0) as u64;
            bad
        }
        b"no-server" => {
            let disk = librost::blk_read(0, &mut [0u8; 512]) == Err(Error::Perm);
            let fb = matches!(fb_map(), Err(Error::Perm | Error::NoEnt));
            let server = librost::spawn_server(b"/BIN/HELLO", &[]) == Err(Error::Perm);
            (!(disk && fb && server)) as u64
        }
        b"fd-hog" => {
            let fs = Fs(number(args.get(2)));
            let mut n = 0;
            while fs.open(b"/DOCS/README.TXT", false).is_ok() && n < 100 {
                n += 1;
            }
            n
        }
        b"fb-thief" => (!(fb_map() == Err(Error::Perm) && fb_flush(0, 0, 8, 8) == Err(Error::Perm))) as u64,
        b"app" => {
            let m = recv();
            let ev = m.input_event().unwrap_or_default();
            Line::task().s(b"app got input from task ").dec(m.sender).s(b": kind ").dec(ev.kind as u64)
                .s(b" code ").dec(ev.code as u64).s(b" value ").dec(ev.value as u64).send();
            // Not the window manager: routing input, or anything else to the kernel, is refused.
            let mut route = [0u8; 8 + InputEvent::SIZE];
            route[..8].copy_from_slice(&getpid().to_le_bytes());
            let forged = send_message(0, &Message::new(MSG_ROUTE_INPUT, &route));
            let junk = send_message(0, &Message::new(77, &[]));
            let code = |r: Result<(), Error>| r.err().map_or(0, |e| e as i64);
            Line::task().s(b"app routing input itself: ").int(code(forged)).s(b", other kernel message: ").int(code(junk)).send();
            (m.input_event().is_none() || forged != Err(Error::Perm) || junk != Err(Error::Inval)) as u64
        }
        b"await" => {
            recv();
            3
        }
        _ => 2 + getpid() * 0,
    }
}
