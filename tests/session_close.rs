#![cfg(not(target_arch = "wasm32"))]
//! `close()`: closing handshake, timeouts, and silence afterwards.

mod session_common;

use session_common::*;
use steadyws::session::{Action, Event, Input, State};

#[test]
fn close_while_open_waits_for_the_close_handshake() {
    let mut sim = Sim::new(config());
    sim.open();
    let gen = sim.gen();
    sim.take();
    sim.s.close(4001, "bye".into(), sim.now);
    while let Some(a) = sim.s.poll() {
        sim.log.push((sim.now, a));
    }
    assert_eq!(
        sim.take(),
        vec![
            Action::Close {
                gen,
                code: 4001,
                reason: "bye".into()
            },
            Action::Emit(Event::State {
                state: State::Closing,
                previous: State::Open
            })
        ]
    );
    assert_eq!(
        sim.s.poll_timeout(),
        Some(5_000),
        "bounded by close_timeout"
    );
    sim.advance(200);
    sim.input(Input::Closed {
        gen,
        code: 4001,
        reason: "bye".into(),
        was_clean: true,
    });
    assert_eq!(
        sim.take_events(),
        vec![
            Event::Close {
                code: 4001,
                reason: "bye".into(),
                was_clean: true,
                will_reconnect: false
            },
            Event::State {
                state: State::Closed,
                previous: State::Closing
            }
        ]
    );
    assert_eq!(sim.s.poll_timeout(), None);
    assert_eq!(sim.s.current_gen(), None);
}

#[test]
fn close_timeout_abandons_a_socket_that_never_reports_its_close() {
    let mut sim = Sim::new(config());
    sim.open();
    let gen = sim.gen();
    sim.close(1000);
    sim.take();
    sim.advance_to(5_000);
    let acts = sim.take();
    assert_eq!(
        acts[0],
        Action::Abandon {
            gen,
            code: None,
            reason: String::new()
        }
    );
    assert!(matches!(
        acts[1],
        Action::Emit(Event::Close {
            will_reconnect: false,
            was_clean: false,
            ..
        })
    ));
    assert_eq!(sim.s.state(), State::Closed);
    assert_eq!(sim.s.poll_timeout(), None);
}

#[test]
fn close_timeout_zero_abandons_at_once() {
    let mut cfg = config();
    cfg.close_timeout = 0;
    let mut sim = Sim::new(cfg);
    sim.open();
    let gen = sim.gen();
    sim.take();
    sim.close(1000);
    assert_eq!(
        sim.take()[0],
        Action::Abandon {
            gen,
            code: Some(1000),
            reason: String::new()
        }
    );
    assert_eq!(sim.s.state(), State::Closed);
}

#[test]
fn close_while_connecting_abandons_and_is_closed_at_once() {
    let mut sim = Sim::new(config());
    let gen = sim.gen();
    sim.take();
    sim.close(1000);
    let acts = sim.take();
    assert_eq!(
        acts[0],
        Action::Abandon {
            gen,
            code: Some(1000),
            reason: String::new()
        }
    );
    assert_eq!(sim.s.state(), State::Closed);
    assert_eq!(sim.s.poll_timeout(), None);
}

#[test]
fn close_while_waiting_cancels_the_backoff_timer() {
    let mut sim = Sim::new(config());
    sim.fail_connect();
    sim.take();
    sim.close(1000);
    assert_eq!(
        sim.take(),
        vec![Action::Emit(Event::State {
            state: State::Closed,
            previous: State::Reconnecting
        })]
    );
    assert_eq!(sim.s.poll_timeout(), None);
    sim.advance_to(10_000_000);
    assert_eq!(sim.connects().len(), 1);
}

#[test]
fn nothing_happens_after_closed_whatever_arrives() {
    let mut sim = Sim::new(config());
    sim.open();
    let gen = sim.gen();
    sim.close(1000);
    sim.server_close(1000);
    sim.take();
    for input in [
        Input::Opened {
            gen,
            protocol: String::new(),
        },
        Input::Message {
            gen,
            data: text("late"),
        },
        Input::Pong {
            gen,
            data: text("pong"),
        },
        Input::Error { gen },
        Input::Closed {
            gen,
            code: 1012,
            reason: String::new(),
            was_clean: false,
        },
        Input::Online,
        Input::Offline,
        Input::Resumed,
        Input::Hidden,
    ] {
        sim.input(input);
        sim.s.handle_timeout(sim.now + 1_000_000);
    }
    sim.close(1000);
    assert!(sim.take().is_empty());
    assert_eq!(sim.s.poll_timeout(), None);
    assert_eq!(sim.s.state(), State::Closed);
}

#[test]
fn server_close_during_user_close_never_reconnects() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.close(1000);
    sim.take();
    sim.server_close(1012);
    let ev = sim.take_events();
    assert!(matches!(
        ev[0],
        Event::Close {
            code: 1012,
            will_reconnect: false,
            ..
        }
    ));
    assert_eq!(sim.s.state(), State::Closed);
}

#[test]
fn heartbeat_stops_while_closing_and_messages_are_still_delivered() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.advance(9_000);
    sim.close(1000);
    sim.take();
    sim.advance(4_000);
    assert_eq!(sim.pings_sent(), 0, "no ping while closing");
    sim.message("last words");
    assert_eq!(sim.take_events(), vec![Event::Message(text("last words"))]);
}

#[test]
fn close_twice_is_harmless() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.close(1000);
    sim.take();
    sim.close(4000);
    assert!(sim.take().is_empty());
    assert_eq!(sim.s.state(), State::Closing);
}

#[test]
fn reconnect_while_closing_revives() {
    let mut sim = Sim::new(config());
    sim.open();
    let old = sim.gen();
    sim.close(1000);
    sim.reconnect();
    assert_eq!(sim.s.state(), State::Connecting);
    assert!(sim
        .log
        .iter()
        .any(|(_, a)| matches!(a, Action::Abandon { gen, .. } if *gen == old)));
    sim.open();
    assert_eq!(sim.send("x"), Ok(steadyws::session::Sent::Sent));
}
