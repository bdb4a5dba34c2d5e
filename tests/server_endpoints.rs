#![cfg(not(target_arch = "wasm32"))]
//! The dev server contract (`src/native/server/mod.rs`, API.md), over real loopback sockets: static
//! files, every WebSocket endpoint, `/stats`, `/control`, bad handshakes.
//! Waits are bounded and wait for an event (a frame, a close, a counter),
//! never a fixed sleep.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use steadyws::codec::handshake::{parse_response, HandshakeError, Parsed, Response};
use steadyws::message::Message;
use steadyws::native::client::{Client, ClientConfig, ClientError, ClientEvent};
use steadyws::native::server::registry::ClientStats;
use steadyws::native::server::{Server, ServerConfig, ServerHandle};

const WAIT: Duration = Duration::from_secs(5);

fn temp_root() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "steadyws-server-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>demo</title>").unwrap();
    std::fs::write(dir.join("pkg/app.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.join("pkg/app.js"), "export {}").unwrap();
    std::fs::write(dir.join("pkg/index.html"), "pkg index").unwrap();
    dir
}

/// A running server whose static root is removed when the test ends.
struct TestServer {
    handle: ServerHandle,
    root: PathBuf,
}

impl std::ops::Deref for TestServer {
    type Target = ServerHandle;
    fn deref(&self) -> &ServerHandle {
        &self.handle
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn start() -> TestServer {
    let root = temp_root();
    let config = ServerConfig {
        root: Some(root.clone()),
        close_timeout: Duration::from_secs(2),
        ..ServerConfig::default()
    };
    TestServer {
        handle: Server::bind("127.0.0.1:0", config)
            .unwrap()
            .spawn()
            .unwrap(),
        root,
    }
}

/// One raw HTTP exchange: the response head and body.
fn http(addr: SocketAddr, request: &str) -> (Response, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    match parse_response(&buf) {
        Ok(Parsed::Complete { value, consumed }) => (value, buf[consumed..].to_vec()),
        other => panic!(
            "bad response {other:?}: {:?}",
            String::from_utf8_lossy(&buf)
        ),
    }
}

fn get(addr: SocketAddr, target: &str) -> (Response, Vec<u8>) {
    http(addr, &format!("GET {target} HTTP/1.1\r\nHost: t\r\n\r\n"))
}

fn header(resp: &Response, name: &str) -> String {
    String::from_utf8(resp.header(name).unwrap_or_default().to_vec()).unwrap()
}

fn json(addr: SocketAddr, target: &str) -> (u16, serde_json::Value) {
    let (resp, body) = get(addr, target);
    assert_eq!(
        header(&resp, "access-control-allow-origin"),
        "*",
        "{target}"
    );
    assert_eq!(header(&resp, "content-type"), "application/json");
    (resp.status, serde_json::from_slice(&body).unwrap())
}

fn connect(addr: SocketAddr, path: &str) -> Client {
    Client::connect(&format!("ws://{addr}{path}"), &ClientConfig::default()).unwrap()
}

fn connect_err(addr: SocketAddr, path: &str) -> ClientError {
    Client::connect(&format!("ws://{addr}{path}"), &ClientConfig::default()).unwrap_err()
}

/// The next event within [`WAIT`] (pings/pongs skipped).
fn next_event(c: &mut Client) -> ClientEvent {
    let deadline = Instant::now() + WAIT;
    loop {
        match c.recv(Some(deadline)).unwrap() {
            None => panic!("no event within {WAIT:?}"),
            Some(ClientEvent::Ping(_) | ClientEvent::Pong(_)) => {}
            Some(e) => return e,
        }
    }
}

fn text(s: &str) -> ClientEvent {
    ClientEvent::Message(Message::Text(s.into()))
}

fn closed(code: u16, reason: &str, was_clean: bool) -> ClientEvent {
    ClientEvent::Closed {
        code,
        reason: reason.into(),
        was_clean,
    }
}

/// Waits until the stats of `client` satisfy `pred`.
fn wait_stats(h: &TestServer, client: &str, pred: impl Fn(ClientStats) -> bool) -> ClientStats {
    let deadline = Instant::now() + WAIT;
    loop {
        let s = h.registry().stats(client);
        if pred(s) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "stats of {client:?} stuck at {s:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn rejected_status(e: ClientError) -> u16 {
    match e {
        ClientError::Handshake(HandshakeError::Rejected { status }) => status,
        other => panic!("expected a rejected handshake, got {other:?}"),
    }
}

#[test]
fn static_files_have_content_types_and_no_cache() {
    let h = start();
    let addr = h.local_addr();
    let (resp, body) = get(addr, "/");
    assert_eq!(resp.status, 200);
    assert_eq!(body, b"<!doctype html><title>demo</title>");
    assert_eq!(header(&resp, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&resp, "cache-control"), "no-cache");
    let (resp, body) = get(addr, "/pkg/app.wasm");
    assert_eq!(resp.status, 200);
    assert_eq!(header(&resp, "content-type"), "application/wasm");
    assert_eq!(body, b"\0asm\x01\0\0\0");
    let (resp, _) = get(addr, "/pkg/app.js?v=1");
    assert_eq!(
        header(&resp, "content-type"),
        "text/javascript; charset=utf-8"
    );
    // A directory without its slash redirects; with it, index.html.
    let (resp, _) = get(addr, "/pkg");
    assert_eq!(resp.status, 301);
    assert_eq!(header(&resp, "location"), "/pkg/");
    assert_eq!(get(addr, "/pkg/").1, b"pkg index");
    assert_eq!(get(addr, "/missing.js").0.status, 404);
    // HEAD: the head only.
    let (resp, body) = http(addr, "HEAD /pkg/app.js HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(resp.status, 200);
    assert_eq!(header(&resp, "content-length"), "9");
    assert!(body.is_empty());
}

#[test]
fn path_traversal_is_refused() {
    let h = start();
    let addr = h.local_addr();
    for target in [
        "/../Cargo.toml",
        "/pkg/../../etc/passwd",
        "/%2e%2e/etc/passwd",
        "/pkg/%2E%2E/%2E%2E/etc/passwd",
        "/..%5c..%5cetc%5cpasswd",
    ] {
        let (resp, _) = get(addr, target);
        assert_eq!(resp.status, 403, "{target}");
    }
}

#[test]
fn echo_returns_text_and_binary_and_answers_pings() {
    let h = start();
    let mut c = connect(h.local_addr(), "/echo");
    c.send_text("héllo").unwrap();
    assert_eq!(next_event(&mut c), text("héllo"));
    c.send_binary(&[0, 1, 2, 255]).unwrap();
    assert_eq!(
        next_event(&mut c),
        ClientEvent::Message(Message::Binary(vec![0, 1, 2, 255]))
    );
    c.ping(b"are you there").unwrap();
    let deadline = Instant::now() + WAIT;
    assert_eq!(
        c.recv(Some(deadline)).unwrap(),
        Some(ClientEvent::Pong(b"are you there".to_vec()))
    );
    // A big message crosses many reads.
    let big = "x".repeat(1 << 20);
    c.send_text(&big).unwrap();
    assert_eq!(next_event(&mut c), text(&big));
    c.close(Some(1000), "bye").unwrap();
    assert_eq!(next_event(&mut c), closed(1000, "", true));
}

#[test]
fn root_upgrade_is_echo_and_unknown_paths_404() {
    let h = start();
    let mut c = connect(h.local_addr(), "/");
    c.send_text("root").unwrap();
    assert_eq!(next_event(&mut c), text("root"));
    assert_eq!(rejected_status(connect_err(h.local_addr(), "/nope")), 404);
}

#[test]
fn chat_answers_ping_and_relays_to_everyone_including_the_sender() {
    let h = start();
    let addr = h.local_addr();
    let mut a = connect(addr, "/chat?client=a");
    let mut b = connect(addr, "/chat?client=b");
    let mut echo = connect(addr, "/echo?client=c");
    wait_stats(&h, "b", |s| s.open == 1);
    a.send_text("ping").unwrap();
    assert_eq!(next_event(&mut a), text("pong"));
    a.send_text("hi all").unwrap();
    assert_eq!(next_event(&mut a), text("hi all"));
    assert_eq!(next_event(&mut b), text("hi all"));
    b.send_binary(b"bin").unwrap();
    assert_eq!(
        next_event(&mut a),
        ClientEvent::Message(Message::Binary(b"bin".to_vec()))
    );
    assert_eq!(
        next_event(&mut b),
        ClientEvent::Message(Message::Binary(b"bin".to_vec()))
    );
    // `pong` went to the sender only, and /echo is not in the room: the
    // next thing the echo client sees is its own echo.
    echo.send_text("mine").unwrap();
    assert_eq!(next_event(&mut echo), text("mine"));
}

#[test]
fn silent_never_answers_but_stays_open() {
    let h = start();
    let mut c = connect(h.local_addr(), "/silent?client=s");
    c.send_text("hello?").unwrap();
    c.ping(b"p").unwrap();
    // Nothing may come back: wait a bounded while for any event.
    let quiet_until = Instant::now() + Duration::from_millis(300);
    assert_eq!(c.recv(Some(quiet_until)).unwrap(), None);
    assert_eq!(h.registry().stats("s").open, 1);
    c.abandon(None, "");
    wait_stats(&h, "s", |s| s.open == 0);
}

#[test]
fn babble_sends_text_that_is_not_json_and_answers_nothing() {
    let h = start();
    let mut c = connect(h.local_addr(), "/babble?every=20&client=b");
    c.send_text("ping").unwrap();
    // Only its own frames come back, in order; the "ping" is not echoed.
    for n in 1..=3 {
        assert_eq!(next_event(&mut c), text(&format!("babble {n}")));
    }
    c.abandon(None, "");
    wait_stats(&h, "b", |s| s.open == 0);
}

#[test]
fn babble_refuses_a_bad_interval() {
    let h = start();
    assert_eq!(
        rejected_status(connect_err(h.local_addr(), "/babble?every=1")),
        400
    );
}

#[test]
fn drop_after_n_echoes_then_drops_without_close_frame() {
    let h = start();
    let mut c = connect(h.local_addr(), "/drop?after=2");
    c.send_text("1").unwrap();
    c.send_text("2").unwrap();
    assert_eq!(next_event(&mut c), text("1"));
    assert_eq!(next_event(&mut c), text("2"));
    assert_eq!(next_event(&mut c), closed(1006, "", false));

    let mut c = connect(h.local_addr(), "/drop");
    assert_eq!(next_event(&mut c), closed(1006, "", false));
}

#[test]
fn close_after_n_sends_the_requested_close_frame() {
    let h = start();
    let mut c = connect(h.local_addr(), "/close?code=4001&reason=go%20away&after=1");
    c.send_text("one").unwrap();
    assert_eq!(next_event(&mut c), text("one"));
    assert_eq!(next_event(&mut c), closed(4001, "go away", true));

    let mut c = connect(h.local_addr(), "/close?code=1011");
    assert_eq!(next_event(&mut c), closed(1011, "", true));
    // Codes that may not be sent refuse the handshake.
    for bad in ["1005", "1006", "999", "2000", "x"] {
        let status = rejected_status(connect_err(h.local_addr(), &format!("/close?code={bad}")));
        assert_eq!(status, 400, "code {bad}");
    }
}

#[test]
fn flap_accepts_then_closes_at_once() {
    let h = start();
    let mut c = connect(h.local_addr(), "/flap?client=f");
    assert_eq!(next_event(&mut c), closed(1001, "flap", true));
    let s = wait_stats(&h, "f", |s| s.open == 0);
    assert_eq!((s.total, s.peak), (1, 1));
}

#[test]
fn refuse_answers_the_requested_status() {
    let h = start();
    assert_eq!(
        rejected_status(connect_err(h.local_addr(), "/refuse?status=503")),
        503
    );
    assert_eq!(
        rejected_status(connect_err(h.local_addr(), "/refuse?status=429")),
        429
    );
    assert_eq!(rejected_status(connect_err(h.local_addr(), "/refuse")), 503);
}

#[test]
fn stall_never_answers_and_does_not_block_others() {
    let h = start();
    let config = ClientConfig::default().connect_timeout(Duration::from_millis(300));
    let url = format!("ws://{}/stall", h.local_addr());
    let t0 = Instant::now();
    assert!(matches!(
        Client::connect(&url, &config),
        Err(ClientError::Timeout)
    ));
    assert!(t0.elapsed() < WAIT);
    // Hold a stalled connection open while another one is served.
    let mut stalled = TcpStream::connect(h.local_addr()).unwrap();
    stalled
        .write_all(b"GET /stall HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let mut c = connect(h.local_addr(), "/echo");
    c.send_text("still here").unwrap();
    assert_eq!(next_event(&mut c), text("still here"));
}

#[test]
fn stats_count_open_peak_and_total_per_client() {
    let h = start();
    let addr = h.local_addr();
    let (status, body) = json(addr, "/stats?client=nobody");
    assert_eq!(status, 200);
    assert_eq!(
        body,
        serde_json::json!({"client":"nobody","open":0,"peak":0,"total":0})
    );
    let a1 = connect(addr, "/echo?client=a");
    let a2 = connect(addr, "/silent?client=a");
    let anon = connect(addr, "/echo");
    wait_stats(&h, "a", |s| s.open == 2);
    a1.abandon(Some(1000), "");
    wait_stats(&h, "a", |s| s.open == 1);
    let (_, body) = json(addr, "/stats?client=a");
    assert_eq!(
        body,
        serde_json::json!({"client":"a","open":1,"peak":2,"total":2})
    );
    let (_, all) = json(addr, "/stats");
    assert_eq!(
        all["clients"]["a"],
        serde_json::json!({"open":1,"peak":2,"total":2})
    );
    assert_eq!(all["clients"][""]["open"], 1);
    drop(a2);
    drop(anon);
    wait_stats(&h, "a", |s| s.open == 0);
    wait_stats(&h, "", |s| s.open == 0);
}

#[test]
fn control_silent_then_reset() {
    let h = start();
    let addr = h.local_addr();
    let mut c = connect(addr, "/echo?client=k");
    wait_stats(&h, "k", |s| s.open == 1);
    let (status, body) = json(addr, "/control?client=k&action=silent");
    assert_eq!(
        (status, body),
        (200, serde_json::json!({"ok":true,"affected":1}))
    );
    c.send_text("anyone?").unwrap();
    assert_eq!(
        c.recv(Some(Instant::now() + Duration::from_millis(300)))
            .unwrap(),
        None
    );
    let (_, body) = json(addr, "/control?client=k&action=reset");
    assert_eq!(body["affected"], 1);
    c.send_text("back").unwrap();
    assert_eq!(next_event(&mut c), text("back"));
}

#[test]
fn control_drop_and_close_reach_only_that_client() {
    let h = start();
    let addr = h.local_addr();
    let mut d = connect(addr, "/echo?client=d");
    let mut other = connect(addr, "/echo?client=o");
    wait_stats(&h, "d", |s| s.open == 1);
    let (_, body) = json(addr, "/control?client=d&action=drop");
    assert_eq!(body, serde_json::json!({"ok":true,"affected":1}));
    assert_eq!(next_event(&mut d), closed(1006, "", false));

    let mut d = connect(addr, "/echo?client=d");
    wait_stats(&h, "d", |s| s.open == 1);
    // POST works too.
    let (resp, body) = http(
        addr,
        "POST /control?client=d&action=close&code=4002&reason=bye HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(resp.status, 200);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&body).unwrap()["affected"],
        1
    );
    assert_eq!(next_event(&mut d), closed(4002, "bye", true));

    other.send_text("unaffected").unwrap();
    assert_eq!(next_event(&mut other), text("unaffected"));
}

#[test]
fn control_outage_refuses_new_handshakes_until_reset() {
    let h = start();
    let addr = h.local_addr();
    let mut c = connect(addr, "/echo?client=u");
    wait_stats(&h, "u", |s| s.open == 1);
    let (_, body) = json(addr, "/control?client=u&action=outage&secs=60");
    assert_eq!(body, serde_json::json!({"ok":true,"affected":1}));
    assert_eq!(next_event(&mut c), closed(1006, "", false));
    assert_eq!(rejected_status(connect_err(addr, "/echo?client=u")), 503);
    // Other clients are not in the outage.
    connect(addr, "/echo?client=v");
    json(addr, "/control?client=u&action=reset");
    connect(addr, "/echo?client=u");
}

#[test]
fn control_flap_closes_new_connections_at_once() {
    let h = start();
    let addr = h.local_addr();
    let mut current = connect(addr, "/echo?client=f");
    wait_stats(&h, "f", |s| s.open == 1);
    let (_, body) = json(addr, "/control?client=f&action=flap&secs=60");
    assert_eq!(body["ok"], true);
    assert_eq!(next_event(&mut current), closed(1001, "flap", true));
    let mut again = connect(addr, "/echo?client=f");
    assert_eq!(next_event(&mut again), closed(1001, "flap", true));
    json(addr, "/control?client=f&action=reset");
    let mut normal = connect(addr, "/echo?client=f");
    normal.send_text("ok").unwrap();
    assert_eq!(next_event(&mut normal), text("ok"));
}

#[test]
fn control_rejects_unknown_actions_and_bad_parameters() {
    let h = start();
    let addr = h.local_addr();
    for target in [
        "/control?client=x&action=explode",
        "/control?client=x",
        "/control?client=x&action=outage&secs=soon",
        "/control?client=x&action=close&code=1006",
    ] {
        let (status, body) = json(addr, target);
        assert_eq!(status, 400, "{target}");
        assert_eq!(body["ok"], false, "{target}");
        assert!(body["error"].is_string(), "{target}");
    }
    // Acting on a client never seen does not invent it in /stats.
    let (_, body) = json(addr, "/control?client=ghost&action=drop");
    assert_eq!(body, serde_json::json!({"ok":true,"affected":0}));
    assert_eq!(json(addr, "/stats").1, serde_json::json!({"clients":{}}));
    let (resp, _) = http(addr, "OPTIONS /control HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(resp.status, 204);
    assert_eq!(header(&resp, "access-control-allow-origin"), "*");
}

#[test]
fn bad_handshakes_get_their_status_never_a_hang() {
    let h = start();
    let addr = h.local_addr();
    let key = "dGhlIHNhbXBsZSBub25jZQ==";
    let (resp, _) = http(addr, &format!("GET /echo HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 8\r\n\r\n"));
    assert_eq!(resp.status, 426);
    assert_eq!(header(&resp, "sec-websocket-version"), "13");
    let (resp, _) = http(addr, "GET /echo HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n");
    assert_eq!(resp.status, 400);
    // A plain GET of a WebSocket endpoint.
    assert_eq!(get(addr, "/echo").0.status, 426);
    let (resp, _) = http(addr, "BREW /echo HTCPCP/1.0\r\n\r\n");
    assert_eq!(resp.status, 400);
    // A valid handshake still works afterwards.
    connect(addr, "/echo");
}

#[test]
fn connections_that_go_away_leave_the_registry() {
    let h = start();
    let addr = h.local_addr();
    let clients: Vec<Client> = (0..8).map(|_| connect(addr, "/echo?client=g")).collect();
    wait_stats(&h, "g", |s| s.open == 8);
    for (i, c) in clients.into_iter().enumerate() {
        if i % 2 == 0 {
            c.abandon(None, ""); // TCP gone without a close frame
        } else {
            let mut c = c;
            c.close(Some(1000), "").unwrap();
            assert_eq!(next_event(&mut c), closed(1000, "", true));
        }
    }
    let s = wait_stats(&h, "g", |s| s.open == 0);
    assert_eq!((s.peak, s.total), (8, 8));
}
