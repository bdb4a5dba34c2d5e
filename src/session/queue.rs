//! The bounded send queue: holds messages while no socket is open, in order.

use std::collections::VecDeque;

use super::{Payload, QueueConfig};

#[derive(Debug)]
pub(crate) struct SendQueue<M> {
    /// Each message with the size it was admitted at (a JS buffer may change
    /// size later; the accounting must stay exact) and the request it
    /// carries (0: none; see `request.rs`).
    items: VecDeque<(M, usize, u32)>,
    bytes: usize,
}

impl<M: Payload> SendQueue<M> {
    pub(crate) fn new() -> Self {
        SendQueue {
            items: VecDeque::new(),
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
        self.items.push_back((data, len, tag));
        Ok(())
    }

    /// The oldest message, with its request tag (the flush on open).
    pub(crate) fn pop_any(&mut self) -> Option<(M, u32)> {
        let (m, len, tag) = self.items.pop_front()?;
        self.bytes -= len;
        Some((m, tag))
    }

    /// The oldest plain message: requests stay (they settle in the core).
    pub(crate) fn pop(&mut self) -> Option<M> {
        let i = self.items.iter().position(|e| e.2 == 0)?;
        let (m, len, _) = self.items.remove(i)?;
        self.bytes -= len;
        Some(m)
    }

    /// Drops the message of request `tag`, if queued.
    pub(crate) fn remove(&mut self, tag: u32) {
        if let Some(i) = self.items.iter().position(|e| e.2 == tag) {
            if let Some((_, len, _)) = self.items.remove(i) {
                self.bytes -= len;
            }
        }
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
