#![cfg(not(target_arch = "wasm32"))]
//! End to end, natively: the `steadyws connect` driver (the session machine
//! over the std::net client) against `steadyws serve` on loopback, both as
//! real processes, with short timers. Each test waits on the driver's JSON
//! events with a bounded deadline; nothing sleeps to paper over a race.

mod cli_common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cli_common::{Driver, Proc, BIN};
use serde_json::Value;

/// `steadyws serve --port 0`, stopped when dropped.
struct DevServer {
    _proc: Proc,
    addr: String,
}

impl DevServer {
    fn start() -> DevServer {
        let mut child = Command::new(BIN)
            .args(["serve", "--host", "127.0.0.1", "--port", "0", "--root", "."])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn steadyws serve");
        let stdout = child.stdout.take().expect("stdout");
        let proc = Proc(child);
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("read the listening line");
        let addr = first
            .trim()
            .strip_prefix("listening on ws://")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        DevServer { _proc: proc, addr }
    }

    fn ws(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }

    /// `/stats?client=ID` as JSON.
    fn stats(&self, client: &str) -> Value {
        let mut stream = TcpStream::connect(&self.addr).expect("connect for /stats");
        write!(
            stream,
            "GET /stats?client={client} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .expect("write /stats request");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read /stats");
        let body = response.split("\r\n\r\n").nth(1).expect("a body");
        serde_json::from_str(body).expect("JSON stats")
    }

    /// `/stats?client=ID` once `done` holds for it, or as it is after
    /// `within`. The server counts a connection after writing its 101 and
    /// uncounts it after the socket ends, so a client can report `open` or
    /// `close` a moment before the counters show it.
    fn stats_when(&self, client: &str, within: Duration, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let stats = self.stats(client);
            if done(&stats) || Instant::now() >= deadline {
                return stats;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn t(event: &Value) -> u64 {
    event["t_ms"].as_u64().expect("t_ms")
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn echo_round_trip_and_clean_close_when_input_ends() {
    let server = DevServer::start();
    let mut d = Driver::start(&server.ws("/echo"), &[]);
    d.wait_event("open", ms(5_000));
    d.send_line("hello");
    let echoed = d.wait_event("message", ms(5_000));
    assert_eq!(echoed["data"], "hello");
    d.stdin = None; // end of input: close(1000)
    let close = d.wait_event("close", ms(5_000));
    assert_eq!(close["code"], 1000);
    assert_eq!(close["wasClean"], true);
    assert_eq!(close["willReconnect"], false);
    assert_eq!(d.finish(ms(5_000)), 0);
}

#[test]
fn silent_server_is_detected_within_interval_plus_timeout_and_reconnected() {
    let server = DevServer::start();
    let (interval, timeout) = (300, 300);
    let mut d = Driver::start(
        &server.ws("/silent?client=native-silent"),
        &[
            "--heartbeat-interval",
            "300",
            "--heartbeat-timeout",
            "300",
            "--min-delay",
            "100",
            "--max-delay",
            "1000",
            "--jitter",
            "0",
        ],
    );
    let open = d.wait_event("open", ms(5_000));
    d.wait_event("ping", ms(5_000));
    let dead = d.wait_event("heartbeat-timeout", ms(5_000));
    let detected_after = t(&dead) - t(&open);
    assert!(
        detected_after >= interval + timeout && detected_after <= interval + timeout + 100,
        "silence detected after {detected_after} ms, expected within {} ms",
        interval + timeout + 100
    );
    assert!(dead["silentFor"].as_u64().expect("silentFor") >= interval + timeout);
    let close = d.wait_event("close", ms(1_000));
    assert_eq!(close["willReconnect"], true);
    let retry = d.wait_event("reconnecting", ms(1_000));
    assert_eq!(retry["delay"], 100);
    // The dead socket is abandoned at once: the next attempt does not wait
    // for its close event (which /silent never sends).
    let reopened = d.wait_event("open", ms(5_000));
    assert_eq!(reopened["attempt"], 2);
    assert!(
        t(&reopened) - t(&dead) < 100 + 500,
        "reopened {} ms after the timeout",
        t(&reopened) - t(&dead)
    );
    let stats = server.stats_when("native-silent", ms(2_000), |s| s["total"] == 2);
    assert_eq!(stats["total"], 2, "{stats}");
}

#[test]
fn flapping_server_never_sees_two_connections_and_delays_grow() {
    let server = DevServer::start();
    let mut d = Driver::start(
        &server.ws("/flap?client=native-flap"),
        &[
            "--no-heartbeat",
            "--min-delay",
            "50",
            "--max-delay",
            "2000",
            "--jitter",
            "0",
            "--duration",
            "10000",
        ],
    );
    assert_eq!(d.finish(ms(20_000)), 0, "events: {:#?}", d.seen);
    let delays = d.delays();
    assert!(
        delays.len() >= 6,
        "only {} attempts in 10 s: {delays:?}",
        delays.len()
    );
    // Never reset (the connection never stays open for stableAfter), so the
    // delay doubles until it reaches maxDelay, then stays there.
    for pair in delays.windows(2) {
        assert!(pair[1] == (pair[0] * 2).min(2000), "delays {delays:?}");
    }
    assert_eq!(delays[0], 50);
    assert_eq!(*delays.last().expect("a delay"), 2000);
    let stats = server.stats_when("native-flap", ms(2_000), |s| s["open"] == 0);
    assert_eq!(stats["peak"], 1, "two connections at once: {stats}");
    assert_eq!(stats["open"], 0);
    assert_eq!(stats["total"].as_u64(), Some(d.all("open").len() as u64));
}

#[test]
fn stalled_handshake_hits_the_connect_timeout_and_retries() {
    let server = DevServer::start();
    let mut d = Driver::start(
        &server.ws("/stall"),
        &[
            "--connect-timeout",
            "300",
            "--min-delay",
            "100",
            "--jitter",
            "0",
            "--no-heartbeat",
        ],
    );
    let err = d.wait_for("a connect timeout", ms(5_000), |e| e["event"] == "error");
    assert_eq!(err["code"], "CONNECT_TIMEOUT");
    assert!(t(&err) >= 300, "timed out after only {} ms", t(&err));
    let retry = d.wait_event("reconnecting", ms(1_000));
    assert_eq!(retry["attempt"], 2);
    let second = d.wait_for("a second connect timeout", ms(5_000), |e| {
        e["event"] == "error"
    });
    assert_eq!(second["code"], "CONNECT_TIMEOUT");
    assert!(d.all("open").is_empty(), "a stalled handshake never opens");
}

#[test]
fn refused_handshake_backs_off_exponentially() {
    let server = DevServer::start();
    let mut d = Driver::start(
        &server.ws("/refuse?status=503&client=native-refuse"),
        &[
            "--no-heartbeat",
            "--min-delay",
            "50",
            "--max-delay",
            "400",
            "--jitter",
            "0",
            "--duration",
            "2000",
        ],
    );
    assert_eq!(d.finish(ms(10_000)), 0);
    let delays = d.delays();
    assert!(
        delays.starts_with(&[50, 100, 200, 400]),
        "delays {delays:?}"
    );
    assert!(delays.iter().all(|&x| x <= 400));
    assert!(d.all("open").is_empty());
    assert!(d.all("error").iter().all(|e| e["code"] == "SOCKET_ERROR"));
    assert_eq!(server.stats("native-refuse")["total"], 0);
}

#[test]
fn dropped_connection_reconnects_and_a_queued_burst_arrives_complete_in_order() {
    let server = DevServer::start();
    let mut d = Driver::start(
        &server.ws("/drop?after=5&client=native-drop"),
        &["--no-heartbeat", "--min-delay", "300", "--jitter", "0"],
    );
    d.wait_event("open", ms(5_000));
    for i in 1..=5 {
        d.send_line(&format!("first-{i}"));
    }
    let close = d.wait_event("close", ms(5_000));
    assert_eq!(close["code"], 1006, "dropped without a close frame");
    assert_eq!(close["willReconnect"], true);
    // While waiting out the 300 ms delay every send is queued...
    let burst: Vec<String> = (1..=5).map(|i| format!("burst-{i}")).collect();
    for line in &burst {
        d.send_line(line);
        let sent = d.wait_event("send", ms(1_000));
        assert_eq!(sent["result"], "queued", "{line} was not queued");
    }
    // ...and goes out in order, exactly once, on the next connection.
    let reopened = d.wait_event("open", ms(5_000));
    assert_eq!(reopened["attempt"], 2);
    let mut echoed = Vec::new();
    while echoed.len() < burst.len() {
        let m = d.wait_event("message", ms(5_000));
        echoed.push(m["data"].as_str().expect("text").to_owned());
    }
    assert_eq!(echoed, burst);
    let stats = server.stats("native-drop");
    assert_eq!(stats["peak"], 1);
    assert_eq!(stats["total"], 2);
}
