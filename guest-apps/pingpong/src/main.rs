//! pingpong: the IPC round trip, for `vitrine bench --only ipc` and its QEMU differential.
//! `/BIN/PINGPONG [N]` (N round trips, default 10000) starts a second copy of itself as
//! `pong`, lends it a page of shared memory and then, N times, writes a number into the page,
//! sends a message and waits for the answer; the pong side reads the number, writes it back
//! plus one and answers. Each round trip is two messages, two context switches and two
//! shared-memory accesses checked by the other side, so a lost or reordered message shows up.
//! Prints the round trips done and their cost in virtual time, and exits with the number of
//! bad answers (0: all good), so a run powers off with a failure status if IPC misbehaved.
#![no_std]
#![no_main]

use librost::abi::Message;
use librost::{Line, exit, recv_message, send_message, shm_create, shm_map, spawn, uptime, wait};

librost::entry!(main);

/// Message kinds between the two sides.
const SETUP: u32 = 1; // payload: the shared-memory id (u64)
const PING: u32 = 2;
const STOP: u32 = 3;

const DEFAULT_ROUNDS: u64 = 10_000;

fn main(args: &[&[u8]]) -> u64 {
    if args.get(1).copied() == Some(&b"pong"[..]) {
        pong();
    }
    let rounds = match args.get(1) {
        None => DEFAULT_ROUNDS,
        Some(a) => match decimal(a) {
            Some(n) if n > 0 => n,
            _ => {
                Line::new().s(b"[pingpong] usage: PINGPONG [ROUNDS], ROUNDS a positive number").send();
                return 1;
            }
        },
    };
    let me = args.first().copied().unwrap_or(b"/BIN/PINGPONG");
    let Ok(peer) = spawn(me, &[b"pong"]) else {
        Line::new().s(b"[pingpong] cannot start the pong side").send();
        return 1;
    };
    let Some(page) = shm_create(4096).ok().and_then(|id| Some((id, shm_map(id, 0).ok()?, shm_map(id, peer).ok()?))) else {
        Line::new().s(b"[pingpong] cannot share a page with the pong side").send();
        return 1;
    };
    let (id, page, _) = page;
    let cell = page as *mut u64;
    let _ = send_message(peer, &Message::new(SETUP, &id.to_le_bytes()));
    let mut bad = 0u64;
    let start = uptime();
    for i in 0..rounds {
        // SAFETY: `page` is our mapping of a 4 KiB object; the peer only touches word 1.
        unsafe { cell.write_volatile(i) };
        if send_message(peer, &Message::new(PING, &[])).is_err() {
            bad += 1;
            break;
        }
        let answer = recv_message(u64::MAX);
        // SAFETY: as above; the peer wrote word 1 before it answered.
        let back = unsafe { cell.add(1).read_volatile() };
        if !matches!(answer, Ok(m) if m.sender == peer && m.kind == PING) || back != i + 1 {
            bad += 1;
        }
    }
    let took = uptime() - start;
    let _ = send_message(peer, &Message::new(STOP, &[]));
    let _ = wait(peer);
    Line::new().s(b"[pingpong] ").dec(rounds).s(b" round trips, ").dec(bad).s(b" bad, ")
        .dec(took / rounds).s(b" ns each in virtual time").send();
    bad
}

/// The pong side: maps the page it is sent, then answers each PING until STOP.
fn pong() -> ! {
    let mut cell: *mut u64 = core::ptr::null_mut();
    loop {
        let Ok(m) = recv_message(u64::MAX) else { continue };
        match m.kind {
            SETUP if m.len == 8 => {
                let id = u64::from_le_bytes(m.payload[..8].try_into().unwrap_or([0; 8]));
                cell = shm_map(id, 0).map_or(core::ptr::null_mut(), |a| a as *mut u64);
            }
            PING if !cell.is_null() => {
                // SAFETY: `cell` is our mapping of the 4 KiB object the parent lent us.
                unsafe { cell.add(1).write_volatile(cell.read_volatile() + 1) };
                let _ = send_message(m.sender, &Message::new(PING, &[]));
            }
            STOP => exit(0),
            _ => {
                let _ = send_message(m.sender, &Message::new(0, &[]));
            }
        }
    }
}

fn decimal(a: &[u8]) -> Option<u64> {
    if a.is_empty() || a.len() > 12 {
        return None;
    }
    a.iter().try_fold(0u64, |v, &d| d.is_ascii_digit().then(|| v * 10 + (d - b'0') as u64))
}
