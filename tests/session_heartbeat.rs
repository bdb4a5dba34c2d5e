#![cfg(not(target_arch = "wasm32"))]
//! Heartbeat: setTimeout-style ping/pong timers, dead-connection detection,
//! suspended pages.

mod session_common;

use session_common::*;
use steadyws::session::{late_slack, Action, Event, Input, State};

fn dead_events(sim: &Sim) -> usize {
    sim.log
        .iter()
        .filter(|(_, a)| matches!(a, Action::Emit(Event::HeartbeatTimeout { .. })))
        .count()
}

#[test]
fn silent_connection_is_declared_dead_after_interval_plus_timeout() {
    let mut sim = Sim::new(config_no_jitter());
    sim.open();
    let gen = sim.gen();
    sim.take();
    sim.advance_to(9_999);
    assert!(sim.take().is_empty(), "nothing before the interval");
    sim.advance_to(10_000);
    assert_eq!(
        sim.take(),
        vec![
            Action::Send {
                gen,
                data: text("ping")
            },
            Action::Emit(Event::Ping)
        ]
    );
    sim.advance_to(19_999);
    assert!(sim.take().is_empty(), "still within the pong timeout");
    sim.advance_to(20_000);
    assert_eq!(
        sim.take(),
        vec![
            Action::Abandon {
                gen,
                code: None,
                reason: String::new()
            },
            Action::Emit(Event::HeartbeatTimeout { silent_for: 20_000 }),
            Action::Emit(Event::Close {
                code: 1006,
                reason: "heartbeat timeout".into(),
                was_clean: false,
                will_reconnect: true
            }),
            Action::Emit(Event::Reconnecting {
                attempt: 2,
                delay: 1_000
            }),
            Action::Emit(Event::State {
                state: State::Reconnecting,
                previous: State::Open
            }),
        ]
    );
}

#[test]
fn any_message_clears_both_timers_and_rearms_the_ping_timer() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.advance_to(5_000);
    sim.message("hello");
    // The ping timer restarted at 5 000.
    sim.advance_to(14_999);
    assert_eq!(sim.pings_sent(), 0);
    sim.advance_to(15_000);
    assert_eq!(sim.pings_sent(), 1);
    // A data message after the ping proves liveness too.
    sim.advance_to(18_000);
    sim.message("data");
    sim.advance_to(27_999);
    assert_eq!(dead_events(&sim), 0);
    assert_eq!(sim.pings_sent(), 1);
    sim.advance_to(28_000);
    assert_eq!(sim.pings_sent(), 2);
    assert_eq!(sim.s.state(), State::Open);
}

#[test]
fn pong_reply_is_not_delivered_and_its_round_trip_is_recorded() {
    let mut sim = Sim::new(config()).with_pong_matcher();
    sim.open();
    sim.advance_to(10_000);
    sim.take();
    sim.advance_to(10_042);
    sim.message("pong");
    assert_eq!(sim.take_events(), vec![Event::Pong { rtt: 42 }]);
    assert_eq!(sim.s.stats().last_rtt_ms, Some(42));
    assert_eq!(sim.s.stats().messages_in, 0, "pongs are not app messages");
    // Liveness proven: the next ping is one interval after the pong.
    sim.advance_to(20_041);
    assert_eq!(sim.pings_sent(), 1);
    sim.advance_to(20_042);
    assert_eq!(sim.pings_sent(), 2);
}

#[test]
fn data_message_after_ping_keeps_alive_but_only_the_pong_gives_the_round_trip() {
    let mut sim = Sim::new(config()).with_pong_matcher();
    sim.open();
    sim.advance_to(10_000);
    sim.advance_to(10_005);
    sim.message("data");
    sim.advance_to(10_010);
    sim.message("pong");
    let events = sim.take_events();
    assert!(events.contains(&Event::Message(text("data"))));
    assert!(events.contains(&Event::Pong { rtt: 10 }));
    assert_eq!(sim.s.stats().last_rtt_ms, Some(10));
}

#[test]
fn without_matcher_first_message_after_ping_answers_it() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.advance_to(10_000);
    sim.take();
    sim.advance_to(10_007);
    sim.message("pong");
    assert_eq!(
        sim.take_events(),
        vec![Event::Pong { rtt: 7 }, Event::Message(text("pong"))],
        "without a matcher nothing is swallowed"
    );
}

#[test]
fn only_pong_proves_liveness_when_any_message_counts_is_false() {
    let mut cfg = config();
    cfg.heartbeat.as_mut().unwrap().any_message_counts = false;
    let mut sim = Sim::new(cfg).with_pong_matcher();
    sim.open();
    for t in (1_000..20_000).step_by(1_000) {
        sim.advance_to(t);
        sim.message("chatter");
    }
    sim.advance_to(20_000);
    assert_eq!(dead_events(&sim), 1, "chatter is not a pong");
    assert_eq!(sim.s.stats().messages_in, 19, "chatter is still delivered");
    assert_eq!(sim.s.state(), State::Reconnecting);
}

#[test]
fn driver_classified_pong_input_is_swallowed_and_answers() {
    let mut sim = Sim::new(config());
    sim.open();
    let gen = sim.gen();
    sim.advance_to(10_000);
    sim.take();
    sim.advance_to(10_003);
    sim.input(Input::Pong {
        gen,
        data: text("PONG"),
    });
    assert_eq!(sim.take_events(), vec![Event::Pong { rtt: 3 }]);
    // From now on the driver classifies: a plain message does not answer.
    sim.advance_to(20_003);
    sim.take();
    sim.advance_to(20_010);
    sim.message("data");
    assert_eq!(sim.take_events(), vec![Event::Message(text("data"))]);
}

#[test]
fn late_timer_after_suspend_probes_instead_of_killing() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.advance_to(10_000); // ping out, pong due at 20 000
    assert_eq!(sim.pings_sent(), 1);
    // Frozen until 60 000: the pong timer fires 40 s late.
    sim.suspend_until(60_000);
    assert_eq!(dead_events(&sim), 0, "a late timer alone proves nothing");
    assert_eq!(sim.pings_sent(), 2, "it probes instead");
    assert_eq!(sim.s.poll_timeout(), Some(70_000));
    // The reply (queued while frozen) arrives: still open, no reconnect.
    sim.advance_to(60_010);
    sim.message("pong");
    assert_eq!(sim.s.state(), State::Open);
    assert_eq!(sim.connects().len(), 1);
}

#[test]
fn unanswered_probe_after_suspend_declares_the_connection_dead() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.advance_to(10_000);
    sim.suspend_until(60_000);
    assert_eq!(dead_events(&sim), 0);
    // The probe's own timer fires late as well (still throttled): one probe
    // per suspicion, so now it is dead.
    sim.suspend_until(130_000);
    assert_eq!(dead_events(&sim), 1);
    assert!(sim.log.iter().any(|(_, a)| matches!(
        a,
        Action::Emit(Event::HeartbeatTimeout {
            silent_for: 130_000
        })
    )));
}

#[test]
fn timer_within_late_slack_still_kills() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.advance_to(10_000);
    let slack = late_slack(10_000);
    sim.suspend_until(20_000 + slack);
    assert_eq!(dead_events(&sim), 1, "{slack} ms late is not a suspend");
}

#[test]
fn late_ping_timer_still_gives_the_peer_a_full_timeout() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.suspend_until(300_000); // ping due at 10 000 fires at 300 000
    assert_eq!(sim.pings_sent(), 1);
    assert_eq!(sim.s.poll_timeout(), Some(310_000));
    sim.advance_to(309_999);
    assert_eq!(dead_events(&sim), 0);
    sim.advance_to(310_000);
    assert_eq!(dead_events(&sim), 1);
}

#[test]
fn resumed_while_open_probes_at_once() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.advance_to(3_000);
    sim.input(Input::Resumed);
    assert_eq!(sim.pings_sent(), 1);
    sim.advance_to(12_999);
    assert_eq!(dead_events(&sim), 0);
    sim.advance_to(13_000);
    assert_eq!(dead_events(&sim), 1, "dead one timeout after the probe");
}

#[test]
fn online_and_offline_while_open_probe_at_once() {
    for input in [Input::Online, Input::Offline] {
        let mut sim = Sim::new(config());
        sim.open();
        sim.advance_to(2_000);
        sim.input(input.clone());
        assert_eq!(sim.pings_sent(), 1, "{input:?}");
        sim.advance_to(2_500);
        sim.message("pong");
        assert_eq!(sim.s.stats().last_rtt_ms, Some(500));
        assert_eq!(sim.s.state(), State::Open);
    }
}

#[test]
fn probe_does_not_restart_an_outstanding_ping() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.advance_to(10_000);
    sim.advance_to(15_000);
    sim.input(Input::Resumed);
    sim.input(Input::Online);
    assert_eq!(sim.pings_sent(), 1);
    sim.advance_to(20_000);
    assert_eq!(dead_events(&sim), 1, "the original deadline holds");
}

#[test]
fn hidden_changes_nothing() {
    let mut sim = Sim::new(config());
    sim.open();
    sim.take();
    sim.input(Input::Hidden);
    assert!(sim.take().is_empty());
    assert_eq!(sim.s.poll_timeout(), Some(10_000));
}

#[test]
fn heartbeat_timeout_does_not_wait_for_the_dead_sockets_close_event() {
    let mut sim = Sim::new(config_no_jitter());
    sim.open();
    let dead = sim.gen();
    sim.advance_to(20_000);
    assert_eq!(sim.s.state(), State::Reconnecting);
    sim.advance_to(21_000);
    assert_eq!(sim.connects().len(), 2, "next attempt one delay later");
    // The half-open socket's close finally arrives: ignored.
    sim.take();
    sim.input(Input::Closed {
        gen: dead,
        code: 1006,
        reason: String::new(),
        was_clean: false,
    });
    sim.input(Input::Error { gen: dead });
    assert!(sim.take().is_empty());
    assert_eq!(sim.s.state(), State::Connecting);
}

#[test]
fn heartbeat_disabled_never_pings_and_arms_no_timer_while_open() {
    let mut cfg = config();
    cfg.heartbeat = None;
    let mut sim = Sim::new(cfg);
    sim.open();
    assert_eq!(sim.s.poll_timeout(), None);
    sim.input(Input::Resumed);
    sim.advance_to(10_000_000);
    assert_eq!(sim.pings_sent(), 0);
    assert_eq!(sim.s.state(), State::Open);
}

#[test]
fn late_connect_timer_gets_one_grace_period() {
    let mut sim = Sim::new(config());
    // Connect deadline 10 000; frozen until 50 000.
    sim.suspend_until(50_000);
    assert_eq!(sim.s.state(), State::Connecting);
    assert_eq!(sim.s.poll_timeout(), Some(50_000 + late_slack(10_000)));
    // The open event was queued behind the timer.
    sim.open();
    assert_eq!(sim.connects().len(), 1);
}

#[test]
fn late_connect_timer_grace_expires_into_a_connect_timeout() {
    let mut sim = Sim::new(config());
    sim.suspend_until(50_000);
    sim.suspend_until(500_000);
    assert_eq!(sim.s.state(), State::Reconnecting);
    assert!(sim.errors().iter().any(|e| e.code() == "CONNECT_TIMEOUT"));
}
