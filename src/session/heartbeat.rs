//! setTimeout-style heartbeat of one open socket.
//!
//! After open and after every message that proves liveness, a ping timer of
//! `interval` is (re)armed. When it fires, the ping is sent and a pong timer
//! of `timeout` is armed instead; a message proving liveness before it fires
//! goes back to the ping timer. If the pong timer fires, the socket is dead,
//! unless the timer fired *late* (see [`late_slack`]).

/// Which of the two heartbeat timers is armed, with its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timer {
    /// Silence so far; send a ping at this time.
    Ping(u64),
    /// A ping is out; declare the socket dead at this time.
    Pong(u64),
}

#[derive(Debug, Clone)]
pub(crate) struct Heartbeat {
    pub(crate) timer: Timer,
    /// Time of the last message of any kind (for `silent_for`).
    pub(crate) last_message: u64,
    /// When the unanswered ping (if any) was sent, for the round-trip time.
    pub(crate) ping_sent: Option<u64>,
    /// The outstanding ping is the probe sent because a pong timer fired
    /// late; if its own timer expires, the socket is dead even if late again.
    pub(crate) probing_after_late: bool,
}

impl Heartbeat {
    pub(crate) fn start(now: u64, interval: u64) -> Self {
        Heartbeat {
            timer: Timer::Ping(now.saturating_add(interval)),
            last_message: now,
            ping_sent: None,
            probing_after_late: false,
        }
    }

    pub(crate) fn deadline(&self) -> u64 {
        match self.timer {
            Timer::Ping(t) | Timer::Pong(t) => t,
        }
    }

    /// A message proving liveness arrived: back to the ping timer.
    pub(crate) fn alive(&mut self, now: u64, interval: u64) {
        self.timer = Timer::Ping(now.saturating_add(interval));
        self.probing_after_late = false;
    }

    /// A ping went out now: arm the pong timer.
    pub(crate) fn pinged(&mut self, now: u64, timeout: u64) {
        self.timer = Timer::Pong(now.saturating_add(timeout));
        self.ping_sent = Some(now);
    }
}

/// How late a timer may fire before the core suspects that the page (or the
/// machine) was suspended rather than that the peer went silent:
/// `max(window / 2, 1000)` ms past its deadline, where `window` is the
/// timer's own duration. Browsers clamp timers in background tabs to at most
/// one per second, and intensive throttling batches them once a minute, so a
/// timer that is seconds late says nothing about the network: while the page
/// was frozen, a reply may have been sitting unprocessed in the event queue.
pub fn late_slack(window: u64) -> u64 {
    (window / 2).max(1_000)
}

/// Whether a timer due at `due` and firing at `now` fired late.
pub(crate) fn is_late(now: u64, due: u64, window: u64) -> bool {
    now.saturating_sub(due) > late_slack(window)
}
