//! IPC between processes (semantics in the ABI crate): mailboxes of fixed-size messages with the
//! sender's pid stamped by the kernel, blocking with timeouts or polling; messages to the kernel
//! (RouteInput from the window manager); and shared memory. The kernel's own messages (input
//! events, exit notices) are queued by `Proc::deliver` (sched.rs).
//!
//! A message that wakes a process of a higher priority than the sender's (an application's request
//! to the window manager or the file server) switches to it at once, as a device interrupt does:
//! the order of their work (and console lines) then never depends on where a tick falls.
//!
//! Blocking works by retrying: a call that must wait puts its caller in a blocked state and
//! returns `None`, and the caller's PC is rewound to its `svc` (trap.rs), so the call runs again
//! when the process is woken: a receiver when a message arrives (or its timeout tick passes:
//! then `timed_out` says so), a sender when the receiver takes a message or ends.
//!
//! Shared memory: an object is a list of zeroed frames, mapped at the same address in every
//! process (`SHM_BASE + id * SHM_MAX`). Ids count up and are never reused, so a stale id finds
//! nothing. The owner may grant it to others, and destroy it; it is destroyed with its owner
//! too. A destroyed object accepts no new mappings, and its frames are freed once no process
//! maps it any more (unmap, or reaping of the process that had it): the table is swept at the
//! start of every shared-memory call, so the limits are checked against what really exists.

use crate::arch::Global;
use crate::mm::{self, PAGE_SIZE, Perm};
use crate::sched::{Scheduler, State};
use abi::wm::{WmToApp, WmToKernel};
use abi::{Error, MAILBOX, Message};
use abi::{SHM_BASE, SHM_IDS, SHM_MAX};
use alloc::vec::Vec;

/// Most shared-memory objects in existence at once, and most pages they hold together.
const MAX_SHMS: usize = 64;
const MAX_SHM_PAGES: usize = 64 << 20 >> 12;

struct Shm {
    id: u64,
    owner: u64,
    frames: Vec<u64>,
    granted: Vec<u64>,
    destroyed: bool,
}

/// The shared-memory objects, and the next id to hand out.
static SHMS: Global<(Vec<Shm>, u64)> = Global::new((Vec::new(), 1));

impl Scheduler {
    /// `send_message`: Some(0) once delivered, None if the caller blocked (mailbox full), Again
    /// instead of blocking with `nowait`.
    pub fn send(&mut self, to: u64, mut msg: Message, nowait: bool) -> Result<Option<u64>, Error> {
        msg.sender = self.current_id();
        if to == 0 {
            return self.route_input(msg).map(Some);
        }
        let p = self.live(to).ok_or(Error::Srch)?;
        if p.mailbox.len() >= MAILBOX {
            if nowait {
                return Err(Error::Again);
            }
            self.block(State::Sending(to));
            return Ok(None);
        }
        p.queue(msg);
        self.woken(); // a server (the window manager, the file server) runs at once, not at the next tick
        Ok(Some(0))
    }

    /// `recv_message`: Some(message), or None if the caller blocked; Again if nothing came.
    pub fn recv(&mut self, timeout_ns: u64) -> Result<Option<Message>, Error> {
        let deadline = self.deadline(timeout_ns);
        let me = self.cur();
        let timed_out = core::mem::take(&mut me.timed_out);
        if let Some(msg) = me.mailbox.pop_front() {
            let pid = me.pid;
            self.procs.iter_mut().flatten().filter(|p| p.state == State::Sending(pid)).for_each(|p| p.state = State::Ready);
            return Ok(Some(msg));
        }
        if timed_out || timeout_ns == 0 {
            return Err(Error::Again);
        }
        self.block(State::Receiving(deadline));
        Ok(None)
    }

    /// `poll_event`: the oldest input message the kernel sent the caller.
    pub fn poll_event(&mut self) -> Option<Message> {
        let mailbox = &mut self.cur().mailbox;
        let i = mailbox.iter().position(|m| m.input_event().is_some())?;
        mailbox.remove(i)
    }

    /// RouteInput from the window manager: the event goes to the application as the kernel's.
    fn route_input(&mut self, msg: Message) -> Result<u64, Error> {
        let Ok(WmToKernel::RouteInput { app_pid, event }) = WmToKernel::decode(&msg) else { return Err(Error::Inval) };
        if msg.sender != self.wm {
            return Err(Error::Perm);
        }
        self.live(app_pid).ok_or(Error::Srch)?.deliver(WmToApp::InputEvent { event }.encode());
        Ok(0)
    }

    /// The shared-memory table, swept: objects whose owner ended are destroyed, and destroyed
    /// objects that no process (live or zombie) maps any more are freed.
    fn shms(&self) -> &'static mut (Vec<Shm>, u64) {
        let table = SHMS.get();
        let mapped = |id| self.procs.iter().flatten().any(|p| p.shm.contains(&id));
        table.0.iter_mut().for_each(|s| s.destroyed |= self.live_slot(s.owner).is_none());
        for gone in table.0.extract_if(.., |s| s.destroyed && !mapped(s.id)) {
            gone.frames.iter().for_each(|&f| mm::free_pages(f, 1));
        }
        table
    }

    /// The object `id`, unless it is destroyed (or never was).
    fn shm(&self, id: u64) -> Result<&'static mut Shm, Error> {
        self.shms().0.iter_mut().find(|s| s.id == id && !s.destroyed).ok_or(Error::NoEnt)
    }

    pub fn shm_create(&mut self, size: u64) -> Result<u64, Error> {
        if size == 0 || size > SHM_MAX {
            return Err(Error::Inval);
        }
        let pages = size.div_ceil(PAGE_SIZE as u64) as usize;
        let (objects, next_id) = self.shms();
        let held: usize = objects.iter().map(|s| s.frames.len()).sum();
        if *next_id >= SHM_IDS || objects.len() >= MAX_SHMS || held + pages > MAX_SHM_PAGES {
            return Err(Error::NoMem);
        }
        let (id, owner) = (*next_id, self.current_id());
        *next_id += 1;
        let frames = (0..pages).map(|_| mm::alloc_pages(1) as u64).collect();
        objects.push(Shm { id, owner, frames, granted: Vec::new(), destroyed: false });
        Ok(id)
    }

    pub fn shm_map(&mut self, id: u64, pid: u64) -> Result<u64, Error> {
        let me = self.current_id();
        let live = self.live(pid).is_some();
        let s = self.shm(id)?;
        if pid != 0 {
            if s.owner != me {
                return Err(Error::Perm);
            }
            if !live {
                return Err(Error::Srch);
            }
            s.granted.push(pid);
            return Ok(0);
        }
        if s.owner != me && !s.granted.contains(&me) {
            return Err(Error::Perm);
        }
        let p = self.cur();
        if p.shm.contains(&id) {
            return Err(Error::Inval);
        }
        let va = SHM_BASE + id * SHM_MAX;
        for (i, &f) in s.frames.iter().enumerate() {
            p.space.map(va + (i * PAGE_SIZE) as u64, f, Perm::ReadWrite, false);
        }
        p.shm.push(id);
        Ok(va)
    }

    pub fn shm_unmap(&mut self, id: u64) -> Result<u64, Error> {
        let p = self.cur();
        let i = p.shm.iter().position(|&s| s == id).ok_or(Error::NoEnt)?;
        p.shm.remove(i);
        p.space.unmap(SHM_BASE + id * SHM_MAX, SHM_MAX);
        Ok(0)
    }

    pub fn shm_destroy(&mut self, id: u64) -> Result<u64, Error> {
        let me = self.current_id();
        let s = self.shm(id)?;
        if s.owner != me {
            return Err(Error::Perm);
        }
        s.destroyed = true;
        Ok(0)
    }
}
