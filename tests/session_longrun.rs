#![cfg(not(target_arch = "wasm32"))]
//! Long-run simulation: 2 000 simulated hours against a flaky simulated
//! server and a page that gets throttled and frozen, with the model driver
//! checking every invariant after every step (see `session_common/model.rs`).
//!
//! The world: healthy periods with server messages, restarts (1012) and
//! occasional fatal-free closes; outages (connects fail); stalls (connects
//! hang until the connect timeout); flapping (accept, then close at once);
//! half-open deaths (the socket goes silent without a close event). The page:
//! background throttling (timers fire on the next whole minute) and freezes
//! (nothing runs for up to 10 minutes, then queued events run).

mod session_common;

use session_common::model::Model;
use session_common::{config, text};
use steadyws::session::{Event, Gen, Input};

const HOUR: u64 = 3_600_000;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
    fn chance(&mut self, per_mille: u64) -> bool {
        self.next() % 1_000 < per_mille
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Healthy,
    Outage,
    Stall,
    Flap,
}

#[derive(Debug, Clone, Copy)]
enum WorldEv {
    Open(Gen),
    FailConnect(Gen),
    ServerMessage(Gen),
    Pong(Gen),
    ServerClose(Gen, u16),
}

struct World {
    rng: Rng,
    mode: Mode,
    mode_until: u64,
    /// Pending socket events (unordered; the earliest is taken each time).
    pending: Vec<(u64, WorldEv)>,
    /// The socket that silently died (half-open), and since when.
    dead: Option<(Gen, u64)>,
    throttled_until: u64,
}

impl World {
    fn next_event(&self) -> Option<(usize, u64)> {
        self.pending
            .iter()
            .enumerate()
            .min_by_key(|(_, (t, _))| *t)
            .map(|(i, (t, _))| (i, *t))
    }

    fn on_connect(&mut self, gen: Gen, now: u64) {
        match self.mode {
            Mode::Healthy => {
                let t = now + self.rng.range(5, 400);
                self.pending.push((t, WorldEv::Open(gen)));
            }
            Mode::Outage => {
                let t = now + self.rng.range(5, 3_000);
                self.pending.push((t, WorldEv::FailConnect(gen)));
            }
            Mode::Stall => {}
            Mode::Flap => {
                let t = now + self.rng.range(5, 200);
                self.pending.push((t, WorldEv::Open(gen)));
                self.pending.push((t + 1, WorldEv::ServerClose(gen, 1000)));
            }
        }
    }

    fn on_open(&mut self, gen: Gen, now: u64) {
        if self.mode == Mode::Healthy {
            let t = now + self.rng.range(100, 40_000);
            self.pending.push((t, WorldEv::ServerMessage(gen)));
        }
    }

    fn alive(&self, gen: Gen) -> bool {
        !matches!(self.dead, Some((g, _)) if g == gen)
    }
}

#[derive(Default, Debug)]
struct Figures {
    detections: Vec<u64>,
    false_deaths: u64,
    recoveries: Vec<u64>,
    flap_connects: u64,
    flap_hours: f64,
    freezes: u64,
}

fn median(v: &mut [u64]) -> u64 {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

fn simulate(hours: u64, seed: u64) -> (Model, Figures) {
    let mut m = Model::new(config(), seed, true);
    m.record = true;
    // The first Connect came out of `Session::new`, before recording.
    m.step_connects.push(m.live.expect("first connect"));
    let mut w = World {
        rng: Rng(seed ^ 0xA5A5),
        mode: Mode::Healthy,
        mode_until: 30 * 60_000,
        pending: Vec::new(),
        dead: None,
        throttled_until: 0,
    };
    let mut f = Figures::default();
    let end = hours * HOUR;
    let mut next_send = 5_000u64;
    let mut next_freeze = HOUR;
    let mut outage_ended: Option<u64> = None;
    let mut flap_started = 0u64;
    react(&mut m, &mut w, &mut f, &mut outage_ended);
    while m.now < end {
        let throttled = m.now < w.throttled_until;
        let timer = m.s.poll_timeout().map(|d| {
            if throttled {
                d.div_ceil(60_000) * 60_000
            } else {
                d
            }
        });
        let world = w.next_event();
        // The earliest thing to happen; ties go to the timer, then the world.
        #[derive(PartialEq)]
        enum Next {
            Timer,
            World(usize),
            Mode,
            Send,
            Page,
        }
        let mut next = (w.mode_until, Next::Mode);
        for cand in [(next_send, Next::Send), (next_freeze, Next::Page)] {
            if cand.0 < next.0 {
                next = cand;
            }
        }
        if let Some((i, tw)) = world {
            if tw <= next.0 {
                next = (tw, Next::World(i));
            }
        }
        if let Some(tt) = timer {
            if tt <= next.0 {
                next = (tt, Next::Timer);
            }
        }
        // Things that fell due while the page was frozen happen now.
        let t = next.0.max(m.now);
        match next.1 {
            Next::Timer => m.suspend_until(t),
            Next::World(i) => {
                let (_, ev) = w.pending.swap_remove(i);
                m.now = t;
                deliver(&mut m, &mut w, ev);
            }
            Next::Mode => {
                m.now = t;
                change_mode(&mut m, &mut w, &mut f, &mut outage_ended, &mut flap_started);
            }
            Next::Send => {
                m.now = t;
                m.send(w.rng.range(0, 64) as usize);
                next_send = t + w.rng.range(1_000, 120_000);
            }
            Next::Page => {
                // Page frozen for up to 10 minutes, or throttled for an hour.
                m.now = t;
                if w.rng.chance(500) {
                    f.freezes += 1;
                    let until = t + w.rng.range(1_000, 600_000);
                    // Socket events that were due while frozen are queued;
                    // on resume either the late timer or they run first.
                    if w.rng.chance(500) {
                        m.suspend_until(until);
                    } else {
                        m.now = until;
                    }
                    m.input(Input::Resumed);
                } else {
                    w.throttled_until = t + HOUR;
                    m.input(Input::Hidden);
                }
                next_freeze = t + w.rng.range(HOUR / 2, 4 * HOUR);
            }
        }
        react(&mut m, &mut w, &mut f, &mut outage_ended);
    }
    if w.mode == Mode::Flap {
        f.flap_hours += (m.now - flap_started) as f64 / HOUR as f64;
    }
    (m, f)
}

fn deliver(m: &mut Model, w: &mut World, ev: WorldEv) {
    let gen = match ev {
        WorldEv::Open(g)
        | WorldEv::FailConnect(g)
        | WorldEv::ServerMessage(g)
        | WorldEv::Pong(g)
        | WorldEv::ServerClose(g, _) => g,
    };
    // The driver detached the handlers of abandoned sockets; a half-open
    // socket delivers nothing at all.
    if m.live != Some(gen) || !w.alive(gen) {
        return;
    }
    match ev {
        WorldEv::Open(gen) => {
            m.input(Input::Opened {
                gen,
                protocol: String::new(),
            });
            let now = m.now;
            w.on_open(gen, now);
        }
        WorldEv::FailConnect(gen) => {
            m.input(Input::Error { gen });
            m.input(Input::Closed {
                gen,
                code: 1006,
                reason: String::new(),
                was_clean: false,
            });
        }
        WorldEv::ServerMessage(gen) => {
            m.input(Input::Message {
                gen,
                data: text("news"),
            });
            let t = m.now + w.rng.range(100, 40_000);
            w.pending.push((t, WorldEv::ServerMessage(gen)));
        }
        WorldEv::Pong(gen) => m.input(Input::Message {
            gen,
            data: text("pong"),
        }),
        WorldEv::ServerClose(gen, code) => m.input(Input::Closed {
            gen,
            code,
            reason: String::new(),
            was_clean: true,
        }),
    }
}

fn change_mode(
    m: &mut Model,
    w: &mut World,
    f: &mut Figures,
    outage_ended: &mut Option<u64>,
    flap_started: &mut u64,
) {
    let now = m.now;
    if w.mode == Mode::Outage || w.mode == Mode::Stall {
        *outage_ended = Some(now);
    }
    if w.mode == Mode::Flap {
        f.flap_hours += (now - *flap_started) as f64 / HOUR as f64;
    }
    let roll = w.rng.range(0, 100);
    w.mode = match roll {
        0..=54 => Mode::Healthy,
        55..=69 => Mode::Outage,
        70..=79 => Mode::Stall,
        80..=89 => Mode::Flap,
        _ => {
            // The open socket (if any) dies silently: half-open.
            if let (Some(gen), true) = (m.live, m.s.state() == steadyws::session::State::Open) {
                w.dead = Some((gen, now));
            }
            Mode::Healthy
        }
    };
    let span = match w.mode {
        Mode::Healthy => w.rng.range(60_000, 3 * HOUR),
        Mode::Outage | Mode::Stall => w.rng.range(10_000, 20 * 60_000),
        Mode::Flap => w.rng.range(5 * 60_000, HOUR),
    };
    w.mode_until = now + span;
    if w.mode == Mode::Flap {
        *flap_started = now;
    }
    if w.mode != Mode::Healthy {
        *outage_ended = None;
        // The server goes away: the open socket is closed (restart).
        if let Some(gen) = m.live {
            if w.alive(gen) && m.s.state() == steadyws::session::State::Open {
                w.pending.push((now + 1, WorldEv::ServerClose(gen, 1012)));
            }
        }
    } else if roll < 10 {
        // A healthy period starting with a server restart.
        if let Some(gen) = m.live {
            w.pending.push((now + 1, WorldEv::ServerClose(gen, 1012)));
        }
    }
}

fn react(m: &mut Model, w: &mut World, f: &mut Figures, outage_ended: &mut Option<u64>) {
    let now = m.now;
    for gen in std::mem::take(&mut m.step_connects) {
        if w.mode == Mode::Flap {
            f.flap_connects += 1;
        }
        w.on_connect(gen, now);
    }
    for e in std::mem::take(&mut m.step_events) {
        match e {
            Event::Ping => {
                let gen = m.live.expect("ping on a live socket");
                if w.alive(gen) && w.mode != Mode::Outage && w.mode != Mode::Stall {
                    let t = now + w.rng.range(1, 800);
                    w.pending.push((t, WorldEv::Pong(gen)));
                }
            }
            Event::HeartbeatTimeout { .. } => match w.dead.take() {
                Some((_, since)) => f.detections.push(now - since),
                None => f.false_deaths += 1,
            },
            Event::Open { .. } => {
                if let Some(t) = outage_ended.take() {
                    f.recoveries.push(now - t);
                }
            }
            _ => {}
        }
    }
}

#[test]
fn two_thousand_hours_against_a_flaky_server_keep_every_invariant() {
    let (m, mut f) = simulate(2_000, 0x5EED);
    let hb = (10_000u64, 10_000u64);
    // Figures (run with --nocapture to see them).
    let det = median(&mut f.detections);
    let det_max = f.detections.iter().copied().max().unwrap_or(0);
    let rec = median(&mut f.recoveries);
    let rec_max = f.recoveries.iter().copied().max().unwrap_or(0);
    let flap_rate = f.flap_connects as f64 / f.flap_hours.max(1e-9);
    eprintln!(
        "steps {} connects {} opens {} half-open deaths detected {} (median {det} ms, max {det_max} ms) \
         false deaths {} recoveries {} (median {rec} ms, max {rec_max} ms) \
         flapping {:.1} h at {flap_rate:.0} connects/h, freezes {}",
        m.steps,
        m.connects,
        m.opens,
        f.detections.len(),
        f.false_deaths,
        f.recoveries.len(),
        f.flap_hours,
        f.freezes
    );
    assert!(m.steps > 500_000, "a long run: {}", m.steps);
    assert!(
        f.detections.len() > 50,
        "half-open deaths happen and are found"
    );
    // Every half-open death is found; timely ones within interval + timeout
    // (+ throttling: each timer may fire up to a minute late, and a late
    // pong timer probes once more).
    assert!(det <= hb.0 + hb.1, "median detection {det}");
    assert!(det_max <= hb.0 + hb.1 + 3 * 60_000 + 600_000, "{det_max}");
    // A healthy socket is never declared dead, even across freezes and
    // throttling: late timers probe first.
    assert_eq!(f.false_deaths, 0);
    // After an outage the next open comes within one capped delay plus one
    // failing/stalled attempt.
    assert!(rec_max <= 30_000 + 10_000 + 3_000 + 600_000, "{rec_max}");
    assert!(rec <= 30_000 + 10_000 + 3_000, "median recovery {rec}");
    // Accept-then-drop servers get at most one attempt per >= 15 s.
    assert!(flap_rate <= 260.0, "{flap_rate} connects/h while flapping");
}
