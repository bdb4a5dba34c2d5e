//! The `#[wasm_bindgen]` surface used by the JS facade (`pkg/index.js`).
//! Kept narrow and made of plain numbers and JS values: the facade validates
//! options and builds the event objects, which is smaller and faster than
//! doing either through `Reflect` from Rust.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::prelude::*;

use super::driver::{Emit, JsSink, Options, Pong, Shared, Sink};
use crate::session::{
    Config, Error, Event, HeartbeatConfig, QueueConfig, ReconnectConfig, SendError, Sent, State,
};

// Indices into the option array the facade passes (see index.js `OPTS`).
const FLAGS: u32 = 0;
const F_JSON: u32 = 1;
const F_BLOB: u32 = 2;
const F_HEARTBEAT: u32 = 4;
const F_RECONNECT: u32 = 8;
const F_QUEUE: u32 = 16;

/// Event kinds of `sink.ev(kind, ...)`, indices of index.js `EVENTS`.
const K_OPEN: u32 = 0;
const K_MESSAGE: u32 = 1;
const K_CLOSE: u32 = 2;
const K_RECONNECTING: u32 = 3;
const K_HEARTBEAT_TIMEOUT: u32 = 4;
const K_PING: u32 = 5;
const K_PONG: u32 = 6;
const K_ERROR: u32 = 7;
const K_STATE: u32 = 8;

/// A socket as the facade sees it (`new Inner(...)`).
#[wasm_bindgen(js_name = Inner)]
pub struct Inner {
    shared: Rc<Shared>,
}

fn ms(v: f64) -> u64 {
    // Saturating: Infinity is "never", NaN was rejected by the facade.
    v as u64
}

#[wasm_bindgen(js_class = Inner)]
impl Inner {
    /// `n` = a JS array [flags, connectTimeout, closeTimeout, interval, timeout,
    /// minDelay, maxDelay, factor, jitter, maxRetries, stableAfter,
    /// maxMessages, maxBytes] followed, when `reconnect.fatalCodes` is given,
    /// by its length and the codes.
    #[wasm_bindgen(constructor)]
    pub fn new(
        url: String,
        protocols: JsValue,
        n: js_sys::Array,
        ping: JsValue,
        pong: JsValue,
        sink: JsSink,
    ) -> Result<Inner, JsValue> {
        // The facade passes numbers only (validated there).
        let at = |i: u32| n.get(i).unchecked_into_f64();
        let flags = at(FLAGS) as u32;
        let config = Config {
            connect_timeout: ms(at(1)),
            close_timeout: ms(at(2)),
            heartbeat: (flags & F_HEARTBEAT != 0).then(|| HeartbeatConfig {
                interval: ms(at(3)),
                timeout: ms(at(4)),
                ping,
                any_message_counts: true,
            }),
            reconnect: (flags & F_RECONNECT != 0).then(|| ReconnectConfig {
                min_delay: ms(at(5)),
                max_delay: ms(at(6)),
                factor: at(7),
                jitter: at(8),
                max_retries: at(9).is_finite().then(|| at(9) as u32),
                stable_after: ms(at(10)),
                // Given (possibly empty) or the core's defaults.
                fatal_codes: if n.length() > 13 {
                    (14..n.length()).map(|i| at(i) as u16).collect()
                } else {
                    ReconnectConfig::default().fatal_codes
                },
            }),
            queue: (flags & F_QUEUE != 0).then(|| QueueConfig {
                max_messages: at(11) as usize,
                max_bytes: at(12) as usize,
            }),
        };
        let pong = if flags & F_HEARTBEAT == 0 {
            Pong::None
        } else if pong.is_string() {
            Pong::Text(pong)
        } else if pong.is_function() {
            Pong::Js(pong.unchecked_into())
        } else {
            Pong::None
        };
        let opts = Options {
            url,
            protocols,
            json: flags & F_JSON != 0,
            blob: flags & F_BLOB != 0,
            pong,
        };
        match Shared::start(config, opts, Sink::Js(sink)) {
            Ok(shared) => Ok(Inner { shared }),
            // The facade turns `[field, reason]` into a TypeError.
            Err(e) => Err(js_sys::Array::of2(&e.field.into(), &e.reason.into()).into()),
        }
    }

    /// 0 sent, 1 queued, 2 queue full, 3 not open (no queue), 4 closed.
    pub fn send(&self, data: JsValue) -> u32 {
        match self.shared.send(data) {
            Ok(Sent::Sent) => 0,
            Ok(Sent::Queued) => 1,
            Err(SendError::QueueFull(_)) => 2,
            Err(SendError::NotOpen(_)) => 3,
            Err(_) => 4,
        }
    }

    pub fn close(&self, code: u16, reason: String) {
        self.shared.close(code, reason);
    }

    pub fn reconnect(&self) {
        self.shared.reconnect();
    }

    /// 0 online, 1 offline, 2 resumed, 3 hidden (the facade listens).
    pub fn page(&self, kind: u32) {
        self.shared.page(kind);
    }

    /// Index into index.js `STATES`.
    pub fn state(&self) -> u32 {
        state_index(self.shared.state())
    }

    /// [attempt, reconnects, messagesIn, messagesOut, queued, lastRttMs
    /// (-1 = none)].
    pub fn stats(&self) -> JsValue {
        let s = self.shared.stats();
        array6(
            s.attempt as f64,
            s.reconnects as f64,
            s.messages_in as f64,
            s.messages_out as f64,
            s.queued as f64,
            s.last_rtt_ms.map_or(-1.0, |v| v as f64),
        )
    }
}

#[wasm_bindgen]
extern "C" {
    /// `Array.of(...)`: six numbers without a typed-array round trip.
    #[wasm_bindgen(js_namespace = Array, js_name = of)]
    fn array6(a: f64, b: f64, c: f64, d: f64, e: f64, f: f64) -> JsValue;
}

fn state_index(s: State) -> u32 {
    match s {
        State::Connecting => 0,
        State::Open => 1,
        State::Closing => 2,
        State::Closed => 3,
        State::Reconnecting => 4,
    }
}

/// Hands one event to the facade as `sink.ev(kind, a, b, v, w)`.
pub(crate) fn deliver(sink: &JsSink, emit: Emit) {
    let none = JsValue::UNDEFINED;
    let text = |t: &str| JsValue::from_str(t);
    let (kind, a, b, v, w) = match emit {
        Emit::InvalidJson(raw) => (K_ERROR, 0.0, 0.0, text("INVALID_JSON"), raw),
        Emit::Core(event) => match event {
            Event::Message(data) => (K_MESSAGE, 0.0, 0.0, data, none),
            Event::Open { protocol, attempt } => {
                (K_OPEN, attempt as f64, 0.0, text(&protocol), none)
            }
            Event::Close {
                code,
                reason,
                was_clean,
                will_reconnect,
            } => {
                let flags = was_clean as u32 | (will_reconnect as u32) << 1;
                (K_CLOSE, code as f64, flags as f64, text(&reason), none)
            }
            Event::Reconnecting { attempt, delay } => (
                K_RECONNECTING,
                attempt as f64,
                delay as f64,
                none.clone(),
                none,
            ),
            Event::HeartbeatTimeout { silent_for } => (
                K_HEARTBEAT_TIMEOUT,
                silent_for as f64,
                0.0,
                none.clone(),
                none,
            ),
            Event::Ping => (K_PING, 0.0, 0.0, none.clone(), none),
            Event::Pong { rtt } => (K_PONG, rtt as f64, 0.0, none.clone(), none),
            Event::Error(err) => {
                let detail = match err {
                    Error::ConnectTimeout { after } => after as f64,
                    Error::RetriesExhausted { attempts } => attempts as f64,
                    Error::FatalClose { code } => code as f64,
                    _ => 0.0,
                };
                (K_ERROR, detail, 0.0, text(err.code()), none)
            }
            Event::State { state, previous } => (
                K_STATE,
                state_index(state) as f64,
                state_index(previous) as f64,
                none.clone(),
                none,
            ),
        },
    };
    sink.ev(kind, a, b, &v, &w);
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
