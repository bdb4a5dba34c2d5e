//! Browser tests of the typed Rust API's `Socket::request` against
//! `steadyws serve`'s `/rpc` (answers `{id, op:"add", a, b, delay}` with
//! `{id, result}` after `delay` ms, out of order; `op:"never"` is never
//! answered; `op:"drop"` drops the TCP connection; everything else is
//! echoed; `GET /rpc/log?client=ID` lists the ids that reached it).
#![cfg(target_arch = "wasm32")]

#[path = "wasm_support/mod.rs"]
mod support;

use js_sys::{Array, Reflect};
use serde::{Deserialize, Serialize};
use steadyws::session::{RequestError, State};
use steadyws::web::{Config, RequestFailure, Socket, SocketEvent};
use support::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[derive(Serialize)]
struct Ask {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    op: &'static str,
    a: i32,
    b: i32,
    delay: u32,
}

fn ask(op: &'static str, a: i32, delay: u32) -> Ask {
    Ask {
        id: None,
        op,
        a,
        b: 1000,
        delay,
    }
}

/// What /rpc sends: replies and echoes.
#[derive(Deserialize, Debug, Clone, PartialEq)]
struct Reply {
    id: Option<serde_json_id::Id>,
    result: Option<i32>,
    op: Option<String>,
}

mod serde_json_id {
    use serde::Deserialize;

    /// An id as the server echoes it: the core's number, or ours.
    #[derive(Deserialize, Debug, Clone, PartialEq)]
    #[serde(untagged)]
    pub enum Id {
        Number(f64),
        Text(String),
    }
}

type RpcSocket = Socket<Reply, Ask>;

fn config(url: &str, timeout_ms: u64) -> Config<Reply> {
    Config::new(url)
        .heartbeat(None)
        .json(true)
        .rpc("id", timeout_ms)
}

/// `GET /rpc/log?client=ID`: the ids that reached the server.
async fn rpc_log(client: &str) -> Vec<JsValue> {
    let json = fetch_json(&format!("/rpc/log?client={client}")).await;
    let ids: Array = Reflect::get(&json, &"ids".into()).unwrap().unchecked_into();
    ids.iter().collect()
}

#[wasm_bindgen_test]
async fn typed_requests_resolve_with_their_own_replies_out_of_order_and_are_not_messages() {
    let client = client_id("typed-rpc");
    let (log, sink) = recorder::<Reply>();
    let socket = RpcSocket::connect(config(&ws_url("/rpc", &client), 10_000), sink).unwrap();
    // Made before the open: queued, sent on the open.
    let asks: Vec<_> = (0..10)
        .map(|i| socket.request::<Reply>(&ask("add", i, 20 * (10 - i as u32))))
        .collect();
    let mut results = Vec::new();
    for r in asks {
        results.push(r.await.expect("a reply").result);
    }
    assert_eq!(results, (0..10).map(|i| Some(i + 1000)).collect::<Vec<_>>());
    assert_eq!(socket.stats().pending, 0);
    let messages = count(&log, |e| matches!(e, SocketEvent::Message(_)));
    assert_eq!(messages, 0, "a reply was delivered as a message");
}

#[wasm_bindgen_test]
async fn a_never_answered_typed_request_fails_with_timeout_not_before_it() {
    let client = client_id("typed-rpc-timeout");
    let (_log, sink) = recorder::<Reply>();
    let socket = RpcSocket::connect(config(&ws_url("/rpc", &client), 250), sink).unwrap();
    wait_for("the open", 5_000, || socket.state() == State::Open).await;
    let t0 = now();
    let r = socket.request::<Reply>(&ask("never", 0, 0)).await;
    let after = now() - t0;
    assert!(
        matches!(r, Err(RequestFailure::Failed(RequestError::Timeout))),
        "{r:?}"
    );
    assert!(after >= 249.0, "timed out after {after} ms");
    assert_eq!(socket.stats().pending, 0);
}

#[wasm_bindgen_test]
async fn dropping_a_queued_typed_request_cancels_it_and_it_is_never_sent() {
    let client = client_id("typed-rpc-drop");
    let (_log, sink) = recorder::<Reply>();
    let socket = RpcSocket::connect(config(&ws_url("/rpc", &client), 10_000), sink).unwrap();
    let mut gone = ask("add", 1, 0);
    gone.id = Some("dropped-in-queue".into());
    drop(socket.request::<Reply>(&gone));
    let mut kept = ask("add", 2, 0);
    kept.id = Some("kept".into());
    let reply = socket.request::<Reply>(&kept).await.expect("a reply");
    assert_eq!(reply.result, Some(1002));
    let ids = rpc_log(&client).await;
    assert_eq!(ids, vec![JsValue::from_str("kept")]);
    assert_eq!(socket.stats().pending, 0);
}

#[wasm_bindgen_test]
async fn a_lost_connection_fails_typed_requests_in_flight_and_the_next_one_resolves() {
    let client = client_id("typed-rpc-lost");
    let (_log, sink) = recorder::<Reply>();
    let rc = steadyws::web::Reconnect {
        min_delay: 20,
        max_delay: 40,
        ..Default::default()
    };
    let socket = RpcSocket::connect(
        config(&ws_url("/rpc", &client), 10_000).reconnect(Some(rc)),
        sink,
    )
    .unwrap();
    wait_for("the open", 5_000, || socket.state() == State::Open).await;
    let waiting = socket.request::<Reply>(&ask("never", 0, 0));
    // The server drops the TCP connection on this one.
    let dropping = socket.request::<Reply>(&ask("drop", 0, 0));
    assert!(matches!(
        waiting.await,
        Err(RequestFailure::Failed(RequestError::ConnectionLost))
    ));
    assert!(matches!(
        dropping.await,
        Err(RequestFailure::Failed(RequestError::ConnectionLost))
    ));
    let after = socket.request::<Reply>(&ask("add", 5, 0)).await;
    assert_eq!(
        after.expect("a reply after the reconnect").result,
        Some(1005)
    );
}
