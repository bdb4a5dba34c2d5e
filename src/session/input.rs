//! What happened in the world, fed to [`Session::handle`](super::Session::handle).

use super::{Gen, Payload};

/// Something that happened in the world, fed with [`Session::handle`](super::Session::handle).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Input<M: Payload> {
    /// The socket of `gen` finished its opening handshake.
    Opened {
        /// The socket.
        gen: Gen,
        /// The subprotocol the server selected (empty: none).
        protocol: M::Text,
    },
    /// The socket of `gen` received a message.
    Message {
        /// The socket.
        gen: Gen,
        /// The message.
        data: M,
    },
    /// A message of the socket of `gen` that the driver itself recognised as
    /// a heartbeat reply (e.g. by running a JS `pong` function outside any
    /// borrow of the session). Handled like a message matching the pong
    /// matcher: proves liveness, answers the ping, is not emitted.
    Pong {
        /// The socket.
        gen: Gen,
        /// The reply.
        data: M,
    },
    /// The socket of `gen` reported an error (in browsers a plain `Event`,
    /// always followed by `Closed`).
    Error {
        /// The socket.
        gen: Gen,
    },
    /// The socket of `gen` closed (or failed to connect).
    Closed {
        /// The socket.
        gen: Gen,
        /// The close code (1005: none in the close frame; 1006: no closing handshake).
        code: u16,
        /// The close reason (empty: none).
        reason: M::Text,
        /// Whether the closing handshake completed (`CloseEvent.wasClean`).
        was_clean: bool,
    },
    /// The URL of attempt `gen` is ready (the driver keeps it for the
    /// `Connect` that follows). Ignored unless `gen` is still waiting for it.
    UrlReady {
        /// The attempt's generation.
        gen: Gen,
    },
    /// Making the URL of attempt `gen` failed (the user function threw or
    /// rejected, or its result is not a URL): a failed attempt.
    UrlFailed {
        /// The attempt's generation.
        gen: Gen,
    },
    /// One init message of the socket `gen` (asked with `Action::Init`),
    /// sent at once; more may follow until `InitDone`.
    Init {
        /// The socket.
        gen: Gen,
        /// The init message.
        data: M,
    },
    /// Every init message of `gen` was handed over.
    InitDone {
        /// The socket.
        gen: Gen,
    },
    /// Making the init messages of `gen` failed: a failed attempt.
    InitFailed {
        /// The socket.
        gen: Gen,
    },
    /// A message of the socket `gen` that the driver recognised as the
    /// init's ack (user code, like [`Input::Pong`]). Outside the wait for
    /// an ack it is an ordinary message.
    Ack {
        /// The socket.
        gen: Gen,
        /// The ack message.
        data: M,
    },
    /// The page came back online (`online` event).
    Online,
    /// The page went offline (`offline` event).
    Offline,
    /// The page became visible again or was restored from the back-forward
    /// cache (`visibilitychange` to visible, `pageshow` with `persisted`).
    Resumed,
    /// The page was hidden (`visibilitychange` to hidden).
    Hidden,
}
