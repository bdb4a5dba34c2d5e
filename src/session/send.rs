//! The outcome of [`Session::send`](super::Session::send).

/// Why [`Session::send`](super::Session::send) refused a message. The message is handed back so
/// nothing is lost.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SendError<M> {
    /// The queue is at `max_messages` or the message would exceed `max_bytes`.
    QueueFull(M),
    /// Not open and queueing is disabled.
    NotOpen(M),
    /// `close()` was called; the session will not open again.
    Closed(M),
}

/// What [`Session::send`](super::Session::send) did with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Handed to the open socket now (an `Action::Send` is pending).
    Sent,
    /// Held until the next open.
    Queued,
}
