//! Messages that arrived while the program waited for a particular answer (a file server's
//! reply, in `file`): kept here in order, at most [`KEPT`], instead of being dropped, and
//! taken by the message loop (`window::Window::next_event_within`) before it receives anew,
//! so that a Resize, Focus or key that came during a file operation is not lost. Only a program
//! with a window keeps them (`Window::open` calls [`enable`]); others drop them, as nothing
//! would take them. Each program is one thread, so a plain static holds them.

use abi::Message;

/// Most messages kept; beyond, the newest are dropped (and logged).
pub const KEPT: usize = 16;

struct Queue {
    enabled: bool,
    slots: [Option<Message>; KEPT],
    first: usize,
    len: usize,
}

static mut QUEUE: Queue = Queue { enabled: false, slots: [None; KEPT], first: 0, len: 0 };

fn queue() -> &'static mut Queue {
    // SAFETY: one thread per program, and no caller keeps the reference across another call.
    unsafe { &mut *&raw mut QUEUE }
}

/// From now on, messages are kept.
pub fn enable() {
    queue().enabled = true;
}

/// Keeps `m` for the message loop (drops it in a program without one).
pub fn keep(m: Message) {
    let q = queue();
    if !q.enabled {
        return;
    }
    if q.len == KEPT {
        crate::Line::task().s(b"dropped a message that came during a file operation, kind ").hex(m.kind as u64).send();
        return;
    }
    q.slots[(q.first + q.len) % KEPT] = Some(m);
    q.len += 1;
}

/// The oldest message kept, if any.
pub fn take() -> Option<Message> {
    let q = queue();
    if q.len == 0 {
        return None;
    }
    let m = q.slots[q.first].take();
    (q.first, q.len) = ((q.first + 1) % KEPT, q.len - 1);
    m
}
