#![cfg(not(target_arch = "wasm32"))]
//! Every frame a socket receives reaches the session before any decoding
//! decides how the app sees it: whatever its content it proves liveness and
//! is counted, and a frame of a socket the core gave up on emits nothing.

mod session_common;

use session_common::*;
use steadyws::session::{Action, Event, HeartbeatConfig, Input};

fn heartbeat(interval: u64, timeout: u64) -> steadyws::session::Config<steadyws::message::Message> {
    let mut c = config();
    c.heartbeat = Some(HeartbeatConfig {
        interval,
        timeout,
        ping: text("ping"),
        pong: Some(text("pong")),
        any_message_counts: true,
    });
    c
}

#[test]
fn text_that_no_decoder_accepts_keeps_a_heartbeat_guarded_socket_alive() {
    let mut sim = Sim::new(heartbeat(1_000, 500));
    sim.open();
    // A frame every 400 ms, none of them JSON, none a pong, for a minute.
    for _ in 0..150 {
        sim.advance(400);
        sim.message("{not json");
    }
    let events = sim.take_events();
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::HeartbeatTimeout { .. } | Event::Ping)),
        "silence was never long enough for a ping"
    );
    assert_eq!(sim.s.stats().messages_in, 150);
    assert_eq!(sim.s.state(), steadyws::session::State::Open);
}

#[test]
fn a_stale_sockets_frame_emits_nothing() {
    let mut sim = Sim::new(heartbeat(1_000, 500));
    sim.open();
    let old = sim.gen();
    sim.reconnect();
    sim.take();
    sim.input(Input::Message {
        gen: old,
        data: text("{not json"),
    });
    sim.input(Input::Pong {
        gen: old,
        data: text("pong"),
    });
    assert_eq!(sim.take(), Vec::<Action<_>>::new());
    assert_eq!(sim.s.stats().messages_in, 0);
}

#[test]
fn the_configured_pong_text_answers_the_ping_and_is_not_a_message() {
    let mut sim = Sim::new(heartbeat(1_000, 500));
    sim.open();
    sim.advance(1_000);
    assert_eq!(sim.pings_sent(), 1);
    sim.advance(100);
    sim.message("pong");
    let events = sim.take_events();
    assert!(events.contains(&Event::Pong { rtt: 100 }), "{events:?}");
    assert!(!events.iter().any(|e| matches!(e, Event::Message(_))));
    assert_eq!(sim.s.stats().last_rtt_ms, Some(100));
    // "pong" compared as it arrived: other text is a message.
    sim.message("\"pong\"");
    assert!(sim
        .take_events()
        .contains(&Event::Message(text("\"pong\""))));
}
