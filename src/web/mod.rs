//! Browser driver, wasm-bindgen exports and the typed Rust API (wasm32 only).
//!
//! Layers, each using only those before it:
//!
//! ```text
//!   sys      the few browser bindings web-sys lacks (globals, raw send)
//!   handles  owned callbacks, the timer, event listeners (RAII)
//!   conn     one browser WebSocket and its four handlers
//!   driver   runs a Session over conns and the timer; hands events to a Sink
//!   js       the npm facade's surface: a Sink that calls into JS
//!   typed    Socket<In, Out> for Rust front ends: a Sink that decodes
//!            (feature `std`)
//! ```
//!
//! * `driver`: runs a [`Session`](crate::session::Session) over the browser's
//!   `WebSocket`, the global `setTimeout` (windows and workers alike) and
//!   `performance.now()`, with `M = JsValue` so message data never crosses
//!   into linear memory. It holds no policy: it translates browser events
//!   into [`Input`](crate::session::Input)s (every frame, as it arrived:
//!   what counts as a reply, as liveness, is the core's), carries out
//!   [`Action`](crate::session::Action)s, and leaves decoding to its sink.
//! * Ownership (RAII): each browser socket is a `Conn` owning its four
//!   handlers and tagged with its generation; the socket's one timer and its
//!   page listeners are values too. Dropping any of them detaches it; nothing
//!   is `forget()`-ed, so 10,000 reconnects leak nothing
//!   ([`live_callbacks`] counts the live ones in debug builds). An abandoned
//!   socket is detached and closed at once, never awaited.
//! * Re-entrancy: no JS or Rust user code runs while the state is borrowed;
//!   events are queued and delivered after the borrow ends, in order, so a
//!   handler may call `send`/`close`/`reconnect`.
//! * `js`: the `#[wasm_bindgen]` surface the npm facade (`pkg/index.js`)
//!   drives, in the numbers of [`crate::abi`]; the facade checks JS types,
//!   builds event objects, decodes JSON, isolates throwing handlers
//!   (`HANDLER_THREW`) and listens to page events. A Rust panic is reported
//!   (`'PANIC'` error events) instead of leaving a silent, wedged object:
//!   through a panic hook with `std`, through the npm build's own panic
//!   handler without it (`panic`).
//! * [`Socket`]: the typed Rust API for Rust front ends (Yew, Leptos,
//!   Dioxus), generic over the message types and so compiled only into apps
//!   that use it, never into the npm module (which is built without the
//!   `std` feature it needs).

#![deny(missing_docs)]

mod conn;
mod driver;
mod handles;
mod js;
mod panic;
mod relay;
#[cfg(feature = "std")]
mod request;
mod sys;
#[cfg(feature = "std")]
mod typed;

use wasm_bindgen::prelude::*;

pub use crate::session::{Sent, State, Stats};
pub use handles::live_callbacks;
/// The object the npm facade drives (exported for the browser tests).
#[doc(hidden)]
pub use js::Inner;
/// A shared socket's relay, as the npm facade drives it.
#[doc(hidden)]
pub use relay::JsRelay;
#[cfg(feature = "std")]
pub use request::{Request, RequestFailure};
#[cfg(feature = "std")]
pub use typed::{Config, Events, Heartbeat, Init, Reconnect, Socket, SocketError, SocketEvent};

/// The crate version, so a page can check which build it loaded.
///
/// A `JsValue` rather than a `String`: the same JS string, without the
/// glue that frees a string returned from the module.
#[wasm_bindgen(unchecked_return_type = "string")]
pub fn version() -> JsValue {
    JsValue::from_str(env!("CARGO_PKG_VERSION"))
}

// The npm build's allocator: dlmalloc is a quarter of the module, this free
// list (sorted, coalescing) a tenth of that, and the driver allocates little.
// Only with the `small-alloc` feature: a library must not choose the global
// allocator of a Rust application that depends on it.
#[cfg(all(feature = "small-alloc", not(target_feature = "atomics")))]
#[global_allocator]
// SAFETY: without the `atomics` target feature wasm32 has one thread.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
