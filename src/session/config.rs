//! The session's options: their types, their defaults (those of API.md, for
//! the JS facade, the bindings and the Rust builders alike: this file is the
//! one place they are written) and their validation.
//!
//! Options arrive in two shapes. Rust callers build a [`Config`] (start from
//! [`Config::new`]); the JS facade hands over what the user wrote, each field
//! possibly missing, as [`Options`], which [`Options::into_config`] turns
//! into a `Config` with the defaults filled in. Both end in
//! [`Config::validate`], so a bad value is refused the same way, with the
//! same JS field name, whichever way it came.

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
}

/// An invalid option; `field` is the option's JS path, e.g. `heartbeat.interval`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The option's path as JS users write it (`reconnect.minDelay`).
    pub field: &'static str,
    /// What it must be, completing "`field` ..." (`must be at least 1 ms`).
    pub reason: &'static str,
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "invalid option {}: {}", self.field, self.reason)
    }
}

impl std::error::Error for ConfigError {}

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
            min_delay: 1_000,
            max_delay: 30_000,
            factor: 2.0,
            jitter: 0.5,
            max_retries: None,
            stable_after: 5_000,
            fatal_codes: DEFAULT_FATAL_CODES.to_vec(),
        }
    }
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            max_messages: 1_000,
            max_bytes: 1 << 20,
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
        }
    }

    /// Checks every option; the error names the first bad one by its JS
    /// path. `connect_timeout == 0` disables the connect timeout;
    /// `close_timeout == 0` abandons the socket at once on `close()`.
    pub fn validate(&self) -> Result<(), ConfigError> {
        fn bad(field: &'static str, reason: &'static str) -> Result<(), ConfigError> {
            Err(ConfigError { field, reason })
        }
        if let Some(hb) = &self.heartbeat {
            if hb.interval == 0 {
                return bad("heartbeat.interval", "must be greater than 0");
            }
            if hb.timeout == 0 {
                return bad("heartbeat.timeout", "must be greater than 0");
            }
        }
        if let Some(rc) = &self.reconnect {
            if rc.min_delay == 0 {
                return bad("reconnect.minDelay", "must be at least 1 ms");
            }
            if rc.max_delay < rc.min_delay {
                return bad("reconnect.maxDelay", "must be at least reconnect.minDelay");
            }
            if rc.factor.is_nan() || rc.factor < 1.0 || rc.factor.is_infinite() {
                return bad("reconnect.factor", "must be a finite number >= 1");
            }
            // `contains` is false for NaN.
            if !(0.0..=1.0).contains(&rc.jitter) {
                return bad("reconnect.jitter", "must be between 0 and 1");
            }
            if rc.fatal_codes.iter().any(|&c| !(1000..=4999).contains(&c)) {
                return bad(
                    "reconnect.fatalCodes",
                    "close codes must be within 1000..=4999",
                );
            }
        }
        if let Some(q) = &self.queue {
            if q.max_messages == 0 {
                return bad(
                    "queue.maxMessages",
                    "must be at least 1 (or disable the queue)",
                );
            }
            if q.max_bytes == 0 {
                return bad(
                    "queue.maxBytes",
                    "must be at least 1 (or disable the queue)",
                );
            }
        }
        Ok(())
    }
}

/// One section of [`Options`] (`heartbeat`, `reconnect`, `queue`): JS
/// `false` turns it off; `undefined`, `true` or an object turn it on, with
/// the object's fields over the defaults.
#[derive(Debug, Clone, PartialEq)]
pub enum Section<T> {
    /// On, with these fields (each `None` takes its default).
    On(T),
    /// Off (`false`).
    Off,
}

impl<T: Default> Default for Section<T> {
    fn default() -> Self {
        Section::On(T::default())
    }
}

/// Options as a dynamically typed caller hands them over: numbers are JS
/// numbers (`f64`, `Infinity` allowed where it means "never"), and every
/// field the user left out is `None`. The facade checks only what needs JS
/// types (a function, a buffer); ranges and defaults are decided here.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Options {
    /// `connectTimeout`.
    pub connect_timeout: Option<f64>,
    /// `closeTimeout`.
    pub close_timeout: Option<f64>,
    /// `heartbeat`.
    pub heartbeat: Section<HeartbeatOptions>,
    /// `reconnect`.
    pub reconnect: Section<ReconnectOptions>,
    /// `queue`.
    pub queue: Section<QueueOptions>,
}

/// `heartbeat` fields of [`Options`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HeartbeatOptions {
    /// `heartbeat.interval`.
    pub interval: Option<f64>,
    /// `heartbeat.timeout`.
    pub timeout: Option<f64>,
}

/// `reconnect` fields of [`Options`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReconnectOptions {
    /// `reconnect.minDelay`.
    pub min_delay: Option<f64>,
    /// `reconnect.maxDelay`.
    pub max_delay: Option<f64>,
    /// `reconnect.factor`.
    pub factor: Option<f64>,
    /// `reconnect.jitter`.
    pub jitter: Option<f64>,
    /// `reconnect.maxRetries` (`Infinity`: retry forever).
    pub max_retries: Option<f64>,
    /// `reconnect.stableAfter`.
    pub stable_after: Option<f64>,
    /// `reconnect.fatalCodes`.
    pub fatal_codes: Option<Vec<f64>>,
}

/// `queue` fields of [`Options`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueueOptions {
    /// `queue.maxMessages`.
    pub max_messages: Option<f64>,
    /// `queue.maxBytes`.
    pub max_bytes: Option<f64>,
}

/// A JS number of milliseconds (or a count): `>= 0`, whole or not (the
/// fraction is dropped), `Infinity` saturating to "never".
fn whole(v: Option<f64>, default: u64, field: &'static str) -> Result<u64, ConfigError> {
    match v {
        None => Ok(default),
        // `>=` is false for NaN.
        Some(v) if v >= 0.0 => Ok(v as u64),
        Some(_) => Err(ConfigError {
            field,
            reason: "must be a number >= 0",
        }),
    }
}

/// A JS number used as is (factor, jitter): NaN is refused here, ranges by
/// [`Config::validate`].
fn real(v: Option<f64>, default: f64, field: &'static str) -> Result<f64, ConfigError> {
    match v {
        Some(v) if v.is_nan() => Err(ConfigError {
            field,
            reason: "must be a number",
        }),
        v => Ok(v.unwrap_or(default)),
    }
}

/// A count for `usize` fields, saturating on 32-bit targets (wasm32).
fn count(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

impl Options {
    /// Fills in the defaults and validates. `ping` is the heartbeat payload
    /// and `pong`, if any, the reply to match (see [`HeartbeatConfig::pong`]).
    pub fn into_config<M>(self, ping: M, pong: Option<M>) -> Result<Config<M>, ConfigError> {
        let heartbeat = match self.heartbeat {
            Section::Off => None,
            Section::On(h) => Some(HeartbeatConfig {
                interval: whole(h.interval, DEFAULT_HEARTBEAT_MS, "heartbeat.interval")?,
                timeout: whole(h.timeout, DEFAULT_HEARTBEAT_MS, "heartbeat.timeout")?,
                ping,
                pong,
                any_message_counts: true,
            }),
        };
        let reconnect = match self.reconnect {
            Section::Off => None,
            Section::On(r) => {
                let d = ReconnectConfig::default();
                let max_retries = match r.max_retries {
                    Some(v) if v == f64::INFINITY => None,
                    Some(v) if v.fract() != 0.0 || !(0.0..=u32::MAX as f64).contains(&v) => {
                        return Err(ConfigError {
                            field: "reconnect.maxRetries",
                            reason: "must be a whole number >= 0 or Infinity",
                        })
                    }
                    Some(v) => Some(v as u32),
                    None => d.max_retries,
                };
                let fatal_codes = match r.fatal_codes {
                    None => d.fatal_codes,
                    Some(codes) => {
                        let mut out = Vec::with_capacity(codes.len());
                        for c in codes {
                            if c.fract() != 0.0 || !(1000.0..=4999.0).contains(&c) {
                                return Err(ConfigError {
                                    field: "reconnect.fatalCodes",
                                    reason: "must be an array of close codes (1000..=4999)",
                                });
                            }
                            out.push(c as u16);
                        }
                        out
                    }
                };
                Some(ReconnectConfig {
                    min_delay: whole(r.min_delay, d.min_delay, "reconnect.minDelay")?,
                    max_delay: whole(r.max_delay, d.max_delay, "reconnect.maxDelay")?,
                    factor: real(r.factor, d.factor, "reconnect.factor")?,
                    jitter: real(r.jitter, d.jitter, "reconnect.jitter")?,
                    max_retries,
                    stable_after: whole(r.stable_after, d.stable_after, "reconnect.stableAfter")?,
                    fatal_codes,
                })
            }
        };
        let queue = match self.queue {
            Section::Off => None,
            Section::On(q) => {
                let d = QueueConfig::default();
                Some(QueueConfig {
                    max_messages: count(whole(
                        q.max_messages,
                        d.max_messages as u64,
                        "queue.maxMessages",
                    )?),
                    max_bytes: count(whole(q.max_bytes, d.max_bytes as u64, "queue.maxBytes")?),
                })
            }
        };
        let config = Config {
            connect_timeout: whole(
                self.connect_timeout,
                DEFAULT_CONNECT_TIMEOUT,
                "connectTimeout",
            )?,
            close_timeout: whole(self.close_timeout, DEFAULT_CLOSE_TIMEOUT, "closeTimeout")?,
            heartbeat,
            reconnect,
            queue,
        };
        config.validate()?;
        Ok(config)
    }
}
