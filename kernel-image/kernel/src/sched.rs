//! Tasks and the preemptive round-robin scheduler.
//!
//! A task is an EL0 context with its own address space (ASID = task id), user stack and kernel
//! stack; its saved `Frame` sits at the top of its kernel stack (see boot.rs). The scheduler
//! only ever decides which frame the current exception returns into. Every decision moves round
//! the task list from the task that ran last, so with ticks, yields and sleeps alone the order is
//! fixed. When no task is ready, the idle context (WFI with interrupts on) runs instead. When
//! every task has ended, the kernel prints a summary and powers off. A scheduler started with no
//! tasks at all (the boot screen) idles for ever.

use crate::arch::Global;
use crate::boot::{idle_loop, trap_restore};
use crate::trap::{FRAME_SIZE, Frame};
use crate::{kprintln, mm, psci, sysreg_write, timer};
use alloc::vec::Vec;
use abi::USER_STACK_TOP;

const KERNEL_STACK_PAGES: usize = 4;
/// SPSR of the idle context: EL1h, IRQs unmasked (D, A, F stay masked).
const SPSR_EL1H_IRQ_ON: u64 = 0x345;
/// SPSR of a task's first entry: EL0t, nothing masked.
const SPSR_EL0T: u64 = 0;

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Ready,
    /// Sleeping until the tick count reaches this value.
    Sleeping(u64),
    Dead,
}

struct Task {
    state: State,
    frame: *mut Frame,
    ttbr0: u64,
}

pub struct Scheduler {
    tasks: Vec<Task>,
    /// Index of the running task; `None` while idle.
    current: Option<usize>,
    /// Index of the task that ran last: where the round-robin search resumes after idling.
    last: usize,
    ticks: u64,
    /// Ticks that took the CPU from a running task and gave it to another.
    preemptions: u64,
    /// Whether any task exited with a nonzero code.
    failed: bool,
    idle_frame: *mut Frame,
    /// The TTBR0 value currently loaded.
    live_ttbr0: u64,
}

static SCHEDULER: Global<Option<Scheduler>> = Global::new(None);

/// The scheduler, once started; only `rost_trap` asks for it, once per exception.
pub fn get() -> Option<&'static mut Scheduler> {
    SCHEDULER.get().as_mut()
}

/// Starts the first task (task 1) and the tick, or with no tasks just the idle context, which then
/// only wakes for device interrupts. Never returns: from here on the kernel runs only in exception
/// handlers.
pub fn start(sched: Scheduler) -> ! {
    let sched = SCHEDULER.get().insert(sched);
    sched.last = sched.tasks.len().saturating_sub(1);
    sched.pick();
    let frame = sched.resume();
    if !sched.tasks.is_empty() {
        timer::start(); // with no tasks there is nothing to schedule: no tick, just interrupts
    }
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
            tasks: Vec::new(),
            current: None,
            last: 0,
            ticks: 0,
            preemptions: 0,
            failed: false,
            idle_frame: idle,
            live_ttbr0: mm::kernel_ttbr0(),
        }
    }

    /// Creates a ready task that starts at `entry`, a function in .user_text.
    pub fn spawn(&mut self, entry: extern "C" fn() -> !) {
        let id = self.tasks.len() + 1;
        let frame = new_frame(KERNEL_STACK_PAGES);
        frame.elr = mm::user_va_of(entry as *const () as u64);
        frame.spsr = SPSR_EL0T;
        frame.sp_el0 = USER_STACK_TOP;
        let ttbr0 = mm::new_user_space(id as u16);
        self.tasks.push(Task { state: State::Ready, frame, ttbr0 });
    }

    pub fn idle(&self) -> bool {
        self.current.is_none()
    }

    /// Id of the running task (1-based).
    pub fn current_id(&self) -> u64 {
        self.current.expect("no current task") as u64 + 1
    }

    fn set_current_state(&mut self, state: State) {
        let i = self.current.expect("no current task");
        self.tasks[i].state = state;
    }

    /// The timer interrupt: wake sleepers whose time has come, then move on to the next ready
    /// task.
    pub fn tick(&mut self) {
        self.ticks += 1;
        for t in &mut self.tasks {
            if matches!(t.state, State::Sleeping(until) if until <= self.ticks) {
                t.state = State::Ready;
            }
        }
        timer::rearm();
        let before = self.current;
        self.pick();
        if before.is_some() && self.current != before {
            self.preemptions += 1;
        }
    }

    pub fn yield_current(&mut self) {
        self.pick();
    }

    pub fn sleep_current(&mut self, ticks: u64) {
        self.set_current_state(State::Sleeping(self.ticks + ticks));
        self.pick();
    }

    pub fn exit_current(&mut self, code: u64) {
        kprintln!("[rost] task {} exited (code {})", self.current_id(), code as i64);
        self.failed |= code != 0;
        self.set_current_state(State::Dead);
        self.pick();
    }

    /// Ends the current task after a fault (already reported by the caller).
    pub fn kill_current(&mut self) {
        self.set_current_state(State::Dead);
        self.pick();
    }

    /// Makes the next ready task after the current (or last) one current, in round-robin order;
    /// the current task itself comes last. None ready: idle. None left at all: power off.
    fn pick(&mut self) {
        let n = self.tasks.len();
        let from = self.current.unwrap_or(self.last);
        self.current = (1..=n).map(|k| (from + k) % n).find(|&i| self.tasks[i].state == State::Ready);
        let all_dead = !self.tasks.is_empty() && self.tasks.iter().all(|t| t.state == State::Dead);
        match self.current {
            Some(i) => self.last = i,
            None if all_dead => self.shutdown(),
            None => {}
        }
    }

    /// The frame to resume: the current task's, or the idle context's. Switches TTBR0 with it
    /// (the ASID in it keeps each task's TLB entries apart, so no flush is needed).
    pub fn resume(&mut self) -> *mut Frame {
        let (frame, ttbr0) = match self.current {
            Some(i) => (self.tasks[i].frame, self.tasks[i].ttbr0),
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
        kprintln!("[rost] all tasks exited, powering off (status {})", status);
        psci::system_off(status)
    }
}
