#![cfg(not(target_arch = "wasm32"))]
//! Property tests: random interleavings of socket events (current, stale and
//! never-issued generations), timer firings (on time, late, early), app calls
//! and page lifecycle events, under random valid configurations. The model
//! driver checks every invariant after every step (see
//! `session_common/model.rs`). Over 1,000,000 random steps per run.

mod session_common;

use proptest::prelude::*;
use session_common::model::Model;
use session_common::text;
use steadyws::message::Message;
use steadyws::session::{Config, HeartbeatConfig, Input, QueueConfig, ReconnectConfig};

#[derive(Debug, Clone)]
enum Op {
    Advance(u16),
    Suspend(u32),
    Poke,
    Opened(u8),
    Message(u8, bool),
    DriverPong(u8),
    Error(u8),
    Closed(u8, u16, bool),
    Send(u8),
    Close(u16),
    Reconnect,
    TakeQueued,
    Online,
    Offline,
    Resumed,
    Hidden,
}

const CODES: [u16; 12] = [
    1000, 1001, 1002, 1006, 1008, 1011, 1012, 1013, 3000, 4000, 4001, 4999,
];

/// Decodes one random word into an operation. Generating plain `u32`s and
/// decoding them is ~50x faster than composing proptest strategies per op in
/// a debug build, which keeps a million steps within seconds; shrinking still
/// works (elements are removed, and shrink towards 0 = `Advance(0)`).
fn decode(x: u32) -> Op {
    let p = x >> 8;
    // Mostly the newest generation; sometimes an older one, or one never
    // handed out.
    let gen = match p % 11 {
        0..=7 => 0u8,
        8 | 9 => 1 + (p / 11 % 3) as u8,
        _ => 255,
    };
    let q = p / 64;
    match x % 100 {
        0..=29 => Op::Advance((p % 3_000) as u16),
        30..=31 => Op::Suspend(p % 200_000),
        32..=33 => Op::Poke,
        34..=45 => Op::Opened(gen),
        46..=57 => Op::Message(gen, q % 2 == 0),
        58..=59 => Op::DriverPong(gen),
        60..=62 => Op::Error(gen),
        63..=67 => Op::Closed(gen, CODES[q as usize % CODES.len()], q % 3 == 0),
        68..=77 => Op::Send((q % 8) as u8),
        78 => Op::Close(if q % 2 == 0 { 1000 } else { 4000 }),
        79..=80 => Op::Reconnect,
        81 => Op::TakeQueued,
        82..=84 => Op::Online,
        85..=86 => Op::Offline,
        87..=89 => Op::Resumed,
        90..=91 => Op::Hidden,
        _ => Op::Advance((p % 300) as u16),
    }
}

fn ops(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(any::<u32>(), len).prop_map(|xs| xs.into_iter().map(decode).collect())
}

fn config() -> impl Strategy<Value = (Config<Message>, bool)> {
    let hb = prop_oneof![
        1 => Just(None),
        4 => (1u64..3_000, 1u64..3_000, any::<bool>()).prop_map(|(interval, timeout, any)| {
            Some(HeartbeatConfig {
                interval,
                timeout,
                ping: text("ping"),
                pong: None,
                any_message_counts: any,
            })
        }),
    ];
    let rc = prop_oneof![
        1 => Just(None),
        6 => (
            1u64..500,
            0u64..5_000,
            1.0f64..3.0,
            prop_oneof![Just(0.0), Just(1.0), 0.0f64..=1.0],
            prop_oneof![3 => Just(None), 1 => (0u32..6).prop_map(Some)],
            0u64..3_000,
        )
            .prop_map(|(min, extra, factor, jitter, max_retries, stable)| {
                Some(ReconnectConfig {
                    min_delay: min,
                    max_delay: min + extra,
                    factor,
                    jitter,
                    max_retries,
                    stable_after: stable,
                    fatal_codes: vec![1002, 1008, 4001],
                })
            }),
    ];
    let q = prop_oneof![
        1 => Just(None),
        3 => (1usize..6, 1usize..60).prop_map(|(m, b)| Some(QueueConfig {
            max_messages: m,
            max_bytes: b,
        })),
    ];
    (
        prop_oneof![Just(0u64), 1u64..4_000],
        0u64..2_000,
        hb,
        rc,
        q,
        any::<bool>(),
    )
        .prop_map(|(ct, close, heartbeat, reconnect, queue, matcher)| {
            (
                Config {
                    connect_timeout: ct,
                    close_timeout: close,
                    heartbeat,
                    reconnect,
                    queue,
                    url_per_attempt: false,
                    init: None,
                    request_timeout: 10_000,
                },
                matcher,
            )
        })
}

fn run_model(cfg: Config<Message>, matcher: bool, seed: u64, ops: &[Op]) -> Model {
    let mut m = Model::new(cfg, seed, matcher);
    for op in ops {
        match *op {
            Op::Advance(dt) => m.advance_to(m.now + dt as u64),
            Op::Suspend(dt) => m.suspend_until(m.now + dt as u64),
            Op::Poke => m.poke(),
            Op::Opened(g) => {
                let gen = m.gen_sel(g);
                m.input(Input::Opened {
                    gen,
                    protocol: String::new(),
                })
            }
            Op::Message(g, pong) => {
                let gen = m.gen_sel(g);
                let data = text(if pong { "pong" } else { "data" });
                m.input(Input::Message { gen, data })
            }
            Op::DriverPong(g) => {
                let gen = m.gen_sel(g);
                m.input(Input::Pong {
                    gen,
                    data: text("pong"),
                })
            }
            Op::Error(g) => {
                let gen = m.gen_sel(g);
                m.input(Input::Error { gen })
            }
            Op::Closed(g, code, was_clean) => {
                let gen = m.gen_sel(g);
                m.input(Input::Closed {
                    gen,
                    code,
                    reason: String::new(),
                    was_clean,
                })
            }
            Op::Send(size) => m.send(size as usize),
            Op::Close(code) => m.close(code),
            Op::Reconnect => m.reconnect(),
            Op::TakeQueued => m.take_queued(),
            Op::Online => m.input(Input::Online),
            Op::Offline => m.input(Input::Offline),
            Op::Resumed => m.input(Input::Resumed),
            Op::Hidden => m.input(Input::Hidden),
        }
    }
    m
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1_000,
        max_shrink_iters: 20_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// 1 000 cases x 1 000..1 200 operations = over 1 000 000 random steps, each
    /// followed by the full invariant check.
    #[test]
    fn invariants_hold_under_random_interleavings(
        (cfg, matcher) in config(),
        seed in any::<u64>(),
        ops in ops(1_000..1_200),
    ) {
        run_model(cfg, matcher, seed, &ops);
    }
}

/// The random walk really reaches the behaviours the invariants are about
/// (a property that is never exercised proves nothing).
#[test]
fn random_walks_exercise_every_behaviour() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strat = (config(), any::<u64>(), ops(900..1_100));
    let mut totals = [0u64; 7];
    for _ in 0..100 {
        let ((cfg, matcher), seed, ops) = strat.new_tree(&mut runner).unwrap().current();
        let m = run_model(cfg, matcher, seed, &ops);
        for (t, v) in totals.iter_mut().zip([
            m.connects,
            m.opens,
            m.heartbeat_timeouts,
            m.delays,
            m.app_handed,
            m.ended,
            m.closed_reached,
        ]) {
            *t += v;
        }
    }
    eprintln!("connects, opens, heartbeat timeouts, delays, handed, ended, closed: {totals:?}");
    let [connects, opens, hb_timeouts, delays, handed, ended, closed] = totals;
    assert!(connects > 1_000, "{totals:?}");
    assert!(opens > 1_000, "{totals:?}");
    assert!(hb_timeouts > 50, "{totals:?}");
    assert!(delays > 500, "{totals:?}");
    assert!(handed > 1_000, "{totals:?}");
    assert!(ended > 1_000, "{totals:?}");
    assert!(closed > 50, "{totals:?}");
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 2_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Any configuration, valid or not (NaN, infinities, zeros, huge
    /// values): `Session::new` either refuses it with a named field or runs
    /// without panicking, and every delay stays within its bounds.
    #[test]
    fn any_config_is_refused_or_runs_without_panicking(
        min in prop_oneof![Just(0u64), Just(u64::MAX), any::<u64>(), 0u64..10_000],
        max in prop_oneof![Just(0u64), Just(u64::MAX), any::<u64>(), 0u64..100_000],
        factor in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::MAX), any::<f64>(), 0.0f64..10.0],
        jitter in prop_oneof![Just(f64::NAN), Just(-0.0f64), any::<f64>(), 0.0f64..=1.0],
        interval in prop_oneof![Just(0u64), Just(u64::MAX), 0u64..100_000],
        timeout in prop_oneof![Just(0u64), Just(u64::MAX), 0u64..100_000],
        connect_timeout in prop_oneof![Just(0u64), Just(u64::MAX), 0u64..100_000],
        stable in any::<u64>(),
        seed in any::<u64>(),
        n in any::<u32>(),
    ) {
        let cfg = Config {
            connect_timeout,
            close_timeout: 1_000,
            heartbeat: Some(HeartbeatConfig { interval, timeout, ping: text("ping"), pong: None, any_message_counts: true }),
            reconnect: Some(ReconnectConfig {
                min_delay: min,
                max_delay: max,
                factor,
                jitter,
                max_retries: None,
                stable_after: stable,
                fatal_codes: vec![],
            }),
            queue: None,
            url_per_attempt: false,
            init: None,
            request_timeout: 10_000,
        };
        match cfg.validate() {
            Err(e) => {
                prop_assert!(e.field.js().starts_with("reconnect.") || e.field.js().starts_with("heartbeat."));
            }
            Ok(()) => {
                let rc = cfg.reconnect.clone().unwrap();
                let (lo, hi) = steadyws::session::delay_bounds(&rc, n);
                prop_assert!(rc.min_delay <= lo && lo <= hi && hi <= rc.max_delay);
                let ops: Vec<Op> = (0..50u32).map(|i| decode(i.wrapping_mul(2_654_435_761) ^ seed as u32)).collect();
                run_model(cfg, false, seed, &ops);
            }
        }
    }
}
