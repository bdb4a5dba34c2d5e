//! The sans-IO connection state machine: heartbeat, reconnect lock, backoff,
//! connect timeout and the send queue.
//!
//! INTERFACE CONTRACT (set by the lead, shared by `web`, `native` and the
//! tests). Names and signatures below are what the drivers build against;
//! change them only together with every driver.
//!
//! Time is a plain `u64` count of milliseconds from any fixed origin (the
//! browser driver uses `performance.now()`, tests a virtual clock). Durations
//! are `u64` milliseconds too.
//!
//! The machine is generic over the message type `M`: the browser driver uses
//! a `JsValue` (so message data never crosses into linear memory), the native
//! driver and the tests use [`crate::message::Message`]. The core never looks
//! inside a message except through [`Payload`] and the configured pong
//! matcher.

/// What the core needs to know about a message.
pub trait Payload: Clone {
    /// Size in bytes, for the send queue's `max_bytes` bound (an estimate is
    /// fine where exact UTF-8 length is costly, e.g. UTF-16 JS strings).
    fn byte_len(&self) -> usize;
}

/// The generation of a socket. Every socket the core asks a driver to open
/// gets a new one; inputs tagged with an older generation are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gen(pub u32);

/// The public state, as in API.md (`sock.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    Connecting,
    Open,
    Closing,
    Closed,
    /// Waiting out a backoff delay before the next attempt.
    Reconnecting,
}

impl State {
    /// The name used in JS (`'connecting'`, `'open'`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            State::Connecting => "connecting",
            State::Open => "open",
            State::Closing => "closing",
            State::Closed => "closed",
            State::Reconnecting => "reconnecting",
        }
    }
}

/// Something that happened in the world, fed with [`Session::handle`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Input<M> {
    /// The socket of `gen` finished its opening handshake.
    Opened { gen: Gen, protocol: String },
    /// The socket of `gen` received a message.
    Message { gen: Gen, data: M },
    /// The socket of `gen` reported an error (in browsers a plain `Event`,
    /// always followed by `Closed`).
    Error { gen: Gen },
    /// The socket of `gen` closed (or failed to connect).
    Closed {
        gen: Gen,
        code: u16,
        reason: String,
        was_clean: bool,
    },
    /// The page came back online (`online` event).
    Online,
    /// The page went offline (`offline` event).
    Offline,
    /// The page became visible again or was restored from the back-forward
    /// cache (`visibilitychange` to visible, `pageshow` with `persisted`).
    Resumed,
    /// The page was hidden (`visibilitychange` to hidden).
    Hidden,
}

/// What the core asks the driver to do, drained with [`Session::poll`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Action<M> {
    /// Open a new socket and tag all its inputs with `gen`.
    Connect { gen: Gen },
    /// Hand `data` to the socket of `gen` (it is open).
    Send { gen: Gen, data: M },
    /// Detach every handler of the socket of `gen`, then close it (with
    /// `code`/`reason` when given). The core has already moved on: the driver
    /// must not wait for, nor report, that socket's `close` event.
    Abandon {
        gen: Gen,
        code: Option<u16>,
        reason: String,
    },
    /// Start the closing handshake on the socket of `gen` and keep reporting
    /// its events: the core waits for `Closed` (bounded by a close timeout).
    Close { gen: Gen, code: u16, reason: String },
    /// Deliver an event to the application.
    Emit(Event<M>),
}

/// Events for the application (API.md `sock.on(type, ...)`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event<M> {
    Open {
        protocol: String,
        attempt: u32,
    },
    Message(M),
    Close {
        code: u16,
        reason: String,
        was_clean: bool,
        will_reconnect: bool,
    },
    Reconnecting {
        attempt: u32,
        delay: u64,
    },
    HeartbeatTimeout {
        silent_for: u64,
    },
    /// A heartbeat ping was sent.
    Ping,
    /// A heartbeat ping was answered after `rtt` ms.
    Pong {
        rtt: u64,
    },
    Error(Error),
    State {
        state: State,
        previous: State,
    },
}

/// Typed errors of the connection (JS: `Error` with `name`/`code`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The socket reported an error event.
    Socket,
    /// A socket stayed CONNECTING longer than `connect_timeout`.
    ConnectTimeout { after: u64 },
    /// `max_retries` attempts failed; the session is closed for good.
    RetriesExhausted { attempts: u32 },
    /// The server closed with a code configured as fatal; no reconnect.
    FatalClose { code: u16 },
}

impl Error {
    /// The stable machine-readable code (JS `err.code`).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Socket => "SOCKET_ERROR",
            Error::ConnectTimeout { .. } => "CONNECT_TIMEOUT",
            Error::RetriesExhausted { .. } => "RETRIES_EXHAUSTED",
            Error::FatalClose { .. } => "FATAL_CLOSE",
        }
    }
}

/// Why [`Session::send`] refused a message. The message is handed back so
/// nothing is lost.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SendError<M> {
    /// The queue is at `max_messages` or the message would exceed `max_bytes`.
    QueueFull(M),
    /// Not open and queueing is disabled.
    NotOpen(M),
    /// `close()` was called; the session will not open again.
    Closed(M),
}

/// What [`Session::send`] did with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Handed to the open socket now (an `Action::Send` is pending).
    Sent,
    /// Held until the next open.
    Queued,
}

/// Counters for `sock.stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Attempt number of the current/last connection (1 = first).
    pub attempt: u32,
    /// Successful opens after the first.
    pub reconnects: u32,
    pub messages_in: u64,
    pub messages_out: u64,
    pub queued: usize,
    pub queued_bytes: usize,
    pub last_rtt_ms: Option<u64>,
}

/// Heartbeat options (API.md `heartbeat`).
#[derive(Debug, Clone, PartialEq)]
pub struct HeartbeatConfig<M> {
    /// ms of silence before a ping is sent.
    pub interval: u64,
    /// ms to wait for any message after the ping.
    pub timeout: u64,
    /// The ping payload.
    pub ping: M,
    /// When false, only messages matching the pong matcher prove liveness.
    pub any_message_counts: bool,
}

/// Reconnection options (API.md `reconnect`).
#[derive(Debug, Clone, PartialEq)]
pub struct ReconnectConfig {
    pub min_delay: u64,
    pub max_delay: u64,
    pub factor: f64,
    /// 0 = no jitter, 1 = full jitter.
    pub jitter: f64,
    /// `None` = retry forever.
    pub max_retries: Option<u32>,
    /// ms open before the backoff resets.
    pub stable_after: u64,
    /// Server close codes that end the session instead of reconnecting.
    pub fatal_codes: Vec<u16>,
}

/// Send queue bounds (API.md `queue`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueConfig {
    pub max_messages: usize,
    pub max_bytes: usize,
}

/// Everything the core is configured with. Defaults are those of API.md.
#[derive(Debug, Clone, PartialEq)]
pub struct Config<M> {
    /// ms a socket may stay CONNECTING; 0 disables.
    pub connect_timeout: u64,
    /// ms to wait for the close handshake after `close()` before abandoning.
    pub close_timeout: u64,
    pub heartbeat: Option<HeartbeatConfig<M>>,
    pub reconnect: Option<ReconnectConfig>,
    pub queue: Option<QueueConfig>,
}

/// An invalid option; `field` is the option's JS path, e.g. `heartbeat.interval`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub field: &'static str,
    pub reason: &'static str,
}

/// Decides whether a received message is the heartbeat's pong.
pub type PongMatcher<M> = Box<dyn Fn(&M) -> bool>;

/// The connection state machine. See the crate docs for the run loop.
pub struct Session<M> {
    _todo: core::marker::PhantomData<M>,
    _pong: Option<PongMatcher<M>>,
}

impl<M: Payload> Session<M> {
    /// Validates `config` and starts the first attempt: the first `poll()`
    /// yields `Action::Connect`. `seed` seeds the jitter RNG.
    pub fn new(config: Config<M>, seed: u64, now: u64) -> Result<Self, ConfigError> {
        let _ = (config, seed, now);
        todo!()
    }

    /// Sets what counts as a pong reply (matching messages are not emitted as
    /// `Event::Message`). Without one, no message is treated as a pong.
    pub fn set_pong_matcher(&mut self, matcher: Box<dyn Fn(&M) -> bool>) {
        self._pong = Some(matcher);
    }

    pub fn handle(&mut self, input: Input<M>, now: u64) {
        let _ = (input, now);
        todo!()
    }

    /// Call when the timer armed for `poll_timeout()` fires (late is fine).
    pub fn handle_timeout(&mut self, now: u64) {
        let _ = now;
        todo!()
    }

    /// The next action for the driver, in order.
    pub fn poll(&mut self) -> Option<Action<M>> {
        todo!()
    }

    /// When `handle_timeout` must be called next; `None` = no timer.
    pub fn poll_timeout(&self) -> Option<u64> {
        todo!()
    }

    pub fn send(&mut self, data: M, now: u64) -> Result<Sent, SendError<M>> {
        let _ = (data, now);
        todo!()
    }

    /// Closes for good: no reconnect after this.
    pub fn close(&mut self, code: u16, reason: String, now: u64) {
        let _ = (code, reason, now);
        todo!()
    }

    /// Abandons the current socket (if any) and connects again now.
    pub fn reconnect(&mut self, now: u64) {
        let _ = now;
        todo!()
    }

    pub fn state(&self) -> State {
        todo!()
    }

    pub fn stats(&self) -> Stats {
        todo!()
    }
}
