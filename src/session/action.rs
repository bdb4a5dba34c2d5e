//! What the core asks a driver to do, drained with [`Session::poll`](super::Session::poll).

use super::{Event, Gen};

/// What the core asks the driver to do, drained with [`Session::poll`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Action<M> {
    /// Open a new socket and tag all its inputs with `gen`.
    Connect { gen: Gen },
    /// Hand `data` to the socket of `gen` (it is open).
    Send { gen: Gen, data: M },
    /// Detach every handler of the socket of `gen`, then close it (with
    /// `code`/`reason` when given). The core has already moved on: the driver
    /// must not wait for, nor report, that socket's `close` event.
    Abandon {
        gen: Gen,
        code: Option<u16>,
        reason: String,
    },
    /// Start the closing handshake on the socket of `gen` and keep reporting
    /// its events: the core waits for `Closed` (bounded by a close timeout).
    Close { gen: Gen, code: u16, reason: String },
    /// Deliver an event to the application.
    Emit(Event<M>),
}
