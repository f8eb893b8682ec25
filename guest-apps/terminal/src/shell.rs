//! The shell's commands, each writing its output to the console. Files come from the file
//! server (librost::file); programs are started with librost's spawn and waited for.

use crate::console::Console;
use librost::abi::{Error, KILLED};
use librost::file::Fs;
use librost::abi::{PROC_READY, PROC_ZOMBIE};
use librost::{Line, kill, mem_info, proc_info, spawn, uptime, wait};

const HELP: &[u8] = b"commands: help, ls [DIR], cat FILE, echo TEXT [> FILE], run PROGRAM [ARGS],\n\
ps, kill PID, clear, uptime, mem, exit\n";

/// What the terminal does after a command.
pub enum After {
    Prompt,
    Exit,
}

fn error(c: &mut Console, what: &[u8], e: Error) {
    let why: &[u8] = match e {
        Error::NoEnt => b"no such file or directory",
        Error::Perm => b"not allowed",
        Error::Srch => b"no such process",
        Error::NoExec => b"not a program",
        _ => b"failed",
    };
    c.write(what);
    c.write(b": ");
    c.write(why);
    c.write(b"\n");
}

/// Runs one command line.
pub fn run(c: &mut Console, line: &[u8]) -> After {
    let mut words = [&[][..]; 9];
    let mut n = 0;
    for w in line.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
        if n < words.len() {
            words[n] = w;
            n += 1;
        }
    }
    let args = &words[1..n.max(1)];
    match words[0] {
        b"" => {}
        b"help" => c.write(HELP),
        b"clear" => c.clear(),
        b"exit" => return After::Exit,
        b"uptime" => {
            let ms = uptime() / 1_000_000;
            let mut l = Line::new();
            l.s(b"up ").dec(ms / 1000).s(b".").dec(ms / 100 % 10).s(b" s\n");
            c.write(l.as_bytes());
        }
        b"ps" => ps(c),
        b"mem" => {
            let (free, total) = mem_info();
            let mut l = Line::new();
            l.s(b"memory: ").dec(free * 4).s(b" KiB free of ").dec(total * 4).s(b" KiB\n");
            c.write(l.as_bytes());
        }
        b"ls" => ls(c, args.first().copied().unwrap_or(b"/")),
        b"cat" => match args.first() {
            Some(path) => cat(c, path),
            None => c.write(b"cat: which file?\n"),
        },
        b"echo" => echo(c, line),
        b"run" => match args.split_first() {
            Some((prog, rest)) => run_program(c, prog, rest),
            None => c.write(b"run: which program?\n"),
        },
        b"kill" => {
            let pid = args.first().and_then(|a| parse(a));
            match pid.map(kill) {
                Some(Ok(())) => c.write(b"killed\n"),
                Some(Err(e)) => error(c, b"kill", e),
                None => c.write(b"kill: which pid?\n"),
            }
        }
        other => {
            c.write(other);
            c.write(b": unknown command (try help)\n");
        }
    }
    After::Prompt
}

fn parse(s: &[u8]) -> Option<u64> {
    let mut v: u64 = 0;
    for &b in s {
        v = v.checked_mul(10)?.checked_add(b.checked_sub(b'0').filter(|d| *d < 10)? as u64)?;
    }
    (!s.is_empty()).then_some(v)
}

/// One line per process: pid, parent, state, CPU time, name.
fn ps(c: &mut Console) {
    c.write(b"  PID  PARENT  STATE    CPU ms  NAME\n");
    let mut after = 0;
    while let Some(p) = proc_info(after) {
        after = p.pid;
        let state: &[u8] = match p.state {
            PROC_READY => b"ready  ",
            PROC_ZOMBIE => b"zombie ",
            _ => b"blocked",
        };
        let mut l = Line::new();
        pad(&mut l, 5, p.pid);
        pad(&mut l, 8, p.parent);
        l.s(b"  ").s(state);
        pad(&mut l, 8, p.cpu_ns / 1_000_000);
        let name = p.name.split(|&b| b == 0).next().unwrap_or_default();
        l.s(b"  ").s(name).s(b"\n");
        c.write(l.as_bytes());
    }
}

/// `v` right-aligned in `width` columns.
fn pad(l: &mut Line, width: usize, v: u64) {
    let digits = (v.max(1).ilog10() + 1) as usize;
    for _ in digits..width {
        l.s(b" ");
    }
    l.dec(v);
}

fn ls(c: &mut Console, dir: &[u8]) {
    let fs = Fs::SERVER;
    let fd = match fs.open(dir, false) {
        Ok(fd) => fd,
        Err(e) => return error(c, dir, e),
    };
    let mut i = 0;
    while let Ok(st) = fs.readdir(fd, i) {
        i += 1;
        let mut l = Line::new();
        l.s(st.name());
        if st.dir {
            l.s(b"/");
        }
        if !st.dir {
            while l.as_bytes().len() < 16 {
                l.s(b" ");
            }
            l.dec(st.size as u64);
        }
        l.s(b"\n");
        c.write(l.as_bytes());
    }
    let _ = fs.close(fd);
}

fn cat(c: &mut Console, path: &[u8]) {
    let fs = Fs::SERVER;
    match fs.stat(path) {
        Ok(st) if st.dir => return c.write(b"cat: that is a directory\n"),
        Err(e) => return error(c, path, e),
        _ => {}
    }
    let Ok(fd) = fs.open(path, false) else { return error(c, path, Error::NoEnt) };
    let mut buf = [0u8; 512];
    let mut ended_line = true;
    while let Ok(n @ 1..) = fs.read(fd, &mut buf) {
        c.write(&buf[..n]);
        ended_line = buf[n - 1] == b'\n';
    }
    if !ended_line {
        c.write(b"\n");
    }
    let _ = fs.close(fd);
}

/// `echo TEXT` prints TEXT; `echo TEXT > FILE` writes it (and a newline) to FILE.
fn echo(c: &mut Console, line: &[u8]) {
    let rest = line.trim_ascii_start().strip_prefix(b"echo").unwrap_or(b"").trim_ascii();
    let Some(at) = rest.iter().position(|&b| b == b'>') else {
        c.write(rest);
        return c.write(b"\n");
    };
    let (text, path) = (rest[..at].trim_ascii(), rest[at + 1..].trim_ascii());
    let fs = Fs::SERVER;
    match fs.open(path, true) {
        Ok(fd) => {
            let wrote = fs.write(fd, text).and_then(|_| fs.write(fd, b"\n"));
            let _ = fs.close(fd);
            if let Err(e) = wrote {
                error(c, path, e);
            }
        }
        Err(e) => error(c, path, e),
    }
}

/// Starts PROGRAM (a path, or a name in /BIN) and waits for it to end.
fn run_program(c: &mut Console, prog: &[u8], args: &[&[u8]]) {
    let mut path = Line::new();
    if !prog.starts_with(b"/") {
        path.s(b"/BIN/");
    }
    path.s(prog);
    let pid = match spawn(path.as_bytes(), args) {
        Ok(pid) => pid,
        Err(e) => return error(c, prog, e),
    };
    let mut l = Line::new();
    l.s(b"started task ").dec(pid).s(b"\n");
    c.write(l.as_bytes());
    let mut l = Line::new();
    match wait(pid) {
        Ok((_, KILLED)) => l.s(b"task ").dec(pid).s(b" was killed\n"),
        Ok((_, code)) => l.s(b"task ").dec(pid).s(b" exited with ").dec(code as u64).s(b"\n"),
        Err(_) => l.s(b"lost task ").dec(pid).s(b"\n"),
    };
    c.write(l.as_bytes());
}
