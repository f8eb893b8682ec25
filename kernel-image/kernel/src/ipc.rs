//! IPC between processes (semantics in the ABI crate): mailboxes of fixed-size messages with the
//! sender's pid stamped by the kernel, blocking with timeouts or polling; messages from the
//! kernel itself (input events for the window manager, exit notices for the system servers);
//! messages to the kernel (RouteInput from the window manager); and shared memory.
//!
//! Blocking works by retrying: a call that must wait puts its caller in a blocked state and
//! returns `None`, and trap.rs rewinds the caller's PC to its `svc`, so the call runs again when
//! the process is woken: a receiver when a message arrives (or its timeout tick passes: then
//! `timed_out` says so), a sender when the receiver takes a message or ends.
//!
//! Shared memory: an object is a list of zeroed frames, mapped at the same address in every
//! process (`SHM_BASE + id * SHM_MAX`). Ids count up and are never reused, so a stale id finds
//! nothing. The owner may grant it to others, and destroy it; it is destroyed with its owner
//! too. A destroyed object accepts no new mappings, and its frames are freed when the last
//! mapping goes (unmap, or reaping of the process that had it).

use crate::mm::{self, PAGE_SIZE, Perm};
use crate::sched::{Proc, Scheduler, State};
use abi::{Error, InputEvent, KERNEL_MAILBOX, MAILBOX, MSG_EXITED, MSG_INPUT, MSG_ROUTE_INPUT, Message};
use abi::{SHM_BASE, SHM_IDS, SHM_MAX};
use alloc::vec::Vec;

/// Most shared-memory objects in existence at once, and most pages they hold together.
const MAX_SHMS: usize = 64;
const MAX_SHM_PAGES: usize = 64 << 20 >> 12;

/// Queues a kernel message for `p` if its mailbox has room (kernel messages may fill it up to
/// KERNEL_MAILBOX: a burst of input must not be lost), waking it if it waits for one.
fn deliver(p: &mut Proc, msg: Message) {
    if p.mailbox.len() < KERNEL_MAILBOX {
        p.mailbox.push_back(msg);
        if matches!(p.state, State::Receiving(_)) {
            p.state = State::Ready;
        }
    }
}

pub struct Shm {
    id: u64,
    owner: u64,
    frames: Vec<u64>,
    granted: Vec<u64>,
    maps: usize,
    live: bool,
}

impl Scheduler {
    /// `send_message`: Some(0) once delivered, None if the caller blocked (mailbox full).
    pub fn send(&mut self, to: u64, mut msg: Message) -> Result<Option<u64>, Error> {
        msg.sender = self.current_id();
        if to == 0 {
            return self.route_input(msg).map(Some);
        }
        let p = self.live(to).ok_or(Error::Srch)?;
        if p.mailbox.len() >= MAILBOX {
            self.block(State::Sending(to));
            return Ok(None);
        }
        p.mailbox.push_back(msg);
        if matches!(p.state, State::Receiving(_)) {
            p.state = State::Ready;
        }
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

    /// `poll_event`: the oldest input event the kernel sent the caller.
    pub fn poll_event(&mut self) -> Option<InputEvent> {
        let mailbox = &mut self.cur().mailbox;
        let i = mailbox.iter().position(|m| m.sender == 0 && m.kind == MSG_INPUT)?;
        let m = mailbox.remove(i)?;
        // SAFETY: the kernel wrote this payload from an InputEvent (plain integers).
        Some(unsafe { core::ptr::read_unaligned(m.payload.as_ptr() as *const InputEvent) })
    }

    /// Queues an input event for the window manager, if there is one with room in its mailbox.
    pub fn input(&mut self, ev: InputEvent) {
        let mut msg = Message { sender: 0, kind: MSG_INPUT, len: 20, payload: [0; 64] };
        // SAFETY: InputEvent is 20 bytes of plain integers; the payload has room.
        unsafe { core::ptr::write_unaligned(msg.payload.as_mut_ptr() as *mut InputEvent, ev) };
        if let Some(p) = self.live(self.wm) {
            deliver(p, msg);
        }
    }

    /// RouteInput from the window manager: the event goes to the application as the kernel's.
    fn route_input(&mut self, mut msg: Message) -> Result<u64, Error> {
        if msg.kind != MSG_ROUTE_INPUT {
            return Err(Error::Inval);
        }
        if msg.sender != self.wm {
            return Err(Error::Perm);
        }
        let app = u64::from_le_bytes(msg.payload[..8].try_into().unwrap());
        msg.payload.copy_within(8.., 0);
        (msg.sender, msg.kind, msg.len) = (0, MSG_INPUT, 20);
        deliver(self.live(app).ok_or(Error::Srch)?, msg);
        Ok(0)
    }

    /// Tells the system servers (priority 1) that process `pid` ended.
    pub(crate) fn notify_exit(&mut self, pid: u64) {
        let mut msg = Message { sender: 0, kind: MSG_EXITED, len: 8, payload: [0; 64] };
        msg.payload[..8].copy_from_slice(&pid.to_le_bytes());
        let servers = self.procs.iter_mut().flatten().filter(|p| p.prio > 0 && p.pid != pid);
        servers.filter(|p| !matches!(p.state, State::Zombie(_))).for_each(|p| deliver(p, msg));
    }

    pub fn shm_create(&mut self, size: u64) -> Result<u64, Error> {
        if size == 0 || size > SHM_MAX {
            return Err(Error::Inval);
        }
        let pages = size.div_ceil(PAGE_SIZE as u64) as usize;
        let held: usize = self.shms.iter().map(|s| s.frames.len()).sum();
        if self.next_shm >= SHM_IDS || self.shms.len() >= MAX_SHMS || held + pages > MAX_SHM_PAGES {
            return Err(Error::NoMem);
        }
        let (id, owner) = (self.next_shm, self.current_id());
        self.next_shm += 1;
        let frames = (0..pages).map(|_| mm::alloc_pages(1) as u64).collect();
        self.shms.push(Shm { id, owner, frames, granted: Vec::new(), maps: 0, live: true });
        Ok(id)
    }

    fn shm(&mut self, id: u64) -> Result<&mut Shm, Error> {
        self.shms.iter_mut().find(|s| s.id == id && s.live).ok_or(Error::NoEnt)
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
        let frames = s.frames.clone();
        let p = self.cur();
        if p.shm.contains(&id) {
            return Err(Error::Inval);
        }
        let va = SHM_BASE + id * SHM_MAX;
        for (i, &f) in frames.iter().enumerate() {
            p.space.map(va + (i * PAGE_SIZE) as u64, f, Perm::ReadWrite, false);
        }
        p.shm.push(id);
        self.shm(id)?.maps += 1;
        Ok(va)
    }

    pub fn shm_unmap(&mut self, id: u64) -> Result<u64, Error> {
        let p = self.cur();
        let i = p.shm.iter().position(|&s| s == id).ok_or(Error::NoEnt)?;
        p.shm.remove(i);
        p.space.unmap(SHM_BASE + id * SHM_MAX, SHM_MAX);
        self.release(id);
        Ok(0)
    }

    pub fn shm_destroy(&mut self, id: u64) -> Result<u64, Error> {
        let me = self.current_id();
        let s = self.shm(id)?;
        if s.owner != me {
            return Err(Error::Perm);
        }
        s.live = false;
        self.release_if_unused(id);
        Ok(0)
    }

    /// One mapping of `id` went away.
    pub(crate) fn release(&mut self, id: u64) {
        if let Some(s) = self.shms.iter_mut().find(|s| s.id == id) {
            s.maps -= 1;
        }
        self.release_if_unused(id);
    }

    fn release_if_unused(&mut self, id: u64) {
        if let Some(i) = self.shms.iter().position(|s| s.id == id && !s.live && s.maps == 0) {
            self.shms.remove(i).frames.iter().for_each(|&f| mm::free_pages(f, 1));
        }
    }

    /// Process `pid` ended: its objects are destroyed.
    pub(crate) fn owner_ended(&mut self, pid: u64) {
        let ids: Vec<u64> = self.shms.iter().filter(|s| s.owner == pid).map(|s| s.id).collect();
        for id in ids {
            self.shms.iter_mut().filter(|s| s.id == id).for_each(|s| s.live = false);
            self.release_if_unused(id);
        }
    }
}
