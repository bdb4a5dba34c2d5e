//! Owned browser resources (RAII): every callback handed to the browser and
//! every armed timer is a value whose `Drop` takes it back, so a socket that
//! is dropped leaves nothing behind; nothing here is ever `forget()`-ed.

use alloc::rc::Weak;

use js_sys::Function;
use wasm_bindgen::closure::{Closure, WasmClosure};
use wasm_bindgen::{JsCast, JsValue};
#[cfg(feature = "std")]
use web_sys::EventTarget;

use super::sys;
use crate::session::Gen;

#[cfg(debug_assertions)]
static LIVE: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);

/// How many callbacks created by the driver are alive (debug builds only;
/// `None` in release builds). Tests use it to prove nothing leaks.
pub fn live_callbacks() -> Option<usize> {
    #[cfg(debug_assertions)]
    {
        Some(LIVE.load(core::sync::atomic::Ordering::Relaxed))
    }
    #[cfg(not(debug_assertions))]
    {
        None
    }
}

/// A Rust closure handed to JS, counted while alive (debug builds).
pub(crate) struct Callback<T: ?Sized>(Closure<T>);

/// Every callback of the driver has this one shape (one closure type keeps
/// the wasm module and its JS glue small): it holds the socket weakly, so a
/// dropped socket is never kept alive (nor reached) through the browser.
pub(crate) type Handler = Callback<dyn Fn(JsValue)>;

/// What a handler reaches (the driver's state: this module knows nothing
/// of it). `Fn`, not `FnMut`: a socket may call back from inside a call the
/// handler made (see `driver`), which a `FnMut` closure would refuse.
pub(crate) trait Owner: Sized + 'static {
    /// Runs `entry(self, gen, arg)`, now or once it is safe to.
    fn call(&self, entry: fn(&Self, Gen, JsValue), gen: Gen, arg: JsValue);
}

/// `owner.call(entry, gen, arg)` while `owner` lives.
pub(crate) fn handler<T: Owner>(owner: &Weak<T>, gen: Gen, entry: fn(&T, Gen, JsValue)) -> Handler {
    let owner = owner.clone();
    Callback::new(Closure::<dyn Fn(JsValue)>::new(move |arg: JsValue| {
        if let Some(o) = owner.upgrade() {
            o.call(entry, gen, arg);
        }
    }))
}

impl<T: ?Sized + WasmClosure> Callback<T> {
    pub(crate) fn new(closure: Closure<T>) -> Self {
        #[cfg(debug_assertions)]
        LIVE.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        Callback(closure)
    }

    pub(crate) fn function(&self) -> &Function {
        self.0.as_js_value().unchecked_ref()
    }
}

impl<T: ?Sized> Drop for Callback<T> {
    fn drop(&mut self) {
        #[cfg(debug_assertions)]
        LIVE.fetch_sub(1, core::sync::atomic::Ordering::Relaxed);
    }
}

/// The longest delay `setTimeout` honours (longer ones fire at once).
const MAX_DELAY_MS: u64 = 0x7fff_ffff;

/// The one timer of a socket, armed for `Session::poll_timeout()`.
///
/// Re-arming on every message would cost two JS calls per message, so a timer
/// that is already due no later than the new deadline is kept: when it fires
/// early the driver sees the deadline has not passed and arms it again.
pub(crate) struct Timer {
    callback: Handler,
    /// The pending `setTimeout` id and the deadline it was armed for.
    armed: Option<(f64, u64)>,
}

impl Timer {
    pub(crate) fn new(callback: Handler) -> Self {
        Timer {
            callback,
            armed: None,
        }
    }

    /// Makes sure the timer fires no later than `deadline`; reads the clock
    /// only when it has to set a new timeout.
    pub(crate) fn arm(&mut self, deadline: u64, now: impl FnOnce() -> u64) {
        if let Some((id, at)) = self.armed {
            if at <= deadline {
                return;
            }
            sys::clear_timeout(id);
        }
        let delay = deadline.saturating_sub(now()).min(MAX_DELAY_MS);
        let id = sys::set_timeout(self.callback.function(), delay as f64);
        self.armed = Some((id, deadline));
    }

    pub(crate) fn cancel(&mut self) {
        if let Some((id, _)) = self.armed.take() {
            sys::clear_timeout(id);
        }
    }

    /// Called when the timeout ran: nothing is pending any more.
    pub(crate) fn fired(&mut self) {
        self.armed = None;
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// An event listener on some target, removed when dropped (the typed API's
/// page listeners).
#[cfg(feature = "std")]
pub(crate) struct Listener {
    target: EventTarget,
    types: &'static [&'static str],
    callback: Handler,
}

#[cfg(feature = "std")]
impl Listener {
    /// Adds `callback` for every type in `types`.
    pub(crate) fn new(
        target: EventTarget,
        types: &'static [&'static str],
        callback: Handler,
    ) -> Self {
        for ty in types {
            // Only fails for a target that is not an EventTarget.
            let _ = target.add_event_listener_with_callback(ty, callback.function());
        }
        Listener {
            target,
            types,
            callback,
        }
    }
}

#[cfg(feature = "std")]
impl Drop for Listener {
    fn drop(&mut self) {
        for ty in self.types {
            let _ = self
                .target
                .remove_event_listener_with_callback(ty, self.callback.function());
        }
    }
}
