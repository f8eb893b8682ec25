//! The program's incoming messages, as every librost loop reads them: messages that arrived while
//! the program waited for one particular answer (the file server's reply in `file`) are put aside
//! here ([`defer`]) and handed out first, in order, by [`recv`], so that a key, a click or a Close
//! that comes during a file operation is not lost. Programs that serve messages (the window
//! manager, apps through `window::next_event`) read with [`recv`], never `recv_message` directly.

use crate::{Line, recv_message};
use abi::{Error, Message};
use ui::queue::Fifo;

/// Messages put aside: more than a mailbox holds (abi::MAILBOX), and the kernel's own queue.
const DEFERRED: usize = 64;

static mut QUEUE: Fifo<Message, DEFERRED> = Fifo::new();

fn queue() -> &'static mut Fifo<Message, DEFERRED> {
    // SAFETY: a rost process has one thread, and no caller keeps the reference across a call.
    unsafe { &mut *&raw mut QUEUE }
}

/// Keeps `m` for a later [`recv`]; when DEFERRED messages wait already, `m` is dropped and logged.
pub fn defer(m: Message) {
    if let Err(m) = queue().push(m) {
        Line::task().s(b"too many messages put aside: dropped one of kind ").hex(m.kind as u64).s(b" from task ").dec(m.sender).send();
    }
}

/// The next message: a deferred one first, else the mailbox's, waiting up to `timeout_ns`
/// (0: poll, u64::MAX: for ever).
pub fn recv(timeout_ns: u64) -> Result<Message, Error> {
    match queue().pop() {
        Some(m) => Ok(m),
        None => recv_message(timeout_ns),
    }
}
