//! peer: the other end of systest's IPC and shared-memory checks. It prints nothing (systest
//! reports); argument 1 picks the role:
//! - `echo`: answers each message with its payload upper-cased and, in the first 8 bytes of the
//!   reply, the sender pid it was told; the reply's own `sender` field is set to 999 (the kernel
//!   must overwrite it). A message of kind 0 ends it.
//! - `slow <n>`: sleeps 50 ms, then receives n messages and answers with how many it got.
//! - `shm-reader`: receives a shared-memory id, maps it, checks it reads "shared hello", writes
//!   "reader was here" at offset 4096, tries to destroy it (not the owner: must fail), unmaps,
//!   answers with the results.
//! - `shm-owner`: creates an object, writes to it, grants it to its parent, sends its id to its
//!   parent and exits (the object must die with it).
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
//!   oversized payloads, descriptors that do not exist, a write 4 GiB into a file); exits with
//!   the number of requests that were not refused as expected.
//! - `fd-thief <fsd> <fd>`: tries to read and close someone else's descriptor, and to use the
//!   disk directly; exits with 0 if all three were refused (Perm).
#![no_std]
#![no_main]

use librost::abi::{Error, Message};
use librost::{exit, getpid, is, message, recv_message, send_message, shm_create, shm_destroy, shm_map, shm_unmap, sleep_ms};

librost::entry!(main);

fn number(a: Option<&&[u8]>) -> u64 {
    a.map_or(0, |a| a.iter().fold(0, |v, &d| v * 10 + (d - b'0') as u64))
}

fn recv() -> Message {
    let mut m = message(0, &[]);
    while recv_message(&mut m, u64::MAX) != 0 {}
    m
}

fn main(args: &[&[u8]]) -> u64 {
    let parent = 1;
    match args.get(1).copied().unwrap_or(b"") {
        b"echo" => loop {
            let m = recv();
            if m.kind == 0 {
                return 0;
            }
            let mut r = message(m.kind, &m.payload[..m.len as usize]);
            r.payload.make_ascii_uppercase();
            r.payload[..8].copy_from_slice(&m.sender.to_le_bytes());
            r.sender = 999;
            send_message(m.sender, &r);
        },
        b"slow" => {
            sleep_ms(50);
            let n = number(args.get(2));
            let mut from = 0;
            for _ in 0..n {
                from = recv().sender;
            }
            send_message(from, &message(2, &n.to_le_bytes()));
            0
        }
        b"shm-reader" => {
            let m = recv();
            let id = u64::from_le_bytes(m.payload[..8].try_into().unwrap());
            let va = shm_map(id, 0);
            // SAFETY: shm_map mapped at least 8 KiB read-write at `va` (if it succeeded).
            let ok = (va as i64) > 0 && unsafe { core::slice::from_raw_parts(va as *const u8, 12) } == b"shared hello";
            if ok {
                // SAFETY: as above.
                unsafe { core::slice::from_raw_parts_mut((va + 4096) as *mut u8, 15) }.copy_from_slice(b"reader was here");
            }
            let destroy_refused = is(shm_destroy(id), Error::Perm);
            let unmapped = shm_unmap(id) == 0;
            let again = is(shm_unmap(id), Error::NoEnt);
            send_message(m.sender, &message(3, &[ok as u8, destroy_refused as u8, unmapped as u8, again as u8]));
            0
        }
        b"shm-owner" => {
            let id = shm_create(4096);
            let va = shm_map(id, 0);
            // SAFETY: mapped read-write above.
            unsafe { (va as *mut u64).write_volatile(0x5eed) };
            shm_map(id, parent);
            send_message(parent, &message(4, &id.to_le_bytes()));
            exit(0)
        }
        b"shm-probe" => (!is(shm_map(number(args.get(2)), 0), Error::NoEnt)) as u64,
        b"fd-thief" => {
            let fs = librost::file::Fs(number(args.get(2)));
            let fd = number(args.get(3)) as u32;
            let read = fs.read(fd, &mut [0u8; 8]).err() == Some(Error::Perm as i64);
            let close = fs.close(fd).err() == Some(Error::Perm as i64);
            let blk = is(librost::blk_read(0, &mut [0u8; 512]), Error::Perm);
            (!(read && close && blk)) as u64
        }
        b"fs-garbage" => {
            let fsd = number(args.get(2));
            let ask = |kind: u32, payload: &[u8], len: u32| -> i64 {
                let mut m = message(kind, payload);
                m.len = len;
                send_message(fsd, &m);
                let mut r = recv();
                while r.sender != fsd {
                    r = recv();
                }
                i64::from_le_bytes(r.payload[..8].try_into().unwrap())
            };
            let mut bad = 0;
            bad += (ask(0x1ff, &[], 0) != Error::NoSys as i64) as u64;
            bad += (ask(librost::abi::fs::READ, &[], 0) != Error::Inval as i64) as u64;
            bad += (ask(librost::abi::fs::OPEN, &[], 0) != Error::Inval as i64) as u64;
            bad += (ask(librost::abi::fs::WRITE, &[31, 0, 0, 0, b'x'], 5) != Error::Inval as i64) as u64;
            bad += (ask(librost::abi::fs::CLOSE, &[0xff; 4], 1000) != Error::Inval as i64) as u64;
            let fs = librost::file::Fs(fsd);
            let fd = fs.open(b"/JUNK.TXT", true).unwrap_or(u32::MAX);
            bad += (fs.seek(fd, 0xffff_ff00).is_err()) as u64;
            bad += (fs.write(fd, b"far away").err() != Some(Error::Inval as i64)) as u64;
            bad += (fs.stat(b"/JUNK.TXT").map(|s| s.size).unwrap_or(1) != 0) as u64;
            bad
        }
        b"no-server" => {
            let disk = is(librost::blk_read(0, &mut [0u8; 512]), Error::Perm);
            let fb = is(librost::fb_map(), Error::Perm) || is(librost::fb_map(), Error::NoEnt);
            let server = is(librost::spawn_server(b"/BIN/HELLO", &[]), Error::Perm);
            (!(disk && fb && server)) as u64
        }
        b"fd-hog" => {
            let fs = librost::file::Fs(number(args.get(2)));
            let mut n = 0;
            while fs.open(b"/DOCS/README.TXT", false).is_ok() && n < 100 {
                n += 1;
            }
            n
        }
        b"fb-thief" => (!(is(librost::fb_map(), Error::Perm) && is(librost::fb_flush(0, 0, 8, 8), Error::Perm))) as u64,
        b"app" => {
            let m = recv();
            // SAFETY: an MSG_INPUT payload is an InputEvent (20 bytes of integers).
            let ev = unsafe { core::ptr::read_unaligned(m.payload.as_ptr() as *const librost::abi::InputEvent) };
            librost::Line::task().s(b"app got input from task ").dec(m.sender).s(b": kind ").dec(ev.kind as u64)
                .s(b" code ").dec(ev.code as u64).s(b" value ").dec(ev.value as u64).send();
            // Not the window manager: routing input, or anything else to the kernel, is refused.
            let mut route = [0u8; 28];
            route[..8].copy_from_slice(&getpid().to_le_bytes());
            let forged = send_message(0, &message(librost::abi::MSG_ROUTE_INPUT, &route));
            let junk = send_message(0, &message(77, &[]));
            librost::Line::task().s(b"app routing input itself: ").int(forged as i64).s(b", other kernel message: ").int(junk as i64).send();
            (m.kind != librost::abi::MSG_INPUT || m.sender != 0 || !is(forged, Error::Perm) || !is(junk, Error::Inval)) as u64
        }
        b"await" => {
            recv();
            3
        }
        _ => 2 + getpid() * 0,
    }
}
