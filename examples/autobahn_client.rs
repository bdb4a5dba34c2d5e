//! Runs the Autobahn TestSuite cases of a fuzzing server against the native
//! client: `cargo run --release --example autobahn_client -- ws://127.0.0.1:9001 steadyws [JOBS]`
//! (JOBS: cases run at once, default 1; each case is its own connection).
//!
//! The fuzzing server protocol: `/getCaseCount` sends the number of cases as
//! one text message; `/runCase?case=N&agent=A` runs case N (we echo every
//! message back until the connection closes); `/updateReports?agent=A` ends
//! the run.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(native::main());
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    use steadyws::message::Message;
    use steadyws::native::client::{Client, ClientConfig, ClientError, ClientEvent};

    fn config() -> ClientConfig {
        let config = ClientConfig::default()
            .connect_timeout(Duration::from_secs(10))
            .close_timeout(Duration::from_secs(5));
        // permessage-deflate, offering `client_no_context_takeover` too: the
        // suite's server side accepts 13.2, 13.5 and 13.6 only from a client
        // that offers it (a browser-like offer, our default, gets those
        // cases reported UNIMPLEMENTED). The server's own context takeover
        // is still exercised (13.1, 13.3, 13.4 and group 12 keep it).
        #[cfg(feature = "deflate")]
        let config = config.deflate(Some(steadyws::codec::deflate::DeflateConfig {
            no_context_takeover: true,
            ..Default::default()
        }));
        config
    }

    /// Echoes everything until the connection ends; returns the messages
    /// received (for `getCaseCount`).
    fn echo_until_closed(url: &str, echo: bool) -> Result<Vec<Message>, ClientError> {
        let mut client = Client::connect(url, &config())?;
        let mut received = Vec::new();
        loop {
            match client.recv(None) {
                Ok(Some(ClientEvent::Message(m))) => {
                    if echo {
                        match client.send(&m) {
                            Ok(()) | Err(ClientError::Closed) => {}
                            Err(e) => {
                                eprintln!("{url}: send failed: {e}");
                                break;
                            }
                        }
                    }
                    received.push(m);
                }
                Ok(Some(ClientEvent::Closed { .. })) => break,
                Ok(Some(ClientEvent::Ping(_) | ClientEvent::Pong(_))) | Ok(None) => {}
                // A protocol violation is what some cases test: the client
                // already failed the connection as RFC 6455 asks.
                Err(ClientError::Protocol(_)) => break,
                Err(e) => {
                    eprintln!("{url}: {e}");
                    break;
                }
            }
        }
        Ok(received)
    }

    pub fn main() -> i32 {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let base = args
            .first()
            .map(|s| s.trim_end_matches('/').to_owned())
            .unwrap_or_else(|| "ws://127.0.0.1:9001".into());
        let agent = args.get(1).cloned().unwrap_or_else(|| "steadyws".into());

        let count = match echo_until_closed(&format!("{base}/getCaseCount"), false) {
            Ok(msgs) => match msgs.first() {
                Some(Message::Text(t)) => t.trim().parse::<u32>().unwrap_or(0),
                _ => 0,
            },
            Err(e) => {
                eprintln!("getCaseCount: {e}");
                return 1;
            }
        };
        let jobs = args
            .get(2)
            .and_then(|j| j.parse::<u32>().ok())
            .unwrap_or(1)
            .clamp(1, 16);
        let next = AtomicU32::new(1);
        let failures = AtomicU32::new(0);
        std::thread::scope(|s| {
            for _ in 0..jobs {
                s.spawn(|| loop {
                    let case = next.fetch_add(1, Ordering::Relaxed);
                    if case > count {
                        break;
                    }
                    let url = format!("{base}/runCase?case={case}&agent={agent}");
                    if let Err(e) = echo_until_closed(&url, true) {
                        eprintln!("case {case}: {e}");
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
        });
        let failures = failures.into_inner();
        if let Err(e) = echo_until_closed(&format!("{base}/updateReports?agent={agent}"), false) {
            eprintln!("updateReports: {e}");
            return 1;
        }
        i32::from(failures > 0)
    }
}
