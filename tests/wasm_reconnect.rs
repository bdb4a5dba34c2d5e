//! Browser tests: reconnection keeps one socket at a time, backs off, and
//! the send queue survives drops.
#![cfg(target_arch = "wasm32")]

#[path = "wasm_support/mod.rs"]
mod support;

use steadyws::web::{Reconnect, Sent, SocketEvent, State};
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn delays(log: &Log<String>) -> Vec<u64> {
    log.borrow()
        .iter()
        .filter_map(|(_, e)| match e {
            SocketEvent::Reconnecting { delay, .. } => Some(*delay),
            _ => None,
        })
        .collect()
}

#[wasm_bindgen_test]
async fn flapping_server_for_ten_seconds_never_sees_two_sockets_and_delays_grow() {
    let client = client_id("flap");
    let (log, sink) = recorder::<String>();
    let config = quiet(&ws_url("/flap", &client)).reconnect(Some(Reconnect {
        min_delay: 50,
        max_delay: 2_000,
        factor: 2.0,
        jitter: 0.0,
        stable_after: 5_000,
        ..Reconnect::default()
    }));
    let socket = TextSocket::connect(config, sink).unwrap();
    sleep(10_000).await;

    let (_, peak, total) = stats(&client).await;
    assert_eq!(peak, 1, "the reconnect lock allows one socket at a time");
    // Accept-then-close never counts as stable: the backoff keeps growing
    // (50, 100, 200, ... capped at 2000) instead of a reconnect storm.
    let d = delays(&log);
    assert!(d.len() >= 5, "reconnect attempts: {d:?}");
    assert!(
        d.windows(2).all(|w| w[1] >= w[0]),
        "delays never shrink: {d:?}"
    );
    assert_eq!(&d[..5], &[50, 100, 200, 400, 800], "delays double: {d:?}");
    assert!(d.iter().all(|&x| x <= 2_000));
    assert!(
        total as usize <= d.len() + 1,
        "{total} handshakes for {} attempts",
        d.len()
    );
    assert!(total < 20, "no reconnect storm: {total} handshakes in 10 s");
    socket.close(1000, "");
}

#[wasm_bindgen_test]
async fn refused_handshakes_back_off_exponentially_without_opening() {
    let (log, sink) = recorder::<String>();
    let config =
        quiet(&ws_url("/refuse?status=503", &client_id("refuse"))).reconnect(Some(Reconnect {
            min_delay: 40,
            max_delay: 10_000,
            factor: 2.0,
            jitter: 0.0,
            ..Reconnect::default()
        }));
    let socket = TextSocket::connect(config, sink).unwrap();
    wait_for("four retries", 5_000, || delays(&log).len() >= 4).await;
    assert_eq!(&delays(&log)[..4], &[40, 80, 160, 320]);
    assert_eq!(count(&log, |e| matches!(e, SocketEvent::Open { .. })), 0);
    // Each refusal surfaced as an error and an unclean close.
    assert!(count(&log, |e| matches!(e, SocketEvent::Error(_))) >= 4);
    assert!(
        count(&log, |e| matches!(
            e,
            SocketEvent::Close {
                was_clean: false,
                will_reconnect: true,
                ..
            }
        )) >= 4
    );
    socket.close(1000, "");
}

#[wasm_bindgen_test]
async fn burst_queued_while_dropped_is_delivered_complete_and_in_order() {
    const N: usize = 20;
    let (log, sink) = recorder::<String>();
    // The server echoes N messages, then drops the TCP connection without a
    // close frame; every new connection does the same.
    let config = quiet(&ws_url(&format!("/drop?after={N}"), &client_id("drop")))
        .json(false)
        .reconnect(Some(Reconnect {
            min_delay: 100,
            max_delay: 100,
            jitter: 0.0,
            ..Reconnect::default()
        }));
    let socket = TextSocket::connect(config, sink).unwrap();
    let echoes = |log: &Log<String>| -> Vec<String> {
        log.borrow()
            .iter()
            .filter_map(|(_, e)| match e {
                SocketEvent::Message(m) => Some(m.clone()),
                _ => None,
            })
            .collect()
    };
    wait_for("the first open", 5_000, || socket.state() == State::Open).await;
    for i in 0..N {
        assert_eq!(socket.send_text(&format!("a{i}")).unwrap(), Sent::Sent);
    }
    wait_for("the drop", 5_000, || socket.state() == State::Reconnecting).await;
    // Dropped: a burst sent now is held, and flushed in order on the reopen,
    // before anything sent after it.
    for i in 0..N - 1 {
        assert_eq!(socket.send_text(&format!("b{i}")).unwrap(), Sent::Queued);
    }
    assert_eq!(socket.stats().queued, N - 1);
    wait_for("the reopen", 5_000, || socket.state() == State::Open).await;
    socket.send_text("after").unwrap();
    wait_for("every echo", 5_000, || echoes(&log).len() == 2 * N).await;
    let expected: Vec<String> = (0..N)
        .map(|i| format!("a{i}"))
        .chain((0..N - 1).map(|i| format!("b{i}")))
        .chain(["after".to_string()])
        .collect();
    assert_eq!(echoes(&log), expected);
    assert_eq!(socket.stats().queued, 0);
    let closes = count(&log, |e| {
        matches!(
            e,
            SocketEvent::Close {
                code: 1006,
                was_clean: false,
                ..
            }
        )
    });
    assert!(closes >= 1, "the drop was seen as an abnormal close");
    socket.close(1000, "");
}

/// The same rule, the same words, as `connect(url, { reconnect: { minDelay: 0 } })`
/// in JS (tests/e2e/sdk.mjs) and the core (tests/abi.rs).
#[wasm_bindgen_test]
fn min_delay_zero_is_refused_naming_the_js_field() {
    let config = quiet(&ws_url("/echo", &client_id("min-delay-0"))).reconnect(Some(Reconnect {
        min_delay: 0,
        ..Reconnect::default()
    }));
    match TextSocket::connect(config, |_| {}) {
        Ok(_) => panic!("minDelay 0 was accepted"),
        Err(e) => assert_eq!(
            (e.field.js(), e.reason.js()),
            ("reconnect.minDelay", "must be at least 1 ms")
        ),
    }
}
