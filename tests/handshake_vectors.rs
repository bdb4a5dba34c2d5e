#![cfg(not(target_arch = "wasm32"))]
//! The opening handshake (RFC 6455 §4): the §1.3 vector, incremental
//! parsing, every class of bad request and the status it gets, and the
//! client's validation of the server's answer.

use proptest::prelude::*;
use steadyws::codec::handshake::{
    self, accept_key, parse_request, parse_response, reject_response, validate_request,
    ClientRequest, HandshakeError, Parsed, Request, Response, MAX_HEAD_BYTES,
};

const GOOD: &str = "GET /chat?client=a HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Version: 13\r\n\r\n";

fn parse(text: &str) -> Request {
    match parse_request(text.as_bytes()) {
        Ok(Parsed::Complete { value, consumed }) => {
            assert_eq!(consumed, text.len());
            value
        }
        other => panic!("expected a complete request, got {other:?}"),
    }
}

fn status_of(text: &str) -> u16 {
    match parse_request(text.as_bytes()) {
        Ok(Parsed::Complete { value, .. }) => match validate_request(&value) {
            Ok(_) => 101,
            Err(e) => e.status(),
        },
        Ok(Parsed::Partial) => panic!("partial: {text:?}"),
        Err(e) => e.status(),
    }
}

#[test]
fn rfc6455_section_1_3_accept_vector() {
    assert_eq!(
        accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
}

#[test]
fn valid_request_yields_key_protocols_and_origin() {
    let hello = validate_request(&parse(GOOD)).unwrap();
    assert_eq!(hello.key, "dGhlIHNhbXBsZSBub25jZQ==");
    assert_eq!(hello.protocols, ["chat", "superchat"]);
    assert_eq!(hello.origin.as_deref(), Some("http://example.com"));
    let req = parse(GOOD);
    assert_eq!(req.path(), "/chat");
    assert_eq!(req.query(), "client=a");
}

#[test]
fn request_split_at_every_byte_is_partial_until_complete() {
    let bytes = GOOD.as_bytes();
    for cut in 0..bytes.len() {
        assert_eq!(
            parse_request(&bytes[..cut]),
            Ok(Parsed::Partial),
            "cut at {cut}"
        );
    }
    // Bytes after the head (a pipelined frame) are not consumed.
    let mut with_frame = bytes.to_vec();
    with_frame.extend_from_slice(&[0x81, 0x80, 1, 2, 3, 4]);
    match parse_request(&with_frame) {
        Ok(Parsed::Complete { consumed, .. }) => assert_eq!(consumed, bytes.len()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn header_names_and_tokens_are_case_insensitive() {
    let text = "GET / HTTP/1.1\r\nhost: h\r\nUPGRADE: WebSocket\r\nconnection: keep-alive, UPGRADE\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n";
    assert_eq!(status_of(text), 101);
}

fn without(header: &str) -> String {
    GOOD.lines()
        .filter(|l| {
            !l.to_ascii_lowercase()
                .starts_with(&header.to_ascii_lowercase())
        })
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\n"
}

fn replacing(header: &str, line: &str) -> String {
    GOOD.lines()
        .map(|l| {
            if l.to_ascii_lowercase()
                .starts_with(&header.to_ascii_lowercase())
            {
                line
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\n"
}

#[test]
fn every_bad_request_class_gets_its_status() {
    let cases: Vec<(String, HandshakeError, u16)> = vec![
        (
            GOOD.replacen("GET", "POST", 1),
            HandshakeError::MethodNotGet,
            400,
        ),
        (
            GOOD.replacen("HTTP/1.1", "HTTP/1.0", 1),
            HandshakeError::HttpVersion,
            400,
        ),
        (without("Host:"), HandshakeError::MissingHost, 400),
        (without("Upgrade:"), HandshakeError::MissingUpgrade, 400),
        (
            replacing("Upgrade:", "Upgrade: h2c"),
            HandshakeError::MissingUpgrade,
            400,
        ),
        (
            without("Connection:"),
            HandshakeError::MissingConnectionUpgrade,
            400,
        ),
        (
            replacing("Connection:", "Connection: keep-alive"),
            HandshakeError::MissingConnectionUpgrade,
            400,
        ),
        (
            without("Sec-WebSocket-Version:"),
            HandshakeError::UnsupportedVersion,
            426,
        ),
        (
            replacing("Sec-WebSocket-Version:", "Sec-WebSocket-Version: 8"),
            HandshakeError::UnsupportedVersion,
            426,
        ),
        (
            without("Sec-WebSocket-Key:"),
            HandshakeError::MissingKey,
            400,
        ),
        (
            replacing("Sec-WebSocket-Key:", "Sec-WebSocket-Key: not base64!"),
            HandshakeError::InvalidKey,
            400,
        ),
        (
            // Valid base64, but 15 bytes.
            replacing(
                "Sec-WebSocket-Key:",
                "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA",
            ),
            HandshakeError::InvalidKey,
            400,
        ),
    ];
    for (text, error, status) in cases {
        let req = parse(&text);
        let got = validate_request(&req).expect_err(&text);
        assert_eq!(got, error, "{text}");
        assert_eq!(got.status(), status, "{text}");
    }
}

#[test]
fn malformed_heads_are_400_and_oversized_heads_431() {
    for bad in [
        "GET\r\n\r\n",
        "GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
        "\x00\x01\x02 / HTTP/1.1\r\n\r\n",
        "GET / HTTP/2.0\r\n\r\n",
    ] {
        let err = parse_request(bad.as_bytes()).expect_err(bad);
        assert_eq!(err, HandshakeError::Malformed, "{bad:?}");
        assert_eq!(err.status(), 400);
    }
    // A head that never ends: refused once it passes the bound.
    let mut endless = b"GET / HTTP/1.1\r\n".to_vec();
    while endless.len() < MAX_HEAD_BYTES {
        endless
            .extend_from_slice(b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    }
    assert_eq!(parse_request(&endless), Err(HandshakeError::HeadTooLarge));
    // Too many header lines.
    let mut many = String::from("GET / HTTP/1.1\r\n");
    for i in 0..100 {
        many.push_str(&format!("X-{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let err = parse_request(many.as_bytes()).unwrap_err();
    assert_eq!(err.status(), 431);
}

#[test]
fn version_refusal_carries_the_supported_version() {
    let resp = String::from_utf8(reject_response(426, "upgrade")).unwrap();
    assert!(
        resp.starts_with("HTTP/1.1 426 Upgrade Required\r\n"),
        "{resp}"
    );
    assert!(resp.contains("\r\nSec-WebSocket-Version: 13\r\n"), "{resp}");
    let resp = String::from_utf8(reject_response(400, "no")).unwrap();
    assert!(resp.starts_with("HTTP/1.1 400 Bad Request\r\n"));
    assert!(!resp.contains("Sec-WebSocket-Version"));
}

#[test]
fn accept_response_selects_only_an_offered_protocol() {
    let hello = validate_request(&parse(GOOD)).unwrap();
    let resp =
        String::from_utf8(handshake::accept_response(&hello, Some("superchat"), &[])).unwrap();
    assert!(resp.starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
    assert!(resp.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    assert!(resp.contains("Sec-WebSocket-Protocol: superchat\r\n"));
    let resp = String::from_utf8(handshake::accept_response(&hello, Some("other"), &[])).unwrap();
    assert!(!resp.contains("Sec-WebSocket-Protocol"));
}

fn client_request(protocols: &[&str]) -> ClientRequest {
    let protocols: Vec<String> = protocols.iter().map(|p| p.to_string()).collect();
    ClientRequest::new(
        "127.0.0.1:9",
        "/echo?client=x",
        &protocols,
        Some("http://o"),
    )
    .unwrap()
}

fn response(text: &str) -> Response {
    match parse_response(text.as_bytes()) {
        Ok(Parsed::Complete { value, .. }) => value,
        other => panic!("{other:?}"),
    }
}

#[test]
fn client_request_is_a_valid_server_request_with_a_fresh_key() {
    let a = client_request(&["chat"]);
    let b = client_request(&["chat"]);
    assert_ne!(a.key, b.key, "keys must be random");
    let text = String::from_utf8(a.to_bytes()).unwrap();
    let hello = validate_request(&parse(&text)).unwrap();
    assert_eq!(hello.key, a.key);
    assert_eq!(hello.protocols, ["chat"]);
    assert_eq!(hello.origin.as_deref(), Some("http://o"));
}

#[test]
fn client_accepts_the_servers_answer_to_its_own_request() {
    let req = client_request(&["chat", "v2"]);
    let hello = validate_request(&parse(&String::from_utf8(req.to_bytes()).unwrap())).unwrap();
    let resp = handshake::accept_response(&hello, Some("v2"), &[]);
    let resp = response(std::str::from_utf8(&resp).unwrap());
    assert_eq!(req.validate_response(&resp).unwrap().protocol, "v2");
}

#[test]
fn client_rejects_bad_answers_with_typed_errors() {
    let req = client_request(&["chat"]);
    let accept = accept_key(&req.key);
    let ok = format!("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n");
    assert_eq!(
        req.validate_response(&response(&format!("{ok}\r\n")))
            .unwrap()
            .protocol,
        ""
    );
    let cases = [
        (
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n".to_string(),
            HandshakeError::Rejected { status: 503 },
        ),
        (
            format!("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n", accept_key("AAAAAAAAAAAAAAAAAAAAAA==")),
            HandshakeError::BadAccept,
        ),
        (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".to_string(),
            HandshakeError::BadAccept,
        ),
        (
            format!("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"),
            HandshakeError::MissingUpgrade,
        ),
        (
            format!("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"),
            HandshakeError::MissingConnectionUpgrade,
        ),
        (
            format!("{ok}Sec-WebSocket-Protocol: superchat\r\n\r\n"),
            HandshakeError::UnexpectedProtocol,
        ),
        (
            format!("{ok}Sec-WebSocket-Protocol: chat, chat\r\n\r\n"),
            HandshakeError::UnexpectedProtocol,
        ),
        (
            format!("{ok}Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n"),
            HandshakeError::UnexpectedExtension,
        ),
    ];
    for (text, error) in cases {
        assert_eq!(
            req.validate_response(&response(&text)),
            Err(error),
            "{text}"
        );
    }
}

#[test]
fn client_request_refuses_values_a_header_cannot_carry() {
    assert_eq!(
        ClientRequest::new("h\r\nX: y", "/", &[], None),
        Err(HandshakeError::InvalidHeaderValue)
    );
    assert_eq!(
        ClientRequest::new("h", "/", &["a b".to_string()], None),
        Err(HandshakeError::InvalidHeaderValue)
    );
    assert_eq!(
        ClientRequest::new("h", "no-slash", &[], None),
        Err(HandshakeError::InvalidHeaderValue)
    );
}

proptest! {
    #[test]
    fn parsers_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(Parsed::Complete { value, consumed }) = parse_request(&bytes) {
            prop_assert!(consumed <= bytes.len());
            let _ = validate_request(&value);
        }
        if let Ok(Parsed::Complete { consumed, .. }) = parse_response(&bytes) {
            prop_assert!(consumed <= bytes.len());
        }
    }

    #[test]
    fn mutated_good_requests_never_panic(pos in 0usize..GOOD.len(), byte in any::<u8>()) {
        let mut bytes = GOOD.as_bytes().to_vec();
        bytes[pos] = byte;
        if let Ok(Parsed::Complete { value, .. }) = parse_request(&bytes) {
            match validate_request(&value) {
                Ok(h) => prop_assert_eq!(accept_key(&h.key).len(), 28),
                Err(e) => prop_assert!([400, 426, 431].contains(&e.status())),
            }
        }
    }
}
