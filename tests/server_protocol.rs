#![cfg(not(target_arch = "wasm32"))]
//! The dev server's side of RFC 6455 under bad input and load: protocol
//! violations fail the connection with the right close code and leave the
//! server serving; size limits answer 1009; many concurrent clients are all
//! served and all unregistered.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use steadyws::codec::handshake::{self, Parsed};
use steadyws::codec::{CloseCode, Encoder, Item, Limits, MessageDecoder, Outgoing, Role, Status};
use steadyws::message::Message;
use steadyws::native::client::{Client, ClientConfig, ClientEvent};
use steadyws::native::server::{Server, ServerConfig, ServerHandle};

const WAIT: Duration = Duration::from_secs(5);

fn start(limits: Limits) -> ServerHandle {
    let config = ServerConfig {
        limits,
        ..ServerConfig::default()
    };
    Server::bind("127.0.0.1:0", config)
        .unwrap()
        .spawn()
        .unwrap()
}

/// A raw client: handshake done, then arbitrary bytes.
struct Raw {
    s: TcpStream,
    buf: Vec<u8>,
    decoder: MessageDecoder,
}

impl Raw {
    fn connect(addr: SocketAddr, path: &str) -> Raw {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(WAIT)).unwrap();
        let req = handshake::ClientRequest::new("t", path, &[], None).unwrap();
        s.write_all(&req.to_bytes()).unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 1024];
        loop {
            let n = s.read(&mut chunk).unwrap();
            assert!(n > 0);
            buf.extend_from_slice(&chunk[..n]);
            if let Parsed::Complete { value, consumed } = handshake::parse_response(&buf).unwrap() {
                req.validate_response(&value).unwrap();
                buf.drain(..consumed);
                break;
            }
        }
        Raw {
            s,
            buf,
            decoder: MessageDecoder::new(Role::Client, Limits::default()),
        }
    }

    /// The next item from the server, `None` once it closed the TCP.
    fn next(&mut self) -> Option<Item> {
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
            match self.s.read(&mut chunk) {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Expects a close frame with `code`, then the end of the TCP stream.
    fn expect_failed_with(&mut self, code: u16, case: &str) {
        match self.next() {
            Some(Item::Close(Some(f))) => assert_eq!(f.code, CloseCode(code), "{case}"),
            other => panic!("{case}: expected close {code}, got {other:?}"),
        }
        // Our side of the closing handshake, then the server drops TCP.
        let _ = self.s.write_all(&[0x88, 0x80, 0, 0, 0, 0]);
        assert_eq!(self.next(), None, "{case}: the server must drop TCP");
    }
}

fn masked(item: Outgoing<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    Encoder::new(Role::Client)
        .encode(&mut out, item, Some([0x11, 0x22, 0x33, 0x44]))
        .unwrap();
    out
}

#[test]
fn protocol_violations_get_1002_and_the_server_keeps_serving() {
    let h = start(Limits::default());
    let addr = h.local_addr();
    let violations: Vec<(&str, Vec<u8>)> = vec![
        // Unmasked frame from a client.
        ("unmasked", vec![0x81, 0x02, b'h', b'i']),
        // Reserved opcode 3.
        ("reserved opcode", vec![0x83, 0x80, 1, 2, 3, 4]),
        // RSV1 without an extension.
        ("rsv1", vec![0xC1, 0x80, 1, 2, 3, 4]),
        // Fragmented ping.
        ("fragmented control", vec![0x09, 0x80, 1, 2, 3, 4]),
        // Continuation with nothing to continue.
        ("stray continuation", vec![0x80, 0x80, 1, 2, 3, 4]),
        // Close with a 1-byte payload.
        ("1-byte close", vec![0x88, 0x81, 0, 0, 0, 0, 3]),
    ];
    for (name, bytes) in violations {
        let mut raw = Raw::connect(addr, "/echo");
        raw.s.write_all(&bytes).unwrap();
        raw.expect_failed_with(1002, name);
    }
    let mut c = Client::connect(&format!("ws://{addr}/echo"), &ClientConfig::default()).unwrap();
    c.send_text("alive").unwrap();
    assert_eq!(
        c.recv(Some(Instant::now() + WAIT)).unwrap(),
        Some(ClientEvent::Message(Message::Text("alive".into())))
    );
}

#[test]
fn invalid_utf8_gets_1007_even_mid_fragment() {
    let h = start(Limits::default());
    let mut raw = Raw::connect(h.local_addr(), "/echo");
    // First fragment of a text message: valid, then an impossible byte in
    // the continuation, whose FIN never comes.
    let mut bytes = Vec::new();
    steadyws::codec::encode_frame(
        &mut bytes,
        false,
        steadyws::codec::OpCode::Text,
        "héllo".as_bytes(),
        Some([1, 2, 3, 4]),
    )
    .unwrap();
    steadyws::codec::encode_frame(
        &mut bytes,
        false,
        steadyws::codec::OpCode::Continuation,
        &[0xFF],
        Some([1, 2, 3, 4]),
    )
    .unwrap();
    raw.s.write_all(&bytes).unwrap();
    raw.expect_failed_with(1007, "utf-8");
}

#[test]
fn messages_over_the_limit_get_1009() {
    let h = start(Limits::default().max_message_size(1024));
    let mut raw = Raw::connect(h.local_addr(), "/echo");
    raw.s
        .write_all(&masked(Outgoing::Binary(&[7; 1000])))
        .unwrap();
    assert_eq!(
        raw.next(),
        Some(Item::Message(Message::Binary(vec![7; 1000])))
    );
    raw.s
        .write_all(&masked(Outgoing::Binary(&[7; 2000])))
        .unwrap();
    raw.expect_failed_with(1009, "too big");
}

#[test]
fn close_frame_is_echoed_and_the_server_closes_tcp_first() {
    let h = start(Limits::default());
    let mut raw = Raw::connect(h.local_addr(), "/echo");
    raw.s
        .write_all(&masked(Outgoing::Close(Some((CloseCode(4321), "bye")))))
        .unwrap();
    match raw.next() {
        Some(Item::Close(Some(f))) => assert_eq!(f.code, CloseCode(4321)),
        other => panic!("{other:?}"),
    }
    assert_eq!(raw.next(), None, "the server must close the TCP connection");
    // An empty close frame is answered with an empty one.
    let mut raw = Raw::connect(h.local_addr(), "/echo");
    raw.s.write_all(&masked(Outgoing::Close(None))).unwrap();
    assert_eq!(raw.next(), Some(Item::Close(None)));
    assert_eq!(raw.next(), None);
}

#[test]
fn many_concurrent_clients_are_served_and_unregistered() {
    let h = start(Limits::default());
    let url = format!("ws://{}/echo?client=load", h.local_addr());
    let threads: Vec<_> = (0..32)
        .map(|i| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut c = Client::connect(&url, &ClientConfig::default()).unwrap();
                for j in 0..20 {
                    let msg = format!("{i}-{j}");
                    c.send_text(&msg).unwrap();
                    assert_eq!(
                        c.recv(Some(Instant::now() + WAIT)).unwrap(),
                        Some(ClientEvent::Message(Message::Text(msg)))
                    );
                }
                c.close(Some(1000), "").unwrap();
                assert!(matches!(
                    c.recv(Some(Instant::now() + WAIT)).unwrap(),
                    Some(ClientEvent::Closed {
                        code: 1000,
                        was_clean: true,
                        ..
                    })
                ));
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let deadline = Instant::now() + WAIT;
    loop {
        let s = h.registry().stats("load");
        if s.open == 0 {
            assert_eq!(s.total, 32);
            assert!(s.peak >= 1 && s.peak <= 32);
            break;
        }
        assert!(Instant::now() < deadline, "stuck at {s:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
}
