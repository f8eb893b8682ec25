//! systest: the syscall suite, run as init (`rost.init=/BIN/SYSTEST`: process 2, the file
//! server's first child). It spawns programs from the disk, waits for them, kills them, and
//! drives `hostile` through its misbehaviours; every result is printed, and the log is the same on every machine: a child
//! prints only while systest is blocked in `wait`, and a child that spins is killed after a
//! sleep, which counts ticks. Exits with the number of failed checks.
#![no_std]
#![no_main]

use librost::abi::{Error, KILLED, MAILBOX, Message, SHM_BASE, SHM_MAX, Sysno};
use librost::file::Fs;
use librost::{Line, fb_flush, fb_info, fb_map, getpid, kill, recv_message, send_message, syscall};
use librost::{shm_create, shm_destroy, shm_map, shm_unmap, sleep_ms, spawn, uptime, wait};

mod tree;

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

/// Spawns `path args`, waits for it; returns its status (or the spawn/wait error, or Inval if
/// wait reaped another pid).
fn run(path: &[u8], args: &[&[u8]]) -> Result<u32, Error> {
    let pid = spawn(path, args)?;
    let (reaped, status) = wait(pid)?;
    if reaped == pid { Ok(status) } else { Err(Error::Inval) }
}

/// A raw syscall's result, for checks of what no librost wrapper would pass.
fn raw(nr: Sysno, a0: u64, a1: u64) -> Result<u64, Error> {
    Error::from_ret(syscall(nr as u64, a0, a1, 0, 0))
}

fn main(_: &[&[u8]]) -> u64 {
    let mut t = Suite { failed: 0 };
    t.check(b"getpid is 2 (the file server is 1)", getpid() == 2);
    t.check(b"yield returns 0", raw(Sysno::Yield, 0, 0) == Ok(0));
    t.check(b"poll_event with no input for us: 0", librost::poll_event().is_none());
    t.check(b"poll_event into kernel memory: Fault", raw(Sysno::PollEvent, 0x4010_0000, 0) == Err(Error::Fault));
    let t0 = uptime();
    sleep_ms(20);
    let t1 = uptime();
    t.check(b"uptime advances across a 20 ms sleep (two ticks: at least 10 ms)", t1 >= t0 + 10_000_000);

    // Programs from the disk, with arguments.
    t.check(b"hello exits 0", run(b"/BIN/HELLO", &[b"one", b"two"]) == Ok(0));
    t.check(b"exit codes reach wait", run(b"/bin/hostile", &[b"exit", b"7"]) == Ok(7));
    t.check(b"spawn of a missing file: NoEnt", spawn(b"/BIN/NOPE", &[]) == Err(Error::NoEnt));
    t.check(b"spawn of a text file: NoExec", spawn(b"/DOCS/README.TXT", &[]) == Err(Error::NoExec));
    t.check(b"spawn of a directory: NoEnt", spawn(b"/BIN", &[]) == Err(Error::NoEnt));
    t.check(b"spawn of a truncated ELF: NoExec", spawn(b"/BIN/BROKEN", &[]) == Err(Error::NoExec));
    t.check(b"wait without children: Child", wait(0) == Err(Error::Child));

    // Hostile children.
    t.check(b"bad pointers are errors", run(b"/BIN/HOSTILE", &[b"pointers"]) == Ok(0));
    t.check(b"kill without permission fails", run(b"/BIN/HOSTILE", &[b"kill"]) == Ok(0));
    t.check(b"a process that kills itself is a zombie until reaped", run(b"/BIN/HOSTILE", &[b"selfkill"]) == Ok(KILLED));
    t.check(b"shared-memory abuse gets errors, not a crash", run(b"/BIN/HOSTILE", &[b"shm"]) == Ok(0));
    t.check(b"random syscalls leave the kernel running", run(b"/BIN/HOSTILE", &[b"fuzz"]) == Ok(0));
    t.check(b"a write to relocated .data.rel.ro kills the child", run(b"/BIN/HOSTILE", &[b"relro"]) == Ok(KILLED));
    t.check(b"a null dereference kills only the child", run(b"/BIN/HOSTILE", &[b"null"]) == Ok(KILLED));
    let looper = spawn(b"/BIN/HOSTILE", &[b"loop"]).unwrap_or(0);
    sleep_ms(50);
    t.check(b"an infinite loop does not stop the parent", kill(looper).is_ok());
    t.check(b"the killed looper is reaped with status KILLED", wait(looper) == Ok((looper, KILLED)));
    t.check(b"a reaped pid is gone", kill(looper) == Err(Error::Srch));

    // The kernel never frees the stack it runs on: processes that kill themselves, over and over
    // (their kernel stacks and address spaces are reused by the next ones).
    let mut selfkilled = 0;
    for _ in 0..20 {
        selfkilled += (run(b"/BIN/HOSTILE", &[b"selfkill"]) == Ok(KILLED)) as u64;
    }
    t.check(b"20 self-killing processes, all reaped as KILLED", selfkilled == 20);

    ipc(&mut t);
    shm(&mut t);
    t.check(b"fb_info without a GPU: NoEnt", fb_info() == Err(Error::NoEnt));
    t.check(b"fb_map without a GPU: NoEnt", fb_map() == Err(Error::NoEnt));
    t.check(b"fb_flush by a non window manager: Perm", fb_flush(0, 0, 1, 1) == Err(Error::Perm));

    files(&mut t);
    tree::tree(&mut t);

    // A spawn storm: until the process table is full. The children wait for a message, so none
    // ends before systest lets it; then they are released and reaped in pid order.
    let mut pids = [0u64; 64];
    let mut spawned = 0;
    let last = loop {
        match spawn(b"/BIN/PEER", &[b"await"]) {
            Ok(pid) if spawned < pids.len() => pids[spawned] = pid,
            other => break other,
        }
        spawned += 1;
    };
    // One at a time: each child ends while all the others are blocked and we wait for it.
    let mut reaped = 0;
    for &pid in &pids[..spawned] {
        let _ = send_message(pid, &Message::new(9, b"go"));
        reaped += (wait(pid) == Ok((pid, 3))) as u64;
    }
    t.check(b"a spawn storm ends with NoMem", last == Err(Error::NoMem));
    Line::task().s(b"spawned ").dec(spawned as u64).s(b" children, reaped ").dec(reaped).send();
    t.check(b"every stormed child is reaped", reaped == spawned as u64 && spawned > 10);
    t.check(b"spawning works again after the storm", run(b"/BIN/HOSTILE", &[b"exit", b"0"]) == Ok(0));

    Line::task().s(b"systest done, ").dec(t.failed).s(b" failed").send();
    t.failed
}

/// Messages: echo with an unforgeable sender, timeouts, polling, errors, a full mailbox.
fn ipc(t: &mut Suite) {
    let echo = spawn(b"/BIN/PEER", &[b"echo"]).unwrap_or(0);
    let mut m = Message::new(7, b"12345678ping");
    m.sender = 4242; // the kernel overwrites it
    t.check(b"send_message to the echo peer", send_message(echo, &m).is_ok());
    let r = recv_message(u64::MAX);
    t.check(b"recv_message gets the answer", r.is_ok());
    let r = r.unwrap_or(m);
    t.check(b"the answer's sender is the peer, not what it wrote", r.sender == echo);
    t.check(b"the peer saw our pid as sender, not 4242", r.u64_at(0) == getpid());
    t.check(b"payload and kind arrive intact", &r.payload[8..12] == b"PING" && r.kind == 7 && r.len == 12);
    let _ = send_message(echo, &Message::new(0, &[]));
    t.check(b"the echo peer ends with 0", wait(echo) == Ok((echo, 0)));

    let t0 = uptime();
    t.check(b"recv_message with a 30 ms timeout: Again", recv_message(30_000_000).err() == Some(Error::Again));
    t.check(b"... after at least 20 ms", uptime() >= t0 + 20_000_000);
    t.check(b"recv_message polling an empty mailbox: Again", recv_message(0).err() == Some(Error::Again));
    t.check(b"send_message to a missing pid: Srch", send_message(9999, &m) == Err(Error::Srch));
    t.check(b"send_message from kernel memory: Fault", raw(Sysno::SendMessage, 1, 0x4010_0000) == Err(Error::Fault));
    t.check(b"recv_message into kernel memory: Fault", raw(Sysno::RecvMessage, 0x4010_0000, 0) == Err(Error::Fault));
    t.check(b"recv_message into read-only memory: Fault", raw(Sysno::RecvMessage, 0x40_0000, 0) == Err(Error::Fault));

    let n = MAILBOX as u64 + 4;
    let slow = spawn(b"/BIN/PEER", &[b"slow", b"12"]).unwrap_or(0);
    let mut sent = 0;
    for i in 0..n {
        sent += send_message(slow, &Message::new(5, &i.to_le_bytes())).is_ok() as u64;
    }
    let r = recv_message(u64::MAX);
    let _ = wait(slow); // before printing: its exit line must not race with ours
    t.check(b"12 sends to a slow peer with an 8-deep mailbox all complete", sent == n);
    t.check(b"the slow peer received all 12", r.is_ok_and(|r| r.u64_at(0) == n));
}

/// Shared memory: map, grant, permissions, unmap, destroy, and death of the owner.
fn shm(t: &mut Suite) {
    t.check(b"shm_create(0): Inval", shm_create(0) == Err(Error::Inval));
    t.check(b"shm_create(9 MiB): Inval", shm_create(9 << 20) == Err(Error::Inval));
    let Ok(id) = shm_create(8192) else { return t.check(b"shm_create(8 KiB)", false) };
    let va = shm_map(id, 0).unwrap_or(0);
    t.check(b"shm_map maps at SHM_BASE + id * SHM_MAX", va == SHM_BASE + id * SHM_MAX);
    t.check(b"mapping twice: Inval", shm_map(id, 0) == Err(Error::Inval));
    // SAFETY: 8 KiB mapped read-write at `va` (checked just above).
    let mem = unsafe { core::slice::from_raw_parts_mut(va as *mut u8, 8192) };
    t.check(b"new shared memory is zeroed", mem.iter().all(|&b| b == 0));
    mem[..12].copy_from_slice(b"shared hello");
    let reader = spawn(b"/BIN/PEER", &[b"shm-reader"]).unwrap_or(0);
    t.check(b"granting to the reader", shm_map(id, reader) == Ok(0));
    t.check(b"granting to a missing pid: Srch", shm_map(id, 9999) == Err(Error::Srch));
    let _ = send_message(reader, &Message::new(3, &id.to_le_bytes()));
    let r = recv_message(u64::MAX).map_or([0; 4], |r| [r.payload[0], r.payload[1], r.payload[2], r.payload[3]]);
    let _ = wait(reader);
    t.check(b"the reader saw our bytes", r[0] == 1);
    t.check(b"the reader may not destroy it: Perm", r[1] == 1);
    t.check(b"the reader unmapped it, and a second unmap is NoEnt", r[2] == 1 && r[3] == 1);
    t.check(b"we see the reader's bytes", &mem[4096..4111] == b"reader was here");
    let probe = run(b"/BIN/PEER", &[b"shm-probe", dec(id).as_bytes()]);
    t.check(b"a process never granted it cannot map it", probe == Ok(1));
    t.check(b"shm_destroy by the owner", shm_destroy(id).is_ok());
    t.check(b"the mapping stays usable until unmapped", &mem[..12] == b"shared hello");
    t.check(b"a destroyed id cannot be mapped: NoEnt", shm_map(id, 0) == Err(Error::NoEnt));
    t.check(b"shm_unmap of the last mapping", shm_unmap(id).is_ok());

    // The seed's bug: a new process must not find a dead process's memory by its id.
    let owner = spawn(b"/BIN/PEER", &[b"shm-owner", dec(getpid()).as_bytes()]).unwrap_or(0);
    let dead = recv_message(u64::MAX).map_or(0, |r| r.u64_at(0));
    t.check(b"the owner ended", wait(owner) == Ok((owner, 0)));
    t.check(b"its object died with it, grant or not: NoEnt", shm_map(dead, 0) == Err(Error::NoEnt));
    let probe = run(b"/BIN/PEER", &[b"shm-probe", dec(dead).as_bytes()]);
    t.check(b"a new process cannot map the dead process's id", probe == Ok(0));
    let fresh = shm_create(4096);
    t.check(b"ids are never reused", fresh.is_ok_and(|fresh| fresh > dead));
    let _ = shm_destroy(fresh.unwrap_or(0));
}

/// Files through the file server: stat, read, readdir, create, grow, edit, and descriptors that
/// only their owner may use. The edits stay on the disk (the host test reads them with mtools).
fn files(t: &mut Suite) {
    t.check(b"a child without the server right cannot claim the disk", run(b"/BIN/PEER", &[b"no-server"]) == Ok(0));
    let fs = Fs::SERVER;
    let readme = fs.stat(b"/docs/readme.txt");
    t.check(b"stat /DOCS/README.TXT", readme.as_ref().is_ok_and(|s| !s.dir && s.size > 16));
    let size = readme.map_or(0, |s| s.size);
    Line::task().s(b"README.TXT has ").dec(size as u64).s(b" bytes").send();
    t.check(b"stat of a missing file: NoEnt", fs.stat(b"/DOCS/NOPE.TXT").err() == Some(Error::NoEnt));
    let fd = fs.open(b"/DOCS/README.TXT", false).unwrap_or(u32::MAX);
    let mut buf = [0u8; 512];
    let n = fs.read(fd, &mut buf).unwrap_or(0);
    t.check(b"read returns the whole file", n == size as usize);
    let first = buf[..n].split(|&b| b == b'\n').next().unwrap_or(&[]);
    Line::task().s(b"first line: ").s(first).send();
    t.check(b"read at the end returns 0", fs.read(fd, &mut buf) == Ok(0));
    let (a, b) = (dec(fs.0), dec(fd as u64));
    let thief = run(b"/BIN/PEER", &[b"fd-thief", a.as_bytes(), b.as_bytes()]);
    t.check(b"another process cannot use our descriptor or the disk", thief == Ok(0));
    t.check(b"appending to README.TXT", fs.seek(fd, size).is_ok() && fs.write(fd, b"Edited by systest.\n") == Ok(19));
    t.check(b"close", fs.close(fd).is_ok());
    t.check(b"closing twice: Inval", fs.close(fd) == Err(Error::Inval));
    t.check(b"README.TXT grew by 19 bytes", fs.stat(b"/DOCS/README.TXT").is_ok_and(|s| s.size == size + 19));

    t.check(b"open of a missing file: NoEnt", fs.open(b"/DOCS/NEW.TXT", false) == Err(Error::NoEnt));
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
        line.s(b" ").s(e.name()).s(b" ").dec(e.size as u64);
        i += 1;
    }
    line.send();
    t.check(b"readdir lists the 5 entries (4 files, the folder WEB)", i == 5);
    t.check(b"reading a directory: Inval", fs.read(dir, &mut buf) == Err(Error::Inval));
    t.check(b"a name FAT forbids: Inval", fs.open(b"/DOCS/A*B.TXT", true) == Err(Error::Inval));
    t.check(b"blk_read while fsd owns the disk: Perm", librost::blk_read(0, &mut buf) == Err(Error::Perm));
    t.check(b"malformed requests are refused", run(b"/BIN/PEER", &[b"fs-garbage", a.as_bytes()]) == Ok(0));
    t.check(b"the file server still serves after them", fs.stat(b"/DOCS/NOTES.TXT").is_ok_and(|s| s.size == 5000));
    let hogged = run(b"/BIN/PEER", &[b"fd-hog", a.as_bytes()]).unwrap_or(0);
    Line::task().s(b"a client opened ").dec(hogged as u64).s(b" files and exited without closing them").send();
    let fd = fs.open(b"/DOCS/README.TXT", false);
    t.check(b"the file server freed them when it ended", fd.is_ok() && fs.close(fd.unwrap_or(0)).is_ok());
    fs.close(dir).ok();
}

/// `v` in decimal, as an argument.
fn dec(v: u64) -> Line {
    let mut l = Line::new();
    l.dec(v);
    l
}
