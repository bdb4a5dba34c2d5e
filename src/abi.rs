//! Everything that crosses between the wasm module and the JS facade, named
//! once.
//!
//! The browser driver talks to `pkg/index.js` in small numbers, because that
//! is what is cheap to pass per message: no string, no object, no allocation
//! crosses for an event, only `sink.ev(kind, a, b, v, w)`. Those numbers are
//! defined here, and nowhere else: `pkg-template/abi.js`, which the facade
//! imports, is generated from this module ([`js_module`]), and
//! `tests/abi.rs` fails as soon as the two differ (`STEADYWS_BLESS=1 cargo
//! test --test abi` writes it anew).
//!
//! What crosses:
//!
//! - the **options**, as numbers indexed by [`Opt`]: each slot holds what
//!   the user wrote (NaN when they left it out), the facade having checked
//!   only its JS type ([`Opt::kind`]); [`Slots`] fills in the core's
//!   defaults and [`Config::validate`] checks the values, so the facade
//!   decides nothing about them;
//! - **events**, `sink.ev(kind, a, b, v, w)` with `kind` an [`EventKind`]
//!   and the payload laid out as [`EventKind::layout`] says;
//! - **states** ([`STATES`], indexed like [`State`]), **send results**
//!   ([`SendResult`]), **socket inputs** (`inner.input`, [`SocketInput`]),
//!   **page events** ([`PageEvent`]);
//! - **error codes** ([`ErrorCode`]), with the message the facade shows;
//! - one JS value besides: **`sink.ws`**, the `WebSocket` constructor of
//!   every attempt (the `WebSocket` option or the global one, which the
//!   facade has checked is a function).
//!
//! This module is plain data and compiles on every target; only
//! [`js_module`] is native-only (it renders the JS source).

use crate::named::named;
use crate::session::{
    self, Ack, Config, Error, HeartbeatConfig, InitConfig, QueueConfig, ReconnectConfig,
    RequestError, SendError, Sent, State,
};
use alloc::vec::Vec;

pub use crate::session::Opt;

impl Opt {
    /// The JS type the facade checks before handing the slot over (all it
    /// checks: ranges and defaults are the core's): `b` a boolean, `t`
    /// `'arraybuffer'` or `'blob'`, `s` a section (an object or a boolean),
    /// `a` an array of numbers (its length here, the numbers after the last
    /// slot), `f` a function, `n` a number.
    pub const fn kind(self) -> char {
        match self {
            Opt::WebSocket => 'f',
            Opt::Json => 'b',
            Opt::BinaryType => 't',
            Opt::Heartbeat | Opt::Reconnect | Opt::Queue | Opt::Init => 's',
            Opt::FatalCodes => 'a',
            _ => 'n',
        }
    }
}

impl Opt {
    /// The value of a slot the user left out: the core's default
    /// (src/session/config.rs), with flags and sections as 0 / 1.
    pub fn default_value(self) -> f64 {
        use session::*;
        match self {
            Opt::Json => f64::from(u8::from(DEFAULT_JSON)),
            Opt::BinaryType => 0.0,
            Opt::ConnectTimeout => DEFAULT_CONNECT_TIMEOUT as f64,
            Opt::CloseTimeout => DEFAULT_CLOSE_TIMEOUT as f64,
            Opt::Heartbeat | Opt::Reconnect | Opt::Queue => 1.0,
            Opt::HeartbeatInterval | Opt::HeartbeatTimeout => DEFAULT_HEARTBEAT_MS as f64,
            Opt::MinDelay => DEFAULT_MIN_DELAY as f64,
            Opt::MaxDelay => DEFAULT_MAX_DELAY as f64,
            Opt::Factor => DEFAULT_FACTOR,
            Opt::Jitter => DEFAULT_JITTER,
            Opt::MaxRetries => f64::INFINITY,
            Opt::StableAfter => DEFAULT_STABLE_AFTER as f64,
            Opt::FatalCodes => f64::NAN, // none given: the default list
            Opt::MaxMessages => DEFAULT_MAX_MESSAGES as f64,
            Opt::MaxBytes => DEFAULT_MAX_BYTES as f64,
            Opt::Init => 0.0,
            Opt::InitTimeout => DEFAULT_INIT_TIMEOUT as f64,
            Opt::RpcTimeout => DEFAULT_REQUEST_TIMEOUT as f64,
            Opt::WebSocket => 0.0,
        }
    }
}

/// The option slots as the facade hands them over: one number per [`Opt`]
/// (NaN, or a missing trailing slot: left out), then, when the
/// [`Opt::FatalCodes`] slot holds a count, that many close codes. The facade
/// has checked that each is the JS form of its Rust type (a number `>= 0`,
/// an integer close code, booleans and sections as 0 / 1); what is left out
/// takes the core's [default](Opt::default_value), and the ranges are
/// [`Config::validate`]'s.
pub struct Slots<'a>(pub &'a [f64]);

impl Slots<'_> {
    /// The value of slot `o`, or its default.
    #[inline(never)]
    pub fn get(&self, o: Opt) -> f64 {
        match self.0.get(o as usize) {
            Some(&v) if !v.is_nan() => v,
            _ => o.default_value(),
        }
    }

    /// Slot `o` as a flag (a boolean option, a section being on).
    pub fn on(&self, o: Opt) -> bool {
        self.get(o) != 0.0
    }

    /// `reconnect.fatalCodes`: those given (`as` saturates: out of range
    /// stays out of range for `validate`), or the default list.
    pub fn fatal_codes(&self) -> Vec<u16> {
        match self.0.get(Opt::FatalCodes as usize) {
            Some(&count) if !count.is_nan() => {
                let mut codes = Vec::new();
                for &c in self.0.iter().skip(Opt::ALL.len()).take(count as usize) {
                    codes.push(c as u16);
                }
                codes
            }
            _ => session::DEFAULT_FATAL_CODES.to_vec(),
        }
    }

    /// The session's config, with `ping` the heartbeat payload and `pong`
    /// the reply that matches it ([`HeartbeatConfig::pong`]).
    // Not inlined: the wasm module calls it for a socket and for a relay.
    #[inline(never)]
    pub fn config<M>(&self, ping: M, pong: Option<M>) -> Config<M> {
        // `as` saturates: Infinity is "never" / "no bound".
        let ms = |o: Opt| self.get(o) as u64;
        let retries = self.get(Opt::MaxRetries);
        Config {
            connect_timeout: ms(Opt::ConnectTimeout),
            close_timeout: ms(Opt::CloseTimeout),
            heartbeat: self.on(Opt::Heartbeat).then(|| HeartbeatConfig {
                interval: ms(Opt::HeartbeatInterval),
                timeout: ms(Opt::HeartbeatTimeout),
                ping,
                pong,
                any_message_counts: true,
            }),
            reconnect: self.on(Opt::Reconnect).then(|| ReconnectConfig {
                min_delay: ms(Opt::MinDelay),
                max_delay: ms(Opt::MaxDelay),
                factor: self.get(Opt::Factor),
                jitter: self.get(Opt::Jitter),
                max_retries: (retries != f64::INFINITY).then_some(retries as u32),
                stable_after: ms(Opt::StableAfter),
                fatal_codes: self.fatal_codes(),
            }),
            queue: self.on(Opt::Queue).then(|| QueueConfig {
                max_messages: self.get(Opt::MaxMessages) as usize,
                max_bytes: self.get(Opt::MaxBytes) as usize,
            }),
            url_per_attempt: false,
            init: self.on(Opt::Init).then(|| InitConfig {
                ack: Ack::None,
                timeout: ms(Opt::InitTimeout),
            }),
            request_timeout: ms(Opt::RpcTimeout),
        }
    }
}

named! {
    /// The `kind` of `sink.ev(kind, a, b, v, w)`: index = event, name = the
    /// event type of `sock.on(type, ...)`.
    pub enum EventKind {
        /// `'open'`.
        Open = "open",
        /// `'message'`.
        Message = "message",
        /// `'close'`.
        Close = "close",
        /// `'reconnecting'`.
        Reconnecting = "reconnecting",
        /// `'heartbeat-timeout'`.
        HeartbeatTimeout = "heartbeat-timeout",
        /// `'ping'`.
        Ping = "ping",
        /// `'pong'`.
        Pong = "pong",
        /// `'error'`.
        Error = "error",
        /// `'state'`.
        State = "state",
        /// Not an app event: a request failed (the facade rejects it).
        Rpc = "rpc",
    }
}

impl EventKind {
    /// Kinds the facade handles itself: not a type of `sock.on()` (its
    /// name in the generated `EVENTS` is `null`).
    pub const fn internal(self) -> bool {
        matches!(self, EventKind::Rpc)
    }

    /// What `a`, `b`, `v` and `w` of `sink.ev(kind, a, b, v, w)` carry
    /// (`-` = unused), in that order. `a` and `b` are numbers, `v` and `w`
    /// JS values.
    pub const fn layout(self) -> [&'static str; 4] {
        match self {
            EventKind::Open => ["attempt", "-", "protocol", "ack (the raw frame)"],
            // The frame as the browser gave it: the facade decodes JSON.
            EventKind::Message => ["-", "-", "data", "-"],
            EventKind::Close => ["code", "wasClean | willReconnect << 1", "reason", "-"],
            EventKind::Reconnecting => ["attempt", "delay", "-", "-"],
            EventKind::HeartbeatTimeout => ["silentFor", "-", "-", "-"],
            EventKind::Ping => ["-", "-", "-", "-"],
            EventKind::Pong => ["rtt", "-", "-", "-"],
            EventKind::Error => ["code (ErrorCode index)", "detail", "-", "-"],
            EventKind::State => ["state (STATES index)", "previous", "-", "-"],
            EventKind::Rpc => ["request", "code (ErrorCode index)", "-", "-"],
        }
    }
}

/// The JS names of [`State`], indexed by [`state_index`].
pub const STATES: [State; 5] = [
    State::Connecting,
    State::Open,
    State::Closing,
    State::Closed,
    State::Reconnecting,
];

/// The index of `state` in [`STATES`].
pub const fn state_index(state: State) -> u32 {
    match state {
        State::Connecting => 0,
        State::Open => 1,
        State::Closing => 2,
        State::Closed => 3,
        State::Reconnecting => 4,
    }
}

named! {
    /// What `inner.input(SI_SEND, 0, 0, data)` answers. The first two are `send()`'s return
    /// values; the others are the code of the error it throws.
    pub enum SendResult {
        /// Handed to the browser socket now.
        Sent = "sent",
        /// Held until the next open.
        Queued = "queued",
        /// The queue is full; nothing was queued.
        QueueFull = "QUEUE_FULL",
        /// Not open and the queue is off.
        NotOpen = "NOT_OPEN",
        /// `close()` was called.
        Closed = "CLOSED",
    }
}

impl SendResult {
    /// The result of [`Session::send`](crate::session::Session::send).
    pub fn of<M>(r: &Result<Sent, SendError<M>>) -> SendResult {
        match r {
            Ok(Sent::Sent) => SendResult::Sent,
            Ok(Sent::Queued) => SendResult::Queued,
            Err(SendError::QueueFull(_)) => SendResult::QueueFull,
            Err(SendError::NotOpen(_)) => SendResult::NotOpen,
            Err(_) => SendResult::Closed,
        }
    }
}

named! {
    /// `inner.input(kind, a, b, value)`: everything the facade tells or
    /// asks a socket (unused arguments are 0; the answer is 0 unless said).
    pub enum SocketInput {
        /// `send()` of `value` (a string or a buffer the facade checked):
        /// answers a [`SendResult`] index.
        Send = "send",
        /// `request()` of `value` (its JSON text) waiting `a` ms (NaN: the
        /// `rpc.timeout` option): answers the core's id of it (> 0), or
        /// minus the [`SendResult`] index of the refusal.
        Request = "request",
        /// Answers [`Stats`](crate::session::Stats) field `a`, in the order
        /// attempt, reconnects, messagesIn, messagesOut, queued, lastRttMs
        /// (-1: none), pending.
        Stat = "stat",
        /// Empties the queue: calls `value` (a function that never throws)
        /// with each message still waiting for an open, oldest first.
        Unqueue = "unqueue",
        /// Answers the state, a [`STATES`] index.
        State = "state",
        /// `close()` for good with code `a` and reason `value` (the facade
        /// checked both).
        Close = "close",
        /// A page event: `a` a [`PageEvent`] index.
        Page = "page",
        /// `reconnect()`: drop the current socket (if any), connect now.
        Reconnect = "reconnect",
        /// What a user function made for attempt `a`, asked with `sink.url`
        /// / `sink.init`: `b` 0 the URL (`value`, checked by the facade), 1
        /// the URL failed, 2 one init message (`value`, ready to send), 3
        /// all init messages handed over, 4 the init failed.
        Answer = "answer",
        /// Request `a` got its reply (`b` 1) or its app gave up on it (0):
        /// answers 1 if that settles it.
        Settle = "settle",
    }
}

named! {
    /// `inner.input(SI_PAGE, kind)`: what the page's lifecycle events mean to the core.
    pub enum PageEvent {
        /// `online`.
        Online = "online",
        /// `offline`.
        Offline = "offline",
        /// `visibilitychange` to visible, or `pageshow` from the bfcache.
        Resumed = "resumed",
        /// `visibilitychange` to hidden.
        Hidden = "hidden",
    }
}

named! {
    /// Every `code` of a `SteadyWsError`. The core's errors come first; the
    /// rest are raised by the facade or the driver.
    pub enum ErrorCode {
        /// [`Error::Socket`].
        SocketError = "SOCKET_ERROR",
        /// [`Error::ConnectTimeout`].
        ConnectTimeout = "CONNECT_TIMEOUT",
        /// [`Error::RetriesExhausted`].
        RetriesExhausted = "RETRIES_EXHAUSTED",
        /// [`Error::FatalClose`].
        FatalClose = "FATAL_CLOSE",
        /// [`Error::UrlFailed`] (`err.cause`: what the URL function threw,
        /// or the TypeError of a result that is not a URL).
        UrlFailed = "URL_FAILED",
        /// [`Error::InitTimeout`].
        InitTimeout = "INIT_TIMEOUT",
        /// A text frame that is not JSON while `json` is on (`err.data`: the text).
        InvalidJson = "INVALID_JSON",
        /// The browser socket threw on `send` (`err.data`, `err.cause`).
        SendFailed = "SEND_FAILED",
        /// An event handler threw (`err.cause`).
        HandlerThrew = "HANDLER_THREW",
        /// `send()`: the queue is full.
        QueueFull = "QUEUE_FULL",
        /// `send()`: not open and the queue is off.
        NotOpen = "NOT_OPEN",
        /// `send()`: the socket was closed.
        Closed = "CLOSED",
        /// The wasm module panicked.
        Panic = "PANIC",
        /// `request()`: no reply within its timeout.
        RequestTimeout = "REQUEST_TIMEOUT",
        /// `request()`: its `signal` aborted (`err.cause`: the reason).
        Aborted = "ABORTED",
        /// `request()`: sent, and that connection ended before the reply.
        ConnectionLost = "CONNECTION_LOST",
    }
}

impl ErrorCode {
    /// The message of a `SteadyWsError` with this code; `%d` stands for the
    /// error's detail number.
    pub const fn message(self) -> &'static str {
        match self {
            ErrorCode::SocketError => "WebSocket error",
            ErrorCode::ConnectTimeout => "no open within %d ms",
            ErrorCode::RetriesExhausted => "gave up after %d attempts",
            ErrorCode::FatalClose => "server closed with fatal code %d",
            ErrorCode::UrlFailed => "the url function failed",
            ErrorCode::InitTimeout => "no init ack within %d ms",
            ErrorCode::InvalidJson => "text frame is not valid JSON",
            ErrorCode::SendFailed => "the browser socket refused the message",
            ErrorCode::HandlerThrew => "an event handler threw",
            ErrorCode::QueueFull => "send queue is full",
            ErrorCode::NotOpen => "not open and the queue is off",
            ErrorCode::Closed => "socket is closed",
            ErrorCode::Panic => "internal error",
            ErrorCode::RequestTimeout => "no reply in time",
            ErrorCode::Aborted => "request aborted",
            ErrorCode::ConnectionLost => "connection lost before the reply",
        }
    }

    /// The code of a failed request.
    pub fn of_request(err: RequestError) -> ErrorCode {
        match err {
            RequestError::Timeout => ErrorCode::RequestTimeout,
            RequestError::ConnectionLost => ErrorCode::ConnectionLost,
            _ => ErrorCode::Closed,
        }
    }

    /// The code of a core error, with its detail number.
    pub fn of(err: &Error) -> (ErrorCode, f64) {
        match *err {
            Error::ConnectTimeout { after } => (ErrorCode::ConnectTimeout, after as f64),
            Error::RetriesExhausted { attempts } => {
                (ErrorCode::RetriesExhausted, f64::from(attempts))
            }
            Error::FatalClose { code } => (ErrorCode::FatalClose, f64::from(code)),
            Error::UrlFailed => (ErrorCode::UrlFailed, 0.0),
            Error::InitTimeout { after } => (ErrorCode::InitTimeout, after as f64),
            // The init function threw (`err.cause`).
            Error::InitFailed => (ErrorCode::HandlerThrew, 0.0),
            _ => (ErrorCode::SocketError, 0.0),
        }
    }
}

named! {
    /// `relay.input(kind, tab, seq, n)`: what a shared socket's facade
    /// tells its [`Relay`](crate::relay::Relay) (app calls, lock and driver
    /// reports) or asks it. Unused arguments are 0. Payloads never cross:
    /// the facade files them by `(tab, seq)`.
    pub enum RelayInput {
        /// `send()`: the item's seq, or minus a [`SendResult`].
        Send = "send",
        /// `request()` with `n` ms (NaN: `rpc.timeout`): as `Send`.
        Request = "request",
        /// The app gave up on request `seq`: 1 if it was pending.
        Cancel = "cancel",
        /// `close()` in this tab.
        Close = "close",
        /// This tab holds its presence lock: it says hello.
        Present = "present",
        /// This tab got the ownership lock.
        Granted = "granted",
        /// A channel message of another protocol version.
        Foreign = "foreign",
        /// Tab `tab` ended (its presence lock fell free).
        Gone = "gone",
        /// The owner's connection is open for the app (`n` 1) or not (0).
        Open = "open",
        /// `Give` done: `n` 1 sent, 0 refused.
        Given = "given",
        /// A given request of `tab` settled: `n` -1 (the reply), or an
        /// [`ErrorCode`] index.
        Settled = "settled",
        /// The relay's timer (armed with `RelayAct::Arm`) fired.
        Timeout = "timeout",
        /// How many items this tab keeps unconfirmed.
        Kept = "kept",
        /// A channel message from tab `tab`: this index plus the message's
        /// [`RelayAct`] kind (`seq`, `n` as on the channel). Last: the
        /// kinds above it are channel messages.
        Heard = "heard",
    }
}

named! {
    /// `sink.act(kind, to, seq, n)`: what the relay asks of the facade.
    /// The first kinds are channel messages (also the `k` of the message on
    /// the channel, `{ v, k, from, to, seq, n, data }`, `to` -1 for
    /// everyone; `data` the payload the facade has filed for it); `n`
    /// carries a timeout, an [`ErrorCode`] index or a count.
    pub enum RelayAct {
        /// Post: a tab joins.
        Hello = "hello",
        /// Post: the sender owns the connection (`seq`: its options'
        /// fingerprint).
        Owner = "owner",
        /// Post: item `seq` for the socket.
        Send = "send",
        /// Post: request `seq`, `n` ms left.
        Request = "request",
        /// Post: request `seq` given up.
        Cancel = "cancel",
        /// Post: item `seq` went to the socket.
        Done = "done",
        /// Post: the reply to request `seq`.
        Reply = "reply",
        /// Post: request `seq` failed (`n`: an [`ErrorCode`] index).
        Failed = "failed",
        /// Post: `n` tabs share the connection.
        Tabs = "tabs",
        /// Post: the sender detached.
        Bye = "bye",
        /// Post (the facade's own): a core event of the owner's socket, for
        /// the other tabs (`data`: `[kind, a, b, v, w]` of `sink.ev`).
        Event = "event",
        /// Become the owner: make the socket, connect now.
        Connect = "connect",
        /// Report `Gone` for tab `to` when it ends.
        Watch = "watch",
        /// Hand item `seq` of tab `to` to the socket (`n` -1: a send; else
        /// a request with `n` ms), then report `Given`.
        Give = "give",
        /// The payload of item `seq` of tab `to` is no longer needed.
        Forget = "forget",
        /// Forget the given request `seq` of tab `to` in the session.
        Drop = "drop",
        /// Close the socket, then (once closed) free the lock: another tab
        /// takes over.
        Release = "release",
        /// The last tab left: close the connection for good.
        Disconnect = "disconnect",
        /// Another protocol version is around: connect alone.
        Unshare = "unshare",
        /// The reply to this tab's request `seq` (the payload that came
        /// with `Reply`, or the one given with `Settled`).
        Replied = "replied",
        /// This tab's request `seq` failed (`n`: an [`ErrorCode`] index).
        RequestFailed = "request-failed",
        /// `n` tabs share the connection.
        TabCount = "tab-count",
        /// The owner's options differ from this tab's (once).
        Mismatch = "mismatch",
        /// Tab `to` owns the connection now (maybe this one).
        NewOwner = "new-owner",
        /// (Re)arm the relay's timer for `n` ms (-1: cancel it).
        Arm = "arm",
    }
}

impl ErrorCode {
    /// The request error of a code (the inverse of [`ErrorCode::of_request`]).
    pub fn request_error(i: u32) -> RequestError {
        match ErrorCode::from_index(i) {
            Some(ErrorCode::RequestTimeout) => RequestError::Timeout,
            Some(ErrorCode::ConnectionLost) => RequestError::ConnectionLost,
            _ => RequestError::Closed,
        }
    }
}

/// The source of `pkg-template/abi.js`.
#[cfg(not(target_arch = "wasm32"))]
pub fn js_module() -> String {
    use crate::session::{
        DEFAULT_CLOSE_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_HEARTBEAT_MS, DEFAULT_INIT_TIMEOUT,
        DEFAULT_JSON, DEFAULT_PING, DEFAULT_PONG, DEFAULT_REQUEST_TIMEOUT, DEFAULT_RPC_ID,
    };
    use std::fmt::Write;

    fn list<T: Copy>(all: &[T], name: impl Fn(T) -> &'static str) -> String {
        let names: Vec<String> = all.iter().map(|&v| format!("'{}'", name(v))).collect();
        format!("[{}]", names.join(", "))
    }
    fn constant(name: &str) -> String {
        let mut out = String::new();
        for (i, c) in name.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
        }
        out
    }

    /// `export const PREFIX_NAME = index;` for every variant.
    fn named_constants<T: Copy + core::fmt::Debug>(
        js: &mut String,
        prefix: &str,
        all: &[T],
        index: impl Fn(T) -> u32,
    ) {
        for &v in all {
            let name = constant(&format!("{v:?}"));
            let _ = writeln!(js, "export const {prefix}_{name} = {};", index(v));
        }
    }

    // The numbers first, the tables after: esbuild inlines a module's
    // constants only up to its first declaration that is not a primitive,
    // and inlined constants make the bundled facade ~200 B gzip smaller.
    let mut nums = String::new();
    let mut js = String::new();
    let _ = writeln!(
        js,
        "/** Option slots: `options[OPTIONS.indexOf(path)]`. */\nexport const OPTIONS = {};",
        list(Opt::ALL, Opt::js)
    );
    let _ = writeln!(
        js,
        "/** What an invalid option must be (the core's words), by index. */\nexport const REASONS = {};",
        list(session::Reason::ALL, session::Reason::js)
    );
    let _ = writeln!(
        nums,
        "export const REASON_NO_WEB_SOCKET = {};",
        session::Reason::NoWebSocket as u32
    );
    let kinds: String = Opt::ALL.iter().map(|o| o.kind()).collect();
    let _ = writeln!(
        js,
        "/** The JS type of each slot (see src/abi.rs `Opt::kind`). */\nexport const KINDS = '{kinds}';"
    );
    let events: Vec<String> = EventKind::ALL
        .iter()
        .map(|k| match k.internal() {
            true => "null".into(),
            false => format!("'{}'", k.js()),
        })
        .collect();
    let _ = writeln!(
        js,
        "/** Event types, indexed by the `kind` of `sink.ev(kind, a, b, v, w)`. */\nexport const EVENTS = [{}];",
        events.join(", ")
    );
    for &k in EventKind::ALL {
        let [a, b, v, w] = k.layout();
        let _ = writeln!(
            nums,
            "export const EV_{} = {}; // a: {a}, b: {b}, v: {v}, w: {w}",
            constant(&format!("{k:?}")),
            k as u32
        );
    }
    let _ = writeln!(
        js,
        "export const STATES = {};",
        list(&STATES, State::as_str)
    );
    let _ = writeln!(
        nums,
        "export const STATE_CLOSED = {};\nexport const STATE_OPEN = {};",
        state_index(State::Closed),
        state_index(State::Open)
    );
    let _ = writeln!(
        js,
        "/** `input(SI_SEND)`: results, then the codes of the errors `send()` throws. */\nexport const SEND = {};",
        list(SendResult::ALL, SendResult::js)
    );
    let _ = writeln!(
        nums,
        "export const SEND_CLOSED = {};",
        SendResult::Closed as u32
    );
    named_constants(&mut nums, "SI", SocketInput::ALL, |k| k as u32);
    named_constants(&mut nums, "PAGE", PageEvent::ALL, |p| p as u32);
    named_constants(&mut nums, "RI", RelayInput::ALL, |k| k as u32);
    named_constants(&mut nums, "RA", RelayAct::ALL, |k| k as u32);
    let _ = writeln!(
        nums,
        "/** `json` when the option is not given. */\nexport const DEFAULT_JSON = {DEFAULT_JSON};"
    );
    let _ = writeln!(
        nums,
        "/** The version of the messages between tabs. */\nexport const RELAY_VERSION = {};",
        crate::relay::VERSION
    );
    let _ = writeln!(
        js,
        "/** Error codes, indexed as the driver reports them. */\nexport const ERRORS = {};",
        list(ErrorCode::ALL, ErrorCode::js)
    );
    let _ = writeln!(
        js,
        "/** The message of each error code. */\nexport const MESSAGES = {{"
    );
    for &c in ErrorCode::ALL {
        let _ = writeln!(js, "  {}: '{}',", c.js(), c.message());
    }
    let _ = writeln!(js, "}};");
    let rc = ReconnectConfig::default();
    let q = QueueConfig::default();
    let max_retries = rc
        .max_retries
        .map_or_else(|| "Infinity".to_string(), |n| n.to_string());
    let fatal: Vec<String> = rc.fatal_codes.iter().map(u16::to_string).collect();
    let _ = write!(
        js,
        "/** The defaults of every option (src/session/config.rs), for the bindings and docs. */\n\
         export const DEFAULTS = {{\n  \
         json: {DEFAULT_JSON},\n  binaryType: 'arraybuffer',\n  \
         connectTimeout: {DEFAULT_CONNECT_TIMEOUT},\n  closeTimeout: {DEFAULT_CLOSE_TIMEOUT},\n  \
         heartbeat: {{ interval: {DEFAULT_HEARTBEAT_MS}, timeout: {DEFAULT_HEARTBEAT_MS}, ping: '{DEFAULT_PING}', pong: '{DEFAULT_PONG}' }},\n  \
         reconnect: {{ minDelay: {}, maxDelay: {}, factor: {}, jitter: {}, maxRetries: {max_retries}, stableAfter: {}, fatalCodes: [{}] }},\n  \
         queue: {{ maxMessages: {}, maxBytes: {} }},\n  \
         init: {{ timeout: {DEFAULT_INIT_TIMEOUT} }},\n  \
         rpc: {{ id: '{DEFAULT_RPC_ID}', timeout: {DEFAULT_REQUEST_TIMEOUT} }},\n}};\n",
        rc.min_delay,
        rc.max_delay,
        rc.factor,
        rc.jitter,
        rc.stable_after,
        fatal.join(", "),
        q.max_messages,
        q.max_bytes,
    );
    format!(
        "// Generated from src/abi.rs: do not edit. tests/abi.rs checks it;\n\
         // `STEADYWS_BLESS=1 cargo test --test abi` writes it anew.\n\n{nums}{js}"
    )
}
