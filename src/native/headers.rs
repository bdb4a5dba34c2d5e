//! Extra request headers of the native client's opening handshake
//! (`steadyws connect -H 'Name: value'`), and the rules they must follow.
//!
//! - The name is an HTTP token (RFC 9110 §5.6.2: letters, digits and
//!   ``!#$%&'*+-.^_`|~``), at most 256 bytes.
//! - The value is visible ASCII, spaces and tabs (no CR, LF, NUL or other
//!   control byte, so it cannot end the header or smuggle another one), at
//!   most 8 KiB; spaces and tabs around it are dropped, as an HTTP parser
//!   would.
//! - Headers the handshake itself writes are refused: `Host`, `Upgrade`,
//!   `Connection`, `Sec-WebSocket-Key`, `Sec-WebSocket-Version`,
//!   `Sec-WebSocket-Accept`, `Sec-WebSocket-Extensions` (the transport
//!   negotiates extensions), `Sec-WebSocket-Protocol` (use `--protocol`) and
//!   `Origin` (use `--origin`); so are `Content-Length` and
//!   `Transfer-Encoding` (the upgrade request has no body, and a server
//!   would wait for one). A second copy of these could only make the server
//!   see a request other than the one the transport checks the answer
//!   against.
//! - Any other name may repeat (two `Cookie` lines, say), in the order
//!   given.

use std::fmt;

/// Names the handshake owns, lower case.
const RESERVED: &[(&str, &str)] = &[
    ("host", "it comes from the URL"),
    ("upgrade", "the handshake sets it"),
    ("connection", "the handshake sets it"),
    ("sec-websocket-key", "the handshake sets it"),
    ("sec-websocket-version", "the handshake sets it"),
    ("sec-websocket-accept", "it is a response header"),
    (
        "sec-websocket-extensions",
        "the transport negotiates extensions",
    ),
    (
        "sec-websocket-protocol",
        "use --protocol (ClientConfig::protocols)",
    ),
    ("origin", "use --origin (ClientConfig::origin)"),
    ("content-length", "the upgrade request has no body"),
    ("transfer-encoding", "the upgrade request has no body"),
];

const MAX_NAME: usize = 256;
const MAX_VALUE: usize = 8 * 1024;

/// Why a header was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderError {
    /// `-H` text without a `:` between name and value.
    MissingColon(String),
    /// The name is empty, too long, or not an HTTP token.
    InvalidName(String),
    /// The value holds CR, LF or another control or non-ASCII byte, or is
    /// too long.
    InvalidValue {
        /// The header's name.
        name: String,
    },
    /// The handshake writes this header itself.
    Reserved {
        /// The header's name, as given.
        name: String,
        /// Why the handshake owns it (shown in the error message).
        why: &'static str,
    },
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderError::MissingColon(h) => {
                write!(f, "header {h:?} is not of the form 'Name: value'")
            }
            HeaderError::InvalidName(n) => write!(
                f,
                "header name {n:?} is not an HTTP token (letters, digits, !#$%&'*+-.^_`|~)"
            ),
            HeaderError::InvalidValue { name } => write!(
                f,
                "the value of header {name:?} must be visible ASCII, spaces and tabs (no CR/LF), at most {MAX_VALUE} bytes"
            ),
            HeaderError::Reserved { name, why } => {
                write!(f, "header {name:?} cannot be set: {why}")
            }
        }
    }
}

impl std::error::Error for HeaderError {}

/// An HTTP token (header names, subprotocol names).
pub fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// A value a header line can carry without ending early.
pub fn is_header_value(s: &str) -> bool {
    s.len() <= MAX_VALUE && s.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
}

/// Checks one header; returns it with the value trimmed.
pub fn validate(name: &str, value: &str) -> Result<(String, String), HeaderError> {
    if name.len() > MAX_NAME || !is_token(name) {
        return Err(HeaderError::InvalidName(name.to_owned()));
    }
    let lower = name.to_ascii_lowercase();
    if let Some((_, why)) = RESERVED.iter().find(|(n, _)| *n == lower) {
        return Err(HeaderError::Reserved {
            name: name.to_owned(),
            why,
        });
    }
    if !is_header_value(value) {
        return Err(HeaderError::InvalidValue {
            name: name.to_owned(),
        });
    }
    Ok((name.to_owned(), value.trim_matches([' ', '\t']).to_owned()))
}

/// Parses and checks `Name: value` (the `-H` syntax of curl and wscat).
pub fn parse(line: &str) -> Result<(String, String), HeaderError> {
    let (name, value) = line
        .split_once(':')
        .ok_or_else(|| HeaderError::MissingColon(line.to_owned()))?;
    validate(name, value)
}

/// The request head with `headers` added just before its blank line.
pub(crate) fn append(mut head: Vec<u8>, headers: &[(String, String)]) -> Vec<u8> {
    if headers.is_empty() || !head.ends_with(b"\r\n\r\n") {
        return head;
    }
    head.truncate(head.len() - 2);
    for (name, value) in headers {
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_values_and_reserved_headers() {
        assert_eq!(parse("X-Token: abc "), Ok(("X-Token".into(), "abc".into())));
        assert_eq!(parse("Cookie:a=b"), Ok(("Cookie".into(), "a=b".into())));
        assert_eq!(parse("X-Empty:"), Ok(("X-Empty".into(), String::new())));
        assert!(matches!(
            parse("no colon"),
            Err(HeaderError::MissingColon(_))
        ));
        assert!(matches!(parse(": v"), Err(HeaderError::InvalidName(_))));
        assert!(matches!(
            parse("Bad Name: v"),
            Err(HeaderError::InvalidName(_))
        ));
        assert!(matches!(parse("X(y): v"), Err(HeaderError::InvalidName(_))));
        for bad in [
            "a\r\nX-Evil: 1",
            "a\nb",
            "a\rb",
            "a\0b",
            "caf\u{e9}",
            "\x7f",
        ] {
            assert_eq!(
                validate("X-A", bad),
                Err(HeaderError::InvalidValue { name: "X-A".into() }),
                "{bad:?}"
            );
        }
        assert!(validate("X-A", &"v".repeat(MAX_VALUE + 1)).is_err());
        for name in [
            "Host",
            "sec-websocket-key",
            "ORIGIN",
            "Sec-WebSocket-Protocol",
        ] {
            assert!(
                matches!(validate(name, "x"), Err(HeaderError::Reserved { .. })),
                "{name}"
            );
        }
    }

    #[test]
    fn headers_go_before_the_blank_line() {
        let head = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n".to_vec();
        let out = append(head, &[("A".into(), "1".into()), ("B".into(), "2".into())]);
        assert_eq!(out, b"GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n");
    }
}
