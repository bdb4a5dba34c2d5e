//! `steadyws connect --json` as a real process, for the CLI tests
//! (`native_driver.rs`, `native_tls.rs`): its JSON events and its stderr
//! lines on channels, waited on with bounded deadlines (nothing sleeps).
#![allow(dead_code)] // each test crate uses its own part

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_steadyws");

/// A child process killed when the test ends, whatever happens.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Lines of a child's pipe on a channel.
pub fn lines(pipe: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// A running `steadyws connect URL --json FLAGS`.
pub struct Driver {
    pub proc: Proc,
    /// `None` closes the driver's input (end of input: `close(1000)`).
    pub stdin: Option<ChildStdin>,
    events: Receiver<String>,
    stderr: Receiver<String>,
    /// Every event seen so far, in order.
    pub seen: Vec<Value>,
}

impl Driver {
    pub fn start(url: &str, flags: &[&str]) -> Driver {
        let mut child = Command::new(BIN)
            .arg("connect")
            .arg(url)
            .arg("--json")
            .args(flags)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn steadyws connect");
        let stdin = child.stdin.take();
        let events = lines(child.stdout.take().expect("stdout"));
        let stderr = lines(child.stderr.take().expect("stderr"));
        Driver {
            proc: Proc(child),
            stdin,
            events,
            stderr,
            seen: Vec::new(),
        }
    }

    pub fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}").expect("write a line");
        stdin.flush().expect("flush");
    }

    /// The next event within `left`, recorded in `seen`.
    fn next(&mut self, left: Duration) -> Result<Value, RecvTimeoutError> {
        let line = self.events.recv_timeout(left)?;
        let event: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON line {line:?}: {e}"));
        self.seen.push(event.clone());
        Ok(event)
    }

    /// The next event satisfying `pred`, within `within`.
    pub fn wait_for(
        &mut self,
        what: &str,
        within: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + within;
        loop {
            match self.next(deadline.saturating_duration_since(Instant::now())) {
                Ok(event) if pred(&event) => return event,
                Ok(_) => {}
                Err(_) => panic!(
                    "no {what} within {within:?}; events so far: {:#?}",
                    self.seen
                ),
            }
        }
    }

    pub fn wait_event(&mut self, name: &str, within: Duration) -> Value {
        self.wait_for(name, within, |e| e["event"] == name)
    }

    /// The next `error` event from the transport (one with a `kind`).
    pub fn wait_socket_error(&mut self, within: Duration) -> Value {
        self.wait_for("a socket error", within, |e| {
            e["event"] == "error" && e["kind"].is_string()
        })
    }

    pub fn wait_stderr(&self, what: &str, within: Duration, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) if pred(&line) => return line,
                Ok(_) => {}
                Err(_) => panic!("no {what} on stderr within {within:?}"),
            }
        }
    }

    /// Collects every event until the driver exits (bounded) and returns
    /// its exit code. The driver closes stdout only when it exits.
    pub fn finish(&mut self, within: Duration) -> i32 {
        let deadline = Instant::now() + within;
        loop {
            match self.next(deadline.saturating_duration_since(Instant::now())) {
                Ok(_) => {}
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => panic!(
                    "the driver did not exit within {within:?}; events: {:#?}",
                    self.seen
                ),
            }
        }
        let status = self.proc.0.wait().expect("wait for the driver");
        status.code().unwrap_or(-1)
    }

    /// The backoff delays of every `reconnecting` event so far.
    pub fn delays(&self) -> Vec<u64> {
        self.all("reconnecting")
            .iter()
            .map(|e| e["delay"].as_u64().expect("delay"))
            .collect()
    }

    pub fn all(&self, name: &str) -> Vec<&Value> {
        self.seen.iter().filter(|e| e["event"] == name).collect()
    }
}
