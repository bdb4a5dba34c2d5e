//! The native driver of the session machine: `steadyws connect`.
//!
//! It runs the same [`Session`] as the browser over the blocking
//! [`client`](super::client) transport, so the SDK's behaviour (heartbeat,
//! reconnect lock, backoff, queue) can be used and debugged from a terminal
//! against any server, and tested end to end without a browser.
//!
//! Like the browser driver it holds no policy. One thread runs the loop: it
//! feeds the session what arrives on a single channel (socket events tagged
//! with their generation, lines from the input, the end of the input) and
//! waits on that channel no longer than [`Session::poll_timeout`]. Each
//! socket generation gets a worker thread that connects and then blocks in
//! [`Client::recv`]; the loop sends, closes and abandons through the
//! client's [`Sender`], which wakes that thread. An abandoned socket leaves
//! the loop's table at once: whatever its worker reports later carries a
//! stale generation, which the session ignores.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender as ChannelSender};
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

use super::client::{Client, ClientConfig, ClientError, ClientEvent, Sender};
use super::tls::{TlsClientConfig, TlsError};
use crate::message::Message;
use crate::session::{
    Action, Config, Error as SessionError, Event, Gen, Input, RequestError, RequestId, SendError,
    Sent, Session, State, DEFAULT_RPC_ID,
};

/// Makes the URL of an attempt (its number, 1 = first), e.g. with a fresh
/// token; an `Err` is that attempt's `URL_FAILED` (with the text as its
/// `message`). Runs on a thread of its own, so it may block (fetch a token).
#[derive(Clone)]
pub struct UrlFn(pub std::sync::Arc<dyn Fn(u32) -> Result<String, String> + Send + Sync>);

impl std::fmt::Debug for UrlFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UrlFn")
    }
}

impl PartialEq for UrlFn {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Options of `steadyws connect` (the flags are
/// [`cli::CONNECT_FLAGS`](super::cli::CONNECT_FLAGS), parsed by
/// [`cli::parse_connect`](super::cli::parse_connect)).
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectArgs {
    /// The `ws://` or `wss://` URL.
    pub url: String,
    /// One JSON object per line instead of human-readable lines.
    pub json: bool,
    /// `--protocol`: the subprotocols to offer, in order.
    pub protocols: Vec<String>,
    /// Extra request headers, already checked by
    /// [`headers::validate`](super::headers::validate).
    pub headers: Vec<(String, String)>,
    /// The `Origin` header, if any.
    pub origin: Option<String>,
    /// `wss://`: trust only the CAs of this PEM file.
    pub cacert: Option<PathBuf>,
    /// `wss://`: no certificate verification.
    pub insecure: bool,
    /// The session options (ping/pong payloads are text messages).
    pub config: Config<Message>,
    /// Text replies equal to this are pongs (not printed as messages).
    pub pong: Option<String>,
    /// Close after this many ms (for scripts and tests); `None` = run until
    /// the input ends.
    pub duration: Option<u64>,
    /// Offer permessage-deflate (`--no-deflate` turns it off).
    pub deflate: bool,
    /// Makes the URL of each attempt instead of `url` (which is then only
    /// what `open` prints until the first is made).
    pub url_fn: Option<UrlFn>,
    /// The init messages of every connection (with `config.init`).
    pub init: Vec<Message>,
    /// The field of a request (an input line `?{...}`) and of its reply
    /// that carries the id.
    pub rpc_id: String,
}

impl ConnectArgs {
    /// Defaults of API.md for `url`.
    pub fn new(url: impl Into<String>) -> Self {
        ConnectArgs {
            url: url.into(),
            json: false,
            protocols: Vec::new(),
            headers: Vec::new(),
            origin: None,
            cacert: None,
            insecure: false,
            config: Config::new(Message::Text("ping".into())),
            pong: Some("pong".into()),
            duration: None,
            deflate: true,
            url_fn: None,
            init: Vec::new(),
            rpc_id: DEFAULT_RPC_ID.into(),
        }
    }

    /// The transport's settings for these options: protocols, headers,
    /// origin and TLS (reading `cacert`), with `connect_timeout` as the
    /// transport's own bound.
    pub fn client_config(&self, connect_timeout: Duration) -> Result<ClientConfig, TlsError> {
        let mut config = ClientConfig::default()
            .connect_timeout(connect_timeout)
            .protocols(self.protocols.clone());
        config.headers = self.headers.clone();
        config.origin = self.origin.clone();
        config.tls = match (&self.cacert, self.insecure) {
            (_, true) => Some(TlsClientConfig::insecure()?),
            (Some(ca), false) => Some(TlsClientConfig::with_ca_file(ca)?),
            (None, false) => None,
        };
        #[cfg(feature = "deflate")]
        if !self.deflate {
            config = config.deflate(None);
        }
        Ok(config)
    }
}

fn send_error<M>(err: &SendError<M>) -> (&'static str, &'static str) {
    match err {
        SendError::QueueFull(_) => ("QUEUE_FULL", "the send queue is full"),
        SendError::NotOpen(_) => ("NOT_OPEN", "not open and queueing is disabled"),
        _ => ("CLOSED", "the socket was closed"),
    }
}

/// Everything the loop waits for, on one channel.
enum LoopInput {
    Socket {
        gen: Gen,
        event: SocketEvent,
    },
    /// What [`ConnectArgs::url_fn`] made for attempt `gen`.
    Url {
        gen: Gen,
        url: Result<String, String>,
    },
    Line(String),
    InputEnded,
}

enum SocketEvent {
    Opened {
        protocol: String,
        sender: Sender,
    },
    Message(Message),
    Failed(ClientError),
    Closed {
        code: u16,
        reason: String,
        was_clean: bool,
    },
}

/// A socket the session still considers current: `None` while it is
/// connecting, its [`Sender`] once open.
type Live = Option<Sender>;

/// Runs `steadyws connect` until the session is closed; returns the exit
/// code: 0 after a close we asked for, 1 when the session gave up (retries
/// exhausted, fatal close code), 2 when the options are unusable (an
/// unreadable `--cacert`). Warnings (`--insecure`) go to stderr.
pub fn run(args: ConnectArgs, input: impl BufRead + Send + 'static, out: impl Write) -> i32 {
    // The session owns the connect timeout; the transport's is only a
    // backstop so a stuck worker thread ends eventually.
    let backstop = Duration::from_millis(args.config.connect_timeout.max(1) + 30_000);
    let client_config = match args.client_config(backstop) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("steadyws connect: {e}");
            return 2;
        }
    };
    if args.insecure {
        eprintln!(
            "steadyws connect: warning: --insecure: the server's TLS certificate is NOT verified; \
             anyone on the network path can read and change this connection"
        );
    }
    let (tx, rx) = mpsc::channel();
    let input_tx = tx.clone();
    thread::spawn(move || {
        for line in input.lines() {
            let Ok(line) = line else { break };
            if input_tx.send(LoopInput::Line(line)).is_err() {
                return;
            }
        }
        let _ = input_tx.send(LoopInput::InputEnded);
    });
    Driver::new(args, client_config, tx, out).run(rx)
}

struct Driver<W: Write> {
    args: ConnectArgs,
    client_config: ClientConfig,
    tx: ChannelSender<LoopInput>,
    live: HashMap<Gen, Live>,
    out: W,
    start: Instant,
    /// The time last handed to the session: printed events carry it, so
    /// their `t_ms` is the time the core saw, not when the line was written.
    event_time: u64,
    /// The session ended for a reason other than our own close.
    gave_up: bool,
    /// The URL of the current attempt.
    url: String,
    /// Why the latest URL could not be made (printed with `URL_FAILED`).
    url_error: String,
    /// Pending requests: the core's handle -> the `[rpc_id]` of the request.
    requests: HashMap<RequestId, Value>,
    /// The last id given to a request without one.
    last_id: u64,
}

impl<W: Write> Driver<W> {
    fn new(
        args: ConnectArgs,
        client_config: ClientConfig,
        tx: ChannelSender<LoopInput>,
        out: W,
    ) -> Self {
        Driver {
            url: args.url.clone(),
            url_error: String::new(),
            args,
            client_config,
            tx,
            live: HashMap::new(),
            out,
            start: Instant::now(),
            event_time: 0,
            gave_up: false,
            requests: HashMap::new(),
            last_id: 0,
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn run(mut self, rx: Receiver<LoopInput>) -> i32 {
        let seed = u64::from(std::process::id()) ^ self.start.elapsed().subsec_nanos() as u64;
        // What answers a ping is the core's rule: a text frame equal to --pong.
        let mut config = self.args.config.clone();
        config.url_per_attempt = self.args.url_fn.is_some();
        if let Some(hb) = config.heartbeat.as_mut() {
            hb.pong = self.args.pong.clone().map(Message::Text);
        }
        let mut session = match Session::new(config, seed, 0) {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(self.out, "steadyws: {e}");
                return 2;
            }
        };
        let mut closing = false;
        loop {
            while let Some(action) = session.poll() {
                if let Action::Init { gen, .. } = action {
                    // Fixed messages: handed over at once, first on the wire.
                    let now = session.now();
                    for data in self.args.init.clone() {
                        session.handle(Input::Init { gen, data }, now);
                    }
                    session.handle(Input::InitDone { gen }, now);
                    continue;
                }
                self.carry_out(&mut session, action);
            }
            if session.state() == State::Closed {
                break;
            }
            if let (Some(limit), false) = (self.args.duration, closing) {
                let now = self.now();
                if now >= limit {
                    closing = true;
                    self.event_time = now;
                    session.close(1000, String::new(), now);
                    continue;
                }
            }
            let deadline = match (session.poll_timeout(), self.args.duration) {
                (Some(t), Some(d)) if !closing => Some(t.min(d)),
                (None, Some(d)) if !closing => Some(d),
                (t, _) => t,
            };
            let received = match deadline {
                Some(at) => {
                    let wait = Duration::from_millis(at.saturating_sub(self.now()));
                    rx.recv_timeout(wait)
                }
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            let now = self.now();
            self.event_time = now;
            match received {
                Err(RecvTimeoutError::Timeout) => session.handle_timeout(now),
                // The loop holds a sender itself: the channel never disconnects.
                Err(RecvTimeoutError::Disconnected) => break,
                Ok(LoopInput::Line(line)) => self.send(&mut session, line, now),
                Ok(LoopInput::InputEnded) => {
                    if !closing {
                        closing = true;
                        session.close(1000, String::new(), now);
                    }
                }
                Ok(LoopInput::Socket { gen, event }) => {
                    self.on_socket(&mut session, gen, event, now)
                }
                Ok(LoopInput::Url { gen, url }) => {
                    if session.resolving() == Some(gen) {
                        match url {
                            Ok(url) => {
                                self.url = url;
                                session.handle(Input::UrlReady { gen }, now);
                            }
                            Err(e) => {
                                self.url_error = e;
                                session.handle(Input::UrlFailed { gen }, now);
                            }
                        }
                    }
                }
            }
        }
        let _ = self.out.flush();
        i32::from(self.gave_up)
    }

    fn send(&mut self, session: &mut Session<Message>, line: String, now: u64) {
        if let Some(json) = line.strip_prefix('?') {
            return self.request(session, json, now);
        }
        match session.send(Message::Text(line), now) {
            Ok(sent) => {
                let result = match sent {
                    Sent::Sent => "sent",
                    Sent::Queued => "queued",
                };
                self.print("send", json!({ "result": result }));
            }
            Err(err) => {
                let (code, message) = send_error(&err);
                self.print(
                    "error",
                    json!({ "name": "SendError", "code": code, "message": message }),
                );
            }
        }
    }

    /// An input line `?{...}`: a JSON object sent as a request, with
    /// `[rpc_id]` set unless it has one; its reply or its failure is printed
    /// as a `reply` event (`result`, or `error` and `code`).
    fn request(&mut self, session: &mut Session<Message>, json: &str, now: u64) {
        let key = self.args.rpc_id.clone();
        let mut req = match serde_json::from_str::<Value>(json) {
            Ok(Value::Object(map)) => map,
            _ => {
                let message = "a request is ?{...}: a JSON object";
                return self.print("error", json!({ "name": "TypeError", "message": message }));
            }
        };
        let id = match req.get(&key) {
            Some(id @ (Value::String(_) | Value::Number(_))) => id.clone(),
            _ => {
                self.last_id += 1;
                json!(self.last_id)
            }
        };
        if self.requests.values().any(|v| *v == id) {
            let message = "a request with this id is pending";
            return self.print(
                "error",
                json!({ "name": "TypeError", "message": message, "id": id }),
            );
        }
        req.insert(key, id.clone());
        let text = Value::Object(req).to_string();
        match session.request(Message::Text(text), None, now) {
            Ok(rid) => {
                self.requests.insert(rid, id.clone());
                self.print("request", json!({ "id": id }));
            }
            Err(err) => {
                let (code, message) = send_error(&err);
                self.print("reply", json!({ "id": id, "error": message, "code": code }));
            }
        }
    }

    /// A message that answers a pending request is its reply, not a message.
    fn reply(&mut self, session: &mut Session<Message>, data: &Message) -> bool {
        let Message::Text(text) = data else {
            return false;
        };
        if self.requests.is_empty() {
            return false;
        }
        let Ok(msg) = serde_json::from_str::<Value>(text) else {
            return false;
        };
        let Some(id) = msg.get(&self.args.rpc_id) else {
            return false;
        };
        let Some(rid) = self
            .requests
            .iter()
            .find(|(_, v)| *v == id)
            .map(|(k, _)| *k)
        else {
            return false;
        };
        if !session.answer(rid) {
            return false;
        }
        self.requests.remove(&rid);
        self.print("reply", json!({ "id": id, "result": msg }));
        true
    }

    fn request_failed(&mut self, rid: RequestId, error: RequestError) {
        let Some(id) = self.requests.remove(&rid) else {
            return;
        };
        let (code, message) = match error {
            RequestError::Timeout => ("REQUEST_TIMEOUT", "no reply in time"),
            RequestError::ConnectionLost => ("CONNECTION_LOST", "connection lost before the reply"),
            _ => ("CLOSED", "the socket was closed"),
        };
        self.print("reply", json!({ "id": id, "error": message, "code": code }));
    }

    fn on_socket(
        &mut self,
        session: &mut Session<Message>,
        gen: Gen,
        event: SocketEvent,
        now: u64,
    ) {
        let input = match event {
            SocketEvent::Opened { protocol, sender } => match self.live.get_mut(&gen) {
                Some(live) => {
                    *live = Some(sender);
                    Input::Opened { gen, protocol }
                }
                // Abandoned while it was connecting.
                None => return sender.abandon(None, ""),
            },
            SocketEvent::Message(data) => Input::Message { gen, data },
            SocketEvent::Failed(err) => {
                if self.live.contains_key(&gen) {
                    // `kind` says what failed (a refused certificate is
                    // `tls-certificate`), `status` the HTTP status of a
                    // refused handshake.
                    let mut fields = json!({
                        "name": "SocketError",
                        "code": "SOCKET_ERROR",
                        "message": err.to_string(),
                        "kind": err.kind(),
                    });
                    if let Some(status) = err.status() {
                        merge(&mut fields, json!({ "status": status }));
                    }
                    self.print("error", fields);
                }
                Input::Error { gen }
            }
            SocketEvent::Closed {
                code,
                reason,
                was_clean,
            } => {
                self.live.remove(&gen);
                Input::Closed {
                    gen,
                    code,
                    reason,
                    was_clean,
                }
            }
        };
        session.handle(input, now);
    }

    fn carry_out(&mut self, session: &mut Session<Message>, action: Action<Message>) {
        match action {
            Action::Connect { gen } => self.spawn_worker(gen),
            // A failed write or close surfaces as the worker's error + close.
            Action::Send { gen, data } => {
                if let Some(Some(sender)) = self.live.get(&gen) {
                    let _ = sender.send(&data);
                }
            }
            Action::Close { gen, code, reason } => {
                if let Some(Some(sender)) = self.live.get(&gen) {
                    let _ = sender.close(Some(code), &reason);
                }
            }
            // Still connecting: abandoned when its Opened arrives.
            Action::Abandon { gen, code, reason } => {
                if let Some(Some(sender)) = self.live.remove(&gen) {
                    sender.abandon(code, &reason);
                }
            }
            Action::Emit(Event::Message(data)) if self.reply(session, &data) => {}
            Action::Emit(event) => self.emit(event),
            Action::ResolveUrl { gen, attempt } => {
                let tx = self.tx.clone();
                if let Some(UrlFn(f)) = self.args.url_fn.clone() {
                    thread::spawn(move || {
                        let url = f(attempt);
                        let _ = tx.send(LoopInput::Url { gen, url });
                    });
                }
            }
            // Answered in the loop (it needs the session).
            Action::Init { .. } => {}
        }
    }

    fn spawn_worker(&mut self, gen: Gen) {
        self.live.insert(gen, None);
        let url = self.url.clone();
        let config = self.client_config.clone();
        let tx = self.tx.clone();
        thread::spawn(move || worker(gen, &url, &config, &tx));
    }

    fn emit(&mut self, event: Event<Message>) {
        match event {
            Event::Open {
                protocol,
                attempt,
                ack,
            } => {
                let url = self.url.clone();
                let mut fields = json!({ "url": url, "protocol": protocol, "attempt": attempt });
                if let Some(Message::Text(ack)) = ack {
                    merge(&mut fields, json!({ "ack": ack }));
                }
                self.print("open", fields);
            }
            Event::Message(Message::Text(text)) => self.print("message", json!({ "data": text })),
            Event::Message(Message::Binary(bytes)) => {
                let data = base64::engine::general_purpose::STANDARD.encode(bytes);
                self.print("message", json!({ "binary": true, "data": data }));
            }
            Event::Close { code, reason, was_clean, will_reconnect } => self.print(
                "close",
                json!({ "code": code, "reason": reason, "wasClean": was_clean, "willReconnect": will_reconnect }),
            ),
            Event::Reconnecting { attempt, delay } => {
                self.print("reconnecting", json!({ "attempt": attempt, "delay": delay }))
            }
            Event::HeartbeatTimeout { silent_for } => {
                self.print("heartbeat-timeout", json!({ "silentFor": silent_for }))
            }
            Event::Ping => self.print("ping", json!({})),
            Event::Pong { rtt } => self.print("pong", json!({ "rtt": rtt })),
            Event::Error(err) => {
                if matches!(
                    err,
                    SessionError::RetriesExhausted { .. } | SessionError::FatalClose { .. }
                ) {
                    self.gave_up = true;
                }
                let detail = match &err {
                    SessionError::ConnectTimeout { after } => json!({ "after": after }),
                    SessionError::RetriesExhausted { attempts } => json!({ "attempts": attempts }),
                    SessionError::FatalClose { code } => json!({ "closeCode": code }),
                    SessionError::InitTimeout { after } => json!({ "after": after }),
                    SessionError::UrlFailed => json!({ "message": self.url_error }),
                    _ => json!({}),
                };
                let mut fields = json!({ "name": "SocketError", "code": err.code() });
                merge(&mut fields, detail);
                self.print("error", fields);
            }
            Event::State { state, previous } => self.print(
                "state",
                json!({ "state": state.as_str(), "previous": previous.as_str() }),
            ),
            Event::RequestFailed { id, error } => self.request_failed(id, error),
        }
    }

    /// One line per event: JSON, or `[t ms] event field=value ...`.
    fn print(&mut self, event: &str, fields: Value) {
        let t_ms = self.event_time;
        let line = if self.args.json {
            // `event` and `t_ms` first, so the lines read well in a terminal.
            let head = json!({ "event": event, "t_ms": t_ms }).to_string();
            match fields {
                Value::Object(map) if !map.is_empty() => {
                    let rest = Value::Object(map).to_string();
                    format!("{},{}", &head[..head.len() - 1], &rest[1..])
                }
                _ => head,
            }
        } else {
            let mut line = format!("[{t_ms:>7} ms] {event}");
            if let Value::Object(map) = fields {
                for (k, v) in map {
                    match v {
                        Value::String(s) => line.push_str(&format!(" {k}={s:?}")),
                        other => line.push_str(&format!(" {k}={other}")),
                    }
                }
            }
            line
        };
        // Output is best-effort: a closed stdout must not stop the client.
        let _ = writeln!(self.out, "{line}");
        let _ = self.out.flush();
    }
}

fn merge(into: &mut Value, from: Value) {
    if let (Value::Object(a), Value::Object(b)) = (into, from) {
        a.extend(b);
    }
}

/// One socket's life: connect, then report what arrives until it closes
/// (the loop's close or abandon through the [`Sender`] ends it too).
fn worker(gen: Gen, url: &str, config: &ClientConfig, tx: &ChannelSender<LoopInput>) {
    let report = |event| tx.send(LoopInput::Socket { gen, event }).is_ok();
    let fail = |err: ClientError| {
        report(SocketEvent::Failed(err));
        report(SocketEvent::Closed {
            code: 1006,
            reason: String::new(),
            was_clean: false,
        });
    };
    let mut client = match Client::connect(url, config) {
        Ok(c) => c,
        Err(err) => return fail(err),
    };
    let opened = SocketEvent::Opened {
        protocol: client.protocol().to_owned(),
        sender: client.sender(),
    };
    // The loop is gone (the session ended): nobody wants this socket.
    if !report(opened) {
        return client.abandon(None, "");
    }
    loop {
        match client.recv(None) {
            Ok(None) | Ok(Some(ClientEvent::Ping(_) | ClientEvent::Pong(_))) => {}
            Ok(Some(ClientEvent::Message(m))) => {
                if !report(SocketEvent::Message(m)) {
                    return client.abandon(None, "");
                }
            }
            Ok(Some(ClientEvent::Closed {
                code,
                reason,
                was_clean,
            })) => {
                report(SocketEvent::Closed {
                    code,
                    reason,
                    was_clean,
                });
                return;
            }
            Err(err) => return fail(err),
        }
    }
}
