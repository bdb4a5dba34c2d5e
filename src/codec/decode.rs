//! Frame decoding from byte slices (RFC 6455 §5.2).
//!
//! [`decode_header`] reads one frame header and checks every rule that a
//! header alone can break; [`decode_frame`] adds a complete payload.
//! Neither reads or buffers: given too few bytes they say how many more are
//! needed, like `httparse::Status::Partial`. Checks run in wire order as
//! soon as their bytes are present, so an invalid first byte is rejected
//! without waiting for the rest of the header.

use super::frame::{FrameHeader, OpCode, Role, MAX_CONTROL_PAYLOAD};
use super::limits::Limits;
use super::mask::apply_mask;
use super::Error;
use alloc::vec::Vec;

/// The outcome of a decoding step that did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status<T> {
    /// `consumed` bytes of the input were used, and at least `needed` more
    /// must be supplied before anything else can be produced (a lower bound:
    /// it may take more).
    NeedMore {
        /// Bytes of the input used (may be 0).
        consumed: usize,
        /// Minimum number of further bytes needed.
        needed: usize,
    },
    /// `value` is complete after `consumed` bytes of the input.
    Done {
        /// Bytes of the input used to produce `value`.
        consumed: usize,
        /// The decoded value.
        value: T,
    },
}

/// Decodes the frame header at the start of `buf` for an endpoint of `role`.
///
/// Rejects RSV bits (no extension negotiated; see [`decode_header_with`]), reserved opcodes,
/// fragmented or longer-than-125-byte control frames, frames masked the
/// wrong way for `role` (a server requires masked frames, a client unmasked
/// ones), 64-bit lengths with the top bit set, and frames longer than
/// `limits.max_frame_size`. Frame sequencing (continuations) is the
/// [`MessageDecoder`](super::MessageDecoder)'s business.
#[inline]
pub fn decode_header(
    buf: &[u8],
    role: Role,
    limits: &Limits,
) -> Result<Status<FrameHeader>, Error> {
    decode_header_with(buf, role, limits, false)
}

/// [`decode_header`] for a connection where permessage-deflate was
/// negotiated when `compression` is true: RSV1 is then accepted on text and
/// binary frames (the first frame of a message; RFC 7692 §6.1) and still
/// refused on continuation and control frames.
#[inline]
pub fn decode_header_with(
    buf: &[u8],
    role: Role,
    limits: &Limits,
    compression: bool,
) -> Result<Status<FrameHeader>, Error> {
    let Some(&b0) = buf.first() else {
        return Ok(Status::NeedMore {
            consumed: 0,
            needed: 2,
        });
    };
    let rsv = (b0 >> 4) & 0b111;
    if rsv != 0 && !(compression && rsv == 0b100) {
        return Err(Error::ReservedBits(rsv));
    }
    let fin = b0 & 0x80 != 0;
    let opcode = OpCode::from_u8(b0 & 0x0F).ok_or(Error::UnknownOpcode(b0 & 0x0F))?;
    if rsv != 0 && !matches!(opcode, OpCode::Text | OpCode::Binary) {
        // Control frames are never compressed, and only the first frame of
        // a message says whether it is (RFC 7692 §6.1).
        return Err(Error::ReservedBits(rsv));
    }
    if opcode.is_control() && !fin {
        return Err(Error::FragmentedControl);
    }
    let Some(&b1) = buf.get(1) else {
        return Ok(Status::NeedMore {
            consumed: 0,
            needed: 1,
        });
    };
    let masked = b1 & 0x80 != 0;
    match (role, masked) {
        (Role::Server, false) => return Err(Error::UnmaskedFrame),
        (Role::Client, true) => return Err(Error::MaskedFrame),
        _ => {}
    }
    let len7 = b1 & 0x7F;
    if opcode.is_control() && usize::from(len7) > MAX_CONTROL_PAYLOAD {
        // 126/127 announce an extended length: too long for a control frame
        // whatever follows.
        return Err(Error::ControlTooLong(u64::from(len7)));
    }
    let ext_len = match len7 {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    let header_len = 2 + ext_len + if masked { 4 } else { 0 };
    if ext_len == 8 {
        if let Some(&top) = buf.get(2) {
            if top & 0x80 != 0 {
                return Err(Error::InvalidLength);
            }
        }
    }
    if buf.len() < header_len {
        return Ok(Status::NeedMore {
            consumed: 0,
            needed: header_len - buf.len(),
        });
    }
    let payload_len = match ext_len {
        2 => u64::from(u16::from_be_bytes([buf[2], buf[3]])),
        8 => {
            let mut be = [0u8; 8];
            be.copy_from_slice(&buf[2..10]);
            u64::from_be_bytes(be)
        }
        _ => u64::from(len7),
    };
    if payload_len > limits.max_frame_size {
        return Err(Error::FrameTooLarge {
            len: payload_len,
            max: limits.max_frame_size,
        });
    }
    let mask = if masked {
        let at = 2 + ext_len;
        Some([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]])
    } else {
        None
    };
    Ok(Status::Done {
        consumed: header_len,
        value: FrameHeader {
            fin,
            rsv,
            opcode,
            mask,
            payload_len,
        },
    })
}

/// A complete frame borrowed from the input: its header and its payload as
/// it was on the wire (still masked if the header has a mask).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The decoded header.
    pub header: FrameHeader,
    /// The payload bytes as on the wire: masked if `header.mask` is set.
    pub payload: &'a [u8],
}

impl Frame<'_> {
    /// The payload, unmasked.
    pub fn unmasked_payload(&self) -> Vec<u8> {
        let mut out = self.payload.to_vec();
        if let Some(key) = self.header.mask {
            apply_mask(&mut out, key);
        }
        out
    }
}

/// Decodes one complete frame at the start of `buf` (header checks as in
/// [`decode_header`]). Nothing is copied: the payload is borrowed from `buf`.
pub fn decode_frame<'a>(
    buf: &'a [u8],
    role: Role,
    limits: &Limits,
) -> Result<Status<Frame<'a>>, Error> {
    let (header_len, header) = match decode_header(buf, role, limits)? {
        Status::Done { consumed, value } => (consumed, value),
        Status::NeedMore { consumed, needed } => return Ok(Status::NeedMore { consumed, needed }),
    };
    let available = (buf.len() - header_len) as u64;
    if available < header.payload_len {
        let missing = header.payload_len - available;
        return Ok(Status::NeedMore {
            consumed: 0,
            needed: usize::try_from(missing).unwrap_or(usize::MAX),
        });
    }
    // payload_len <= available, which is a usize.
    let end = header_len + header.payload_len as usize;
    Ok(Status::Done {
        consumed: end,
        value: Frame {
            header,
            payload: &buf[header_len..end],
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(buf: &[u8], role: Role) -> Result<Status<FrameHeader>, Error> {
        decode_header(buf, role, &Limits::default())
    }

    #[test]
    fn reads_all_three_length_encodings() {
        let cases: [(&[u8], u64, usize); 3] = [
            (&[0x82, 0x05], 5, 2),
            (&[0x82, 0x7E, 0x01, 0x00], 256, 4),
            (&[0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0], 65536, 10),
        ];
        for (bytes, len, hlen) in cases {
            match header(bytes, Role::Client).unwrap() {
                Status::Done { consumed, value } => {
                    assert_eq!(consumed, hlen);
                    assert_eq!(value.payload_len, len);
                    assert_eq!(value.opcode, OpCode::Binary);
                    assert!(value.fin);
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn says_how_many_bytes_are_missing() {
        let full = [0x81, 0xFE, 0x01, 0x00, 1, 2, 3, 4];
        for cut in 0..full.len() {
            match header(&full[..cut], Role::Server).unwrap() {
                Status::NeedMore { consumed, needed } => {
                    assert_eq!(consumed, 0);
                    assert!(needed >= 1 && cut + needed <= full.len(), "cut {cut}");
                }
                other => panic!("cut {cut}: {other:?}"),
            }
        }
    }

    #[test]
    fn rejects_what_a_header_alone_can_break() {
        let s = Role::Server;
        let c = Role::Client;
        assert_eq!(header(&[0xC1], s), Err(Error::ReservedBits(0b100)));
        assert_eq!(header(&[0x93], s), Err(Error::ReservedBits(0b001)));
        assert_eq!(header(&[0x83], s), Err(Error::UnknownOpcode(3)));
        assert_eq!(header(&[0x8B], s), Err(Error::UnknownOpcode(0xB)));
        assert_eq!(header(&[0x09], s), Err(Error::FragmentedControl));
        assert_eq!(header(&[0x89, 0x7E], c), Err(Error::ControlTooLong(126)));
        assert_eq!(header(&[0x82, 0x05], s), Err(Error::UnmaskedFrame));
        assert_eq!(header(&[0x82, 0x85], c), Err(Error::MaskedFrame));
        assert_eq!(header(&[0x82, 0x7F, 0x80], c), Err(Error::InvalidLength));
        let small = Limits::default().max_frame_size(10);
        assert_eq!(
            decode_header(&[0x82, 0x0B], c, &small),
            Err(Error::FrameTooLarge { len: 11, max: 10 })
        );
    }

    #[test]
    fn a_huge_length_is_rejected_not_truncated_on_any_target() {
        let bytes = [0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        let unlimited = Limits::default().max_frame_size(u64::MAX);
        match decode_frame(&bytes, Role::Client, &unlimited).unwrap() {
            Status::NeedMore { consumed, needed } => {
                assert_eq!(consumed, 0);
                assert!(needed > 1 << 30);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn decode_frame_borrows_the_masked_payload() {
        let bytes = [0x81, 0x83, 1, 2, 3, 4, b'a' ^ 1, b'b' ^ 2, b'c' ^ 3, 0xAA];
        match decode_frame(&bytes, Role::Server, &Limits::default()).unwrap() {
            Status::Done { consumed, value } => {
                assert_eq!(consumed, 9);
                assert_eq!(value.unmasked_payload(), b"abc");
            }
            other => panic!("{other:?}"),
        }
    }
}
