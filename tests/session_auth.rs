#![cfg(not(target_arch = "wasm32"))]
//! The continuity phases of the session machine, on a virtual clock: the
//! per-attempt URL (`Resolving`) and the init/ack handshake (`Handshake`),
//! then property tests over random interleavings of both.

mod session_common;

use proptest::prelude::*;
use session_common::{failures, text};
use steadyws::message::Message;
use steadyws::session::{
    Ack, Action, Config, Error, Event, Gen, InitConfig, Input, Sent, Session, State,
};

struct Sim {
    s: Session<Message>,
    now: u64,
    /// Answers every `Action::Init` at once with these, like a driver with
    /// fixed init messages.
    init: Option<Vec<Message>>,
}

impl Sim {
    fn new(config: Config<Message>) -> Sim {
        Sim {
            s: Session::new(config, 3, 0).expect("valid config"),
            now: 0,
            init: None,
        }
    }
    fn with_init(config: Config<Message>, init: &[&str]) -> Sim {
        let mut sim = Sim::new(config);
        sim.init = Some(init.iter().map(|m| text(m)).collect());
        sim
    }
    fn take(&mut self) -> Vec<Action<Message>> {
        let mut out = Vec::new();
        while let Some(a) = self.s.poll() {
            if let (Action::Init { gen, .. }, Some(init)) = (&a, &self.init) {
                let gen = *gen;
                for data in init.clone() {
                    self.s.handle(Input::Init { gen, data }, self.now);
                }
                self.s.handle(Input::InitDone { gen }, self.now);
            }
            out.push(a);
        }
        out
    }
    fn events(&mut self) -> Vec<Event<Message>> {
        self.take()
            .into_iter()
            .filter_map(|a| match a {
                Action::Emit(e) => Some(e),
                _ => None,
            })
            .collect()
    }
    fn input(&mut self, i: Input<Message>) {
        self.s.handle(i, self.now);
    }
    fn advance_to(&mut self, t: u64) {
        self.now = t;
        if self.s.poll_timeout().is_some_and(|d| d <= t) {
            self.s.handle_timeout(t);
        }
    }
    /// Fires timers until the session waits for something else.
    fn run_timers(&mut self) {
        for _ in 0..100 {
            match self.s.poll_timeout() {
                Some(t) if self.s.state() == State::Reconnecting => self.advance_to(t),
                _ => return,
            }
        }
    }
}

fn base() -> Config<Message> {
    let mut c = Config::without_heartbeat();
    c.connect_timeout = 1_000;
    if let Some(rc) = c.reconnect.as_mut() {
        rc.jitter = 0.0;
        rc.min_delay = 100;
    }
    c
}

fn url_config() -> Config<Message> {
    let mut c = base();
    c.url_per_attempt = true;
    c
}

fn ack_config() -> Config<Message> {
    let mut c = base();
    c.init = Some(InitConfig {
        ack: Ack::Equals(text("ack")),
        timeout: 500,
    });
    c
}

fn sends(actions: &[Action<Message>]) -> Vec<(Gen, Message)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send { gen, data } => Some((*gen, data.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn every_attempt_asks_for_its_url_first_and_connects_once_it_is_ready() {
    let mut sim = Sim::new(url_config());
    assert_eq!(
        sim.take(),
        vec![Action::ResolveUrl {
            gen: Gen(1),
            attempt: 1
        }]
    );
    assert_eq!(sim.s.state(), State::Connecting);
    assert_eq!(sim.s.current_gen(), None, "no socket while resolving");
    assert_eq!(sim.s.send(text("early"), 0), Ok(Sent::Queued));
    sim.input(Input::UrlReady { gen: Gen(1) });
    assert_eq!(sim.take(), vec![Action::Connect { gen: Gen(1) }]);
    // A second answer for the same attempt changes nothing.
    sim.input(Input::UrlReady { gen: Gen(1) });
    assert!(sim.take().is_empty());
    sim.input(Input::Closed {
        gen: Gen(1),
        code: 1006,
        reason: String::new(),
        was_clean: false,
    });
    sim.take();
    sim.run_timers();
    assert_eq!(
        sim.take(),
        vec![
            Action::ResolveUrl {
                gen: Gen(2),
                attempt: 2
            },
            Action::Emit(Event::State {
                state: State::Connecting,
                previous: State::Reconnecting
            })
        ]
    );
}

#[test]
fn a_failed_url_is_a_failed_attempt_without_a_close_and_retries_apply() {
    let mut c = url_config();
    c.reconnect.as_mut().unwrap().max_retries = Some(1);
    let mut sim = Sim::new(c);
    sim.take();
    sim.input(Input::UrlFailed { gen: Gen(1) });
    let ev = sim.events();
    assert_eq!(ev[0], Event::Error(Error::UrlFailed));
    assert!(matches!(ev[1], Event::Reconnecting { attempt: 2, .. }));
    assert!(!ev.iter().any(|e| matches!(e, Event::Close { .. })));
    sim.run_timers();
    sim.take();
    sim.input(Input::UrlFailed { gen: Gen(2) });
    let ev = sim.events();
    assert_eq!(ev[0], Event::Error(Error::UrlFailed));
    assert_eq!(ev[1], Event::Error(Error::RetriesExhausted { attempts: 2 }));
    assert_eq!(sim.s.state(), State::Closed);
    assert_eq!(sim.s.poll_timeout(), None);
}

#[test]
fn a_slow_url_counts_against_the_connect_timeout_and_its_late_answer_is_ignored() {
    let mut sim = Sim::new(url_config());
    sim.take();
    sim.advance_to(1_000);
    let ev = sim.events();
    assert_eq!(ev[0], Event::Error(Error::ConnectTimeout { after: 1_000 }));
    assert!(matches!(ev[1], Event::Reconnecting { .. }));
    sim.input(Input::UrlReady { gen: Gen(1) });
    assert!(sim.take().is_empty(), "late URL of an abandoned attempt");
    // The time left after the URL is the rest of the same budget.
    sim.run_timers();
    let t0 = sim.now;
    sim.take();
    sim.advance_to(t0 + 600);
    sim.input(Input::UrlReady { gen: Gen(2) });
    assert_eq!(sim.take(), vec![Action::Connect { gen: Gen(2) }]);
    assert_eq!(sim.s.poll_timeout(), Some(t0 + 1_000));
}

#[test]
fn reconnect_asks_again_and_close_while_resolving_closes_at_once() {
    let mut sim = Sim::new(url_config());
    sim.take();
    sim.s.reconnect(0);
    assert_eq!(
        sim.take(),
        vec![Action::ResolveUrl {
            gen: Gen(2),
            attempt: 1
        }]
    );
    sim.input(Input::UrlReady { gen: Gen(1) });
    assert!(sim.take().is_empty());
    sim.s.close(1000, String::new(), 0);
    assert_eq!(
        sim.events(),
        vec![Event::State {
            state: State::Closed,
            previous: State::Connecting
        }]
    );
    sim.input(Input::UrlReady { gen: Gen(2) });
    assert!(sim.take().is_empty());
    assert_eq!(sim.s.poll_timeout(), None);
}

#[test]
fn init_goes_first_and_the_queue_waits_for_the_ack() {
    let mut sim = Sim::with_init(ack_config(), &["init"]);
    sim.take();
    for i in 0..3 {
        assert_eq!(sim.s.send(text(&format!("m{i}")), 0), Ok(Sent::Queued));
    }
    sim.input(Input::Opened {
        gen: Gen(1),
        protocol: "p".into(),
    });
    let acts = sim.take();
    assert_eq!(sends(&acts), vec![(Gen(1), text("init"))]);
    assert!(acts.iter().all(|a| !matches!(a, Action::Emit(_))));
    assert_eq!(sim.s.state(), State::Connecting);
    assert_eq!(sim.s.awaiting_ack(), Some(Gen(1)));
    assert_eq!(sim.s.send(text("m3"), 0), Ok(Sent::Queued));
    // Other messages are delivered as usual.
    sim.input(Input::Message {
        gen: Gen(1),
        data: text("hello"),
    });
    assert_eq!(sim.events(), vec![Event::Message(text("hello"))]);
    sim.input(Input::Message {
        gen: Gen(1),
        data: text("ack"),
    });
    let acts = sim.take();
    let expected: Vec<_> = (0..4).map(|i| (Gen(1), text(&format!("m{i}")))).collect();
    assert_eq!(sends(&acts), expected);
    let ev: Vec<_> = acts
        .into_iter()
        .filter_map(|a| match a {
            Action::Emit(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(
        ev,
        vec![
            Event::State {
                state: State::Open,
                previous: State::Connecting
            },
            Event::Open {
                protocol: "p".into(),
                attempt: 1,
                ack: Some(text("ack"))
            }
        ]
    );
    // Once open, an "ack" is just a message.
    sim.input(Input::Message {
        gen: Gen(1),
        data: text("ack"),
    });
    assert_eq!(sim.events(), vec![Event::Message(text("ack"))]);
}

#[test]
fn without_an_ack_the_init_precedes_the_queue_and_opens_at_once() {
    let mut c = base();
    c.init = Some(InitConfig::new());
    let mut sim = Sim::with_init(c, &["a", "b"]);
    sim.take();
    sim.s.send(text("q"), 0).unwrap();
    sim.input(Input::Opened {
        gen: Gen(1),
        protocol: String::new(),
    });
    let acts = sim.take();
    assert_eq!(
        sends(&acts),
        vec![
            (Gen(1), text("a")),
            (Gen(1), text("b")),
            (Gen(1), text("q"))
        ]
    );
    assert_eq!(sim.s.state(), State::Open);
}

#[test]
fn no_ack_in_time_is_init_timeout_then_a_new_attempt_with_the_init_first_again() {
    let mut sim = Sim::with_init(ack_config(), &["init"]);
    sim.take();
    sim.s.send(text("q"), 0).unwrap();
    sim.advance_to(10);
    sim.input(Input::Opened {
        gen: Gen(1),
        protocol: String::new(),
    });
    sim.take();
    sim.advance_to(510);
    let acts = sim.take();
    assert_eq!(
        acts[0],
        Action::Abandon {
            gen: Gen(1),
            code: None,
            reason: String::new()
        }
    );
    assert_eq!(
        acts[1],
        Action::Emit(Event::Error(Error::InitTimeout { after: 500 }))
    );
    assert!(matches!(
        acts[2],
        Action::Emit(Event::Close {
            code: 1006,
            will_reconnect: true,
            ..
        })
    ));
    assert!(sends(&acts).is_empty(), "the queue stays queued");
    sim.run_timers();
    sim.take();
    sim.input(Input::Opened {
        gen: Gen(2),
        protocol: String::new(),
    });
    assert_eq!(sends(&sim.take()), vec![(Gen(2), text("init"))]);
    sim.input(Input::Message {
        gen: Gen(2),
        data: text("ack"),
    });
    assert_eq!(sends(&sim.take()), vec![(Gen(2), text("q"))]);
}

#[test]
fn driver_made_init_and_driver_recognised_ack() {
    let mut c = base();
    c.init = Some(InitConfig {
        ack: Ack::Driver,
        timeout: 500,
    });
    let mut sim = Sim::new(c);
    sim.take();
    sim.input(Input::Opened {
        gen: Gen(1),
        protocol: String::new(),
    });
    assert_eq!(
        sim.take(),
        vec![Action::Init {
            gen: Gen(1),
            attempt: 1
        }]
    );
    assert_eq!(sim.s.awaiting_init(), Some(Gen(1)));
    // Stale or unasked answers are ignored.
    sim.input(Input::Init {
        gen: Gen(7),
        data: text("x"),
    });
    sim.input(Input::InitDone { gen: Gen(7) });
    assert!(sim.take().is_empty());
    sim.input(Input::Init {
        gen: Gen(1),
        data: text("i"),
    });
    sim.input(Input::Init {
        gen: Gen(1),
        data: text("j"),
    });
    assert_eq!(
        sends(&sim.take()),
        vec![(Gen(1), text("i")), (Gen(1), text("j"))]
    );
    assert_eq!(sim.s.awaiting_init(), Some(Gen(1)), "until InitDone");
    sim.input(Input::InitDone { gen: Gen(1) });
    assert_eq!(sim.s.awaiting_ack(), Some(Gen(1)));
    sim.input(Input::Ack {
        gen: Gen(1),
        data: text("{\"type\":\"ack\"}"),
    });
    let ev = sim.events();
    assert!(matches!(&ev[1], Event::Open { ack: Some(_), .. }));
    // A failing init function fails the attempt.
    sim.s.reconnect(600);
    sim.take();
    sim.input(Input::Opened {
        gen: Gen(2),
        protocol: String::new(),
    });
    sim.take();
    sim.input(Input::InitFailed { gen: Gen(2) });
    let acts = sim.take();
    assert!(matches!(acts[0], Action::Abandon { gen: Gen(2), .. }));
    assert_eq!(acts[1], Action::Emit(Event::Error(Error::InitFailed)));
}

#[test]
fn stable_after_counts_from_the_ack() {
    // attempt 2 opens, acks 4 s later, drops 6 s after the open: not stable.
    let reconnecting_attempt = |ack_at: u64| {
        let mut c = ack_config();
        c.init.as_mut().unwrap().timeout = 60_000;
        c.reconnect.as_mut().unwrap().stable_after = 5_000;
        let mut sim = Sim::with_init(c, &["init"]);
        sim.take();
        sim.input(Input::Error { gen: Gen(1) });
        sim.take();
        sim.run_timers();
        let t0 = sim.now;
        sim.take();
        sim.input(Input::Opened {
            gen: Gen(2),
            protocol: String::new(),
        });
        sim.take();
        sim.advance_to(t0 + ack_at);
        sim.input(Input::Message {
            gen: Gen(2),
            data: text("ack"),
        });
        sim.advance_to(t0 + 6_000);
        sim.take();
        sim.input(Input::Closed {
            gen: Gen(2),
            code: 1001,
            reason: String::new(),
            was_clean: true,
        });
        sim.events()
            .into_iter()
            .find_map(|e| match e {
                Event::Reconnecting { attempt, .. } => Some(attempt),
                _ => None,
            })
            .unwrap()
    };
    assert_eq!(reconnecting_attempt(4_000), 3, "2 s after the ack");
    assert_eq!(reconnecting_attempt(500), 2, "5.5 s after the ack: reset");
}

#[test]
fn the_heartbeat_runs_through_the_wait_but_never_before_the_init() {
    let mut c = base();
    let mut hb = steadyws::session::HeartbeatConfig::new(text("ping"));
    hb.interval = 100;
    hb.timeout = 100;
    c.heartbeat = Some(hb);
    c.init = Some(InitConfig {
        ack: Ack::Equals(text("ack")),
        timeout: 10_000,
    });
    let mut sim = Sim::new(c);
    sim.take();
    sim.input(Input::Opened {
        gen: Gen(1),
        protocol: String::new(),
    });
    sim.take();
    sim.advance_to(150);
    assert!(sends(&sim.take()).is_empty(), "no ping before the init");
    sim.input(Input::Init {
        gen: Gen(1),
        data: text("init"),
    });
    sim.input(Input::InitDone { gen: Gen(1) });
    sim.take();
    sim.advance_to(250);
    assert_eq!(sends(&sim.take()), vec![(Gen(1), text("ping"))]);
    // Unanswered: the heartbeat gives the socket up while waiting for the ack.
    sim.advance_to(350);
    let ev = sim.events();
    assert!(matches!(ev[0], Event::HeartbeatTimeout { .. }));
}

// ----- property tests ----------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Advance(u16),
    UrlReady(u8),
    UrlFailed(u8),
    Opened(u8),
    InitReply(u8),
    InitFailed(u8),
    Ack(u8),
    Message(u8),
    Closed(u8, u16),
    Error(u8),
    Send,
    Close,
    Reconnect,
}

fn decode(x: u32) -> Op {
    // Mostly the newest generation; sometimes an older one.
    let g = match (x >> 8) % 10 {
        0..=6 => 0,
        7 => 1,
        8 => 2,
        _ => 3,
    };
    match x % 40 {
        0..=5 => Op::Advance((x >> 12) as u16 % 150),
        6 => Op::Advance((x >> 12) as u16 % 1_500),
        7..=10 => Op::UrlReady(g),
        11 => Op::UrlFailed(g),
        12..=15 => Op::Opened(g),
        16..=19 => Op::InitReply(g),
        20 => Op::InitFailed(g),
        21..=24 => Op::Ack(g),
        25..=26 => Op::Message(g),
        27 => Op::Closed(
            g,
            [1000, 1001, 1006, 1008, 4001, 4400][(x >> 12) as usize % 6],
        ),
        28 => Op::Error(g),
        29..=34 => Op::Send,
        35 => Op::Close,
        36 => Op::Reconnect,
        _ => Op::Advance((x >> 12) as u16 % 100),
    }
}

/// The model driver: carries out actions, tracks live sockets, and checks
/// the invariants after every step.
struct Model {
    s: Session<Message>,
    now: u64,
    newest: u32,
    /// Sockets the session asked for and has not given up (nor seen close).
    live: Vec<u32>,
    opened: Vec<u32>,
    connected: Vec<u32>,
    /// Per socket: whether anything was sent on it yet.
    sent_on: Vec<u32>,
    next_msg: u32,
    accepted: Vec<u32>,
    delivered: Vec<u32>,
    /// The app called close() (and not reconnect() since).
    app_closed: bool,
    /// ...and the session has reached `Closed` since.
    closed_by_app: bool,
    static_init: bool,
}

enum OpKind {
    Close,
    Other,
}

impl Model {
    fn drain(&mut self) -> Result<(), TestCaseError> {
        while let Some(a) = self.s.poll() {
            match a {
                Action::ResolveUrl { gen, .. } => {
                    prop_assert!(gen.0 > self.newest, "generations only grow");
                    self.newest = gen.0;
                }
                Action::Connect { gen } => {
                    // A new generation, or the one whose URL was just made.
                    prop_assert!(gen.0 >= self.newest && !self.connected.contains(&gen.0));
                    self.newest = gen.0;
                    self.connected.push(gen.0);
                    self.live.push(gen.0);
                }
                Action::Abandon { gen, .. } => self.live.retain(|g| *g != gen.0),
                Action::Close { gen, .. } => prop_assert!(self.live.contains(&gen.0)),
                Action::Init { gen, .. } => {
                    prop_assert!(self.opened.contains(&gen.0));
                    if self.static_init {
                        // A driver with fixed messages answers at once.
                        let now = self.now;
                        self.s.handle(
                            Input::Init {
                                gen,
                                data: text("init"),
                            },
                            now,
                        );
                        self.s.handle(Input::InitDone { gen }, now);
                    }
                }
                Action::Send { gen, data } => {
                    prop_assert!(self.live.contains(&gen.0), "send on a dead socket");
                    prop_assert!(self.opened.contains(&gen.0), "send before open");
                    let Message::Text(t) = &data else {
                        unreachable!()
                    };
                    if !self.sent_on.contains(&gen.0) {
                        prop_assert_eq!(t.as_str(), "init", "init first on every connection");
                        self.sent_on.push(gen.0);
                    }
                    if let Some(n) = t.strip_prefix('m') {
                        let n: u32 = n.parse().unwrap();
                        prop_assert!(
                            !self.delivered.last().is_some_and(|&l| n <= l),
                            "queued messages go out once and in order"
                        );
                        self.delivered.push(n);
                    }
                }
                Action::Emit(_) => {
                    prop_assert!(!self.closed_by_app, "no event after close()");
                }
                _ => {}
            }
            prop_assert!(self.live.len() <= 1, "at most one socket");
        }
        if self.s.state() == State::Closed {
            prop_assert_eq!(self.s.poll_timeout(), None);
            prop_assert!(self.live.is_empty() || self.s.current_gen().is_none());
        }
        Ok(())
    }

    fn gen(&self, back: u8) -> Gen {
        Gen(self.newest.saturating_sub(u32::from(back)).max(1))
    }

    fn step(&mut self, op: Op) -> Result<(), TestCaseError> {
        let now = self.now;
        let op_kind = match op {
            Op::Close => {
                self.app_closed = true;
                OpKind::Close
            }
            Op::Reconnect => {
                self.app_closed = false;
                OpKind::Other
            }
            _ => OpKind::Other,
        };
        match op {
            Op::Advance(ms) => {
                self.now += u64::from(ms);
                if self.s.poll_timeout().is_some_and(|t| t <= self.now) {
                    self.s.handle_timeout(self.now);
                }
            }
            Op::UrlReady(g) => self.s.handle(Input::UrlReady { gen: self.gen(g) }, now),
            Op::UrlFailed(g) => self.s.handle(Input::UrlFailed { gen: self.gen(g) }, now),
            Op::Opened(g) => {
                let gen = self.gen(g);
                // A driver reports an open only for a socket it made.
                if self.live.contains(&gen.0) && !self.opened.contains(&gen.0) {
                    self.opened.push(gen.0);
                    self.s.handle(
                        Input::Opened {
                            gen,
                            protocol: String::new(),
                        },
                        now,
                    );
                }
            }
            Op::InitReply(g) => {
                let gen = self.gen(g);
                self.s.handle(
                    Input::Init {
                        gen,
                        data: text("init"),
                    },
                    now,
                );
                self.s.handle(Input::InitDone { gen }, now);
            }
            Op::InitFailed(g) => self.s.handle(Input::InitFailed { gen: self.gen(g) }, now),
            Op::Ack(g) => {
                let gen = self.gen(g);
                if self.opened.contains(&gen.0) {
                    self.s.handle(
                        Input::Message {
                            gen,
                            data: text("ack"),
                        },
                        now,
                    );
                }
            }
            Op::Message(g) => {
                let gen = self.gen(g);
                if self.opened.contains(&gen.0) {
                    self.s.handle(
                        Input::Message {
                            gen,
                            data: text("other"),
                        },
                        now,
                    );
                }
            }
            Op::Closed(g, code) => {
                let gen = self.gen(g);
                if self.live.contains(&gen.0) {
                    self.live.retain(|x| *x != gen.0);
                    self.s.handle(
                        Input::Closed {
                            gen,
                            code,
                            reason: String::new(),
                            was_clean: true,
                        },
                        now,
                    );
                }
            }
            Op::Error(g) => self.s.handle(Input::Error { gen: self.gen(g) }, now),
            Op::Send => {
                let n = self.next_msg;
                self.next_msg += 1;
                if self.s.send(text(&format!("m{n}")), now).is_ok() {
                    self.accepted.push(n);
                }
            }
            Op::Close => self.s.close(1000, String::new(), now),
            Op::Reconnect => {
                self.closed_by_app = false;
                self.s.reconnect(now);
            }
        }
        self.drain()?;
        // Closed after the app's close() (at once, or once the closing
        // socket is gone): nothing may follow until reconnect().
        if matches!(op_kind, OpKind::Close) || self.s.state() == State::Closed {
            self.closed_by_app |= self.s.state() == State::Closed && self.app_closed;
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn random_interleavings_keep_the_invariants(
        xs in prop::collection::vec(any::<u32>(), 1..400),
        url_fn in any::<bool>(),
        static_init in any::<bool>(),
        heartbeat in any::<bool>(),
        max_retries in prop::option::of(0u32..4),
    ) {
        let mut c = base();
        c.url_per_attempt = url_fn;
        c.init = Some(InitConfig {
            ack: Ack::Equals(text("ack")),
            timeout: 700,
        });
        if heartbeat {
            let mut hb = steadyws::session::HeartbeatConfig::new(text("ping"));
            hb.interval = 300;
            hb.timeout = 300;
            c.heartbeat = Some(hb);
        }
        c.reconnect.as_mut().unwrap().max_retries = max_retries;
        let mut m = Model {
            s: Session::new(c, 9, 0).unwrap(),
            now: 0,
            newest: 0,
            live: Vec::new(),
            opened: Vec::new(),
            connected: Vec::new(),
            sent_on: Vec::new(),
            next_msg: 0,
            accepted: Vec::new(),
            delivered: Vec::new(),
            app_closed: false,
            closed_by_app: false,
            static_init,
        };
        m.drain()?;
        for x in xs {
            m.step(decode(x))?;
        }
        // Every accepted message was sent exactly once or is still queued.
        let queued = m.s.take_queued().len();
        prop_assert_eq!(m.delivered.len() + queued, m.accepted.len());
    }
}

/// Requests and the handshake (issues 12 + 13): a request made before the
/// ack is queued, so it is neither answerable nor lost when the socket ends
/// during the handshake; it goes out after the init, once the ack came,
/// and only the end of that socket fails it with `ConnectionLost`.
#[test]
fn requests_wait_for_the_ack_and_are_lost_only_with_the_socket_they_went_out_on() {
    use steadyws::session::RequestError;
    let mut c = ack_config();
    c.request_timeout = 60_000;
    let mut sim = Sim::with_init(c, &["init"]);
    sim.take();
    let r = sim.s.request(text("q"), None, 0).expect("queued");
    sim.input(Input::Opened {
        gen: Gen(1),
        protocol: String::new(),
    });
    assert_eq!(sends(&sim.take()), vec![(Gen(1), text("init"))]);
    // Not handed over yet: a reply cannot answer it.
    assert!(!sim.s.answer(r));
    // The socket ends before the ack: the request stays queued.
    sim.input(Input::Closed {
        gen: Gen(1),
        code: 1006,
        reason: String::new(),
        was_clean: false,
    });
    assert_eq!(failures(&sim.events()), vec![]);
    assert_eq!(sim.s.stats().pending, 1);
    sim.run_timers();
    sim.take();
    let gen = Gen(2);
    sim.input(Input::Opened {
        gen,
        protocol: String::new(),
    });
    assert_eq!(sends(&sim.take()), vec![(gen, text("init"))]);
    // A request made while waiting for the ack queues behind the first.
    let r2 = sim.s.request(text("q2"), None, sim.now).expect("queued");
    sim.input(Input::Message {
        gen,
        data: text("ack"),
    });
    assert_eq!(
        sends(&sim.take()),
        vec![(gen, text("q")), (gen, text("q2"))]
    );
    assert!(sim.s.answer(r2));
    sim.input(Input::Closed {
        gen,
        code: 1006,
        reason: String::new(),
        was_clean: false,
    });
    assert_eq!(
        failures(&sim.events()),
        vec![(r, RequestError::ConnectionLost)]
    );
    assert_eq!(sim.s.stats().pending, 0);
}

/// A request queued through an init timeout keeps its own deadline; the
/// abandoned handshake socket never had it.
#[test]
fn an_init_timeout_does_not_lose_a_queued_request_but_its_deadline_holds() {
    use steadyws::session::RequestError;
    let mut sim = Sim::with_init(ack_config(), &["init"]);
    sim.take();
    let r = sim.s.request(text("q"), Some(800), 0).expect("queued");
    sim.input(Input::Opened {
        gen: Gen(1),
        protocol: String::new(),
    });
    sim.take();
    sim.advance_to(500);
    let ev = sim.events();
    assert!(ev.contains(&Event::Error(Error::InitTimeout { after: 500 })));
    assert!(!ev.iter().any(|e| matches!(e, Event::RequestFailed { .. })));
    assert_eq!(sim.s.poll_timeout(), Some(600));
    sim.advance_to(600);
    sim.take();
    assert_eq!(sim.s.poll_timeout(), Some(800));
    sim.advance_to(800);
    assert!(sim.events().contains(&Event::RequestFailed {
        id: r,
        error: RequestError::Timeout
    }));
}
