//! Events for the application and the typed errors they carry.

use super::{Payload, RequestError, RequestId, State};

/// Events for the application (API.md `sock.on(type, ...)`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event<M: Payload> {
    /// A connection opened for the app (JS `'open'`).
    Open {
        /// The subprotocol the server chose (empty: none).
        protocol: M::Text,
        /// The attempt number (1 = first).
        attempt: u32,
        /// The message that acknowledged the init (`init.ack`), if one was
        /// awaited; it is not emitted as a `Message`.
        ack: Option<M>,
    },
    /// A message (JS `'message'`), as it arrived: decoding is the driver's.
    Message(M),
    /// A connection or attempt ended (JS `'close'`).
    Close {
        /// The close code.
        code: u16,
        /// The close reason.
        reason: M::Text,
        /// Whether the closing handshake completed.
        was_clean: bool,
        /// Whether another attempt follows.
        will_reconnect: bool,
    },
    /// A backoff wait started (JS `'reconnecting'`).
    Reconnecting {
        /// The attempt number (1 = first).
        attempt: u32,
        /// ms until the next attempt.
        delay: u64,
    },
    /// The heartbeat found the socket dead (JS `'heartbeat-timeout'`).
    HeartbeatTimeout {
        /// ms since the last message.
        silent_for: u64,
    },
    /// A heartbeat ping was sent.
    Ping,
    /// A heartbeat ping was answered after `rtt` ms.
    Pong {
        /// ms from the ping to its answer.
        rtt: u64,
    },
    /// Something failed (JS `'error'`).
    Error(Error),
    /// The public state changed (JS `'state'`), last in its step.
    State {
        /// The new state.
        state: State,
        /// The state before.
        previous: State,
    },
    /// The request `id` will get no reply (it is no longer pending).
    RequestFailed {
        /// The request, as [`Session::request`](super::Session::request) named it.
        id: RequestId,
        /// Why it failed.
        error: RequestError,
    },
}

/// Typed errors of the connection (JS: `Error` with `name`/`code`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The socket reported an error event.
    Socket,
    /// A socket stayed CONNECTING longer than `connect_timeout`.
    ConnectTimeout {
        /// ms the socket stayed connecting.
        after: u64,
    },
    /// `max_retries` attempts failed; the session is closed for good.
    RetriesExhausted {
        /// Failed attempts in a row.
        attempts: u32,
    },
    /// The server closed with a code configured as fatal; no reconnect.
    FatalClose {
        /// The close code.
        code: u16,
    },
    /// The attempt's URL could not be made (the driver has the cause).
    UrlFailed,
    /// No ack of the init within `init.timeout` ms of the open.
    InitTimeout {
        /// ms from the open to the deadline.
        after: u64,
    },
    /// The init messages could not be made (the driver has the cause).
    InitFailed,
}

impl Error {
    /// The stable machine-readable code (JS `err.code`).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Socket => "SOCKET_ERROR",
            Error::ConnectTimeout { .. } => "CONNECT_TIMEOUT",
            Error::RetriesExhausted { .. } => "RETRIES_EXHAUSTED",
            Error::FatalClose { .. } => "FATAL_CLOSE",
            Error::UrlFailed => "URL_FAILED",
            Error::InitTimeout { .. } => "INIT_TIMEOUT",
            // A user function threw, as for a throwing event handler.
            Error::InitFailed => "HANDLER_THREW",
        }
    }
}

// Display impls are for native users and logs; nothing in the core calls
// them, so they cost the wasm build nothing unless a driver uses them.
impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::Socket => f.write_str("the socket reported an error"),
            Error::ConnectTimeout { after } => {
                write!(f, "the socket did not open within {after} ms")
            }
            Error::RetriesExhausted { attempts } => {
                write!(f, "gave up after {attempts} failed attempts in a row")
            }
            Error::FatalClose { code } => {
                write!(f, "the server closed with fatal code {code}")
            }
            Error::UrlFailed => f.write_str("the URL of the attempt could not be made"),
            Error::InitTimeout { after } => {
                write!(f, "no ack of the init within {after} ms")
            }
            Error::InitFailed => f.write_str("the init message could not be made"),
        }
    }
}

impl core::error::Error for Error {}
