//! The [`Relay`](crate::relay::Relay) of a `shared` socket, as the npm
//! facade drives it: `relay.input(kind, tab, seq, n)` in (a channel message
//! as `RelayInput::Heard` plus its kind), `sink.act(kind, to, seq, n)` out,
//! in the numbers of [`crate::abi::RelayInput`] and
//! [`crate::abi::RelayAct`], which the machine itself speaks. Only numbers
//! cross: the facade keeps every payload, filed by `(tab, seq)`.
//!
//! The facade carries locks and channel messages and nothing else. Like the
//! socket driver, this never calls the facade while its state is borrowed:
//! actions are taken one at a time with nothing borrowed, so an `act` may
//! call back in (an item given to the socket can run handlers).

use core::cell::{Cell, RefCell, RefMut};

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::sys;
use crate::abi::{RelayAct, RelayInput, Slots};
use crate::relay::{Act, Relay};
use crate::session::DEFAULT_MAX_MESSAGES;

#[wasm_bindgen]
extern "C" {
    /// The facade's side of a relay.
    pub type RelaySink;

    /// One action (see [`RelayAct`]); never throws.
    #[wasm_bindgen(method)]
    fn act(this: &RelaySink, kind: u32, to: f64, seq: u32, n: f64);
}

/// A `shared` socket's relay (`new Relay(tab, fingerprint, options, sink)`).
#[wasm_bindgen(js_name = Relay)]
pub struct JsRelay {
    relay: RefCell<Relay>,
    sink: RelaySink,
    perf: sys::Performance,
    /// `rpc.timeout`, for requests made without a timeout.
    timeout: u64,
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

    /// Carries out every action with nothing borrowed, then re-arms the
    /// timer. One copy for every entry point (not a generic `run(f)`: a
    /// copy per closure cost the module ~700 bytes).
    #[inline(never)]
    fn drive(&self, now: u64) {
        loop {
            let act = self.borrow().poll_act();
            let Some(Act { kind, to, seq, n }) = act else {
                break;
            };
            self.sink.act(kind as u32, to, seq, n);
        }
        let deadline = self.borrow().poll_timeout();
        if deadline != self.armed.get() {
            self.armed.set(deadline);
            let ms = deadline.map_or(-1.0, |d| d.saturating_sub(now) as f64);
            self.sink.act(RelayAct::Arm as u32, 0.0, 0, ms);
        }
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
        let n = super::js::numbers(&options);
        let slots = Slots(&n);
        let config = slots.config(JsValue::NULL, None);
        config.validate().map_err(super::js::thrown)?;
        let max = config
            .queue
            .map_or(DEFAULT_MAX_MESSAGES, |q| q.max_messages);
        let perf = sys::Scope::performance();
        let now = perf.now_ms();
        let me = JsRelay {
            relay: RefCell::new(Relay::new(tab, fp, max, now)),
            sink,
            perf,
            timeout: config.request_timeout,
            armed: Cell::new(None),
        };
        me.drive(now);
        Ok(me)
    }

    /// An app call, a lock or driver report, or a question: `kind` a
    /// [`RelayInput`] index (see there for the arguments and the result).
    pub fn input(&self, kind: u32, tab: u32, seq: u32, n: f64) -> f64 {
        let now = self.perf.now_ms();
        let n = match n.is_nan() && kind == RelayInput::Request as u32 {
            true => self.timeout as f64,
            false => n,
        };
        let out = self.borrow().input(kind, tab, seq, n, now);
        self.drive(now);
        out
    }
}
