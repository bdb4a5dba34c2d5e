//! The `#[wasm_bindgen]` surface the JS facade (`pkg/index.js`) drives.
//!
//! Everything that crosses is named in [`crate::abi`]: the options arrive as
//! an array indexed by [`Opt`] holding exactly what the user wrote, and are
//! turned into a [`Config`] by the core, defaults and validation included;
//! events leave as `sink.ev(kind, a, b, v, w)` with the [`EventKind`] layout.
//! Plain numbers and JS values only, so an event costs no allocation and no
//! exception wrapper.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use web_sys::WebSocket;

use super::driver::{Options, PongPredicate, Shared, Sink};
use super::sys;
use crate::abi::{state_index, ErrorCode, EventKind, Opt, PageEvent, SendResult, Slots};
use crate::session::{ConfigError, Event, RequestId, Sent, DEFAULT_PING, DEFAULT_PONG};

#[wasm_bindgen]
extern "C" {
    /// The facade's entry points. Neither may throw (the facade catches
    /// everything itself): an exception unwinding through the driver would
    /// leave its state borrowed. Declaring them without `catch` saves the
    /// glue's exception wrapper, two allocations per message.
    pub type JsSink;

    /// An event: `sink.ev(kind, a, b, v, w)` (see [`EventKind::layout`]).
    #[wasm_bindgen(method)]
    fn ev(this: &JsSink, kind: u32, a: f64, b: f64, v: &JsValue, w: &JsValue);

    /// `ws.send(data)`; the facade reports a throw as `SEND_FAILED`.
    #[wasm_bindgen(method)]
    fn tx(this: &JsSink, ws: &WebSocket, data: &JsValue);
}

impl Sink for JsSink {
    fn event(&self, event: Event<JsValue>) {
        let none = JsValue::UNDEFINED;
        let (kind, a, b, v) = match event {
            Event::Message(data) => (EventKind::Message, 0.0, 0.0, data),
            Event::Open { protocol, attempt } => (
                EventKind::Open,
                f64::from(attempt),
                0.0,
                JsValue::from_str(&protocol),
            ),
            Event::Close {
                code,
                reason,
                was_clean,
                will_reconnect,
            } => {
                let flags = u32::from(was_clean) | u32::from(will_reconnect) << 1;
                let reason = JsValue::from_str(&reason);
                (EventKind::Close, f64::from(code), f64::from(flags), reason)
            }
            Event::Reconnecting { attempt, delay } => (
                EventKind::Reconnecting,
                f64::from(attempt),
                delay as f64,
                none.clone(),
            ),
            Event::HeartbeatTimeout { silent_for } => (
                EventKind::HeartbeatTimeout,
                silent_for as f64,
                0.0,
                none.clone(),
            ),
            Event::Ping => (EventKind::Ping, 0.0, 0.0, none.clone()),
            Event::Pong { rtt } => (EventKind::Pong, rtt as f64, 0.0, none.clone()),
            Event::Error(err) => {
                let (code, detail) = ErrorCode::of(&err);
                (EventKind::Error, code as u32 as f64, detail, none.clone())
            }
            Event::State { state, previous } => (
                EventKind::State,
                f64::from(state_index(state)),
                f64::from(state_index(previous)),
                none.clone(),
            ),
            Event::RequestFailed { id, error } => (
                EventKind::Rpc,
                f64::from(id.0),
                ErrorCode::of_request(error) as u32 as f64,
                none.clone(),
            ),
        };
        self.ev(kind as u32, a, b, &v, &none);
    }

    fn transmit(&self, ws: &WebSocket, data: &JsValue) {
        self.tx(ws, data);
    }
}

/// A socket as the facade sees it (`new Inner(...)`).
#[wasm_bindgen(js_name = Inner)]
pub struct Inner {
    shared: Rc<Shared>,
    json: bool,
}

/// The options by [`Opt`] slot, as the facade hands them over: each a
/// number, NaN where the user wrote nothing; `json`, `binaryType` (`blob`)
/// and the sections (on) as 0 / 1. The facade has checked their JS types
/// (a number, a boolean, an object); defaults and ranges are the core's.
/// What answers a ping: a string is the core's own rule (the raw frame
/// equals it); a function is a predicate the facade has wrapped so that it
/// decodes the frame as `'message'` would and never throws.
enum PongArg {
    Text,
    Predicate,
    Default,
}

fn pong_arg(pong: &JsValue) -> Result<PongArg, ConfigError> {
    if pong.is_undefined() {
        Ok(PongArg::Default)
    } else if pong.is_string() {
        Ok(PongArg::Text)
    } else if pong.is_function() {
        Ok(PongArg::Predicate)
    } else {
        Err(ConfigError {
            field: "heartbeat.pong",
            reason: "must be a string or a function",
        })
    }
}

fn build(
    url: String,
    protocols: JsValue,
    n: &[f64],
    fatal_codes: Option<Vec<f64>>,
    ping: JsValue,
    pong: JsValue,
    sink: JsSink,
) -> Result<Inner, ConfigError> {
    let slots = Slots::new(n)?;
    let (pong, predicate): (_, Option<PongPredicate>) = match pong_arg(&pong)? {
        PongArg::Default => (Some(JsValue::from_str(DEFAULT_PONG)), None),
        PongArg::Text => (Some(pong), None),
        PongArg::Predicate => {
            let f: Function = pong.unchecked_into();
            (None, Some(Box::new(move |data| sys::test(&f, data))))
        }
    };
    let ping = if ping.is_undefined() {
        JsValue::from_str(DEFAULT_PING)
    } else {
        ping
    };
    let config = slots.config(fatal_codes, ping, pong)?;
    // Without a heartbeat nothing is a reply: every frame is a message.
    let pong = predicate.filter(|_| config.heartbeat.is_some());
    let opts = Options {
        url,
        protocols,
        blob: slots.on(Opt::BinaryType),
        pong,
    };
    let shared = Shared::start(config, opts, Box::new(sink))?;
    Ok(Inner {
        shared,
        json: slots.on(Opt::Json),
    })
}

#[wasm_bindgen(js_class = Inner)]
impl Inner {
    /// `options`: the user's options by [`Opt`] slot (see `abi.js`
    /// `OPTIONS`, and [`options`] for the encoding); `fatal_codes`:
    /// `reconnect.fatalCodes` if given; `ping`: the heartbeat ping ready to
    /// send, or `undefined`; `pong`: a string, a wrapped predicate, or
    /// `undefined`. Invalid options throw `[field, reason]`, which the
    /// facade turns into a `TypeError`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        url: String,
        protocols: JsValue,
        options: &[f64],
        fatal_codes: Option<Vec<f64>>,
        ping: JsValue,
        pong: JsValue,
        sink: JsSink,
    ) -> Result<Inner, JsValue> {
        build(url, protocols, options, fatal_codes, ping, pong, sink)
            .map_err(|e| Array::of2(&e.field.into(), &e.reason.into()).into())
    }

    /// Whether text frames carry JSON (the `json` option or its default).
    #[wasm_bindgen(getter)]
    pub fn json(&self) -> bool {
        self.json
    }

    /// A [`SendResult`] index.
    pub fn send(&self, data: JsValue) -> u32 {
        SendResult::of(&self.shared.send(data)) as u32
    }

    /// `data` (JSON text) as a request waiting `timeout` ms (NaN: the
    /// `rpc.timeout` option): the core's id of it (> 0), or minus the
    /// [`SendResult`] index of the refusal.
    pub fn request(&self, data: JsValue, timeout: f64) -> f64 {
        let timeout = (!timeout.is_nan()).then_some(timeout as u64);
        match self.shared.request(data, timeout) {
            Ok(id) => f64::from(id.0),
            Err(e) => -f64::from(SendResult::of::<JsValue>(&Err::<Sent, _>(e)) as u32),
        }
    }

    /// A reply to the request `id` arrived (`reply`), or the app gave up on
    /// it: true if that settles it (one export for both keeps the module
    /// small).
    pub fn settle(&self, id: u32, reply: bool) -> bool {
        let id = RequestId(id);
        match reply {
            true => self.shared.answer(id),
            false => self.shared.cancel(id),
        }
    }

    pub fn close(&self, code: u16, reason: String) {
        self.shared.close(code, reason);
    }

    pub fn reconnect(&self) {
        self.shared.reconnect();
    }

    /// A [`PageEvent`] index (the facade listens to the page).
    pub fn page(&self, kind: u32) {
        if let Some(event) = PageEvent::from_index(kind) {
            self.shared.page(event);
        }
    }

    /// A [`crate::abi::STATES`] index.
    pub fn state(&self) -> u32 {
        state_index(self.shared.state())
    }

    /// [attempt, reconnects, messagesIn, messagesOut, queued, lastRttMs
    /// (-1 = none), pending].
    pub fn stats(&self) -> JsValue {
        let s = self.shared.stats();
        array7(
            f64::from(s.attempt),
            f64::from(s.reconnects),
            s.messages_in as f64,
            s.messages_out as f64,
            s.queued as f64,
            s.last_rtt_ms.map_or(-1.0, |v| v as f64),
            s.pending as f64,
        )
    }

    /// Removes and returns the messages still queued, oldest first (the
    /// bindings carry them over to the next socket).
    #[wasm_bindgen(js_name = takeQueued)]
    pub fn take_queued(&self) -> Array {
        let out = Array::new();
        while let Some(m) = self.shared.unqueue() {
            out.push(&m);
        }
        out
    }
}

#[wasm_bindgen]
extern "C" {
    /// `Array.of(...)`: seven numbers without a typed-array round trip.
    #[wasm_bindgen(js_namespace = Array, js_name = of)]
    fn array7(a: f64, b: f64, c: f64, d: f64, e: f64, f: f64, g: f64) -> JsValue;
}

thread_local! {
    static PANIC_REPORTER: Cell<Option<Function>> = const { Cell::new(None) };
}

/// Installs a panic hook that calls `report(file, line)` before the
/// module traps, so a panic is never silent (the facade turns it into an
/// `error` event with code `'PANIC'` on every live socket).
#[wasm_bindgen(js_name = onPanic)]
pub fn on_panic(report: Function) {
    let _ = PANIC_REPORTER.try_with(|r| r.set(Some(report)));
    std::panic::set_hook(Box::new(|info| {
        let (file, line) = info.location().map_or(("", 0), |l| (l.file(), l.line()));
        let _ = PANIC_REPORTER.try_with(|r| {
            let report = r.take();
            if let Some(f) = &report {
                let _ = f.call2(&JsValue::NULL, &JsValue::from_str(file), &line.into());
            }
            r.set(report);
        });
    }));
}
