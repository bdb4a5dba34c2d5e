//! The public state of a session and the generation that names each socket.

/// The generation of a socket. Every socket the core asks a driver to open
/// gets a new one (starting at 1; `Gen(0)` is never used); inputs tagged
/// with any generation but the current one are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gen(pub u32);

/// The public state, as in API.md (`sock.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// An attempt is under way: making its URL, opening the socket, or (with
    /// init) sending the init messages and waiting for the ack.
    Connecting,
    /// The socket is open (and, with init, acknowledged): messages flow.
    Open,
    /// `close()` was called; waiting for the socket's close.
    Closing,
    /// No socket and no reconnection, until `reconnect()`.
    Closed,
    /// Waiting out a backoff delay before the next attempt.
    Reconnecting,
}

impl State {
    /// The name used in JS (`'connecting'`, `'open'`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            State::Connecting => "connecting",
            State::Open => "open",
            State::Closing => "closing",
            State::Closed => "closed",
            State::Reconnecting => "reconnecting",
        }
    }
}
