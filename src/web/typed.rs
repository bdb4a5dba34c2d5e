//! The typed Rust API: [`Socket<In, Out>`] for Rust front ends.
//!
//! The same driver as the npm package, with messages decoded into `In` and
//! encoded from `Out` through serde. Everything here is generic, so it is only
//! compiled into a binary that uses it: the npm bundle does not pay for it.
//!
//! Defaults are the JS API's, from the same place
//! ([`crate::session::Config`]). With [`Config::json`] on, text frames carry
//! JSON and are decoded into `In`; off (the default, as in JS) a text frame
//! is handed to serde as a plain string (use `In = String`). Binary frames
//! arrive as [`SocketEvent::Binary`].
//!
//! # Events as a stream
//!
//! ```no_run
//! use core::pin::Pin;
//! use futures_core::Stream;
//! use steadyws::web::{Config, Socket, SocketError, SocketEvent};
//!
//! #[derive(serde::Deserialize)]
//! enum ServerMsg { Tick(u64) }
//! #[derive(serde::Serialize)]
//! enum ClientMsg { Subscribe(String) }
//!
//! # fn main() -> Result<(), SocketError> {
//! let config = Config::new("wss://example.com/feed").json(true);
//! let (socket, mut events) = Socket::<ServerMsg, ClientMsg>::connect_stream(config)
//!     .expect("valid options");
//! socket.send(&ClientMsg::Subscribe("prices".into()))?; // queued until open
//! wasm_bindgen_futures::spawn_local(async move {
//!     // `StreamExt::next` from the futures crate does the same.
//!     while let Some(event) = core::future::poll_fn(|cx| Pin::new(&mut events).poll_next(cx)).await {
//!         if let SocketEvent::Message(ServerMsg::Tick(_n)) = event { /* ... */ }
//!     }
//! });
//! # Ok(())
//! # }
//! ```
//!
//! The framework examples below are sketches (they need Yew, Leptos or
//! Dioxus, which this crate does not depend on), so they are not compiled.
//!
//! # Yew
//!
//! Keep the socket in component state; dropping it (on unmount) closes it.
//!
//! ```ignore
//! #[function_component]
//! fn Feed() -> Html {
//!     let last = use_state(|| None::<ServerMsg>);
//!     let socket = {
//!         let last = last.clone();
//!         use_mut_ref(move || {
//!             Socket::<ServerMsg, ClientMsg>::connect(
//!                 Config::new("wss://example.com/feed"),
//!                 move |event| if let SocketEvent::Message(m) = event { last.set(Some(m)) },
//!             )
//!             .ok()
//!         })
//!     };
//!     let onclick = Callback::from(move |_| {
//!         if let Some(s) = socket.borrow().as_ref() {
//!             let _ = s.send(&ClientMsg::Subscribe("prices".into()));
//!         }
//!     });
//!     html! { <button {onclick}>{ format!("{:?}", *last) }</button> }
//! }
//! ```
//!
//! # Leptos
//!
//! Feed a signal from the callback; `on_cleanup` drops (closes) the socket.
//!
//! ```ignore
//! #[component]
//! fn Feed() -> impl IntoView {
//!     let (last, set_last) = signal(None::<ServerMsg>);
//!     let socket = Socket::<ServerMsg, ClientMsg>::connect(
//!         Config::new("wss://example.com/feed"),
//!         move |event| if let SocketEvent::Message(m) = event { set_last.set(Some(m)) },
//!     )
//!     .ok();
//!     let socket = StoredValue::new_local(socket);
//!     on_cleanup(move || socket.update_value(|s| *s = None));
//!     view! { <p>{move || format!("{:?}", last.get())}</p> }
//! }
//! ```
//!
//! # Dioxus
//!
//! Consume the event stream in a coroutine owned by the component.
//!
//! ```ignore
//! fn Feed() -> Element {
//!     let mut last = use_signal(|| None::<ServerMsg>);
//!     use_coroutine(move |_rx: UnboundedReceiver<()>| async move {
//!         let Ok((_socket, mut events)) = Socket::<ServerMsg, ClientMsg>::connect_stream(
//!             Config::new("wss://example.com/feed"),
//!         ) else { return };
//!         while let Some(event) = events.next().await {
//!             if let SocketEvent::Message(m) = event { last.set(Some(m)) }
//!         }
//!     });
//!     rsx! { p { "{last:?}" } }
//! }
//! ```

use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::driver::{Answer, Options, PageListeners, PongPredicate, Shared, Sink};
use super::request::{Request, RequestFailure, Table};
use super::sys;
use crate::session::{
    self, ConfigError, Event, Gen, HeartbeatConfig, QueueConfig, ReconnectConfig, Sent, State,
    Stats, DEFAULT_CLOSE_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_HEARTBEAT_MS, DEFAULT_JSON,
    DEFAULT_PING, DEFAULT_PONG, DEFAULT_REQUEST_TIMEOUT, DEFAULT_RPC_ID,
};

/// Heartbeat options (JS `heartbeat`).
pub struct Heartbeat<In> {
    /// ms of silence before a ping is sent.
    pub interval: u64,
    /// ms to wait for any message after the ping.
    pub timeout: u64,
    ping: JsValue,
    pong: Option<PongRule<In>>,
}

enum PongRule<In> {
    Text(String),
    When(Box<dyn Fn(&In) -> bool>),
}

impl<In> Heartbeat<In> {
    /// Pings with text `ping` and treats a text `pong` as the reply.
    pub fn new(interval: u64, timeout: u64) -> Self {
        Heartbeat {
            interval,
            timeout,
            ping: JsValue::from_str(DEFAULT_PING),
            pong: Some(PongRule::Text(DEFAULT_PONG.into())),
        }
    }

    /// The ping as a text frame.
    pub fn ping_text(mut self, text: &str) -> Self {
        self.ping = JsValue::from_str(text);
        self
    }

    /// The ping as a binary frame.
    pub fn ping_binary(mut self, bytes: &[u8]) -> Self {
        self.ping = js_sys::Uint8Array::from(bytes).into();
        self
    }

    /// A text frame equal to `text` is the reply (compared before decoding).
    pub fn pong_text(mut self, text: &str) -> Self {
        self.pong = Some(PongRule::Text(text.into()));
        self
    }

    /// Decoded messages for which `matches` returns true are the reply; they
    /// are not delivered as [`SocketEvent::Message`].
    pub fn pong_when(mut self, matches: impl Fn(&In) -> bool + 'static) -> Self {
        self.pong = Some(PongRule::When(Box::new(matches)));
        self
    }
}

/// Reconnection options (JS `reconnect`): the session's own options, whose
/// `Default` is that of the JS API.
pub type Reconnect = ReconnectConfig;

/// Everything a [`Socket`] is configured with; mirrors the JS options.
pub struct Config<In> {
    url: String,
    protocols: Vec<String>,
    json: bool,
    connect_timeout: u64,
    close_timeout: u64,
    heartbeat: Option<Heartbeat<In>>,
    reconnect: Option<Reconnect>,
    queue: Option<QueueConfig>,
    web_socket: Option<js_sys::Function>,
    url_fn: Option<UrlFn>,
    init: Option<Init<In>>,
    rpc_id: String,
    request_timeout: u64,
}

/// Makes the URL of an attempt (its number, 1 = first); `None` fails the
/// attempt with `URL_FAILED` (backoff and retries apply).
type UrlFn = Box<dyn Fn(u32) -> Option<String>>;

/// The app-level handshake of every connection (JS `init`): text messages
/// sent first, and what acknowledges them.
pub struct Init<In> {
    messages: Vec<String>,
    ack: Option<AckRule<In>>,
    timeout: u64,
}

enum AckRule<In> {
    Text(String),
    When(Box<dyn Fn(&In) -> bool>),
}

impl<In> Init<In> {
    /// Sends these text messages first on every connection; no ack.
    pub fn new(messages: &[&str]) -> Self {
        Init {
            messages: messages.iter().map(|m| String::from(*m)).collect(),
            ack: None,
            timeout: session::DEFAULT_INIT_TIMEOUT,
        }
    }

    /// Open for the app once a text frame equal to `text` arrives.
    pub fn ack_text(mut self, text: &str) -> Self {
        self.ack = Some(AckRule::Text(text.into()));
        self
    }

    /// Open for the app once a decoded message matches.
    pub fn ack_when(mut self, matches: impl Fn(&In) -> bool + 'static) -> Self {
        self.ack = Some(AckRule::When(Box::new(matches)));
        self
    }

    /// ms from the open to the ack (default 10000).
    pub fn timeout(mut self, ms: u64) -> Self {
        self.timeout = ms;
        self
    }
}

impl<In> Config<In> {
    /// A URL made before every attempt (a fresh token each time): `f` gets
    /// the attempt number; `None` fails that attempt (`URL_FAILED`).
    pub fn url_with(mut self, f: impl Fn(u32) -> Option<String> + 'static) -> Self {
        self.url_fn = Some(Box::new(f));
        self
    }

    /// The app-level handshake of every connection.
    pub fn init(mut self, init: Init<In>) -> Self {
        self.init = Some(init);
        self
    }
}

impl<In> Config<In> {
    /// The JS defaults (those of [`session::Config`]): text frames as
    /// strings (see [`json`](Self::json)), 10 s connect timeout, heartbeat
    /// every 10 s of silence with a 10 s timeout, reconnect with backoff
    /// 1-30 s, a queue of 1000 messages / 1 MiB.
    pub fn new(url: &str) -> Self {
        Config {
            url: url.into(),
            protocols: Vec::new(),
            json: DEFAULT_JSON,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            close_timeout: DEFAULT_CLOSE_TIMEOUT,
            heartbeat: Some(Heartbeat::new(DEFAULT_HEARTBEAT_MS, DEFAULT_HEARTBEAT_MS)),
            reconnect: Some(Reconnect::default()),
            queue: Some(QueueConfig::default()),
            web_socket: None,
            url_fn: None,
            init: None,
            rpc_id: DEFAULT_RPC_ID.into(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        }
    }

    /// The constructor used for every attempt (JS `WebSocket`), called as
    /// `new ctor(url, protocols)`; default: the global `WebSocket`. For
    /// tests and polyfills.
    pub fn web_socket(mut self, ctor: js_sys::Function) -> Self {
        self.web_socket = Some(ctor);
        self
    }

    /// [`Socket::request`]: the field of a request and its reply that
    /// carries the id (JS `rpc.id`, default `"id"`) and how long a request
    /// waits for its reply (`rpc.timeout`, default 10 s; `u64::MAX`: forever).
    pub fn rpc(mut self, id: &str, timeout_ms: u64) -> Self {
        self.rpc_id = id.into();
        self.request_timeout = timeout_ms;
        self
    }

    /// Subprotocols to offer (JS `protocols`).
    pub fn protocols(mut self, protocols: &[&str]) -> Self {
        self.protocols = protocols.iter().map(|p| String::from(*p)).collect();
        self
    }

    /// Text frames carry JSON, decoded into `In` (default off, as in JS: text
    /// is then decoded as a plain string).
    pub fn json(mut self, on: bool) -> Self {
        self.json = on;
        self
    }

    /// ms a socket may stay CONNECTING; 0 disables.
    pub fn connect_timeout(mut self, ms: u64) -> Self {
        self.connect_timeout = ms;
        self
    }

    /// ms `close()` waits for the closing handshake.
    pub fn close_timeout(mut self, ms: u64) -> Self {
        self.close_timeout = ms;
        self
    }

    /// `None` turns the heartbeat off.
    pub fn heartbeat(mut self, heartbeat: Option<Heartbeat<In>>) -> Self {
        self.heartbeat = heartbeat;
        self
    }

    /// `None` turns reconnection off.
    pub fn reconnect(mut self, reconnect: Option<Reconnect>) -> Self {
        self.reconnect = reconnect;
        self
    }

    /// `None` turns the send queue off (`send` while not open fails).
    pub fn queue(mut self, max_messages: Option<usize>, max_bytes: usize) -> Self {
        self.queue = max_messages.map(|max_messages| QueueConfig {
            max_messages,
            max_bytes,
        });
        self
    }
}

/// What a [`Socket`] reports.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SocketEvent<In> {
    /// The connection opened (JS `'open'`).
    Open {
        /// The subprotocol the server chose (empty: none).
        protocol: String,
        /// 1 for the first attempt, counting up while attempts fail.
        attempt: u32,
        /// The message that acknowledged the init, decoded (if awaited).
        ack: Option<In>,
    },
    /// A text frame, decoded.
    Message(In),
    /// A binary frame.
    Binary(Vec<u8>),
    /// A connection ended (JS `'close'`).
    Close {
        /// The close code (1006 when the core gave the socket up).
        code: u16,
        /// The close reason.
        reason: String,
        /// Whether the closing handshake completed.
        was_clean: bool,
        /// Whether another attempt follows.
        will_reconnect: bool,
    },
    /// Waiting out a backoff delay (JS `'reconnecting'`).
    Reconnecting {
        /// The number of the attempt that follows.
        attempt: u32,
        /// ms until it starts.
        delay: u64,
    },
    /// The heartbeat found the connection dead (JS `'heartbeat-timeout'`).
    HeartbeatTimeout {
        /// ms since the last message.
        silent_for: u64,
    },
    /// A heartbeat ping was sent.
    Ping,
    /// A heartbeat ping was answered.
    Pong {
        /// ms from the ping to the reply.
        rtt: u64,
    },
    /// Something went wrong (JS `'error'`).
    Error(SocketError),
    /// The public state changed (JS `'state'`).
    State {
        /// The new state.
        state: State,
        /// The state before.
        previous: State,
    },
}

/// Errors of a [`Socket`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SocketError {
    /// From the connection (socket error, timeouts, retries exhausted).
    Session(session::Error),
    /// A text frame that is not JSON.
    InvalidJson {
        /// The frame's text.
        text: String,
    },
    /// A message that did not decode into `In`.
    Decode {
        /// What serde said.
        reason: String,
    },
    /// A message that did not encode (`send`).
    Encode {
        /// What serde said, or why it has no JSON form.
        reason: String,
    },
    /// The send queue is full; nothing was queued.
    QueueFull,
    /// Not open and the queue is off.
    NotOpen,
    /// `close()` was called.
    Closed,
}

/// Events of a [`Socket`] as a `futures::Stream`; ends when the socket is
/// dropped.
pub struct Events<In> {
    chan: Rc<RefCell<Chan<In>>>,
}

/// An unbounded single-threaded channel: the socket's callback pushes, the
/// stream pops.
struct Chan<In> {
    queue: VecDeque<SocketEvent<In>>,
    waker: Option<Waker>,
    ended: bool,
}

/// The pushing end, owned by the socket; dropping it ends the stream.
struct Pusher<In>(Rc<RefCell<Chan<In>>>);

impl<In> Pusher<In> {
    fn push(&self, event: SocketEvent<In>) {
        let mut chan = self.0.borrow_mut();
        chan.queue.push_back(event);
        if let Some(waker) = chan.waker.take() {
            waker.wake();
        }
    }
}

impl<In> Drop for Pusher<In> {
    fn drop(&mut self) {
        let mut chan = self.0.borrow_mut();
        chan.ended = true;
        if let Some(waker) = chan.waker.take() {
            waker.wake();
        }
    }
}

impl<In> futures_core::Stream for Events<In> {
    type Item = SocketEvent<In>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut chan = self.chan.borrow_mut();
        match chan.queue.pop_front() {
            Some(event) => Poll::Ready(Some(event)),
            None if chan.ended => Poll::Ready(None),
            None => {
                chan.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// A reconnecting WebSocket with typed messages. Dropping it starts the
/// closing handshake (code 1000) and releases every handler and timer at once;
/// an [`Events`] stream then ends.
pub struct Socket<In, Out> {
    shared: Rc<Shared>,
    requests: Rc<Table>,
    /// Page events (online/offline/visibility/bfcache), until closed.
    page: Rc<RefCell<Option<PageListeners>>>,
    json: bool,
    _types: PhantomData<fn(Out) -> In>,
}

impl<In: DeserializeOwned + 'static, Out: Serialize> Socket<In, Out> {
    /// Creates the socket and starts connecting; `on_event` receives every
    /// event. It may call back into the socket (send, close, ...).
    pub fn connect(
        config: Config<In>,
        mut on_event: impl FnMut(SocketEvent<In>) + 'static,
    ) -> Result<Self, ConfigError> {
        let Config {
            url,
            protocols,
            json,
            connect_timeout,
            close_timeout,
            heartbeat,
            reconnect,
            queue,
            web_socket,
            url_fn,
            init,
            rpc_id,
            request_timeout,
        } = config;
        let ctor = match web_socket {
            Some(ctor) => ctor,
            None => super::sys::global_web_socket().ok_or(ConfigError {
                field: crate::session::Opt::WebSocket,
                reason: crate::session::Reason::NoWebSocket,
            })?,
        };
        let mut predicate: Option<PongPredicate> = None;
        let heartbeat = heartbeat.map(|h| {
            let pong = match h.pong {
                Some(PongRule::Text(t)) => Some(JsValue::from_str(&t)),
                Some(PongRule::When(f)) => {
                    predicate = Some(Box::new(move |raw: &JsValue| {
                        decode::<In>(raw, json).is_ok_and(|m| f(&m))
                    }));
                    None
                }
                None => None,
            };
            HeartbeatConfig {
                interval: h.interval,
                timeout: h.timeout,
                ping: h.ping,
                pong,
                any_message_counts: true,
            }
        });
        let mut ack_predicate: Option<PongPredicate> = None;
        let init_messages = init.as_ref().map_or_else(Vec::new, |i| i.messages.clone());
        let init = init.map(|i| session::InitConfig {
            ack: match i.ack {
                None => session::Ack::None,
                Some(AckRule::Text(t)) => session::Ack::Equals(JsValue::from_str(&t)),
                Some(AckRule::When(f)) => {
                    ack_predicate = Some(Box::new(move |raw: &JsValue| {
                        decode::<In>(raw, json).is_ok_and(|m| f(&m))
                    }));
                    session::Ack::Driver
                }
            },
            timeout: i.timeout,
        });
        let config = session::Config {
            connect_timeout,
            close_timeout,
            heartbeat,
            reconnect,
            queue,
            url_per_attempt: url_fn.is_some(),
            init,
            request_timeout,
        };
        let protocols = if protocols.is_empty() {
            JsValue::UNDEFINED
        } else {
            protocols
                .iter()
                .map(|p| JsValue::from_str(p))
                .collect::<js_sys::Array>()
                .into()
        };
        let opts = Options {
            url: if url_fn.is_some() {
                None
            } else {
                Some(JsValue::from_str(&url))
            },
            protocols,
            ctor,
            blob: false,
            pong: predicate,
            ack: ack_predicate,
        };
        let page: Rc<RefCell<Option<PageListeners>>> = Rc::default();
        let page_in_sink = page.clone();
        let requests = Table::new(&rpc_id);
        let sink = TypedSink {
            json,
            url_fn,
            init_messages,
            requests: requests.clone(),
            on_event: RefCell::new(Box::new(move |event: SocketEvent<In>| {
                if let SocketEvent::State {
                    state: State::Closed,
                    ..
                } = event
                {
                    // Closed for good: no listener remains either.
                    page_in_sink.borrow_mut().take();
                }
                on_event(event);
            })),
        };
        let shared = Shared::start(config, opts, Box::new(sink))?;
        *requests.shared.borrow_mut() = Rc::downgrade(&shared);
        if shared.state() != State::Closed {
            *page.borrow_mut() = Some(shared.page_listeners());
        }
        Ok(Socket {
            shared,
            requests,
            page,
            json,
            _types: PhantomData,
        })
    }

    /// Like [`connect`](Self::connect), with the events as a stream.
    pub fn connect_stream(config: Config<In>) -> Result<(Self, Events<In>), ConfigError> {
        let chan = Rc::new(RefCell::new(Chan {
            queue: VecDeque::new(),
            waker: None,
            ended: false,
        }));
        let pusher = Pusher(chan.clone());
        let socket = Self::connect(config, move |event| pusher.push(event))?;
        Ok((socket, Events { chan }))
    }

    /// Sends `msg` as JSON text (a value that serializes to a string goes
    /// out as that text). Queued while not open.
    pub fn send(&self, msg: &Out) -> Result<Sent, SocketError> {
        let value = msg
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| SocketError::Encode {
                reason: e.to_string(),
            })?;
        let data = if value.is_string() {
            value
        } else if !self.json {
            return Err(SocketError::Encode {
                reason: "json is off: only strings can be sent as text".into(),
            });
        } else {
            match sys::json_stringify(&value) {
                Ok(text) if text.is_string() => text,
                _ => {
                    return Err(SocketError::Encode {
                        reason: "no JSON form".into(),
                    })
                }
            }
        };
        self.send_value(data)
    }

    /// Sends `msg` (which must serialize to a JSON object; needs
    /// [`Config::json`]) as a request: its `[rpc id]` field is set to a fresh
    /// id unless it has a string or number one, and the future resolves
    /// with the first message whose `[rpc id]` equals it, decoded into
    /// `Res` (that message is not a [`SocketEvent::Message`]). It fails with
    /// the core's verdict ([`RequestError`](session::RequestError):
    /// timeout, connection lost, closed) or at once when refused. Dropping
    /// the future cancels the request; a queued one is then never sent.
    pub fn request<Res: DeserializeOwned>(&self, msg: &Out) -> Request<Res> {
        let rid = self.start_request(msg).map_err(Some);
        Request {
            table: self.requests.clone(),
            rid,
            _res: core::marker::PhantomData,
        }
    }

    fn start_request(&self, msg: &Out) -> Result<session::RequestId, RequestFailure> {
        let encode = |reason: &str| {
            RequestFailure::Refused(SocketError::Encode {
                reason: reason.into(),
            })
        };
        if !self.json {
            return Err(encode("request() needs json"));
        }
        let value = msg
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| encode(&e.to_string()))?;
        if !value.is_object() {
            return Err(encode("a request is a JSON object"));
        }
        let table = &self.requests;
        let given = js_sys::Reflect::get(&value, &table.field).unwrap_or(JsValue::UNDEFINED);
        let id = if given.is_string() || given.as_f64().is_some() {
            if table.has_id(&given) {
                return Err(encode("a request with this id is pending"));
            }
            given
        } else {
            let mut id = table.next_id();
            while table.has_id(&id) {
                id = table.next_id();
            }
            let _ = js_sys::Reflect::set(&value, &table.field, &id);
            id
        };
        let text = match sys::json_stringify(&value) {
            Ok(text) if text.is_string() => text,
            _ => return Err(encode("no JSON form")),
        };
        let rid = self.shared.request(text, None).map_err(|e| {
            RequestFailure::Refused(match e {
                session::SendError::QueueFull(_) => SocketError::QueueFull,
                session::SendError::NotOpen(_) => SocketError::NotOpen,
                _ => SocketError::Closed,
            })
        })?;
        table.add(rid, id);
        Ok(rid)
    }

    /// Sends a text frame as is.
    pub fn send_text(&self, text: &str) -> Result<Sent, SocketError> {
        self.send_value(JsValue::from_str(text))
    }

    /// Sends a binary frame.
    pub fn send_binary(&self, bytes: &[u8]) -> Result<Sent, SocketError> {
        self.send_value(js_sys::Uint8Array::from(bytes).into())
    }

    fn send_value(&self, data: JsValue) -> Result<Sent, SocketError> {
        self.shared.send(data).map_err(|e| match e {
            session::SendError::QueueFull(_) => SocketError::QueueFull,
            session::SendError::NotOpen(_) => SocketError::NotOpen,
            _ => SocketError::Closed,
        })
    }

    /// Closes for good (no reconnect after this); the `Close` event and the
    /// `State { state: Closed, .. }` event follow.
    pub fn close(&self, code: u16, reason: &str) {
        self.shared.close(code, JsValue::from_str(reason));
    }

    /// Drops the current socket (if any) and connects again now; after
    /// `close()` (or a fatal close, or exhausted retries) it revives the
    /// socket.
    pub fn reconnect(&self) {
        self.shared.reconnect();
        let mut page = self.page.borrow_mut();
        if page.is_none() && self.shared.state() != State::Closed {
            *page = Some(self.shared.page_listeners());
        }
    }

    /// The public state (as JS `sock.state`).
    pub fn state(&self) -> State {
        self.shared.state()
    }

    /// Counters (as JS `sock.stats`).
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }
}

impl<In, Out> Drop for Socket<In, Out> {
    fn drop(&mut self) {
        if self.shared.state() != State::Closed {
            self.shared.close(1000, JsValue::from_str(""));
        }
        self.page.borrow_mut().take();
        // Dropping the last reference detaches every handler and timer.
    }
}

/// The typed API's end of the driver: decodes each event for `In` and hands
/// it to the app's callback.
struct TypedSink<In> {
    json: bool,
    url_fn: Option<UrlFn>,
    init_messages: Vec<String>,
    requests: Rc<Table>,
    on_event: RefCell<Box<dyn FnMut(SocketEvent<In>)>>,
}

impl<In: DeserializeOwned> Sink for TypedSink<In> {
    fn event(&self, event: Event<JsValue>) {
        match &event {
            // Replies and failed requests go to their futures.
            Event::Message(raw) if self.json && self.requests.reply(raw) => return,
            Event::RequestFailed { id, error } => return self.requests.failed(*id, *error),
            _ => {}
        }
        // Never re-entered: the driver delivers from its outermost call only.
        if let Ok(mut on_event) = self.on_event.try_borrow_mut() {
            on_event(convert(event, self.json));
        }
    }

    fn url(&self, shared: &Shared, gen: Gen, _attempt: u32) {
        let url = self.url_fn.as_ref().and_then(|f| f(_attempt));
        match url {
            Some(url) => shared.answer(gen, Answer::Url, JsValue::from_str(&url)),
            None => shared.answer(gen, Answer::UrlFailed, JsValue::UNDEFINED),
        }
    }

    fn init(&self, shared: &Shared, gen: Gen, _attempt: u32) {
        for m in &self.init_messages {
            shared.answer(gen, Answer::Init, JsValue::from_str(m));
        }
        shared.answer(gen, Answer::InitDone, JsValue::UNDEFINED);
    }
}

/// Why a text frame did not become an `In`.
enum Undecodable {
    NotJson,
    Decode(String),
}

/// A frame as `In`: a text frame is JSON-parsed first when `json` is on.
fn decode<In: DeserializeOwned>(raw: &JsValue, json: bool) -> Result<In, Undecodable> {
    let value = if json && raw.is_string() {
        sys::json_parse(raw).map_err(|_| Undecodable::NotJson)?
    } else {
        raw.clone()
    };
    serde_wasm_bindgen::from_value::<In>(value).map_err(|e| Undecodable::Decode(e.to_string()))
}

fn convert<In: DeserializeOwned>(event: Event<JsValue>, json: bool) -> SocketEvent<In> {
    match event {
        Event::Message(data) => {
            if let Some(buf) = data.dyn_ref::<js_sys::ArrayBuffer>() {
                SocketEvent::Binary(js_sys::Uint8Array::new(buf).to_vec())
            } else {
                match decode::<In>(&data, json) {
                    Ok(m) => SocketEvent::Message(m),
                    Err(Undecodable::NotJson) => SocketEvent::Error(SocketError::InvalidJson {
                        text: data.as_string().unwrap_or_default(),
                    }),
                    Err(Undecodable::Decode(reason)) => {
                        SocketEvent::Error(SocketError::Decode { reason })
                    }
                }
            }
        }
        Event::Open {
            protocol,
            attempt,
            ack,
        } => SocketEvent::Open {
            protocol: protocol.as_string().unwrap_or_default(),
            attempt,
            ack: ack.and_then(|raw| decode::<In>(&raw, json).ok()),
        },
        Event::Close {
            code,
            reason,
            was_clean,
            will_reconnect,
        } => SocketEvent::Close {
            code,
            reason: reason.as_string().unwrap_or_default(),
            was_clean,
            will_reconnect,
        },
        Event::Reconnecting { attempt, delay } => SocketEvent::Reconnecting { attempt, delay },
        Event::HeartbeatTimeout { silent_for } => SocketEvent::HeartbeatTimeout { silent_for },
        Event::Ping => SocketEvent::Ping,
        Event::Pong { rtt } => SocketEvent::Pong { rtt },
        Event::Error(e) => SocketEvent::Error(SocketError::Session(e)),
        Event::State { state, previous } => SocketEvent::State { state, previous },
        // Taken by the sink before (see `TypedSink::event`).
        Event::RequestFailed { .. } => SocketEvent::Ping,
    }
}
