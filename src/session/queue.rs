//! The bounded send queue: holds messages while no socket is open, in order.

use std::collections::VecDeque;

use super::{Payload, QueueConfig};

#[derive(Debug)]
pub(crate) struct SendQueue<M> {
    /// Each message with the size it was admitted at (a JS buffer may change
    /// size later; the accounting must stay exact).
    items: VecDeque<(M, usize)>,
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
    pub(crate) fn push(&mut self, data: M, bounds: &QueueConfig) -> Result<(), M> {
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
        self.items.push_back((data, len));
        Ok(())
    }

    pub(crate) fn pop(&mut self) -> Option<M> {
        let (m, len) = self.items.pop_front()?;
        self.bytes -= len;
        Some(m)
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    pub(crate) fn take_all(&mut self) -> Vec<M> {
        self.bytes = 0;
        std::mem::take(&mut self.items)
            .into_iter()
            .map(|(m, _)| m)
            .collect()
    }
}
