//! Where the machine is: the reconnect lock as a type.

use super::heartbeat::Heartbeat;
use super::{Gen, State};

/// Where the machine is. The reconnect lock *is* this enum: exactly the
/// variants holding a `gen` own a live socket, so there is never more than
/// one, and inputs of any other generation are ignored.
#[derive(Debug)]
pub(crate) enum Phase {
    /// The socket `gen` is in its opening handshake.
    Connecting {
        gen: Gen,
        started: u64,
        /// `None` when `connect_timeout` is 0.
        deadline: Option<u64>,
        /// The deadline was already extended once because its timer fired late.
        graced: bool,
    },
    /// The socket `gen` is open.
    Open {
        gen: Gen,
        opened_at: u64,
        /// `None` when the heartbeat is disabled.
        hb: Option<Heartbeat>,
    },
    /// `close()` was called on the open socket `gen`; waiting for its close.
    Closing { gen: Gen, deadline: u64 },
    /// No socket; the next attempt starts at `until`.
    Waiting { until: u64 },
    /// No socket, no timer, for good (until `reconnect()` revives it).
    Closed,
}

impl Phase {
    pub(crate) fn state(&self) -> State {
        match self {
            Phase::Connecting { .. } => State::Connecting,
            Phase::Open { .. } => State::Open,
            Phase::Closing { .. } => State::Closing,
            Phase::Waiting { .. } => State::Reconnecting,
            Phase::Closed => State::Closed,
        }
    }

    pub(crate) fn gen(&self) -> Option<Gen> {
        match *self {
            Phase::Connecting { gen, .. }
            | Phase::Open { gen, .. }
            | Phase::Closing { gen, .. } => Some(gen),
            Phase::Waiting { .. } | Phase::Closed => None,
        }
    }
}
