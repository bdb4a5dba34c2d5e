//! WebSocket frames over a [`Stream`] (TCP or TLS), for both roles: the
//! thin I/O layer between `std::net` and the sans-IO [`codec`](crate::codec).
//!
//! [`WsReader`] owns the reading half: it buffers what the socket delivers
//! and lets the codec turn it into [`Incoming`] items (whole messages,
//! control frames). A binary frame of up to 1 MiB that a read delivers only
//! part of is completed in the read buffer, so it is decoded in place
//! (unmasked there, borrowed by [`WsReader::recv_with`]) rather than copied
//! piece by piece; text frames (validated as they arrive, so invalid UTF-8
//! fails fast) and larger frames stream through the decoder. A read timeout set on the socket surfaces as
//! [`WsError::TimedOut`] with every partial frame kept, so the caller can
//! check its timers and call [`WsReader::recv`] again.
//!
//! [`WsWriter`] owns a writing clone of the socket and encodes one frame per
//! call (masked with a fresh key in the client role).
//!
//! With permessage-deflate negotiated (`with_deflate` on both halves), data
//! messages are compressed on the way out and inflated on the way in; pings,
//! pongs and closes never are.

use std::io::{self, Read, Write};

use super::stream::Stream;
use crate::codec::close::{CloseCode, CloseFrame};
use crate::codec::encode::{Encoder, Outgoing};
use crate::codec::frame::Role;
use crate::codec::limits::Limits;
use crate::codec::Error as CodecError;
use crate::codec::{Item, ItemRef, MessageDecoder, Status};

#[cfg(feature = "deflate")]
use crate::codec::deflate::{DeflateParams, Deflater};
use crate::message::Message;

/// Something the peer sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// A complete data message.
    Message(Message),
    /// A ping; answering it (with [`WsWriter::pong`]) is the caller's job.
    Ping(Vec<u8>),
    /// A pong.
    Pong(Vec<u8>),
    /// A close frame (`None`: it carried no status code).
    Close(Option<CloseFrame>),
}

/// A failure reading or writing frames.
#[derive(Debug)]
#[non_exhaustive]
pub enum WsError {
    /// The socket's read timeout expired; nothing was lost, call again.
    TimedOut,
    /// The peer closed the TCP connection (end of stream).
    Eof,
    /// The socket failed.
    Io(io::Error),
    /// The peer broke RFC 6455 (or a limit): fail the connection with
    /// [`close_for_error`](crate::codec::close::close_for_error).
    Protocol(CodecError),
    /// What we were asked to send is not a valid frame (e.g. a close code
    /// that may not be sent, a ping over 125 bytes). Nothing was written.
    Encode(CodecError),
}

impl std::fmt::Display for WsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WsError::TimedOut => f.write_str("timed out"),
            WsError::Eof => f.write_str("the peer closed the connection"),
            WsError::Io(e) => write!(f, "socket error: {e}"),
            WsError::Protocol(e) => write!(f, "protocol error: {e}"),
            WsError::Encode(e) => write!(f, "cannot send: {e}"),
        }
    }
}

impl std::error::Error for WsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WsError::Io(e) => Some(e),
            WsError::Protocol(e) | WsError::Encode(e) => Some(e),
            _ => None,
        }
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Read size. The codec streams payloads through, so the buffer never has
/// to hold a whole frame.
const READ_CHUNK: usize = 64 * 1024;
/// Binary frames up to this size that a read delivered only part of are
/// completed in the read buffer (it grows for them) and decoded in place,
/// instead of being copied piece by piece into the decoder; larger ones
/// (and text) stream through.
const WHOLE_FRAME_MAX: usize = 1 << 20;
/// A write buffer grown past this by a big frame is released after use.
const KEEP_CAPACITY: usize = 1 << 20;

/// The reading half of a WebSocket connection.
#[derive(Debug)]
pub struct WsReader {
    stream: Stream,
    decoder: MessageDecoder,
    buf: Vec<u8>,
    /// Start of the bytes not yet given to the decoder.
    start: usize,
    /// End of the received bytes in `buf`.
    end: usize,
}

impl WsReader {
    /// `initial` holds bytes already read past the handshake head.
    pub fn new(stream: Stream, role: Role, initial: Vec<u8>, limits: Limits) -> Self {
        let end = initial.len();
        let mut buf = initial;
        buf.resize(end.max(READ_CHUNK), 0);
        WsReader {
            stream,
            decoder: MessageDecoder::new(role, limits).whole_frames_up_to(WHOLE_FRAME_MAX as u64),
            buf,
            start: 0,
            end,
        }
    }

    /// Inflates messages the peer compressed (permessage-deflate negotiated
    /// with `params`). Call before the first `recv`.
    #[cfg(feature = "deflate")]
    pub fn with_deflate(mut self, params: &DeflateParams) -> Self {
        let decoder = MessageDecoder::new(self.decoder.role(), *self.decoder.limits())
            .whole_frames_up_to(WHOLE_FRAME_MAX as u64);
        self.decoder = decoder.with_deflate(params);
        self
    }

    /// The socket (to set its read timeout, or shut it down).
    pub fn stream(&self) -> &Stream {
        &self.stream
    }

    /// The socket, mutably.
    pub fn stream_mut(&mut self) -> &mut Stream {
        &mut self.stream
    }

    /// Whether the peer's stream is at a frame boundary (nothing partial).
    pub fn is_idle(&self) -> bool {
        self.start == self.end && self.decoder.is_idle()
    }

    /// The next message or control frame. Blocks on the socket (bounded by
    /// its read timeout, which returns [`WsError::TimedOut`] and loses
    /// nothing). After a protocol error the reader stays failed.
    pub fn recv(&mut self) -> Result<Incoming, WsError> {
        // Not `recv_with` + a copy: `decode` unmasks while it copies, one
        // pass over a masked payload where unmasking in place and then
        // copying would take two.
        loop {
            if self.start < self.end {
                match self.decoder.decode(&self.buf[self.start..self.end]) {
                    Ok(Status::Done { consumed, value }) => {
                        self.start += consumed;
                        return Ok(match value {
                            Item::Message(m) => Incoming::Message(m),
                            Item::Ping(p) => Incoming::Ping(p),
                            Item::Pong(p) => Incoming::Pong(p),
                            Item::Close(c) => Incoming::Close(c),
                        });
                    }
                    Ok(Status::NeedMore { consumed, needed }) => {
                        self.start += consumed;
                        self.room_for(needed);
                    }
                    Err(e) => return Err(WsError::Protocol(e)),
                }
            }
            if self.start == self.end {
                self.reset_buffer();
            }
            self.fill()?;
        }
    }

    /// Like [`recv`](Self::recv) without copying the item out of the read
    /// buffer (or the decoder's buffers): `f` sees it borrowed and returns
    /// what the caller keeps (e.g. the echo of a message, written straight
    /// from the read buffer).
    pub fn recv_with<R>(&mut self, f: impl FnOnce(ItemRef<'_>) -> R) -> Result<R, WsError> {
        loop {
            if self.start < self.end {
                match self
                    .decoder
                    .decode_in_place(&mut self.buf[self.start..self.end])
                {
                    Ok(Status::Done { consumed, value }) => {
                        self.start += consumed;
                        return Ok(f(value));
                    }
                    Ok(Status::NeedMore { consumed, needed }) => {
                        self.start += consumed;
                        self.room_for(needed);
                    }
                    Err(e) => return Err(WsError::Protocol(e)),
                }
            }
            if self.start == self.end {
                self.reset_buffer();
            }
            self.fill()?;
        }
    }

    /// A frame was left in the buffer to be completed there: makes room for
    /// the `needed` bytes that complete it after what was received.
    fn room_for(&mut self, needed: usize) {
        if self.start == self.end || self.buf.len() - self.end >= needed {
            return;
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.buf.len() - self.end < needed {
            self.buf.resize(self.end + needed, 0);
        }
    }

    /// Everything received was decoded: start over at the front. A buffer
    /// that a frame grew a little stays grown (reads use all of it, and
    /// growing again would zero-fill again); one grown past four reads is
    /// given back.
    fn reset_buffer(&mut self) {
        self.start = 0;
        self.end = 0;
        if self.buf.len() > 4 * READ_CHUNK {
            self.buf.truncate(READ_CHUNK);
            self.buf.shrink_to_fit();
        }
    }

    /// Reads once from the socket into the buffer.
    fn fill(&mut self) -> Result<(), WsError> {
        if self.end == self.buf.len() {
            // The decoder takes everything it is given, so this only happens
            // with a full initial buffer: make room.
            self.buf.drain(..self.start);
            self.end -= self.start;
            self.start = 0;
            let len = self.buf.len();
            self.buf.resize(len + READ_CHUNK, 0);
        }
        match self.stream.read(&mut self.buf[self.end..]) {
            Ok(0) => Err(WsError::Eof),
            Ok(n) => {
                self.end += n;
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(e) if is_timeout(&e) => Err(WsError::TimedOut),
            Err(e) => Err(WsError::Io(e)),
        }
    }
}

/// The writing half of a WebSocket connection.
#[derive(Debug)]
pub struct WsWriter {
    stream: Stream,
    encoder: Encoder,
    buf: Vec<u8>,
    #[cfg(feature = "deflate")]
    deflater: Option<Deflater>,
}

impl WsWriter {
    /// The writing half for `role`, writing to `stream` (without compression).
    pub fn new(stream: Stream, role: Role) -> Self {
        WsWriter {
            stream,
            encoder: Encoder::new(role),
            buf: Vec::new(),
            #[cfg(feature = "deflate")]
            deflater: None,
        }
    }

    /// Compresses every data message (permessage-deflate negotiated with
    /// `params`).
    #[cfg(feature = "deflate")]
    pub fn with_deflate(mut self, params: &DeflateParams) -> Self {
        self.deflater = Some(params.deflater(self.encoder.role()));
        self
    }

    fn encode(&mut self, item: Outgoing<'_>) -> Result<(), CodecError> {
        #[cfg(feature = "deflate")]
        if let Some(deflater) = self.deflater.as_mut() {
            let key = match self.encoder.role() {
                Role::Client => Some(crate::codec::mask::random_key()?),
                Role::Server => None,
            };
            return self
                .encoder
                .encode_compressed(&mut self.buf, deflater, item, key);
        }
        self.encoder.encode_auto(&mut self.buf, item)
    }

    /// The socket (to set its write timeout, or shut it down).
    pub fn stream(&self) -> &Stream {
        &self.stream
    }

    fn write(&mut self, item: Outgoing<'_>) -> Result<(), WsError> {
        self.buf.clear();
        self.encode(item).map_err(WsError::Encode)?;
        let result = self.stream.write_all(&self.buf).map_err(WsError::Io);
        if self.buf.capacity() > KEEP_CAPACITY {
            self.buf = Vec::new();
        }
        result
    }

    /// Sends a data message as one frame.
    pub fn send(&mut self, msg: &Message) -> Result<(), WsError> {
        self.write(Outgoing::from(msg))
    }

    /// Sends a borrowed data message as one frame.
    pub fn send_ref(&mut self, msg: crate::codec::MessageRef<'_>) -> Result<(), WsError> {
        self.write(Outgoing::from(msg))
    }

    /// Sends a text message as one frame.
    pub fn text(&mut self, text: &str) -> Result<(), WsError> {
        self.write(Outgoing::Text(text))
    }

    /// Sends a binary message as one frame.
    pub fn binary(&mut self, data: &[u8]) -> Result<(), WsError> {
        self.write(Outgoing::Binary(data))
    }

    /// A ping (payload at most 125 bytes).
    pub fn ping(&mut self, payload: &[u8]) -> Result<(), WsError> {
        self.write(Outgoing::Ping(payload))
    }

    /// A pong (payload at most 125 bytes; a reply echoes the ping's).
    pub fn pong(&mut self, payload: &[u8]) -> Result<(), WsError> {
        self.write(Outgoing::Pong(payload))
    }

    /// A close frame with a code and reason, or an empty one (`None`).
    pub fn close(&mut self, code: Option<u16>, reason: &str) -> Result<(), WsError> {
        self.write(Outgoing::Close(code.map(|c| (CloseCode(c), reason))))
    }
}

/// Closes our side first and waits (bounded) for the peer to close its
/// side, so unread bytes cannot turn our last write into a reset.
pub(crate) fn linger_close(stream: &mut Stream, limit: std::time::Duration) {
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let deadline = std::time::Instant::now() + limit;
    let mut sink = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
}
