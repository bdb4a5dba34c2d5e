//! Frame vocabulary: roles, opcodes and the frame header (RFC 6455 §5.2).

use alloc::vec::Vec;

/// Which end of the connection this codec speaks for. It decides who masks:
/// clients mask every frame they send, servers never do, and each side
/// rejects frames that break that rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The client: masks every frame it sends.
    Client,
    /// The server: never masks.
    Server,
}

/// A frame opcode RFC 6455 defines. Reserved opcodes never become an
/// `OpCode`: decoding them is [`Error::UnknownOpcode`](super::Error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpCode {
    /// 0x0: continues a fragmented message.
    Continuation,
    /// 0x1: first frame of a text message.
    Text,
    /// 0x2: first frame of a binary message.
    Binary,
    /// 0x8: close (RFC 6455 §5.5.1).
    Close,
    /// 0x9: ping (RFC 6455 §5.5.2).
    Ping,
    /// 0xA: pong (RFC 6455 §5.5.3).
    Pong,
}

impl OpCode {
    /// The opcode of a 4-bit wire value, `None` for reserved values.
    pub fn from_u8(bits: u8) -> Option<OpCode> {
        Some(match bits {
            0x0 => OpCode::Continuation,
            0x1 => OpCode::Text,
            0x2 => OpCode::Binary,
            0x8 => OpCode::Close,
            0x9 => OpCode::Ping,
            0xA => OpCode::Pong,
            _ => return None,
        })
    }

    /// The 4-bit wire value.
    pub fn as_u8(self) -> u8 {
        match self {
            OpCode::Continuation => 0x0,
            OpCode::Text => 0x1,
            OpCode::Binary => 0x2,
            OpCode::Close => 0x8,
            OpCode::Ping => 0x9,
            OpCode::Pong => 0xA,
        }
    }

    /// Close, ping and pong: never fragmented, at most 125 bytes, and allowed
    /// between the fragments of a data message.
    pub fn is_control(self) -> bool {
        matches!(self, OpCode::Close | OpCode::Ping | OpCode::Pong)
    }
}

/// Largest payload of a control frame.
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// Longest possible frame header: 2 bytes + 8 of extended length + 4 of mask.
pub const MAX_HEADER_LEN: usize = 14;

/// A decoded (or to-be-encoded) frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// Last frame of its message.
    pub fin: bool,
    /// RSV1, RSV2, RSV3 as the low three bits (`0b100` = RSV1).
    pub rsv: u8,
    /// The frame's opcode.
    pub opcode: OpCode,
    /// The masking key, when the frame is masked.
    pub mask: Option<[u8; 4]>,
    /// Payload length, as sent (always below 2^63).
    pub payload_len: u64,
}

impl FrameHeader {
    /// How many bytes [`write`](Self::write) produces.
    pub fn encoded_len(&self) -> usize {
        let len = match self.payload_len {
            0..=125 => 2,
            126..=0xFFFF => 4,
            _ => 10,
        };
        if self.mask.is_some() {
            len + 4
        } else {
            len
        }
    }

    /// Appends the header, using the shortest length encoding (as RFC 6455
    /// requires of senders).
    pub fn write(&self, out: &mut Vec<u8>) {
        let mut bytes = [0u8; MAX_HEADER_LEN];
        let len = self.write_to(&mut bytes);
        out.extend_from_slice(&bytes[..len]);
    }

    /// Writes the header into a fixed buffer and returns its length.
    pub fn write_to(&self, bytes: &mut [u8; MAX_HEADER_LEN]) -> usize {
        bytes[0] = (u8::from(self.fin) << 7) | ((self.rsv & 0b111) << 4) | self.opcode.as_u8();
        let mask_bit = if self.mask.is_some() { 0x80 } else { 0 };
        let mut at = match self.payload_len {
            len @ 0..=125 => {
                // Fits 7 bits by the match arm.
                bytes[1] = mask_bit | (len as u8);
                2
            }
            len @ 126..=0xFFFF => {
                bytes[1] = mask_bit | 126;
                bytes[2..4].copy_from_slice(&(len as u16).to_be_bytes());
                4
            }
            len => {
                bytes[1] = mask_bit | 127;
                bytes[2..10].copy_from_slice(&len.to_be_bytes());
                10
            }
        };
        if let Some(key) = self.mask {
            bytes[at..at + 4].copy_from_slice(&key);
            at += 4;
        }
        at
    }
}
