//! # steadyws
//!
//! A WebSocket client SDK for the browser, written in Rust and compiled to
//! WebAssembly. It wraps the browser's own `WebSocket` and adds what every
//! real front end ends up writing by hand: typed messages, heartbeat detection
//! of dead connections, reconnection with a lock and capped, jittered
//! exponential backoff, and a bounded send queue that survives reconnects.
//!
//! ## How the crate is built
//!
//! ```text
//!   web/      wasm-bindgen exports + browser driver        (wasm32 only)
//!   native/   std::net client transport + dev/test server  (not wasm32)
//!      │ both carry out what the core decides
//!      ▼
//!   session/  sans-IO connection state machine            (pure Rust)
//!   relay/    sans-IO ownership of a connection shared by tabs (pure Rust)
//!   abi       the names and numbers that cross wasm <-> JS  (plain data)
//!   codec/    RFC 6455 frames, masking, UTF-8, close codes, handshake
//! ```
//!
//! Where each kind of rule lives: connection policy (heartbeat, what counts
//! as a reply or as liveness, backoff, the queue), option defaults and
//! option validation in [`session`]; who owns a connection shared by
//! several tabs, and what each tab keeps until the owner confirms it, in
//! [`relay`]; the encoding of everything that crosses
//! to JS in [`abi`] (the facade's `abi.js` is generated from it); what a
//! frame is on the wire in [`codec`]. Drivers translate and carry out.
//!
//! The connection logic lives in [`session::Session`], a deterministic state
//! machine that never does I/O and never reads a clock. A driver runs it in a
//! loop:
//!
//! 1. feed what happened with [`Session::handle`](session::Session::handle)
//!    (a socket opened, a message arrived, the page came back online, ...),
//!    the user's calls with `send` / `close` / `reconnect`, and expired timers
//!    with [`Session::handle_timeout`](session::Session::handle_timeout), each
//!    together with the current time;
//! 2. drain [`Session::poll`](session::Session::poll) and carry out every
//!    [`Action`]: open a socket, send on it, abandon it, or
//!    emit an event to the application;
//! 3. arm one timer for [`Session::poll_timeout`](session::Session::poll_timeout)
//!    (none when it returns `None`).
//!
//! ```
//! use steadyws::message::Message;
//! use steadyws::session::{Action, Config, Event, Gen, Input, Session, State};
//!
//! // A virtual clock: the core never reads one.
//! let mut now = 0;
//! let mut session = Session::new(Config::new(Message::Text("ping".into())), 42, now)?;
//! assert_eq!(session.poll(), Some(Action::Connect { gen: Gen(1) }));
//!
//! // The driver's socket opened; a message arrives 5 s later.
//! session.handle(Input::Opened { gen: Gen(1), protocol: String::new() }, now);
//! now += 5_000;
//! let data = Message::Text("hello".into());
//! session.handle(Input::Message { gen: Gen(1), data: data.clone() }, now);
//! let events: Vec<_> = std::iter::from_fn(|| session.poll()).collect();
//! assert!(events.contains(&Action::Emit(Event::Message(data))));
//! assert_eq!(session.state(), State::Open);
//!
//! // Silence: the one timer is due 10 s after the last message (the ping).
//! assert_eq!(session.poll_timeout(), Some(15_000));
//! session.handle_timeout(15_000);
//! assert!(matches!(session.poll(), Some(Action::Send { .. })));
//! # Ok::<(), steadyws::session::ConfigError>(())
//! ```
//!
//! Because time is an input, the tests drive the same machine through
//! thousands of simulated hours in milliseconds, and the browser driver
//! (`web`) and the native one (`native`) stay thin: no policy lives in them.
//!
//! The [`codec`] is an incremental, sans-IO RFC 6455 implementation: decoding
//! takes a byte slice and reports how much more it needs or how much it
//! consumed. The browser does its own framing, so the codec is used natively
//! by the client transport and the dev server, which lets the whole SDK be
//! tested without a browser.
//!
//! ## Cargo features
//!
//! * `std` (default): on wasm32, the standard library, the `std` features of
//!   wasm-bindgen, js-sys, web-sys and wasm-bindgen-futures, and the typed
//!   Rust API (`web::Socket`, `web::Request`, which decode through
//!   serde-wasm-bindgen). Without it the crate is `#![no_std]` (core and
//!   `alloc`) on wasm32 and has everything the npm facade drives; natively
//!   it always uses std (the native client and the dev server need it).
//! * `deflate` (default): permessage-deflate in the native codec, client and
//!   dev server (flate2; never part of a wasm build).
//! * `small-alloc`, `panic-handler`: the npm build's own choices of global
//!   allocator (lol_alloc's free list) and, without `std`, of panic handler
//!   (it reports the panic's file and line to the facade's `onPanic`
//!   function and traps, formatting nothing). Both are off by default: they
//!   are an application's to pick, not a library's. The npm package's
//!   module (`npm/`, a cdylib over this crate) takes the crate with these
//!   two features and without `std`, so neither std's panic machinery nor
//!   `core::fmt` reaches it.

#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
#![deny(missing_docs)]

// Everything compiled for wasm32 takes `Vec`, `String`, `Box`, ... from
// `alloc` and the rest from `core`, so that it builds without std too.
extern crate alloc;

mod named;

pub mod abi;
pub mod codec;
pub mod message;
pub mod relay;
pub mod session;

#[cfg(not(target_arch = "wasm32"))]
pub mod native;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use session::{Action, Config, Event, Input, Session, State};
