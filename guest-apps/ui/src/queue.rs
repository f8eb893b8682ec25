//! A bounded first-in first-out queue on a fixed array (no heap): what the toolkit keeps the
//! messages in that arrive while a program waits for one particular answer (the file server's),
//! so that they are handed out afterwards, in order, instead of being lost.

pub struct Fifo<T: Copy, const N: usize> {
    items: [Option<T>; N],
    head: usize,
    len: usize,
}

impl<T: Copy, const N: usize> Fifo<T, N> {
    pub const fn new() -> Self {
        Fifo { items: [None; N], head: 0, len: 0 }
    }

    /// Appends `item`; when the queue is full, hands `item` back (the caller decides what is lost).
    pub fn push(&mut self, item: T) -> Result<(), T> {
        if self.len == N {
            return Err(item);
        }
        self.items[(self.head + self.len) % N] = Some(item);
        self.len += 1;
        Ok(())
    }

    /// The oldest item, taken out.
    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let item = self.items[self.head].take();
        self.head = (self.head + 1) % N;
        self.len -= 1;
        item
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<T: Copy, const N: usize> Default for Fifo<T, N> {
    fn default() -> Self {
        Self::new()
    }
}
