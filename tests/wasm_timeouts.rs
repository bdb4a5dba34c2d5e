//! Browser tests: dead connections are detected by timers and abandoned at
//! once (heartbeat timeout on `/silent`, connect timeout on `/stall`).
#![cfg(target_arch = "wasm32")]

#[path = "wasm_support/mod.rs"]
mod support;

use steadyws::session::Error;
use steadyws::web::{Heartbeat, Reconnect, SocketError, SocketEvent, State};
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const INTERVAL: u64 = 150;
const TIMEOUT: u64 = 150;
const DELAY: u64 = 100;

fn fixed_backoff() -> Reconnect {
    Reconnect {
        min_delay: DELAY,
        max_delay: DELAY,
        jitter: 0.0,
        ..Reconnect::default()
    }
}

#[wasm_bindgen_test]
async fn silent_server_times_out_and_a_new_socket_opens_without_waiting_for_close() {
    let client = client_id("silent");
    let (log, sink) = recorder::<String>();
    let config = quiet(&ws_url("/silent", &client))
        .json(false)
        .heartbeat(Some(Heartbeat::new(INTERVAL, TIMEOUT)))
        .reconnect(Some(fixed_backoff()));
    let socket = TextSocket::connect(config, sink).unwrap();
    let is_open = |e: &SocketEvent<String>| matches!(e, SocketEvent::Open { .. });
    wait_for("the second open", 5_000, || count(&log, is_open) >= 2).await;

    let opened = time_of(&log, 0, is_open).unwrap();
    let timed_out = time_of(&log, 0, |e| {
        matches!(e, SocketEvent::HeartbeatTimeout { .. })
    })
    .unwrap();
    // The next socket is created together with this state change.
    let recreated = time_of(&log, 0, |e| {
        matches!(
            e,
            SocketEvent::State {
                state: State::Connecting,
                previous: State::Reconnecting
            }
        )
    })
    .unwrap();
    // The ping went out after INTERVAL of silence, the timeout fired TIMEOUT
    // later, and the next socket was created DELAY after that: the half-open
    // socket's close (which /silent never sends) was not awaited.
    assert!(count(&log, |e| matches!(e, SocketEvent::Ping)) >= 1);
    assert!(timed_out - opened >= (INTERVAL + TIMEOUT) as f64 - 1.0);
    assert!(recreated - timed_out >= DELAY as f64 - 1.0);
    let budget = (INTERVAL + TIMEOUT + DELAY + 100) as f64;
    assert!(
        recreated - opened <= budget,
        "new socket {} ms after the first opened (budget {budget} ms)",
        recreated - opened
    );
    let silent_for = log.borrow().iter().find_map(|(_, e)| match e {
        SocketEvent::HeartbeatTimeout { silent_for } => Some(*silent_for),
        _ => None,
    });
    assert!(silent_for.is_some_and(|s| s >= INTERVAL + TIMEOUT));
    // (The server may still count the abandoned socket: it never answers the
    // close frame, and a browser cannot reset a TCP connection. In the
    // browser it is CLOSING, detached, and the new one is the only live one.)
    let (_, _, total) = stats(&client).await;
    assert!(total >= 2);
    socket.close(1000, "");
}

#[wasm_bindgen_test]
async fn stalled_handshake_hits_the_connect_timeout_and_retries() {
    let (log, sink) = recorder::<String>();
    let config = quiet(&ws_url("/stall", &client_id("stall")))
        .connect_timeout(200)
        .reconnect(Some(fixed_backoff()));
    // Taken before connecting: the timeout can only be later than this.
    let started = now();
    let socket = TextSocket::connect(config, sink).unwrap();
    let is_timeout = |e: &SocketEvent<String>| {
        matches!(
            e,
            SocketEvent::Error(SocketError::Session(Error::ConnectTimeout { .. }))
        )
    };
    wait_for("two connect timeouts", 5_000, || {
        count(&log, is_timeout) >= 2
    })
    .await;
    let first = time_of(&log, 0, is_timeout).unwrap();
    let second = time_of(&log, 1, is_timeout).unwrap();
    assert!(first - started >= 199.0, "first after {}", first - started);
    // Retried after the backoff delay, and timed out again.
    assert!(second - first >= (200 + DELAY) as f64 - 1.0);
    let after = log.borrow().iter().find_map(|(_, e)| match e {
        SocketEvent::Error(SocketError::Session(Error::ConnectTimeout { after })) => Some(*after),
        _ => None,
    });
    assert!(after.is_some_and(|a| a >= 200));
    assert_eq!(count(&log, |e| matches!(e, SocketEvent::Open { .. })), 0);
    assert!(count(&log, |e| matches!(e, SocketEvent::Reconnecting { .. })) >= 2);
    assert_ne!(socket.state(), State::Open);
    socket.close(1000, "");
    assert_eq!(socket.state(), State::Closed);
}
