//! Message assembly: bytes in, whole messages and control frames out.
//!
//! [`MessageDecoder`] sits on [`decode_header`]
//! and keeps what a connection needs between reads: a partial header (at
//! most 14 bytes), the frame being received, the fragmented message being
//! assembled and the UTF-8 state of its text. It consumes partial payloads
//! as they arrive, unmasking them straight into the message buffer, so a
//! transport never has to hold a whole frame in its read buffer, and invalid
//! UTF-8 is reported as soon as it is received, not when the frame ends.
//!
//! A frame that arrives whole and is a whole message (the common case) takes
//! a fast path: one allocation of exactly its size, one copy, one unmasking
//! pass and one `simdutf8` pass for text.

use super::close::{parse_close_payload, CloseFrame};
use super::decode::{decode_header, Status};
use super::frame::{FrameHeader, OpCode, Role, MAX_HEADER_LEN};
use super::limits::Limits;
use super::mask::{extend_masked, to_masked_vec};
use super::utf8::{into_string, TextBuffer};
use super::Error;
use crate::message::Message;

/// What the peer sent: a complete data message or one control frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A complete (reassembled) text or binary message.
    Message(Message),
    /// A ping; answer with a pong carrying the same payload.
    Ping(Vec<u8>),
    /// A pong (solicited or not).
    Pong(Vec<u8>),
    /// A close frame: `None` when it carried no status code. See
    /// [`ClosingHandshake`](super::close::ClosingHandshake) for the reply.
    Close(Option<CloseFrame>),
}

/// The frame whose payload is being received.
#[derive(Debug, Clone, Copy)]
struct InFrame {
    opcode: OpCode,
    fin: bool,
    mask: Option<[u8; 4]>,
    len: u64,
    done: u64,
}

/// The payload of a data message being assembled.
#[derive(Debug)]
enum Body {
    /// Validated piece by piece as it arrives.
    Text(TextBuffer),
    Binary(Vec<u8>),
}

/// A data message being assembled.
#[derive(Debug)]
struct Partial {
    body: Body,
    frames: u32,
}

impl Partial {
    fn len(&self) -> usize {
        match &self.body {
            Body::Text(text) => text.len(),
            Body::Binary(bytes) => bytes.len(),
        }
    }
}

/// Room reserved up front for a frame's payload, at most: enough for every
/// common frame to be received without reallocating, small enough that a
/// header announcing a huge frame does not claim its memory before the
/// bytes arrive.
const RESERVE_AHEAD: u64 = 1 << 20;

/// Incremental decoder of a byte stream into [`Item`]s, for one role.
///
/// Feed it whatever bytes arrived with [`decode`](Self::decode): it returns
/// `Done { consumed, value }` as soon as an item is complete (call again with
/// the bytes after `consumed`), or `NeedMore { consumed, .. }` with
/// `consumed` equal to the input's length: everything was taken in, and the
/// input buffer can be reused. After an error the decoder stays failed and
/// the connection must be closed with [`Error::close_code`]. After a
/// [`Item::Close`] the peer sends nothing more; stop decoding.
#[derive(Debug)]
pub struct MessageDecoder {
    role: Role,
    limits: Limits,
    header: [u8; MAX_HEADER_LEN],
    header_len: u8,
    frame: Option<InFrame>,
    message: Option<Partial>,
    control: Vec<u8>,
    failed: Option<Error>,
}

impl MessageDecoder {
    /// A decoder for an endpoint of `role` (a server decodes a client's
    /// masked frames).
    pub fn new(role: Role, limits: Limits) -> Self {
        MessageDecoder {
            role,
            limits,
            header: [0; MAX_HEADER_LEN],
            header_len: 0,
            frame: None,
            message: None,
            control: Vec::new(),
            failed: None,
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Whether the decoder is between items at a frame boundary (no partial
    /// header, frame or fragmented message pending): a connection that ends
    /// here lost nothing mid-frame.
    #[inline]
    pub fn is_idle(&self) -> bool {
        self.header_len == 0 && self.frame.is_none() && self.message.is_none()
    }

    /// Decodes from `input`; see the type's documentation.
    #[inline]
    pub fn decode(&mut self, input: &[u8]) -> Result<Status<Item>, Error> {
        if self.is_idle() && self.failed.is_none() {
            if let Some(result) = self.whole_small_frame(input) {
                if let Err(error) = &result {
                    self.failed = Some(error.clone());
                }
                return result;
            }
        }
        self.decode_general(input)
    }

    /// The hot path, for an idle decoder: a whole final text or binary frame
    /// with a 7- or 16-bit length, masked as the role requires, entirely in
    /// `input`. `None` for anything else (including every invalid header),
    /// which the general path then handles. Its results are identical to
    /// the general path's, which the split-at-every-byte tests check (split
    /// input goes the general way).
    #[inline]
    fn whole_small_frame(&self, input: &[u8]) -> Option<Result<Status<Item>, Error>> {
        let (&b0, &b1) = (input.first()?, input.get(1)?);
        // 0x81 / 0x82: FIN, no RSV bits, text / binary.
        if b0 != 0x81 && b0 != 0x82 {
            return None;
        }
        let masked = b1 & 0x80 != 0;
        if masked != (self.role == Role::Server) {
            return None;
        }
        let (len, at) = match b1 & 0x7F {
            126 => {
                let ext = input.get(2..4)?;
                (usize::from(u16::from_be_bytes([ext[0], ext[1]])), 4)
            }
            127 => return None,
            len7 => (usize::from(len7), 2),
        };
        let limit = self.limits.max_frame_size.min(self.limits.max_message_size);
        if len as u64 > limit {
            return None;
        }
        let (key, at) = if masked {
            let key = input.get(at..at + 4)?;
            (Some([key[0], key[1], key[2], key[3]]), at + 4)
        } else {
            (None, at)
        };
        let payload = input.get(at..at + len)?;
        let data = match key {
            Some(key) => to_masked_vec(payload, key),
            None => payload.to_vec(),
        };
        let message = if b0 == 0x81 {
            match into_string(data) {
                Ok(text) => Message::Text(text),
                Err(error) => return Some(Err(error)),
            }
        } else {
            Message::Binary(data)
        };
        Some(Ok(Status::Done {
            consumed: at + len,
            value: Item::Message(message),
        }))
    }

    fn decode_general(&mut self, input: &[u8]) -> Result<Status<Item>, Error> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let result = self.step(input);
        if let Err(error) = &result {
            self.failed = Some(error.clone());
        }
        result
    }

    fn step(&mut self, input: &[u8]) -> Result<Status<Item>, Error> {
        let mut pos = 0;
        loop {
            let mut frame = match self.frame {
                Some(frame) => frame,
                None => {
                    let (consumed, header) = match self.read_header(&input[pos..])? {
                        Some(parsed) => parsed,
                        None => {
                            return Ok(Status::NeedMore {
                                consumed: input.len(),
                                needed: self.header_missing(),
                            })
                        }
                    };
                    pos += consumed;
                    let rest = &input[pos..];
                    if header.fin
                        && self.message.is_none()
                        && header.payload_len <= rest.len() as u64
                        && matches!(header.opcode, OpCode::Text | OpCode::Binary)
                    {
                        // The common case: a whole message in one frame, all
                        // of it in `input` (so the length fits a usize).
                        let len = header.payload_len as usize;
                        let item = self.whole_message(&header, &rest[..len])?;
                        return Ok(Status::Done {
                            consumed: pos + len,
                            value: item,
                        });
                    }
                    self.begin_frame(&header)?
                }
            };
            let available = input.len() - pos;
            let remaining = frame.len - frame.done;
            let take = if remaining < available as u64 {
                remaining as usize
            } else {
                available
            };
            if take > 0 {
                self.payload(&frame, &input[pos..pos + take])?;
                pos += take;
                frame.done += take as u64;
            }
            if frame.done < frame.len {
                self.frame = Some(frame);
                return Ok(Status::NeedMore {
                    consumed: pos,
                    needed: usize::try_from(frame.len - frame.done).unwrap_or(usize::MAX),
                });
            }
            self.frame = None;
            if let Some(item) = self.end_frame(&frame)? {
                return Ok(Status::Done {
                    consumed: pos,
                    value: item,
                });
            }
        }
    }

    /// Reads a frame header from `rest`, continuing a partial one. Returns
    /// the bytes of `rest` it used, or `None` after stashing all of `rest`
    /// when the header is still incomplete.
    #[inline]
    fn read_header(&mut self, rest: &[u8]) -> Result<Option<(usize, FrameHeader)>, Error> {
        let have = usize::from(self.header_len);
        if have == 0 {
            return match decode_header(rest, self.role, &self.limits)? {
                Status::Done { consumed, value } => Ok(Some((consumed, value))),
                Status::NeedMore { .. } => {
                    // An incomplete header is shorter than MAX_HEADER_LEN.
                    self.header[..rest.len()].copy_from_slice(rest);
                    self.header_len = rest.len() as u8;
                    Ok(None)
                }
            };
        }
        let take = (MAX_HEADER_LEN - have).min(rest.len());
        self.header[have..have + take].copy_from_slice(&rest[..take]);
        match decode_header(&self.header[..have + take], self.role, &self.limits)? {
            Status::Done { consumed, value } => {
                // The first `have` bytes were not a whole header, so the
                // header ends inside `rest`.
                self.header_len = 0;
                Ok(Some((consumed - have, value)))
            }
            Status::NeedMore { .. } => {
                self.header_len = (have + take) as u8;
                Ok(None)
            }
        }
    }

    /// A lower bound of the header bytes still missing.
    fn header_missing(&self) -> usize {
        let have = &self.header[..usize::from(self.header_len)];
        match decode_header(have, self.role, &self.limits) {
            Ok(Status::NeedMore { needed, .. }) => needed,
            _ => 1,
        }
    }

    /// The fast path: a final, unfragmented data frame and its whole
    /// payload: one allocation, one unmasking copy, one validation.
    #[inline]
    fn whole_message(&self, header: &FrameHeader, payload: &[u8]) -> Result<Item, Error> {
        if header.payload_len > self.limits.max_message_size {
            return Err(Error::MessageTooLarge {
                len: header.payload_len,
                max: self.limits.max_message_size,
            });
        }
        let data = match header.mask {
            Some(key) => to_masked_vec(payload, key),
            None => payload.to_vec(),
        };
        Ok(Item::Message(if header.opcode == OpCode::Text {
            Message::Text(into_string(data)?)
        } else {
            Message::Binary(data)
        }))
    }

    /// Checks a new frame against the message in progress and the limits.
    fn begin_frame(&mut self, header: &FrameHeader) -> Result<InFrame, Error> {
        let max_message = self.limits.max_message_size;
        // Below RESERVE_AHEAD, so it fits a usize.
        let ahead = header.payload_len.min(RESERVE_AHEAD) as usize;
        match header.opcode {
            OpCode::Continuation => {
                let message = self.message.as_mut().ok_or(Error::UnexpectedContinuation)?;
                if message.frames >= self.limits.max_fragments {
                    return Err(Error::TooManyFragments {
                        max: self.limits.max_fragments,
                    });
                }
                message.frames += 1;
                let total = message.len() as u64 + header.payload_len;
                if total > max_message {
                    return Err(Error::MessageTooLarge {
                        len: total,
                        max: max_message,
                    });
                }
                match &mut message.body {
                    Body::Text(text) => text.reserve(ahead),
                    Body::Binary(bytes) => bytes.reserve(ahead),
                }
            }
            OpCode::Text | OpCode::Binary => {
                if self.message.is_some() {
                    return Err(Error::ExpectedContinuation);
                }
                if header.payload_len > max_message {
                    return Err(Error::MessageTooLarge {
                        len: header.payload_len,
                        max: max_message,
                    });
                }
                let body = if header.opcode == OpCode::Text {
                    let mut text = TextBuffer::new();
                    text.reserve(ahead);
                    Body::Text(text)
                } else {
                    Body::Binary(Vec::with_capacity(ahead))
                };
                self.message = Some(Partial { body, frames: 1 });
            }
            OpCode::Close | OpCode::Ping | OpCode::Pong => self.control.clear(),
        }
        Ok(InFrame {
            opcode: header.opcode,
            fin: header.fin,
            mask: header.mask,
            len: header.payload_len,
            done: 0,
        })
    }

    /// Takes in the next `bytes` of the current frame's payload.
    fn payload(&mut self, frame: &InFrame, bytes: &[u8]) -> Result<(), Error> {
        let offset = (frame.done & 3) as usize;
        if frame.opcode.is_control() {
            extend_masked(&mut self.control, bytes, frame.mask, offset);
            return Ok(());
        }
        match self.message.as_mut().map(|m| &mut m.body) {
            Some(Body::Text(text)) => text.extend(bytes, frame.mask, offset),
            Some(Body::Binary(data)) => {
                extend_masked(data, bytes, frame.mask, offset);
                Ok(())
            }
            // begin_frame opened a message for every data frame.
            None => Err(Error::UnexpectedContinuation),
        }
    }

    /// A frame's payload is complete: yields its item, if it ends one.
    fn end_frame(&mut self, frame: &InFrame) -> Result<Option<Item>, Error> {
        Ok(match frame.opcode {
            OpCode::Ping => Some(Item::Ping(core::mem::take(&mut self.control))),
            OpCode::Pong => Some(Item::Pong(core::mem::take(&mut self.control))),
            OpCode::Close => Some(Item::Close(parse_close_payload(&self.control)?)),
            OpCode::Text | OpCode::Binary | OpCode::Continuation => {
                if !frame.fin {
                    return Ok(None);
                }
                let Some(message) = self.message.take() else {
                    return Err(Error::UnexpectedContinuation);
                };
                Some(Item::Message(match message.body {
                    Body::Text(text) => Message::Text(text.finish()?),
                    Body::Binary(bytes) => Message::Binary(bytes),
                }))
            }
        })
    }
}
