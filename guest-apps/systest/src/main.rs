//! systest: the syscall suite, run as the first process (`rost.init=/BIN/SYSTEST`). It spawns
//! programs from the disk, waits for them, kills them, and drives `hostile` through its
//! misbehaviours; every result is printed, and the log is the same on every machine: a child
//! prints only while systest is blocked in `wait`, and a child that spins is killed after a
//! sleep, which counts ticks. Exits with the number of failed checks.
#![no_std]
#![no_main]

use librost::abi::{Error, KILLED, SHM_BASE, SHM_MAX};
use librost::{Line, fb_flush, fb_info, fb_map, getpid, is, kill, message, recv_message, send_message};
use librost::file::Fs;
use librost::{shm_create, shm_destroy, shm_map, shm_unmap, sleep_ms, spawn, uptime, wait};

librost::entry!(main);

struct Suite {
    failed: u64,
}

impl Suite {
    fn check(&mut self, what: &[u8], ok: bool) {
        Line::task().s(if ok { b"ok   " } else { b"FAIL " }).s(what).send();
        self.failed += !ok as u64;
    }
}

/// Spawns `path args`, waits for it; returns its status (or the spawn/wait error, or u64::MAX if
/// wait reaped another pid).
fn run(path: &[u8], args: &[&[u8]]) -> u64 {
    let pid = spawn(path, args);
    if (pid as i64) < 0 {
        return pid;
    }
    let r = wait(pid);
    if r >> 32 != pid { u64::MAX } else { r & 0xffff_ffff }
}

fn main(_: &[&[u8]]) -> u64 {
    let mut t = Suite { failed: 0 };
    t.check(b"getpid is 1", getpid() == 1);
    t.check(b"yield returns 0", librost::syscall(librost::abi::Sysno::Yield as u64, 0, 0, 0, 0) == 0);
    t.check(b"poll_event with no input for us: 0", librost::poll_event().is_none());
    let bad = librost::syscall(librost::abi::Sysno::PollEvent as u64, 0x4010_0000, 0, 0, 0);
    t.check(b"poll_event into kernel memory: Fault", is(bad, Error::Fault));
    let t0 = uptime();
    sleep_ms(20);
    let t1 = uptime();
    t.check(b"uptime advances across a 20 ms sleep (two ticks: at least 10 ms)", t1 >= t0 + 10_000_000);

    // Programs from the disk, with arguments.
    t.check(b"hello exits 0", run(b"/BIN/HELLO", &[b"one", b"two"]) == 0);
    t.check(b"exit codes reach wait", run(b"/bin/hostile", &[b"exit", b"7"]) == 7);
    t.check(b"spawn of a missing file: NoEnt", is(spawn(b"/BIN/NOPE", &[]), Error::NoEnt));
    t.check(b"spawn of a text file: NoExec", is(spawn(b"/DOCS/README.TXT", &[]), Error::NoExec));
    t.check(b"spawn of a directory: NoEnt", is(spawn(b"/BIN", &[]), Error::NoEnt));
    t.check(b"spawn of a truncated ELF: NoExec", is(spawn(b"/BIN/BROKEN", &[]), Error::NoExec));
    t.check(b"wait without children: Child", is(wait(0), Error::Child));

    // Hostile children.
    t.check(b"bad pointers are errors", run(b"/BIN/HOSTILE", &[b"pointers"]) == 0);
    t.check(b"kill without permission fails", run(b"/BIN/HOSTILE", &[b"kill"]) == 0);
    t.check(b"a process that kills itself is a zombie until reaped", run(b"/BIN/HOSTILE", &[b"selfkill"]) == KILLED as u64);
    t.check(b"shared-memory abuse gets errors, not a crash", run(b"/BIN/HOSTILE", &[b"shm"]) == 0);
    t.check(b"random syscalls leave the kernel running", run(b"/BIN/HOSTILE", &[b"fuzz"]) == 0);
    t.check(b"a write to relocated .data.rel.ro kills the child", run(b"/BIN/HOSTILE", &[b"relro"]) == KILLED as u64);
    t.check(b"a null dereference kills only the child", run(b"/BIN/HOSTILE", &[b"null"]) == KILLED as u64);
    let looper = spawn(b"/BIN/HOSTILE", &[b"loop"]);
    sleep_ms(50);
    t.check(b"an infinite loop does not stop the parent", kill(looper) == 0);
    t.check(b"the killed looper is reaped with status KILLED", wait(looper) == looper << 32 | KILLED as u64);
    t.check(b"a reaped pid is gone", is(kill(looper), Error::Srch));

    // The kernel never frees the stack it runs on: processes that kill themselves, over and over
    // (their kernel stacks and address spaces are reused by the next ones).
    let mut selfkilled = 0;
    for _ in 0..20 {
        selfkilled += (run(b"/BIN/HOSTILE", &[b"selfkill"]) == KILLED as u64) as u64;
    }
    t.check(b"20 self-killing processes, all reaped as KILLED", selfkilled == 20);

    ipc(&mut t);
    shm(&mut t);
    t.check(b"fb_info without a GPU: NoEnt", fb_info() == Err(Error::NoEnt as i64));
    t.check(b"fb_map without a GPU: NoEnt", is(fb_map(), Error::NoEnt));
    t.check(b"fb_flush by a non window manager: Perm", is(fb_flush(0, 0, 1, 1), Error::Perm));

    files(&mut t);

    // A spawn storm: until the process table is full. The children wait for a message, so none
    // ends before systest lets it; then they are released and reaped in pid order.
    let mut pids = [0u64; 64];
    let mut spawned = 0;
    let last = loop {
        let pid = spawn(b"/BIN/PEER", &[b"await"]);
        if (pid as i64) < 0 || spawned == pids.len() {
            break pid;
        }
        pids[spawned] = pid;
        spawned += 1;
    };
    // One at a time: each child ends while all the others are blocked and we wait for it.
    let mut reaped = 0;
    for &pid in &pids[..spawned] {
        send_message(pid, &message(9, b"go"));
        reaped += (wait(pid) == pid << 32 | 3) as u64;
    }
    t.check(b"a spawn storm ends with NoMem", is(last, Error::NoMem));
    Line::task().s(b"spawned ").dec(spawned as u64).s(b" children, reaped ").dec(reaped).send();
    t.check(b"every stormed child is reaped", reaped == spawned as u64 && spawned > 10);
    t.check(b"spawning works again after the storm", run(b"/BIN/HOSTILE", &[b"exit", b"0"]) == 0);

    Line::task().s(b"systest done, ").dec(t.failed).s(b" failed").send();
    t.failed
}

/// Messages: echo with an unforgeable sender, timeouts, polling, errors, a full mailbox.
fn ipc(t: &mut Suite) {
    let echo = spawn(b"/BIN/PEER", &[b"echo"]);
    let mut m = message(7, b"12345678ping");
    m.sender = 4242; // the kernel overwrites it
    t.check(b"send_message to the echo peer", send_message(echo, &m) == 0);
    let mut r = message(0, &[]);
    t.check(b"recv_message gets the answer", recv_message(&mut r, u64::MAX) == 0);
    t.check(b"the answer's sender is the peer, not what it wrote", r.sender == echo);
    t.check(b"the peer saw our pid as sender, not 4242", r.payload[..8] == 1u64.to_le_bytes());
    t.check(b"payload and kind arrive intact", &r.payload[8..12] == b"PING" && r.kind == 7 && r.len == 12);
    send_message(echo, &message(0, &[]));
    t.check(b"the echo peer ends with 0", wait(echo) & 0xffff_ffff == 0);

    let t0 = uptime();
    t.check(b"recv_message with a 30 ms timeout: Again", is(recv_message(&mut r, 30_000_000), Error::Again));
    t.check(b"... after at least 20 ms", uptime() >= t0 + 20_000_000);
    t.check(b"recv_message polling an empty mailbox: Again", is(recv_message(&mut r, 0), Error::Again));
    t.check(b"send_message to a missing pid: Srch", is(send_message(9999, &m), Error::Srch));
    let bad = librost::syscall(librost::abi::Sysno::SendMessage as u64, 1, 0x4010_0000, 0, 0);
    t.check(b"send_message from kernel memory: Fault", is(bad, Error::Fault));
    let bad = librost::syscall(librost::abi::Sysno::RecvMessage as u64, 0x4010_0000, 0, 0, 0);
    t.check(b"recv_message into kernel memory: Fault", is(bad, Error::Fault));
    let bad = librost::syscall(librost::abi::Sysno::RecvMessage as u64, 0x40_0000, 0, 0, 0);
    t.check(b"recv_message into read-only memory: Fault", is(bad, Error::Fault));

    let n = librost::abi::MAILBOX as u64 + 4;
    let slow = spawn(b"/BIN/PEER", &[b"slow", b"12"]);
    let mut sent = 0;
    for i in 0..n {
        sent += (send_message(slow, &message(5, &i.to_le_bytes())) == 0) as u64;
    }
    recv_message(&mut r, u64::MAX);
    wait(slow); // before printing: its exit line must not race with ours
    t.check(b"12 sends to a slow peer with an 8-deep mailbox all complete", sent == n);
    t.check(b"the slow peer received all 12", r.payload[..8] == n.to_le_bytes());
}

/// Shared memory: map, grant, permissions, unmap, destroy, and death of the owner.
fn shm(t: &mut Suite) {
    t.check(b"shm_create(0): Inval", is(shm_create(0), Error::Inval));
    t.check(b"shm_create(9 MiB): Inval", is(shm_create(9 << 20), Error::Inval));
    let id = shm_create(8192);
    let va = shm_map(id, 0);
    t.check(b"shm_map maps at SHM_BASE + id * SHM_MAX", va == SHM_BASE + id * SHM_MAX);
    t.check(b"mapping twice: Inval", is(shm_map(id, 0), Error::Inval));
    // SAFETY: 8 KiB mapped read-write at `va`.
    let mem = unsafe { core::slice::from_raw_parts_mut(va as *mut u8, 8192) };
    t.check(b"new shared memory is zeroed", mem.iter().all(|&b| b == 0));
    mem[..12].copy_from_slice(b"shared hello");
    let reader = spawn(b"/BIN/PEER", &[b"shm-reader"]);
    t.check(b"granting to the reader", shm_map(id, reader) == 0);
    t.check(b"granting to a missing pid: Srch", is(shm_map(id, 9999), Error::Srch));
    send_message(reader, &message(3, &id.to_le_bytes()));
    let mut r = message(0, &[]);
    recv_message(&mut r, u64::MAX);
    wait(reader);
    t.check(b"the reader saw our bytes", r.payload[0] == 1);
    t.check(b"the reader may not destroy it: Perm", r.payload[1] == 1);
    t.check(b"the reader unmapped it, and a second unmap is NoEnt", r.payload[2] == 1 && r.payload[3] == 1);
    t.check(b"we see the reader's bytes", &mem[4096..4111] == b"reader was here");
    let probe = run(b"/BIN/PEER", &[b"shm-probe", &[b'0' + id as u8]]);
    t.check(b"a process never granted it cannot map it", probe == 1);
    t.check(b"shm_destroy by the owner", shm_destroy(id) == 0);
    t.check(b"the mapping stays usable until unmapped", &mem[..12] == b"shared hello");
    t.check(b"a destroyed id cannot be mapped: NoEnt", is(shm_map(id, 0), Error::NoEnt));
    t.check(b"shm_unmap of the last mapping", shm_unmap(id) == 0);

    // The seed's bug: a new process must not find a dead process's memory by its id.
    let owner = spawn(b"/BIN/PEER", &[b"shm-owner"]);
    recv_message(&mut r, u64::MAX);
    let dead = u64::from_le_bytes(r.payload[..8].try_into().unwrap());
    t.check(b"the owner ended", wait(owner) & 0xffff_ffff == 0);
    t.check(b"its object died with it, grant or not: NoEnt", is(shm_map(dead, 0), Error::NoEnt));
    let probe = run(b"/BIN/PEER", &[b"shm-probe", &[b'0' + dead as u8]]);
    t.check(b"a new process cannot map the dead process's id", probe == 0);
    let fresh = shm_create(4096);
    t.check(b"ids are never reused", fresh > dead);
    shm_destroy(fresh);
}

/// Files through the file server: stat, read, readdir, create, grow, edit, and descriptors that
/// only their owner may use. The edits stay on the disk (the host test reads them with mtools).
fn files(t: &mut Suite) {
    t.check(b"a child without the server right cannot claim the disk", run(b"/BIN/PEER", &[b"no-server"]) == 0);
    let fsd = librost::spawn_server(b"/BIN/FSD", &[]);
    let fs = Fs(fsd);
    let readme = fs.stat(b"/docs/readme.txt");
    t.check(b"stat /DOCS/README.TXT", readme.as_ref().is_ok_and(|s| !s.dir && s.size > 16));
    let size = readme.map_or(0, |s| s.size);
    Line::task().s(b"README.TXT has ").dec(size as u64).s(b" bytes").send();
    t.check(b"stat of a missing file: NoEnt", fs.stat(b"/DOCS/NOPE.TXT").err() == Some(Error::NoEnt as i64));
    let fd = fs.open(b"/DOCS/README.TXT", false).unwrap_or(u32::MAX);
    let mut buf = [0u8; 512];
    let n = fs.read(fd, &mut buf).unwrap_or(0);
    t.check(b"read returns the whole file", n == size as usize);
    let first = buf[..n].split(|&b| b == b'\n').next().unwrap_or(&[]);
    Line::task().s(b"first line: ").s(first).send();
    t.check(b"read at the end returns 0", fs.read(fd, &mut buf) == Ok(0));
    let (a, b) = (dec(fsd), dec(fd as u64));
    let thief = run(b"/BIN/PEER", &[b"fd-thief", a.as_bytes(), b.as_bytes()]);
    t.check(b"another process cannot use our descriptor or the disk", thief == 0);
    t.check(b"appending to README.TXT", fs.seek(fd, size).is_ok() && fs.write(fd, b"Edited by systest.\n") == Ok(19));
    t.check(b"close", fs.close(fd).is_ok());
    t.check(b"closing twice: Inval", fs.close(fd).err() == Some(Error::Inval as i64));
    t.check(b"README.TXT grew by 19 bytes", fs.stat(b"/DOCS/README.TXT").is_ok_and(|s| s.size == size + 19));

    t.check(b"open of a missing file: NoEnt", fs.open(b"/DOCS/NEW.TXT", false).err() == Some(Error::NoEnt as i64));
    let fd = fs.open(b"/DOCS/NOTES.TXT", true).unwrap_or(u32::MAX);
    t.check(b"open with CREATE makes a new file", fd != u32::MAX);
    let mut data = [0u8; 5000];
    for (i, b) in data.iter_mut().enumerate() {
        *b = b'a' + (i % 26) as u8;
        if i % 50 == 49 {
            *b = b'\n';
        }
    }
    data[..16].copy_from_slice(b"notes from rost\n");
    t.check(b"writing 5000 bytes (several clusters)", fs.write(fd, &data) == Ok(5000));
    fs.close(fd).ok();
    let fd = fs.open(b"/DOCS/NOTES.TXT", false).unwrap_or(u32::MAX);
    let mut back = [0u8; 5100];
    t.check(b"reading them back", fs.read(fd, &mut back) == Ok(5000) && back[..5000] == data);
    fs.close(fd).ok();
    let dir = fs.open(b"/DOCS", false).unwrap_or(u32::MAX);
    let mut line = Line::task();
    line.s(b"/DOCS:");
    let mut i = 0;
    while let Ok(e) = fs.readdir(dir, i) {
        line.s(b" ").s(&e.name).s(b" ").dec(e.size as u64);
        i += 1;
    }
    line.send();
    t.check(b"readdir lists the 3 files", i == 3);
    t.check(b"reading a directory: Inval", fs.read(dir, &mut buf).err() == Some(Error::Inval as i64));
    t.check(b"a name that is not 8.3: NoEnt", fs.open(b"/DOCS/LONGFILENAME.TXT", true).err() == Some(Error::NoEnt as i64));
    t.check(b"blk_read while fsd owns the disk: Perm", is(librost::blk_read(0, &mut buf), Error::Perm));
    let a = dec(fsd);
    t.check(b"malformed requests are refused", run(b"/BIN/PEER", &[b"fs-garbage", a.as_bytes()]) == 0);
    t.check(b"the file server still serves after them", fs.stat(b"/DOCS/NOTES.TXT").is_ok_and(|s| s.size == 5000));
    let hogged = run(b"/BIN/PEER", &[b"fd-hog", a.as_bytes()]);
    Line::task().s(b"a client opened ").dec(hogged).s(b" files and exited without closing them").send();
    let fd = fs.open(b"/DOCS/README.TXT", false);
    t.check(b"the file server freed them when it ended", fd.is_ok() && fs.close(fd.unwrap_or(0)).is_ok());
    kill(fsd);
    t.check(b"the file server is killed and reaped", wait(fsd) & 0xffff_ffff == KILLED as u64);
}

/// `v` in decimal, as an argument.
fn dec(v: u64) -> Line {
    let mut l = Line::new();
    l.dec(v);
    l
}
