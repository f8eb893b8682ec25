//! Processes and the preemptive round-robin scheduler.
//!
//! A process has a pid (from 1, never reused), a parent (0: the kernel), its own address space
//! (`mm::Space`, ASID = pid mod 65535 + 1: never 0, the kernel's own; a reaped space's TLB
//! entries are dropped, so a later pid with the same ASID finds none of them), its program
//! loaded by loader.rs, and a kernel stack with
//! its saved `Frame` at the top (see boot.rs). The scheduler only ever decides which frame the
//! current exception returns into. Every decision moves round the process table from the
//! process that ran last, so with ticks, yields and sleeps alone the order is fixed. When none is
//! ready, the idle context (WFI with interrupts on) runs instead. The 10 ms tick runs only while
//! something needs it: two ready processes to share the CPU, or a wait with a timeout.
//!
//! Life cycle: Ready / Sleeping / Waiting (for a child) / Receiving / Sending (ipc.rs) until it
//! exits, is killed or faults; then
//! it is a Zombie holding its exit status, and all its memory (address space, kernel stack) is
//! kept until it is reaped: by its parent's `wait`, or, for children of the kernel (and orphans,
//! whose parent is set to 0), at the start of the next exception, which never runs on the zombie's
//! kernel stack. So a kernel stack is never freed while in use. When no live process is left
//! (the file server ends once all it started have ended), the kernel prints a summary and powers
//! off.

use crate::arch::{FRAME_SIZE, Frame, Global, idle_loop, trap_restore};
use crate::mm::{self, Space};
use crate::arch::sysreg_write;
use crate::uart::kprintln;
use crate::{loader, psci, timer};
use abi::{Error, KERNEL_MAILBOX, KILLED, MSG_EXITED, Message};
use alloc::collections::VecDeque;
use alloc::vec::Vec;

const KERNEL_STACK_PAGES: usize = 4;
/// Most processes alive (or zombie) at once.
pub const MAX_PROCS: usize = 32;
/// SPSR of the idle context: EL1h, IRQs unmasked (D, A, F stay masked).
const SPSR_EL1H_IRQ_ON: u64 = 0x345;
/// SPSR of a process's first entry: EL0t, nothing masked.
const SPSR_EL0T: u64 = 0;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Ready,
    /// Sleeping until the tick count reaches this value.
    Sleeping(u64),
    /// In `wait` for this child (0: any).
    Waiting(u64),
    /// In `recv_message` with an empty mailbox, until this tick (u64::MAX: no timeout).
    Receiving(u64),
    /// In `send_message` to this pid, whose mailbox is full.
    Sending(u64),
    /// Ended with this status (exit code, or KILLED); waiting to be reaped.
    Zombie(u32),
}

pub(crate) struct Proc {
    pub pid: u64,
    parent: u64,
    pub state: State,
    frame: *mut Frame,
    pub space: Space,
    /// Messages received and not yet taken (at most abi::MAILBOX).
    pub mailbox: VecDeque<Message>,
    /// Whether its last receive ended by timeout (told to the restarted `recv_message`).
    pub timed_out: bool,
    /// Shared-memory objects it has mapped.
    pub shm: Vec<u64>,
    /// Scheduling priority: 0 applications, 1 system servers (the window manager, the file
    /// server); a ready process of a higher priority always runs first.
    pub prio: u8,
    /// Whether it may become a system server (abi::SPAWN_SERVER).
    pub server: bool,
    /// What proc_info reports: its name and the virtual time it ran.
    name: [u8; 16],
    cpu_ns: u64,
}

impl Proc {
    /// Queues `msg` in the mailbox, waking the process if it waits for a message.
    pub fn queue(&mut self, msg: Message) {
        self.mailbox.push_back(msg);
        if matches!(self.state, State::Receiving(_)) {
            self.state = State::Ready;
        }
    }

    /// Queues a message from the kernel (sender 0) if the mailbox has room: kernel messages may
    /// fill it up to KERNEL_MAILBOX (a burst of input must not be lost), and are dropped beyond.
    pub fn deliver(&mut self, msg: Message) {
        if self.mailbox.len() < KERNEL_MAILBOX {
            self.queue(msg);
        }
    }
}

pub struct Scheduler {
    /// The process slots, grown one at a time up to MAX_PROCS (never shrunk): every scan of
    /// the table (several per exception) goes only as far as the slots ever used.
    pub(crate) procs: Vec<Option<Proc>>,
    /// Slot of the running process; `None` while idle.
    current: Option<usize>,
    /// Slot of the process that ran last: where the round-robin search resumes after idling.
    last: usize,
    next_pid: u64,
    ticks: u64,
    /// Ticks that took the CPU from a running process and gave it to another.
    preemptions: u64,
    /// Whether a child of the kernel (the file server, or an orphan) exited with a nonzero code.
    failed: bool,
    idle_frame: *mut Frame,
    /// The TTBR0 value currently loaded.
    live_ttbr0: u64,
    /// Whether the tick is on.
    ticking: bool,
    /// The window manager: the process holding the framebuffer, which gets the input events.
    pub(crate) wm: u64,
    /// When the running process got the CPU (virtual ns), for its cpu_ns.
    since: u64,
}

static SCHEDULER: Global<Option<Scheduler>> = Global::new(None);

/// The scheduler, once started; only `rost_trap` asks for it, once per exception.
pub fn get() -> Option<&'static mut Scheduler> {
    SCHEDULER.get().as_mut()
}

/// Starts the first process (slot 0). Never returns: from here on the kernel runs only in
/// exception handlers.
pub fn start(sched: Scheduler) -> ! {
    let sched = SCHEDULER.get().insert(sched);
    sched.last = MAX_PROCS - 1;
    sched.pick();
    let frame = sched.resume();
    // SAFETY: `frame` is a complete initial frame on a kernel stack of its own.
    unsafe { trap_restore(frame) }
}

/// A zeroed frame at the top of a fresh stack of `pages` pages.
fn new_frame(pages: usize) -> &'static mut Frame {
    let top = mm::alloc_pages(pages) as usize + pages * mm::PAGE_SIZE;
    // SAFETY: the stack is fresh and zeroed, and all-zero is a valid Frame.
    unsafe { &mut *((top - FRAME_SIZE) as *mut Frame) }
}

impl Scheduler {
    pub fn new() -> Self {
        let idle = new_frame(1);
        idle.elr = idle_loop as *const () as u64;
        idle.spsr = SPSR_EL1H_IRQ_ON;
        Scheduler {
            procs: Vec::new(),
            current: None,
            last: 0,
            next_pid: 1,
            ticks: 0,
            preemptions: 0,
            failed: false,
            idle_frame: idle,
            live_ttbr0: mm::kernel_ttbr0(),
            ticking: false,
            wm: 0,
            since: 0,
        }
    }

    /// Creates a ready process running the program `file` with `args` (argument 0 first), child
    /// of `parent`, with the server right or not; returns its pid. A file the loader refuses is
    /// reported on the console.
    pub fn spawn(&mut self, parent: u64, file: &[u8], args: &[&[u8]], server: bool) -> Result<u64, Error> {
        let slot = self.procs.iter().position(Option::is_none).unwrap_or(self.procs.len());
        if slot == MAX_PROCS {
            return Err(Error::NoMem);
        }
        let pid = self.next_pid;
        let space = Space::new((pid % 0xffff) as u16 + 1); // ASID: see the module documentation
        let start = match loader::load(&space, file, args) {
            Ok(start) => start,
            Err(why) => {
                kprintln!("[rost] cannot run {}: {}", core::str::from_utf8(args[0]).unwrap_or("?"), why);
                space.destroy();
                return Err(Error::NoExec);
            }
        };
        self.next_pid += 1;
        let frame = new_frame(KERNEL_STACK_PAGES);
        (frame.elr, frame.sp_el0, frame.spsr) = (start.entry, start.sp, SPSR_EL0T);
        (frame.x[0], frame.x[1]) = (start.argc, start.argv);
        let (mailbox, shm) = (VecDeque::new(), Vec::new());
        let state = State::Ready;
        let mut name = [0; 16];
        let base = args[0].rsplit(|&b| b == b'/').next().unwrap_or_default();
        name.iter_mut().zip(base).for_each(|(n, b)| *n = *b);
        let (timed_out, prio, cpu_ns) = (false, 0, 0);
        self.procs.resize_with(self.procs.len().max(slot + 1), || None);
        self.procs[slot] = Some(Proc { pid, parent, state, frame, space, mailbox, timed_out, shm, prio, server, name, cpu_ns });
        Ok(pid)
    }

    pub fn idle(&self) -> bool {
        self.current.is_none()
    }

    pub(crate) fn cur(&mut self) -> &mut Proc {
        let i = self.current.expect("no current process");
        self.procs[i].as_mut().expect("current slot empty")
    }

    /// Pid of the running process.
    pub fn current_id(&mut self) -> u64 {
        self.cur().pid
    }

    /// The running process's address space.
    pub fn space(&mut self) -> Space {
        self.cur().space
    }

    /// The slot of the live (not zombie) process `pid`.
    pub(crate) fn live_slot(&self, pid: u64) -> Option<usize> {
        self.procs.iter().position(|p| p.as_ref().is_some_and(|p| p.pid == pid && !matches!(p.state, State::Zombie(_))))
    }

    /// The live (not zombie) process `pid`.
    pub(crate) fn live(&mut self, pid: u64) -> Option<&mut Proc> {
        self.live_slot(pid).and_then(|i| self.procs[i].as_mut())
    }

    /// `proc_info`: the process with the smallest pid above `after`.
    pub fn proc_info(&self, after: u64) -> Option<abi::ProcInfo> {
        let p = self.procs.iter().flatten().filter(|p| p.pid > after).min_by_key(|p| p.pid)?;
        let state = match p.state {
            State::Ready => abi::PROC_READY,
            State::Zombie(_) => abi::PROC_ZOMBIE,
            _ => abi::PROC_BLOCKED,
        };
        let (pid, parent, cpu_ns, prio, name) = (p.pid, p.parent, p.cpu_ns, p.prio as u32, p.name);
        Some(abi::ProcInfo { pid, parent, cpu_ns, state, prio, name })
    }

    /// The timer interrupt: wake sleepers whose time has come, then move on to the next ready
    /// process.
    pub fn tick(&mut self) {
        self.ticks += 1;
        for p in self.procs.iter_mut().flatten() {
            match p.state {
                State::Sleeping(until) if until <= self.ticks => p.state = State::Ready,
                State::Receiving(until) if until <= self.ticks => {
                    (p.state, p.timed_out) = (State::Ready, true);
                }
                _ => {}
            }
        }
        timer::rearm();
        let before = self.current;
        self.pick();
        if before.is_some() && self.current != before {
            self.preemptions += 1;
        }
    }

    /// Whether the tick is needed: two ready processes to share the CPU, or a wait with a timeout.
    fn needs_tick(&self) -> bool {
        let live = self.procs.iter().flatten();
        let timed = |p: &Proc| matches!(p.state, State::Sleeping(_)) || matches!(p.state, State::Receiving(u) if u != u64::MAX);
        live.clone().filter(|p| p.state == State::Ready).count() > 1 || live.clone().any(timed)
    }

    /// After a device interrupt or a message, which may have made a process ready (input for the
    /// window manager): run it now if the CPU was idle or it outranks the running process.
    pub fn woken(&mut self) {
        let top = self.procs.iter().flatten().filter(|p| p.state == State::Ready).map(|p| p.prio).max();
        let running = self.current.and_then(|i| self.procs[i].as_ref()).map(|p| p.prio);
        if top.is_some_and(|t| running.is_none_or(|r| t > r)) {
            self.pick();
        }
    }

    /// Blocks the current process in `state` and picks another.
    pub(crate) fn block(&mut self, state: State) {
        self.cur().state = state;
        self.pick();
    }

    /// The tick count `ns` from now, rounded up to whole ticks (at least one); u64::MAX stays.
    pub(crate) fn deadline(&self, ns: u64) -> u64 {
        if ns == u64::MAX { ns } else { self.ticks + ns.div_ceil(abi::TICK_NS).max(1) }
    }

    pub fn exit_current(&mut self, code: u64) {
        kprintln!("[rost] task {} exited (code {})", self.current_id(), code as i64);
        self.failed |= code != 0 && self.cur().parent == 0;
        self.end(self.current.expect("no current process"), code as u32);
    }

    /// Ends the current process after a fault (already reported by the caller).
    pub fn kill_current(&mut self) {
        self.end(self.current.expect("no current process"), KILLED);
    }

    /// `kill(pid)` from the current process: allowed on itself, its own children and any
    /// application (a desktop's shell kills another app); a system server only by its parent.
    pub fn kill(&mut self, pid: u64) -> Result<u64, Error> {
        let me = self.current_id();
        let slot = self.live_slot(pid).ok_or(Error::Srch)?;
        let target = self.procs[slot].as_ref().unwrap();
        if pid != me && target.parent != me && target.prio != 0 {
            return Err(Error::Perm);
        }
        kprintln!("[rost] task {} killed by task {}", pid, me);
        self.end(slot, KILLED);
        Ok(0)
    }

    /// Makes slot `i` a zombie with `status`: its children become the kernel's, its parent wakes
    /// if waiting for it. Picks another process if it was the current one.
    fn end(&mut self, i: usize, status: u32) {
        let (pid, parent) = {
            let p = self.procs[i].as_mut().unwrap();
            p.state = State::Zombie(status);
            (p.pid, p.parent)
        };
        for p in self.procs.iter_mut().flatten() {
            if p.parent == pid {
                p.parent = 0;
            }
            let waits = p.pid == parent && matches!(p.state, State::Waiting(w) if w == 0 || w == pid);
            if waits || p.state == State::Sending(pid) {
                p.state = State::Ready; // the send is retried, and fails
            }
        }
        self.notify_exit(pid);
        if self.current == Some(i) {
            self.pick();
        }
    }

    /// `wait(pid)` from the current process: Some(pid << 32 | status) after reaping an ended
    /// child, None if the caller must block and retry (it is now Waiting), or an error.
    pub fn wait(&mut self, pid: u64) -> Result<Option<u64>, Error> {
        let me = self.current_id();
        let mine = |p: &Proc| p.parent == me && (pid == 0 || p.pid == pid);
        let zombie = self.procs.iter().position(|p| p.as_ref().is_some_and(|p| mine(p) && matches!(p.state, State::Zombie(_))));
        if let Some(slot) = zombie {
            let p = self.procs[slot].as_ref().unwrap();
            let State::Zombie(status) = p.state else { unreachable!() };
            let ret = p.pid << 32 | status as u64;
            self.reap(slot);
            return Ok(Some(ret));
        }
        if !self.procs.iter().flatten().any(mine) {
            return Err(Error::Child);
        }
        self.block(State::Waiting(pid));
        Ok(None)
    }

    /// Tells the system servers (priority 1) that process `pid` ended (abi::MSG_EXITED).
    fn notify_exit(&mut self, pid: u64) {
        let servers = self.procs.iter_mut().flatten().filter(|p| p.prio > 0 && p.pid != pid);
        let live = servers.filter(|p| !matches!(p.state, State::Zombie(_)));
        live.for_each(|p| p.deliver(Message::new(MSG_EXITED, &pid.to_le_bytes())));
    }

    /// A device claim by the current process: the first process with the server right to claim
    /// a device (whose owner is `owner`, 0 for none) owns it until it ends, and becomes a system
    /// server (priority 1). Returns the owner it has now, or Perm.
    pub fn claim(&mut self, owner: u64) -> Result<u64, Error> {
        let me = self.current_id();
        if !self.cur().server || owner != me && self.live(owner).is_some() {
            return Err(Error::Perm);
        }
        self.cur().prio = 1;
        Ok(me)
    }

    /// Frees a zombie's memory and its slot. Never the current process's: we may be on its stack.
    fn reap(&mut self, slot: usize) {
        assert!(self.current != Some(slot), "reaping the running process");
        let p = self.procs[slot].take().unwrap();
        p.space.destroy();
        let stack = p.frame as u64 + FRAME_SIZE as u64 - (KERNEL_STACK_PAGES * mm::PAGE_SIZE) as u64;
        mm::free_pages(stack, KERNEL_STACK_PAGES);
    }

    /// Reaps the zombies nobody will wait for (children of the kernel); called on exception
    /// entry, so never on such a zombie's stack.
    pub fn reap_orphans(&mut self) {
        for slot in 0..self.procs.len() {
            let orphan = self.procs[slot].as_ref().is_some_and(|p| p.parent == 0 && matches!(p.state, State::Zombie(_)));
            if orphan && self.current != Some(slot) {
                self.reap(slot);
            }
        }
    }

    /// Makes the next ready process of the highest priority current: the first after the current
    /// (or last) one in round-robin order, the current one itself coming last. None ready: idle.
    /// None alive at all: power off. (`yield` is just this.)
    pub fn pick(&mut self) {
        let now = timer::uptime_ns();
        if let Some(p) = self.current.and_then(|i| self.procs[i].as_mut()) {
            p.cpu_ns += now - self.since;
        }
        self.since = now;
        let (n, from) = (self.procs.len(), self.current.unwrap_or(self.last));
        let ready = |p: &Option<Proc>| p.as_ref().filter(|p| p.state == State::Ready).map(|p| p.prio);
        let top = self.procs.iter().filter_map(ready).max();
        self.current = (1..=n).map(|k| (from.min(n - 1) + k) % n).find(|&i| top.is_some() && ready(&self.procs[i]) == top);
        let alive = self.procs.iter().flatten().any(|p| !matches!(p.state, State::Zombie(_)));
        match self.current {
            Some(i) => self.last = i,
            None if !alive && self.next_pid > 1 => self.shutdown(),
            None => {}
        }
    }

    /// The frame to resume: the current process's, or the idle context's. Switches TTBR0 with it
    /// (the ASID in it keeps each space's TLB entries apart, so no flush is needed). Turns the
    /// tick on or off: it runs only while two processes are ready (preemption) or one waits with
    /// a timeout; otherwise an idle machine sleeps in WFI until a device interrupt. (Turning it
    /// off lazily, at a tick, would spare IPC two timer writes per switch, but puts ticks at
    /// places that differ between machines whose virtual clocks differ slightly, e.g. QEMU's.)
    pub fn resume(&mut self) -> *mut Frame {
        if self.needs_tick() != self.ticking {
            self.ticking = !self.ticking;
            timer::set_ticking(self.ticking);
        }
        let (frame, ttbr0) = match self.current {
            Some(i) => {
                let p = self.procs[i].as_ref().unwrap();
                (p.frame, p.space.0)
            }
            None => (self.idle_frame, mm::kernel_ttbr0()),
        };
        if ttbr0 != self.live_ttbr0 {
            sysreg_write!("ttbr0_el1", ttbr0);
            crate::arch::isb();
            self.live_ttbr0 = ttbr0;
        }
        frame
    }

    fn shutdown(&self) -> ! {
        let status = self.failed as u64;
        kprintln!("[rost] stats: {} timer ticks, {} preemptions", self.ticks, self.preemptions);
        crate::iommu::report();
        kprintln!("[rost] all tasks exited, powering off (status {})", status);
        psci::system_off(status)
    }
}
