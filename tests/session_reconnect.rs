#![cfg(not(target_arch = "wasm32"))]
//! Reconnect lock, backoff, close-code policy, connect timeout, online /
//! resumed handling, user `reconnect()`.

mod session_common;

use session_common::*;
use steadyws::session::{
    delay_bounds, Action, Error, Event, Input, ReconnectConfig, State, DEFAULT_FATAL_CODES,
};

fn with_reconnect(
    f: impl FnOnce(&mut ReconnectConfig),
) -> steadyws::session::Config<steadyws::message::Message> {
    let mut c = config_no_jitter();
    f(c.reconnect.as_mut().unwrap());
    c
}

#[test]
fn first_poll_asks_for_a_connection() {
    let mut s = steadyws::session::Session::new(config(), 1, 0).unwrap();
    assert!(matches!(s.poll(), Some(Action::Connect { .. })));
    assert_eq!(s.poll(), None);
    assert_eq!(s.state(), State::Connecting);
    assert_eq!(s.poll_timeout(), Some(10_000), "the connect timeout");
}

#[test]
fn failed_connect_with_error_then_close_schedules_one_attempt() {
    let mut sim = Sim::new(config_no_jitter());
    let gen = sim.gen();
    sim.take();
    sim.fail_connect();
    assert_eq!(
        sim.take(),
        vec![
            Action::Abandon {
                gen,
                code: None,
                reason: String::new()
            },
            Action::Emit(Event::Error(Error::Socket)),
            Action::Emit(Event::Close {
                code: 1006,
                reason: String::new(),
                was_clean: false,
                will_reconnect: true
            }),
            Action::Emit(Event::Reconnecting {
                attempt: 2,
                delay: 1_000
            }),
            Action::Emit(Event::State {
                state: State::Reconnecting,
                previous: State::Connecting
            }),
        ]
    );
    // Up to just before that attempt's own connect timeout.
    sim.advance_to(1_000 + 9_999);
    assert_eq!(sim.connects().len(), 2, "exactly one further attempt");
    assert_eq!(sim.delays(), vec![1_000]);
}

#[test]
fn close_then_error_of_the_same_socket_schedules_one_attempt() {
    let mut sim = Sim::new(config_no_jitter());
    sim.open();
    let gen = sim.gen();
    sim.server_close(1001);
    sim.input(Input::Error { gen });
    sim.input(Input::Closed {
        gen,
        code: 1006,
        reason: String::new(),
        was_clean: false,
    });
    sim.advance_to(1_000);
    assert_eq!(sim.connects().len(), 2);
    assert_eq!(sim.delays().len(), 1);
}

#[test]
fn inputs_of_stale_generations_are_ignored() {
    let mut sim = Sim::new(config_no_jitter());
    let old = sim.gen();
    sim.fail_connect();
    sim.wait_for_attempt();
    let cur = sim.gen();
    assert_ne!(old, cur);
    sim.take();
    sim.input(Input::Opened {
        gen: old,
        protocol: String::new(),
    });
    sim.input(Input::Message {
        gen: old,
        data: text("x"),
    });
    sim.input(Input::Error { gen: old });
    sim.input(Input::Closed {
        gen: old,
        code: 1000,
        reason: String::new(),
        was_clean: true,
    });
    // A generation never handed out is ignored as well.
    sim.input(Input::Opened {
        gen: steadyws::session::Gen(cur.0 + 5),
        protocol: String::new(),
    });
    assert!(sim.take().is_empty());
    assert_eq!(sim.s.state(), State::Connecting);
}

#[test]
fn backoff_grows_by_factor_and_caps_at_max_delay() {
    let mut sim = Sim::new(config_no_jitter());
    for _ in 0..8 {
        sim.fail_connect();
        sim.wait_for_attempt();
    }
    assert_eq!(
        sim.delays(),
        vec![1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]
    );
    let attempts: Vec<u32> = sim
        .log
        .iter()
        .filter_map(|(_, a)| match a {
            Action::Emit(Event::Reconnecting { attempt, .. }) => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(attempts, (2..=9).collect::<Vec<_>>());
    assert_eq!(sim.s.stats().attempt, 9);
}

#[test]
fn jittered_delays_stay_within_min_and_max_and_within_the_documented_bounds() {
    for jitter in [0.0, 0.25, 0.5, 1.0] {
        for seed in 0..20 {
            let mut cfg = config();
            cfg.reconnect.as_mut().unwrap().jitter = jitter;
            let rc = cfg.reconnect.clone().unwrap();
            let mut sim = Sim::with_seed(cfg, seed);
            for _ in 0..12 {
                sim.fail_connect();
                sim.wait_for_attempt();
            }
            for (n, d) in sim.delays().into_iter().enumerate() {
                let (lo, hi) = delay_bounds(&rc, n as u32);
                assert!((1_000..=30_000).contains(&d), "{d}");
                assert!((lo..=hi).contains(&d), "n={n} {d} not in [{lo},{hi}]");
            }
        }
    }
}

#[test]
fn jitter_spreads_even_the_first_retry() {
    let firsts: std::collections::BTreeSet<u64> = (0..50)
        .map(|seed| {
            let mut sim = Sim::with_seed(config(), seed);
            sim.fail_connect();
            sim.delays()[0]
        })
        .collect();
    assert!(firsts.len() > 10, "{firsts:?}");
    assert!(firsts.iter().all(|d| (1_000..=1_500).contains(d)));
}

#[test]
fn same_seed_gives_the_same_delays() {
    let run = |seed| {
        let mut sim = Sim::with_seed(config(), seed);
        for _ in 0..6 {
            sim.fail_connect();
            sim.wait_for_attempt();
        }
        sim.delays()
    };
    assert_eq!(run(42), run(42));
    assert_ne!(run(42), run(43));
}

#[test]
fn backoff_does_not_reset_before_stable_after() {
    let mut sim = Sim::new(config_no_jitter());
    for _ in 0..6 {
        sim.open();
        sim.advance(4_999);
        sim.server_close(1000);
        sim.wait_for_attempt();
    }
    assert_eq!(
        sim.delays(),
        vec![1_000, 2_000, 4_000, 8_000, 16_000, 30_000]
    );
}

#[test]
fn backoff_resets_once_open_for_stable_after() {
    let mut sim = Sim::new(config_no_jitter());
    for _ in 0..4 {
        sim.fail_connect();
        sim.wait_for_attempt();
    }
    sim.open();
    sim.advance(5_000);
    sim.server_close(1001);
    assert_eq!(sim.delays().last(), Some(&1_000));
    let events = sim.take_events();
    assert!(events.contains(&Event::Reconnecting {
        attempt: 2,
        delay: 1_000
    }));
}

#[test]
fn accept_then_drop_server_cannot_cause_a_reconnect_storm() {
    let mut sim = Sim::new(config());
    // Ten simulated minutes against a server that accepts and drops at once.
    while sim.now < 600_000 {
        if sim.s.state() == State::Connecting {
            sim.open();
            sim.server_close(1000);
        }
        let next = sim.s.poll_timeout().unwrap();
        sim.advance_to(next);
    }
    let n = sim.connects().len();
    // 1+2+4+8+16 s of growth then one attempt per >= 15 s (jitter 0.5 at
    // the 30 s cap): at most ~42, never hundreds.
    assert!(n <= 45, "{n} connects in 10 minutes");
    assert!(n >= 20, "{n}: it keeps trying");
}

#[test]
fn max_retries_ends_in_closed_with_retries_exhausted() {
    let mut sim = Sim::new(with_reconnect(|rc| rc.max_retries = Some(3)));
    for _ in 0..3 {
        sim.fail_connect();
        sim.wait_for_attempt();
    }
    sim.take();
    sim.fail_connect();
    let events = sim.take_events();
    assert_eq!(
        &events[1..],
        &[
            Event::Close {
                code: 1006,
                reason: String::new(),
                was_clean: false,
                will_reconnect: false
            },
            Event::Error(Error::RetriesExhausted { attempts: 4 }),
            Event::State {
                state: State::Closed,
                previous: State::Connecting
            },
        ]
    );
    assert_eq!(sim.s.poll_timeout(), None);
    assert_eq!(sim.s.current_gen(), None);
    assert_eq!(sim.connects().len(), 4);
}

#[test]
fn max_retries_zero_never_retries() {
    let mut sim = Sim::new(with_reconnect(|rc| rc.max_retries = Some(0)));
    sim.fail_connect();
    assert_eq!(sim.s.state(), State::Closed);
    assert_eq!(
        sim.errors(),
        vec![Error::Socket, Error::RetriesExhausted { attempts: 1 }]
    );
}

#[test]
fn retries_count_only_consecutive_failures() {
    let mut sim = Sim::new(with_reconnect(|rc| rc.max_retries = Some(2)));
    // A drop after a stable connection is failure 1; one failed retry makes
    // 2 (= max_retries): still allowed. Stable again: the count resets.
    for _ in 0..5 {
        sim.fail_connect();
        sim.wait_for_attempt();
        sim.open();
        sim.advance(5_000);
        sim.server_close(1001);
        sim.wait_for_attempt();
    }
    assert_eq!(sim.s.state(), State::Connecting);
}

#[test]
fn server_close_codes_that_reconnect() {
    for code in [
        1000, 1001, 1005, 1006, 1011, 1012, 1013, 1014, 3000, 4000, 4999,
    ] {
        let mut sim = Sim::new(config_no_jitter());
        sim.open();
        sim.take();
        sim.server_close(code);
        let ev = sim.take_events();
        assert!(
            matches!(ev[0], Event::Close { code: c, will_reconnect: true, .. } if c == code),
            "{code}: {ev:?}"
        );
        assert_eq!(sim.s.state(), State::Reconnecting, "{code}");
    }
}

#[test]
fn fatal_close_codes_end_the_session() {
    for code in DEFAULT_FATAL_CODES {
        let mut sim = Sim::new(config_no_jitter());
        sim.open();
        sim.take();
        sim.server_close(code);
        assert_eq!(
            sim.take_events(),
            vec![
                Event::Close {
                    code,
                    reason: String::new(),
                    was_clean: true,
                    will_reconnect: false
                },
                Event::Error(Error::FatalClose { code }),
                Event::State {
                    state: State::Closed,
                    previous: State::Open
                },
            ]
        );
        assert_eq!(sim.s.poll_timeout(), None);
    }
}

#[test]
fn fatal_codes_are_configurable() {
    let mut sim = Sim::new(with_reconnect(|rc| rc.fatal_codes = vec![4001]));
    sim.open();
    sim.server_close(1008);
    assert_eq!(sim.s.state(), State::Reconnecting, "1008 no longer fatal");
    sim.wait_for_attempt();
    sim.open();
    sim.server_close(4001);
    assert_eq!(sim.s.state(), State::Closed);
    assert!(sim.errors().contains(&Error::FatalClose { code: 4001 }));
}

#[test]
fn connect_timeout_abandons_a_stuck_socket_and_counts_as_a_failure() {
    let mut sim = Sim::new(config_no_jitter());
    let gen = sim.gen();
    sim.take();
    sim.advance_to(9_999);
    assert!(sim.take().is_empty());
    sim.advance_to(10_000);
    let acts = sim.take();
    assert_eq!(
        acts[0],
        Action::Abandon {
            gen,
            code: None,
            reason: String::new()
        }
    );
    assert_eq!(
        acts[1],
        Action::Emit(Event::Error(Error::ConnectTimeout { after: 10_000 }))
    );
    assert!(acts.contains(&Action::Emit(Event::Reconnecting {
        attempt: 2,
        delay: 1_000
    })));
    // The stuck socket opening late changes nothing.
    sim.input(Input::Opened {
        gen,
        protocol: String::new(),
    });
    assert_eq!(sim.s.state(), State::Reconnecting);
    // Stuck again: the backoff keeps growing.
    sim.advance_to(11_000 + 10_000);
    assert_eq!(sim.delays(), vec![1_000, 2_000]);
}

#[test]
fn connect_timeout_zero_disables_it() {
    let mut cfg = config();
    cfg.connect_timeout = 0;
    let mut sim = Sim::new(cfg);
    assert_eq!(sim.s.poll_timeout(), None);
    sim.advance_to(1_000_000);
    assert_eq!(sim.s.state(), State::Connecting);
}

#[test]
fn online_or_resumed_while_waiting_attempts_at_once() {
    for input in [Input::Online, Input::Resumed] {
        let mut sim = Sim::new(config_no_jitter());
        for _ in 0..5 {
            sim.fail_connect();
            sim.wait_for_attempt();
        }
        sim.fail_connect(); // now waiting 30 s
        sim.advance(1_000);
        sim.input(input.clone());
        assert_eq!(sim.s.state(), State::Connecting, "{input:?}");
        assert_eq!(sim.connects().last().unwrap().0, sim.now);
        // The backoff is not reset by it.
        sim.fail_connect();
        assert_eq!(sim.delays().last(), Some(&30_000));
    }
}

#[test]
fn online_resumed_or_reconnect_storm_while_connecting_opens_no_second_socket() {
    let mut sim = Sim::new(config());
    sim.take();
    sim.input(Input::Online);
    sim.input(Input::Resumed);
    sim.input(Input::Offline);
    sim.input(Input::Hidden);
    assert!(sim.take().is_empty());
    assert_eq!(sim.connects().len(), 1);
}

#[test]
fn offline_does_not_wedge_attempts_continue_on_schedule() {
    let mut sim = Sim::new(config_no_jitter());
    sim.input(Input::Offline);
    sim.fail_connect();
    sim.input(Input::Offline);
    sim.advance_to(1_000);
    assert_eq!(sim.s.state(), State::Connecting, "no `online` needed");
}

#[test]
fn reconnect_while_open_abandons_and_connects_now() {
    let mut sim = Sim::new(config_no_jitter());
    sim.open();
    let old = sim.gen();
    sim.advance(100);
    sim.take();
    sim.reconnect();
    let acts = sim.take();
    assert_eq!(
        acts[0],
        Action::Abandon {
            gen: old,
            code: Some(1000),
            reason: String::new()
        }
    );
    assert!(matches!(
        acts[1],
        Action::Emit(Event::Close {
            will_reconnect: true,
            ..
        })
    ));
    assert!(matches!(acts[2], Action::Connect { gen } if gen != old));
    assert_eq!(
        acts[3],
        Action::Emit(Event::State {
            state: State::Connecting,
            previous: State::Open
        })
    );
    assert_eq!(acts.len(), 4);
}

#[test]
fn reconnect_while_connecting_replaces_the_attempt() {
    let mut sim = Sim::new(config());
    let old = sim.gen();
    sim.reconnect();
    assert_ne!(sim.gen(), old);
    assert!(sim
        .log
        .iter()
        .any(|(_, a)| matches!(a, Action::Abandon { gen, .. } if *gen == old)));
    assert_eq!(sim.s.state(), State::Connecting);
    // The old socket's late events are ignored.
    sim.input(Input::Opened {
        gen: old,
        protocol: String::new(),
    });
    assert_eq!(sim.s.state(), State::Connecting);
}

#[test]
fn reconnect_while_waiting_attempts_now() {
    let mut sim = Sim::new(config_no_jitter());
    sim.fail_connect();
    sim.reconnect();
    assert_eq!(sim.s.state(), State::Connecting);
    assert_eq!(sim.connects().len(), 2);
    assert_eq!(sim.connects()[1].0, 0);
}

#[test]
fn reconnect_after_close_revives_the_session_with_a_fresh_backoff() {
    let mut sim = Sim::new(with_reconnect(|rc| rc.max_retries = Some(1)));
    sim.fail_connect();
    sim.wait_for_attempt();
    sim.fail_connect();
    assert_eq!(sim.s.state(), State::Closed);
    sim.take();
    sim.reconnect();
    assert_eq!(sim.s.state(), State::Connecting);
    assert!(sim.take_events().contains(&Event::State {
        state: State::Connecting,
        previous: State::Closed
    }));
    assert_eq!(sim.s.stats().attempt, 1);
    sim.fail_connect();
    assert_eq!(sim.s.state(), State::Reconnecting, "retries start afresh");
}

#[test]
fn reconnect_disabled_closes_when_the_socket_drops() {
    let mut cfg = config();
    cfg.reconnect = None;
    let mut sim = Sim::new(cfg);
    sim.open();
    sim.take();
    sim.server_close(1012);
    assert_eq!(
        sim.take_events(),
        vec![
            Event::Close {
                code: 1012,
                reason: String::new(),
                was_clean: true,
                will_reconnect: false
            },
            Event::State {
                state: State::Closed,
                previous: State::Open
            }
        ]
    );
    assert_eq!(sim.s.poll_timeout(), None);
}

#[test]
fn open_event_carries_the_attempt_and_stats_count_reconnects() {
    let mut sim = Sim::new(config_no_jitter());
    sim.fail_connect();
    sim.wait_for_attempt();
    sim.take();
    let gen = sim.gen();
    sim.input(Input::Opened {
        gen,
        protocol: "chat".into(),
    });
    assert_eq!(
        sim.take_events(),
        vec![
            Event::State {
                state: State::Open,
                previous: State::Connecting
            },
            Event::Open {
                protocol: "chat".into(),
                attempt: 2,
                ack: None
            }
        ]
    );
    assert_eq!(sim.s.stats().reconnects, 0, "first successful open");
    sim.server_close(1001);
    sim.wait_for_attempt();
    sim.open();
    let st = sim.s.stats();
    assert_eq!(st.reconnects, 1);
    assert_eq!(st.attempt, 3);
}

#[test]
fn socket_error_while_open_reconnects_once() {
    let mut sim = Sim::new(config_no_jitter());
    sim.open();
    let gen = sim.gen();
    sim.input(Input::Error { gen });
    assert_eq!(sim.s.state(), State::Reconnecting);
    sim.input(Input::Closed {
        gen,
        code: 1006,
        reason: String::new(),
        was_clean: false,
    });
    sim.advance_to(1_000 + 9_999);
    assert_eq!(sim.connects().len(), 2);
}

#[test]
fn online_or_resumed_never_attempts_sooner_than_min_delay_after_the_last_attempt() {
    let mut sim = Sim::new(config_no_jitter());
    for _ in 0..5 {
        sim.fail_connect();
        sim.wait_for_attempt();
    }
    let started = sim.now;
    sim.advance(50);
    sim.fail_connect(); // waiting 30 s from here
                        // The network flaps: online/offline/online... every 10 ms.
    for _ in 0..150 {
        sim.advance(10);
        sim.input(Input::Online);
        sim.input(Input::Offline);
        sim.input(Input::Resumed);
    }
    let connects = sim.connects();
    assert_eq!(connects.len(), 7, "one early attempt, not 150");
    assert_eq!(connects[6].0, started + 1_000, "minDelay after the last");
}

#[test]
fn delay_bounds_follow_the_documented_formula() {
    let rc = ReconnectConfig::default(); // 1 s .. 30 s, x2, jitter 0.5
    assert_eq!(delay_bounds(&rc, 0), (1_000, 1_500));
    assert_eq!(delay_bounds(&rc, 1), (1_500, 3_000));
    assert_eq!(delay_bounds(&rc, 3), (6_000, 12_000));
    assert_eq!(delay_bounds(&rc, 5), (15_000, 30_000));
    assert_eq!(delay_bounds(&rc, u32::MAX), (15_000, 30_000));
    let full = ReconnectConfig {
        jitter: 1.0,
        ..ReconnectConfig::default()
    };
    assert_eq!(delay_bounds(&full, 0), (1_000, 2_000));
    assert_eq!(delay_bounds(&full, 10), (1_000, 30_000));
    let none = ReconnectConfig {
        jitter: 0.0,
        ..ReconnectConfig::default()
    };
    assert_eq!(delay_bounds(&none, 2), (4_000, 4_000));
}
