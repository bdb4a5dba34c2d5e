//! Native (not wasm32) side: a blocking `std::net` client transport, the
//! dev/test server, and the native driver of the session machine.
//!
//! - [`client`]: blocking WebSocket client (connect with a timeout, send,
//!   receive with a deadline, closing handshake, abandon), `ws://` and
//!   `wss://`.
//! - [`server`]: the dev/test server behind `steadyws serve` (optionally
//!   over TLS).
//! - [`ws`]: frames over a [`stream::Stream`] for both roles (on the codec).
//! - [`stream`]: plain TCP or TLS (rustls) under both.
//! - [`tls`]: TLS settings: trusted roots, `--cacert`, `--insecure`, the
//!   server's certificate.
//! - [`headers`]: the extra request headers of the client, and their rules.
//! - [`url`]: `ws://` and `wss://` URL parsing.
//! - [`driver`]: the native driver of the session machine (`steadyws connect`).
//! - [`cli`]: the `steadyws` command line (one argument parser for every
//!   subcommand).

pub mod cli;
pub mod client;
pub mod driver;
pub mod headers;
pub mod server;
pub mod stream;
pub mod tls;
pub mod url;
pub mod ws;
