#![cfg(not(target_arch = "wasm32"))]
//! Auth-aware reconnects natively: the dev server's `/token`, `/auth` and
//! `/proto`, and the native driver (`steadyws connect`) with a per-attempt
//! URL and `--init` / `--ack` against them. Servers on port 0; every wait is
//! bounded by the driver's own `duration`; nothing sleeps over a race.

use std::io::{BufRead, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use steadyws::message::Message;
use steadyws::native::cli;
use steadyws::native::client::{Client, ClientConfig, ClientEvent};
use steadyws::native::driver::{self, ConnectArgs, UrlFn};
use steadyws::native::server::{Server, ServerConfig, ServerHandle};

fn server() -> ServerHandle {
    Server::bind("127.0.0.1:0", ServerConfig::default())
        .expect("bind")
        .spawn()
        .expect("spawn")
}

/// `GET /token` over plain HTTP.
fn token(addr: &str) -> Result<String, String> {
    let mut s = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    write!(
        s,
        "GET /token HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut response = String::new();
    s.read_to_string(&mut response).map_err(|e| e.to_string())?;
    let body = response.split("\r\n\r\n").nth(1).ok_or("no body")?;
    let v: Value = serde_json::from_str(body).map_err(|e| e.to_string())?;
    v["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or("no token".into())
}

/// Input lines for the driver; the input ends when the sender is dropped.
struct Lines(Receiver<String>, Vec<u8>);

impl Read for Lines {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.1.is_empty() {
            match self.0.recv() {
                Ok(line) => self.1 = format!("{line}\n").into_bytes(),
                Err(_) => return Ok(0),
            }
        }
        let n = self.1.len().min(buf.len());
        buf[..n].copy_from_slice(&self.1[..n]);
        self.1.drain(..n);
        Ok(n)
    }
}

#[derive(Clone, Default)]
struct Out(Arc<Mutex<Vec<u8>>>);

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs the driver until its `duration`; returns its JSON events. `lines`
/// are typed in at once (before the first open).
fn run(mut args: ConnectArgs, lines: &[&str]) -> Vec<Value> {
    args.json = true;
    let (tx, rx): (Sender<String>, _) = mpsc::channel();
    for l in lines {
        tx.send((*l).to_owned()).unwrap();
    }
    let out = Out::default();
    let input = std::io::BufReader::new(Lines(rx, Vec::new()));
    driver::run(args, input, out.clone());
    drop(tx);
    let bytes = out.0.lock().unwrap().clone();
    bytes
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).expect("a JSON event"))
        .collect()
}

fn of<'a>(events: &'a [Value], name: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["event"] == name).collect()
}

#[test]
fn auth_takes_each_token_once_and_closes_with_4001_after_ttl() {
    let srv = server();
    let addr = srv.local_addr().to_string();
    let t = token(&addr).unwrap();
    let url = srv.ws_url(&format!("/auth?token={t}&ttl=200"));
    let mut c = Client::connect(&url, &ClientConfig::default()).expect("a fresh token opens");
    c.send(&Message::Text("hi".into())).unwrap();
    let mut got = Vec::new();
    for _ in 0..10 {
        match c.recv(None).unwrap() {
            Some(ClientEvent::Message(m)) => got.push(m),
            Some(ClientEvent::Closed { code, .. }) => {
                got.push(Message::Text(code.to_string()));
                break;
            }
            _ => {}
        }
    }
    assert_eq!(
        got,
        vec![Message::Text("hi".into()), Message::Text("4001".into())]
    );
    let again = Client::connect(&url, &ClientConfig::default());
    assert_eq!(
        again.err().and_then(|e| e.status()),
        Some(401),
        "single use"
    );
    let none = Client::connect(&srv.ws_url("/auth"), &ClientConfig::default());
    assert_eq!(none.err().and_then(|e| e.status()), Some(401));
}

#[test]
fn proto_closes_4400_on_a_message_before_init_and_acks_an_init() {
    let srv = server();
    let mut c = Client::connect(&srv.ws_url("/proto"), &ClientConfig::default()).unwrap();
    c.send(&Message::Text("hello".into())).unwrap();
    let code = loop {
        if let Some(ClientEvent::Closed { code, .. }) = c.recv(None).unwrap() {
            break code;
        }
    };
    assert_eq!(code, 4400);
    let mut c = Client::connect(&srv.ws_url("/proto?delay=50"), &ClientConfig::default()).unwrap();
    c.send(&Message::Text(r#"{"type":"init"}"#.into())).unwrap();
    c.send(&Message::Text("x".into())).unwrap();
    let mut got = Vec::new();
    while got.len() < 2 {
        if let Some(ClientEvent::Message(Message::Text(t))) = c.recv(None).unwrap() {
            got.push(t);
        }
    }
    assert_eq!(got, vec!["x".to_string(), r#"{"type":"ack"}"#.to_string()]);
}

#[test]
fn a_url_function_fetching_a_token_per_attempt_reconnects_through_expiring_tokens() {
    let srv = server();
    let addr = srv.local_addr().to_string();
    let mut args = ConnectArgs::new("");
    args.config.heartbeat = None;
    args.pong = None;
    if let Some(rc) = args.config.reconnect.as_mut() {
        rc.min_delay = 20;
        rc.max_delay = 50;
    }
    let base = srv.ws_url("/auth?ttl=250");
    let a = addr.clone();
    args.url_fn = Some(UrlFn(Arc::new(move |_attempt| {
        token(&a).map(|t| format!("{base}&token={t}"))
    })));
    args.duration = Some(1_400);
    let events = run(args, &[]);
    let opens = of(&events, "open");
    assert!(opens.len() >= 3, "reconnected across expiries: {events:?}");
    assert!(
        of(&events, "error").is_empty(),
        "no refused handshake: {events:?}"
    );
    let closes: Vec<_> = of(&events, "close")
        .iter()
        .map(|c| c["code"].as_u64().unwrap())
        .collect();
    assert!(closes[..closes.len() - 1].iter().all(|&c| c == 4001));
    // Each open names the URL of its own attempt (a fresh token each time).
    let urls: std::collections::HashSet<_> = opens.iter().map(|o| o["url"].clone()).collect();
    assert_eq!(urls.len(), opens.len());
}

#[test]
fn a_failing_url_function_is_url_failed_then_a_retry() {
    let srv = server();
    let url = srv.ws_url("/echo");
    let mut args = ConnectArgs::new("");
    args.config.heartbeat = None;
    args.pong = None;
    args.config.reconnect.as_mut().unwrap().min_delay = 10;
    args.config.reconnect.as_mut().unwrap().max_delay = 20;
    let calls = Arc::new(Mutex::new(0));
    let c = calls.clone();
    args.url_fn = Some(UrlFn(Arc::new(move |_| {
        let mut n = c.lock().unwrap();
        *n += 1;
        if *n <= 2 {
            Err("no token today".into())
        } else {
            Ok(url.clone())
        }
    })));
    args.duration = Some(600);
    let events = run(args, &[]);
    let errors = of(&events, "error");
    assert_eq!(errors.len(), 2, "{events:?}");
    assert!(errors.iter().all(|e| e["code"] == "URL_FAILED"));
    assert_eq!(errors[0]["message"], "no token today");
    assert_eq!(of(&events, "open").len(), 1);
}

#[test]
fn cli_init_and_ack_against_proto_send_the_init_first_and_flush_after_the_ack() {
    let srv = server();
    let url = srv.ws_url("/proto?delay=100");
    let args: Vec<String> = [
        url.as_str(),
        "--init",
        r#"{"type":"init"}"#,
        "--ack",
        r#"{"type":"ack"}"#,
        "--no-heartbeat",
        "--duration",
        "700",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let parsed = cli::parse_connect(&args).expect("valid flags");
    let lines: Vec<String> = (0..10).map(|i| format!("m{i}")).collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let events = run(parsed, &refs);
    let open = of(&events, "open");
    assert_eq!(open.len(), 1, "{events:?}");
    assert_eq!(open[0]["ack"], r#"{"type":"ack"}"#);
    let echoed: Vec<_> = of(&events, "message")
        .iter()
        .map(|m| m["data"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        echoed, lines,
        "after the ack, in order, the ack not a message"
    );
    assert!(of(&events, "close").iter().all(|c| c["code"] != 4400));
}

#[test]
fn cli_ack_that_never_comes_is_init_timeout_and_a_new_attempt() {
    let srv = server();
    let url = srv.ws_url("/proto?delay=60000");
    let args: Vec<String> = [
        url.as_str(),
        "--init",
        r#"{"type":"init"}"#,
        "--ack",
        "never",
        "--init-timeout",
        "150",
        "--min-delay",
        "10",
        "--max-delay",
        "20",
        "--no-heartbeat",
        "--duration",
        "500",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let events = run(cli::parse_connect(&args).unwrap(), &[]);
    let errors = of(&events, "error");
    assert!(!errors.is_empty(), "{events:?}");
    assert!(errors.iter().all(|e| e["code"] == "INIT_TIMEOUT"));
    assert!(of(&events, "reconnecting").len() >= 2);
    assert!(of(&events, "open").is_empty());
    assert!(cli::parse_connect(&["ws://x/".into(), "--ack".into(), "a".into()]).is_err());
}
