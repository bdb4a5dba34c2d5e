#![cfg(not(target_arch = "wasm32"))]
//! The native client transport against the dev server and against scripted
//! raw servers (to make the server misbehave precisely): echo, automatic
//! pongs, both closing handshakes, timeouts, refusals and protocol errors
//! as typed errors.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use steadyws::codec::handshake::{self, HandshakeError, Parsed};
use steadyws::codec::{CloseCode, Encoder, Item, Limits, MessageDecoder, Outgoing, Role, Status};
use steadyws::message::Message;
use steadyws::native::client::{Client, ClientConfig, ClientError, ClientEvent};
use steadyws::native::server::{Server, ServerConfig, ServerHandle};
use steadyws::native::url::UrlError;

const WAIT: Duration = Duration::from_secs(5);

fn dev_server() -> ServerHandle {
    Server::bind("127.0.0.1:0", ServerConfig::default())
        .unwrap()
        .spawn()
        .unwrap()
}

fn next_event(c: &mut Client) -> ClientEvent {
    c.recv(Some(Instant::now() + WAIT))
        .unwrap()
        .expect("an event within the bound")
}

/// A one-connection server that completes the handshake, then runs
/// `script` on the socket.
fn raw_server<T: Send + 'static>(
    script: impl FnOnce(TcpStream, &mut Peer) -> T + Send + 'static,
) -> (SocketAddr, JoinHandle<T>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let thread = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(WAIT)).unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 1024];
        let (req, consumed) = loop {
            let n = s.read(&mut chunk).unwrap();
            buf.extend_from_slice(&chunk[..n]);
            if let Parsed::Complete { value, consumed } = handshake::parse_request(&buf).unwrap() {
                break (value, consumed);
            }
        };
        let hello = handshake::validate_request(&req).unwrap();
        s.write_all(&handshake::accept_response(&hello, None, &[]))
            .unwrap();
        let mut peer = Peer {
            decoder: MessageDecoder::new(Role::Server, Limits::default()),
            buf: buf[consumed..].to_vec(),
        };
        script(s, &mut peer)
    });
    (addr, thread)
}

/// What the raw server reads from the client.
struct Peer {
    decoder: MessageDecoder,
    buf: Vec<u8>,
}

impl Peer {
    /// The next item the client sent, `None` at end of stream.
    fn next(&mut self, s: &mut TcpStream) -> Option<Item> {
        loop {
            if !self.buf.is_empty() {
                match self.decoder.decode(&self.buf).unwrap() {
                    Status::Done { consumed, value } => {
                        self.buf.drain(..consumed);
                        return Some(value);
                    }
                    Status::NeedMore { consumed, .. } => {
                        self.buf.drain(..consumed);
                    }
                }
            }
            let mut chunk = [0u8; 4096];
            match s.read(&mut chunk) {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }
}

fn send(s: &mut TcpStream, item: Outgoing<'_>) {
    let mut out = Vec::new();
    Encoder::new(Role::Server)
        .encode(&mut out, item, None)
        .unwrap();
    s.write_all(&out).unwrap();
}

#[test]
fn echo_round_trip_and_first_offered_protocol() {
    let server = dev_server();
    let config = ClientConfig::default().protocols(["chat", "v2"]);
    let mut c = Client::connect(&server.ws_url("/echo"), &config).unwrap();
    assert_eq!(c.protocol(), "chat");
    c.send(&Message::Text("t".into())).unwrap();
    assert_eq!(
        next_event(&mut c),
        ClientEvent::Message(Message::Text("t".into()))
    );
    c.send(&Message::Binary(vec![9; 70_000])).unwrap();
    assert_eq!(
        next_event(&mut c),
        ClientEvent::Message(Message::Binary(vec![9; 70_000]))
    );
}

#[test]
fn recv_returns_none_at_the_deadline_and_keeps_working() {
    let server = dev_server();
    let mut c = Client::connect(
        &format!("ws://{}/echo", server.local_addr()),
        &ClientConfig::default(),
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_millis(50);
    assert_eq!(c.recv(Some(deadline)).unwrap(), None);
    assert!(Instant::now() >= deadline);
    c.send_text("after").unwrap();
    assert_eq!(
        next_event(&mut c),
        ClientEvent::Message(Message::Text("after".into()))
    );
}

#[test]
fn sender_sends_from_another_thread_while_recv_blocks() {
    let server = dev_server();
    let mut c = Client::connect(
        &format!("ws://{}/echo", server.local_addr()),
        &ClientConfig::default(),
    )
    .unwrap();
    let sender = c.sender();
    let t = std::thread::spawn(move || sender.send_text("from elsewhere"));
    assert_eq!(
        next_event(&mut c),
        ClientEvent::Message(Message::Text("from elsewhere".into()))
    );
    t.join().unwrap().unwrap();
}

#[test]
fn server_pings_are_answered_automatically() {
    let (addr, server) = raw_server(|mut s, peer| {
        send(&mut s, Outgoing::Ping(b"beat"));
        let reply = peer.next(&mut s);
        send(&mut s, Outgoing::Close(Some((CloseCode(1000), "done"))));
        let close = peer.next(&mut s);
        (reply, close)
    });
    let mut c = Client::connect(&format!("ws://{addr}/"), &ClientConfig::default()).unwrap();
    assert_eq!(next_event(&mut c), ClientEvent::Ping(b"beat".to_vec()));
    // The client replies to the close, then waits for the server to drop
    // TCP (the raw server does once it read the reply): a clean close.
    assert_eq!(
        next_event(&mut c),
        ClientEvent::Closed {
            code: 1000,
            reason: "done".into(),
            was_clean: true
        }
    );
    let (reply, close) = server.join().unwrap();
    assert_eq!(reply, Some(Item::Pong(b"beat".to_vec())));
    // The client echoed the close code.
    match close {
        Some(Item::Close(Some(f))) => assert_eq!(f.code, CloseCode(1000)),
        other => panic!("{other:?}"),
    }
    assert!(matches!(c.recv(None), Err(ClientError::Closed)));
}

#[test]
fn client_initiated_close_completes_the_handshake() {
    let (addr, server) = raw_server(|mut s, peer| {
        let got = peer.next(&mut s);
        if let Some(Item::Close(Some(f))) = &got {
            send(&mut s, Outgoing::Close(Some((f.code, ""))));
        }
        // The server closes TCP first.
        drop(s);
        got
    });
    let mut c = Client::connect(&format!("ws://{addr}/"), &ClientConfig::default()).unwrap();
    c.close(Some(4000), "leaving").unwrap();
    assert!(!c.is_open());
    assert!(matches!(c.send_text("late"), Err(ClientError::Closed)));
    assert_eq!(
        next_event(&mut c),
        ClientEvent::Closed {
            code: 4000,
            reason: String::new(),
            was_clean: true
        }
    );
    match server.join().unwrap() {
        Some(Item::Close(Some(f))) => {
            assert_eq!((f.code, f.reason.as_str()), (CloseCode(4000), "leaving"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn close_gives_up_after_the_close_timeout_on_a_silent_server() {
    let server = dev_server();
    let config = ClientConfig::default().close_timeout(Duration::from_millis(200));
    let mut c = Client::connect(&format!("ws://{}/silent", server.local_addr()), &config).unwrap();
    c.close(Some(1000), "").unwrap();
    let t0 = Instant::now();
    assert_eq!(
        next_event(&mut c),
        ClientEvent::Closed {
            code: 1006,
            reason: String::new(),
            was_clean: false
        }
    );
    assert!(t0.elapsed() < WAIT);
}

#[test]
fn server_protocol_errors_fail_the_connection_with_the_right_code() {
    let (addr, server) = raw_server(|mut s, peer| {
        // A masked frame from a server is a protocol error (1002).
        let mut out = Vec::new();
        Encoder::new(Role::Client)
            .encode(&mut out, Outgoing::Text("masked"), Some([1, 2, 3, 4]))
            .unwrap();
        s.write_all(&out).unwrap();
        peer.next(&mut s)
    });
    let mut c = Client::connect(&format!("ws://{addr}/"), &ClientConfig::default()).unwrap();
    assert!(matches!(
        c.recv(Some(Instant::now() + WAIT)),
        Err(ClientError::Protocol(_))
    ));
    match server.join().unwrap() {
        Some(Item::Close(Some(f))) => assert_eq!(f.code, CloseCode(1002)),
        other => panic!("{other:?}"),
    }
    assert!(matches!(c.recv(None), Err(ClientError::Closed)));
}

#[test]
fn invalid_utf8_text_is_failed_with_1007() {
    let (addr, server) = raw_server(|mut s, peer| {
        s.write_all(&[0x81, 0x02, 0xC3, 0x28]).unwrap();
        peer.next(&mut s)
    });
    let mut c = Client::connect(&format!("ws://{addr}/"), &ClientConfig::default()).unwrap();
    assert!(matches!(
        c.recv(Some(Instant::now() + WAIT)),
        Err(ClientError::Protocol(_))
    ));
    match server.join().unwrap() {
        Some(Item::Close(Some(f))) => assert_eq!(f.code, CloseCode(1007)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn connect_times_out_against_a_stalled_handshake() {
    let server = dev_server();
    let config = ClientConfig::default().connect_timeout(Duration::from_millis(200));
    let t0 = Instant::now();
    let err = Client::connect(&format!("ws://{}/stall", server.local_addr()), &config).unwrap_err();
    assert!(matches!(err, ClientError::Timeout), "{err:?}");
    assert!(t0.elapsed() >= Duration::from_millis(200));
    assert!(t0.elapsed() < WAIT);
}

#[test]
fn refused_handshake_surfaces_its_status() {
    let server = dev_server();
    let err = Client::connect(
        &format!("ws://{}/refuse?status=503", server.local_addr()),
        &ClientConfig::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::Handshake(HandshakeError::Rejected { status: 503 })
        ),
        "{err:?}"
    );
}

#[test]
fn refused_tcp_connection_is_a_connect_error() {
    // A port that was just free.
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = Client::connect(&format!("ws://{addr}/"), &ClientConfig::default()).unwrap_err();
    assert!(matches!(err, ClientError::Connect(_)), "{err:?}");
}

#[test]
fn bad_urls_are_typed_errors() {
    let c = ClientConfig::default();
    assert!(matches!(
        Client::connect("https://example.com/", &c),
        Err(ClientError::Url(UrlError::UnsupportedScheme(s))) if s == "https"
    ));
    assert!(matches!(
        Client::connect("ws://:80/", &c),
        Err(ClientError::Url(UrlError::MissingHost))
    ));
    assert!(matches!(
        Client::connect("ws://h:99999/", &c),
        Err(ClientError::Url(UrlError::InvalidPort))
    ));
    assert!(matches!(
        Client::connect("ws://h/a b", &c),
        Err(ClientError::Url(UrlError::Invalid))
    ));
}

#[test]
fn invalid_sends_are_refused_without_breaking_the_connection() {
    let server = dev_server();
    let mut c = Client::connect(
        &format!("ws://{}/echo", server.local_addr()),
        &ClientConfig::default(),
    )
    .unwrap();
    assert!(matches!(
        c.ping(&[0; 126]),
        Err(ClientError::InvalidSend(_))
    ));
    assert!(matches!(
        c.close(Some(1005), ""),
        Err(ClientError::InvalidSend(_))
    ));
    c.send_text("still fine").unwrap();
    assert_eq!(
        next_event(&mut c),
        ClientEvent::Message(Message::Text("still fine".into()))
    );
}

#[test]
fn abandon_returns_at_once_even_on_a_half_open_peer() {
    let server = dev_server();
    let c = Client::connect(
        &format!("ws://{}/silent?client=h", server.local_addr()),
        &ClientConfig::default(),
    )
    .unwrap();
    let t0 = Instant::now();
    c.abandon(Some(4000), "heartbeat timeout");
    assert!(t0.elapsed() < Duration::from_secs(1));
    let deadline = Instant::now() + WAIT;
    while server.registry().stats("h").open != 0 {
        assert!(
            Instant::now() < deadline,
            "the server never saw the abandon"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn sender_close_and_abandon_unblock_the_reading_thread() {
    let server = dev_server();
    let url = format!("ws://{}/echo?client=t", server.local_addr());
    // close() from another thread: the blocked recv completes the handshake.
    let mut c = Client::connect(&url, &ClientConfig::default()).unwrap();
    let sender = c.sender();
    let reader = std::thread::spawn(move || c.recv(None));
    sender.close(Some(1000), "done").unwrap();
    assert!(matches!(sender.send_text("late"), Err(ClientError::Closed)));
    assert_eq!(
        reader.join().unwrap().unwrap(),
        Some(ClientEvent::Closed {
            code: 1000,
            reason: String::new(),
            was_clean: true
        })
    );
    // abandon() from another thread: the blocked recv returns at once.
    let mut c = Client::connect(&url, &ClientConfig::default()).unwrap();
    let sender = c.sender();
    let reader = std::thread::spawn(move || c.recv(None));
    sender.abandon(None, "");
    let t0 = Instant::now();
    let got = reader.join().unwrap();
    assert!(t0.elapsed() < WAIT);
    assert!(
        matches!(
            got,
            Ok(Some(ClientEvent::Closed { code: 1006, .. })) | Err(_)
        ),
        "{got:?}"
    );
}
