//! The wasm module of the npm package `steadyws`: the crate's browser
//! driver (`steadyws::web`, its `#[wasm_bindgen]` exports `Inner`, `Relay`,
//! `onPanic`, `version`) linked as a cdylib, without std, with the npm
//! build's allocator and panic handler. See `Cargo.toml` for why this is a
//! crate of its own, and `pkg-template/index.js` for the facade over it.
#![no_std]

// Linked for its exports; nothing here calls it.
pub use steadyws;
