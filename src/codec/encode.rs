//! Frame encoding for both roles.
//!
//! The encoder appends whole frames to a caller's `Vec<u8>` (so a transport
//! can batch several frames into one write) and never chooses a masking key
//! itself: the client role takes one per frame from the caller, which gets
//! it from [`random_key`](super::mask::random_key) natively. That keeps the
//! encoder deterministic in tests and free of an RNG on wasm32.

use super::assemble::MessageRef;
use super::close::{check_outgoing, CloseCode, CloseFrame};
use super::frame::{FrameHeader, OpCode, Role, MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN};
use super::mask::apply_mask;
use super::Error;
use crate::message::Message;
use alloc::vec::Vec;

/// Something to send, as one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outgoing<'a> {
    /// A text frame.
    Text(&'a str),
    /// A binary frame.
    Binary(&'a [u8]),
    /// At most 125 bytes.
    Ping(&'a [u8]),
    /// At most 125 bytes (a reply echoes the ping's payload).
    Pong(&'a [u8]),
    /// A close frame: empty (`None`), or a code valid on the wire and a
    /// reason of at most 123 bytes.
    Close(Option<(CloseCode, &'a str)>),
}

impl<'a> From<&'a Message> for Outgoing<'a> {
    fn from(message: &'a Message) -> Self {
        match message {
            Message::Text(text) => Outgoing::Text(text),
            Message::Binary(bytes) => Outgoing::Binary(bytes),
        }
    }
}

impl<'a> From<MessageRef<'a>> for Outgoing<'a> {
    fn from(message: MessageRef<'a>) -> Self {
        match message {
            MessageRef::Text(text) => Outgoing::Text(text),
            MessageRef::Binary(bytes) => Outgoing::Binary(bytes),
        }
    }
}

impl<'a> From<&'a CloseFrame> for Outgoing<'a> {
    fn from(frame: &'a CloseFrame) -> Self {
        Outgoing::Close(Some((frame.code, &frame.reason)))
    }
}

/// Appends one frame with `opcode` and `payload`, masked with `mask` if
/// given. Control frames must have `fin` set and at most 125 bytes.
pub fn encode_frame(
    out: &mut Vec<u8>,
    fin: bool,
    opcode: OpCode,
    payload: &[u8],
    mask: Option<[u8; 4]>,
) -> Result<(), Error> {
    encode_parts(out, fin, opcode, &[payload], mask)
}

/// Like [`encode_frame`] with the payload given in pieces (e.g. a close
/// code and its reason), concatenated without an intermediate buffer.
fn encode_parts(
    out: &mut Vec<u8>,
    fin: bool,
    opcode: OpCode,
    parts: &[&[u8]],
    mask: Option<[u8; 4]>,
) -> Result<(), Error> {
    encode_parts_rsv(out, fin, 0, opcode, parts, mask)
}

/// [`encode_parts`] with RSV bits (RSV1 marks a compressed message).
fn encode_parts_rsv(
    out: &mut Vec<u8>,
    fin: bool,
    rsv: u8,
    opcode: OpCode,
    parts: &[&[u8]],
    mask: Option<[u8; 4]>,
) -> Result<(), Error> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    if opcode.is_control() {
        if len > MAX_CONTROL_PAYLOAD {
            return Err(Error::ControlTooLong(len as u64));
        }
        if !fin {
            return Err(Error::FragmentedControl);
        }
    }
    let header = FrameHeader {
        fin,
        rsv,
        opcode,
        mask,
        payload_len: len as u64,
    };
    let mut bytes = [0u8; MAX_HEADER_LEN];
    let header_len = header.write_to(&mut bytes);
    out.reserve(header_len + len);
    out.extend_from_slice(&bytes[..header_len]);
    let start = out.len();
    for part in parts {
        out.extend_from_slice(part);
    }
    if let Some(key) = mask {
        apply_mask(&mut out[start..], key);
    }
    Ok(())
}

/// Encodes frames for one role: the client role masks every frame with the
/// key it is given, the server role never masks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoder {
    role: Role,
}

impl Encoder {
    /// An encoder for an endpoint of `role`.
    pub fn new(role: Role) -> Self {
        Encoder { role }
    }

    /// The role this encoder encodes for.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Appends `item` as one frame. `key` is the masking key: required in
    /// the client role (a fresh random one per frame, RFC 6455 §5.3),
    /// refused in the server role.
    pub fn encode(
        &self,
        out: &mut Vec<u8>,
        item: Outgoing<'_>,
        key: Option<[u8; 4]>,
    ) -> Result<(), Error> {
        match (self.role, key) {
            (Role::Client, None) => return Err(Error::MissingMask),
            (Role::Server, Some(_)) => return Err(Error::UnexpectedMask),
            _ => {}
        }
        match item {
            Outgoing::Text(text) => encode_frame(out, true, OpCode::Text, text.as_bytes(), key),
            Outgoing::Binary(bytes) => encode_frame(out, true, OpCode::Binary, bytes, key),
            Outgoing::Ping(bytes) => encode_frame(out, true, OpCode::Ping, bytes, key),
            Outgoing::Pong(bytes) => encode_frame(out, true, OpCode::Pong, bytes, key),
            Outgoing::Close(None) => encode_frame(out, true, OpCode::Close, &[], key),
            Outgoing::Close(Some((code, reason))) => {
                check_outgoing(code, reason)?;
                let code = code.0.to_be_bytes();
                encode_parts(out, true, OpCode::Close, &[&code, reason.as_bytes()], key)
            }
        }
    }

    /// Like [`encode`](Self::encode), but for an unmasked (server role)
    /// text, binary, ping or pong frame it appends only the header to `out`
    /// and returns the payload, untouched, to be written right after it
    /// (e.g. with `Write::write_vectored`): a large message is then never
    /// copied into the output buffer. Masked frames and close frames are
    /// appended whole and the returned slice is empty.
    pub fn encode_vectored<'a>(
        &self,
        out: &mut Vec<u8>,
        item: Outgoing<'a>,
        key: Option<[u8; 4]>,
    ) -> Result<&'a [u8], Error> {
        let (opcode, payload) = match item {
            Outgoing::Text(text) => (OpCode::Text, text.as_bytes()),
            Outgoing::Binary(bytes) => (OpCode::Binary, bytes),
            Outgoing::Ping(bytes) => (OpCode::Ping, bytes),
            Outgoing::Pong(bytes) => (OpCode::Pong, bytes),
            Outgoing::Close(_) => return self.encode(out, item, key).map(|()| &[][..]),
        };
        if key.is_some() || self.role == Role::Client {
            return self.encode(out, item, key).map(|()| &[][..]);
        }
        if opcode.is_control() && payload.len() > MAX_CONTROL_PAYLOAD {
            return Err(Error::ControlTooLong(payload.len() as u64));
        }
        FrameHeader {
            fin: true,
            rsv: 0,
            opcode,
            mask: None,
            payload_len: payload.len() as u64,
        }
        .write(out);
        Ok(payload)
    }

    /// Like [`encode`](Self::encode), compressing text and binary messages
    /// with `deflater` (permessage-deflate: one frame with RSV1 set);
    /// control frames are never compressed (RFC 7692 §6.1).
    #[cfg(all(feature = "deflate", not(target_arch = "wasm32")))]
    pub fn encode_compressed(
        &self,
        out: &mut Vec<u8>,
        deflater: &mut super::deflate::Deflater,
        item: Outgoing<'_>,
        key: Option<[u8; 4]>,
    ) -> Result<(), Error> {
        let (opcode, payload) = match item {
            Outgoing::Text(text) => (OpCode::Text, text.as_bytes()),
            Outgoing::Binary(bytes) => (OpCode::Binary, bytes),
            _ => return self.encode(out, item, key),
        };
        match (self.role, key) {
            (Role::Client, None) => return Err(Error::MissingMask),
            (Role::Server, Some(_)) => return Err(Error::UnexpectedMask),
            _ => {}
        }
        let compressed = deflater.compress(payload)?;
        encode_parts_rsv(out, true, 0b100, opcode, &[compressed], key)
    }

    /// [`encode`](Self::encode) with the key chosen for the role: a fresh
    /// key from the OS's cryptographic RNG for a client, none for a server.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn encode_auto(&self, out: &mut Vec<u8>, item: Outgoing<'_>) -> Result<(), Error> {
        let key = match self.role {
            Role::Client => Some(super::mask::random_key()?),
            Role::Server => None,
        };
        self.encode(out, item, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_frames_are_unmasked_and_use_the_shortest_length() {
        let enc = Encoder::new(Role::Server);
        let mut out = Vec::new();
        enc.encode(&mut out, Outgoing::Text("hi"), None).unwrap();
        assert_eq!(out, [0x81, 0x02, b'h', b'i']);
        let mut out = Vec::new();
        enc.encode(&mut out, Outgoing::Binary(&[7; 126]), None)
            .unwrap();
        assert_eq!(&out[..4], &[0x82, 0x7E, 0x00, 0x7E]);
        assert_eq!(out.len(), 4 + 126);
        let mut out = Vec::new();
        enc.encode(&mut out, Outgoing::Binary(&vec![0; 65536]), None)
            .unwrap();
        assert_eq!(&out[..10], &[0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0]);
    }

    #[test]
    fn client_frames_are_masked_with_the_given_key() {
        let enc = Encoder::new(Role::Client);
        let mut out = Vec::new();
        enc.encode(&mut out, Outgoing::Ping(b"ab"), Some([1, 2, 3, 4]))
            .unwrap();
        assert_eq!(out, [0x89, 0x82, 1, 2, 3, 4, b'a' ^ 1, b'b' ^ 2]);
    }

    #[test]
    fn the_role_decides_about_masking() {
        let mut out = Vec::new();
        assert_eq!(
            Encoder::new(Role::Client).encode(&mut out, Outgoing::Text(""), None),
            Err(Error::MissingMask)
        );
        assert_eq!(
            Encoder::new(Role::Server).encode(&mut out, Outgoing::Text(""), Some([0; 4])),
            Err(Error::UnexpectedMask)
        );
        assert!(out.is_empty());
    }

    #[test]
    fn vectored_encoding_produces_the_same_bytes() {
        let big = vec![5u8; 70_000];
        let items = [
            Outgoing::Text("hello"),
            Outgoing::Binary(&big),
            Outgoing::Ping(b"p"),
            Outgoing::Pong(b""),
            Outgoing::Close(Some((CloseCode::NORMAL, "bye"))),
        ];
        for role in [Role::Server, Role::Client] {
            let enc = Encoder::new(role);
            let key = (role == Role::Client).then_some([1, 2, 3, 4]);
            for item in items {
                let mut whole = Vec::new();
                enc.encode(&mut whole, item, key).unwrap();
                let mut parts = Vec::new();
                let rest = enc.encode_vectored(&mut parts, item, key).unwrap();
                if role == Role::Server && !matches!(item, Outgoing::Close(_)) {
                    assert!(parts.len() <= 14, "only the header is buffered");
                }
                parts.extend_from_slice(rest);
                assert_eq!(parts, whole, "{role:?} {item:?}");
            }
        }
        let mut out = Vec::new();
        assert_eq!(
            Encoder::new(Role::Server).encode_vectored(&mut out, Outgoing::Ping(&[0; 126]), None),
            Err(Error::ControlTooLong(126))
        );
        assert_eq!(
            Encoder::new(Role::Client).encode_vectored(&mut out, Outgoing::Text("x"), None),
            Err(Error::MissingMask)
        );
        assert!(out.is_empty());
    }

    #[test]
    fn control_frames_are_checked() {
        let enc = Encoder::new(Role::Server);
        let mut out = Vec::new();
        assert_eq!(
            enc.encode(&mut out, Outgoing::Ping(&[0; 126]), None),
            Err(Error::ControlTooLong(126))
        );
        assert_eq!(
            enc.encode(&mut out, Outgoing::Close(Some((CloseCode(1005), ""))), None),
            Err(Error::InvalidCloseCode(1005))
        );
        let long = "é".repeat(62);
        assert_eq!(
            enc.encode(
                &mut out,
                Outgoing::Close(Some((CloseCode::NORMAL, &long))),
                None
            ),
            Err(Error::CloseReasonTooLong(124))
        );
        assert!(out.is_empty());
        enc.encode(
            &mut out,
            Outgoing::Close(Some((CloseCode::NORMAL, "ok"))),
            None,
        )
        .unwrap();
        assert_eq!(out, [0x88, 0x04, 0x03, 0xE8, b'o', b'k']);
        assert_eq!(
            encode_frame(&mut out, false, OpCode::Pong, &[], None),
            Err(Error::FragmentedControl)
        );
    }
}
