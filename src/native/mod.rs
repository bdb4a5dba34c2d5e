//! Native (not wasm32) side: a blocking `std::net` client transport, the
//! dev/test server, and the native driver of the session machine.
//!
//! - [`client`]: blocking WebSocket client (connect with a timeout, send,
//!   receive with a deadline, closing handshake, abandon).
//! - [`server`]: the dev/test server behind `steadyws serve`.
//! - [`ws`]: frames over a `TcpStream` for both roles (on the codec).
//! - [`url`]: `ws://` URL parsing.
//! - [`cli`]: the `steadyws` command line.

pub mod cli;
pub mod client;
pub mod server;
pub mod url;
pub mod ws;
