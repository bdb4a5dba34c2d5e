//! setTimeout-style heartbeat of one open socket.
//!
//! After open and after every message that proves liveness, a ping timer of
//! `interval` is (re)armed. When it fires, the ping is sent and a pong timer
//! of `timeout` is armed instead; a message proving liveness before it fires
//! goes back to the ping timer. If the pong timer fires, the socket is dead,
//! unless the timer fired *late* (see [`late_slack`]).
//!
//! [`Heartbeat`] owns its timers; the session tells it what happened
//! (`on_message`, `on_timeout`, `probe`) and carries out what it answers
//! (send a ping, give the socket up).

use super::HeartbeatConfig;

/// Which of the two heartbeat timers is armed, with its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timer {
    /// Silence so far; send a ping at this time.
    Ping(u64),
    /// A ping is out; declare the socket dead at this time.
    Pong(u64),
}

/// What the session must do when the heartbeat's timer fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Due {
    /// Send the ping now (the pong timer is armed).
    Ping,
    /// The socket is dead: nothing arrived for `silent_for` ms.
    Dead { silent_for: u64 },
}

#[derive(Debug, Clone)]
pub(crate) struct Heartbeat {
    interval: u64,
    timeout: u64,
    timer: Timer,
    /// Time of the last message of any kind (for `silent_for`).
    last_message: u64,
    /// When the unanswered ping (if any) was sent, for the round-trip time.
    ping_sent: Option<u64>,
    /// The outstanding ping is the probe sent because a pong timer fired
    /// late; if its own timer expires, the socket is dead even if late again.
    probing_after_late: bool,
}

impl Heartbeat {
    /// The socket opened at `now`: silence is counted from here.
    pub(crate) fn start<M>(now: u64, cfg: &HeartbeatConfig<M>) -> Self {
        Heartbeat {
            interval: cfg.interval,
            timeout: cfg.timeout,
            timer: Timer::Ping(now.saturating_add(cfg.interval)),
            last_message: now,
            ping_sent: None,
            probing_after_late: false,
        }
    }

    /// When [`on_timeout`](Self::on_timeout) is due.
    pub(crate) fn deadline(&self) -> u64 {
        match self.timer {
            Timer::Ping(t) | Timer::Pong(t) => t,
        }
    }

    /// A message arrived at `now`. `answers`: it is a reply to the ping;
    /// `alive`: it proves liveness (re-arms the ping timer). Returns the
    /// round-trip time when it answered an outstanding ping.
    pub(crate) fn on_message(&mut self, now: u64, answers: bool, alive: bool) -> Option<u64> {
        self.last_message = now;
        let rtt = if answers {
            self.ping_sent.take().map(|sent| now.saturating_sub(sent))
        } else {
            None
        };
        if answers || alive {
            self.timer = Timer::Ping(now.saturating_add(self.interval));
            self.probing_after_late = false;
        }
        rtt
    }

    /// The timer fired at `now` (not before [`deadline`](Self::deadline)).
    pub(crate) fn on_timeout(&mut self, now: u64) -> Due {
        match self.timer {
            Timer::Ping(_) => {
                self.pinged(now);
                Due::Ping
            }
            // The page or machine was suspended: the reply may be queued
            // unprocessed. Probe (once) instead of declaring it dead.
            Timer::Pong(due) if !self.probing_after_late && is_late(now, due, self.timeout) => {
                self.probing_after_late = true;
                self.pinged(now);
                Due::Ping
            }
            Timer::Pong(_) => Due::Dead {
                silent_for: now.saturating_sub(self.last_message),
            },
        }
    }

    /// Checks liveness now (page resumed, network changed): true when a ping
    /// must go out now, false when one is already out.
    pub(crate) fn probe(&mut self, now: u64) -> bool {
        match self.timer {
            Timer::Ping(_) => {
                self.pinged(now);
                true
            }
            Timer::Pong(_) => false,
        }
    }

    /// A ping goes out now: arm the pong timer.
    fn pinged(&mut self, now: u64) {
        self.timer = Timer::Pong(now.saturating_add(self.timeout));
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
