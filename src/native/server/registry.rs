//! Who is connected: per-client counters (`open`, `peak`, `total`), the live
//! connections a `/control` action reaches, the `/chat` room, and the
//! outage/flap windows of each client.
//!
//! A connection is registered when its handshake completes and unregistered
//! by dropping its [`Registration`] (whatever way its thread ends), so `open`
//! always goes back down.

use std::collections::{BTreeMap, HashMap};
use std::net::Shutdown;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::native::stream::Stream;
use crate::native::ws::{WsError, WsWriter};

/// Counters of one client id, as `/stats` shows them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// WebSocket connections open now.
    pub open: u64,
    /// Peak of `open` since the server started.
    pub peak: u64,
    /// Handshakes completed.
    pub total: u64,
}

/// What a new handshake of a client gets, given its `/control` windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// No window: accept as usual.
    Normal,
    /// Within an `outage` window: refuse with HTTP 503.
    Outage,
    /// Within a `flap` window: accept, then close at once.
    Flap,
}

/// One live WebSocket connection, shared by its own thread, the chat room
/// and `/control`.
#[derive(Debug)]
pub struct Conn {
    /// Unique among the server's connections.
    pub id: u64,
    /// The client id it registered under (`?client=`; `""` without one).
    pub client: String,
    /// Member of the `/chat` room.
    pub chat: bool,
    writer: Mutex<WsWriter>,
    /// A clone of the socket, to drop the TCP connection from another thread.
    stream: Stream,
    /// Half-open mode: send nothing, answer nothing.
    silent: AtomicBool,
    /// Set once a close frame was sent (by the connection or `/control`):
    /// no data frame may follow it, and the closing handshake is bounded.
    close_sent_at: Mutex<Option<Instant>>,
}

impl Conn {
    /// A connection of `client`, in the `/chat` room if `chat`; `stream` is a
    /// clone of the socket `writer` writes to, kept to drop the TCP
    /// connection.
    pub fn new(id: u64, client: String, chat: bool, writer: WsWriter, stream: Stream) -> Self {
        Conn {
            id,
            client,
            chat,
            writer: Mutex::new(writer),
            stream,
            silent: AtomicBool::new(false),
            close_sent_at: Mutex::new(None),
        }
    }

    fn writer(&self) -> MutexGuard<'_, WsWriter> {
        // A thread that panicked while writing leaves a writer whose frame
        // may be half sent; the connection is dropped by its owner anyway.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the connection is in half-open mode (sends and answers nothing).
    pub fn is_silent(&self) -> bool {
        self.silent.load(Ordering::Acquire)
    }

    /// Turns half-open mode on or off; returns whether that changed it.
    pub fn set_silent(&self, silent: bool) -> bool {
        self.silent.swap(silent, Ordering::AcqRel) != silent
    }

    /// When the close frame went out, if it did.
    pub fn close_sent_at(&self) -> Option<Instant> {
        *self.close_sent_at.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends a data or control frame through `f`, unless the connection is
    /// silent or already sent its close frame. Returns whether it was sent.
    pub fn send_with(
        &self,
        f: impl FnOnce(&mut WsWriter) -> Result<(), WsError>,
    ) -> Result<bool, WsError> {
        if self.is_silent() || self.close_sent_at().is_some() {
            return Ok(false);
        }
        let mut w = self.writer();
        // Checked again under the writer lock: a close sent meanwhile wins.
        if self.close_sent_at().is_some() {
            return Ok(false);
        }
        f(&mut w).map(|()| true)
    }

    /// Starts the closing handshake: sends a close frame once (even when
    /// silent is off later). Returns false when one was already sent or the
    /// connection is silent.
    pub fn send_close(&self, code: Option<u16>, reason: &str) -> Result<bool, WsError> {
        if self.is_silent() {
            return Ok(false);
        }
        let mut w = self.writer();
        {
            let mut at = self.close_sent_at.lock().unwrap_or_else(|p| p.into_inner());
            if at.is_some() {
                return Ok(false);
            }
            *at = Some(Instant::now());
        }
        w.close(code, reason).map(|()| true)
    }

    /// Drops the TCP connection without a close frame. The connection's own
    /// thread then sees the socket fail and unregisters.
    pub fn drop_tcp(&self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

#[derive(Debug, Default)]
struct ClientEntry {
    stats: ClientStats,
    conns: HashMap<u64, Arc<Conn>>,
    outage_until: Option<Instant>,
    flap_until: Option<Instant>,
}

/// Every client id seen since the server started.
#[derive(Debug, Default)]
pub struct Registry {
    clients: Mutex<BTreeMap<String, ClientEntry>>,
    next_id: AtomicU64,
}

/// Unregisters its connection when dropped.
#[derive(Debug)]
pub struct Registration {
    registry: Arc<Registry>,
    /// The registered connection.
    pub conn: Arc<Conn>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut clients = self.registry.lock();
        if let Some(entry) = clients.get_mut(&self.conn.client) {
            if entry.conns.remove(&self.conn.id).is_some() {
                entry.stats.open = entry.stats.open.saturating_sub(1);
            }
        }
    }
}

/// Result of a `/control` action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlAction<'a> {
    /// Put every connection of the client in half-open mode: send nothing, answer nothing.
    Silent,
    /// Drop the TCP connection of every connection of the client, without a closing handshake.
    Drop,
    /// Start the closing handshake of every connection of the client (a silent
    /// one leaves half-open mode first).
    Close {
        /// Close code to send.
        code: u16,
        /// Close reason to send.
        reason: &'a str,
    },
    /// Drop every connection of the client and refuse its new handshakes
    /// (HTTP 503) for `secs`.
    Outage {
        /// Length of the window, in seconds.
        secs: u64,
    },
    /// Close every connection of the client with [`FLAP_CLOSE`], and for
    /// `secs` accept then close its new ones at once.
    Flap {
        /// Length of the window, in seconds.
        secs: u64,
    },
    /// End the client's outage and flap windows and its half-open mode.
    Reset,
}

/// Close code and reason used when a flapping connection is closed.
pub const FLAP_CLOSE: (u16, &str) = (1001, "flap");

impl Registry {
    /// An empty registry.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, ClientEntry>> {
        self.clients.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A fresh connection id.
    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// What a new handshake of `client` gets now.
    pub fn admission(&self, client: &str) -> Admission {
        let now = Instant::now();
        let clients = self.lock();
        let Some(entry) = clients.get(client) else {
            return Admission::Normal;
        };
        if entry.outage_until.is_some_and(|t| now < t) {
            Admission::Outage
        } else if entry.flap_until.is_some_and(|t| now < t) {
            Admission::Flap
        } else {
            Admission::Normal
        }
    }

    /// Records a completed handshake and returns the guard that unregisters
    /// it.
    pub fn register(self: &Arc<Self>, conn: Conn) -> Registration {
        let conn = Arc::new(conn);
        let mut clients = self.lock();
        let entry = clients.entry(conn.client.clone()).or_default();
        entry.conns.insert(conn.id, Arc::clone(&conn));
        entry.stats.open += 1;
        entry.stats.total += 1;
        entry.stats.peak = entry.stats.peak.max(entry.stats.open);
        drop(clients);
        Registration {
            registry: Arc::clone(self),
            conn,
        }
    }

    /// Counters of one client (zeros for an unknown id).
    pub fn stats(&self, client: &str) -> ClientStats {
        self.lock().get(client).map(|e| e.stats).unwrap_or_default()
    }

    /// Counters of every client seen.
    pub fn all_stats(&self) -> Vec<(String, ClientStats)> {
        self.lock()
            .iter()
            .map(|(id, e)| (id.clone(), e.stats))
            .collect()
    }

    /// The members of the `/chat` room now.
    pub fn chat_members(&self) -> Vec<Arc<Conn>> {
        self.lock()
            .values()
            .flat_map(|e| e.conns.values())
            .filter(|c| c.chat)
            .cloned()
            .collect()
    }

    /// Applies a `/control` action to `client`; returns how many of its
    /// connections it affected.
    pub fn control(&self, client: &str, action: ControlAction<'_>) -> usize {
        let now = Instant::now();
        let conns: Vec<Arc<Conn>> = {
            let mut clients = self.lock();
            // Only a window needs remembering for a client not seen yet;
            // the other actions leave `/stats` untouched for it.
            let window = matches!(
                action,
                ControlAction::Outage { .. } | ControlAction::Flap { .. }
            );
            if window {
                clients.entry(client.to_owned()).or_default();
            }
            let Some(entry) = clients.get_mut(client) else {
                return 0;
            };
            match action {
                ControlAction::Outage { secs } => {
                    entry.outage_until = Some(now + Duration::from_secs(secs));
                }
                ControlAction::Flap { secs } => {
                    entry.flap_until = Some(now + Duration::from_secs(secs));
                }
                ControlAction::Reset => {
                    entry.outage_until = None;
                    entry.flap_until = None;
                }
                _ => {}
            }
            entry.conns.values().cloned().collect()
        };
        // Socket work happens outside the registry lock: a slow peer must
        // not stall every other connection's registration.
        let mut affected = 0;
        for conn in conns {
            let hit = match action {
                ControlAction::Silent => conn.set_silent(true),
                ControlAction::Reset => conn.set_silent(false),
                ControlAction::Drop | ControlAction::Outage { .. } => {
                    conn.drop_tcp();
                    true
                }
                ControlAction::Close { code, reason } => {
                    // Even a silent connection gets this explicit order.
                    conn.set_silent(false);
                    conn.send_close(Some(code), reason).unwrap_or(false)
                }
                ControlAction::Flap { .. } => {
                    conn.set_silent(false);
                    conn.send_close(Some(FLAP_CLOSE.0), FLAP_CLOSE.1)
                        .unwrap_or(false)
                }
            };
            affected += usize::from(hit);
        }
        affected
    }
}
