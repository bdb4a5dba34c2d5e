//! A model driver that carries out the session's actions against a model of
//! the world and checks the invariants after every step:
//!
//! - at most one live socket: a socket is live from its `Connect` until the
//!   core abandons it or the world reports it closed; the live one is always
//!   the core's current generation;
//! - every socket that ends produces exactly one `Close` event;
//! - `State` events chain (`previous` = the last state) and match `state()`;
//! - app messages reach sockets exactly once, in `send` order, only on the
//!   live socket; what is not handed over yet is exactly `stats.queued`;
//! - every backoff delay is within `[minDelay, maxDelay]` and within the
//!   documented bounds of its retry number; the retry number only resets
//!   after a connection stayed open `stableAfter` (or a revival);
//! - once `Closed`, no timer and no action whatever arrives (until the app
//!   calls `reconnect()`);
//! - a timer handled at or after its deadline always moves the deadline
//!   (no busy loop).

use std::collections::VecDeque;

use steadyws::message::Message;
use steadyws::session::{
    delay_bounds, Action, Config, Event, Gen, Input, SendError, Sent, Session, State,
};

pub struct Model {
    pub s: Session<Message>,
    pub now: u64,
    cfg: Config<Message>,
    /// The live socket, if any.
    pub live: Option<Gen>,
    pub last_issued: u32,
    /// Sockets that ended (abandoned or reported closed while live).
    pub ended: u64,
    pub close_events: u64,
    state: State,
    /// Accepted app messages not yet handed to a socket, in order.
    pending: VecDeque<Message>,
    next_id: u64,
    /// Backoff bookkeeping.
    last_attempt: Option<u32>,
    open_at: Option<u64>,
    stable_seen: bool,
    revived: bool,
    /// The app called close() and the session reached Closed since.
    pub quiet: bool,
    /// Figures for reports.
    pub connects: u64,
    pub opens: u64,
    pub heartbeat_timeouts: u64,
    pub max_delay_seen: u64,
    pub delays: u64,
    pub app_handed: u64,
    pub messages_in: u64,
    pub steps: u64,
    /// Times the session reached Closed.
    pub closed_reached: u64,
    /// Events and new sockets since a world simulation last took them.
    pub step_events: Vec<Event<Message>>,
    pub step_connects: Vec<Gen>,
    /// Whether to fill `step_events` / `step_connects`.
    pub record: bool,
    /// A pong matcher is set: "pong" must never reach the app.
    swallows_pongs: bool,
}

impl Model {
    pub fn new(mut cfg: Config<Message>, seed: u64, pong_matcher: bool) -> Model {
        // The reply is recognised by the configured text half of the time,
        // by a matcher the other half: both must behave the same.
        let by_config = pong_matcher && seed % 2 == 0 && cfg.heartbeat.is_some();
        if let (true, Some(hb)) = (by_config, cfg.heartbeat.as_mut()) {
            hb.pong = Some(Message::Text("pong".into()));
        }
        let mut s = Session::new(cfg.clone(), seed, 0).expect("valid config");
        if pong_matcher && !by_config {
            s.set_pong_matcher(Box::new(
                |m: &Message| matches!(m, Message::Text(t) if t == "pong"),
            ));
        }
        let mut m = Model {
            s,
            now: 0,
            cfg,
            live: None,
            last_issued: 0,
            ended: 0,
            close_events: 0,
            state: State::Connecting,
            pending: VecDeque::new(),
            next_id: 0,
            last_attempt: None,
            open_at: None,
            stable_seen: false,
            revived: false,
            quiet: false,
            connects: 0,
            opens: 0,
            heartbeat_timeouts: 0,
            max_delay_seen: 0,
            delays: 0,
            app_handed: 0,
            messages_in: 0,
            steps: 0,
            closed_reached: 0,
            step_events: Vec::new(),
            step_connects: Vec::new(),
            record: false,
            swallows_pongs: pong_matcher,
        };
        m.after(false);
        m
    }

    /// Drains and checks the actions of one step.
    fn after(&mut self, may_wake: bool) {
        self.steps += 1;
        let was_quiet = self.quiet && !may_wake;
        let mut any = false;
        let mut last_delay = None;
        while let Some(a) = self.s.poll() {
            any = true;
            match a {
                Action::Connect { gen } => {
                    assert!(
                        self.live.is_none(),
                        "Connect {gen:?} while {:?} live",
                        self.live
                    );
                    assert_eq!(
                        gen.0,
                        self.last_issued.wrapping_add(1).max(1),
                        "fresh generation"
                    );
                    self.last_issued = gen.0;
                    self.live = Some(gen);
                    self.connects += 1;
                    if self.record {
                        self.step_connects.push(gen);
                    }
                }
                Action::Abandon { gen, .. } => {
                    assert_eq!(self.live, Some(gen), "abandon of a socket that is not live");
                    self.live = None;
                    self.ended += 1;
                }
                Action::Close { gen, .. } => {
                    assert_eq!(self.live, Some(gen));
                }
                Action::Send { gen, data } => {
                    assert_eq!(self.live, Some(gen), "send on a socket that is not live");
                    let is_ping = self.cfg.heartbeat.as_ref().is_some_and(|h| h.ping == data);
                    if !is_ping {
                        let expected = self.pending.pop_front();
                        assert_eq!(expected.as_ref(), Some(&data), "order / exactly once");
                        self.app_handed += 1;
                    }
                }
                Action::Emit(e) => {
                    self.check_event(&e, &mut last_delay);
                    if self.record {
                        self.step_events.push(e);
                    }
                }
                _ => panic!("unknown action"),
            }
        }
        if was_quiet {
            assert!(!any, "actions after Closed");
        }
        let st = self.s.state();
        assert_eq!(st, self.state, "State events must track state()");
        assert_eq!(
            self.s.current_gen(),
            self.live,
            "the live socket is the current one"
        );
        assert_eq!(
            self.close_events, self.ended,
            "one Close event per ended socket"
        );
        let stats = self.s.stats();
        assert_eq!(stats.queued, self.pending.len(), "queued count");
        assert_eq!(stats.messages_out, self.app_handed, "messages_out");
        assert_eq!(stats.messages_in, self.messages_in, "messages_in");
        match st {
            State::Closed => {
                assert_eq!(self.s.poll_timeout(), None, "no timer after Closed");
                assert!(self.live.is_none());
                if !self.quiet {
                    self.closed_reached += 1;
                }
                self.quiet = true;
            }
            State::Reconnecting => {
                let t = self.s.poll_timeout().expect("a backoff timer");
                if let Some(d) = last_delay {
                    assert_eq!(t, self.now.saturating_add(d), "attempt after `delay`");
                }
            }
            _ => {}
        }
        if st != State::Closed {
            self.quiet = false;
        }
    }

    fn check_event(&mut self, e: &Event<Message>, last_delay: &mut Option<u64>) {
        match e {
            Event::State { state, previous } => {
                assert_eq!(*previous, self.state, "State chain");
                assert_ne!(state, previous);
                self.state = *state;
            }
            Event::Open { attempt, .. } => {
                assert_eq!(*attempt, self.s.stats().attempt);
                self.opens += 1;
                self.open_at = Some(self.now);
            }
            Event::Close { .. } => {
                self.close_events += 1;
                if let (Some(t), Some(rc)) = (self.open_at, &self.cfg.reconnect) {
                    if self.now - t >= rc.stable_after {
                        self.stable_seen = true;
                    }
                }
                self.open_at = None;
            }
            Event::Reconnecting { attempt, delay } => {
                let rc = self.cfg.reconnect.as_ref().expect("reconnect enabled");
                assert!(*delay >= rc.min_delay && *delay <= rc.max_delay, "{delay}");
                assert!(*attempt >= 2);
                let (lo, hi) = delay_bounds(rc, attempt - 2);
                assert!((lo..=hi).contains(delay), "{delay} not in [{lo},{hi}]");
                if let Some(max) = rc.max_retries {
                    assert!(*attempt - 1 <= max, "retries beyond max");
                }
                match self.last_attempt {
                    Some(prev) if *attempt == prev + 1 => {}
                    None if *attempt == 2 => {}
                    _ => assert!(
                        *attempt == 2 && (self.stable_seen || self.revived),
                        "backoff reset without a stable connection: {:?} -> {attempt}",
                        self.last_attempt
                    ),
                }
                self.last_attempt = Some(*attempt);
                self.stable_seen = false;
                self.revived = false;
                self.max_delay_seen = self.max_delay_seen.max(*delay);
                self.delays += 1;
                *last_delay = Some(*delay);
            }
            Event::HeartbeatTimeout { silent_for } => {
                let hb = self.cfg.heartbeat.as_ref().expect("heartbeat enabled");
                // With `any_message_counts`, every message re-arms the ping
                // timer, so the last message precedes the unanswered ping.
                if hb.any_message_counts {
                    assert!(*silent_for >= hb.timeout, "dead after less than timeout");
                }
                self.heartbeat_timeouts += 1;
            }
            Event::Message(data) => {
                assert!(
                    !matches!(data, Message::Text(t) if t == "pong") || !self.swallows_pongs,
                    "a pong reply was delivered as a message"
                );
                self.messages_in += 1;
            }
            Event::Pong { .. } | Event::Ping | Event::Error(_) => {}
            _ => panic!("unknown event"),
        }
    }

    pub fn input(&mut self, input: Input<Message>) {
        // The world reporting a close ends a live socket.
        if let Input::Closed { gen, .. } = &input {
            if self.live == Some(*gen) && self.s.current_gen() == Some(*gen) {
                self.live = None;
                self.ended += 1;
            }
        }
        self.s.handle(input, self.now);
        self.after(false);
    }

    /// Fires due timers on time up to `t`.
    pub fn advance_to(&mut self, t: u64) {
        let mut guard = 0;
        while let Some(d) = self.s.poll_timeout() {
            if d > t {
                break;
            }
            self.now = self.now.max(d);
            self.s.handle_timeout(self.now);
            self.after(false);
            if let Some(n) = self.s.poll_timeout() {
                assert!(n > self.now, "timer handled but deadline did not move");
            }
            guard += 1;
            assert!(guard < 10_000, "timer storm");
        }
        self.now = self.now.max(t);
    }

    /// The page was frozen until `t`: fires what is due once, late.
    pub fn suspend_until(&mut self, t: u64) {
        self.now = self.now.max(t);
        if self.s.poll_timeout().is_some_and(|d| d <= self.now) {
            self.s.handle_timeout(self.now);
            self.after(false);
        }
    }

    /// handle_timeout at an arbitrary moment (possibly early).
    pub fn poke(&mut self) {
        self.s.handle_timeout(self.now);
        self.after(false);
    }

    pub fn send(&mut self, size: usize) {
        self.next_id += 1;
        let body = format!("m{}{}", self.next_id, "x".repeat(size));
        let msg = Message::Text(body);
        let before = self.s.state();
        let queued = self.s.stats();
        match self.s.send(msg.clone(), self.now) {
            Ok(Sent::Sent) => {
                assert_eq!(before, State::Open);
                self.pending.push_back(msg);
            }
            Ok(Sent::Queued) => {
                assert!(matches!(before, State::Connecting | State::Reconnecting));
                self.pending.push_back(msg);
            }
            Err(SendError::QueueFull(m)) => {
                assert_eq!(m, msg, "refused message handed back");
                let q = self.cfg.queue.expect("queue enabled");
                assert!(
                    queued.queued >= q.max_messages || queued.queued_bytes + m.len() > q.max_bytes
                );
            }
            Err(SendError::NotOpen(m)) => {
                assert_eq!(m, msg);
                assert!(self.cfg.queue.is_none());
                assert!(matches!(before, State::Connecting | State::Reconnecting));
            }
            Err(SendError::Closed(m)) => {
                assert_eq!(m, msg);
                assert!(matches!(before, State::Closing | State::Closed));
            }
            Err(_) => panic!("unknown send error"),
        }
        self.after(false);
    }

    pub fn close(&mut self, code: u16) {
        self.s.close(code, String::new(), self.now);
        self.after(false);
    }

    pub fn reconnect(&mut self) {
        if self.s.state() == State::Closed || self.s.state() == State::Closing {
            self.revived = true;
        }
        self.s.reconnect(self.now);
        self.after(true);
    }

    pub fn take_queued(&mut self) {
        let taken = self.s.take_queued();
        let expected: Vec<Message> = self.pending.drain(..).collect();
        assert_eq!(taken, expected);
        self.after(false);
    }

    /// A generation chosen relative to the newest one: 0 = newest, k = k
    /// generations older, 255 = one never handed out.
    pub fn gen_sel(&self, sel: u8) -> Gen {
        if sel == 255 {
            Gen(self.last_issued.wrapping_add(1))
        } else {
            Gen(self.last_issued.wrapping_sub(sel as u32))
        }
    }
}

trait Len {
    fn len(&self) -> usize;
}

impl Len for Message {
    fn len(&self) -> usize {
        match self {
            Message::Text(t) => t.len(),
            Message::Binary(b) => b.len(),
        }
    }
}
