#![cfg(not(target_arch = "wasm32"))]
//! Pending requests in the session machine (API.md "Request and response"):
//! deadlines on the virtual clock, `CONNECTION_LOST` on the end of the
//! socket a request was handed to, queued requests surviving reconnects,
//! cancelled / failed queued requests never sent, `CLOSED` on close; then a
//! property test under random socket events, timers and app calls: every
//! request settles exactly once, never before its reply or its deadline,
//! none after the session is closed, and a settled queued request is never
//! sent.

mod session_common;

use std::collections::HashMap;

use proptest::prelude::*;
use session_common::{config_no_jitter, failures, text, Sim};
use steadyws::message::Message;
use steadyws::session::{
    Action, Config, Event, Gen, Input, QueueConfig, RequestError, RequestId, SendError, State,
};

fn sends(acts: &[Action<Message>]) -> Vec<Message> {
    acts.iter()
        .filter_map(|a| match a {
            Action::Send { data, .. } => Some(data.clone()),
            _ => None,
        })
        .collect()
}

/// Moves what the core produced into the Sim's log (`Hidden` does nothing).
fn pump(sim: &mut Sim) {
    sim.input(Input::Hidden);
}

fn request(sim: &mut Sim, m: &str, timeout: Option<u64>) -> RequestId {
    let id = sim.s.request(text(m), timeout, sim.now).expect("accepted");
    pump(sim);
    let _ = sim.take();
    id
}

fn drop_socket(sim: &mut Sim) {
    let gen = sim.gen();
    sim.input(Input::Closed {
        gen,
        code: 1006,
        reason: String::new(),
        was_clean: false,
    });
}

#[test]
fn a_request_times_out_at_its_deadline_not_before() {
    let mut sim = Sim::new(Config::without_heartbeat());
    sim.open();
    let _ = sim.take();
    let id = sim.s.request(text("q"), Some(500), sim.now).unwrap();
    pump(&mut sim);
    assert_eq!(sends(&sim.take()), vec![text("q")]);
    assert_eq!(sim.s.stats().pending, 1);
    assert_eq!(sim.s.poll_timeout(), Some(500));
    sim.advance(499);
    assert!(failures(&sim.take_events()).is_empty());
    sim.advance(1);
    assert_eq!(
        failures(&sim.take_events()),
        vec![(id, RequestError::Timeout)]
    );
    assert_eq!(sim.s.stats().pending, 0);
    // Settled: a late reply is an ordinary message.
    assert!(!sim.s.answer(id));
    assert_eq!(sim.s.poll_timeout(), None);
}

#[test]
fn the_default_timeout_is_the_configs() {
    let mut c = Config::without_heartbeat();
    c.request_timeout = 1234;
    let mut sim = Sim::new(c);
    sim.open();
    let id = request(&mut sim, "q", None);
    sim.advance(1233);
    assert!(failures(&sim.take_events()).is_empty());
    sim.advance(1);
    assert_eq!(
        failures(&sim.take_events()),
        vec![(id, RequestError::Timeout)]
    );
}

#[test]
fn a_reply_settles_it_once_and_cancels_its_deadline() {
    let mut sim = Sim::new(Config::without_heartbeat());
    sim.open();
    let id = request(&mut sim, "q", Some(100));
    assert!(sim.s.answer(id));
    assert!(!sim.s.answer(id));
    assert!(!sim.s.cancel(id));
    assert_eq!(sim.s.poll_timeout(), None);
    sim.advance(1_000);
    assert!(failures(&sim.take_events()).is_empty());
}

#[test]
fn the_earliest_deadline_is_the_timer() {
    let mut sim = Sim::new(config_no_jitter());
    sim.open();
    // The heartbeat's ping timer is at 10 s.
    assert_eq!(sim.s.poll_timeout(), Some(10_000));
    let a = request(&mut sim, "a", Some(3_000));
    let b = request(&mut sim, "b", Some(2_000));
    assert_eq!(sim.s.poll_timeout(), Some(2_000));
    assert!(sim.s.cancel(b));
    assert_eq!(sim.s.poll_timeout(), Some(3_000));
    assert!(sim.s.answer(a));
    assert_eq!(sim.s.poll_timeout(), Some(10_000));
}

#[test]
fn a_drop_loses_what_was_sent_and_keeps_what_is_queued() {
    let mut sim = Sim::new(config_no_jitter());
    // Queued before the open: goes out on the open.
    let early = request(&mut sim, "early", Some(60_000));
    sim.open();
    assert_eq!(sends(&sim.take()), vec![text("early")]);
    let sent = request(&mut sim, "sent", Some(60_000));
    drop_socket(&mut sim);
    let events = sim.take_events();
    assert_eq!(
        failures(&events),
        vec![
            (early, RequestError::ConnectionLost),
            (sent, RequestError::ConnectionLost)
        ]
    );
    // While reconnecting a request queues, and survives a failed attempt.
    let queued = request(&mut sim, "queued", Some(60_000));
    sim.wait_for_attempt();
    sim.fail_connect();
    sim.wait_for_attempt();
    assert!(failures(&sim.take_events()).is_empty());
    assert_eq!(sim.s.stats().pending, 1);
    sim.open();
    assert_eq!(sends(&sim.take()), vec![text("queued")]);
    assert!(sim.s.answer(queued));
    assert_eq!(sim.s.stats().pending, 0);
}

#[test]
fn a_queued_request_keeps_its_deadline_and_is_never_sent_once_failed() {
    let mut sim = Sim::new(config_no_jitter());
    let late = request(&mut sim, "late", Some(300));
    let aborted = request(&mut sim, "aborted", Some(60_000));
    sim.send("plain").unwrap();
    let kept = request(&mut sim, "kept", Some(60_000));
    assert_eq!(sim.s.stats().queued, 4);
    assert!(sim.s.cancel(aborted));
    pump(&mut sim);
    assert_eq!(sim.s.stats().queued, 3);
    sim.advance(300);
    assert_eq!(
        failures(&sim.take_events()),
        vec![(late, RequestError::Timeout)]
    );
    assert_eq!(sim.s.stats().queued, 2);
    sim.open();
    assert_eq!(sends(&sim.take()), vec![text("plain"), text("kept")]);
    assert!(sim.s.answer(kept));
}

#[test]
fn a_message_does_not_answer_a_request_not_sent_yet() {
    let mut sim = Sim::new(config_no_jitter());
    let id = request(&mut sim, "q", None);
    assert!(!sim.s.answer(id));
    assert_eq!(sim.s.stats().pending, 1);
}

#[test]
fn refusals_are_those_of_send_and_leave_nothing_pending() {
    let mut c = config_no_jitter();
    c.queue = Some(QueueConfig {
        max_messages: 1,
        max_bytes: 100,
    });
    let mut sim = Sim::new(c);
    request(&mut sim, "a", None);
    assert!(matches!(
        sim.s.request(text("b"), None, 0),
        Err(SendError::QueueFull(_))
    ));
    assert_eq!(sim.s.stats().pending, 1);
    let mut c = config_no_jitter();
    c.queue = None;
    let mut sim = Sim::new(c);
    assert!(matches!(
        sim.s.request(text("b"), None, 0),
        Err(SendError::NotOpen(_))
    ));
    sim.close(1000);
    assert!(matches!(
        sim.s.request(text("b"), None, 0),
        Err(SendError::Closed(_))
    ));
    assert_eq!(sim.s.stats().pending, 0);
}

#[test]
fn close_fails_everything_with_closed_and_queued_ones_are_dropped() {
    let mut sim = Sim::new(config_no_jitter());
    let queued = request(&mut sim, "queued", None);
    sim.send("plain").unwrap();
    sim.close(1000);
    assert_eq!(
        failures(&sim.take_events()),
        vec![(queued, RequestError::Closed)]
    );
    // The plain message stays for take_queued; the request is gone.
    assert_eq!(sim.s.take_queued(), vec![text("plain")]);

    let mut sim = Sim::new(config_no_jitter());
    sim.open();
    let sent = request(&mut sim, "sent", None);
    sim.close(1000);
    assert_eq!(
        failures(&sim.take_events()),
        vec![(sent, RequestError::Closed)]
    );
    assert_eq!(sim.s.state(), State::Closing);
    assert_eq!(sim.s.poll_timeout(), Some(5_000));
}

#[test]
fn take_queued_leaves_requests_in_the_core() {
    let mut sim = Sim::new(config_no_jitter());
    let id = request(&mut sim, "req", None);
    sim.send("plain").unwrap();
    assert_eq!(sim.s.pop_queued(), Some(text("plain")));
    assert_eq!(sim.s.take_queued(), vec![]);
    assert_eq!(sim.s.stats().queued, 1);
    sim.open();
    assert_eq!(sends(&sim.take()), vec![text("req")]);
    assert!(sim.s.answer(id));
}

#[test]
fn a_fatal_close_loses_what_was_sent_and_closes_what_was_queued() {
    let mut c = config_no_jitter();
    c.reconnect = None;
    let mut sim = Sim::new(c);
    sim.open();
    let sent = request(&mut sim, "sent", None);
    drop_socket(&mut sim);
    assert_eq!(
        failures(&sim.take_events()),
        vec![(sent, RequestError::ConnectionLost)]
    );
    assert_eq!(sim.s.state(), State::Closed);
}

#[test]
fn reconnect_of_an_open_socket_loses_what_it_was_handed() {
    let mut sim = Sim::new(config_no_jitter());
    sim.open();
    let sent = request(&mut sim, "sent", None);
    sim.reconnect();
    assert_eq!(
        failures(&sim.take_events()),
        vec![(sent, RequestError::ConnectionLost)]
    );
}

// ----- property test --------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Advance(u16),
    Late(u16),
    Opened,
    Stale,
    Reply(u8),
    Unsolicited,
    Error,
    Closed(bool),
    Request(u16),
    Send,
    Cancel(u8),
    Close,
    Reconnect,
    TakeQueued,
}

fn decode(x: u32) -> Op {
    let p = x >> 8;
    match x % 100 {
        0..=19 => Op::Advance((p % 2_000) as u16),
        20..=22 => Op::Late((p % 20_000) as u16),
        23..=32 => Op::Opened,
        33..=34 => Op::Stale,
        35..=49 => Op::Reply((p % 8) as u8),
        50..=51 => Op::Unsolicited,
        52..=54 => Op::Error,
        55..=59 => Op::Closed(p % 5 == 0),
        60..=79 => Op::Request((p % 3_000) as u16),
        80..=83 => Op::Send,
        84..=88 => Op::Cancel((p % 8) as u8),
        89 => Op::Close,
        90..=92 => Op::Reconnect,
        93 => Op::TakeQueued,
        _ => Op::Advance((p % 100) as u16),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fate {
    Pending,
    Answered,
    Cancelled,
    Failed(RequestError),
}

#[derive(Debug)]
struct Req {
    text: String,
    issued: u64,
    timeout: u64,
    /// The generation it was handed to, by the `Send` action seen.
    sent_on: Option<Gen>,
    fate: Fate,
}

/// A driver that checks every rule after every step.
struct Check {
    s: steadyws::session::Session<Message>,
    now: u64,
    reqs: HashMap<RequestId, Req>,
    /// Which request a text belongs to.
    by_text: HashMap<String, RequestId>,
    /// Generations whose socket ended (as far as the core is concerned).
    ended: Vec<Gen>,
    live: Option<Gen>,
    closed: bool,
    n: u32,
}

impl Check {
    fn new(config: Config<Message>, seed: u64) -> Check {
        let s = steadyws::session::Session::new(config, seed, 0).unwrap();
        let mut c = Check {
            s,
            now: 0,
            reqs: HashMap::new(),
            by_text: HashMap::new(),
            ended: Vec::new(),
            live: None,
            closed: false,
            n: 0,
        };
        c.drain();
        c
    }

    fn settle(&mut self, id: RequestId, fate: Fate) {
        let r = self.reqs.get_mut(&id).expect("a request the app made");
        assert_eq!(r.fate, Fate::Pending, "{id:?} settled twice: {fate:?}");
        assert!(!self.closed, "{id:?} settled after the session closed");
        match fate {
            Fate::Failed(RequestError::Timeout) => {
                assert!(self.now >= r.issued + r.timeout, "timed out early");
            }
            Fate::Failed(RequestError::ConnectionLost) => {
                let gen = r.sent_on.expect("lost but never sent");
                assert!(
                    self.s.current_gen() != Some(gen),
                    "its socket is still live"
                );
            }
            _ => {}
        }
        r.fate = fate;
    }

    fn drain(&mut self) {
        while let Some(a) = self.s.poll() {
            match a {
                Action::Connect { gen } => {
                    // `reconnect()` revives a closed session.
                    self.closed = false;
                    self.live = Some(gen);
                }
                Action::Abandon { gen, .. } => self.ended.push(gen),
                Action::Send { gen, data } => {
                    let Message::Text(t) = &data else { continue };
                    if let Some(&id) = self.by_text.get(t) {
                        let r = self.reqs.get_mut(&id).unwrap();
                        assert_eq!(r.fate, Fate::Pending, "a settled request was sent");
                        assert_eq!(r.sent_on, None, "a request was sent twice");
                        r.sent_on = Some(gen);
                    }
                }
                Action::Emit(Event::Message(Message::Text(t))) => {
                    // The driver matches replies: `re:<text>`.
                    if let Some(&id) = t.strip_prefix("re:").and_then(|q| self.by_text.get(q)) {
                        let pending = self.reqs[&id].fate == Fate::Pending
                            && self.reqs[&id].sent_on.is_some();
                        let answered = self.s.answer(id);
                        assert_eq!(answered, pending, "answer() disagrees for {id:?}");
                        if answered {
                            self.settle(id, Fate::Answered);
                        }
                    }
                }
                Action::Emit(Event::RequestFailed { id, error }) => {
                    self.settle(id, Fate::Failed(error))
                }
                Action::Emit(Event::State {
                    state: State::Closed,
                    ..
                }) => {
                    // Everything settled by now; nothing may settle later.
                    assert!(self.reqs.values().all(|r| r.fate != Fate::Pending));
                    assert_eq!(self.s.stats().pending, 0);
                    self.closed = true;
                }
                _ => {}
            }
        }
        if self.s.state() != State::Closed {
            self.closed = false;
        }
        let pending = self
            .reqs
            .values()
            .filter(|r| r.fate == Fate::Pending)
            .count();
        assert_eq!(self.s.stats().pending, pending);
        if let Some(d) = self.s.poll_timeout() {
            // The timer covers every deadline of a pending request.
            for r in self.reqs.values().filter(|r| r.fate == Fate::Pending) {
                assert!(d <= r.issued.saturating_add(r.timeout));
            }
        } else {
            assert_eq!(pending, 0, "a pending request without a timer");
        }
    }

    fn fire(&mut self) {
        if self.s.poll_timeout().is_some_and(|d| d <= self.now) {
            self.s.handle_timeout(self.now);
            self.drain();
        }
    }

    fn advance(&mut self, dt: u64) {
        let t = self.now + dt;
        while let Some(d) = self.s.poll_timeout().filter(|&d| d <= t) {
            self.now = self.now.max(d);
            self.fire();
        }
        self.now = t;
    }

    fn input(&mut self, input: Input<Message>) {
        self.s.handle(input, self.now);
        self.drain();
    }

    fn pick(&self, k: u8, sent: bool) -> Option<RequestId> {
        let mut ids: Vec<RequestId> = self
            .reqs
            .iter()
            .filter(|(_, r)| !sent || r.sent_on.is_some())
            .map(|(id, _)| *id)
            .collect();
        ids.sort();
        (!ids.is_empty()).then(|| ids[k as usize % ids.len()])
    }

    fn step(&mut self, op: Op) {
        let gen = self.s.current_gen();
        match op {
            Op::Advance(dt) => self.advance(u64::from(dt)),
            Op::Late(dt) => {
                self.now += u64::from(dt);
                self.fire();
            }
            Op::Opened => {
                if let Some(gen) = gen {
                    self.input(Input::Opened {
                        gen,
                        protocol: String::new(),
                    });
                }
            }
            Op::Stale => {
                if let Some(&gen) = self.ended.last() {
                    self.input(Input::Message {
                        gen,
                        data: text("stale"),
                    });
                }
            }
            Op::Reply(k) => {
                // The server answers a request sent on the live socket (or,
                // sometimes, one already settled: a late reply).
                if let (Some(gen), Some(id)) = (gen, self.pick(k, true)) {
                    if self.reqs[&id].sent_on == Some(gen) {
                        let data = text(&format!("re:{}", self.reqs[&id].text));
                        self.input(Input::Message { gen, data });
                    }
                }
            }
            Op::Unsolicited => {
                if let Some(gen) = gen {
                    self.input(Input::Message {
                        gen,
                        data: text("news"),
                    });
                }
            }
            Op::Error => {
                if let Some(gen) = gen {
                    self.input(Input::Error { gen });
                }
            }
            Op::Closed(clean) => {
                if let Some(gen) = gen {
                    self.input(Input::Closed {
                        gen,
                        code: if clean { 1000 } else { 1006 },
                        reason: String::new(),
                        was_clean: clean,
                    });
                }
            }
            Op::Request(timeout) => {
                self.n += 1;
                let t = format!("q{}", self.n);
                let timeout = u64::from(timeout);
                if let Ok(id) = self.s.request(text(&t), Some(timeout), self.now) {
                    assert!(!self.reqs.contains_key(&id), "an id handed out twice");
                    self.by_text.insert(t.clone(), id);
                    self.reqs.insert(
                        id,
                        Req {
                            text: t,
                            issued: self.now,
                            timeout,
                            sent_on: None,
                            fate: Fate::Pending,
                        },
                    );
                }
                self.drain();
            }
            Op::Send => {
                let _ = self.s.send(text("plain"), self.now);
                self.drain();
            }
            Op::Cancel(k) => {
                if let Some(id) = self.pick(k, false) {
                    let pending = self.reqs[&id].fate == Fate::Pending;
                    assert_eq!(self.s.cancel(id), pending);
                    if pending {
                        self.settle(id, Fate::Cancelled);
                    }
                    self.drain();
                }
            }
            Op::Close => {
                self.s.close(1000, String::new(), self.now);
                self.drain();
                // After close() nothing is pending (the promise of close()
                // may resolve at once).
                assert!(self.reqs.values().all(|r| r.fate != Fate::Pending));
            }
            Op::Reconnect => {
                self.s.reconnect(self.now);
                self.drain();
            }
            Op::TakeQueued => {
                for m in self.s.take_queued() {
                    assert_eq!(m, text("plain"), "a request left the core's queue");
                }
                self.drain();
            }
        }
    }
}

fn config() -> impl Strategy<Value = Config<Message>> {
    (
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just(None), (1usize..6).prop_map(Some)],
        prop_oneof![Just(0u64), 1u64..4_000],
    )
        .prop_map(|(hb, rc, q, ct)| {
            let mut c = config_no_jitter();
            if !hb {
                c.heartbeat = None;
            }
            if rc {
                let r = c.reconnect.as_mut().unwrap();
                r.min_delay = 50;
                r.max_delay = 2_000;
            } else {
                c.reconnect = None;
            }
            c.queue = q.map(|max_messages| QueueConfig {
                max_messages,
                max_bytes: 1 << 20,
            });
            c.connect_timeout = ct;
            c.close_timeout = 1_000;
            c
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn every_request_settles_exactly_once(
        config in config(),
        seed in any::<u64>(),
        ops in prop::collection::vec(any::<u32>(), 1..400),
    ) {
        let mut c = Check::new(config, seed);
        for x in ops {
            c.step(decode(x));
        }
        // Closing settles everything that is left.
        c.s.close(1000, String::new(), c.now);
        c.drain();
        c.advance(10_000);
        prop_assert!(c.reqs.values().all(|r| r.fate != Fate::Pending));
        prop_assert_eq!(c.s.stats().pending, 0);
        prop_assert_eq!(c.s.poll_timeout(), None);
    }
}
