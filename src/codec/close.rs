//! Close codes, close frame payloads and the closing handshake (RFC 6455
//! §5.5.1, §7).

use alloc::string::String;
use core::fmt;

use super::frame::Role;
use super::{utf8, Error};

/// A close status code.
///
/// Two questions matter: may it appear on the wire at all
/// ([`is_valid_on_wire`](Self::is_valid_on_wire)), and may a browser's
/// `WebSocket.close()` send it
/// ([`is_sendable_from_browser`](Self::is_sendable_from_browser)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CloseCode(pub u16);

impl CloseCode {
    /// 1000: normal closure, the purpose of the connection was fulfilled (RFC 6455 §7.4.1).
    pub const NORMAL: CloseCode = CloseCode(1000);
    /// 1001: going away (a server shutting down, a page being left).
    pub const GOING_AWAY: CloseCode = CloseCode(1001);
    /// 1002: the peer broke the protocol.
    pub const PROTOCOL_ERROR: CloseCode = CloseCode(1002);
    /// 1003: a data type the endpoint cannot accept (e.g. binary for a text-only endpoint).
    pub const UNSUPPORTED_DATA: CloseCode = CloseCode(1003);
    /// Reserved: never on the wire.
    pub const RESERVED: CloseCode = CloseCode(1004);
    /// "No status received": reported locally for a close frame without a
    /// code; never on the wire.
    pub const NO_STATUS: CloseCode = CloseCode(1005);
    /// "Abnormal closure": reported locally when the connection dropped
    /// without a close frame; never on the wire.
    pub const ABNORMAL: CloseCode = CloseCode(1006);
    /// 1007: message data inconsistent with its type (e.g. invalid UTF-8 in text).
    pub const INVALID_PAYLOAD: CloseCode = CloseCode(1007);
    /// 1008: a message violated the endpoint's policy (generic, when no other code fits).
    pub const POLICY_VIOLATION: CloseCode = CloseCode(1008);
    /// 1009: a message too big to process.
    pub const MESSAGE_TOO_BIG: CloseCode = CloseCode(1009);
    /// 1010: sent by a client when the server did not negotiate an extension
    /// it requires.
    pub const MANDATORY_EXTENSION: CloseCode = CloseCode(1010);
    /// 1011: the server hit an unexpected condition.
    pub const INTERNAL_ERROR: CloseCode = CloseCode(1011);
    /// 1012: the server is restarting (IANA registry); reconnecting later may succeed.
    pub const SERVICE_RESTART: CloseCode = CloseCode(1012);
    /// 1013: the server is overloaded, try again later (IANA registry).
    pub const TRY_AGAIN_LATER: CloseCode = CloseCode(1013);
    /// 1014: a gateway or proxy got an invalid response upstream (IANA registry).
    pub const BAD_GATEWAY: CloseCode = CloseCode(1014);
    /// TLS handshake failure: reported locally; never on the wire.
    pub const TLS_HANDSHAKE: CloseCode = CloseCode(1015);

    /// Whether the code may appear in a close frame: 1000-1003, 1007-1014
    /// (defined by RFC 6455 and the IANA registry) and 3000-4999 (libraries,
    /// applications). Receiving any other code is a protocol error.
    pub fn is_valid_on_wire(self) -> bool {
        matches!(self.0, 1000..=1003 | 1007..=1014 | 3000..=4999)
    }

    /// Whether a browser's `WebSocket.close(code)` accepts the code: 1000
    /// and 3000-4999 (anything else throws `InvalidAccessError`).
    pub fn is_sendable_from_browser(self) -> bool {
        matches!(self.0, 1000 | 3000..=4999)
    }
}

impl From<u16> for CloseCode {
    fn from(code: u16) -> Self {
        CloseCode(code)
    }
}

impl From<CloseCode> for u16 {
    fn from(code: CloseCode) -> Self {
        code.0
    }
}

impl fmt::Display for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Longest close reason: 125 bytes of control payload minus 2 of code.
pub const MAX_REASON_LEN: usize = 123;

/// The body of a close frame that carries a status code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CloseFrame {
    /// The status code.
    pub code: CloseCode,
    /// The reason: UTF-8, at most [`MAX_REASON_LEN`] bytes, possibly empty.
    pub reason: String,
}

impl CloseFrame {
    /// A close frame with `code` and `reason`, checked as the encoder would
    /// check it.
    pub fn new(code: CloseCode, reason: impl Into<String>) -> Result<Self, Error> {
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        check_outgoing(code, &frame.reason)?;
        Ok(frame)
    }
}

/// Parses a received close payload: empty means no code (`None`); a 1-byte
/// payload, a code not valid on the wire, or a reason that is not UTF-8 is an
/// error.
pub fn parse_close_payload(payload: &[u8]) -> Result<Option<CloseFrame>, Error> {
    match payload {
        [] => Ok(None),
        [_] => Err(Error::InvalidClosePayload),
        [hi, lo, reason @ ..] => {
            let code = CloseCode(u16::from_be_bytes([*hi, *lo]));
            if !code.is_valid_on_wire() {
                return Err(Error::InvalidCloseCode(code.0));
            }
            if reason.len() > MAX_REASON_LEN {
                // Only reachable by callers bypassing the decoder, whose
                // control frames are at most 125 bytes.
                return Err(Error::ControlTooLong(payload.len() as u64));
            }
            let reason = utf8::into_string(reason.to_vec())?;
            Ok(Some(CloseFrame { code, reason }))
        }
    }
}

/// Checks a code and reason this endpoint is about to send.
pub fn check_outgoing(code: CloseCode, reason: &str) -> Result<(), Error> {
    if !code.is_valid_on_wire() {
        return Err(Error::InvalidCloseCode(code.0));
    }
    if reason.len() > MAX_REASON_LEN {
        return Err(Error::CloseReasonTooLong(reason.len()));
    }
    Ok(())
}

/// The close frame to answer a received one with (RFC 6455 §5.5.1): the
/// received status code echoed with an empty reason, or an empty close frame
/// when the received one carried no code.
pub fn reply_to(received: Option<&CloseFrame>) -> Option<CloseFrame> {
    received.map(|frame| CloseFrame {
        code: frame.code,
        reason: String::new(),
    })
}

/// The close frame to send when decoding failed with `error`: its close code
/// (1002, 1007 or 1009) and no reason.
pub fn close_for_error(error: &Error) -> CloseFrame {
    CloseFrame {
        code: error.close_code(),
        reason: String::new(),
    }
}

/// Where a connection is in the closing handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseState {
    /// Data flows both ways.
    Open,
    /// We sent a close frame and wait for the peer's.
    CloseSent,
    /// Both close frames were exchanged: the handshake is complete.
    Closed,
}

/// What to do after a close frame arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnClose {
    /// Send this close frame back (`None`: an empty close frame), then the
    /// handshake is complete.
    Reply(Option<CloseFrame>),
    /// It answered our close frame: the handshake is complete, send nothing.
    Complete,
    /// Our handshake was already complete; ignore it.
    Ignore,
}

/// The closing handshake of one connection, for either role.
///
/// RFC 6455 §7: each side sends one close frame and sends nothing after it;
/// on receiving a close frame an endpoint that has not sent one replies with
/// one. Once both were exchanged the **server** closes the TCP connection at
/// once ([`closes_tcp_first`](Self::closes_tcp_first)); the **client** waits
/// for the server to close it (with a timeout of the transport's choosing)
/// so that the server, not the client, carries the TIME_WAIT state.
#[derive(Debug, Clone)]
pub struct ClosingHandshake {
    role: Role,
    state: CloseState,
}

impl ClosingHandshake {
    /// The handshake of a fresh connection of `role`, in [`CloseState::Open`].
    pub fn new(role: Role) -> Self {
        ClosingHandshake {
            role,
            state: CloseState::Open,
        }
    }

    /// Where the handshake is.
    pub fn state(&self) -> CloseState {
        self.state
    }

    /// Whether data frames (and pings) may still be sent.
    pub fn may_send_data(&self) -> bool {
        self.state == CloseState::Open
    }

    /// We want to close (or decoding failed): returns `true` if a close frame
    /// must be sent now, `false` if one was already sent.
    pub fn start(&mut self) -> bool {
        match self.state {
            CloseState::Open => {
                self.state = CloseState::CloseSent;
                true
            }
            CloseState::CloseSent | CloseState::Closed => false,
        }
    }

    /// A close frame arrived from the peer.
    pub fn received(&mut self, frame: Option<&CloseFrame>) -> OnClose {
        match self.state {
            CloseState::Open => {
                self.state = CloseState::Closed;
                OnClose::Reply(reply_to(frame))
            }
            CloseState::CloseSent => {
                self.state = CloseState::Closed;
                OnClose::Complete
            }
            CloseState::Closed => OnClose::Ignore,
        }
    }

    /// Whether this endpoint closes the TCP connection as soon as the
    /// handshake is complete (the server), rather than waiting for the peer
    /// to do it (the client).
    pub fn closes_tcp_first(&self) -> bool {
        self.role == Role::Server
    }

    /// Whether the TCP connection should be closed now by this endpoint.
    pub fn should_close_tcp(&self) -> bool {
        self.state == CloseState::Closed && self.closes_tcp_first()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_validity_follows_rfc_6455_and_the_iana_registry() {
        let valid: Vec<u16> = (0..=u16::MAX)
            .filter(|c| CloseCode(*c).is_valid_on_wire())
            .collect();
        let mut want: Vec<u16> = vec![1000, 1001, 1002, 1003];
        want.extend(1007..=1014);
        want.extend(3000..=4999);
        assert_eq!(valid, want);
    }

    #[test]
    fn browsers_may_send_only_1000_and_3000_to_4999() {
        for code in 0..=u16::MAX {
            let want = code == 1000 || (3000..=4999).contains(&code);
            assert_eq!(CloseCode(code).is_sendable_from_browser(), want);
        }
    }

    #[test]
    fn close_payload_rules() {
        assert_eq!(parse_close_payload(&[]), Ok(None));
        assert_eq!(parse_close_payload(&[3]), Err(Error::InvalidClosePayload));
        assert_eq!(
            parse_close_payload(&[0x03, 0xEC]), // 1004
            Err(Error::InvalidCloseCode(1004))
        );
        assert_eq!(
            parse_close_payload(&[0x03, 0xE8, 0xFF]),
            Err(Error::InvalidUtf8)
        );
        assert_eq!(
            parse_close_payload(&[0x0B, 0xB8, b'b', b'y', b'e']),
            Ok(Some(CloseFrame {
                code: CloseCode(3000),
                reason: "bye".into()
            }))
        );
    }

    #[test]
    fn outgoing_close_is_checked() {
        assert_eq!(
            CloseFrame::new(CloseCode::ABNORMAL, ""),
            Err(Error::InvalidCloseCode(1006))
        );
        assert_eq!(
            CloseFrame::new(CloseCode::NORMAL, "x".repeat(124)),
            Err(Error::CloseReasonTooLong(124))
        );
        assert!(CloseFrame::new(CloseCode::NORMAL, "x".repeat(123)).is_ok());
    }

    #[test]
    fn a_peer_initiated_close_is_answered_with_the_same_code() {
        let mut hs = ClosingHandshake::new(Role::Server);
        let got = CloseFrame::new(CloseCode(4001), "bye").unwrap();
        assert_eq!(
            hs.received(Some(&got)),
            OnClose::Reply(Some(CloseFrame::new(CloseCode(4001), "").unwrap()))
        );
        assert!(!hs.may_send_data());
        assert!(hs.should_close_tcp());
        assert_eq!(hs.received(None), OnClose::Ignore);
        assert!(!hs.start());
    }

    #[test]
    fn our_close_completes_when_the_peer_answers_and_the_client_waits_for_tcp() {
        let mut hs = ClosingHandshake::new(Role::Client);
        assert!(hs.start());
        assert!(!hs.start());
        assert_eq!(hs.state(), CloseState::CloseSent);
        assert_eq!(hs.received(None), OnClose::Complete);
        assert_eq!(hs.state(), CloseState::Closed);
        assert!(!hs.should_close_tcp());
    }
}
