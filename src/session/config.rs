//! Defaults (those of API.md) and validation of the session configuration.

use super::{Config, ConfigError, HeartbeatConfig, QueueConfig, ReconnectConfig};

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
            interval: 10_000,
            timeout: 10_000,
            ping,
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
            connect_timeout: 10_000,
            close_timeout: 5_000,
            heartbeat: Some(HeartbeatConfig::new(ping)),
            reconnect: Some(ReconnectConfig::default()),
            queue: Some(QueueConfig::default()),
        }
    }

    /// Defaults without a heartbeat (`heartbeat: false`).
    pub fn without_heartbeat() -> Self {
        Config {
            connect_timeout: 10_000,
            close_timeout: 5_000,
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
