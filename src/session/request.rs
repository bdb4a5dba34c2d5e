//! Pending requests (API.md `request()`): which are unanswered, until when,
//! and on which socket. Replies are matched by the driver (it knows the
//! message format); the core decides when a request fails, so that every
//! request settles exactly once and deadlines join the one timer.

use super::Gen;
use alloc::vec::Vec;

/// The core's handle of a pending request (not the `[rpc.id]` the app sees:
/// the driver maps those). Never 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u32);

/// Why a request failed, as the core sees it (an abort is the app's own
/// [`Session::cancel`](super::Session::cancel) and gives no event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestError {
    /// No reply within its timeout (JS `REQUEST_TIMEOUT`).
    Timeout,
    /// It was sent, and that socket ended before the reply (`CONNECTION_LOST`).
    ConnectionLost,
    /// `close()` was called, or the session closed for good, first (`CLOSED`).
    Closed,
}

#[derive(Debug)]
struct Entry {
    id: RequestId,
    /// `u64::MAX`: none.
    deadline: u64,
    /// The socket it was handed to; `None` while queued.
    on: Option<Gen>,
}

/// Which pending requests fail (one non-generic selector keeps a single
/// copy of the code in the wasm module).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Which {
    /// Those whose deadline is at or before this time.
    Due(u64),
    /// Those handed to this socket.
    On(Gen),
    All,
    /// This one.
    Id(RequestId),
    /// This one, if it was handed to a socket (not still queued).
    Sent(RequestId),
}

impl Which {
    fn selects(self, e: &Entry) -> bool {
        match self {
            Which::Due(now) => e.deadline <= now,
            Which::On(gen) => e.on == Some(gen),
            Which::All => true,
            Which::Id(id) => e.id == id,
            Which::Sent(id) => e.id == id && e.on.is_some(),
        }
    }
}

/// The unanswered requests, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Requests {
    items: Vec<Entry>,
    last: u32,
}

impl Requests {
    /// A fresh id, not pending (ids wrap and skip 0).
    pub(crate) fn add(&mut self, deadline: u64, on: Option<Gen>) -> RequestId {
        loop {
            self.last = self.last.wrapping_add(1).max(1);
            let id = RequestId(self.last);
            if self.find(id).is_none() {
                self.items.push(Entry { id, deadline, on });
                return id;
            }
        }
    }

    fn find(&mut self, id: RequestId) -> Option<&mut Entry> {
        self.items.iter_mut().find(|e| e.id == id)
    }

    /// Removes `id` if pending and `sent_only` allows; `Some(queued)`.
    pub(crate) fn remove(&mut self, id: RequestId, sent_only: bool) -> Option<bool> {
        let which = if sent_only {
            Which::Sent(id)
        } else {
            Which::Id(id)
        };
        self.take_first(which).map(|(_, queued)| queued)
    }

    /// The queued request `id` was handed to the socket `gen`.
    pub(crate) fn sent(&mut self, id: RequestId, gen: Gen) {
        if let Some(e) = self.find(id) {
            e.on = Some(gen);
        }
    }

    /// Removes the oldest of those `which` selects: `(id, was queued)`.
    /// (One at a time, with no list of them: one code path for every
    /// removal keeps the wasm module small.)
    pub(crate) fn take_first(&mut self, which: Which) -> Option<(RequestId, bool)> {
        let i = self.items.iter().position(|e| which.selects(e))?;
        let e = self.items.remove(i);
        Some((e.id, e.on.is_none()))
    }

    /// The earliest deadline.
    pub(crate) fn deadline(&self) -> Option<u64> {
        // A plain loop: smaller in the wasm module than the iterator chain.
        let mut earliest = u64::MAX;
        for e in &self.items {
            earliest = earliest.min(e.deadline);
        }
        (earliest != u64::MAX).then_some(earliest)
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }
}
