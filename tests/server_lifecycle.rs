#![cfg(not(target_arch = "wasm32"))]
//! The dev server as a process and as a bounded resource: the `steadyws
//! serve` command line, the connection cap, the head timeout, stopping, and
//! a first frame pipelined with the handshake.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use steadyws::codec::handshake::{self, Parsed};
use steadyws::codec::{Encoder, Item, Limits, MessageDecoder, Outgoing, Role, Status};
use steadyws::message::Message;
use steadyws::native::cli::{parse_serve, ArgError, ServeArgs};
use steadyws::native::client::{Client, ClientConfig, ClientEvent};
use steadyws::native::server::{Server, ServerConfig};

const WAIT: Duration = Duration::from_secs(5);

#[test]
fn serve_arguments_parse_with_defaults_and_typed_errors() {
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(parse_serve(&[]), Ok(ServeArgs::default()));
    let parsed = parse_serve(&args(&["--port", "0", "--host=::1", "--root", "site"])).unwrap();
    assert_eq!(parsed.port, 0);
    assert_eq!(parsed.host, "::1");
    assert_eq!(parsed.root, std::path::PathBuf::from("site"));
    assert_eq!(
        parse_serve(&args(&["--port", "http"])),
        Err(ArgError::InvalidValue {
            flag: "--port".into(),
            value: "http".into()
        })
    );
    assert_eq!(
        parse_serve(&args(&["--root"])),
        Err(ArgError::MissingValue("--root".into()))
    );
    assert_eq!(
        parse_serve(&args(&["--verbose", "1"])),
        Err(ArgError::UnknownFlag("--verbose".into()))
    );
}

/// Kills the child process when the test ends, however it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_binary_prints_its_address_then_serves() {
    let root = std::env::temp_dir().join(format!("steadyws-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("index.html"), "cli").unwrap();
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_steadyws"))
            .args(["serve", "--host", "127.0.0.1", "--port", "0", "--root"])
            .arg(&root)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first
        .strip_prefix("listening on ws://")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_owned();
    assert!(
        addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"),
        "{addr}"
    );
    assert_eq!(
        lines.next().unwrap().unwrap(),
        format!("demo page: http://{addr}/")
    );
    let mut c = Client::connect(&format!("ws://{addr}/echo"), &ClientConfig::default()).unwrap();
    c.send_text("cli").unwrap();
    assert_eq!(
        c.recv(Some(Instant::now() + WAIT)).unwrap(),
        Some(ClientEvent::Message(Message::Text("cli".into())))
    );
    drop(child);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn connections_beyond_the_cap_get_503_at_once() {
    let config = ServerConfig {
        max_connections: 2,
        ..ServerConfig::default()
    };
    let h = Server::bind("127.0.0.1:0", config)
        .unwrap()
        .spawn()
        .unwrap();
    let stall = || {
        let mut s = TcpStream::connect(h.local_addr()).unwrap();
        s.write_all(b"GET /stall HTTP/1.1\r\nHost: t\r\n\r\n")
            .unwrap();
        s
    };
    let _a = stall();
    let _b = stall();
    let deadline = Instant::now() + WAIT;
    while h.active_connections() < 2 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut third = TcpStream::connect(h.local_addr()).unwrap();
    third.set_read_timeout(Some(WAIT)).unwrap();
    let mut buf = Vec::new();
    third.read_to_end(&mut buf).unwrap();
    assert!(
        buf.starts_with(b"HTTP/1.1 503 "),
        "{:?}",
        String::from_utf8_lossy(&buf)
    );
    // Freed slots are reused.
    drop(_a);
    let deadline = Instant::now() + WAIT;
    while h.active_connections() > 1 {
        assert!(
            Instant::now() < deadline,
            "the stalled connection never ended"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    Client::connect(
        &format!("ws://{}/echo", h.local_addr()),
        &ClientConfig::default(),
    )
    .unwrap();
}

#[test]
fn a_client_that_never_sends_its_head_is_cut_after_the_head_timeout() {
    let config = ServerConfig {
        head_timeout: Duration::from_millis(200),
        ..ServerConfig::default()
    };
    let h = Server::bind("127.0.0.1:0", config)
        .unwrap()
        .spawn()
        .unwrap();
    let mut s = TcpStream::connect(h.local_addr()).unwrap();
    s.write_all(b"GET /echo HTTP/1.1\r\n").unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    let t0 = Instant::now();
    let mut buf = Vec::new();
    // End of stream (or a reset), well before our own bound.
    let _ = s.read_to_end(&mut buf);
    assert!(t0.elapsed() < WAIT);
    assert!(buf.is_empty());
}

#[test]
fn stopping_the_server_ends_its_connections() {
    let h = Server::bind("127.0.0.1:0", ServerConfig::default())
        .unwrap()
        .spawn()
        .unwrap();
    let addr = h.local_addr();
    let mut c = Client::connect(&format!("ws://{addr}/echo"), &ClientConfig::default()).unwrap();
    h.stop();
    assert_eq!(
        c.recv(Some(Instant::now() + WAIT)).unwrap(),
        Some(ClientEvent::Closed {
            code: 1006,
            reason: String::new(),
            was_clean: false
        })
    );
    assert!(TcpStream::connect(addr).is_err(), "still accepting");
}

#[test]
fn a_frame_pipelined_with_the_handshake_is_not_lost() {
    let h = Server::bind("127.0.0.1:0", ServerConfig::default())
        .unwrap()
        .spawn()
        .unwrap();
    let mut s = TcpStream::connect(h.local_addr()).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    let mut out = b"GET /echo HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".to_vec();
    Encoder::new(Role::Client)
        .encode(&mut out, Outgoing::Text("early"), Some([9, 8, 7, 6]))
        .unwrap();
    s.write_all(&out).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    let mut decoder = MessageDecoder::new(Role::Client, Limits::default());
    let mut head_done = false;
    loop {
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "closed before the echo");
        buf.extend_from_slice(&chunk[..n]);
        if !head_done {
            match handshake::parse_response(&buf).unwrap() {
                Parsed::Partial => continue,
                Parsed::Complete { value, consumed } => {
                    assert_eq!(value.status, 101);
                    buf.drain(..consumed);
                    head_done = true;
                }
            }
        }
        match decoder.decode(&buf).unwrap() {
            Status::Done { value, .. } => {
                assert_eq!(value, Item::Message(Message::Text("early".into())));
                break;
            }
            Status::NeedMore { consumed, .. } => {
                buf.drain(..consumed);
            }
        }
    }
}
