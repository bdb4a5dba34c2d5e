//! What a WebSocket connection of the dev server does once its handshake is
//! done: echo, chat, stay silent, drop, close or flap, and obey `/control`.
//!
//! The connection's own thread reads; writes go through the shared
//! [`super::registry::Conn`] so that `/chat` relays and `/control`
//! actions can write from other threads. Reads wake up every
//! [`TICK`] to bound the closing handshake even when the close frame was
//! sent by another thread.

use std::sync::Arc;
use std::time::Duration;

use crate::codec::close::CloseCode;
use crate::message::Message;
use crate::native::stream::Stream;
use crate::native::ws::{Incoming, WsError, WsReader, WsWriter};

use super::registry::{Conn, FLAP_CLOSE};
use super::{linger_close, Shared};
use crate::codec::frame::Role;

/// How often a blocked read wakes up to check the closing-handshake bound.
pub const TICK: Duration = Duration::from_millis(500);

/// The behaviour of one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behavior {
    /// `/echo` (and an upgrade to `/`).
    Echo,
    /// `/chat`: text `ping` gets `pong`; the rest goes to every member.
    Chat,
    /// `/silent`: never sends or answers anything.
    Silent,
    /// `/drop?after=N`: echo, drop the TCP after the N-th message.
    Drop {
        /// Messages echoed before the drop.
        after: u64,
    },
    /// `/close?code=C&reason=R&after=N`: echo, close after the N-th message.
    Close {
        /// The close code to send.
        code: u16,
        /// The close reason to send.
        reason: String,
        /// Messages echoed before the close.
        after: u64,
    },
    /// `/flap`: close at once.
    Flap,
    /// `/babble?every=MS`: sends the text frame `babble N` (not JSON) every
    /// `every` ms (default 200) and answers nothing, heartbeat pings
    /// included: a client stays alive only if every frame counts as
    /// liveness, whatever it contains.
    Babble {
        /// The time between two frames.
        every: Duration,
    },
    /// `/auth` (see [`super::auth`]): echo, close with 4001 after `ttl`.
    Auth {
        /// How long a connection may stay open (`None`: no limit).
        ttl: Option<Duration>,
    },
    /// `/proto` (see [`super::auth`]): init first, ack after `delay`, echo.
    Proto {
        /// How long after the init the ack is sent.
        delay: Duration,
    },
    /// `/rpc`: answers requests (see [`super::rpc`]).
    Rpc,
}

/// Parses `/babble`'s `every` (ms, 10..=60000, default 200).
pub fn parse_babble(pairs: &[(String, String)]) -> Result<Behavior, String> {
    let every = match super::http::query_get(pairs, "every") {
        None => 200,
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|ms| (10..=60_000).contains(ms))
            .ok_or_else(|| format!("every must be 10-60000 ms, got {v:?}"))?,
    };
    Ok(Behavior::Babble {
        every: Duration::from_millis(every),
    })
}

/// Parses `after` (default 0).
pub fn parse_after(pairs: &[(String, String)]) -> Result<u64, String> {
    match super::http::query_get(pairs, "after") {
        None | Some("") => Ok(0),
        Some(s) => s
            .parse::<u64>()
            .map_err(|_| format!("after must be a count, got {s:?}")),
    }
}

/// Whether a server may put `code` in a close frame.
pub fn sendable_close_code(code: u16) -> bool {
    CloseCode(code).is_valid_on_wire()
}

/// Parses `code` (default 1000) as a code a server may send.
pub fn parse_close_code(pairs: &[(String, String)]) -> Result<u16, String> {
    match super::http::query_get(pairs, "code") {
        None | Some("") => Ok(1000),
        Some(s) => s
            .parse::<u16>()
            .ok()
            .filter(|c| sendable_close_code(*c))
            .ok_or_else(|| format!("code {s:?} cannot be sent in a close frame")),
    }
}

/// Parses the parameters of `/close`.
pub fn parse_close(pairs: &[(String, String)]) -> Result<Behavior, String> {
    let code = parse_close_code(pairs)?;
    let reason = super::http::query_get(pairs, "reason").unwrap_or("");
    if reason.len() > 123 {
        return Err("reason must be at most 123 bytes".into());
    }
    Ok(Behavior::Close {
        code,
        reason: reason.to_owned(),
        after: parse_after(pairs)?,
    })
}

/// The negotiated permessage-deflate parameters of a connection, if any.
#[cfg(feature = "deflate")]
pub(crate) type Deflate = Option<crate::codec::deflate::DeflateParams>;
/// Without the deflate feature nothing is ever negotiated.
#[cfg(not(feature = "deflate"))]
pub(crate) type Deflate = Option<core::convert::Infallible>;

/// Runs a connection whose 101 was just sent, until it ends.
pub(crate) fn run(
    stream: Stream,
    rest: Vec<u8>,
    client: String,
    behavior: Behavior,
    deflate: Deflate,
    shared: &Arc<Shared>,
) {
    let (Ok(write_half), Ok(control_half)) = (stream.try_clone(), stream.try_clone()) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(TICK));
    let registry = Arc::clone(&shared.registry);
    let writer = WsWriter::new(write_half, Role::Server);
    let reader = WsReader::new(stream, Role::Server, rest, shared.config.limits);
    #[cfg(feature = "deflate")]
    let (writer, reader) = match &deflate {
        Some(p) => (writer.with_deflate(p), reader.with_deflate(p)),
        None => (writer, reader),
    };
    #[cfg(not(feature = "deflate"))]
    let _ = deflate;
    let conn = Conn::new(
        registry.next_id(),
        client,
        behavior == Behavior::Chat,
        writer,
        control_half,
    );
    if behavior == Behavior::Silent {
        conn.set_silent(true);
    }
    let registration = registry.register(conn);
    let conn = Arc::clone(&registration.conn);
    if let Behavior::Babble { every } = behavior {
        let conn = Arc::clone(&conn);
        // Ends with the connection: the first write after it is gone fails.
        std::thread::spawn(move || babble(&conn, every));
    }
    super::auth::on_open(&conn, &behavior);
    let mut reader = reader;
    drive(&conn, &mut reader, &behavior, shared);
    // Unregister before lingering: the connection is over for `/stats`.
    drop(registration);
    linger_close(reader.stream_mut(), Duration::from_secs(1));
}

/// Fires `/drop` and `/close` once `received` messages have arrived.
/// Returns true when the TCP connection must be dropped now.
fn trigger(conn: &Conn, behavior: &Behavior, received: u64) -> bool {
    match behavior {
        Behavior::Drop { after } => received >= *after,
        Behavior::Close {
            code,
            reason,
            after,
        } if received >= *after => {
            // Sent once: later calls find the close frame already out.
            let _ = conn.send_close(Some(*code), reason);
            false
        }
        _ => false,
    }
}

fn drive(conn: &Arc<Conn>, reader: &mut WsReader, behavior: &Behavior, shared: &Shared) {
    let close_timeout = shared.config.close_timeout;
    if *behavior == Behavior::Flap {
        let _ = conn.send_close(Some(FLAP_CLOSE.0), FLAP_CLOSE.1);
    }
    if trigger(conn, behavior, 0) {
        return;
    }
    let mut received: u64 = 0;
    loop {
        let incoming = match reader.recv() {
            Ok(i) => i,
            Err(WsError::TimedOut) => {
                if conn
                    .close_sent_at()
                    .is_some_and(|at| at.elapsed() >= close_timeout)
                {
                    return;
                }
                continue;
            }
            Err(WsError::Protocol(e)) => {
                // Fail the connection (§7.1.7): close frame with the code
                // the violation calls for, then drop the TCP.
                if !conn.is_silent() {
                    let frame = crate::codec::close::close_for_error(&e);
                    let _ = conn.send_close(Some(frame.code.0), &frame.reason);
                }
                return;
            }
            Err(_) => return,
        };
        if conn.is_silent() {
            continue;
        }
        match incoming {
            Incoming::Message(msg) => {
                if conn.close_sent_at().is_some() {
                    // Data after our close frame is read and dropped (§5.5.1).
                    continue;
                }
                received += 1;
                let ok = match behavior {
                    Behavior::Chat => chat(conn, msg, shared),
                    Behavior::Babble { .. } => true,
                    Behavior::Proto { delay } => super::auth::proto(conn, msg, received, *delay),
                    Behavior::Rpc => super::rpc::handle(conn, msg, &shared.rpc),
                    _ => conn.send_with(|w| w.send(&msg)).is_ok(),
                };
                if !ok {
                    return;
                }
                if trigger(conn, behavior, received) {
                    return;
                }
            }
            Incoming::Ping(payload) => {
                if conn.send_with(|w| w.pong(&payload)).is_err() {
                    return;
                }
            }
            Incoming::Pong(_) => {}
            Incoming::Close(frame) => {
                if conn.close_sent_at().is_none() {
                    let reply = crate::codec::close::reply_to(frame.as_ref());
                    let _ = match reply {
                        Some(f) => conn.send_close(Some(f.code.0), &f.reason),
                        None => conn.send_close(None, ""),
                    };
                }
                // The server closes the TCP connection first (§7.1.1).
                return;
            }
        }
    }
}

/// `/babble`: a text frame that is not JSON every `every`, until the
/// connection closes.
fn babble(conn: &Conn, every: Duration) {
    for n in 1u64.. {
        std::thread::sleep(every);
        if conn.close_sent_at().is_some() {
            return;
        }
        let text = Message::Text(format!("babble {n}"));
        if conn.send_with(|w| w.send(&text)).is_err() {
            return;
        }
    }
}

/// `/chat`: `ping` gets `pong` (to the sender only); anything else goes to
/// every member, the sender included. Returns false when the sender's own
/// socket failed.
fn chat(conn: &Conn, msg: Message, shared: &Shared) -> bool {
    if msg == Message::Text("ping".into()) {
        return conn
            .send_with(|w| w.send(&Message::Text("pong".into())))
            .is_ok();
    }
    let mut own_ok = true;
    for member in shared.registry.chat_members() {
        let result = member.send_with(|w| w.send(&msg));
        if result.is_err() {
            if member.id == conn.id {
                own_ok = false;
            } else {
                // A member that cannot take a message is cut; its own thread
                // notices and unregisters it.
                member.drop_tcp();
            }
        }
    }
    own_ok
}
