#![cfg(not(target_arch = "wasm32"))]
//! `steadyws connect --json` requests (input lines `?{...}`) against the dev
//! server's `/rpc`, in process: the driver's loop on a thread, its input fed
//! line by line, its JSON events read with bounded waits (no sleeps).

use std::io::{self, BufReader, Read, Write};
use std::process::Command;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use steadyws::native::cli::parse_connect;
use steadyws::native::driver::run;
use steadyws::native::server::{Server, ServerConfig, ServerHandle};

/// Input lines from a channel; ends when the sender is dropped.
struct Lines {
    rx: Receiver<String>,
    buf: Vec<u8>,
}

impl Read for Lines {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.buf.is_empty() {
            match self.rx.recv() {
                Ok(line) => self.buf = format!("{line}\n").into_bytes(),
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len());
        out[..n].copy_from_slice(&self.buf[..n]);
        self.buf.drain(..n);
        Ok(n)
    }
}

/// Output lines to a channel.
struct Out(Sender<String>, Vec<u8>);

impl Write for Out {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.1.extend_from_slice(b);
        while let Some(i) = self.1.iter().position(|&c| c == b'\n') {
            let line: Vec<u8> = self.1.drain(..=i).collect();
            let _ = self
                .0
                .send(String::from_utf8_lossy(&line).trim().to_owned());
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct Cli {
    input: Option<Sender<String>>,
    events: Receiver<String>,
    done: Option<thread::JoinHandle<i32>>,
    _server: ServerHandle,
}

impl Cli {
    fn start(flags: &[&str]) -> Cli {
        let server = Server::bind("127.0.0.1:0", ServerConfig::default())
            .and_then(Server::spawn)
            .expect("dev server");
        let url = format!("ws://{}/rpc", server.local_addr());
        let mut args: Vec<String> = vec![url, "--json".into()];
        args.extend(flags.iter().map(|s| s.to_string()));
        let args = parse_connect(&args).expect("valid flags");
        let (in_tx, in_rx) = mpsc::channel();
        let (out_tx, out_rx) = mpsc::channel();
        let done = thread::spawn(move || {
            run(
                args,
                BufReader::new(Lines {
                    rx: in_rx,
                    buf: Vec::new(),
                }),
                Out(out_tx, Vec::new()),
            )
        });
        Cli {
            input: Some(in_tx),
            events: out_rx,
            done: Some(done),
            _server: server,
        }
    }

    fn line(&self, line: &str) {
        self.input.as_ref().unwrap().send(line.into()).unwrap();
    }

    /// The next event named `name` (others are skipped), within 10 s.
    fn next(&self, name: &str) -> Value {
        let end = Instant::now() + Duration::from_secs(10);
        loop {
            let left = end.saturating_duration_since(Instant::now());
            let line = self
                .events
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no {name} event within 10 s"));
            let v: Value = serde_json::from_str(&line).expect("JSON event");
            if v["event"] == name {
                return v;
            }
        }
    }

    fn end(mut self) -> i32 {
        self.input.take();
        self.done.take().unwrap().join().unwrap()
    }
}

#[test]
fn requests_print_their_replies_out_of_order() {
    let cli = Cli::start(&[]);
    cli.line(r#"?{"op":"add","a":1,"b":2,"delay":300}"#);
    cli.line(r#"?{"op":"add","a":3,"b":4,"id":"mine"}"#);
    assert_eq!(cli.next("request")["id"], 1);
    assert_eq!(cli.next("request")["id"], "mine");
    // The second one has no delay: its reply comes first.
    let first = cli.next("reply");
    assert_eq!(first["id"], "mine");
    assert_eq!(first["result"]["result"], 7.0);
    let second = cli.next("reply");
    assert_eq!(second["id"], 1);
    assert_eq!(second["result"]["result"], 3.0);
    // A line that is not a request is a message, echoed by /rpc.
    cli.line("hello");
    assert_eq!(cli.next("message")["data"], "hello");
    assert_eq!(cli.end(), 0);
}

#[test]
fn unanswered_lost_and_bad_requests_say_why() {
    let cli = Cli::start(&["--request-timeout", "200", "--min-delay", "20"]);
    cli.line(r#"?{"op":"never"}"#);
    let r = cli.next("reply");
    assert_eq!(r["code"], "REQUEST_TIMEOUT");
    assert!(r["t_ms"].as_u64().unwrap() >= 200);
    cli.line(r#"?{"op":"drop"}"#);
    assert_eq!(cli.next("reply")["code"], "CONNECTION_LOST");
    cli.line("?not json");
    assert_eq!(cli.next("error")["name"], "TypeError");
    cli.line(r#"?{"op":"never","id":5}"#);
    cli.line(r#"?{"op":"never","id":5}"#);
    let dup = cli.next("error");
    assert_eq!(dup["name"], "TypeError");
    assert_eq!(dup["id"], 5);
    // The input ends: close() fails what is still pending with CLOSED.
    let mut cli = cli;
    cli.input.take();
    let closed = cli.next("reply");
    assert_eq!(closed["code"], "CLOSED");
    assert_eq!(closed["id"], 5);
    assert_eq!(cli.end(), 0);
}

#[test]
fn help_documents_the_request_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_steadyws"))
        .args(["connect", "--help"])
        .output()
        .expect("run steadyws connect --help");
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("--rpc-id FIELD"), "{help}");
    assert!(help.contains("[default: id]"), "{help}");
    assert!(help.contains("--request-timeout MS"), "{help}");
    assert!(help.contains("[default: 10000]"), "{help}");
}
