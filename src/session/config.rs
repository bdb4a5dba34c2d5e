//! The session's options: their types, their defaults (those of API.md, for
//! the JS facade, the bindings and the Rust builders alike: this file is the
//! one place they are written) and their validation.
//!
//! Options arrive in two shapes. Rust callers build a [`Config`] (start from
//! [`Config::new`]); the JS facade hands over what the user wrote, each field
//! possibly missing, which [`crate::abi::config`] turns into a `Config` with
//! these defaults filled in. Both end in [`Config::validate`] (run by
//! [`Session::new`](super::Session::new)), so a bad value is refused the same
//! way, with the same JS field name, whichever way it came.

use crate::named::named;
use alloc::vec::Vec;

/// `json`: text frames are delivered as they arrive unless this is on.
pub const DEFAULT_JSON: bool = false;
/// `connectTimeout`, ms.
pub const DEFAULT_CONNECT_TIMEOUT: u64 = 10_000;
/// `closeTimeout`, ms.
pub const DEFAULT_CLOSE_TIMEOUT: u64 = 5_000;
/// `heartbeat.interval` and `heartbeat.timeout`, ms.
pub const DEFAULT_HEARTBEAT_MS: u64 = 10_000;
/// `heartbeat.ping`: the text sent as the ping.
pub const DEFAULT_PING: &str = "ping";
/// `heartbeat.pong`: the text that answers it.
pub const DEFAULT_PONG: &str = "pong";
/// `reconnect.minDelay`, ms.
pub const DEFAULT_MIN_DELAY: u64 = 1_000;
/// `reconnect.maxDelay`, ms.
pub const DEFAULT_MAX_DELAY: u64 = 30_000;
/// `reconnect.factor`.
pub const DEFAULT_FACTOR: f64 = 2.0;
/// `reconnect.jitter`.
pub const DEFAULT_JITTER: f64 = 0.5;
/// `reconnect.stableAfter`, ms.
pub const DEFAULT_STABLE_AFTER: u64 = 5_000;
/// `queue.maxMessages`.
pub const DEFAULT_MAX_MESSAGES: usize = 1_000;
/// `queue.maxBytes`.
pub const DEFAULT_MAX_BYTES: usize = 1 << 20;
/// `init.timeout`, ms.
pub const DEFAULT_INIT_TIMEOUT: u64 = 10_000;
/// `rpc.timeout`, ms: how long `request()` waits for its reply.
pub const DEFAULT_REQUEST_TIMEOUT: u64 = 10_000;
/// `rpc.id`: the field of a request and its reply that carries the id.
pub const DEFAULT_RPC_ID: &str = "id";

/// Heartbeat options (API.md `heartbeat`).
#[derive(Debug, Clone, PartialEq)]
pub struct HeartbeatConfig<M> {
    /// ms of silence before a ping is sent.
    pub interval: u64,
    /// ms to wait for any message after the ping.
    pub timeout: u64,
    /// The ping payload.
    pub ping: M,
    /// A message equal to this one (compared as it arrived, before any
    /// decoding) is the reply to a ping: it answers the ping and is not
    /// emitted as a message. `None`: see [`Session::set_pong_matcher`] and
    /// [`Input::Pong`]; with neither, every message answers.
    ///
    /// [`Session::set_pong_matcher`]: super::Session::set_pong_matcher
    /// [`Input::Pong`]: super::Input::Pong
    pub pong: Option<M>,
    /// When false, only messages matching the pong matcher prove liveness.
    pub any_message_counts: bool,
}

/// Reconnection options (API.md `reconnect`).
#[derive(Debug, Clone, PartialEq)]
pub struct ReconnectConfig {
    /// ms before the first retry (at least 1).
    pub min_delay: u64,
    /// ms the delay never exceeds.
    pub max_delay: u64,
    /// Growth of the delay per consecutive failure (at least 1).
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
    /// Messages held at most.
    pub max_messages: usize,
    /// Bytes held at most (see [`Payload::byte_len`](super::Payload::byte_len)).
    pub max_bytes: usize,
}

/// What acknowledges the app-level init (API.md `init.ack`).
#[derive(Debug, Clone, PartialEq)]
pub enum Ack<M> {
    /// No ack: the connection opens for the app once the init is out.
    None,
    /// A message equal to this one, as it arrived (before any decoding).
    Equals(M),
    /// The driver recognises it (user code, run outside the session) and
    /// feeds it as [`Input::Ack`](super::Input::Ack).
    Driver,
}

/// The app-level handshake on every new connection (API.md `init`).
#[derive(Debug, Clone, PartialEq)]
///
/// The init messages themselves are the driver's (a user function, maybe
/// async, or a fixed list): asked with [`Action::Init`](super::Action::Init)
/// on every open, handed over one by one with
/// [`Input::Init`](super::Input::Init) and ended with
/// [`Input::InitDone`](super::Input::InitDone).
pub struct InitConfig<M> {
    /// What acknowledges the init.
    pub ack: Ack<M>,
    /// ms from the open to the ack (or to `InitDone` without one); then
    /// `Error::InitTimeout` and a failed attempt.
    pub timeout: u64,
}

impl<M> InitConfig<M> {
    /// An init without an ack, with the default timeout.
    pub fn new() -> Self {
        InitConfig {
            ack: Ack::None,
            timeout: DEFAULT_INIT_TIMEOUT,
        }
    }
}

impl<M> Default for InitConfig<M> {
    fn default() -> Self {
        Self::new()
    }
}

/// Everything the core is configured with. Defaults are those of API.md.
#[derive(Debug, Clone, PartialEq)]
pub struct Config<M> {
    /// ms a socket may stay CONNECTING; 0 disables.
    pub connect_timeout: u64,
    /// ms to wait for the close handshake after `close()` before abandoning.
    pub close_timeout: u64,
    /// `None`: no heartbeat.
    pub heartbeat: Option<HeartbeatConfig<M>>,
    /// `None`: never reconnect.
    pub reconnect: Option<ReconnectConfig>,
    /// `None`: `send` while not open fails with `NotOpen`.
    pub queue: Option<QueueConfig>,
    /// The URL is made per attempt by the driver (a user function): each
    /// attempt starts with [`Action::ResolveUrl`](super::Action::ResolveUrl)
    /// and connects once [`Input::UrlReady`](super::Input::UrlReady) comes.
    pub url_per_attempt: bool,
    /// `None`: no app-level handshake.
    pub init: Option<InitConfig<M>>,
    /// ms a request waits for its reply when its call names no timeout
    /// (`rpc.timeout`); `u64::MAX`: forever.
    pub request_timeout: u64,
}

named! {
    /// An option, named by its JS path: what [`ConfigError`] names, and
    /// the slot it takes in the array of numbers the npm facade hands the
    /// wasm module (see `abi::Slots`: NaN where the user wrote nothing,
    /// booleans and sections as 0 / 1, a section on unless `false`,
    /// `binaryType` as 1 for `'blob'`).
    pub enum Opt {
        /// `json`: a boolean.
        Json = "json",
        /// `binaryType`: `'arraybuffer'` or `'blob'`.
        BinaryType = "binaryType",
        /// `connectTimeout`, ms.
        ConnectTimeout = "connectTimeout",
        /// `closeTimeout`, ms.
        CloseTimeout = "closeTimeout",
        /// `heartbeat`: the section.
        Heartbeat = "heartbeat",
        /// `heartbeat.interval`, ms.
        HeartbeatInterval = "heartbeat.interval",
        /// `heartbeat.timeout`, ms.
        HeartbeatTimeout = "heartbeat.timeout",
        /// `reconnect`: the section.
        Reconnect = "reconnect",
        /// `reconnect.minDelay`, ms.
        MinDelay = "reconnect.minDelay",
        /// `reconnect.maxDelay`, ms.
        MaxDelay = "reconnect.maxDelay",
        /// `reconnect.factor`.
        Factor = "reconnect.factor",
        /// `reconnect.jitter`, 0..=1.
        Jitter = "reconnect.jitter",
        /// `reconnect.maxRetries` (`Infinity`: forever).
        MaxRetries = "reconnect.maxRetries",
        /// `reconnect.stableAfter`, ms.
        StableAfter = "reconnect.stableAfter",
        /// `reconnect.fatalCodes`: how many close codes follow the last
        /// slot.
        FatalCodes = "reconnect.fatalCodes",
        /// `queue`: the section.
        Queue = "queue",
        /// `queue.maxMessages`.
        MaxMessages = "queue.maxMessages",
        /// `queue.maxBytes`.
        MaxBytes = "queue.maxBytes",
        /// `init`: the section (off unless given).
        Init = "init",
        /// `init.timeout`, ms.
        InitTimeout = "init.timeout",
        /// `rpc.timeout`, ms (`Infinity`: forever). `rpc.id` is the facade's.
        RpcTimeout = "rpc.timeout",
        /// `WebSocket`: the constructor, a function (its slot only says it
        /// was given: the driver takes the constructor itself apart).
        WebSocket = "WebSocket",
    }
}

named! {
    /// What an invalid option must be, completing "`field` ..." (`js()` is
    /// the text).
    pub enum Reason {
        /// "must be greater than 0".
        Positive = "must be greater than 0",
        /// "must be at least 1 ms".
        AtLeastOneMs = "must be at least 1 ms",
        /// "must be at least reconnect.minDelay".
        BelowMinDelay = "must be at least reconnect.minDelay",
        /// "must be a finite number >= 1".
        Factor = "must be a finite number >= 1",
        /// "must be between 0 and 1".
        Fraction = "must be between 0 and 1",
        /// "close codes must be within 1000..=4999".
        CloseCodes = "close codes must be within 1000..=4999",
        /// "must be at least 1 (or disable the queue)".
        Empty = "must be at least 1 (or disable the queue)",
        /// No constructor given, and none global (the facade's own check,
        /// and the Rust API's).
        NoWebSocket = "must be passed as an option: there is no global WebSocket here",
    }
}

/// An invalid option; `field.js()` is the option's JS path, e.g.
/// `heartbeat.interval`, and `reason.js()` what it must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The option (`Opt::MinDelay.js()` is `reconnect.minDelay`). An
    /// [`Opt`], not its path: the wasm module throws its index, and the
    /// facade has the paths already (`OPTIONS`).
    pub field: Opt,
    /// What it must be ([`Reason::AtLeastOneMs`]: `must be at least 1
    /// ms`). Like `field`, an index in the wasm module (the facade has the
    /// texts: `REASONS`).
    pub reason: Reason,
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "invalid option {}: {}",
            self.field.js(),
            self.reason.js()
        )
    }
}

impl core::error::Error for ConfigError {}

/// Close codes that end the session instead of reconnecting, by default:
/// the server says the client itself is wrong (protocol error, unsupported
/// data, invalid payload, policy violation, message too big, missing
/// extension), so trying again would fail the same way.
pub const DEFAULT_FATAL_CODES: [u16; 6] = [1002, 1003, 1007, 1008, 1009, 1010];

impl<M> HeartbeatConfig<M> {
    /// API.md defaults: a ping after 10 s of silence, dead 10 s later; any
    /// message proves liveness.
    pub fn new(ping: M) -> Self {
        HeartbeatConfig {
            interval: DEFAULT_HEARTBEAT_MS,
            timeout: DEFAULT_HEARTBEAT_MS,
            ping,
            pong: None,
            any_message_counts: true,
        }
    }
}

impl Default for ReconnectConfig {
    fn default() -> Self {
        ReconnectConfig {
            min_delay: DEFAULT_MIN_DELAY,
            max_delay: DEFAULT_MAX_DELAY,
            factor: DEFAULT_FACTOR,
            jitter: DEFAULT_JITTER,
            max_retries: None,
            stable_after: DEFAULT_STABLE_AFTER,
            fatal_codes: DEFAULT_FATAL_CODES.to_vec(),
        }
    }
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            max_messages: DEFAULT_MAX_MESSAGES,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

impl<M> Config<M> {
    /// Every option at its API.md default, with `ping` as the heartbeat
    /// payload.
    pub fn new(ping: M) -> Self {
        Config {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            close_timeout: DEFAULT_CLOSE_TIMEOUT,
            heartbeat: Some(HeartbeatConfig::new(ping)),
            reconnect: Some(ReconnectConfig::default()),
            queue: Some(QueueConfig::default()),
            url_per_attempt: false,
            init: None,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        }
    }

    /// Defaults without a heartbeat (`heartbeat: false`).
    pub fn without_heartbeat() -> Self {
        Config {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            close_timeout: DEFAULT_CLOSE_TIMEOUT,
            heartbeat: None,
            reconnect: Some(ReconnectConfig::default()),
            queue: Some(QueueConfig::default()),
            url_per_attempt: false,
            init: None,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        }
    }

    /// Checks every option; the error names the first bad one by its JS
    /// path. `connect_timeout == 0` disables the connect timeout;
    /// `close_timeout == 0` abandons the socket at once on `close()`.
    // Not inlined: the wasm module calls it for a socket and for a relay.
    #[inline(never)]
    pub fn validate(&self) -> Result<(), ConfigError> {
        fn bad(field: Opt, reason: Reason) -> Result<(), ConfigError> {
            Err(ConfigError { field, reason })
        }
        if self.init.as_ref().is_some_and(|i| i.timeout == 0) {
            return bad(Opt::InitTimeout, Reason::Positive);
        }
        if let Some(hb) = &self.heartbeat {
            if hb.interval == 0 {
                return bad(Opt::HeartbeatInterval, Reason::Positive);
            }
            if hb.timeout == 0 {
                return bad(Opt::HeartbeatTimeout, Reason::Positive);
            }
        }
        if let Some(rc) = &self.reconnect {
            if rc.min_delay == 0 {
                return bad(Opt::MinDelay, Reason::AtLeastOneMs);
            }
            if rc.max_delay < rc.min_delay {
                return bad(Opt::MaxDelay, Reason::BelowMinDelay);
            }
            if rc.factor.is_nan() || rc.factor < 1.0 || rc.factor.is_infinite() {
                return bad(Opt::Factor, Reason::Factor);
            }
            // `contains` is false for NaN.
            if !(0.0..=1.0).contains(&rc.jitter) {
                return bad(Opt::Jitter, Reason::Fraction);
            }
            if rc.fatal_codes.iter().any(|&c| !(1000..=4999).contains(&c)) {
                return bad(Opt::FatalCodes, Reason::CloseCodes);
            }
        }
        if let Some(q) = &self.queue {
            if q.max_messages == 0 {
                return bad(Opt::MaxMessages, Reason::Empty);
            }
            if q.max_bytes == 0 {
                return bad(Opt::MaxBytes, Reason::Empty);
            }
        }
        Ok(())
    }
}
