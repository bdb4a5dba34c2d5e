//! Counters for `sock.stats`.

/// Counters for `sock.stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Attempt number of the current/last connection (1 = first).
    pub attempt: u32,
    /// Successful opens after the first.
    pub reconnects: u32,
    /// Messages received (every frame, replies to pings excepted).
    pub messages_in: u64,
    /// Messages handed to a socket.
    pub messages_out: u64,
    /// Messages waiting for the next open.
    pub queued: usize,
    /// Their size (see `Payload::byte_len`).
    pub queued_bytes: usize,
    /// Round trip of the last answered ping.
    pub last_rtt_ms: Option<u64>,
    /// Requests not answered yet (queued or sent).
    pub pending: usize,
}
