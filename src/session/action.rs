//! What the core asks a driver to do, drained with [`Session::poll`](super::Session::poll).

use super::{Event, Gen, Payload};

/// What the core asks the driver to do, drained with [`Session::poll`](super::Session::poll).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Action<M: Payload> {
    /// Open a new socket and tag all its inputs with `gen`.
    Connect {
        /// The new socket's generation.
        gen: Gen,
    },
    /// Hand `data` to the socket of `gen` (it is open).
    Send {
        /// The socket to send on.
        gen: Gen,
        /// The message.
        data: M,
    },
    /// Detach every handler of the socket of `gen`, then close it (with
    /// `code`/`reason` when given). The core has already moved on: the driver
    /// must not wait for, nor report, that socket's `close` event.
    Abandon {
        /// The socket to abandon.
        gen: Gen,
        /// Close code to close it with (`None`: close without one).
        code: Option<u16>,
        /// Close reason, sent with `code`.
        reason: M::Text,
    },
    /// Start the closing handshake on the socket of `gen` and keep reporting
    /// its events: the core waits for `Closed` (bounded by a close timeout).
    Close {
        /// The socket to close.
        gen: Gen,
        /// Close code to send.
        code: u16,
        /// Close reason to send (empty: none).
        reason: M::Text,
    },
    /// Make the URL of the attempt `gen` (the `attempt`-th in a row, for the
    /// user's URL function) and answer with [`Input::UrlReady`] or
    /// [`Input::UrlFailed`] tagged `gen`; only then does `Connect` come.
    /// (Only with [`Config::url_per_attempt`](super::Config::url_per_attempt).)
    ///
    /// [`Input::UrlReady`]: super::Input::UrlReady
    /// [`Input::UrlFailed`]: super::Input::UrlFailed
    ResolveUrl {
        /// The generation the attempt's socket will have.
        gen: Gen,
        /// Attempt number: 1 plus the failed attempts in a row before it.
        attempt: u32,
    },
    /// Make the init messages of the socket `gen`, just opened, and hand
    /// them over with [`Input::Init`](super::Input::Init) then
    /// [`Input::InitDone`](super::Input::InitDone), or answer
    /// [`Input::InitFailed`](super::Input::InitFailed). (Only with
    /// [`Config::init`](super::Config::init).)
    Init {
        /// The socket just opened.
        gen: Gen,
        /// Attempt number: 1 plus the failed attempts in a row before it.
        attempt: u32,
    },
    /// Deliver an event to the application.
    Emit(Event<M>),
}
