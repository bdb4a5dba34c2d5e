//! A blocking `std::net` WebSocket client, built only on the codec.
//!
//! # How a driver uses it
//!
//! The native session driver runs one loop per socket generation:
//!
//! ```no_run
//! use std::time::{Duration, Instant};
//! use steadyws::native::client::{Client, ClientConfig, ClientEvent};
//!
//! let config = ClientConfig::default().connect_timeout(Duration::from_secs(5));
//! let mut client = Client::connect("ws://127.0.0.1:8080/echo", &config)?;
//! client.send_text("hello")?;
//! loop {
//!     // Wait for whatever comes first: something from the peer, or the
//!     // session's next timer deadline (`Session::poll_timeout`).
//!     let deadline = Some(Instant::now() + Duration::from_secs(1));
//!     match client.recv(deadline)? {
//!         None => { /* deadline reached: Session::handle_timeout(now) */ break }
//!         Some(ClientEvent::Message(m)) => { /* Input::Message */ let _ = m; }
//!         Some(ClientEvent::Ping(_) | ClientEvent::Pong(_)) => {} // already answered
//!         Some(ClientEvent::Closed { code, reason, was_clean }) => {
//!             /* Input::Closed */ let _ = (code, reason, was_clean); break
//!         }
//!     }
//! }
//! // Action::Close -> client.close(code, reason), then keep calling recv
//! // until Closed (bounded by ClientConfig::close_timeout).
//! // Action::Abandon -> client.abandon(code, reason): never waits.
//! # Ok::<(), steadyws::native::client::ClientError>(())
//! ```
//!
//! - [`Client::connect`] blocks, bounding TCP connect, the TLS handshake
//!   (`wss://`) and the opening handshake by
//!   [`ClientConfig::connect_timeout`] (the session's connect
//!   timeout; in the threaded pattern below, connect on the reader thread
//!   and report the result over the channel); a server refusing the handshake
//!   surfaces as [`ClientError::Handshake`] with
//!   [`HandshakeError::Rejected`]`{ status }`, a certificate the client does
//!   not trust as [`ClientError::Tls`] with [`TlsError::Certificate`].
//! - `wss://` verifies the server against the built-in Mozilla roots unless
//!   [`ClientConfig::tls`] says otherwise (a private CA, no verification;
//!   see [`tls`](super::tls)); extra request headers are
//!   [`ClientConfig::header`], checked by the rules of
//!   [`headers`].
//! - [`Client::recv`] answers pings by itself, runs the closing handshake
//!   (replying to the server's close frame and waiting, bounded, for the
//!   server to close TCP first as RFC 6455 §7.1.1 asks), and fails the
//!   connection on protocol errors (close 1002/1007/1009, then
//!   [`ClientError::Protocol`]).
//! - Mapping to the session interface: `Action::Connect` -> [`Client::connect`]
//!   (`Ok` -> `Input::Opened { protocol: client.protocol() }`, `Err` ->
//!   `Input::Error` then `Input::Closed { code: 1006, was_clean: false }`,
//!   as a browser reports a failed connection); `Action::Send` -> `send`;
//!   `Action::Close` -> `close`; `Action::Abandon` -> `abandon`;
//!   [`ClientEvent::Message`] -> `Input::Message`; [`ClientEvent::Closed`]
//!   -> `Input::Closed` with its fields; an `Err` from `recv` (protocol
//!   violation, socket error) -> `Input::Error` then `Input::Closed { code:
//!   1006, was_clean: false }`. Pings and pongs need nothing (already
//!   answered; the session's heartbeat is application-level).
//! - Two ways to drive it:
//!   1. one thread: the loop above, with the session's next deadline as
//!      the `recv` deadline, handling the app's sends between calls;
//!   2. a reader thread per socket that loops on `recv(None)` and forwards
//!      events over a channel, while the driver thread waits on that channel
//!      with `recv_timeout(session deadline)` and acts through a [`Sender`]
//!      ([`Client::sender`]): `send`, `ping`, `close` (the reader thread's
//!      `recv` completes the handshake, bounded, and returns `Closed`) and
//!      `abandon` (the reader thread's `recv` returns at once; ignore what it
//!      reports, the socket's generation is stale).

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::codec::close::{close_for_error, reply_to, CloseFrame};
#[cfg(feature = "deflate")]
use crate::codec::deflate::{DeflateConfig, DeflateParams};
use crate::codec::frame::Role;
use crate::codec::handshake::{self, ClientRequest, HandshakeError, Parsed};
use crate::codec::limits::Limits;
use crate::codec::Error as CodecError;
use crate::message::Message;

use super::headers::{self, HeaderError};
use super::stream::{self, HandshakeFailure, Stream};
use super::tls::{TlsClientConfig, TlsError};
use super::url::{UrlError, WsUrl};
use super::ws::{linger_close, Incoming, WsError, WsReader, WsWriter};

/// Settings of a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Bound on TCP connect plus opening handshake.
    pub connect_timeout: Duration,
    /// Bound on the closing handshake (our close frame to the TCP close).
    pub close_timeout: Duration,
    /// Subprotocols offered, in order of preference.
    pub protocols: Vec<String>,
    /// `Origin` header, if any.
    pub origin: Option<String>,
    /// More request headers, in order (checked at connect by
    /// [`headers::validate`]).
    pub headers: Vec<(String, String)>,
    /// How `wss://` servers are verified; `None`: the built-in roots
    /// ([`TlsClientConfig::webpki_roots`]).
    pub tls: Option<TlsClientConfig>,
    /// Frame/message size limits for what the server sends.
    pub limits: Limits,
    /// permessage-deflate to offer (`None`: offer nothing; the CLI's
    /// `--no-deflate`). On by default, as in browsers.
    #[cfg(feature = "deflate")]
    pub deflate: Option<DeflateConfig>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            connect_timeout: Duration::from_secs(10),
            close_timeout: Duration::from_secs(5),
            protocols: Vec::new(),
            origin: None,
            headers: Vec::new(),
            tls: None,
            limits: Limits::default(),
            #[cfg(feature = "deflate")]
            deflate: Some(DeflateConfig::default()),
        }
    }
}

impl ClientConfig {
    /// Sets [`connect_timeout`](Self::connect_timeout) (default 10 s).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// Sets [`close_timeout`](Self::close_timeout) (default 5 s).
    pub fn close_timeout(mut self, t: Duration) -> Self {
        self.close_timeout = t;
        self
    }

    /// Sets the subprotocols to offer, in order of preference.
    pub fn protocols<S: Into<String>>(mut self, p: impl IntoIterator<Item = S>) -> Self {
        self.protocols = p.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the `Origin` header.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// Adds a request header (e.g. `Authorization`, `Cookie`). Refused at
    /// connect, as [`ClientError::InvalidHeader`], if it breaks the rules of
    /// [`headers`].
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// How `wss://` servers are verified.
    pub fn tls(mut self, tls: TlsClientConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Sets the size limits for what the server sends.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Whether and how to offer permessage-deflate.
    #[cfg(feature = "deflate")]
    pub fn deflate(mut self, deflate: Option<DeflateConfig>) -> Self {
        self.deflate = deflate;
        self
    }
}

/// Why connecting, sending or receiving failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientError {
    /// The URL is not a usable `ws://` or `wss://` URL.
    Url(UrlError),
    /// A request header of [`ClientConfig::headers`] (or the origin) cannot
    /// be sent. Nothing was sent.
    InvalidHeader(HeaderError),
    /// The host name did not resolve.
    Resolve(io::Error),
    /// TCP connect failed (refused, unreachable, ...).
    Connect(io::Error),
    /// TCP connect plus handshakes took longer than the connect timeout.
    Timeout,
    /// TLS failed: the server's certificate was refused
    /// ([`TlsError::Certificate`]), the TLS handshake or a record failed, or
    /// the TLS settings were unusable.
    Tls {
        /// What failed.
        error: TlsError,
    },
    /// The opening handshake failed; [`HandshakeError::Rejected`] carries
    /// the HTTP status of a refusal.
    Handshake(HandshakeError),
    /// The socket failed after the handshake.
    Io(io::Error),
    /// The server broke RFC 6455; the connection was failed with the close
    /// code of [`CodecError::close_code`].
    Protocol(CodecError),
    /// The message or frame cannot be sent (e.g. ping over 125 bytes, a close
    /// code one may not send). Nothing was sent.
    InvalidSend(CodecError),
    /// The connection is closing or closed: nothing more can be sent or
    /// received.
    Closed,
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Url(e) => write!(f, "bad URL: {e}"),
            ClientError::InvalidHeader(e) => write!(f, "bad request header: {e}"),
            ClientError::Tls { error } => write!(f, "TLS: {error}"),
            ClientError::Resolve(e) => write!(f, "cannot resolve host: {e}"),
            ClientError::Connect(e) => write!(f, "cannot connect: {e}"),
            ClientError::Timeout => f.write_str("connect timed out"),
            ClientError::Handshake(e) => write!(f, "handshake failed: {e}"),
            ClientError::Io(e) => write!(f, "socket error: {e}"),
            ClientError::Protocol(e) => write!(f, "protocol error: {e}"),
            ClientError::InvalidSend(e) => write!(f, "cannot send: {e}"),
            ClientError::Closed => f.write_str("the connection is closed"),
        }
    }
}

impl std::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientError::Url(e) => Some(e),
            ClientError::InvalidHeader(e) => Some(e),
            ClientError::Tls { error } => Some(error),
            ClientError::Resolve(e) | ClientError::Connect(e) | ClientError::Io(e) => Some(e),
            ClientError::Handshake(e) => Some(e),
            ClientError::Protocol(e) | ClientError::InvalidSend(e) => Some(e),
            _ => None,
        }
    }
}

impl ClientError {
    /// A short, stable name of the kind of failure (the native driver's
    /// `error` events carry it as `kind`): `url`, `header`, `resolve`,
    /// `connect`, `timeout`, `tls-certificate`, `tls`, `rejected` (the
    /// server answered the handshake with a status other than 101; see
    /// [`status`](Self::status)), `handshake`, `io`, `protocol`, `send`,
    /// `closed`.
    pub fn kind(&self) -> &'static str {
        match self {
            ClientError::Url(_) => "url",
            ClientError::InvalidHeader(_) => "header",
            ClientError::Resolve(_) => "resolve",
            ClientError::Connect(_) => "connect",
            ClientError::Timeout => "timeout",
            ClientError::Tls {
                error: TlsError::Certificate(_),
            } => "tls-certificate",
            ClientError::Tls { .. } => "tls",
            ClientError::Handshake(HandshakeError::Rejected { .. }) => "rejected",
            ClientError::Handshake(_) => "handshake",
            ClientError::Io(_) => "io",
            ClientError::Protocol(_) => "protocol",
            ClientError::InvalidSend(_) => "send",
            ClientError::Closed => "closed",
        }
    }

    /// The HTTP status of a refused handshake.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Handshake(HandshakeError::Rejected { status }) => Some(*status),
            _ => None,
        }
    }

    /// A socket error; a TLS failure inside it (a bad record, an alert
    /// after the handshake) becomes [`ClientError::Tls`].
    fn io(e: io::Error) -> Self {
        match stream::tls_error(&e) {
            Some(tls) => ClientError::Tls {
                error: tls.clone().into(),
            },
            None => ClientError::Io(e),
        }
    }
}

impl From<WsError> for ClientError {
    fn from(e: WsError) -> Self {
        match e {
            WsError::Io(e) => ClientError::io(e),
            WsError::Protocol(e) => ClientError::Protocol(e),
            WsError::Encode(e) => ClientError::InvalidSend(e),
            WsError::TimedOut => ClientError::Io(io::ErrorKind::TimedOut.into()),
            WsError::Eof => ClientError::Io(io::ErrorKind::UnexpectedEof.into()),
        }
    }
}

/// What [`Client::recv`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// A complete data message from the server.
    Message(Message),
    /// A ping from the server (already answered with a pong).
    Ping(Vec<u8>),
    /// A pong from the server.
    Pong(Vec<u8>),
    /// The connection is over. `code` is the server's close code (1005 when
    /// its close frame had none, 1006 when the TCP connection ended without
    /// a closing handshake); `was_clean` as in the browser's `CloseEvent`.
    Closed {
        /// The close code (1005: none in the close frame; 1006: no closing handshake).
        code: u16,
        /// The close reason of the server's close frame (empty if none).
        reason: String,
        /// Whether the closing handshake completed, as `CloseEvent.wasClean`.
        was_clean: bool,
    },
}

/// The writing side, shareable between threads.
#[derive(Debug)]
struct WriteSide {
    writer: Mutex<WsWriter>,
    /// When our close frame went out: no data frame may follow it
    /// (§5.5.1), and the closing handshake is bounded from then on.
    close_sent_at: Mutex<Option<Instant>>,
}

impl WriteSide {
    fn lock(&self) -> MutexGuard<'_, WsWriter> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn close_sent_at(&self) -> Option<Instant> {
        *self.close_sent_at.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn send_data(
        &self,
        f: impl FnOnce(&mut WsWriter) -> Result<(), WsError>,
    ) -> Result<(), ClientError> {
        let mut w = self.lock();
        if self.close_sent_at().is_some() {
            return Err(ClientError::Closed);
        }
        f(&mut w).map_err(ClientError::from)
    }

    /// Sends our close frame once; false if it was already sent.
    fn send_close(&self, code: Option<u16>, reason: &str) -> Result<bool, ClientError> {
        let mut w = self.lock();
        if self.close_sent_at().is_some() {
            return Ok(false);
        }
        w.close(code, reason).map_err(ClientError::from)?;
        *self.close_sent_at.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        Ok(true)
    }

    /// Close frame if `code` is given (with a short write bound: the peer
    /// may be half-open), then TCP shutdown. Never waits for the peer.
    fn abandon(&self, code: Option<u16>, reason: &str) {
        let stream = match self.lock().stream().try_clone() {
            Ok(s) => s,
            Err(_) => return,
        };
        if code.is_some() {
            let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
            let _ = self.send_close(code, reason);
        }
        let _ = stream.shutdown(Shutdown::Both);
    }
}

/// Sends on a [`Client`]'s connection from another thread (while the thread
/// that owns the `Client` blocks in [`Client::recv`]).
#[derive(Debug, Clone)]
pub struct Sender {
    side: Arc<WriteSide>,
}

impl Sender {
    /// Sends a data message as one frame; [`ClientError::Closed`] once our close frame is out.
    pub fn send(&self, msg: &Message) -> Result<(), ClientError> {
        self.side.send_data(|w| w.send(msg))
    }

    /// Sends a text message as one frame.
    pub fn send_text(&self, text: &str) -> Result<(), ClientError> {
        self.side.send_data(|w| w.text(text))
    }

    /// Sends a binary message as one frame.
    pub fn send_binary(&self, data: &[u8]) -> Result<(), ClientError> {
        self.side.send_data(|w| w.binary(data))
    }

    /// Sends a ping (payload at most 125 bytes).
    pub fn ping(&self, payload: &[u8]) -> Result<(), ClientError> {
        self.side.send_data(|w| w.ping(payload))
    }

    /// Starts the closing handshake, like [`Client::close`]; the thread in
    /// [`Client::recv`] completes it (bounded by the close timeout) and
    /// returns `Closed`.
    pub fn close(&self, code: Option<u16>, reason: &str) -> Result<(), ClientError> {
        if self.side.send_close(code, reason)? {
            Ok(())
        } else {
            Err(ClientError::Closed)
        }
    }

    /// Like [`Client::abandon`], from another thread: the thread in
    /// [`Client::recv`] then returns `Closed` (code 1006) or an error at
    /// once, which the driver ignores.
    pub fn abandon(&self, code: Option<u16>, reason: &str) {
        self.side.abandon(code, reason);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    Open,
    /// Our close frame is out; waiting for the server's.
    CloseSent {
        since: Instant,
    },
    /// Both close frames exchanged; waiting for the server to close TCP.
    Draining {
        since: Instant,
        code: u16,
        reason: String,
    },
    Done,
}

/// A connected client (see the module docs for the driver loop).
#[derive(Debug)]
pub struct Client {
    reader: WsReader,
    side: Arc<WriteSide>,
    protocol: String,
    phase: Phase,
    close_timeout: Duration,
    peer: SocketAddr,
    #[cfg(feature = "deflate")]
    deflate: Option<DeflateParams>,
}

fn connect_tcp(url: &WsUrl, deadline: Instant) -> Result<TcpStream, ClientError> {
    let addrs: Vec<SocketAddr> = (url.host.as_str(), url.port)
        .to_socket_addrs()
        .map_err(ClientError::Resolve)?
        .collect();
    let mut last = None;
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ClientError::Timeout);
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(s) => return Ok(s),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => return Err(ClientError::Timeout),
            Err(e) => last = Some(e),
        }
    }
    Err(ClientError::Connect(last.unwrap_or_else(|| {
        io::Error::new(io::ErrorKind::NotFound, "the host has no address")
    })))
}

impl Client {
    /// Connects, runs the TLS handshake (`wss://`) and the opening
    /// handshake, all within `config.connect_timeout`.
    pub fn connect(url: &str, config: &ClientConfig) -> Result<Client, ClientError> {
        let url = WsUrl::parse(url).map_err(ClientError::Url)?;
        // Everything that can be refused without the network is, first.
        let extra = config
            .headers
            .iter()
            .map(|(name, value)| headers::validate(name, value))
            .collect::<Result<Vec<_>, _>>()
            .map_err(ClientError::InvalidHeader)?;
        let request = ClientRequest::new(
            &url.host_header(),
            &url.resource,
            &config.protocols,
            config.origin.as_deref(),
        )
        .map_err(ClientError::Handshake)?;
        #[cfg(feature = "deflate")]
        let request = match &config.deflate {
            Some(deflate) => request
                .with_extensions(deflate.offer())
                .map_err(ClientError::Handshake)?,
            None => request,
        };
        let tls = match (&config.tls, url.secure) {
            (_, false) => None,
            (Some(tls), true) => Some(tls.clone()),
            (None, true) => {
                Some(TlsClientConfig::webpki_roots().map_err(|error| ClientError::Tls { error })?)
            }
        };
        let tls = match tls {
            Some(t) => Some(
                t.connect(&url.host)
                    .map_err(|error| ClientError::Tls { error })?,
            ),
            None => None,
        };
        let deadline = Instant::now() + config.connect_timeout;
        let tcp = connect_tcp(&url, deadline)?;
        let _ = tcp.set_nodelay(true);
        let mut stream = match tls {
            None => Stream::plain(tcp),
            Some(conn) => Stream::tls(tcp, conn.into(), deadline).map_err(|e| match e {
                HandshakeFailure::Tls(e) => ClientError::Tls { error: e.into() },
                HandshakeFailure::Timeout => ClientError::Timeout,
                HandshakeFailure::Io(e) => ClientError::Io(e),
            })?,
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ClientError::Timeout);
        }
        stream
            .set_write_timeout(Some(left))
            .map_err(ClientError::Io)?;
        stream
            .write_all(&headers::append(request.to_bytes(), &extra))
            .map_err(|e| timeout_or(e, ClientError::io))?;
        let mut buf = Vec::with_capacity(512);
        let mut chunk = [0u8; 1024];
        let (response, consumed) = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ClientError::Timeout);
            }
            stream
                .set_read_timeout(Some(left))
                .map_err(ClientError::Io)?;
            match stream.read(&mut chunk) {
                Ok(0) => {
                    return Err(ClientError::Io(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the server closed the connection during the handshake",
                    )))
                }
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(timeout_or(e, ClientError::io)),
            }
            match handshake::parse_response(&buf).map_err(ClientError::Handshake)? {
                Parsed::Partial => continue,
                Parsed::Complete { value, consumed } => break (value, consumed),
            }
        };
        let hello = request
            .validate_response(&response)
            .map_err(ClientError::Handshake)?;
        // RFC 7692 §7.1: an answer the offer does not allow fails the
        // connection.
        #[cfg(feature = "deflate")]
        let deflate = match &config.deflate {
            Some(offer) => offer
                .accept_response(hello.extensions.iter().map(String::as_str))
                .map_err(|_| ClientError::Handshake(HandshakeError::UnexpectedExtension))?,
            None => None,
        };
        stream.set_read_timeout(None).map_err(ClientError::Io)?;
        let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
        let peer = stream.peer_addr().map_err(ClientError::Io)?;
        let write_half = stream.try_clone().map_err(ClientError::Io)?;
        let rest = buf.split_off(consumed);
        let reader = WsReader::new(stream, Role::Client, rest, config.limits);
        let writer = WsWriter::new(write_half, Role::Client);
        #[cfg(feature = "deflate")]
        let (reader, writer) = match &deflate {
            Some(p) => (reader.with_deflate(p), writer.with_deflate(p)),
            None => (reader, writer),
        };
        Ok(Client {
            reader,
            side: Arc::new(WriteSide {
                writer: Mutex::new(writer),
                close_sent_at: Mutex::new(None),
            }),
            protocol: hello.protocol,
            phase: Phase::Open,
            close_timeout: config.close_timeout,
            peer,
            #[cfg(feature = "deflate")]
            deflate,
        })
    }

    /// The permessage-deflate parameters the server accepted (`None`: no
    /// compression on this connection).
    #[cfg(feature = "deflate")]
    pub fn deflate(&self) -> Option<&DeflateParams> {
        self.deflate.as_ref()
    }

    /// The subprotocol the server selected ("" when none).
    pub fn protocol(&self) -> &str {
        &self.protocol
    }

    /// The server's address.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// A handle to send from other threads.
    pub fn sender(&self) -> Sender {
        Sender {
            side: Arc::clone(&self.side),
        }
    }

    /// Whether the connection can still send data (no close frame sent).
    pub fn is_open(&self) -> bool {
        self.phase == Phase::Open && self.side.close_sent_at().is_none()
    }

    /// Sends a data message as one frame; [`ClientError::Closed`] once our close frame is out.
    pub fn send(&mut self, msg: &Message) -> Result<(), ClientError> {
        self.side.send_data(|w| w.send(msg))
    }

    /// Sends a text message as one frame.
    pub fn send_text(&mut self, text: &str) -> Result<(), ClientError> {
        self.side.send_data(|w| w.text(text))
    }

    /// Sends a binary message as one frame.
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), ClientError> {
        self.side.send_data(|w| w.binary(data))
    }

    /// Sends a ping (payload at most 125 bytes).
    pub fn ping(&mut self, payload: &[u8]) -> Result<(), ClientError> {
        self.side.send_data(|w| w.ping(payload))
    }

    /// Starts the closing handshake with `code`/`reason` (`None`: a close
    /// frame without a code). Keep calling [`recv`](Self::recv) until it
    /// returns `Closed`; it gives up after the close timeout.
    pub fn close(&mut self, code: Option<u16>, reason: &str) -> Result<(), ClientError> {
        match self.phase {
            Phase::Open => {}
            _ => return Err(ClientError::Closed),
        }
        if self.side.send_close(code, reason)? {
            self.phase = Phase::CloseSent {
                since: Instant::now(),
            };
            Ok(())
        } else {
            Err(ClientError::Closed)
        }
    }

    /// Drops the connection now: sends a close frame if `code` is given (not
    /// waiting for anything), then shuts the TCP connection down. For dead
    /// or unwanted sockets (heartbeat timeout, connect timeout).
    pub fn abandon(self, code: Option<u16>, reason: &str) {
        self.side.abandon(code, reason);
        let _ = self.reader.stream().shutdown(Shutdown::Both);
    }

    /// The next event, or `Ok(None)` when `deadline` passes first (`None`:
    /// no deadline). After `Closed` or an error, further calls return
    /// [`ClientError::Closed`].
    pub fn recv(&mut self, deadline: Option<Instant>) -> Result<Option<ClientEvent>, ClientError> {
        loop {
            if self.phase == Phase::Open {
                // A Sender may have started the closing handshake.
                if let Some(since) = self.side.close_sent_at() {
                    self.phase = Phase::CloseSent { since };
                }
            }
            let close_deadline = match &self.phase {
                Phase::Done => return Err(ClientError::Closed),
                Phase::Open => None,
                Phase::CloseSent { since } | Phase::Draining { since, .. } => {
                    Some(*since + self.close_timeout)
                }
            };
            let now = Instant::now();
            if close_deadline.is_some_and(|cd| cd <= now) {
                return Ok(Some(self.finish()));
            }
            let wake = match (deadline, close_deadline) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if let Some(wake) = wake {
                let left = wake.saturating_duration_since(now);
                if left.is_zero() {
                    return Ok(None);
                }
                self.reader
                    .stream()
                    .set_read_timeout(Some(left))
                    .map_err(ClientError::Io)?;
            } else {
                self.reader
                    .stream()
                    .set_read_timeout(None)
                    .map_err(ClientError::Io)?;
            }
            match self.reader.recv() {
                Ok(incoming) => {
                    if let Some(event) = self.on_incoming(incoming)? {
                        return Ok(Some(event));
                    }
                }
                Err(WsError::TimedOut) => {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Ok(None);
                    }
                }
                Err(WsError::Eof) => return Ok(Some(self.finish())),
                Err(WsError::Protocol(e)) => {
                    self.fail(&e);
                    return Err(ClientError::Protocol(e));
                }
                Err(e) => {
                    self.phase = Phase::Done;
                    let _ = self.reader.stream().shutdown(Shutdown::Both);
                    return Err(e.into());
                }
            }
        }
    }

    fn on_incoming(&mut self, incoming: Incoming) -> Result<Option<ClientEvent>, ClientError> {
        match incoming {
            Incoming::Message(m) => Ok(match self.phase {
                Phase::Open => Some(ClientEvent::Message(m)),
                // After our close frame, data is read and dropped.
                _ => None,
            }),
            Incoming::Ping(p) => {
                if self.phase == Phase::Open {
                    match self.side.send_data(|w| w.pong(&p)) {
                        Ok(()) | Err(ClientError::Closed) => {}
                        Err(e) => return Err(e),
                    }
                    Ok(Some(ClientEvent::Ping(p)))
                } else {
                    Ok(None)
                }
            }
            Incoming::Pong(p) => Ok((self.phase == Phase::Open).then_some(ClientEvent::Pong(p))),
            Incoming::Close(frame) => {
                let (code, reason) = match &frame {
                    Some(CloseFrame { code, reason }) => (code.0, reason.clone()),
                    None => (1005, String::new()),
                };
                if self.phase == Phase::Open {
                    match reply_to(frame.as_ref()) {
                        Some(f) => self.side.send_close(Some(f.code.0), &f.reason)?,
                        None => self.side.send_close(None, "")?,
                    };
                }
                // Both close frames are exchanged: the server closes TCP
                // first; wait for it (bounded by the close timeout).
                let since = match self.phase {
                    Phase::CloseSent { since } => since,
                    _ => Instant::now(),
                };
                self.phase = Phase::Draining {
                    since,
                    code,
                    reason,
                };
                Ok(None)
            }
        }
    }

    /// The TCP connection is over (the peer closed it, or the close timeout
    /// ran out): clean only if both close frames were exchanged.
    fn finish(&mut self) -> ClientEvent {
        let phase = std::mem::replace(&mut self.phase, Phase::Done);
        let _ = self.reader.stream().shutdown(Shutdown::Both);
        match phase {
            Phase::Draining { code, reason, .. } => ClientEvent::Closed {
                code,
                reason,
                was_clean: true,
            },
            _ => ClientEvent::Closed {
                code: 1006,
                reason: String::new(),
                was_clean: false,
            },
        }
    }

    /// Fails the connection (§7.1.7): close frame with the error's code,
    /// then close TCP after letting the server see it (bounded).
    fn fail(&mut self, e: &CodecError) {
        self.phase = Phase::Done;
        let frame = close_for_error(e);
        let _ = self.side.send_close(Some(frame.code.0), &frame.reason);
        let limit = self.close_timeout.min(Duration::from_secs(2));
        linger_close(self.reader.stream_mut(), limit);
    }
}

fn timeout_or(e: io::Error, f: impl FnOnce(io::Error) -> ClientError) -> ClientError {
    if matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    ) {
        ClientError::Timeout
    } else {
        f(e)
    }
}
