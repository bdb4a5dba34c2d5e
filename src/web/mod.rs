//! Browser driver and wasm-bindgen exports (wasm32 only).

use wasm_bindgen::prelude::*;

/// The crate version, so a page can check which build it loaded.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
