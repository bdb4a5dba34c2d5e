//! What happened in the world, fed to [`Session::handle`](super::Session::handle).

use super::Gen;

/// Something that happened in the world, fed with [`Session::handle`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Input<M> {
    /// The socket of `gen` finished its opening handshake.
    Opened { gen: Gen, protocol: String },
    /// The socket of `gen` received a message.
    Message { gen: Gen, data: M },
    /// A message of the socket of `gen` that the driver itself recognised as
    /// a heartbeat reply (e.g. by running a JS `pong` function outside any
    /// borrow of the session). Handled like a message matching the pong
    /// matcher: proves liveness, answers the ping, is not emitted.
    Pong { gen: Gen, data: M },
    /// The socket of `gen` reported an error (in browsers a plain `Event`,
    /// always followed by `Closed`).
    Error { gen: Gen },
    /// The socket of `gen` closed (or failed to connect).
    Closed {
        gen: Gen,
        code: u16,
        reason: String,
        was_clean: bool,
    },
    /// The URL of attempt `gen` is ready (the driver keeps it for the
    /// `Connect` that follows). Ignored unless `gen` is still waiting for it.
    UrlReady { gen: Gen },
    /// Making the URL of attempt `gen` failed (the user function threw or
    /// rejected, or its result is not a URL): a failed attempt.
    UrlFailed { gen: Gen },
    /// One init message of the socket `gen` (asked with `Action::Init`),
    /// sent at once; more may follow until `InitDone`.
    Init { gen: Gen, data: M },
    /// Every init message of `gen` was handed over.
    InitDone { gen: Gen },
    /// Making the init messages of `gen` failed: a failed attempt.
    InitFailed { gen: Gen },
    /// A message of the socket `gen` that the driver recognised as the
    /// init's ack (user code, like [`Input::Pong`]). Outside the wait for
    /// an ack it is an ordinary message.
    Ack { gen: Gen, data: M },
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
