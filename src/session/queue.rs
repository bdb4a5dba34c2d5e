//! The bounded send queue: holds messages while no socket is open, in order.

use super::{Payload, QueueConfig};
use alloc::vec::Vec;

#[derive(Debug)]
pub(crate) struct SendQueue<M> {
    /// Each message with the size it was admitted at (a JS buffer may change
    /// size later; the accounting must stay exact) and the request it
    /// carries (0: none; see `request.rs`). A `Vec`, not a `VecDeque`: it
    /// is flushed whole, and one container type less keeps the wasm module
    /// smaller.
    items: Vec<(M, usize, u32)>,
    bytes: usize,
}

impl<M: Payload> SendQueue<M> {
    pub(crate) fn new() -> Self {
        SendQueue {
            items: Vec::new(),
            bytes: 0,
        }
    }

    /// Appends `data` if it fits both bounds; otherwise hands it back and
    /// leaves the queue untouched.
    /// `tag`: the request it carries, 0 for none.
    pub(crate) fn push_as(&mut self, data: M, tag: u32, bounds: &QueueConfig) -> Result<(), M> {
        let len = data.byte_len();
        let fits = self.items.len() < bounds.max_messages
            && self
                .bytes
                .checked_add(len)
                .is_some_and(|total| total <= bounds.max_bytes);
        if !fits {
            return Err(data);
        }
        self.bytes += len;
        self.items.push((data, len, tag));
        Ok(())
    }

    /// Empties the queue: every message, oldest first, with its request
    /// tag (the flush on open).
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = (M, u32)> {
        self.bytes = 0;
        core::mem::take(&mut self.items)
            .into_iter()
            .map(|(m, _, tag)| (m, tag))
    }

    /// Removes the oldest message tagged `tag` (0: a plain message).
    fn take_first(&mut self, tag: u32) -> Option<M> {
        let i = self.items.iter().position(|e| e.2 == tag)?;
        let (m, len, _) = self.items.remove(i);
        self.bytes -= len;
        Some(m)
    }

    /// The oldest plain message: requests stay (they settle in the core).
    pub(crate) fn pop(&mut self) -> Option<M> {
        self.take_first(0)
    }

    /// Drops the message of request `tag`, if queued.
    pub(crate) fn remove(&mut self, tag: u32) {
        self.take_first(tag);
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    /// Every plain message (requests stay).
    pub(crate) fn take_all(&mut self) -> Vec<M> {
        let mut out = Vec::new();
        while let Some(m) = self.pop() {
            out.push(m);
        }
        out
    }
}
