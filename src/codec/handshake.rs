//! The RFC 6455 opening handshake (§4), both roles. Native only: sha1, base64
//! and httparse must not reach the wasm artifact (the browser does its own
//! handshake).
//!
//! Like the frame codec, this module never reads: the parse functions take
//! the bytes received so far and answer [`Parsed::Partial`] (read more and
//! call again with the longer buffer) or [`Parsed::Complete`] with how many
//! bytes the head used. Whatever follows `consumed` already belongs to the
//! WebSocket stream (a client may pipeline its first frame, a server may send
//! one right after its 101).
//!
//! Server side:
//! 1. [`parse_request`] until `Complete` (at most [`MAX_HEAD_BYTES`]);
//! 2. [`validate_request`] turns an upgrade request into a [`ClientHello`];
//!    an error knows its HTTP status ([`HandshakeError::status`]) and
//!    [`reject_response`] writes the matching answer (426 carries
//!    `Sec-WebSocket-Version: 13`);
//! 3. [`accept_response`] writes the 101.
//!
//! Client side: [`ClientRequest::new`] (random 16-byte key), send
//! [`ClientRequest::to_bytes`], [`parse_response`] until `Complete`, then
//! [`ClientRequest::validate_response`].

use base64::Engine as _;
use sha1::{Digest, Sha1};

/// Upper bound on an HTTP head (request or response line plus headers). A
/// peer that sends more without finishing its head is refused (431).
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Upper bound on the number of header lines.
pub const MAX_HEADERS: usize = 64;

/// The GUID of RFC 6455 §1.3, appended to the key before hashing.
pub const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Result of an incremental parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed<T> {
    /// The head is not complete yet: read more bytes and parse the whole
    /// buffer again.
    Partial,
    /// The head is complete and used the first `consumed` bytes.
    Complete {
        /// The parsed head.
        value: T,
        /// Length of the head in bytes, its final blank line included; the
        /// bytes after it are not part of the head (after an upgrade: the
        /// first bytes of the WebSocket stream).
        consumed: usize,
    },
}

/// Why a handshake failed. On the server side [`HandshakeError::status`] is
/// the HTTP status to answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The head grew past [`MAX_HEAD_BYTES`] or [`MAX_HEADERS`] lines.
    HeadTooLarge,
    /// Not valid HTTP/1.x (bad request line, header syntax, ...).
    Malformed,
    /// The request method is not `GET`.
    MethodNotGet,
    /// HTTP/1.0: the handshake needs HTTP/1.1.
    HttpVersion,
    /// No `Host` header.
    MissingHost,
    /// No `Upgrade: websocket`.
    MissingUpgrade,
    /// No `upgrade` token in `Connection`.
    MissingConnectionUpgrade,
    /// `Sec-WebSocket-Version` missing or not 13 (answered with 426).
    UnsupportedVersion,
    /// No `Sec-WebSocket-Key`.
    MissingKey,
    /// The key is not base64 of exactly 16 bytes.
    InvalidKey,
    /// A header value is not visible ASCII where the protocol needs it.
    InvalidHeaderValue,
    /// Client side: the server answered with a status other than 101.
    Rejected {
        /// The HTTP status the server answered with.
        status: u16,
    },
    /// Client side: `Sec-WebSocket-Accept` missing or wrong.
    BadAccept,
    /// Client side: the server selected a subprotocol the client did not
    /// offer (or several).
    UnexpectedProtocol,
    /// Client side: the server enabled an extension the client did not offer,
    /// or answered an offer in a way RFC 7692 forbids.
    UnexpectedExtension,
}

impl HandshakeError {
    /// The HTTP status a server answers this error with.
    pub fn status(&self) -> u16 {
        match self {
            HandshakeError::HeadTooLarge => 431,
            HandshakeError::UnsupportedVersion => 426,
            HandshakeError::Rejected { status } => *status,
            _ => 400,
        }
    }
}

impl core::fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let msg = match self {
            HandshakeError::HeadTooLarge => "HTTP head too large",
            HandshakeError::Malformed => "malformed HTTP head",
            HandshakeError::MethodNotGet => "the opening handshake must be a GET",
            HandshakeError::HttpVersion => "the opening handshake needs HTTP/1.1",
            HandshakeError::MissingHost => "missing Host header",
            HandshakeError::MissingUpgrade => "missing `Upgrade: websocket`",
            HandshakeError::MissingConnectionUpgrade => "missing `Connection: upgrade`",
            HandshakeError::UnsupportedVersion => "Sec-WebSocket-Version must be 13",
            HandshakeError::MissingKey => "missing Sec-WebSocket-Key",
            HandshakeError::InvalidKey => "Sec-WebSocket-Key is not base64 of 16 bytes",
            HandshakeError::InvalidHeaderValue => "invalid header value",
            HandshakeError::Rejected { status } => {
                return write!(f, "the server rejected the handshake with HTTP {status}")
            }
            HandshakeError::BadAccept => "missing or wrong Sec-WebSocket-Accept",
            HandshakeError::UnexpectedProtocol => "the server selected a subprotocol not offered",
            HandshakeError::UnexpectedExtension => "the server enabled an extension not offered",
        };
        f.write_str(msg)
    }
}

impl core::error::Error for HandshakeError {}

/// A parsed HTTP/1.x request head (any request, not only upgrades: the dev
/// server routes plain GETs with the same parser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method as sent (`GET` for an upgrade).
    pub method: String,
    /// The request target as sent (`/path?query`).
    pub target: String,
    /// Minor version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub version: u8,
    /// Header names as sent, values as raw bytes.
    pub headers: Vec<(String, Vec<u8>)>,
}

/// A parsed HTTP/1.x response head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status code (101 for an accepted upgrade).
    pub status: u16,
    /// The reason phrase as sent (may be empty).
    pub reason: String,
    /// Minor version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub version: u8,
    /// Header names as sent, values as raw bytes.
    pub headers: Vec<(String, Vec<u8>)>,
}

fn header<'a>(headers: &'a [(String, Vec<u8>)], name: &str) -> Option<&'a [u8]> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
}

/// Every comma-separated token of every header line called `name`, trimmed.
fn tokens<'a>(headers: &'a [(String, Vec<u8>)], name: &'a str) -> impl Iterator<Item = &'a str> {
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .filter_map(|(_, v)| core::str::from_utf8(v).ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

fn has_token(headers: &[(String, Vec<u8>)], name: &str, token: &str) -> bool {
    tokens(headers, name).any(|t| t.eq_ignore_ascii_case(token))
}

impl Request {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        header(&self.headers, name)
    }

    /// The path part of the target (before `?`).
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The query part of the target (after `?`), empty when absent.
    pub fn query(&self) -> &str {
        self.target.split_once('?').map(|(_, q)| q).unwrap_or("")
    }

    /// Whether the request asks for a WebSocket upgrade at all (an `Upgrade:
    /// websocket` header). Such a request is then checked by
    /// [`validate_request`]; anything else is plain HTTP.
    pub fn wants_websocket(&self) -> bool {
        has_token(&self.headers, "upgrade", "websocket")
    }
}

impl Response {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        header(&self.headers, name)
    }
}

fn owned_headers(headers: &[httparse::Header<'_>]) -> Vec<(String, Vec<u8>)> {
    headers
        .iter()
        .map(|h| (h.name.to_owned(), h.value.to_owned()))
        .collect()
}

fn map_parse_error(e: httparse::Error) -> HandshakeError {
    match e {
        httparse::Error::TooManyHeaders => HandshakeError::HeadTooLarge,
        _ => HandshakeError::Malformed,
    }
}

/// The length of a complete head, `None` while it is partial; a head (or a
/// partial one) past [`MAX_HEAD_BYTES`] is refused either way, so a caller
/// that reads until complete is bounded.
fn head_within_limit(
    status: httparse::Result<usize>,
    received: usize,
) -> Result<Option<usize>, HandshakeError> {
    match status.map_err(map_parse_error)? {
        httparse::Status::Partial if received >= MAX_HEAD_BYTES => {
            Err(HandshakeError::HeadTooLarge)
        }
        httparse::Status::Partial => Ok(None),
        httparse::Status::Complete(n) if n > MAX_HEAD_BYTES => Err(HandshakeError::HeadTooLarge),
        httparse::Status::Complete(n) => Ok(Some(n)),
    }
}

/// Parses an HTTP/1.x request head from the bytes received so far.
///
/// Never panics, whatever the input (this is the fuzzing entry point of the
/// handshake). `Partial` with a buffer already past [`MAX_HEAD_BYTES`] is
/// reported as [`HandshakeError::HeadTooLarge`], so a caller that reads until
/// `Complete` is bounded.
pub fn parse_request(buf: &[u8]) -> Result<Parsed<Request>, HandshakeError> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut slots);
    match head_within_limit(req.parse(buf), buf.len())? {
        None => Ok(Parsed::Partial),
        Some(consumed) => {
            let (Some(method), Some(target), Some(version)) = (req.method, req.path, req.version)
            else {
                return Err(HandshakeError::Malformed);
            };
            Ok(Parsed::Complete {
                value: Request {
                    method: method.to_owned(),
                    target: target.to_owned(),
                    version,
                    headers: owned_headers(req.headers),
                },
                consumed,
            })
        }
    }
}

/// Parses an HTTP/1.x response head from the bytes received so far (client
/// side). Same contract as [`parse_request`].
pub fn parse_response(buf: &[u8]) -> Result<Parsed<Response>, HandshakeError> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut slots);
    match head_within_limit(resp.parse(buf), buf.len())? {
        None => Ok(Parsed::Partial),
        Some(consumed) => {
            let (Some(status), Some(version)) = (resp.code, resp.version) else {
                return Err(HandshakeError::Malformed);
            };
            Ok(Parsed::Complete {
                value: Response {
                    status,
                    reason: resp.reason.unwrap_or("").to_owned(),
                    version,
                    headers: owned_headers(resp.headers),
                },
                consumed,
            })
        }
    }
}

/// `Sec-WebSocket-Accept` for a key: base64(SHA-1(key + GUID)) (§4.2.2).
pub fn accept_key(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(GUID.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

/// A valid upgrade request, as the server needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHello {
    /// `Sec-WebSocket-Key` exactly as sent (base64 of 16 bytes).
    pub key: String,
    /// Offered subprotocols, in the client's order of preference.
    pub protocols: Vec<String>,
    /// The `Origin` header, if sent (browsers always send one).
    pub origin: Option<String>,
    /// Offered extensions, raw: one extension with its parameters each (the
    /// dev server negotiates permessage-deflate from these).
    pub extensions: Vec<String>,
}

/// Checks that `req` is a valid RFC 6455 opening handshake (§4.2.1).
pub fn validate_request(req: &Request) -> Result<ClientHello, HandshakeError> {
    if req.method != "GET" {
        return Err(HandshakeError::MethodNotGet);
    }
    if req.version < 1 {
        return Err(HandshakeError::HttpVersion);
    }
    if req.header("host").is_none() {
        return Err(HandshakeError::MissingHost);
    }
    if !has_token(&req.headers, "upgrade", "websocket") {
        return Err(HandshakeError::MissingUpgrade);
    }
    if !has_token(&req.headers, "connection", "upgrade") {
        return Err(HandshakeError::MissingConnectionUpgrade);
    }
    if req.header("sec-websocket-version").map(<[u8]>::trim_ascii) != Some(b"13") {
        return Err(HandshakeError::UnsupportedVersion);
    }
    let key = req
        .header("sec-websocket-key")
        .ok_or(HandshakeError::MissingKey)?
        .trim_ascii();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(key)
        .map_err(|_| HandshakeError::InvalidKey)?;
    if decoded.len() != 16 {
        return Err(HandshakeError::InvalidKey);
    }
    // Valid base64 is ASCII, so this cannot fail; map it anyway.
    let key = core::str::from_utf8(key)
        .map_err(|_| HandshakeError::InvalidKey)?
        .to_owned();
    let origin = match req.header("origin") {
        Some(v) => Some(
            core::str::from_utf8(v)
                .map_err(|_| HandshakeError::InvalidHeaderValue)?
                .to_owned(),
        ),
        None => None,
    };
    Ok(ClientHello {
        key,
        protocols: tokens(&req.headers, "sec-websocket-protocol")
            .map(str::to_owned)
            .collect(),
        origin,
        extensions: tokens(&req.headers, "sec-websocket-extensions")
            .map(str::to_owned)
            .collect(),
    })
}

fn valid_header_value(v: &str) -> bool {
    v.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
}

/// The 101 answer to `hello`, selecting `protocol` (which must be one the
/// client offered: anything else is left out rather than sent) and adding
/// `extra` header lines (each `Name: value`, without CRLF).
pub fn accept_response(hello: &ClientHello, protocol: Option<&str>, extra: &[&str]) -> Vec<u8> {
    let mut out = String::with_capacity(160);
    out.push_str(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n",
    );
    out.push_str("Sec-WebSocket-Accept: ");
    out.push_str(&accept_key(&hello.key));
    out.push_str("\r\n");
    if let Some(p) = protocol.filter(|p| hello.protocols.iter().any(|o| o == p)) {
        out.push_str("Sec-WebSocket-Protocol: ");
        out.push_str(p);
        out.push_str("\r\n");
    }
    for line in extra.iter().filter(|l| valid_header_value(l)) {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// The standard reason phrase of the statuses this crate sends.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// A complete answer refusing a handshake with `status` (and a short plain
/// text body). 426 carries `Sec-WebSocket-Version: 13` (§4.4).
pub fn reject_response(status: u16, body: &str) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        reason_phrase(status),
        body.len()
    );
    if status == 426 {
        out.push_str("Sec-WebSocket-Version: 13\r\nUpgrade: websocket\r\n");
    }
    out.push_str("\r\n");
    out.push_str(body);
    out.into_bytes()
}

/// The opening handshake of a client (§4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRequest {
    /// `Host` header value (`host:port`).
    pub host: String,
    /// Request target (`/path?query`).
    pub resource: String,
    /// The base64 key (16 random bytes).
    pub key: String,
    /// Subprotocols to offer in `Sec-WebSocket-Protocol`, in order of
    /// preference; empty: the header is not sent.
    pub protocols: Vec<String>,
    /// The `Origin` header to send, if any.
    pub origin: Option<String>,
    /// `Sec-WebSocket-Extensions` offered (e.g. permessage-deflate), if any.
    pub extensions: Option<String>,
}

/// The server's accepted answer, as the client needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello {
    /// The selected subprotocol, empty when none (like the browser's
    /// `WebSocket.protocol`).
    pub protocol: String,
    /// The extensions the server enabled (each one extension with its
    /// parameters), for the offer's owner to check; always empty when the
    /// request offered none.
    pub extensions: Vec<String>,
}

/// A fresh random key (16 bytes from the OS, base64).
pub fn random_key() -> Result<String, HandshakeError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| HandshakeError::InvalidKey)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

impl ClientRequest {
    /// A request with a fresh random key. Fails only if the OS has no
    /// randomness, or if a field holds characters a header cannot carry.
    pub fn new(
        host: &str,
        resource: &str,
        protocols: &[String],
        origin: Option<&str>,
    ) -> Result<Self, HandshakeError> {
        let key = random_key()?;
        Self::with_key(host, resource, protocols, origin, key)
    }

    /// A request with a given key (tests and reproducible fixtures).
    pub fn with_key(
        host: &str,
        resource: &str,
        protocols: &[String],
        origin: Option<&str>,
        key: String,
    ) -> Result<Self, HandshakeError> {
        let token_ok = |p: &String| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
        };
        let resource_ok =
            resource.starts_with('/') && resource.bytes().all(|b| b.is_ascii_graphic());
        if !valid_header_value(host)
            || !resource_ok
            || !protocols.iter().all(token_ok)
            || !origin.map_or(true, valid_header_value)
        {
            return Err(HandshakeError::InvalidHeaderValue);
        }
        Ok(ClientRequest {
            host: host.to_owned(),
            resource: resource.to_owned(),
            key,
            protocols: protocols.to_vec(),
            origin: origin.map(str::to_owned),
            extensions: None,
        })
    }

    /// Offers extensions: `offer` is the `Sec-WebSocket-Extensions` value
    /// (e.g. from `DeflateConfig::offer`). A value a header cannot carry is
    /// refused.
    pub fn with_extensions(mut self, offer: impl Into<String>) -> Result<Self, HandshakeError> {
        let offer = offer.into();
        if offer.is_empty() || !valid_header_value(&offer) {
            return Err(HandshakeError::InvalidHeaderValue);
        }
        self.extensions = Some(offer);
        Ok(self)
    }

    /// The request bytes to send.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!(
            "GET {} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {}\r\nSec-WebSocket-Version: 13\r\n",
            self.resource, self.host, self.key
        );
        if !self.protocols.is_empty() {
            out.push_str("Sec-WebSocket-Protocol: ");
            out.push_str(&self.protocols.join(", "));
            out.push_str("\r\n");
        }
        if let Some(origin) = &self.origin {
            out.push_str("Origin: ");
            out.push_str(origin);
            out.push_str("\r\n");
        }
        if let Some(extensions) = &self.extensions {
            out.push_str("Sec-WebSocket-Extensions: ");
            out.push_str(extensions);
            out.push_str("\r\n");
        }
        out.push_str("\r\n");
        out.into_bytes()
    }

    /// Checks the server's answer (§4.1, "the client MUST validate").
    pub fn validate_response(&self, resp: &Response) -> Result<ServerHello, HandshakeError> {
        if resp.status != 101 {
            return Err(HandshakeError::Rejected {
                status: resp.status,
            });
        }
        if !has_token(&resp.headers, "upgrade", "websocket") {
            return Err(HandshakeError::MissingUpgrade);
        }
        if !has_token(&resp.headers, "connection", "upgrade") {
            return Err(HandshakeError::MissingConnectionUpgrade);
        }
        let accept = resp
            .header("sec-websocket-accept")
            .ok_or(HandshakeError::BadAccept)?;
        if accept.trim_ascii() != accept_key(&self.key).as_bytes() {
            return Err(HandshakeError::BadAccept);
        }
        let extensions: Vec<String> = tokens(&resp.headers, "sec-websocket-extensions")
            .map(str::to_owned)
            .collect();
        if !extensions.is_empty() && self.extensions.is_none() {
            return Err(HandshakeError::UnexpectedExtension);
        }
        let mut selected = tokens(&resp.headers, "sec-websocket-protocol");
        let protocol = match (selected.next(), selected.next()) {
            (None, _) => String::new(),
            (Some(p), None) if self.protocols.iter().any(|o| o == p) => p.to_owned(),
            _ => return Err(HandshakeError::UnexpectedProtocol),
        };
        Ok(ServerHello {
            protocol,
            extensions,
        })
    }
}
