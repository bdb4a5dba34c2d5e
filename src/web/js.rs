//! The `#[wasm_bindgen]` surface the JS facade (`pkg/index.js`) drives.
//!
//! Everything that crosses is named in [`crate::abi`]: the options arrive as
//! an array indexed by [`Opt`] holding exactly what the user wrote, and are
//! turned into a [`Config`] by the core, defaults and validation included;
//! events leave as `sink.ev(kind, a, b, v, w)` with the [`EventKind`] layout.
//! Plain numbers and JS values only, so an event costs no allocation and no
//! exception wrapper.

use alloc::rc::Rc;
use alloc::{boxed::Box, vec::Vec};

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use web_sys::WebSocket;

use super::driver::{Answer, Options, PongPredicate, Shared, Sink};
use super::sys;
use crate::abi::{
    state_index, ErrorCode, EventKind, Opt, PageEvent, SendResult, Slots, SocketInput,
};
use crate::session::{Ack, ConfigError, Event, Gen, RequestId, Sent, DEFAULT_PING, DEFAULT_PONG};

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

    /// `sink.ws`: the `WebSocket` constructor for every attempt (the
    /// `WebSocket` option or the global one; the facade has checked that it
    /// is a function).
    #[wasm_bindgen(method, getter)]
    fn ws(this: &JsSink) -> Function;

    /// `sink.url(gen, attempt)`: make the attempt's URL, answer with
    /// `inner.input(SI_ANSWER, gen, 0, href)` or `inner.input(SI_ANSWER,
    /// gen, 1)`.
    #[wasm_bindgen(method, js_name = url)]
    fn make_url(this: &JsSink, gen: u32, attempt: u32);

    /// `sink.init(gen, attempt)`: make the init messages, answer with
    /// `inner.input(SI_ANSWER, gen, 2, message)` each, then with `b` 3, or
    /// with `b` 4 when they fail.
    #[wasm_bindgen(method, js_name = init)]
    fn make_init(this: &JsSink, gen: u32, attempt: u32);
}

impl Sink for JsSink {
    fn event(&self, event: Event<JsValue>) {
        // Every event as `(kind, a, b, v)` first, then one call (one call
        // site is smaller than one per kind); `w` is only the open's ack.
        let none = JsValue::UNDEFINED;
        let mut w = JsValue::UNDEFINED;
        let (kind, a, b, v) = match event {
            Event::Message(data) => (EventKind::Message, 0.0, 0.0, data),
            Event::Open {
                protocol,
                attempt,
                ack,
            } => {
                w = ack.unwrap_or_default();
                (EventKind::Open, f64::from(attempt), 0.0, protocol)
            }
            Event::Close {
                code,
                reason,
                was_clean,
                will_reconnect,
            } => {
                let flags = u32::from(was_clean) | u32::from(will_reconnect) << 1;
                (EventKind::Close, f64::from(code), f64::from(flags), reason)
            }
            Event::Reconnecting { attempt, delay } => (
                EventKind::Reconnecting,
                f64::from(attempt),
                delay as f64,
                none,
            ),
            Event::HeartbeatTimeout { silent_for } => {
                (EventKind::HeartbeatTimeout, silent_for as f64, 0.0, none)
            }
            Event::Ping => (EventKind::Ping, 0.0, 0.0, none),
            Event::Pong { rtt } => (EventKind::Pong, rtt as f64, 0.0, none),
            Event::Error(err) => {
                let (code, detail) = ErrorCode::of(&err);
                (EventKind::Error, code as u32 as f64, detail, none)
            }
            Event::State { state, previous } => (
                EventKind::State,
                f64::from(state_index(state)),
                f64::from(state_index(previous)),
                none,
            ),
            Event::RequestFailed { id, error } => (
                EventKind::Rpc,
                f64::from(id.0),
                ErrorCode::of_request(error) as u32 as f64,
                none,
            ),
        };
        self.ev(kind as u32, a, b, &v, &w);
    }

    fn transmit(&self, ws: &WebSocket, data: &JsValue) {
        self.tx(ws, data);
    }

    fn url(&self, _: &Shared, gen: Gen, attempt: u32) {
        self.make_url(gen.0, attempt);
    }

    fn init(&self, _: &Shared, gen: Gen, attempt: u32) {
        self.make_init(gen.0, attempt);
    }
}

/// A socket as the facade sees it (`new Inner(...)`).
#[wasm_bindgen(js_name = Inner)]
pub struct Inner {
    shared: Rc<Shared>,
}

/// A wrapped JS predicate (it never throws: the facade wraps it).
fn wrap_predicate(f: JsValue) -> PongPredicate {
    let f: Function = f.unchecked_into();
    Box::new(move |data| sys::test(&f, data))
}

/// The options array (see [`Inner::new`]) as numbers: by [`Opt`] slot, as
/// the facade hands them over, each a number, NaN where the user wrote
/// nothing; `json`, `binaryType` (`blob`) and the sections (on) as 0 / 1.
/// The facade has checked their JS types (a number, a boolean, an object);
/// defaults and ranges are the core's. (A plain array of numbers: cheaper
/// in the glue than a `Float64Array`.)
#[inline(never)]
pub(super) fn numbers(options: &Array) -> Vec<f64> {
    let mut n = Vec::new();
    for i in 0..options.length() {
        n.push(options.get(i).unchecked_into_f64());
    }
    n
}

/// What an invalid option throws: `[field, reason]`, an [`Opt`] and a
/// [`Reason`](crate::session::Reason) index (the facade has their texts),
/// which the facade turns into a `TypeError`.
#[inline(never)]
pub(super) fn thrown(e: ConfigError) -> JsValue {
    Array::of2(&(e.field as u32).into(), &(e.reason as u32).into()).into()
}

fn build(
    url: Option<JsValue>,
    protocols: JsValue,
    n: &[f64],
    ping: JsValue,
    pong: JsValue,
    ack: JsValue,
    sink: JsSink,
) -> Result<Inner, ConfigError> {
    let slots = Slots(n);
    // What answers a ping (the facade checked it is one of these): a
    // string is the core's own rule (the raw frame equals it); a function
    // is a predicate the facade has wrapped so that it decodes the frame as
    // `'message'` would and never throws.
    let (pong, predicate): (_, Option<PongPredicate>) = if pong.is_function() {
        (None, Some(wrap_predicate(pong)))
    } else if pong.is_string() {
        (Some(pong), None)
    } else {
        (Some(JsValue::from_str(DEFAULT_PONG)), None)
    };
    let ping = if ping.is_undefined() {
        JsValue::from_str(DEFAULT_PING)
    } else {
        ping
    };
    let blob = slots.on(Opt::BinaryType);
    let mut config = slots.config(ping, pong);
    // The init's ack: raw text (the core compares), or a wrapped predicate.
    let mut ack_predicate: Option<PongPredicate> = None;
    if let Some(init) = config.init.as_mut() {
        if ack.is_string() {
            init.ack = Ack::Equals(ack);
        } else if ack.is_function() {
            ack_predicate = Some(wrap_predicate(ack));
            init.ack = Ack::Driver;
        }
    }
    // Without a heartbeat nothing is a reply: every frame is a message.
    let pong = predicate.filter(|_| config.heartbeat.is_some());
    let opts = Options {
        url,
        protocols,
        ctor: sink.ws(),
        blob,
        pong,
        ack: ack_predicate,
    };
    let shared = Shared::start(config, opts, Box::new(sink))?;
    Ok(Inner { shared })
}

#[wasm_bindgen(js_class = Inner)]
impl Inner {
    /// `options`: the user's options by [`Opt`] slot (see `abi.js`
    /// `OPTIONS`, and [`Slots`] for the encoding); `ping`: the heartbeat ping ready to
    /// send, or `undefined`; `pong`: a string, a wrapped predicate, or
    /// `undefined`; `ack`: `init.ack` (a string, a wrapped predicate, or
    /// `undefined`). `url` is `undefined` when the facade makes it per
    /// attempt (`sink.url`). Invalid options throw `[field, reason]`, which
    /// the facade turns into a `TypeError`.
    ///
    /// `url` (and `close`'s `reason`) is taken as a JS value, not a
    /// `String`: the driver hands it back to the browser as it came, and no
    /// string crossing into the module keeps the string-passing glue out.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string | undefined")] url: JsValue,
        protocols: JsValue,
        options: Array,
        ping: JsValue,
        pong: JsValue,
        ack: JsValue,
        sink: JsSink,
    ) -> Result<Inner, JsValue> {
        let n = numbers(&options);
        // A string, or nothing (`undefined` / `null`, as `Option<String>`
        // took it).
        let url = url.is_string().then_some(url);
        build(url, protocols, &n, ping, pong, ack, sink).map_err(thrown)
    }

    /// What the facade tells or asks the socket: `kind` a [`SocketInput`]
    /// index (see there for `a`, `b`, `value` and the answer, 0 when there
    /// is none). One export for all of them, sends included: each export
    /// costs the module (a borrow check of its own) and the glue ~45 B gzip,
    /// and one `match` more per send costs nothing measurable.
    pub fn input(
        &self,
        kind: u32,
        a: f64,
        b: u32,
        #[wasm_bindgen(unchecked_param_type = "any")] value: JsValue,
    ) -> f64 {
        let shared = &self.shared;
        // `as` saturates: what the facade passes as a count, code or id
        // fits, and anything else stays out of range.
        let n = a as u32;
        match SocketInput::from_index(kind) {
            Some(SocketInput::Send) => return f64::from(SendResult::of(&shared.send(value)) as u32),
            Some(SocketInput::Request) => {
                let timeout = (!a.is_nan()).then_some(a as u64);
                return match shared.request(value, timeout) {
                    Ok(id) => f64::from(id.0),
                    Err(e) => -f64::from(SendResult::of::<JsValue>(&Err::<Sent, _>(e)) as u32),
                };
            }
            Some(SocketInput::Stat) => {
                let s = shared.stats();
                let all = [
                    f64::from(s.attempt),
                    f64::from(s.reconnects),
                    s.messages_in as f64,
                    s.messages_out as f64,
                    s.queued as f64,
                    s.last_rtt_ms.map_or(-1.0, |v| v as f64),
                    s.pending as f64,
                ];
                return all.get(n as usize).copied().unwrap_or(0.0);
            }
            Some(SocketInput::Unqueue) => {
                let to: Function = value.unchecked_into();
                // One at a time, with nothing borrowed while `to` runs.
                while let Some(m) = shared.unqueue() {
                    sys::test(&to, &m);
                }
            }
            Some(SocketInput::State) => return f64::from(state_index(shared.state())),
            // The facade checked `a` (the code) and `value` (the reason).
            Some(SocketInput::Close) => shared.close(n as u16, value),
            Some(SocketInput::Page) => {
                if let Some(event) = PageEvent::from_index(n) {
                    shared.page(event);
                }
            }
            Some(SocketInput::Reconnect) => shared.reconnect(),
            Some(SocketInput::Answer) => {
                if let Some(what) = Answer::from_index(b) {
                    shared.answer(Gen(n), what, value);
                }
            }
            Some(SocketInput::Settle) => {
                return f64::from(u8::from(shared.settle(RequestId(n), b != 0)))
            }
            None => {}
        }
        0.0
    }
}

/// Installs a panic hook that calls `report(file, line)` before the
/// module traps, so a panic is never silent (the facade turns it into an
/// `error` event with code `'PANIC'` on every live socket).
#[wasm_bindgen(js_name = onPanic)]
pub fn on_panic(report: Function) {
    super::panic::set_reporter(report);
}
