#![cfg(not(target_arch = "wasm32"))]
//! The bounded send queue: order, bounds, exactly-once hand-off.

mod session_common;

use session_common::*;
use steadyws::message::Message;
use steadyws::session::{Action, QueueConfig, SendError, Sent, State};

/// App data handed to sockets, in order (heartbeat pings excluded).
fn app_sends(sim: &Sim) -> Vec<String> {
    sim.log
        .iter()
        .filter_map(|(_, a)| match a {
            Action::Send {
                data: Message::Text(t),
                ..
            } if t != "ping" => Some(t.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn queued_messages_flush_in_order_before_later_sends() {
    let mut sim = Sim::new(config());
    assert_eq!(sim.send("a"), Ok(Sent::Queued));
    assert_eq!(sim.send("b"), Ok(Sent::Queued));
    assert_eq!(sim.send("c"), Ok(Sent::Queued));
    assert_eq!(sim.s.stats().queued, 3);
    let gen = sim.gen();
    sim.take();
    sim.open();
    let acts = sim.take();
    // The flush comes first, before any event an app callback could react
    // to by sending.
    assert_eq!(
        &acts[..3],
        &[
            Action::Send {
                gen,
                data: text("a")
            },
            Action::Send {
                gen,
                data: text("b")
            },
            Action::Send {
                gen,
                data: text("c")
            },
        ]
    );
    assert_eq!(sim.send("d"), Ok(Sent::Sent));
    assert_eq!(app_sends(&sim), ["a", "b", "c", "d"]);
    let st = sim.s.stats();
    assert_eq!((st.queued, st.queued_bytes, st.messages_out), (0, 0, 4));
}

#[test]
fn queue_survives_failed_attempts_and_flushes_once() {
    let mut sim = Sim::new(config());
    sim.send("1").unwrap();
    for i in 0..5 {
        sim.fail_connect();
        sim.send(&format!("w{i}")).unwrap();
        sim.wait_for_attempt();
    }
    sim.open();
    assert_eq!(app_sends(&sim), ["1", "w0", "w1", "w2", "w3", "w4"]);
    // Dropped and reconnected: nothing is sent twice.
    sim.server_close(1001);
    sim.wait_for_attempt();
    sim.open();
    assert_eq!(app_sends(&sim).len(), 6);
}

#[test]
fn queue_full_by_count_hands_the_message_back_and_loses_nothing() {
    let mut cfg = config();
    cfg.queue = Some(QueueConfig {
        max_messages: 2,
        max_bytes: 1 << 20,
    });
    let mut sim = Sim::new(cfg);
    sim.send("a").unwrap();
    sim.send("b").unwrap();
    assert_eq!(sim.send("c"), Err(SendError::QueueFull(text("c"))));
    assert_eq!(sim.s.stats().queued, 2);
    sim.open();
    assert_eq!(app_sends(&sim), ["a", "b"]);
}

#[test]
fn queue_full_by_bytes_hands_the_message_back() {
    let mut cfg = config();
    cfg.queue = Some(QueueConfig {
        max_messages: 100,
        max_bytes: 10,
    });
    let mut sim = Sim::new(cfg);
    assert_eq!(sim.send("12345"), Ok(Sent::Queued));
    assert_eq!(
        sim.send("123456"),
        Err(SendError::QueueFull(text("123456")))
    );
    assert_eq!(sim.send("12345"), Ok(Sent::Queued), "exactly at the bound");
    assert_eq!(sim.s.stats().queued_bytes, 10);
    assert_eq!(sim.send(""), Ok(Sent::Queued), "empty fits");
    assert!(matches!(sim.send("x"), Err(SendError::QueueFull(_))));
}

#[test]
fn oversized_message_is_refused_even_when_the_queue_is_empty() {
    let mut cfg = config();
    cfg.queue = Some(QueueConfig {
        max_messages: 100,
        max_bytes: 4,
    });
    let mut sim = Sim::new(cfg);
    assert_eq!(sim.send("12345"), Err(SendError::QueueFull(text("12345"))));
    assert_eq!(sim.s.stats().queued, 0);
}

#[test]
fn send_without_queue_while_not_open_is_not_open() {
    let mut cfg = config();
    cfg.queue = None;
    let mut sim = Sim::new(cfg);
    assert_eq!(sim.send("a"), Err(SendError::NotOpen(text("a"))));
    sim.fail_connect();
    assert_eq!(sim.send("b"), Err(SendError::NotOpen(text("b"))));
    sim.wait_for_attempt();
    sim.open();
    assert_eq!(sim.send("c"), Ok(Sent::Sent));
    assert_eq!(app_sends(&sim), ["c"]);
}

#[test]
fn send_after_close_is_closed() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.close(1000);
    assert_eq!(sim.s.state(), State::Closing);
    assert_eq!(sim.send("a"), Err(SendError::Closed(text("a"))));
    sim.server_close(1000);
    assert_eq!(sim.s.state(), State::Closed);
    assert_eq!(sim.send("b"), Err(SendError::Closed(text("b"))));
}

#[test]
fn queue_is_kept_across_close_and_can_be_taken_back_in_order() {
    let mut sim = Sim::new(config());
    sim.send("a").unwrap();
    sim.send("b").unwrap();
    sim.close(1000);
    assert_eq!(sim.s.stats().queued, 2);
    assert_eq!(sim.s.take_queued(), vec![text("a"), text("b")]);
    let st = sim.s.stats();
    assert_eq!((st.queued, st.queued_bytes), (0, 0));
}

#[test]
fn queue_kept_across_close_flushes_when_revived() {
    let mut sim = Sim::new(config());
    sim.send("a").unwrap();
    sim.close(1000);
    sim.reconnect();
    sim.open();
    assert_eq!(app_sends(&sim), ["a"]);
}

#[test]
fn heartbeat_pings_are_not_counted_as_app_messages() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.advance_to(10_000);
    sim.message("pong");
    sim.send("x").unwrap();
    let st = sim.s.stats();
    assert_eq!(st.messages_out, 1);
    assert_eq!(st.messages_in, 1);
}

/// The browser driver passes `Session::now()` to `send` instead of reading
/// the clock; that is only sound if sending moves no deadline in any phase.
#[test]
fn sending_moves_no_deadline_and_needs_no_fresh_time() {
    let mut sim = Sim::new(config());
    let check = |sim: &mut Sim, what: &str| {
        let before = (sim.s.poll_timeout(), sim.s.now(), sim.s.state());
        let now = sim.s.now();
        let _ = sim.s.send(text(what), now);
        assert_eq!(
            (sim.s.poll_timeout(), sim.s.now(), sim.s.state()),
            before,
            "{what}"
        );
    };
    check(&mut sim, "connecting");
    sim.open();
    sim.advance(1_234);
    check(&mut sim, "open");
    sim.message("x");
    check(&mut sim, "open after a message");
    sim.server_close(1006);
    check(&mut sim, "waiting");
    sim.wait_for_attempt();
    check(&mut sim, "reconnecting");
    sim.close(1000);
    check(&mut sim, "closed");
    assert!(sim.s.now() >= 1_234, "now() is the latest time given");
}
