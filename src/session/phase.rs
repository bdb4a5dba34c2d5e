//! Where the machine is: the reconnect lock as a type.

use super::heartbeat::Heartbeat;
use super::{Gen, State};

/// Where the machine is. The reconnect lock *is* this enum: exactly the
/// variants for which [`Phase::gen`] is `Some` own a live socket, so there is
/// never more than one, and inputs of any other generation are ignored.
/// `Resolving` names its attempt's generation but owns no socket yet.
#[derive(Debug)]
pub(crate) enum Phase<T> {
    /// Attempt `gen` waits for its URL (`Action::ResolveUrl`); the time
    /// counts against the connect timeout, as in `Connecting`.
    Resolving {
        gen: Gen,
        started: u64,
        deadline: Option<u64>,
        graced: bool,
    },
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
    /// The socket `gen` is open, but not yet for the app: its init is being
    /// made (`acked: false, init_sent: false`) or waits for its ack. The
    /// public state stays `Connecting`; the heartbeat runs.
    Handshake {
        gen: Gen,
        protocol: T,
        hb: Option<Heartbeat>,
        /// `init.timeout` after the open.
        deadline: u64,
        /// The init messages are out; waiting for the ack.
        init_sent: bool,
    },
    /// `close()` was called on the open socket `gen`; waiting for its close.
    Closing { gen: Gen, deadline: u64 },
    /// No socket; the next attempt starts at `until`.
    Waiting { until: u64 },
    /// No socket, no timer, for good (until `reconnect()` revives it).
    Closed,
}

impl<T> Phase<T> {
    pub(crate) fn state(&self) -> State {
        match self {
            Phase::Resolving { .. } | Phase::Connecting { .. } | Phase::Handshake { .. } => {
                State::Connecting
            }
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
            | Phase::Handshake { gen, .. }
            | Phase::Closing { gen, .. } => Some(gen),
            Phase::Resolving { .. } | Phase::Waiting { .. } | Phase::Closed => None,
        }
    }
}
