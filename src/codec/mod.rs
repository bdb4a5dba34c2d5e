//! RFC 6455 codec: incremental, sans-IO. Decoding takes a byte slice and says
//! how much more it needs or how much it consumed; it never reads by itself.
//!
//! Ownership: the frame/message layers (everything but `handshake`) belong to
//! the codec work; `handshake` to the transport work.

pub mod assemble;
pub mod close;
pub mod decode;
pub mod encode;
pub mod error;
pub mod frame;
pub mod limits;
pub mod mask;
pub mod utf8;

// sha1/base64/httparse must stay out of the wasm artifact.
#[cfg(not(target_arch = "wasm32"))]
pub mod handshake;
