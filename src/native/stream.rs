//! The byte stream under a WebSocket connection: plain TCP, or TLS (rustls)
//! over TCP, for both roles.
//!
//! [`Stream`] has the `TcpStream` methods the transport uses (`try_clone`,
//! read/write timeouts, `shutdown`), so [`ws`](super::ws), the client and the
//! dev server do not care which one they hold.
//!
//! # Reading and writing from two threads over TLS
//!
//! The client reads on one thread while another sends (see
//! [`client`](super::client)), but a TLS connection is one state machine.
//! Handles made by [`Stream::try_clone`] share it behind a mutex that is
//! never held during socket I/O:
//! - reading blocks on the raw socket *without* the lock, then takes it only
//!   to decrypt what arrived;
//! - writing takes it only to encrypt into a buffer, then writes the
//!   records out holding a second lock (`TlsShared::out`) that keeps them
//!   in the order they were made.
//!
//! So a writer stuck on a full socket buffer never stops the reader from
//! draining the peer (which would deadlock two peers writing to each other),
//! and a reader blocked in `read` never stops a send.
//!
//! Only one handle reads (the transport's reader); the others write or shut
//! down.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

/// How much raw TLS is read from the socket at once.
const RAW_CHUNK: usize = 16 * 1024 + 256;

/// A plain TCP or TLS-over-TCP stream (see the module docs).
pub struct Stream {
    tcp: TcpStream,
    tls: Option<Tls>,
}

/// This handle's side of a shared TLS connection.
struct Tls {
    shared: Arc<TlsShared>,
    /// Raw bytes read from the socket and not yet handed to rustls (only
    /// the reading handle has any).
    raw: Vec<u8>,
    raw_start: usize,
    raw_end: usize,
}

struct TlsShared {
    conn: Mutex<rustls::Connection>,
    /// Held while encrypted records go out on the socket; the buffer they
    /// are encrypted into, kept for reuse.
    out: Mutex<Vec<u8>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A thread that panicked mid-write leaves a connection that will fail on
    // its next use; that is better than poisoning every other handle.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A rustls error as an `io::Error`, so it travels through `Read`/`Write`;
/// [`tls_error`] gets it back.
fn tls_io(e: rustls::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// The rustls error inside an `io::Error` made by this module, if any.
pub fn tls_error(e: &io::Error) -> Option<&rustls::Error> {
    e.get_ref().and_then(|inner| inner.downcast_ref())
}

/// Why a TLS handshake did not complete.
#[derive(Debug)]
pub enum HandshakeFailure {
    /// TLS itself failed: a certificate refused, an alert, a protocol error.
    Tls(rustls::Error),
    /// The deadline passed first.
    Timeout,
    /// The socket failed or the peer closed it.
    Io(io::Error),
}

impl TlsShared {
    /// Writes every pending TLS record to the socket. With `wait` false it
    /// returns at once if another handle is writing (that handle sends
    /// what is pending once its own write is done).
    fn flush(&self, tcp: &TcpStream, wait: bool) -> io::Result<()> {
        loop {
            let mut out = if wait {
                lock(&self.out)
            } else {
                match self.out.try_lock() {
                    Ok(g) => g,
                    Err(TryLockError::Poisoned(p)) => p.into_inner(),
                    Err(TryLockError::WouldBlock) => return Ok(()),
                }
            };
            loop {
                out.clear();
                {
                    let mut conn = lock(&self.conn);
                    while conn.wants_write() {
                        conn.write_tls(&mut *out)?;
                    }
                }
                if out.is_empty() {
                    break;
                }
                (&*tcp).write_all(&out)?;
            }
            // A record queued between our last look and the unlock (by the
            // reading handle, which did not wait for us) is ours to send.
            drop(out);
            if !lock(&self.conn).wants_write() {
                return Ok(());
            }
        }
    }
}

impl Stream {
    /// A plain TCP stream.
    pub fn plain(tcp: TcpStream) -> Stream {
        Stream { tcp, tls: None }
    }

    /// Runs the TLS handshake of `conn` (a client or server connection)
    /// over `tcp`, within `deadline`.
    pub fn tls(
        mut tcp: TcpStream,
        mut conn: rustls::Connection,
        deadline: Instant,
    ) -> Result<Stream, HandshakeFailure> {
        let left = || {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                Err(HandshakeFailure::Timeout)
            } else {
                Ok(left)
            }
        };
        let io = |e: io::Error| match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => HandshakeFailure::Timeout,
            _ => HandshakeFailure::Io(e),
        };
        loop {
            while conn.wants_write() {
                tcp.set_write_timeout(Some(left()?)).map_err(io)?;
                conn.write_tls(&mut tcp).map_err(io)?;
            }
            if !conn.is_handshaking() {
                break;
            }
            tcp.set_read_timeout(Some(left()?)).map_err(io)?;
            match conn.read_tls(&mut tcp) {
                Ok(0) => {
                    return Err(HandshakeFailure::Io(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the peer closed the connection during the TLS handshake",
                    )))
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io(e)),
            }
            if let Err(e) = conn.process_new_packets() {
                // Tell the peer why (the alert rustls queued), briefly.
                let _ = tcp.set_write_timeout(Some(Duration::from_millis(100)));
                while conn.wants_write() && conn.write_tls(&mut tcp).is_ok() {}
                return Err(HandshakeFailure::Tls(e));
            }
        }
        tcp.set_read_timeout(None).map_err(io)?;
        tcp.set_write_timeout(None).map_err(io)?;
        Ok(Stream {
            tcp,
            tls: Some(Tls {
                shared: Arc::new(TlsShared {
                    conn: Mutex::new(conn),
                    out: Mutex::new(Vec::new()),
                }),
                raw: Vec::new(),
                raw_start: 0,
                raw_end: 0,
            }),
        })
    }

    /// Whether this is a TLS stream.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// The underlying TCP socket.
    pub fn tcp(&self) -> &TcpStream {
        &self.tcp
    }

    /// Another handle on the same connection (same socket, same TLS state).
    pub fn try_clone(&self) -> io::Result<Stream> {
        Ok(Stream {
            tcp: self.tcp.try_clone()?,
            tls: self.tls.as_ref().map(|t| Tls {
                shared: Arc::clone(&t.shared),
                raw: Vec::new(),
                raw_start: 0,
                raw_end: 0,
            }),
        })
    }

    /// Sets the read timeout of the underlying TCP socket (`None`: block).
    pub fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        self.tcp.set_read_timeout(t)
    }

    /// Sets the write timeout of the underlying TCP socket (`None`: block).
    pub fn set_write_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        self.tcp.set_write_timeout(t)
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm).
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.tcp.set_nodelay(on)
    }

    /// The remote address of the TCP connection.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.tcp.peer_addr()
    }

    /// Shuts the socket down. Over TLS, shutting the writing side down
    /// (alone) first sends `close_notify`, without waiting for another
    /// handle's write; `Both` is the abrupt end of an abandoned socket and
    /// sends nothing.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        if let (Some(tls), Shutdown::Write) = (&self.tls, how) {
            lock(&tls.shared.conn).send_close_notify();
            let _ = tls.shared.flush(&self.tcp, false);
        }
        self.tcp.shutdown(how)
    }
}

/// Keeps one `read` within the socket's read timeout however many socket
/// reads it takes to complete a TLS record (the timeout bounds each socket
/// read, so a peer trickling a record byte by byte could otherwise stretch
/// it without end), and puts the socket's timeout back afterwards.
struct ReadBudget<'a> {
    tcp: &'a TcpStream,
    start: Instant,
    /// The socket's timeout and the deadline it gives this call, once a
    /// second socket read is needed.
    limit: Option<(Option<Duration>, Option<Instant>)>,
}

impl ReadBudget<'_> {
    /// Before every socket read but the first.
    fn shrink(&mut self) -> io::Result<()> {
        let (_, deadline) = match self.limit {
            Some(l) => l,
            None => {
                let timeout = self.tcp.read_timeout()?;
                *self
                    .limit
                    .insert((timeout, timeout.map(|t| self.start + t)))
            }
        };
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            self.tcp.set_read_timeout(Some(left))?;
        }
        Ok(())
    }
}

impl Drop for ReadBudget<'_> {
    fn drop(&mut self) {
        if let Some((timeout @ Some(_), _)) = self.limit {
            let _ = self.tcp.set_read_timeout(timeout);
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Stream { tcp, tls } = self;
        let Some(tls) = tls else {
            return tcp.read(buf);
        };
        if buf.is_empty() {
            return Ok(0);
        }
        let tcp: &TcpStream = tcp;
        let mut budget = ReadBudget {
            tcp,
            start: Instant::now(),
            limit: None,
        };
        let mut socket_reads = 0;
        loop {
            {
                let mut conn = lock(&tls.shared.conn);
                match conn.reader().read(buf) {
                    Ok(n) => return Ok(n),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    // TCP ended without close_notify. WebSocket frames and
                    // its closing handshake say whether anything was cut
                    // off, so this is an ordinary end of stream.
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                    Err(e) => return Err(e),
                }
                // No plaintext is buffered now, so rustls has room for more.
                if tls.raw_start < tls.raw_end {
                    let mut pending = &tls.raw[tls.raw_start..tls.raw_end];
                    let before = pending.len();
                    conn.read_tls(&mut pending)?;
                    tls.raw_start += before - pending.len();
                    let processed = conn.process_new_packets();
                    let reply = conn.wants_write();
                    drop(conn);
                    if reply || processed.is_err() {
                        // An alert, a key update: sent now unless another
                        // handle is writing (which then sends it).
                        let _ = tls.shared.flush(tcp, false);
                    }
                    processed.map_err(tls_io)?;
                    continue;
                }
            }
            if tls.raw.is_empty() {
                tls.raw = vec![0; RAW_CHUNK];
            }
            // Blocks (bounded by the socket's read timeout) without the lock.
            if socket_reads > 0 {
                budget.shrink()?;
            }
            socket_reads += 1;
            let n = (&mut &*tcp).read(&mut tls.raw)?;
            tls.raw_start = 0;
            tls.raw_end = n;
            if n == 0 {
                let mut conn = lock(&tls.shared.conn);
                let _ = conn.read_tls(&mut &[][..]);
                conn.process_new_packets().map_err(tls_io)?;
            }
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Some(tls) = &self.tls else {
            return self.tcp.write(buf);
        };
        let n = lock(&tls.shared.conn).writer().write(buf)?;
        tls.shared.flush(&self.tcp, true)?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        match &self.tls {
            None => self.tcp.flush(),
            Some(tls) => tls.shared.flush(&self.tcp, true),
        }
    }
}

impl fmt::Debug for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stream")
            .field("peer", &self.tcp.peer_addr().ok())
            .field("tls", &self.is_tls())
            .finish()
    }
}
