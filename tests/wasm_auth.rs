//! Browser tests of the typed Rust API's continuity options against
//! `steadyws serve`: a per-attempt URL (`Config::url_with`) and the init/ack
//! handshake (`Config::init`) against `/proto`.
#![cfg(target_arch = "wasm32")]

#[path = "wasm_support/mod.rs"]
mod support;

use std::cell::Cell;
use std::rc::Rc;

use steadyws::session::Error;
use steadyws::web::{Init, SocketError, SocketEvent};
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_url_function_failing_twice_gives_two_url_failed_then_an_open() {
    let (log, sink) = recorder::<String>();
    let url = ws_url("/echo", &client_id("typed-url"));
    let calls = Rc::new(Cell::new(0));
    let c = calls.clone();
    let rc = steadyws::web::Reconnect {
        min_delay: 20,
        max_delay: 40,
        ..Default::default()
    };
    let config = quiet::<String>("")
        .reconnect(Some(rc))
        .url_with(move |attempt| {
            c.set(c.get() + 1);
            (attempt >= 3).then(|| url.clone())
        });
    let _socket = TextSocket::connect(config, sink).unwrap();
    wait_for("the open", 5_000, || {
        count(&log, |e| matches!(e, SocketEvent::Open { .. })) == 1
    })
    .await;
    let failed = count(&log, |e| {
        matches!(
            e,
            SocketEvent::Error(SocketError::Session(Error::UrlFailed))
        )
    });
    assert_eq!(failed, 2);
    assert_eq!(calls.get(), 3);
}

#[wasm_bindgen_test]
async fn init_goes_first_and_the_queue_flushes_after_the_ack() {
    let (log, sink) = recorder::<String>();
    let url = ws_url("/proto?delay=100", &client_id("typed-proto"));
    let config = quiet::<String>(&url).init(
        Init::new(&[r#"{"type":"init"}"#])
            .ack_text(r#"{"type":"ack"}"#)
            .timeout(3_000),
    );
    let socket = TextSocket::connect(config, sink).unwrap();
    for i in 0..10 {
        socket.send_text(&format!("m{i}")).unwrap();
    }
    wait_for("ten echoes", 5_000, || {
        count(&log, |e| matches!(e, SocketEvent::Message(_))) == 10
    })
    .await;
    let got: Vec<String> = log
        .borrow()
        .iter()
        .filter_map(|(_, e)| match e {
            SocketEvent::Message(m) => Some(m.clone()),
            _ => None,
        })
        .collect();
    let want: Vec<String> = (0..10).map(|i| format!("m{i}")).collect();
    assert_eq!(got, want, "in order; the ack is not a message");
    let ack = log.borrow().iter().find_map(|(_, e)| match e {
        SocketEvent::Open { ack, .. } => Some(ack.clone()),
        _ => None,
    });
    assert_eq!(ack, Some(Some(r#"{"type":"ack"}"#.to_string())));
    assert_eq!(
        count(&log, |e| matches!(e, SocketEvent::Close { code: 4400, .. })),
        0
    );
}
