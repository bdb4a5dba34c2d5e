//! The dev/test server behind `steadyws serve`: static files, the WebSocket
//! endpoints of the dev server contract (`/echo`, `/chat`, `/silent`,
//! `/drop`, `/close`, `/flap`, `/refuse`, `/stall`, `/babble`, which
//! sends text that is not JSON and answers nothing, `/auth` and `/proto`
//! with `/token`, and `/rpc`, see [`rpc`]) and the HTTP endpoints
//! `/stats` and `/control`, all on one port; over TLS (`wss://`, `https://`)
//! when [`ServerConfig::tls`] is set (`steadyws serve --tls-cert FILE
//! --tls-key FILE`).
//!
//! One thread per TCP connection, bounded by
//! [`ServerConfig::max_connections`] (beyond it new connections get HTTP 503
//! at once); every thread ends when its peer goes away or the server stops,
//! and unregisters its connection on the way out, so `/stats` `open` goes
//! back down.
//!
//! ```no_run
//! use steadyws::native::server::{Server, ServerConfig};
//! let server = Server::bind("127.0.0.1:0", ServerConfig::default())?;
//! let handle = server.spawn()?; // serves on a background thread
//! println!("ws://{}/echo", handle.local_addr());
//! // ... dropping the handle stops the server and its connections.
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Endpoint details beyond the contract table (documented here because
//! tests rely on them):
//! - `/drop?after=N` and `/close?after=N` echo the N-th message, then drop /
//!   send the close frame. `after` defaults to 0 (right after the
//!   handshake); `/close` `code` defaults to 1000, `reason` to empty, and an
//!   unsendable code (e.g. 1005, 1006, 2000) refuses the handshake with 400.
//! - `/flap` (and a `flap` window) completes the handshake, then sends close
//!   1001 `flap` at once; `/control` `flap` also closes the client's current
//!   connections that way.
//! - A WebSocket upgrade to `/` is served as `/echo` (where conformance
//!   tools connect by default); any other unknown path answers 404.
//! - `/control`: `secs` defaults to 5 (at most 86400); `close` takes `code`
//!   (default 1000, must be sendable) and `reason` (at most 123 bytes);
//!   `affected` counts the client's connections the action reached (for
//!   `reset`: the ones taken out of silence). A missing `client` means the
//!   client id "" (connections opened without `?client=`).
//! - The server selects the first subprotocol a client offers, and accepts
//!   the first permessage-deflate offer it can honour (unless
//!   [`ServerConfig::deflate`] is `None`).
//! - `/token`, `/auth` and `/proto`: see [`auth`].
//! - A silent connection (`/silent`, `/control` `silent`) still reads and
//!   discards, so it notices when the peer goes away.

pub mod auth;
pub mod endpoints;
pub mod http;
pub mod registry;
pub mod rpc;

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::json;

use super::stream::Stream;
use super::ws::linger_close;
#[cfg(feature = "deflate")]
use crate::codec::deflate::DeflateConfig;
use crate::codec::handshake::{self, HandshakeError, Parsed, Request};
use crate::codec::limits::Limits;
use endpoints::Behavior;
use registry::{Admission, ControlAction, Registry};

/// Stack size of a connection thread.
const CONN_STACK: usize = 256 * 1024;

/// Settings of a [`Server`].
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Directory of static files; `None` serves none (404).
    pub root: Option<PathBuf>,
    /// Most TCP connections served at once (threads); more get 503.
    pub max_connections: usize,
    /// How long a client may take to send its request head.
    pub head_timeout: Duration,
    /// How long `/stall` holds a connection before giving up on it.
    pub stall_limit: Duration,
    /// How long a closing handshake may take before the TCP connection is
    /// dropped.
    pub close_timeout: Duration,
    /// Frame and message size limits of WebSocket connections.
    pub limits: Limits,
    /// Serve TLS only, with this certificate
    /// ([`tls::server_config`](super::tls::server_config)); `None`: plain
    /// TCP. The TLS handshake is bounded by `head_timeout`.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// permessage-deflate to accept when a client offers it (`None`: never;
    /// `steadyws serve --no-deflate`).
    #[cfg(feature = "deflate")]
    pub deflate: Option<DeflateConfig>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            root: None,
            max_connections: 1024,
            head_timeout: Duration::from_secs(10),
            stall_limit: Duration::from_secs(300),
            close_timeout: Duration::from_secs(5),
            limits: Limits::default(),
            tls: None,
            #[cfg(feature = "deflate")]
            deflate: Some(DeflateConfig::default()),
        }
    }
}

/// State shared by the accept loop and every connection thread.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: ServerConfig,
    pub(crate) registry: Arc<Registry>,
    active: AtomicUsize,
    stopping: AtomicBool,
    /// Every socket being served, to cut them all when the server stops.
    sockets: Mutex<HashMap<u64, TcpStream>>,
    next_socket: AtomicU64,
    /// `/token`'s tokens, for `/auth`.
    tokens: auth::Tokens,
    /// What `/rpc` received.
    pub(crate) rpc: rpc::Log,
}

/// Counts a served socket and forgets it when its thread ends.
struct SocketGuard {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for SocketGuard {
    fn drop(&mut self) {
        self.shared
            .sockets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
        self.shared.active.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A bound dev server, not yet serving.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    shared: Arc<Shared>,
}

impl Server {
    /// Binds the listening socket (port 0 picks a free port).
    pub fn bind(addr: impl ToSocketAddrs, config: ServerConfig) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        Ok(Server {
            listener,
            shared: Arc::new(Shared {
                config,
                registry: Registry::new(),
                active: AtomicUsize::new(0),
                stopping: AtomicBool::new(false),
                sockets: Mutex::new(HashMap::new()),
                next_socket: AtomicU64::new(0),
                tokens: auth::Tokens::default(),
                rpc: rpc::Log::default(),
            }),
        })
    }

    /// The bound address (with the real port when 0 was asked).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The connection registry (what `/stats` reports).
    pub fn registry(&self) -> Arc<Registry> {
        Arc::clone(&self.shared.registry)
    }

    /// Serves on the calling thread until the server is stopped (only a
    /// [`ServerHandle`] can stop it; `run` is for the command line).
    pub fn run(self) -> io::Result<()> {
        accept_loop(&self.listener, &self.shared);
        Ok(())
    }

    /// Serves on a background thread; the handle stops it when dropped.
    pub fn spawn(self) -> io::Result<ServerHandle> {
        let addr = self.local_addr()?;
        let shared = Arc::clone(&self.shared);
        let thread = std::thread::Builder::new()
            .name("steadyws-accept".into())
            .spawn(move || accept_loop(&self.listener, &self.shared))?;
        Ok(ServerHandle {
            addr,
            shared,
            thread: Some(thread),
        })
    }
}

/// A server running on a background thread. Dropping it (or calling
/// [`ServerHandle::stop`]) stops accepting, cuts every connection and joins
/// the accept thread.
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// The address it listens on (the port read back after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The connection registry (what `/stats` reports).
    pub fn registry(&self) -> Arc<Registry> {
        Arc::clone(&self.shared.registry)
    }

    /// `ws://ADDR` (`wss://` over TLS) followed by `path` (e.g.
    /// `"/echo?client=a"`).
    pub fn ws_url(&self, path: &str) -> String {
        let scheme = if self.shared.config.tls.is_some() {
            "wss"
        } else {
            "ws"
        };
        format!("{scheme}://{}{path}", self.addr)
    }

    /// TCP connections being served now (any kind, including `/stall`).
    pub fn active_connections(&self) -> usize {
        self.shared.active.load(Ordering::Acquire)
    }

    /// Stops the server (same as dropping the handle).
    pub fn stop(mut self) {
        self.stop_inner();
    }

    fn stop_inner(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        self.shared.stopping.store(true, Ordering::Release);
        // Wake the blocking accept() with a connection of our own.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        let _ = thread.join();
        let sockets = self
            .shared
            .sockets
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        for s in sockets.values() {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop_inner();
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::Acquire) {
            break;
        }
        let Ok(stream) = stream else {
            // EMFILE and friends: back off a little instead of spinning.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        if shared.active.load(Ordering::Acquire) >= shared.config.max_connections {
            // Over TLS an answer would need a handshake, which is the work
            // being refused: the connection is just closed.
            if shared.config.tls.is_none() {
                let mut stream = stream;
                let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
                let _ =
                    stream.write_all(&handshake::reject_response(503, "too many connections\n"));
            }
            continue;
        }
        shared.active.fetch_add(1, Ordering::AcqRel);
        let id = shared.next_socket.fetch_add(1, Ordering::Relaxed);
        if let Ok(clone) = stream.try_clone() {
            shared
                .sockets
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(id, clone);
        }
        let guard = SocketGuard {
            shared: Arc::clone(shared),
            id,
        };
        let spawned = std::thread::Builder::new()
            .name("steadyws-conn".into())
            // Buffers live on the heap; a small stack keeps a thousand
            // connections cheap.
            .stack_size(CONN_STACK)
            .spawn(move || {
                let guard = guard;
                serve_connection(stream, &guard.shared);
            });
        // When no thread can be made the closure (and its guard, and the
        // stream) is dropped, which undoes the bookkeeping above.
        drop(spawned);
    }
}

/// Reads a request head: `Ok(None)` when the peer went away or was too slow
/// (nothing worth answering).
fn read_head(
    stream: &mut Stream,
    timeout: Duration,
) -> Result<Option<(Request, Vec<u8>)>, HandshakeError> {
    let deadline = Instant::now() + timeout;
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Ok(None);
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return Ok(None),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if let Parsed::Complete { value, consumed } = handshake::parse_request(&buf)? {
            let rest = buf.split_off(consumed);
            return Ok(Some((value, rest)));
        }
    }
}

fn serve_connection(tcp: TcpStream, shared: &Arc<Shared>) {
    let _ = tcp.set_nodelay(true);
    let mut stream = match &shared.config.tls {
        None => Stream::plain(tcp),
        Some(config) => {
            let deadline = Instant::now() + shared.config.head_timeout;
            let conn = match rustls::ServerConnection::new(Arc::clone(config)) {
                Ok(c) => c,
                Err(_) => return,
            };
            // A client that does not trust the certificate, or speaks
            // plain HTTP, ends here (rustls has sent it an alert).
            match Stream::tls(tcp, conn.into(), deadline) {
                Ok(s) => s,
                Err(_) => return,
            }
        }
    };
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let (req, rest) = match read_head(&mut stream, shared.config.head_timeout) {
        Ok(Some(r)) => r,
        Ok(None) => return,
        Err(e) => {
            let _ = stream.write_all(&handshake::reject_response(e.status(), &format!("{e}\n")));
            linger_close(&mut stream, Duration::from_secs(1));
            return;
        }
    };
    route(stream, req, rest, shared);
}

fn route(mut stream: Stream, req: Request, rest: Vec<u8>, shared: &Arc<Shared>) {
    let pairs = http::parse_query(req.query());
    let client = http::query_get(&pairs, "client").unwrap_or("").to_owned();
    let head_only = req.method == "HEAD";
    let path = req.path().to_owned();
    let behavior = match path.as_str() {
        "/stats" => return respond(stream, stats(&req, &pairs, shared, head_only)),
        "/control" => return respond(stream, control(&req, &pairs, shared, head_only)),
        "/stall" => return stall(stream, shared),
        "/token" => {
            let body = json!({ "token": shared.tokens.issue() });
            return respond(stream, Some((200, body, head_only)));
        }
        "/auth" => match auth::parse_auth(&pairs, &shared.tokens) {
            Ok(b) => Ok(b),
            Err(auth::Refusal::Bad(msg)) => Err(msg),
            Err(auth::Refusal::Unauthorized) => {
                let resp = handshake::reject_response(401, "a fresh token from /token is needed\n");
                let _ = stream.write_all(&resp);
                linger_close(&mut stream, Duration::from_secs(1));
                return;
            }
        },
        "/proto" => auth::parse_proto(&pairs),
        "/refuse" => {
            let status = match http::query_get(&pairs, "status") {
                None => Ok(503),
                Some(s) => s
                    .parse::<u16>()
                    .ok()
                    .filter(|s| (200..=599).contains(s))
                    .ok_or(()),
            };
            let resp = match status {
                Ok(status) => handshake::reject_response(status, "refused\n"),
                Err(()) => handshake::reject_response(400, "status must be 200-599\n"),
            };
            let _ = stream.write_all(&resp);
            linger_close(&mut stream, Duration::from_secs(1));
            return;
        }
        "/echo" => Ok(Behavior::Echo),
        "/chat" => Ok(Behavior::Chat),
        "/silent" => Ok(Behavior::Silent),
        "/rpc" => Ok(Behavior::Rpc),
        "/rpc/log" => {
            let body = shared.rpc.json(&client);
            return respond(stream, Some((200, body, head_only)));
        }
        "/flap" => Ok(Behavior::Flap),
        "/babble" => endpoints::parse_babble(&pairs),
        "/drop" => endpoints::parse_after(&pairs).map(|after| Behavior::Drop { after }),
        "/close" => endpoints::parse_close(&pairs),
        "/" if req.wants_websocket() => Ok(Behavior::Echo),
        _ if req.wants_websocket() => {
            let _ = stream.write_all(&handshake::reject_response(404, "no such endpoint\n"));
            linger_close(&mut stream, Duration::from_secs(1));
            return;
        }
        _ => {
            let result = match (req.method.as_str(), &shared.config.root) {
                ("GET" | "HEAD", Some(root)) => {
                    http::serve_static(&mut stream, root, &path, head_only)
                }
                ("GET" | "HEAD", None) => http::write_response(
                    &mut stream,
                    404,
                    &[("Content-Type", "text/plain; charset=utf-8")],
                    b"no static root\n",
                    head_only,
                ),
                _ => http::write_response(&mut stream, 405, &[("Allow", "GET, HEAD")], b"", false),
            };
            if result.is_ok() {
                linger_close(&mut stream, Duration::from_secs(1));
            }
            return;
        }
    };
    let behavior = match behavior {
        Ok(b) => b,
        Err(msg) => {
            let _ = stream.write_all(&handshake::reject_response(400, &format!("{msg}\n")));
            linger_close(&mut stream, Duration::from_secs(1));
            return;
        }
    };
    if !req.wants_websocket() {
        let _ = stream.write_all(&handshake::reject_response(
            426,
            "this is a WebSocket endpoint\n",
        ));
        linger_close(&mut stream, Duration::from_secs(1));
        return;
    }
    let hello = match handshake::validate_request(&req) {
        Ok(h) => h,
        Err(e) => {
            let _ = stream.write_all(&handshake::reject_response(e.status(), &format!("{e}\n")));
            linger_close(&mut stream, Duration::from_secs(1));
            return;
        }
    };
    let behavior = match shared.registry.admission(&client) {
        Admission::Outage => {
            let _ = stream.write_all(&handshake::reject_response(503, "outage\n"));
            linger_close(&mut stream, Duration::from_secs(1));
            return;
        }
        Admission::Flap => Behavior::Flap,
        Admission::Normal => behavior,
    };
    let protocol = hello.protocols.first().map(String::as_str);
    #[cfg_attr(not(feature = "deflate"), allow(unused_mut))]
    let mut extra = vec!["Server: steadyws".to_owned()];
    #[cfg(feature = "deflate")]
    let deflate = match shared
        .config
        .deflate
        .as_ref()
        .and_then(|d| d.negotiate(hello.extensions.iter().map(String::as_str)))
    {
        Some((params, answer)) => {
            extra.push(format!("Sec-WebSocket-Extensions: {answer}"));
            Some(params)
        }
        None => None,
    };
    #[cfg(not(feature = "deflate"))]
    let deflate = None;
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    if stream
        .write_all(&handshake::accept_response(&hello, protocol, &extra))
        .is_err()
    {
        return;
    }
    endpoints::run(stream, rest, client, behavior, deflate, shared);
}

/// A finished HTTP answer: status and JSON body.
type JsonAnswer = (u16, serde_json::Value, bool);

fn respond(mut stream: Stream, answer: Option<JsonAnswer>) {
    let result = match answer {
        Some((status, body, head_only)) => http::write_json(&mut stream, status, &body, head_only),
        // CORS preflight.
        None => http::write_response(
            &mut stream,
            204,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
                ("Access-Control-Allow-Headers", "*"),
                ("Access-Control-Max-Age", "600"),
            ],
            b"",
            false,
        ),
    };
    if result.is_ok() {
        linger_close(&mut stream, Duration::from_secs(1));
    }
}

fn stats_json(s: registry::ClientStats) -> serde_json::Value {
    json!({ "open": s.open, "peak": s.peak, "total": s.total })
}

fn stats(
    req: &Request,
    pairs: &[(String, String)],
    shared: &Shared,
    head_only: bool,
) -> Option<JsonAnswer> {
    match req.method.as_str() {
        "OPTIONS" => return None,
        "GET" | "HEAD" => {}
        _ => {
            return Some((405, json!({ "ok": false, "error": "use GET" }), head_only));
        }
    }
    let body = match http::query_get(pairs, "client") {
        Some(id) => {
            let s = shared.registry.stats(id);
            json!({ "client": id, "open": s.open, "peak": s.peak, "total": s.total })
        }
        None => {
            let clients: serde_json::Map<String, serde_json::Value> = shared
                .registry
                .all_stats()
                .into_iter()
                .map(|(id, s)| (id, stats_json(s)))
                .collect();
            json!({ "clients": clients })
        }
    };
    Some((200, body, head_only))
}

fn control(
    req: &Request,
    pairs: &[(String, String)],
    shared: &Shared,
    head_only: bool,
) -> Option<JsonAnswer> {
    match req.method.as_str() {
        "OPTIONS" => return None,
        "GET" | "POST" | "HEAD" => {}
        _ => {
            return Some((
                405,
                json!({ "ok": false, "error": "use GET or POST" }),
                head_only,
            ));
        }
    }
    let bad = |error: String| Some((400, json!({ "ok": false, "error": error }), head_only));
    let client = http::query_get(pairs, "client").unwrap_or("");
    let secs = || -> Result<u64, String> {
        match http::query_get(pairs, "secs") {
            None => Ok(5),
            Some(s) => s
                .parse::<u64>()
                .ok()
                .filter(|s| *s <= 86_400)
                .ok_or_else(|| format!("secs must be 0-86400, got {s:?}")),
        }
    };
    let reason = http::query_get(pairs, "reason").unwrap_or("");
    let action = match http::query_get(pairs, "action") {
        Some("silent") => ControlAction::Silent,
        Some("drop") => ControlAction::Drop,
        Some("close") => match endpoints::parse_close_code(pairs) {
            Ok(code) if reason.len() <= 123 => ControlAction::Close { code, reason },
            Ok(_) => return bad("reason must be at most 123 bytes".into()),
            Err(e) => return bad(e),
        },
        Some("outage") => match secs() {
            Ok(secs) => ControlAction::Outage { secs },
            Err(e) => return bad(e),
        },
        Some("flap") => match secs() {
            Ok(secs) => ControlAction::Flap { secs },
            Err(e) => return bad(e),
        },
        Some("reset") => ControlAction::Reset,
        Some(other) => return bad(format!("unknown action {other:?}")),
        None => return bad("missing action".into()),
    };
    let affected = shared.registry.control(client, action);
    Some((200, json!({ "ok": true, "affected": affected }), head_only))
}

/// `/stall`: holds the TCP connection without answering, until the peer
/// goes away, the server stops, or [`ServerConfig::stall_limit`].
fn stall(mut stream: Stream, shared: &Shared) {
    let deadline = Instant::now() + shared.config.stall_limit;
    let mut sink = [0u8; 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match stream.read(&mut sink) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), io::ErrorKind::Interrupted) => {}
            Err(_) => break,
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
}
