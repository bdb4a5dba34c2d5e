//! Browser tests: messages make the round trip through `steadyws serve`'s
//! `/echo` unchanged (text, binary, JSON), in headless Chromium; a
//! `WebSocket` constructor given in the config is used for every attempt.
#![cfg(target_arch = "wasm32")]

#[path = "wasm_support/mod.rs"]
mod support;

use serde::{Deserialize, Serialize};
use steadyws::web::{Sent, Socket, SocketEvent};
use support::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn text_message_comes_back_from_echo_unchanged() {
    let (log, sink) = recorder::<String>();
    let url = ws_url("/echo", &client_id("echo-text"));
    let socket = TextSocket::connect(quiet(&url).json(false), sink).unwrap();
    // Sent before the open: queued, then flushed in order.
    assert_eq!(socket.send_text("héllo ☃").unwrap(), Sent::Queued);
    wait_for("the echo", 5_000, || {
        count(&log, |e| matches!(e, SocketEvent::Message(_))) == 1
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
    assert_eq!(got, ["héllo ☃"]);
    assert_eq!(socket.send_text("again").unwrap(), Sent::Sent);
}

#[wasm_bindgen_test]
async fn binary_message_comes_back_as_the_same_bytes() {
    let (log, sink) = recorder::<String>();
    let url = ws_url("/echo", &client_id("echo-binary"));
    let socket = TextSocket::connect(quiet(&url), sink).unwrap();
    let bytes: Vec<u8> = (0..=255).chain(0..=255).collect();
    socket.send_binary(&bytes).unwrap();
    wait_for("the echo", 5_000, || {
        count(&log, |e| matches!(e, SocketEvent::Binary(_))) == 1
    })
    .await;
    let got = log.borrow().iter().find_map(|(_, e)| match e {
        SocketEvent::Binary(b) => Some(b.clone()),
        _ => None,
    });
    assert_eq!(got, Some(bytes));
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Order {
    id: u32,
    item: String,
    tags: Vec<String>,
    price: Option<f64>,
}

#[wasm_bindgen_test]
async fn json_message_round_trips_into_the_same_typed_value() {
    let (log, sink) = recorder::<Order>();
    let url = ws_url("/echo", &client_id("echo-json"));
    let socket = Socket::<Order, Order>::connect(quiet(&url).json(true), sink).unwrap();
    let order = Order {
        id: 7,
        item: "tea \"green\"".into(),
        tags: vec!["a".into(), "ü".into()],
        price: Some(2.5),
    };
    socket.send(&order).unwrap();
    wait_for("the echo", 5_000, || {
        count(&log, |e| matches!(e, SocketEvent::Message(_))) == 1
    })
    .await;
    let got = log.borrow().iter().find_map(|(_, e)| match e {
        SocketEvent::Message(m) => Some(m.clone()),
        _ => None,
    });
    assert_eq!(got, Some(order));
}

#[wasm_bindgen_test]
async fn text_that_is_not_json_is_an_error_event_and_the_socket_keeps_working() {
    let (log, sink) = recorder::<Order>();
    let url = ws_url("/echo", &client_id("echo-bad-json"));
    let socket = Socket::<Order, Order>::connect(quiet(&url).json(true), sink).unwrap();
    socket.send_text("{not json").unwrap();
    socket
        .send(&Order {
            id: 1,
            item: "x".into(),
            tags: vec![],
            price: None,
        })
        .unwrap();
    wait_for("the valid echo", 5_000, || {
        count(&log, |e| matches!(e, SocketEvent::Message(_))) == 1
    })
    .await;
    let errors: Vec<_> = log
        .borrow()
        .iter()
        .filter_map(|(_, e)| match e {
            SocketEvent::Error(err) => Some(err.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        errors,
        [steadyws::web::SocketError::InvalidJson {
            text: "{not json".into()
        }]
    );
}

#[wasm_bindgen_test]
async fn events_arrive_as_a_stream_that_ends_when_the_socket_is_dropped() {
    use core::pin::Pin;
    use futures_core::Stream;

    async fn next(events: &mut steadyws::web::Events<String>) -> Option<SocketEvent<String>> {
        core::future::poll_fn(|cx| Pin::new(&mut *events).poll_next(cx)).await
    }
    let url = ws_url("/echo", &client_id("echo-stream"));
    let (socket, mut events) = TextSocket::connect_stream(quiet(&url).json(false)).unwrap();
    socket.send_text("streamed").unwrap();
    let mut seen = Vec::new();
    while let Some(event) = next(&mut events).await {
        let done = matches!(&event, SocketEvent::Message(_));
        seen.push(event);
        if done {
            break;
        }
    }
    assert!(matches!(
        seen[0],
        SocketEvent::State {
            state: steadyws::web::State::Open,
            ..
        }
    ));
    assert!(matches!(seen[1], SocketEvent::Open { attempt: 1, .. }));
    assert_eq!(
        seen.last(),
        Some(&SocketEvent::Message("streamed".to_string()))
    );
    drop(socket);
    // Dropping the socket starts the closing handshake and releases
    // everything at once (nothing waits for the server's reply): the stream
    // delivers what was queued, then ends.
    let mut rest = Vec::new();
    while let Some(event) = next(&mut events).await {
        rest.push(event);
    }
    assert_eq!(
        rest,
        [SocketEvent::State {
            state: steadyws::web::State::Closing,
            previous: steadyws::web::State::Open
        }]
    );
}

#[wasm_bindgen_test]
async fn page_events_reach_the_core_through_the_rust_api_listeners() {
    use steadyws::web::Heartbeat;
    let (log, sink) = recorder::<String>();
    let url = ws_url("/chat", &client_id("page-events"));
    // A heartbeat that would not ping for a minute on its own.
    let config = quiet(&url)
        .json(false)
        .heartbeat(Some(Heartbeat::new(60_000, 5_000)));
    let socket = TextSocket::connect(config, sink).unwrap();
    wait_for("the open", 5_000, || {
        socket.state() == steadyws::web::State::Open
    })
    .await;
    let dispatch = js_sys::Function::new_with_args("t", "globalThis.dispatchEvent(new Event(t))");
    // Going offline makes the core probe the connection at once; /chat
    // answers the ping with 'pong'.
    dispatch.call1(&JsValue::NULL, &"offline".into()).unwrap();
    wait_for("the probe's pong", 2_000, || {
        count(&log, |e| matches!(e, SocketEvent::Pong { .. })) == 1
    })
    .await;
    assert_eq!(count(&log, |e| matches!(e, SocketEvent::Ping)), 1);
    assert_eq!(
        count(&log, |e| matches!(e, SocketEvent::Message(_))),
        0,
        "the pong is not a message"
    );
    socket.close(1000, "");
    wait_for("closed", 5_000, || {
        socket.state() == steadyws::web::State::Closed
    })
    .await;
    // Closed: the listeners are gone, so page events do nothing.
    let n = log.borrow().len();
    dispatch.call1(&JsValue::NULL, &"online".into()).unwrap();
    dispatch.call1(&JsValue::NULL, &"offline".into()).unwrap();
    assert_eq!(log.borrow().len(), n);
}

#[wasm_bindgen_test]
async fn a_web_socket_constructor_given_is_used_for_every_attempt() {
    // A counting subclass of the browser's WebSocket, the way a test or a
    // polyfill would pass one.
    let counting = js_sys::Function::new_no_args(
        "const C = class extends WebSocket { constructor(u, p) { super(u, p); C.made += 1; } }; \
         C.made = 0; return C;",
    )
    .call0(&JsValue::NULL)
    .unwrap();
    let made = || {
        js_sys::Reflect::get(&counting, &"made".into())
            .unwrap()
            .as_f64()
            .unwrap() as u32
    };
    let (log, sink) = recorder::<String>();
    let client = client_id("echo-ctor");
    let config = quiet(&ws_url("/echo", &client))
        .reconnect(Some(steadyws::web::Reconnect {
            min_delay: 50,
            max_delay: 50,
            ..steadyws::web::Reconnect::default()
        }))
        .web_socket(counting.clone().unchecked_into());
    let socket = TextSocket::connect(config, sink).unwrap();
    wait_for("the open", 5_000, || {
        count(&log, |e| matches!(e, SocketEvent::Open { .. })) == 1
    })
    .await;
    assert_eq!(made(), 1, "one construction for the first connection");
    control(&client, "drop").await;
    wait_for("the reopen", 5_000, || {
        count(&log, |e| matches!(e, SocketEvent::Open { .. })) == 2
    })
    .await;
    assert_eq!(made(), 2, "one more for the reconnect");
    assert_eq!(socket.send_text("still").unwrap(), Sent::Sent);
    wait_for("the echo", 5_000, || {
        count(&log, |e| matches!(e, SocketEvent::Message(_))) == 1
    })
    .await;
    // (No peak check: the server may still count the dropped one a moment.)
    let (open, _, total) = stats(&client).await;
    assert_eq!((open, total), (1, 2), "the new connection open, two in all");
}
