//! Shared helpers of the browser tests (tests/wasm_*.rs): the dev server's
//! address, a clock, bounded waits and an event recorder.
#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use steadyws::web::{Config, Socket, SocketEvent};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// `host:port` of the `steadyws serve` the test step started.
pub fn server() -> &'static str {
    match option_env!("STEADYWS_TEST_SERVER") {
        Some(s) => s,
        None => panic!(
            "STEADYWS_TEST_SERVER is not set: run the browser tests through \
             scripts/test.d/50-wasm-test.sh, which starts the dev server"
        ),
    }
}

/// A WebSocket URL on the dev server with a client id unique to this run.
pub fn ws_url(path_and_query: &str, client: &str) -> String {
    let sep = if path_and_query.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("ws://{}{path_and_query}{sep}client={client}", server())
}

/// A client id no other test (nor an earlier run) uses.
pub fn client_id(name: &str) -> String {
    format!("{name}-{}", (js_sys::Math::random() * 1e12) as u64)
}

/// Milliseconds (`performance.now()`, called through a function so its
/// binding does not clash with the library's own).
pub fn now() -> f64 {
    thread_local! {
        static NOW: Function = Function::new_no_args("return performance.now()");
    }
    NOW.with(|f| f.call0(&JsValue::NULL))
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0)
}

pub async fn sleep(ms: u32) {
    let f = Function::new_with_args("ms", "return new Promise((r) => setTimeout(r, ms))");
    let p: Promise = f
        .call1(&JsValue::NULL, &ms.into())
        .expect("setTimeout")
        .unchecked_into();
    let _ = JsFuture::from(p).await;
}

/// Waits until `cond` holds, checking every 5 ms; panics after `limit_ms`.
pub async fn wait_for(what: &str, limit_ms: u32, mut cond: impl FnMut() -> bool) {
    let start = now();
    while !cond() {
        if now() - start > limit_ms as f64 {
            panic!("timed out after {limit_ms} ms waiting for {what}");
        }
        sleep(5).await;
    }
}

/// GET `path_and_query` of the dev server, as JSON.
pub async fn fetch_json(path_and_query: &str) -> JsValue {
    let fetch = Function::new_with_args("u", "return fetch(u).then((r) => r.json())");
    let url = format!("http://{}{path_and_query}", server());
    let p: Promise = fetch
        .call1(&JsValue::NULL, &url.into())
        .expect("fetch")
        .unchecked_into();
    JsFuture::from(p).await.expect(path_and_query)
}

/// `/stats?client=ID` of the dev server: (open, peak, total).
pub async fn stats(client: &str) -> (u32, u32, u32) {
    let json = fetch_json(&format!("/stats?client={client}")).await;
    let get = |k: &str| {
        Reflect::get(&json, &k.into())
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(-1.0) as u32
    };
    (get("open"), get("peak"), get("total"))
}

/// `/control?client=ID&action=...` of the dev server.
pub async fn control(client: &str, action: &str) {
    fetch_json(&format!("/control?client={client}&action={action}")).await;
}

/// Every event of a socket with the time it arrived.
pub type Log<In> = Rc<RefCell<Vec<(f64, SocketEvent<In>)>>>;

pub fn recorder<In: 'static>() -> (Log<In>, impl FnMut(SocketEvent<In>) + 'static) {
    let log: Log<In> = Rc::default();
    let sink = log.clone();
    (log, move |e| sink.borrow_mut().push((now(), e)))
}

pub fn count<In>(log: &Log<In>, pred: impl Fn(&SocketEvent<In>) -> bool) -> usize {
    log.borrow().iter().filter(|(_, e)| pred(e)).count()
}

/// Time of the `n`-th (0-based) event matching `pred`.
pub fn time_of<In>(
    log: &Log<In>,
    n: usize,
    pred: impl Fn(&SocketEvent<In>) -> bool,
) -> Option<f64> {
    log.borrow()
        .iter()
        .filter(|(_, e)| pred(e))
        .nth(n)
        .map(|(t, _)| *t)
}

/// Config with every timer off or long, so a test turns on only what it checks.
pub fn quiet<In>(url: &str) -> Config<In> {
    Config::new(url).heartbeat(None)
}

pub type TextSocket = Socket<String, String>;
