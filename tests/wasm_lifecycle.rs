//! Browser tests: close() leaves nothing running, handlers may call back
//! into the socket, and 10,000 open/close cycles leak nothing.
//!
//! One test per concern, run one after the other (`live_callbacks()` is a
//! process-wide count).
#![cfg(target_arch = "wasm32")]

#[path = "wasm_support/mod.rs"]
mod support;

use std::cell::RefCell;
use std::rc::Rc;

use steadyws::abi::SocketInput;
use steadyws::web::{live_callbacks, Heartbeat, Inner, SocketEvent, State};
use support::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Options as the npm facade passes them: one number per ABI slot (NaN:
/// left out), here heartbeat off, a fast reconnect and a small queue.
fn npm_options() -> js_sys::Array {
    use steadyws::abi::Opt;
    let mut n = vec![f64::NAN; Opt::ALL.len()];
    for (o, v) in [
        (Opt::Heartbeat, 0.0),
        (Opt::ConnectTimeout, 5_000.0),
        (Opt::CloseTimeout, 1_000.0),
        (Opt::MinDelay, 100.0),
        (Opt::MaxDelay, 1_000.0),
        (Opt::Jitter, 0.0),
        (Opt::MaxMessages, 100.0),
        (Opt::MaxBytes, 65_536.0),
    ] {
        n[o as usize] = v;
    }
    n.into_iter().map(JsValue::from_f64).collect()
}

fn live() -> usize {
    live_callbacks().expect("tests run in debug builds, which count callbacks")
}

#[wasm_bindgen_test]
async fn lifecycle() {
    // Sequential on purpose: the callback count is global.
    close_leaves_no_timer_no_listener_and_no_later_event().await;
    handlers_may_send_and_close_reentrantly_and_events_stay_in_order().await;
    a_throwing_js_handler_does_not_wedge_the_socket().await;
    ten_thousand_open_close_cycles_leak_neither_memory_nor_callbacks().await;
}

async fn close_leaves_no_timer_no_listener_and_no_later_event() {
    let base = live();
    let (log, sink) = recorder::<String>();
    let config = quiet(&ws_url("/echo", &client_id("close")))
        .json(false)
        .heartbeat(Some(Heartbeat::new(50, 50)));
    let socket = TextSocket::connect(config, sink).unwrap();
    assert!(live() > base, "a live socket holds callbacks");
    wait_for("the open", 5_000, || socket.state() == State::Open).await;
    socket.close(1000, "bye");
    wait_for("the close", 5_000, || socket.state() == State::Closed).await;
    // No socket handlers, no timer, no page listeners remain...
    assert_eq!(live(), base, "callbacks left after close");
    let n = log.borrow().len();
    let last = log.borrow().last().map(|(_, e)| e.clone());
    assert_eq!(
        last,
        Some(SocketEvent::State {
            state: State::Closed,
            previous: State::Closing
        })
    );
    let close = log.borrow().iter().find_map(|(_, e)| match e {
        SocketEvent::Close {
            code,
            will_reconnect,
            ..
        } => Some((*code, *will_reconnect)),
        _ => None,
    });
    // (The reason is the one of the server's reply frame.)
    assert_eq!(close, Some((1000, false)));
    // ...and nothing fires later (the heartbeat interval passes many times).
    sleep(300).await;
    assert_eq!(
        log.borrow().len(),
        n,
        "events after close: {:?}",
        &log.borrow()[n..]
    );
    drop(socket);
    assert_eq!(live(), base);
}

async fn handlers_may_send_and_close_reentrantly_and_events_stay_in_order() {
    let base = live();
    let slot: Rc<RefCell<Option<TextSocket>>> = Rc::default();
    let log: Rc<RefCell<Vec<String>>> = Rc::default();
    let (s, l) = (slot.clone(), log.clone());
    let on_event = move |e: SocketEvent<String>| {
        let name = match &e {
            SocketEvent::Open { .. } => "open".to_string(),
            SocketEvent::Message(m) => format!("message:{m}"),
            SocketEvent::Close { code, .. } => format!("close:{code}"),
            SocketEvent::State { state, .. } => format!("state:{}", state.as_str()),
            other => format!("{other:?}"),
        };
        l.borrow_mut().push(name);
        let guard = s.borrow();
        let Some(socket) = guard.as_ref() else { return };
        match e {
            // Re-entrant send from inside the open handler: sent at once.
            SocketEvent::Open { .. } => {
                socket.send_text("one").unwrap();
                socket.send_text("two").unwrap();
            }
            // Re-entrant close from inside a message handler.
            SocketEvent::Message(m) if m == "two" => socket.close(3001, "done"),
            _ => {}
        }
    };
    let config = quiet(&ws_url("/echo", &client_id("reentrant"))).json(false);
    *slot.borrow_mut() = Some(TextSocket::connect(config, on_event).unwrap());
    wait_for("the close", 5_000, || {
        slot.borrow()
            .as_ref()
            .is_some_and(|s| s.state() == State::Closed)
    })
    .await;
    assert_eq!(
        *log.borrow(),
        [
            "state:open",
            "open",
            "message:one",
            "message:two",
            "state:closing",
            "close:3001",
            "state:closed"
        ]
    );
    slot.borrow_mut().take();
    assert_eq!(live(), base);
}

/// The facade catches what handlers throw (and reports HANDLER_THREW; see
/// tests/e2e/sdk.mjs); should an exception still reach the driver, it must
/// not stop later events.
async fn a_throwing_js_handler_does_not_wedge_the_socket() {
    let base = live();
    let sink = js_sys::Function::new_no_args(
        // What the facade does (the driver's JsSink contract): a handler
        // that throws is caught in JS, never thrown into the driver.
        "const s = { kinds: [], caught: 0, handler() { throw new Error('handler threw'); }, \
         ev(kind) { s.kinds.push(kind); try { s.handler(); } catch { s.caught += 1; } }, \
         tx(ws, data) { ws.send(data); }, ws: WebSocket }; return s;",
    )
    .call0(&JsValue::NULL)
    .unwrap();
    let n = npm_options();
    let url = ws_url("/echo", &client_id("throwing"));
    let inner = Inner::new(
        JsValue::from_str(&url),
        JsValue::UNDEFINED,
        n,
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
        sink.clone().unchecked_into(),
    )
    .unwrap_or_else(|_| panic!("valid options"));
    assert_eq!(
        inner.input(SocketInput::Send as u32, 0.0, 0, "x".into()),
        1.0,
        "queued before the open"
    );
    let kinds = || -> Vec<u32> {
        js_sys::Reflect::get(&sink, &"kinds".into())
            .unwrap()
            .unchecked_into::<js_sys::Array>()
            .iter()
            .map(|v| v.as_f64().unwrap() as u32)
            .collect()
    };
    // state(open)=8, open=0, message=1: every one delivered although each
    // delivery threw.
    wait_for("the echo after throwing handlers", 5_000, || {
        kinds().contains(&1)
    })
    .await;
    assert_eq!(kinds()[..3], [8, 0, 1]);
    let caught = js_sys::Reflect::get(&sink, &"caught".into())
        .unwrap()
        .as_f64()
        .unwrap();
    assert_eq!(caught as usize, kinds().len(), "every delivery threw");
    close(&inner);
    wait_for("closed", 5_000, || state(&inner) == 3).await;
    drop(inner);
    assert_eq!(live(), base);
}

async fn ten_thousand_open_close_cycles_leak_neither_memory_nor_callbacks() {
    let base = live();
    let url = ws_url("/echo", &client_id("cycles"));
    let memory = || {
        wasm_bindgen::memory()
            .unchecked_into::<js_sys::WebAssembly::Memory>()
            .buffer()
            .unchecked_into::<js_sys::ArrayBuffer>()
            .byte_length()
    };
    let sink = js_sys::Function::new_no_args(
        "return { ev() {}, tx(ws, data) { ws.send(data); }, ws: WebSocket }",
    )
    .call0(&JsValue::NULL)
    .unwrap();
    let opts = npm_options();
    // Even cycles: the npm facade's object, closed, then freed. Odd cycles:
    // the Rust API's socket, just dropped (RAII).
    let cycle = |i: u32| {
        if i % 2 == 0 {
            let inner = Inner::new(
                JsValue::from_str(&url),
                JsValue::UNDEFINED,
                opts.clone(),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
                sink.clone().unchecked_into(),
            )
            .unwrap_or_else(|_| panic!("valid options"));
            assert_eq!(state(&inner), 0, "connecting");
            close(&inner);
            assert_eq!(state(&inner), 3, "closed");
        } else {
            let socket = TextSocket::connect(quiet(&url).json(false), |_| {}).unwrap();
            assert_eq!(socket.state(), State::Connecting);
        }
    };
    // Full cycles too: open, exchange, close handshake.
    for _ in 0..50 {
        let (log, sink) = recorder::<String>();
        let socket = TextSocket::connect(quiet(&url).json(false), sink).unwrap();
        wait_for("open", 5_000, || socket.state() == State::Open).await;
        socket.send_text("x").unwrap();
        wait_for("echo", 5_000, || {
            count(&log, |e| matches!(e, SocketEvent::Message(_))) == 1
        })
        .await;
        socket.close(1000, "");
        wait_for("closed", 5_000, || socket.state() == State::Closed).await;
    }
    for i in 0..1_000 {
        cycle(i);
        if i % 100 == 99 {
            sleep(0).await;
        }
    }
    let warm = memory();
    for i in 0..10_000 {
        cycle(i);
        if i % 100 == 99 {
            // Let the browser retire the aborted sockets.
            sleep(0).await;
        }
    }
    assert_eq!(memory(), warm, "WebAssembly.Memory grew after warm-up");
    assert_eq!(live(), base, "callbacks leaked");
}

/// The npm object's state, as the facade asks it (a `STATES` index).
fn state(inner: &Inner) -> u32 {
    inner.input(SocketInput::State as u32, 0.0, 0, JsValue::UNDEFINED) as u32
}

/// The npm object's `close(1000, "")`, as the facade calls it.
fn close(inner: &Inner) {
    inner.input(SocketInput::Close as u32, 1000.0, 0, JsValue::from_str(""));
}
