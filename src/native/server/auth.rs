//! The dev server's endpoints for authenticated, stateful protocols:
//!
//! - `GET /token`: issues a fresh single-use token, `{"token": "..."}`
//!   (valid for [`TOKEN_LIFETIME`], CORS open).
//! - `/auth?token=T&ttl=MS`: the upgrade is refused with HTTP 401 unless `T`
//!   was issued by `/token` and never used; the connection echoes and is
//!   closed with 4001 `token expired` `ttl` ms after its open (no `ttl`:
//!   never).
//! - `/proto?delay=MS`: an init/ack protocol. The first message must be a
//!   text `{"type":"init", ...}`; anything else before it closes with 4400
//!   `init first`. The init is answered with `{"type":"ack"}` after `delay`
//!   ms (default 0); every later message is echoed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::message::Message;

use super::endpoints::Behavior;
use super::registry::Conn;

/// How long an issued token may wait for its connection.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(60);
/// The close of an `/auth` connection whose token expired.
pub const EXPIRED: (u16, &str) = (4001, "token expired");
/// The close of a `/proto` connection whose first message was not the init.
pub const INIT_FIRST: (u16, &str) = (4400, "init first");

/// The tokens issued by `/token` and not used yet.
#[derive(Debug, Default)]
pub struct Tokens {
    issued: Mutex<HashMap<String, Instant>>,
    next: AtomicU64,
}

impl Tokens {
    /// A fresh token.
    pub fn issue(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let salt = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let token = format!("t{n}x{salt:08x}");
        let mut issued = self.issued.lock().unwrap_or_else(|p| p.into_inner());
        issued.retain(|_, at| at.elapsed() < TOKEN_LIFETIME);
        issued.insert(token.clone(), Instant::now());
        token
    }

    /// Uses `token` up: true once per issued token, within its lifetime.
    pub fn redeem(&self, token: &str) -> bool {
        let mut issued = self.issued.lock().unwrap_or_else(|p| p.into_inner());
        issued
            .remove(token)
            .is_some_and(|at| at.elapsed() < TOKEN_LIFETIME)
    }
}

/// Why an `/auth` upgrade is refused.
pub enum Refusal {
    /// 401: no token, or not a fresh one.
    Unauthorized,
    /// 400: a bad parameter.
    Bad(String),
}

fn ms(pairs: &[(String, String)], key: &str) -> Result<Option<Duration>, String> {
    match super::http::query_get(pairs, key) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|ms| *ms <= 3_600_000)
            .map(|ms| Some(Duration::from_millis(ms)))
            .ok_or_else(|| format!("{key} must be 0-3600000 ms, got {v:?}")),
    }
}

/// Parses `/auth` and uses its token up.
pub fn parse_auth(pairs: &[(String, String)], tokens: &Tokens) -> Result<Behavior, Refusal> {
    let ttl = ms(pairs, "ttl").map_err(Refusal::Bad)?;
    match super::http::query_get(pairs, "token") {
        Some(t) if tokens.redeem(t) => Ok(Behavior::Auth { ttl }),
        _ => Err(Refusal::Unauthorized),
    }
}

/// Parses `/proto`.
pub fn parse_proto(pairs: &[(String, String)]) -> Result<Behavior, String> {
    Ok(Behavior::Proto {
        delay: ms(pairs, "delay")?.unwrap_or(Duration::ZERO),
    })
}

/// Runs `f` on `conn` after `after`, unless the connection closes first.
fn later(conn: &Arc<Conn>, after: Duration, f: impl FnOnce(&Conn) + Send + 'static) {
    let conn = Arc::clone(conn);
    std::thread::spawn(move || {
        let deadline = Instant::now() + after;
        loop {
            if conn.close_sent_at().is_some() {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return f(&conn);
            }
            std::thread::sleep(left.min(Duration::from_millis(50)));
        }
    });
}

/// What `/auth` does once open: the close after `ttl`.
pub(crate) fn on_open(conn: &Arc<Conn>, behavior: &Behavior) {
    if let Behavior::Auth { ttl: Some(ttl) } = behavior {
        later(conn, *ttl, |conn| {
            let _ = conn.send_close(Some(EXPIRED.0), EXPIRED.1);
        });
    }
}

/// `/proto`: the `received`-th message (1 = first). Returns false when the
/// socket failed.
pub(crate) fn proto(conn: &Arc<Conn>, msg: Message, received: u64, delay: Duration) -> bool {
    if received > 1 {
        return conn.send_with(|w| w.send(&msg)).is_ok();
    }
    let is_init = match &msg {
        Message::Text(t) => serde_json::from_str::<serde_json::Value>(t)
            .is_ok_and(|v| v.get("type").and_then(|t| t.as_str()) == Some("init")),
        Message::Binary(_) => false,
    };
    if !is_init {
        let _ = conn.send_close(Some(INIT_FIRST.0), INIT_FIRST.1);
        return true;
    }
    let ack = Message::Text(r#"{"type":"ack"}"#.into());
    if delay.is_zero() {
        return conn.send_with(|w| w.send(&ack)).is_ok();
    }
    later(conn, delay, move |conn| {
        let _ = conn.send_with(|w| w.send(&ack));
    });
    true
}
