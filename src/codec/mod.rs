//! RFC 6455 codec: incremental and sans-IO.
//!
//! Nothing here reads a socket or a clock. Decoding takes a byte slice and
//! answers with [`Status`]: `NeedMore { consumed, needed }` (feed more bytes
//! later) or `Done { consumed, value }` (a value is complete after `consumed`
//! bytes), like `httparse::Status`. Encoding appends frames to a `Vec<u8>`.
//! The transport (`crate::native`) owns the sockets and the buffers.
//!
//! # Layers
//!
//! * [`frame`]: [`Role`], [`OpCode`], [`FrameHeader`].
//! * [`decode`]: [`decode_header`] / [`decode_frame`] check one frame
//!   against every rule a single frame can break (RSV bits without an
//!   extension, reserved opcodes, fragmented or >125-byte control frames,
//!   masking the wrong way for the role, the 64-bit length's top bit, the
//!   frame size limit). Lengths stay `u64` until checked against the
//!   [`Limits`], so a 64-bit length never wraps on 32-bit wasm.
//! * [`assemble`]: [`MessageDecoder`] turns a byte stream into [`Item`]s
//!   (whole messages as [`Message`](crate::message::Message), pings, pongs,
//!   closes), reassembling fragments with control frames interleaved,
//!   validating text incrementally (it fails inside a frame as soon as the
//!   bytes received so far cannot be UTF-8) and enforcing the message size
//!   and fragment count limits before allocating. Two ways out:
//!   [`MessageDecoder::decode_in_place`] borrows ([`ItemRef`]: a whole frame
//!   is unmasked in place in the caller's read buffer and returned as a
//!   slice of it, anything assembled as a slice of the decoder's reused
//!   buffers: decoding allocates nothing), [`MessageDecoder::decode`] owns.
//! * `deflate` (native, cargo feature `deflate`, on by default):
//!   permessage-deflate (RFC 7692) negotiation for both roles, and the
//!   compressor/decompressor pair on `flate2` (zlib-rs backend). The decoder
//!   inflates messages whose first frame has RSV1 as their payload arrives,
//!   enforcing the message limit on the inflated size while inflating and
//!   validating text after inflating; [`Encoder::encode_compressed`] sends
//!   compressed messages. flate2 never reaches the wasm build.
//! * [`encode`]: [`Encoder`] writes frames for a role; a client passes a
//!   fresh masking key per frame ([`mask::random_key`] natively, or
//!   [`Encoder::encode_auto`]). [`Encoder::encode_vectored`] writes only the
//!   header of an unmasked frame and hands the payload back for a vectored
//!   write, so large messages are never copied into the output buffer.
//! * [`mask`]: [`apply_mask`] (in place) and the unmasking copies the
//!   decoder uses, in safe Rust, 32 bytes at a time.
//! * [`utf8`]: complete and incremental validation with `simdutf8`, and
//!   [`utf8::TextBuffer`], which validates text as it is received so that
//!   a message is validated exactly once.
//! * [`close`]: [`CloseCode`] (wire validity, browser sendability), close
//!   payloads, and [`ClosingHandshake`], what each role does when closing.
//! * [`error`]: the one [`Error`] type, with [`Error::close_code`] giving
//!   1002 / 1007 / 1009 for the close frame to send.
//! * `handshake` (native only): the HTTP opening handshake.
//!
//! # Example: a server's read loop
//!
//! ```
//! use steadyws::codec::{
//!     ClosingHandshake, Encoder, Item, Limits, MessageDecoder, OnClose, Outgoing, Role, Status,
//! };
//! use steadyws::message::Message;
//!
//! // What a client sent: a masked "hi", then a close with code 1000.
//! let mut wire = Vec::new();
//! let client = Encoder::new(Role::Client);
//! client.encode(&mut wire, Outgoing::Text("hi"), Some([1, 2, 3, 4])).unwrap();
//! client.encode(&mut wire, Outgoing::Close(None), Some([5, 6, 7, 8])).unwrap();
//!
//! let mut decoder = MessageDecoder::new(Role::Server, Limits::default());
//! let server = Encoder::new(Role::Server);
//! let mut closing = ClosingHandshake::new(Role::Server);
//! let mut out = Vec::new();
//! let mut input = &wire[..];
//! // A real transport loops on socket reads; here all bytes are in `wire`.
//! loop {
//!     match decoder.decode(input) {
//!         Ok(Status::Done { consumed, value }) => {
//!             input = &input[consumed..];
//!             match value {
//!                 Item::Message(msg) => {
//!                     assert_eq!(msg, Message::Text("hi".into()));
//!                     server.encode(&mut out, Outgoing::from(&msg), None).unwrap();
//!                 }
//!                 Item::Ping(payload) => {
//!                     server.encode(&mut out, Outgoing::Pong(&payload), None).unwrap()
//!                 }
//!                 Item::Pong(_) => {}
//!                 Item::Close(frame) => {
//!                     if let OnClose::Reply(reply) = closing.received(frame.as_ref()) {
//!                         let reply = reply.as_ref().map(|f| (f.code, f.reason.as_str()));
//!                         server.encode(&mut out, Outgoing::Close(reply), None).unwrap();
//!                     }
//!                     break; // the server now closes the TCP connection
//!                 }
//!             }
//!         }
//!         Ok(Status::NeedMore { .. }) => break, // read more from the socket
//!         Err(error) => {
//!             // Send a close with error.close_code() (1002/1007/1009).
//!             closing.start();
//!             let code = error.close_code();
//!             server.encode(&mut out, Outgoing::Close(Some((code, ""))), None).unwrap();
//!             break;
//!         }
//!     }
//! }
//! assert_eq!(out, [0x81, 2, b'h', b'i', 0x88, 0]);
//! assert!(closing.should_close_tcp());
//! ```
//!
//! # Performance and safety
//!
//! A frame that is a whole message and sits entirely in the input (the
//! common case) takes a fast path: header checks, then either an in-place
//! unmask and one UTF-8 pass, returning a borrow of the input
//! (`decode_in_place`: no allocation, no copy), or one allocation of exactly
//! the payload's size and one unmasking copy (`decode`). Larger or split
//! frames are unmasked piece by piece straight into the message buffer,
//! masking while copying into reserved capacity with no zero-fill pass;
//! for text that copy also notes whether what it wrote is ASCII, and UTF-8
//! validation starts after the ASCII it saw (ASCII text: one pass in all).
//! What such a frame costs over a whole one is that copy: a frame decoded
//! in place is unmasked where it was read.
//! The only `unsafe` in the codec is `from_utf8_unchecked` on bytes that
//! `simdutf8` has validated, in small functions of [`utf8`] (each with its
//! proof); the rest of the module denies `unsafe_code` (flate2 and zlib-rs
//! carry their own). `benches/codec.rs` measures all this against
//! tungstenite and fastwebsockets, and permessage-deflate against flate2
//! alone; `fuzz/` fuzzes the decoders, the inflate path and the handshake
//! parser.
//!
//! Ownership: the frame/message layers (everything but `handshake`) belong to
//! the codec work; `handshake` to the transport work.

#![deny(unsafe_code)]

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

// flate2 too; and it is optional natively (the `deflate` feature).
#[cfg(all(feature = "deflate", not(target_arch = "wasm32")))]
pub mod deflate;

pub use assemble::{CloseRef, Item, ItemRef, MessageDecoder, MessageRef};
pub use close::{CloseCode, CloseFrame, CloseState, ClosingHandshake, OnClose};
pub use decode::{decode_frame, decode_header, decode_header_with, Frame, Status};
pub use encode::{encode_frame, Encoder, Outgoing};
pub use error::Error;
pub use frame::{FrameHeader, OpCode, Role};
pub use limits::Limits;
pub use mask::{apply_mask, apply_mask_at};
