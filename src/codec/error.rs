//! The codec's one error type.
//!
//! Every way a peer's bytes can break RFC 6455, every limit, and the few ways
//! a caller can misuse the encoder. [`Error::close_code`] says which close
//! code to send when the error came from the peer (1002 protocol error, 1007
//! invalid payload data, 1009 message too big).

use core::fmt;

use super::close::CloseCode;

/// An RFC 6455 violation by the peer, an exceeded limit, or a misuse of the
/// encoder. Decoders that return an error stay failed (they return the same
/// error again): the connection must be closed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// RSV1-3 set (the bits, `0b0xyz` for RSV1/2/3) while no extension that
    /// defines them was negotiated, or RSV1 where permessage-deflate does
    /// not allow it (a control frame, a continuation frame).
    ReservedBits(u8),
    /// An opcode RFC 6455 reserves (3-7, 11-15).
    UnknownOpcode(u8),
    /// A control frame (close/ping/pong) without FIN: control frames must not
    /// be fragmented.
    FragmentedControl,
    /// A control frame whose payload is longer than 125 bytes.
    ControlTooLong(u64),
    /// A server received a frame without a mask (clients must mask).
    UnmaskedFrame,
    /// A client received a masked frame (servers must not mask).
    MaskedFrame,
    /// A 64-bit payload length with its most significant bit set.
    InvalidLength,
    /// A continuation frame while no fragmented message is in progress.
    UnexpectedContinuation,
    /// A new text/binary frame while a fragmented message is still open.
    ExpectedContinuation,
    /// Text (a message or a close reason) that is not valid UTF-8.
    InvalidUtf8,
    /// A close frame with a 1-byte payload (a close code takes 2 bytes).
    InvalidClosePayload,
    /// A close code that must not appear on the wire (or, when encoding,
    /// that this endpoint may not send).
    InvalidCloseCode(u16),
    /// A close reason longer than 123 bytes (when encoding).
    CloseReasonTooLong(usize),
    /// A frame longer than [`Limits::max_frame_size`](super::limits::Limits).
    FrameTooLarge {
        /// Payload length of the frame, in bytes.
        len: u64,
        /// The limit, in bytes.
        max: u64,
    },
    /// A message longer than
    /// [`Limits::max_message_size`](super::limits::Limits).
    MessageTooLarge {
        /// Message size reached, in bytes (inflated size under permessage-deflate).
        len: u64,
        /// The limit, in bytes.
        max: u64,
    },
    /// A message made of more frames than
    /// [`Limits::max_fragments`](super::limits::Limits) (bounds floods of
    /// empty continuation frames).
    TooManyFragments {
        /// The limit, in frames per message.
        max: u32,
    },
    /// The client role was asked to encode without a masking key.
    MissingMask,
    /// The server role was asked to encode with a masking key.
    UnexpectedMask,
    /// The operating system's random number generator failed while making a
    /// masking key.
    RandomUnavailable,
    /// A compressed message (permessage-deflate) that is not a valid
    /// deflate stream, or has bytes after the end of its stream.
    InvalidCompressedData,
    /// The compressor failed (never seen: zlib only fails on misuse).
    CompressionFailed,
}

impl Error {
    /// The close code to send to the peer because of this error.
    ///
    /// 1007 for invalid UTF-8 (or deflate data), 1009 for exceeded limits, 1002 for every other
    /// violation by the peer, and 1011 (internal error) for the local-only
    /// errors (encoder misuse, no randomness).
    pub fn close_code(&self) -> CloseCode {
        match self {
            // Like invalid UTF-8: the payload is inconsistent with what the
            // message says it is (RFC 6455 §7.4.1).
            Error::InvalidUtf8 | Error::InvalidCompressedData => CloseCode::INVALID_PAYLOAD,
            Error::FrameTooLarge { .. }
            | Error::MessageTooLarge { .. }
            | Error::TooManyFragments { .. } => CloseCode::MESSAGE_TOO_BIG,
            Error::MissingMask
            | Error::UnexpectedMask
            | Error::RandomUnavailable
            | Error::CompressionFailed
            | Error::CloseReasonTooLong(_) => CloseCode::INTERNAL_ERROR,
            Error::ReservedBits(_)
            | Error::UnknownOpcode(_)
            | Error::FragmentedControl
            | Error::ControlTooLong(_)
            | Error::UnmaskedFrame
            | Error::MaskedFrame
            | Error::InvalidLength
            | Error::UnexpectedContinuation
            | Error::ExpectedContinuation
            | Error::InvalidClosePayload
            | Error::InvalidCloseCode(_) => CloseCode::PROTOCOL_ERROR,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::ReservedBits(bits) => {
                write!(f, "reserved bits {bits:#05b} set without an extension")
            }
            Error::UnknownOpcode(op) => write!(f, "reserved opcode {op:#x}"),
            Error::FragmentedControl => f.write_str("fragmented control frame"),
            Error::ControlTooLong(len) => {
                write!(f, "control frame payload of {len} bytes (max 125)")
            }
            Error::UnmaskedFrame => f.write_str("unmasked frame from a client"),
            Error::MaskedFrame => f.write_str("masked frame from a server"),
            Error::InvalidLength => f.write_str("64-bit payload length with the top bit set"),
            Error::UnexpectedContinuation => {
                f.write_str("continuation frame without a message in progress")
            }
            Error::ExpectedContinuation => {
                f.write_str("new data frame while a fragmented message is in progress")
            }
            Error::InvalidUtf8 => f.write_str("invalid UTF-8 in text"),
            Error::InvalidClosePayload => f.write_str("close frame payload of 1 byte"),
            Error::InvalidCloseCode(code) => write!(f, "invalid close code {code}"),
            Error::CloseReasonTooLong(len) => {
                write!(f, "close reason of {len} bytes (max 123)")
            }
            Error::FrameTooLarge { len, max } => {
                write!(f, "frame of {len} bytes exceeds the limit of {max}")
            }
            Error::MessageTooLarge { len, max } => {
                write!(
                    f,
                    "message of at least {len} bytes exceeds the limit of {max}"
                )
            }
            Error::TooManyFragments { max } => {
                write!(f, "message made of more than {max} frames")
            }
            Error::MissingMask => f.write_str("the client role must mask every frame"),
            Error::UnexpectedMask => f.write_str("the server role must not mask frames"),
            Error::RandomUnavailable => f.write_str("no random masking key available"),
            Error::InvalidCompressedData => f.write_str("invalid permessage-deflate data"),
            Error::CompressionFailed => f.write_str("compression failed"),
        }
    }
}

impl core::error::Error for Error {}
