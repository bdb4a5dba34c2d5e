//! The sans-IO connection state machine: heartbeat, reconnect lock, backoff,
//! connect timeout and the send queue.
//!
//! Time is a plain `u64` count of milliseconds from any fixed origin (the
//! browser driver uses `performance.now()`, tests a virtual clock). Durations
//! are `u64` milliseconds too.
//!
//! The machine is generic over the message type `M`: the browser driver uses
//! a `JsValue` (so message data never crosses into linear memory), the native
//! driver and the tests use [`crate::message::Message`]. The core never looks
//! inside a message except through [`Payload`] and the configured pong
//! matcher.
//!
//! Policy lives here and nowhere else: what counts as a heartbeat reply
//! ([`HeartbeatConfig::pong`], or a matcher), what proves liveness (every
//! frame a socket receives is fed in, generation-tagged, before a driver
//! decides how to decode it), the defaults and the validation of every
//! option ([`Config`]).
//!
//! # Driving it
//!
//! [`Session::new`] queues the first `Connect`. Then, in a loop: feed what
//! happened ([`Session::handle`], the app's [`send`](Session::send) /
//! [`close`](Session::close) / [`reconnect`](Session::reconnect), and
//! [`handle_timeout`](Session::handle_timeout) when the single timer fires),
//! drain [`poll`](Session::poll) and carry out each [`Action`] in order, then
//! re-arm one timer for [`poll_timeout`](Session::poll_timeout). Actions that
//! touch sockets always come before the events of the same step, so a driver
//! that runs app callbacks while carrying out a batch never lets the app act
//! on a socket the core has already given up.
//!
//! # Behaviour
//!
//! **States.** `Connecting { gen }` (a socket in its handshake), `Open
//! { gen }`, `Closing { gen }` (after the app's `close()`), `Reconnecting`
//! (waiting out a backoff delay, no socket), `Closed` (no socket, no timer).
//! The reconnect lock is this state: only the first three own a socket, so
//! at most one socket is ever connecting or open, whatever order socket
//! events, timers and app calls arrive in. Inputs tagged with any other
//! generation (an abandoned socket, a stale close) are ignored.
//!
//! **Continuity phases** (both public state `Connecting`, both under the
//! same lock and generation rules). With [`Config::url_per_attempt`] an
//! attempt first waits for its URL (`Resolving`, see `attempt.rs`: asked
//! with [`Action::ResolveUrl`], answered with [`Input::UrlReady`] /
//! [`Input::UrlFailed`], its time counted against the connect timeout; a
//! failure is `Error::UrlFailed` and a failed attempt without a `Close`).
//! With [`Config::init`] an opened socket first goes through `Handshake`
//! (see `init.rs`): [`Action::Init`], the init messages sent first, then the
//! wait for the ack (`Error::InitTimeout` after `init.timeout`); the queue
//! flushes and `Open { ack }` fires only then.
//!
//! **Heartbeat** (setTimeout style, as in the reference Vue example). After
//! open and after each message that proves liveness, a ping timer of
//! `interval` is (re)armed; when it fires the ping is sent (`Send` +
//! `Event::Ping`) and a pong timer of `timeout` replaces it. Any message
//! proves liveness, or with `any_message_counts = false` only a pong. A pong
//! is a message the matcher accepts (or an [`Input::Pong`]); pongs are not
//! emitted as `Message`. Without a matcher, every message answers the ping.
//! The first answer to a ping gives `Event::Pong { rtt }` and
//! `stats.last_rtt_ms`. When the pong timer fires, the socket is dead:
//! `Abandon` (never waiting for its close event, which a half-open TCP
//! connection may never deliver), `HeartbeatTimeout { silent_for }` (ms since
//! the last message of any kind), then the usual reconnect.
//!
//! **Suspended pages.** A timer that fires more than
//! [`late_slack`]`(window) = max(window / 2, 1000)` ms after its deadline
//! says the page or machine was not running, not that the peer is silent
//! (replies may sit unprocessed in the event queue). A late pong timer
//! therefore sends a fresh ping and waits `timeout` again, once: if that
//! probe's own timer expires (late or not), the socket is dead. A late
//! connect timeout gets one grace period of `late_slack(connect_timeout)`.
//! A late ping timer just pings (its pong window starts when it is sent).
//!
//! **Page lifecycle.** `Resumed` and `Online`: when open, probe at once (ping
//! now, dead after `timeout` without an answer; nothing if a ping is already
//! out); when waiting out a backoff, attempt now, but never sooner than
//! `minDelay` after the previous attempt started (so a flapping network
//! cannot cause a storm). `Offline`: when open, probe at once (a dead path is
//! found within `timeout`); otherwise nothing: attempts go on with the
//! backoff, so a missing `online` event never wedges the session. `Hidden`:
//! nothing (the late-timer rule covers throttled background timers).
//!
//! **Backoff.** See [`delay_bounds`] for the exact formula: every delay is
//! within `[minDelay, maxDelay]`, and jitter is drawn from an RNG seeded by
//! `Session::new`'s `seed`. `n` counts consecutive failed connections; it
//! resets only when a connection that stayed open `stable_after` ms ends (a
//! server that accepts then drops cannot cause a storm). With `max_retries
//! = Some(k)`, the `(k+1)`-th consecutive failure ends in `Closed` with
//! `Error::RetriesExhausted`. Every end of a connection or attempt that the
//! app did not ask for is a failure: error, close, connect timeout,
//! heartbeat timeout.
//!
//! **Close codes.** The app's `close()` never reconnects. A server close
//! with a code in `fatal_codes` (default [`DEFAULT_FATAL_CODES`]: 1002,
//! 1003, 1007, 1008, 1009, 1010, where retrying would fail the same way)
//! ends in `Closed` with `Error::FatalClose`. Every other code reconnects:
//! 1000, 1001, 1005, 1006, 1011, 1012, 1013, 1014, 1015, and 3000-4999
//! application codes (add those meaning "go away for good" to
//! `fatal_codes`). Heartbeat and connect timeouts reconnect.
//!
//! **Socket errors.** `Input::Error` abandons the socket at once (the
//! browser's following close event is then ignored): one failure, one
//! attempt.
//!
//! **Send queue.** While not open, `send` queues in order within
//! `max_messages` / `max_bytes` (`QueueFull` hands the message back; nothing
//! queued is dropped). On open the whole queue is flushed first, as the
//! first actions of that step, so it precedes anything sent later. Without
//! a queue: `NotOpen`. While closing or closed: `Closed`. The queue is kept
//! across `close()` (flushed if `reconnect()` revives the session, or taken
//! back with [`Session::take_queued`]).
//!
//! **Requests.** [`Session::request`] sends (or queues) like `send` and
//! keeps the request pending, with its deadline in the one timer
//! (`poll_timeout` is the earliest of all deadlines). The driver matches
//! replies (it knows the message format) and reports them with
//! [`Session::answer`]; the app gives up with [`Session::cancel`] (a queued
//! request is then removed from the queue, never sent). The core fails the
//! rest with `Event::RequestFailed`: `Timeout` at the deadline (queued or
//! not), `ConnectionLost` when the socket it was handed to ends (any
//! cause), `Closed` on `close()` or when the session closes for good (so
//! none is pending once `Closed`). Every request settles exactly once; a
//! queued request survives reconnects. [`take_queued`](Session::take_queued)
//! and [`pop_queued`](Session::pop_queued) return plain messages only.
//! Failures come after the `Close` / `Reconnecting` events of the same
//! step and before its `State` event.
//! With the continuity phases, requests made while `Resolving` or in the
//! `Handshake` queue like `send`: they are handed over with the flush after
//! the init (and its ack), so a socket given up during its handshake never
//! had any and loses none.
//!
//! **Close.** See [`Session::close`]. Once `Closed`, `poll_timeout()` is
//! `None`, no socket remains, and no input produces any action, until the
//! app calls `reconnect()`, which revives the session ([`Session::reconnect`]).
//!
//! # Event order
//!
//! Within one step, socket actions first, then events, the `State` event
//! last:
//!
//! - open: `Send`s of the queue, `State(open)`, `Open { protocol, attempt }`;
//! - drop, will reconnect: `Abandon` (when the core ends it), then
//!   `Error(Socket | ConnectTimeout)` or `HeartbeatTimeout` (by cause),
//!   `Close { will_reconnect: true }`, `Reconnecting { attempt, delay }`,
//!   `State(reconnecting)`;
//! - drop, final: the same up to `Close { will_reconnect: false }`, then
//!   `Error(FatalClose | RetriesExhausted)` (if that is why), `State(closed)`;
//! - attempt starts: `Connect`, `State(connecting)`.
//!
//! Every socket that ends (opened or not) yields exactly one `Close` event;
//! codes the core synthesises are 1006 (abnormal: error, heartbeat, connect
//! or close timeout) or 1000 (`reconnect()` of an open socket), with a short
//! reason (`"heartbeat timeout"`, `"connect timeout"`, ...). `Reconnecting`
//! is emitted when a backoff wait starts; `reconnect()` connects at once
//! without it. The initial `Connecting` state has no `State` event.

use alloc::{boxed::Box, vec::Vec};

mod action;
mod attempt;
mod backoff;
mod config;
mod event;
mod fifo;
mod heartbeat;
mod init;
mod input;
mod payload;
mod phase;
mod queue;
mod request;
mod rng;
mod send;
mod state;
mod stats;

pub use action::Action;
pub use backoff::delay_bounds;
pub use config::{
    Ack, Config, ConfigError, HeartbeatConfig, InitConfig, Opt, QueueConfig, Reason,
    ReconnectConfig, DEFAULT_CLOSE_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_FACTOR,
    DEFAULT_FATAL_CODES, DEFAULT_HEARTBEAT_MS, DEFAULT_INIT_TIMEOUT, DEFAULT_JITTER, DEFAULT_JSON,
    DEFAULT_MAX_BYTES, DEFAULT_MAX_DELAY, DEFAULT_MAX_MESSAGES, DEFAULT_MIN_DELAY, DEFAULT_PING,
    DEFAULT_PONG, DEFAULT_REQUEST_TIMEOUT, DEFAULT_RPC_ID, DEFAULT_STABLE_AFTER,
};
pub use event::{Error, Event};
pub use heartbeat::late_slack;
pub use input::Input;
pub use payload::Payload;
pub use request::{RequestError, RequestId};
pub use send::{SendError, Sent};
pub use state::{Gen, State};
pub use stats::Stats;

pub(crate) use fifo::Fifo;
use heartbeat::{Due, Heartbeat};
use phase::Phase;
use queue::SendQueue;
use request::{Requests, Which};
use rng::Rng;

/// How heartbeat replies are recognised.
enum PongRule<M> {
    /// Nothing configured: every message answers a ping.
    Unset,
    /// [`HeartbeatConfig::pong`]: a message equal to it, as it arrived.
    Equals(M),
    /// [`Session::set_pong_matcher`].
    Matcher(Box<dyn Fn(&M) -> bool>),
    /// The driver classifies replies itself and feeds them as [`Input::Pong`].
    Driver,
}

/// Reasons the core puts in the `Close` events it synthesises.
const REASON_HEARTBEAT: &str = "heartbeat timeout";
const REASON_CONNECT_TIMEOUT: &str = "connect timeout";
const REASON_RECONNECT: &str = "reconnect";
const REASON_CLOSE_TIMEOUT: &str = "close timeout";
const REASON_INIT_TIMEOUT: &str = "init timeout";
const REASON_INIT_FAILED: &str = "init failed";
/// What browsers report for a connection that ended without a close frame.
const ABNORMAL: u16 = 1006;

/// The connection state machine. See the crate docs for the run loop and the
/// module docs for the behaviour.
pub struct Session<M: Payload> {
    config: Config<M>,
    pong: PongRule<M>,
    phase: Phase<M::Text>,
    /// The generation handed out last.
    last_gen: u32,
    /// The latest time seen; the clock never goes backwards inside the core.
    now: u64,
    out: Fifo<Action<M>>,
    queue: SendQueue<M>,
    requests: Requests,
    rng: Rng,
    /// Consecutive failed connections since the backoff last reset.
    failures: u32,
    /// A socket has opened at least once (for `stats.reconnects`).
    opened_once: bool,
    /// When the latest attempt started.
    last_attempt_at: u64,
    stats: Stats,
}

impl<M: Payload> Session<M> {
    /// Validates `config` and starts the first attempt: the first `poll()`
    /// yields `Action::Connect`. `seed` seeds the jitter RNG.
    pub fn new(config: Config<M>, seed: u64, now: u64) -> Result<Self, ConfigError> {
        config.validate()?;
        let pong = match config.heartbeat.as_ref().and_then(|h| h.pong.clone()) {
            Some(pong) => PongRule::Equals(pong),
            None => PongRule::Unset,
        };
        let mut s = Session {
            config,
            pong,
            phase: Phase::Closed,
            last_gen: 0,
            now,
            out: Fifo::new(),
            queue: SendQueue::new(),
            requests: Requests::default(),
            rng: Rng::new(seed),
            failures: 0,
            opened_once: false,
            last_attempt_at: now,
            stats: Stats::default(),
        };
        // The initial Connecting state is not announced with a State event:
        // there is no previous state to report.
        s.phase = s.connect_phase();
        Ok(s)
    }

    /// Sets what counts as a pong reply (matching messages are not emitted as
    /// `Event::Message`). Without one (and without [`Input::Pong`]), every
    /// message answers a ping and none is swallowed.
    ///
    /// The matcher runs inside [`handle`](Self::handle); a driver whose
    /// matcher is user code that may re-enter should classify replies itself
    /// and feed them as [`Input::Pong`] instead.
    pub fn set_pong_matcher(&mut self, matcher: Box<dyn Fn(&M) -> bool>) {
        self.pong = PongRule::Matcher(matcher);
    }

    /// Feeds something that happened. Inputs of a socket generation that is
    /// not the current one are ignored, and so is everything once closed.
    pub fn handle(&mut self, input: Input<M>, now: u64) {
        self.tick(now);
        match input {
            Input::Opened { gen, protocol } => {
                if matches!(self.phase, Phase::Connecting { gen: g, .. } if g == gen) {
                    self.on_open(gen, protocol);
                }
            }
            Input::Message { gen, data } => {
                if self.phase.gen() == Some(gen) {
                    if self.is_ack(&data) {
                        return self.on_ack(data);
                    }
                    let is_pong = match &self.pong {
                        PongRule::Equals(pong) => *pong == data,
                        PongRule::Matcher(f) => f(&data),
                        PongRule::Unset | PongRule::Driver => false,
                    };
                    self.on_message(data, is_pong);
                }
            }
            Input::Pong { gen, data } => {
                if self.phase.gen() == Some(gen) {
                    if matches!(self.pong, PongRule::Unset) {
                        self.pong = PongRule::Driver;
                    }
                    self.on_message(data, true);
                }
            }
            Input::Error { gen } => {
                if self.phase.gen() == Some(gen) {
                    // Browsers follow `error` with `close`, but a driver that
                    // does not (or a close that never comes) must not wedge
                    // the session: drop the socket now, ignore its close.
                    self.give_up(gen, Some(Event::Error(Error::Socket)), "");
                }
            }
            Input::Closed {
                gen,
                code,
                reason,
                was_clean,
            } => {
                if self.phase.gen() == Some(gen) {
                    self.socket_gone(code, reason, was_clean);
                }
            }
            Input::UrlReady { gen } => self.on_url(gen, true),
            Input::UrlFailed { gen } => self.on_url(gen, false),
            Input::Init { gen, data } => {
                if self.awaiting_init() == Some(gen) {
                    self.hand_over(gen, data, 0);
                }
            }
            Input::InitDone { gen } => {
                if self.awaiting_init() == Some(gen) {
                    self.init_sent(gen);
                }
            }
            Input::InitFailed { gen } => {
                if self.awaiting_init() == Some(gen) {
                    let e = Event::Error(Error::InitFailed);
                    self.give_up(gen, Some(e), REASON_INIT_FAILED);
                }
            }
            Input::Ack { gen, data } => {
                if self.awaiting_ack() == Some(gen) {
                    self.on_ack(data);
                } else if self.phase.gen() == Some(gen) {
                    self.on_message(data, false);
                }
            }
            Input::Online | Input::Resumed => match self.phase {
                Phase::Open { .. } => self.probe(),
                Phase::Waiting { until } => {
                    // Cut the wait short, but never closer than `minDelay`
                    // to the previous attempt: a flapping network (or a
                    // page toggling visibility) cannot cause a storm.
                    let min = self.config.reconnect.as_ref().map_or(0, |rc| rc.min_delay);
                    let earliest = self.last_attempt_at.saturating_add(min);
                    if self.now >= earliest {
                        self.start_attempt();
                    } else {
                        self.phase = Phase::Waiting {
                            until: until.min(earliest),
                        };
                    }
                }
                _ => {}
            },
            Input::Offline => {
                if let Phase::Open { .. } = self.phase {
                    self.probe();
                }
            }
            Input::Hidden => {}
        }
    }

    /// Call when the timer armed for `poll_timeout()` fires (late is fine;
    /// early does nothing).
    pub fn handle_timeout(&mut self, now: u64) {
        self.tick(now);
        let now = self.now;
        let resolving = matches!(self.phase, Phase::Resolving { .. });
        self.fail_requests(Which::Due(now), RequestError::Timeout);
        match &mut self.phase {
            Phase::Resolving {
                gen,
                started,
                deadline: Some(deadline),
                graced,
            }
            | Phase::Connecting {
                gen,
                started,
                deadline: Some(deadline),
                graced,
            } if now >= *deadline => {
                let window = self.config.connect_timeout;
                if !*graced && heartbeat::is_late(now, *deadline, window) {
                    // Suspended while connecting: the open event may be
                    // queued behind this timer. Give it one grace period.
                    *deadline = now.saturating_add(heartbeat::late_slack(window));
                    *graced = true;
                    return;
                }
                let (gen, after) = (*gen, now.saturating_sub(*started));
                if resolving {
                    // No socket yet: nothing to abandon, no close.
                    self.emit(Event::Error(Error::ConnectTimeout { after }));
                    return self.attempt_failed(None);
                }
                let e = Event::Error(Error::ConnectTimeout { after });
                self.give_up(gen, Some(e), REASON_CONNECT_TIMEOUT);
            }
            Phase::Handshake { gen, deadline, .. } if now >= *deadline => {
                let gen = *gen;
                let after = self.config.init.as_ref().map_or(0, |i| i.timeout);
                let e = Event::Error(Error::InitTimeout { after });
                self.give_up(gen, Some(e), REASON_INIT_TIMEOUT);
            }
            Phase::Open {
                gen, hb: Some(hb), ..
            }
            | Phase::Handshake {
                gen, hb: Some(hb), ..
            } if now >= hb.deadline() => {
                let gen = *gen;
                match hb.on_timeout(now) {
                    Due::Ping => self.send_ping(gen),
                    Due::Dead { silent_for } => {
                        let e = Event::HeartbeatTimeout { silent_for };
                        self.give_up(gen, Some(e), REASON_HEARTBEAT);
                    }
                }
            }
            Phase::Closing { gen, deadline } if now >= *deadline => {
                let gen = *gen;
                self.give_up(gen, None, REASON_CLOSE_TIMEOUT);
            }
            Phase::Waiting { until } if now >= *until => self.start_attempt(),
            _ => {}
        }
    }

    /// The next action for the driver, in order.
    pub fn poll(&mut self) -> Option<Action<M>> {
        self.out.pop()
    }

    /// When `handle_timeout` must be called next; `None` = no timer.
    pub fn poll_timeout(&self) -> Option<u64> {
        let phase = match &self.phase {
            Phase::Resolving { deadline, .. } | Phase::Connecting { deadline, .. } => *deadline,
            Phase::Handshake { hb, deadline, .. } => Some(
                hb.as_ref()
                    .map_or(*deadline, |hb| hb.deadline().min(*deadline)),
            ),
            Phase::Open { hb, .. } => hb.as_ref().map(Heartbeat::deadline),
            Phase::Closing { deadline, .. } => Some(*deadline),
            Phase::Waiting { until } => Some(*until),
            Phase::Closed => None,
        };
        match (phase, self.requests.deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Sends now when open; otherwise queues (within the bounds) for the next
    /// open. Refused messages are handed back.
    ///
    /// Sending depends on no time and moves no deadline, so a driver for
    /// which reading the clock is costly may pass [`now()`](Self::now).
    pub fn send(&mut self, data: M, now: u64) -> Result<Sent, SendError<M>> {
        self.tick(now);
        self.submit(data, 0)
    }

    /// `send` of the message of request `tag` (0: a plain message).
    fn submit(&mut self, data: M, tag: u32) -> Result<Sent, SendError<M>> {
        match self.phase {
            Phase::Open { gen, .. } => {
                self.hand_over(gen, data, tag);
                Ok(Sent::Sent)
            }
            Phase::Resolving { .. }
            | Phase::Connecting { .. }
            | Phase::Handshake { .. }
            | Phase::Waiting { .. } => match &self.config.queue {
                Some(bounds) => match self.queue.push_as(data, tag, bounds) {
                    Ok(()) => Ok(Sent::Queued),
                    Err(data) => Err(SendError::QueueFull(data)),
                },
                None => Err(SendError::NotOpen(data)),
            },
            Phase::Closing { .. } | Phase::Closed => Err(SendError::Closed(data)),
        }
    }

    /// Closes for good: no reconnect after this (unless `reconnect()` is
    /// called). While open, starts the closing handshake (state `Closing`,
    /// `Closed` when the socket reports its close or after `close_timeout`);
    /// while connecting or waiting, abandons/cancels and is `Closed` at once.
    /// Queued messages stay queued (see [`take_queued`](Self::take_queued)).
    pub fn close(&mut self, code: u16, reason: M::Text, now: u64) {
        self.tick(now);
        self.fail_requests(Which::All, RequestError::Closed);
        match self.phase {
            Phase::Open { gen, .. } | Phase::Handshake { gen, .. }
                if self.config.close_timeout != 0 =>
            {
                self.out.push(Action::Close { gen, code, reason });
                let deadline = self.now.saturating_add(self.config.close_timeout);
                self.enter(Phase::Closing { gen, deadline });
            }
            // Connecting, or no time to wait for the close: abandon now.
            Phase::Connecting { gen, .. }
            | Phase::Open { gen, .. }
            | Phase::Handshake { gen, .. } => {
                self.abandon(gen, Some(code), reason.clone());
                self.emit_close(code, reason, false, false);
                self.enter(Phase::Closed);
            }
            Phase::Resolving { .. } | Phase::Waiting { .. } => self.enter(Phase::Closed),
            Phase::Closing { .. } | Phase::Closed => {}
        }
    }

    /// Abandons the current socket (if any) and connects again now, without
    /// waiting out a backoff delay. It does not reset the backoff (a
    /// connection that was open `stable_after` resets it as usual), so an
    /// app that calls it on every error cannot defeat the backoff entirely.
    ///
    /// After the session reached `Closed` (by `close()`, a fatal close code
    /// or exhausted retries), or while `Closing`, it revives the session like
    /// reconnecting-websocket's `reconnect()`: the backoff starts afresh and
    /// reconnection is enabled again.
    pub fn reconnect(&mut self, now: u64) {
        self.tick(now);
        // The socket to drop, with the code to close it with and the code
        // of its `Close` event (one call site each: smaller code).
        let dropped = match self.phase {
            Phase::Connecting { gen, .. } => Some((gen, None, ABNORMAL)),
            Phase::Open { gen, opened_at, .. } => {
                self.reset_backoff_if_stable(opened_at);
                Some((gen, Some(1000), 1000))
            }
            Phase::Handshake { gen, .. } => Some((gen, Some(1000), 1000)),
            Phase::Closing { gen, .. } => {
                self.failures = 0;
                Some((gen, None, ABNORMAL))
            }
            // A URL still being made is ignored when it comes (stale gen).
            Phase::Resolving { .. } | Phase::Waiting { .. } => None,
            Phase::Closed => {
                self.failures = 0;
                None
            }
        };
        if let Some((gen, code, close_code)) = dropped {
            self.abandon(gen, code, "".into());
            self.emit_close(close_code, REASON_RECONNECT.into(), false, true);
        }
        self.start_attempt();
    }

    /// The latest time the session was given: its idea of now.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// The public state (JS `sock.state`).
    pub fn state(&self) -> State {
        self.phase.state()
    }

    /// The counters (JS `sock.stats`).
    pub fn stats(&self) -> Stats {
        Stats {
            queued: self.queue.len(),
            queued_bytes: self.queue.bytes(),
            pending: self.requests.len(),
            ..self.stats
        }
    }

    /// The generation of the live socket (connecting, open or closing).
    pub fn current_gen(&self) -> Option<Gen> {
        self.phase.gen()
    }

    /// Removes and returns every queued message, oldest first (e.g. to keep
    /// them after `close()`, which leaves the queue as it is).
    pub fn take_queued(&mut self) -> Vec<M> {
        self.queue.take_all()
    }

    /// Removes and returns the oldest queued message, if any (one at a time,
    /// for a driver that hands them across a boundary).
    pub fn pop_queued(&mut self) -> Option<M> {
        self.queue.pop()
    }

    /// Sends `data` as a request, like [`send`](Self::send) (sent now when
    /// open, else queued within the bounds, the same refusals), and keeps it
    /// pending until the driver reports its reply ([`answer`](Self::answer)),
    /// the app gives up ([`cancel`](Self::cancel)), or the core fails it
    /// with `Event::RequestFailed`: `Timeout` once `timeout` ms have passed
    /// (`None`: `Config::request_timeout`), queued or not; `ConnectionLost`
    /// when the socket it was handed to ends; `Closed` on `close()` or when
    /// the session closes for good. A queued request survives reconnects
    /// (it goes out on the next open); a failed or cancelled one is removed
    /// from the queue and never sent. Each request settles exactly once.
    pub fn request(
        &mut self,
        data: M,
        timeout: Option<u64>,
        now: u64,
    ) -> Result<RequestId, SendError<M>> {
        self.tick(now);
        let deadline = self
            .now
            .saturating_add(timeout.unwrap_or(self.config.request_timeout));
        // Sent, queued (the id tags the queued copy) or refused as `send`.
        let id = self.requests.add(deadline, None);
        self.submit(data, id.0).map(|_| id).inspect_err(|_| {
            self.requests.remove(id, false);
        })
    }

    /// The driver matched a reply to the request `id`: it is settled. False
    /// when it is not pending (already failed or cancelled, or still queued:
    /// a message cannot answer what was not sent); the message is then an
    /// ordinary one for the app.
    pub fn answer(&mut self, id: RequestId) -> bool {
        self.requests.remove(id, true).is_some()
    }

    /// The app gave up on the request `id` (an abort, a dropped future): it
    /// is settled, and removed from the queue if still there (never sent).
    /// False when it was not pending. No event.
    pub fn cancel(&mut self, id: RequestId) -> bool {
        match self.requests.remove(id, false) {
            Some(queued) => {
                if queued {
                    self.queue.remove(id.0);
                }
                true
            }
            None => false,
        }
    }

    // ----- internals -------------------------------------------------------

    fn tick(&mut self, now: u64) {
        self.now = self.now.max(now);
    }

    /// Hands `data`, the message of request `tag` (0: none), to the open
    /// socket `gen`. (One copy of this for every send keeps the module
    /// small.)
    #[inline(never)]
    fn hand_over(&mut self, gen: Gen, data: M, tag: u32) {
        self.stats.messages_out += 1;
        self.out.push(Action::Send { gen, data });
        self.requests.sent(RequestId(tag), gen);
    }

    fn emit(&mut self, event: Event<M>) {
        self.out.push(Action::Emit(event));
    }

    /// Fails the pending requests `which` selects (by deadline and socket),
    /// oldest first, removing queued ones from the queue.
    fn fail_requests(&mut self, which: Which, error: RequestError) {
        while let Some((id, queued)) = self.requests.take_first(which) {
            if queued {
                self.queue.remove(id.0);
            }
            self.emit(Event::RequestFailed { id, error });
        }
    }

    fn emit_close(&mut self, code: u16, reason: M::Text, was_clean: bool, will_reconnect: bool) {
        self.emit(Event::Close {
            code,
            reason,
            was_clean,
            will_reconnect,
        });
    }

    fn abandon(&mut self, gen: Gen, code: Option<u16>, reason: M::Text) {
        self.out.push(Action::Abandon { gen, code, reason });
    }

    /// Moves to `phase`, announcing the state change (if any) last.
    fn enter(&mut self, phase: Phase<M::Text>) {
        let previous = self.phase.state();
        if let Some(gen) = self.phase.gen().filter(|&g| phase.gen() != Some(g)) {
            // Its socket ended: what it was handed will get no reply.
            self.fail_requests(Which::On(gen), RequestError::ConnectionLost);
        }
        if let Phase::Closed = phase {
            self.fail_requests(Which::All, RequestError::Closed);
        }
        self.phase = phase;
        let state = self.phase.state();
        if state != previous {
            self.emit(Event::State { state, previous });
        }
    }

    /// Asks for a new socket and returns the phase that owns it.
    fn connect_phase(&mut self) -> Phase<M::Text> {
        // Generations start at 1 and skip 0 when they wrap, so a driver may
        // use `Gen(0)` for "no socket".
        self.last_gen = self.last_gen.wrapping_add(1).max(1);
        let gen = Gen(self.last_gen);
        self.stats.attempt = self.failures.saturating_add(1);
        self.last_attempt_at = self.now;
        let ct = self.config.connect_timeout;
        let (started, deadline) = (self.now, (ct > 0).then(|| self.now.saturating_add(ct)));
        if self.config.url_per_attempt {
            let attempt = self.stats.attempt;
            self.out.push(Action::ResolveUrl { gen, attempt });
            return Phase::Resolving {
                gen,
                started,
                deadline,
                graced: false,
            };
        }
        self.out.push(Action::Connect { gen });
        Phase::Connecting {
            gen,
            started,
            deadline,
            graced: false,
        }
    }

    fn start_attempt(&mut self) {
        let phase = self.connect_phase();
        self.enter(phase);
    }

    fn reset_backoff_if_stable(&mut self, opened_at: u64) {
        if let Some(rc) = &self.config.reconnect {
            if self.now.saturating_sub(opened_at) >= rc.stable_after {
                self.failures = 0;
            }
        }
    }

    fn on_open(&mut self, gen: Gen, protocol: M::Text) {
        if self.config.init.is_some() {
            return self.start_handshake(gen, protocol);
        }
        self.open_for_app(gen, protocol, None);
    }

    /// The connection is open for the app (after its init and ack, if any).
    fn open_for_app(&mut self, gen: Gen, protocol: M::Text, ack: Option<M>) {
        // Flush before anything else: these Sends precede every event, so
        // even a driver that runs app callbacks (which may call `send`)
        // while carrying out this batch cannot overtake the queue.
        for (data, tag) in self.queue.drain() {
            self.hand_over(gen, data, tag);
        }
        if self.opened_once {
            self.stats.reconnects = self.stats.reconnects.saturating_add(1);
        }
        self.opened_once = true;
        // After a handshake, the ack (or the init) just proved liveness:
        // silence is counted afresh either way.
        let hb = self
            .config
            .heartbeat
            .as_ref()
            .map(|h| Heartbeat::start(self.now, h));
        self.enter(Phase::Open {
            gen,
            opened_at: self.now,
            hb,
        });
        let attempt = self.stats.attempt;
        self.emit(Event::Open {
            protocol,
            attempt,
            ack,
        });
    }

    fn on_message(&mut self, data: M, is_pong: bool) {
        let now = self.now;
        if let (
            Phase::Open { hb: Some(hb), .. } | Phase::Handshake { hb: Some(hb), .. },
            Some(cfg),
        ) = (&mut self.phase, &self.config.heartbeat)
        {
            // Without any way to recognise replies, any message answers.
            let answers = is_pong || matches!(self.pong, PongRule::Unset);
            if let Some(rtt) = hb.on_message(now, answers, cfg.any_message_counts) {
                self.stats.last_rtt_ms = Some(rtt);
                self.out.push(Action::Emit(Event::Pong { rtt }));
            }
        }
        if !is_pong {
            self.stats.messages_in += 1;
            self.emit(Event::Message(data));
        }
    }

    /// Sends the heartbeat ping on `gen` (the caller armed the pong timer).
    fn send_ping(&mut self, gen: Gen) {
        if let Some(cfg) = &self.config.heartbeat {
            let data = cfg.ping.clone();
            self.out.push(Action::Send { gen, data });
            self.emit(Event::Ping);
        }
    }

    /// Checks liveness now (page resumed, network changed): pings at once
    /// unless a ping is already out. Without a heartbeat there is nothing to
    /// probe with.
    fn probe(&mut self) {
        let now = self.now;
        if let Phase::Open {
            gen, hb: Some(hb), ..
        } = &mut self.phase
        {
            let gen = *gen;
            if hb.probe(now) {
                self.send_ping(gen);
            }
        }
    }

    /// The core gives the socket `gen` up: `Abandon`, then `event` (why),
    /// then the socket is gone with an abnormal close and `reason`.
    #[inline(never)]
    fn give_up(&mut self, gen: Gen, event: Option<Event<M>>, reason: &'static str) {
        // No code: the reason is not sent.
        self.abandon(gen, None, M::Text::default());
        if let Some(event) = event {
            self.emit(event);
        }
        self.socket_gone(ABNORMAL, reason.into(), false);
    }

    /// The live socket is gone (it closed, failed, or the core abandoned it
    /// and already emitted the matching Abandon/Error/HeartbeatTimeout).
    /// Emits `Close`, then either `Reconnecting` + state `Reconnecting`, or
    /// the final error (if any) + state `Closed`.
    fn socket_gone(&mut self, code: u16, reason: M::Text, was_clean: bool) {
        match self.phase {
            Phase::Closing { .. } => {
                self.emit_close(code, reason, was_clean, false);
                self.enter(Phase::Closed);
                return;
            }
            Phase::Open { opened_at, .. } => self.reset_backoff_if_stable(opened_at),
            Phase::Connecting { .. } | Phase::Handshake { .. } => {}
            Phase::Resolving { .. } | Phase::Waiting { .. } | Phase::Closed => return,
        }
        self.attempt_failed(Some((code, reason, was_clean)));
    }

    /// The attempt or connection failed; `close` is the `Close` event of its
    /// socket (`None`: it had none, e.g. its URL could not be made). Emits
    /// that `Close`, then either `Reconnecting` + state `Reconnecting`, or
    /// the final error (if any) + state `Closed`.
    fn attempt_failed(&mut self, close: Option<(u16, M::Text, bool)>) {
        let code = close.as_ref().map(|c| c.0);
        let (next, error) = match &self.config.reconnect {
            None => (None, None),
            Some(rc) => match code.filter(|c| rc.fatal_codes.contains(c)) {
                Some(code) => (None, Some(Error::FatalClose { code })),
                None => {
                    let n = self.failures;
                    self.failures = n.saturating_add(1);
                    if rc.max_retries.is_some_and(|max| self.failures > max) {
                        let attempts = self.failures;
                        (None, Some(Error::RetriesExhausted { attempts }))
                    } else {
                        (Some(backoff::draw(rc, n, &mut self.rng)), None)
                    }
                }
            },
        };
        if let Some((code, reason, was_clean)) = close {
            self.emit_close(code, reason, was_clean, next.is_some());
        }
        if let Some(err) = error {
            self.emit(Event::Error(err));
        }
        match next {
            Some(delay) => {
                let attempt = self.failures.saturating_add(1);
                self.emit(Event::Reconnecting { attempt, delay });
                let until = self.now.saturating_add(delay);
                self.enter(Phase::Waiting { until });
            }
            None => self.enter(Phase::Closed),
        }
    }
}
