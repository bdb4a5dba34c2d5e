//! Counters for `sock.stats`.

/// Counters for `sock.stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Attempt number of the current/last connection (1 = first).
    pub attempt: u32,
    /// Successful opens after the first.
    pub reconnects: u32,
    pub messages_in: u64,
    pub messages_out: u64,
    pub queued: usize,
    pub queued_bytes: usize,
    pub last_rtt_ms: Option<u64>,
    /// Requests not answered yet (queued or sent).
    pub pending: usize,
}
