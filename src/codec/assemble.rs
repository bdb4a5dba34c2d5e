//! Message assembly: bytes in, whole messages and control frames out.
//!
//! [`MessageDecoder`] sits on [`decode_header_with`] and keeps what a
//! connection needs between reads: a partial header (at most 14 bytes), the
//! frame being received, the fragmented message being assembled and the
//! UTF-8 state of its text. It consumes partial payloads as they arrive,
//! unmasking them straight into the message buffer, so a transport never has
//! to hold a whole frame in its read buffer, and invalid UTF-8 is reported
//! as soon as it is received, not when the frame ends.
//!
//! Two ways out:
//!
//! * [`MessageDecoder::decode_in_place`] (zero-copy) borrows what it
//!   returns ([`ItemRef`]): a frame that is a whole message and sits whole
//!   in the input is unmasked in place in the caller's read buffer and
//!   returned as a slice of it; anything assembled (fragments, frames split
//!   across reads, inflated messages, control frames) is returned as a slice
//!   of the decoder's own buffers, which are reused for the next message.
//!   Decoding allocates nothing once the buffers have grown to the
//!   connection's message sizes.
//! * [`MessageDecoder::decode`] returns owned [`Item`]s: a whole frame in
//!   the input costs one allocation of exactly its size and one unmasking
//!   copy; an assembled message is moved out of the decoder (no copy).
//!
//! With permessage-deflate negotiated ([`MessageDecoder::with_deflate`],
//! native only) a message whose first frame has RSV1 is inflated piece by
//! piece as its payload arrives; the message size limit is checked on the
//! inflated size as it grows, and text is validated as it is inflated.

use super::close::{parse_close_payload, CloseCode, CloseFrame};
use super::decode::{decode_header_with, Status};
use super::frame::{FrameHeader, OpCode, Role, MAX_HEADER_LEN};
use super::limits::Limits;
use super::mask::{apply_mask, extend_masked, to_masked_vec};
use super::utf8::{self, into_string, TextBuffer};
use super::Error;
use crate::message::Message;
use alloc::{borrow::ToOwned, vec::Vec};

#[cfg(all(feature = "deflate", not(target_arch = "wasm32")))]
use super::deflate::{DeflateParams, Inflater};

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

/// A complete data message, borrowed (see
/// [`MessageDecoder::decode_in_place`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageRef<'a> {
    /// A text message, already validated as UTF-8.
    Text(&'a str),
    /// A binary message.
    Binary(&'a [u8]),
}

impl MessageRef<'_> {
    /// An owned copy.
    pub fn to_message(self) -> Message {
        match self {
            MessageRef::Text(text) => Message::Text(text.to_owned()),
            MessageRef::Binary(bytes) => Message::Binary(bytes.to_vec()),
        }
    }

    /// The payload's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            MessageRef::Text(text) => text.as_bytes(),
            MessageRef::Binary(bytes) => bytes,
        }
    }

    /// Payload length in bytes (UTF-8 bytes for text, not characters).
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// Whether the payload is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'a> From<&'a Message> for MessageRef<'a> {
    fn from(message: &'a Message) -> Self {
        match message {
            Message::Text(text) => MessageRef::Text(text),
            Message::Binary(bytes) => MessageRef::Binary(bytes),
        }
    }
}

/// The body of a close frame with a status code, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CloseRef<'a> {
    /// The status code, valid on the wire (RFC 6455 §7.4).
    pub code: CloseCode,
    /// The reason, validated as UTF-8; at most 123 bytes.
    pub reason: &'a str,
}

impl CloseRef<'_> {
    /// An owned copy.
    pub fn to_frame(self) -> CloseFrame {
        CloseFrame {
            code: self.code,
            reason: self.reason.to_owned(),
        }
    }
}

/// [`Item`], borrowed from the read buffer or the decoder (see
/// [`MessageDecoder::decode_in_place`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemRef<'a> {
    /// A complete data message.
    Message(MessageRef<'a>),
    /// A ping; answer with a pong carrying the same payload.
    Ping(&'a [u8]),
    /// A pong (solicited or not).
    Pong(&'a [u8]),
    /// A close frame: `None` when it carried no status code.
    Close(Option<CloseRef<'a>>),
}

impl ItemRef<'_> {
    /// An owned copy.
    pub fn to_item(self) -> Item {
        match self {
            ItemRef::Message(m) => Item::Message(m.to_message()),
            ItemRef::Ping(p) => Item::Ping(p.to_vec()),
            ItemRef::Pong(p) => Item::Pong(p.to_vec()),
            ItemRef::Close(c) => Item::Close(c.map(CloseRef::to_frame)),
        }
    }
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

/// The data message being assembled (its bytes are in the decoder's
/// `text` or `binary` buffer).
#[derive(Debug, Clone, Copy)]
struct Partial {
    text: bool,
    frames: u32,
    /// RSV1 on its first frame: the payload is deflate data.
    compressed: bool,
}

/// Where a decoded item is: what [`MessageDecoder::step`] found, before the
/// caller borrows or takes it.
#[derive(Debug, Clone, Copy)]
enum Found {
    /// A whole uncompressed single-frame message at `input[start..start +
    /// len]`, still masked with `mask`.
    InInput {
        text: bool,
        start: usize,
        len: usize,
        mask: Option<[u8; 4]>,
    },
    /// A complete message in the `text` (validated) or `binary` buffer.
    Assembled {
        text: bool,
    },
    /// A control frame; its payload is in the `control` buffer.
    Ping,
    Pong,
    Close,
}

/// Compressed payload bytes on their way to the inflater: the bytes, their
/// mask and the payload offset of the first one.
type Piece<'a> = (&'a [u8], Option<[u8; 4]>, usize);

/// Room reserved up front for a frame's payload, at most: enough for every
/// common frame to be received without reallocating, small enough that a
/// header announcing a huge frame does not claim its memory before the
/// bytes arrive.
const RESERVE_AHEAD: u64 = 1 << 20;

/// A buffer grown past this by one big message is released when the next
/// message starts.
const KEEP_CAPACITY: usize = 1 << 20;

/// Incremental decoder of a byte stream into [`Item`]s, for one role.
///
/// Feed it whatever bytes arrived with [`decode`](Self::decode) or
/// [`decode_in_place`](Self::decode_in_place): it returns `Done { consumed,
/// value }` as soon as an item is complete (call again with the bytes after
/// `consumed`), or `NeedMore { consumed, .. }` with `consumed` equal to the
/// input's length: everything was taken in, and the input buffer can be
/// reused. After an error the decoder stays failed and the connection must
/// be closed with [`Error::close_code`]. After a [`Item::Close`] the peer
/// sends nothing more; stop decoding.
#[derive(Debug)]
pub struct MessageDecoder {
    role: Role,
    limits: Limits,
    header: [u8; MAX_HEADER_LEN],
    header_len: u8,
    frame: Option<InFrame>,
    message: Option<Partial>,
    /// The bytes of the text message being assembled (reused).
    text: TextBuffer,
    /// The bytes of the binary message being assembled (reused).
    binary: Vec<u8>,
    control: Vec<u8>,
    failed: Option<Error>,
    /// See [`MessageDecoder::whole_frames_up_to`] (0: off).
    whole_frame_max: u64,
    /// permessage-deflate was negotiated: RSV1 marks compressed messages.
    compression: bool,
    #[cfg(all(feature = "deflate", not(target_arch = "wasm32")))]
    inflater: Option<Box<Inflater>>,
}

/// Empties a reused buffer, releasing it if one big message grew it.
fn recycle(buf: &mut Vec<u8>) {
    if buf.capacity() > KEEP_CAPACITY {
        *buf = Vec::new();
    }
    buf.clear();
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
            text: TextBuffer::new(),
            binary: Vec::new(),
            control: Vec::new(),
            failed: None,
            whole_frame_max: 0,
            compression: false,
            #[cfg(all(feature = "deflate", not(target_arch = "wasm32")))]
            inflater: None,
        }
    }

    /// The decoder of a connection that negotiated permessage-deflate with
    /// `params`: messages whose first frame has RSV1 are inflated.
    #[cfg(all(feature = "deflate", not(target_arch = "wasm32")))]
    pub fn with_deflate(mut self, params: &DeflateParams) -> Self {
        self.compression = true;
        self.inflater = Some(Box::new(params.inflater(self.role)));
        self
    }

    /// The role this decoder decodes for.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The size limits checked while decoding.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Whether permessage-deflate is on (RSV1 accepted).
    pub fn compression(&self) -> bool {
        self.compression
    }

    /// Whether the decoder is between items at a frame boundary (no partial
    /// header, frame or fragmented message pending): a connection that ends
    /// here lost nothing mid-frame.
    #[inline]
    pub fn is_idle(&self) -> bool {
        self.header_len == 0 && self.frame.is_none() && self.message.is_none()
    }

    /// Opts in to whole-frame reads: a binary frame that is a whole message
    /// of at most `max` bytes (header and payload), which the input holds
    /// only part of, is left unconsumed, `NeedMore { consumed: 0, needed }`
    /// saying exactly how many more bytes complete it, so that the transport
    /// can read them into the same buffer and the frame is then decoded in
    /// place, not copied piece by piece into the decoder. Text frames are
    /// never held back: their UTF-8 is validated as it arrives, so invalid
    /// text fails the connection before the rest of its frame comes
    /// (Autobahn 6.4.3/6.4.4). Off (0) by default: then `NeedMore` always
    /// consumes the whole input.
    pub fn whole_frames_up_to(mut self, max: u64) -> Self {
        self.whole_frame_max = max;
        self
    }

    /// The `NeedMore` of [`whole_frames_up_to`](Self::whole_frames_up_to),
    /// when it applies to the frame at the start of `input`.
    #[inline]
    fn wait_for_whole_frame(&self, input: &[u8]) -> Option<Status<Found>> {
        if self.whole_frame_max == 0 || !self.is_idle() {
            return None;
        }
        match decode_header_with(input, self.role, &self.limits, self.compression) {
            Ok(Status::Done { consumed, value })
                if value.opcode == OpCode::Binary && value.fin && value.rsv == 0 =>
            {
                let total = consumed as u64 + value.payload_len;
                let have = input.len() as u64;
                (total > have && total <= self.whole_frame_max).then(|| Status::NeedMore {
                    consumed: 0,
                    needed: (total - have) as usize,
                })
            }
            _ => None,
        }
    }

    /// Decodes from `input` into an owned [`Item`]; see the type's
    /// documentation.
    #[inline]
    pub fn decode(&mut self, input: &[u8]) -> Result<Status<Item>, Error> {
        if self.is_idle() && self.failed.is_none() {
            if let Some((consumed, found)) = self.whole_small_frame(input) {
                let item = self.take(found, input);
                return self.done(consumed, item);
            }
        }
        match self.decode_general(input)? {
            Status::NeedMore { consumed, needed } => Ok(Status::NeedMore { consumed, needed }),
            Status::Done { consumed, value } => {
                let item = self.take(value, input);
                self.done(consumed, item)
            }
        }
    }

    /// Decodes from `input` without copying what it returns (zero-copy):
    /// the item borrows `input` (a whole frame found there is unmasked in
    /// place, so the consumed bytes of `input` are changed) or the
    /// decoder's buffers (anything assembled, inflated, or a control frame),
    /// until the next call. Otherwise the same as [`decode`](Self::decode),
    /// and the two can be mixed on one stream.
    #[inline]
    pub fn decode_in_place<'a>(
        &'a mut self,
        input: &'a mut [u8],
    ) -> Result<Status<ItemRef<'a>>, Error> {
        if self.is_idle() && self.failed.is_none() {
            if let Some((consumed, found)) = self.whole_small_frame(input) {
                return self.borrow(consumed, found, input);
            }
        }
        match self.decode_general(input)? {
            Status::NeedMore { consumed, needed } => Ok(Status::NeedMore { consumed, needed }),
            Status::Done { consumed, value } => self.borrow(consumed, value, input),
        }
    }

    fn done(&mut self, consumed: usize, item: Result<Item, Error>) -> Result<Status<Item>, Error> {
        match item {
            Ok(value) => Ok(Status::Done { consumed, value }),
            Err(error) => {
                self.failed = Some(error.clone());
                Err(error)
            }
        }
    }

    /// The owned item for what `step` found.
    fn take(&mut self, found: Found, input: &[u8]) -> Result<Item, Error> {
        Ok(match found {
            Found::InInput {
                text,
                start,
                len,
                mask,
            } => {
                let payload = &input[start..start + len];
                let data = match mask {
                    Some(key) => to_masked_vec(payload, key),
                    None => payload.to_vec(),
                };
                Item::Message(if text {
                    Message::Text(into_string(data)?)
                } else {
                    Message::Binary(data)
                })
            }
            Found::Assembled { text: true } => {
                // `end_frame` completed the text.
                Item::Message(Message::Text(self.text.take_string().unwrap_or_default()))
            }
            Found::Assembled { text: false } => {
                Item::Message(Message::Binary(core::mem::take(&mut self.binary)))
            }
            Found::Ping => Item::Ping(core::mem::take(&mut self.control)),
            Found::Pong => Item::Pong(core::mem::take(&mut self.control)),
            Found::Close => Item::Close(parse_close_payload(&self.control)?),
        })
    }

    /// The borrowed item for what `step` found. Errors are recorded through
    /// the `failed` field only (not a `&mut self` method), so that the
    /// successful arms can borrow other fields for `'a`.
    fn borrow<'a>(
        &'a mut self,
        consumed: usize,
        found: Found,
        input: &'a mut [u8],
    ) -> Result<Status<ItemRef<'a>>, Error> {
        let value = match found {
            Found::InInput {
                text,
                start,
                len,
                mask,
            } => {
                let payload = &mut input[start..start + len];
                if let Some(key) = mask {
                    apply_mask(payload, key);
                }
                let payload = &*payload;
                ItemRef::Message(if text {
                    match utf8::as_str(payload) {
                        Ok(s) => MessageRef::Text(s),
                        Err(error) => {
                            self.failed = Some(error.clone());
                            return Err(error);
                        }
                    }
                } else {
                    MessageRef::Binary(payload)
                })
            }
            Found::Assembled { text: true } => {
                ItemRef::Message(MessageRef::Text(self.text.as_str().unwrap_or_default()))
            }
            Found::Assembled { text: false } => ItemRef::Message(MessageRef::Binary(&self.binary)),
            Found::Ping => ItemRef::Ping(&self.control),
            Found::Pong => ItemRef::Pong(&self.control),
            Found::Close => match parse_close_ref(&self.control) {
                Ok(close) => ItemRef::Close(close),
                Err(error) => {
                    self.failed = Some(error.clone());
                    return Err(error);
                }
            },
        };
        Ok(Status::Done { consumed, value })
    }

    /// The hot path, for an idle decoder: a whole final uncompressed text or
    /// binary frame with a 7- or 16-bit length, masked as the role requires,
    /// entirely in `input`. `None` for anything else (including every
    /// invalid header), which the general path then handles. Its results are
    /// identical to the general path's, which the split-at-every-byte tests
    /// check (split input goes the general way).
    #[inline]
    fn whole_small_frame(&self, input: &[u8]) -> Option<(usize, Found)> {
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
        let (mask, at) = if masked {
            let key = input.get(at..at + 4)?;
            (Some([key[0], key[1], key[2], key[3]]), at + 4)
        } else {
            (None, at)
        };
        if input.len() < at + len {
            return None;
        }
        Some((
            at + len,
            Found::InInput {
                text: b0 == 0x81,
                start: at,
                len,
                mask,
            },
        ))
    }

    fn decode_general(&mut self, input: &[u8]) -> Result<Status<Found>, Error> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        if let Some(wait) = self.wait_for_whole_frame(input) {
            return Ok(wait);
        }
        let result = self.step(input);
        if let Err(error) = &result {
            self.failed = Some(error.clone());
        }
        result
    }

    fn step(&mut self, input: &[u8]) -> Result<Status<Found>, Error> {
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
                        && header.rsv == 0
                        && self.message.is_none()
                        && header.payload_len <= rest.len() as u64
                        && matches!(header.opcode, OpCode::Text | OpCode::Binary)
                    {
                        // The common case: a whole message in one frame, all
                        // of it in `input` (so the length fits a usize).
                        if header.payload_len > self.limits.max_message_size {
                            return Err(Error::MessageTooLarge {
                                len: header.payload_len,
                                max: self.limits.max_message_size,
                            });
                        }
                        let len = header.payload_len as usize;
                        return Ok(Status::Done {
                            consumed: pos + len,
                            value: Found::InInput {
                                text: header.opcode == OpCode::Text,
                                start: pos,
                                len,
                                mask: header.mask,
                            },
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
            if let Some(found) = self.end_frame(&frame)? {
                return Ok(Status::Done {
                    consumed: pos,
                    value: found,
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
            return match decode_header_with(rest, self.role, &self.limits, self.compression)? {
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
        match decode_header_with(
            &self.header[..have + take],
            self.role,
            &self.limits,
            self.compression,
        )? {
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
        match decode_header_with(have, self.role, &self.limits, self.compression) {
            Ok(Status::NeedMore { needed, .. }) => needed,
            _ => 1,
        }
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
                // A compressed message's size is checked as it inflates.
                if !message.compressed {
                    let len = if message.text {
                        self.text.len()
                    } else {
                        self.binary.len()
                    };
                    let total = len as u64 + header.payload_len;
                    if total > max_message {
                        return Err(Error::MessageTooLarge {
                            len: total,
                            max: max_message,
                        });
                    }
                    if message.text {
                        self.text.reserve(ahead);
                    } else {
                        self.binary.reserve(ahead);
                    }
                }
            }
            OpCode::Text | OpCode::Binary => {
                if self.message.is_some() {
                    return Err(Error::ExpectedContinuation);
                }
                // decode_header_with allows RSV1 here only when negotiated.
                let compressed = header.rsv & 0b100 != 0;
                if !compressed && header.payload_len > max_message {
                    return Err(Error::MessageTooLarge {
                        len: header.payload_len,
                        max: max_message,
                    });
                }
                let text = header.opcode == OpCode::Text;
                if text {
                    self.text.clear();
                    self.text.reserve(ahead);
                } else {
                    recycle(&mut self.binary);
                    self.binary.reserve(ahead);
                }
                self.message = Some(Partial {
                    text,
                    frames: 1,
                    compressed,
                });
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
        // begin_frame opened a message for every data frame.
        let message = self.message.ok_or(Error::UnexpectedContinuation)?;
        if message.compressed {
            return self.inflate(message.text, Some((bytes, frame.mask, offset)));
        }
        if message.text {
            self.text.extend(bytes, frame.mask, offset)
        } else {
            extend_masked(&mut self.binary, bytes, frame.mask, offset);
            Ok(())
        }
    }

    /// Inflates the next compressed `piece` (payload bytes, mask, offset),
    /// or with `None` the end of the message, into the message buffer. The
    /// limit is checked before each inflated chunk is stored, so memory
    /// stays within `max_message_size` plus one chunk.
    #[cfg(all(feature = "deflate", not(target_arch = "wasm32")))]
    fn inflate(&mut self, text: bool, piece: Option<Piece<'_>>) -> Result<(), Error> {
        let max = self.limits.max_message_size;
        let Some(inflater) = self.inflater.as_mut() else {
            return Err(Error::ReservedBits(0b100));
        };
        let (text_buf, binary) = (&mut self.text, &mut self.binary);
        let mut sink = |chunk: &[u8]| -> Result<(), Error> {
            let len = if text { text_buf.len() } else { binary.len() };
            // Store what fits, then refuse the first byte over the limit:
            // the error is decided by the first offending byte in stream
            // order (invalid text before it wins), never by how the input
            // was split into reads.
            let room = usize::try_from(max.saturating_sub(len as u64)).unwrap_or(usize::MAX);
            let (fits, over) = chunk.split_at(room.min(chunk.len()));
            if text {
                text_buf.extend(fits, None, 0)?;
            } else {
                binary.extend_from_slice(fits);
            }
            if over.is_empty() {
                Ok(())
            } else {
                Err(Error::MessageTooLarge {
                    len: max.saturating_add(1),
                    max,
                })
            }
        };
        match piece {
            Some((bytes, mask, offset)) => inflater.inflate(bytes, mask, offset, &mut sink),
            None => inflater.finish(&mut sink),
        }
    }

    /// Without the deflate feature no frame can be marked compressed.
    #[cfg(not(all(feature = "deflate", not(target_arch = "wasm32"))))]
    fn inflate(&mut self, _text: bool, _piece: Option<Piece<'_>>) -> Result<(), Error> {
        Err(Error::ReservedBits(0b100))
    }

    /// A frame's payload is complete: says what it completed, if anything.
    fn end_frame(&mut self, frame: &InFrame) -> Result<Option<Found>, Error> {
        Ok(match frame.opcode {
            OpCode::Ping => Some(Found::Ping),
            OpCode::Pong => Some(Found::Pong),
            OpCode::Close => Some(Found::Close),
            OpCode::Text | OpCode::Binary | OpCode::Continuation => {
                if !frame.fin {
                    return Ok(None);
                }
                let Some(message) = self.message.take() else {
                    return Err(Error::UnexpectedContinuation);
                };
                if message.compressed {
                    self.inflate(message.text, None)?;
                }
                if message.text {
                    self.text.complete()?;
                }
                Some(Found::Assembled { text: message.text })
            }
        })
    }
}

/// [`parse_close_payload`], borrowing the reason.
fn parse_close_ref(payload: &[u8]) -> Result<Option<CloseRef<'_>>, Error> {
    match payload {
        [] => Ok(None),
        [_] => Err(Error::InvalidClosePayload),
        [hi, lo, reason @ ..] => {
            let code = CloseCode(u16::from_be_bytes([*hi, *lo]));
            if !code.is_valid_on_wire() {
                return Err(Error::InvalidCloseCode(code.0));
            }
            if reason.len() > super::close::MAX_REASON_LEN {
                return Err(Error::ControlTooLong(payload.len() as u64));
            }
            Ok(Some(CloseRef {
                code,
                reason: utf8::as_str(reason)?,
            }))
        }
    }
}
