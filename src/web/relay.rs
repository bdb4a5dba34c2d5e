//! The [`Relay`](crate::relay::Relay) of a `shared` socket, as the npm
//! facade drives it: `relay.input(kind, tab, seq, n)` and
//! `relay.heard(...)` in, `sink.act(kind, to, seq, n)` out, in the numbers
//! of [`crate::abi::RelayInput`] and [`crate::abi::RelayAct`]. Only numbers
//! cross: the facade keeps every payload, filed by `(tab, seq)`.
//!
//! The facade carries locks and channel messages and nothing else. Like the
//! socket driver, this never calls the facade while its state is borrowed:
//! actions are taken one at a time with nothing borrowed, so an `act` may
//! call back in (an item given to the socket can run handlers).

use alloc::vec::Vec;
use core::cell::{Cell, RefCell, RefMut};

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::sys;
use crate::abi::{ErrorCode, Opt, RelayAct, RelayInput, SendResult, Slots};
use crate::relay::{Action, Event, Input, Refused, Relay, Wire};
use crate::session::RequestError;
use crate::session::DEFAULT_MAX_MESSAGES;

#[wasm_bindgen]
extern "C" {
    /// The facade's side of a relay.
    pub type RelaySink;

    /// One action (see [`RelayAct`]); never throws.
    #[wasm_bindgen(method)]
    fn act(this: &RelaySink, kind: u32, to: f64, seq: u32, n: f64);
}

/// A `shared` socket's relay (`new Relay(tab, fingerprint, maxItems, sink)`).
#[wasm_bindgen(js_name = Relay)]
pub struct JsRelay {
    relay: RefCell<Relay>,
    sink: RelaySink,
    perf: sys::Performance,
    /// `rpc.timeout`, for requests made without a timeout.
    timeout: u64,
    json: bool,
    /// The deadline the facade's timer is armed for.
    armed: Cell<Option<u64>>,
}

impl JsRelay {
    fn borrow(&self) -> RefMut<'_, Relay> {
        match self.relay.try_borrow_mut() {
            Ok(r) => r,
            Err(_) => wasm_bindgen::throw_str("steadyws: relay state in use"),
        }
    }

    /// Runs `f`, then carries out every action with nothing borrowed, then
    /// re-arms the timer.
    fn run(&self, f: impl FnOnce(&mut Relay, u64) -> f64) -> f64 {
        let now = self.perf.now_ms();
        let out = f(&mut self.borrow(), now);
        loop {
            let action = self.borrow().poll();
            let Some(action) = action else { break };
            self.carry(action);
        }
        let deadline = self.borrow().poll_timeout();
        if deadline != self.armed.get() {
            self.armed.set(deadline);
            let ms = deadline.map_or(-1.0, |d| d.saturating_sub(now) as f64);
            self.sink.act(RelayAct::Arm as u32, 0.0, 0, ms);
        }
        out
    }

    fn carry(&self, action: Action) {
        let act = |k: RelayAct, to: f64, seq: u32, n: f64| self.sink.act(k as u32, to, seq, n);
        let tab = f64::from;
        match action {
            Action::Post { to, wire } => {
                let to = to.map_or(-1.0, f64::from);
                let (k, seq, n) = match wire {
                    Wire::Hello => (RelayAct::Hello, 0, 0.0),
                    Wire::Owner { fp } => (RelayAct::Owner, fp, 0.0),
                    Wire::Send { seq } => (RelayAct::Send, seq, 0.0),
                    Wire::Request { seq, timeout } => (RelayAct::Request, seq, timeout as f64),
                    Wire::Cancel { seq } => (RelayAct::Cancel, seq, 0.0),
                    Wire::Done { seq } => (RelayAct::Done, seq, 0.0),
                    Wire::Reply { seq } => (RelayAct::Reply, seq, 0.0),
                    Wire::Failed { seq, error } => (RelayAct::Failed, seq, code(error)),
                    Wire::Tabs { n } => (RelayAct::Tabs, 0, f64::from(n)),
                    Wire::Bye => (RelayAct::Bye, 0, 0.0),
                };
                act(k, to, seq, n);
            }
            Action::Connect => act(RelayAct::Connect, 0.0, 0, 0.0),
            Action::Watch { tab: t } => act(RelayAct::Watch, tab(t), 0, 0.0),
            Action::Give {
                tab: t,
                seq,
                request,
            } => act(
                RelayAct::Give,
                tab(t),
                seq,
                request.map_or(-1.0, |t| t as f64),
            ),
            Action::Forget { tab: t, seq } => act(RelayAct::Forget, tab(t), seq, 0.0),
            Action::Drop { tab: t, seq } => act(RelayAct::Drop, tab(t), seq, 0.0),
            Action::Release => act(RelayAct::Release, 0.0, 0, 0.0),
            Action::Disconnect => act(RelayAct::Disconnect, 0.0, 0, 0.0),
            Action::Unshare => act(RelayAct::Unshare, 0.0, 0, 0.0),
            Action::Emit(Event::Replied { seq }) => act(RelayAct::Replied, 0.0, seq, 0.0),
            Action::Emit(Event::Failed { seq, error }) => {
                act(RelayAct::RequestFailed, 0.0, seq, code(error))
            }
            Action::Emit(Event::Tabs(n)) => act(RelayAct::TabCount, 0.0, 0, f64::from(n)),
            Action::Emit(Event::Mismatch) => act(RelayAct::Mismatch, 0.0, 0, 0.0),
            Action::Emit(Event::Owner(t)) => act(RelayAct::NewOwner, tab(t), 0, 0.0),
        }
    }
}

/// The [`ErrorCode`] index of a failed request.
fn code(error: RequestError) -> f64 {
    f64::from(ErrorCode::of_request(error) as u32)
}

/// An accepted item's seq, or minus the [`SendResult`] of the refusal.
fn item(r: Result<u32, Refused>) -> f64 {
    match r {
        Ok(seq) => f64::from(seq),
        Err(Refused::Full) => -f64::from(SendResult::QueueFull as u32),
        Err(Refused::Closed) => -f64::from(SendResult::Closed as u32),
    }
}

#[wasm_bindgen(js_class = Relay)]
impl JsRelay {
    /// The relay of tab `tab` (random per socket), whose options `fp` (a
    /// fingerprint) stands for; `options` as for `new Inner` (checked the same way, so
    /// a tab that does not own rejects what the owner would). It keeps at
    /// most `queue.maxMessages` unconfirmed. Invalid options throw `[field, reason]`.
    #[wasm_bindgen(constructor)]
    pub fn new(tab: u32, fp: u32, options: Array, sink: RelaySink) -> Result<JsRelay, JsValue> {
        let mut n = Vec::new();
        for i in 0..options.length() {
            n.push(options.get(i).unchecked_into_f64());
        }
        let slots = Slots(&n);
        let config = slots.config(JsValue::NULL, None);
        if let Err(e) = config.validate() {
            return Err(Array::of2(&e.field.into(), &e.reason.into()).into());
        }
        let max = config
            .queue
            .map_or(DEFAULT_MAX_MESSAGES, |q| q.max_messages);
        let perf = sys::Scope::performance();
        let relay = Relay::new(tab, fp, max, perf.now_ms());
        let me = JsRelay {
            relay: RefCell::new(relay),
            sink,
            perf,
            timeout: config.request_timeout,
            json: slots.on(Opt::Json),
            armed: Cell::new(None),
        };
        me.run(|_, _| 0.0);
        Ok(me)
    }

    /// Whether text frames carry JSON (the `json` option or its default).
    #[wasm_bindgen(getter)]
    pub fn json(&self) -> bool {
        self.json
    }

    /// An app call, a lock or driver report, or a question: `kind` a
    /// [`RelayInput`] index (see there for the arguments and the result).
    pub fn input(&self, kind: u32, tab: u32, seq: u32, n: f64) -> f64 {
        // A channel message from tab `tab`: `RelayInput::Heard` plus its
        // `RelayAct` kind (one export for both keeps the module small).
        if let Some(k) = kind.checked_sub(RelayInput::Heard as u32) {
            if let Some(wire) = wire(k, seq, n) {
                self.run(|r, now| {
                    r.handle(Input::Heard { from: tab, wire }, now);
                    0.0
                });
            }
            return 0.0;
        }
        let Some(kind) = RelayInput::from_index(kind) else {
            return 0.0;
        };
        self.run(|r, now| {
            let input = match kind {
                RelayInput::Send => return item(r.send()),
                RelayInput::Request => {
                    let timeout = if n.is_nan() { self.timeout } else { n as u64 };
                    return item(r.request(timeout, now));
                }
                RelayInput::Cancel => return f64::from(u8::from(r.cancel(seq))),
                RelayInput::Close => {
                    r.close();
                    return 0.0;
                }
                RelayInput::Timeout => {
                    r.handle_timeout(now);
                    return 0.0;
                }
                RelayInput::Kept => return r.kept() as f64,
                RelayInput::Heard => return 0.0,
                RelayInput::Present => Input::Present,
                RelayInput::Granted => Input::Granted,
                RelayInput::Foreign => Input::Foreign,
                RelayInput::Gone => Input::Gone { tab },
                RelayInput::Open => Input::Open(n != 0.0),
                RelayInput::Given => Input::Given {
                    tab,
                    seq,
                    sent: n != 0.0,
                },
                RelayInput::Settled => Input::Settled {
                    tab,
                    seq,
                    result: match n < 0.0 {
                        true => Ok(()),
                        false => Err(ErrorCode::request_error(n as u32)),
                    },
                },
            };
            r.handle(input, now);
            0.0
        })
    }
}

/// The channel message of `RelayAct` kind `k` (the facade has checked its
/// version and that it is for everyone or this tab, and filed its payload).
fn wire(k: u32, seq: u32, n: f64) -> Option<Wire> {
    Some(match RelayAct::from_index(k)? {
        RelayAct::Hello => Wire::Hello,
        RelayAct::Owner => Wire::Owner { fp: seq },
        RelayAct::Send => Wire::Send { seq },
        RelayAct::Request => Wire::Request {
            seq,
            timeout: n as u64,
        },
        RelayAct::Cancel => Wire::Cancel { seq },
        RelayAct::Done => Wire::Done { seq },
        RelayAct::Reply => Wire::Reply { seq },
        RelayAct::Failed => Wire::Failed {
            seq,
            error: ErrorCode::request_error(n as u32),
        },
        RelayAct::Tabs => Wire::Tabs { n: n as u32 },
        RelayAct::Bye => Wire::Bye,
        _ => return None,
    })
}
