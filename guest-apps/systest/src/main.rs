//! systest: the syscall suite, run as the first process (`rost.init=/BIN/SYSTEST`). It spawns
//! programs from the disk, waits for them, kills them, and drives `hostile` through its
//! misbehaviours; every result is printed, and the log is the same on every machine: a child
//! prints only while systest is blocked in `wait`, and a child that spins is killed after a
//! sleep, which counts ticks. Exits with the number of failed checks.
#![no_std]
#![no_main]

use librost::abi::{Error, KILLED};
use librost::{Line, getpid, is, kill, sleep_ms, spawn, uptime, wait};

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
    t.check(b"wait without children: Child", is(wait(0), Error::Child));

    // Hostile children.
    t.check(b"bad pointers are errors", run(b"/BIN/HOSTILE", &[b"pointers"]) == 0);
    t.check(b"kill without permission fails", run(b"/BIN/HOSTILE", &[b"kill"]) == 0);
    t.check(b"a process that kills itself is a zombie until reaped", run(b"/BIN/HOSTILE", &[b"selfkill"]) == KILLED as u64);
    t.check(b"a null dereference kills only the child", run(b"/BIN/HOSTILE", &[b"null"]) == KILLED as u64);
    let looper = spawn(b"/BIN/HOSTILE", &[b"loop"]);
    sleep_ms(50);
    t.check(b"an infinite loop does not stop the parent", kill(looper) == 0);
    t.check(b"the killed looper is reaped with status KILLED", wait(looper) == looper << 32 | KILLED as u64);
    t.check(b"a reaped pid is gone", is(kill(looper), Error::Srch));

    // A spawn storm: until the process table is full, then everything is reaped.
    let mut spawned = 0;
    let mut last = 0;
    loop {
        let pid = spawn(b"/BIN/HOSTILE", &[b"exit", b"3"]);
        if (pid as i64) < 0 {
            last = pid;
            break;
        }
        spawned += 1;
        if spawned > 1000 {
            break;
        }
    }
    t.check(b"a spawn storm ends with NoMem", is(last, Error::NoMem));
    let mut reaped = 0;
    while wait(0) & 0xffff_ffff == 3 {
        reaped += 1;
    }
    Line::task().s(b"spawned ").dec(spawned).s(b" children, reaped ").dec(reaped).send();
    t.check(b"every stormed child is reaped", reaped == spawned && spawned > 10);
    t.check(b"spawning works again after the storm", run(b"/BIN/HOSTILE", &[b"exit", b"0"]) == 0);

    Line::task().s(b"systest done, ").dec(t.failed).s(b" failed").send();
    t.failed
}
