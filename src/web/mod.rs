//! Browser driver and wasm-bindgen exports (wasm32 only).
//!
//! * `driver`: runs a [`Session`](crate::session::Session) over the browser's
//!   `WebSocket`, `setTimeout` and page events, with `M = JsValue` so message
//!   data never crosses into linear memory;
//! * `js`: the narrow `#[wasm_bindgen]` surface the npm facade drives;
//! * [`Socket`]: the typed Rust API for Rust front ends (Yew, Leptos, Dioxus).

mod conn;
mod driver;
mod handles;
mod js;
mod sys;
mod typed;

use wasm_bindgen::prelude::*;

pub use crate::session::{Sent, State, Stats};
pub use handles::live_callbacks;
pub use typed::{Config, Events, Heartbeat, Reconnect, Socket, SocketError, SocketEvent};

/// The crate version, so a page can check which build it loaded.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
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
