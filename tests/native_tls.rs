#![cfg(not(target_arch = "wasm32"))]
//! `wss://` end to end: a throwaway CA and server certificate (rcgen), the
//! dev server over TLS (`steadyws serve --tls-cert --tls-key`) and an
//! independent TLS WebSocket server (Python `websockets`,
//! tests/tls_header_server.py, installed by scripts/setup.sh) that requires
//! a header, both driven by `steadyws connect` as a real process; plus the
//! transport API over TLS in-process, and `connect --help`.
//!
//! Every wait is on an output line or an event, with a bounded deadline;
//! ports are read back from the servers; every child is killed when its
//! test ends, and the Python server also stops by itself when its stdin
//! closes.

mod cli_common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::Receiver;
use std::thread;
use std::time::{Duration, Instant};

use cli_common::{lines, Driver, Proc, BIN};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use steadyws::message::Message;
use steadyws::native::cli::{parse_connect, parse_serve, ArgError, CONNECT_FLAGS};
use steadyws::native::client::{Client, ClientConfig, ClientError, ClientEvent};
use steadyws::native::headers::HeaderError;
use steadyws::native::server::{Server, ServerConfig};
use steadyws::native::tls::{self, TlsClientConfig, TlsError};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

/// A CA, and a server certificate it signed for 127.0.0.1 and localhost,
/// as PEM files in a directory of their own (removed on drop).
struct Certs {
    dir: PathBuf,
}

impl Certs {
    fn new() -> Certs {
        Certs::for_names(&["127.0.0.1", "localhost"])
    }

    /// A server certificate valid for `names` only.
    fn for_names(names: &[&str]) -> Certs {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "tls-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create the certificate directory");

        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "steadyws test CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().expect("CA key"))
            .expect("self-signed CA");

        let key = KeyPair::generate().expect("server key");
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut leaf = CertificateParams::new(names).expect("server params");
        leaf.distinguished_name
            .push(DnType::CommonName, "localhost");
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = leaf.signed_by(&key, &ca).expect("server certificate");

        std::fs::write(dir.join("ca.pem"), ca.pem()).expect("write ca.pem");
        std::fs::write(dir.join("server.pem"), cert.pem()).expect("write server.pem");
        std::fs::write(dir.join("server.key"), key.serialize_pem()).expect("write server.key");
        Certs { dir }
    }

    fn ca(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    fn cert(&self) -> PathBuf {
        self.dir.join("server.pem")
    }

    fn key(&self) -> PathBuf {
        self.dir.join("server.key")
    }

    fn ca_str(&self) -> String {
        self.ca().display().to_string()
    }
}

impl Drop for Certs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The first line of `rx` within `within`.
fn first_line(rx: &Receiver<String>, what: &str, within: Duration) -> String {
    rx.recv_timeout(within)
        .unwrap_or_else(|e| panic!("no {what} within {within:?}: {e}"))
}

/// `steadyws serve --tls-cert --tls-key` on a free port.
struct TlsDevServer {
    _proc: Proc,
    addr: String,
}

impl TlsDevServer {
    fn start(certs: &Certs) -> TlsDevServer {
        let mut child = Command::new(BIN)
            .args(["serve", "--host", "127.0.0.1", "--port", "0", "--root", "."])
            .arg("--tls-cert")
            .arg(certs.cert())
            .arg("--tls-key")
            .arg(certs.key())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn steadyws serve");
        let out = lines(child.stdout.take().expect("stdout"));
        let proc = Proc(child);
        let first = first_line(&out, "listening line", ms(10_000));
        let addr = first
            .strip_prefix("listening on wss://")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        TlsDevServer { _proc: proc, addr }
    }

    fn url(&self, path: &str) -> String {
        format!("wss://{}{path}", self.addr)
    }
}

/// tests/tls_header_server.py on a free port.
struct PythonServer {
    _proc: Proc,
    port: u16,
}

impl PythonServer {
    fn start(certs: &Certs) -> PythonServer {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tls_header_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(certs.cert())
            .arg(certs.key())
            // Its stdin closes when the test drops it (or dies): it stops.
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn python3 (needed by this test; scripts/setup.sh installs websockets)");
        let out = lines(child.stdout.take().expect("stdout"));
        let proc = Proc(child);
        let first = first_line(
            &out,
            "port from tests/tls_header_server.py (is Python websockets installed? run scripts/setup.sh)",
            ms(20_000),
        );
        let port = first
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("not a port: {first:?}"));
        PythonServer { _proc: proc, port }
    }
}

#[test]
fn wss_echo_through_the_dev_server_with_cacert() {
    let certs = Certs::new();
    let server = TlsDevServer::start(&certs);
    let ca = certs.ca_str();
    let mut d = Driver::start(&server.url("/echo"), &["--cacert", &ca]);
    let open = d.wait_event("open", ms(10_000));
    assert_eq!(open["url"], server.url("/echo"));
    d.send_line("hello over TLS");
    let echoed = d.wait_event("message", ms(10_000));
    assert_eq!(echoed["data"], "hello over TLS");
    d.stdin = None; // end of input: close(1000)
    let close = d.wait_event("close", ms(10_000));
    assert_eq!(close["code"], 1000);
    assert_eq!(close["wasClean"], true);
}

#[test]
fn a_silent_wss_server_is_abandoned_on_heartbeat_timeout_and_reconnected() {
    // The worker thread blocks reading the TLS socket; abandoning must wake
    // it and the next attempt must start without waiting for it.
    let certs = Certs::new();
    let server = TlsDevServer::start(&certs);
    let ca = certs.ca_str();
    let mut d = Driver::start(
        &server.url("/silent"),
        &[
            "--cacert",
            &ca,
            "--heartbeat-interval",
            "200",
            "--heartbeat-timeout",
            "200",
            "--min-delay",
            "50",
            "--max-delay",
            "100",
        ],
    );
    d.wait_event("open", ms(10_000));
    d.wait_event("heartbeat-timeout", ms(10_000));
    let again = d.wait_event("open", ms(10_000));
    assert_eq!(again["attempt"], 2);
}

#[test]
fn untrusted_certificate_is_an_error_event_and_retried() {
    let certs = Certs::new();
    let server = TlsDevServer::start(&certs);
    // The built-in Mozilla roots do not know the throwaway CA.
    let mut d = Driver::start(
        &server.url("/echo"),
        &["--min-delay", "50", "--max-delay", "100"],
    );
    for attempt in 1..=2 {
        let err = d.wait_socket_error(ms(10_000));
        assert_eq!(err["kind"], "tls-certificate", "attempt {attempt}: {err}");
        assert_eq!(err["code"], "SOCKET_ERROR");
        let message = err["message"].as_str().expect("message");
        assert!(message.contains("UnknownIssuer"), "{message}");
        let close = d.wait_event("close", ms(10_000));
        assert_eq!(close["willReconnect"], true);
        let r = d.wait_event("reconnecting", ms(10_000));
        assert_eq!(r["attempt"], attempt + 1);
    }
    assert!(d.seen.iter().all(|e| e["event"] != "open"));
}

#[test]
fn insecure_connects_without_verification_and_says_so() {
    let certs = Certs::new();
    let server = TlsDevServer::start(&certs);
    let mut d = Driver::start(&server.url("/echo"), &["--insecure"]);
    let warning = d.wait_stderr("the --insecure warning", ms(10_000), |l| {
        l.contains("warning") && l.contains("NOT verified")
    });
    assert!(warning.contains("--insecure"), "{warning}");
    d.wait_event("open", ms(10_000));
    d.send_line("unverified");
    assert_eq!(d.wait_event("message", ms(10_000))["data"], "unverified");
}

#[test]
fn headers_origin_and_protocols_reach_an_independent_tls_server() {
    let certs = Certs::new();
    let server = PythonServer::start(&certs);
    let url = format!("wss://127.0.0.1:{}/", server.port);
    let ca = certs.ca_str();
    let mut d = Driver::start(
        &url,
        &[
            "--cacert",
            &ca,
            "-H",
            "X-Token: abc",
            "--origin",
            "https://app.example",
            "--protocol",
            "v1",
            "--protocol",
            "v2",
        ],
    );
    let open = d.wait_event("open", ms(10_000));
    assert_eq!(open["protocol"], "v2");
    let hello = d.wait_event("message", ms(10_000));
    assert_eq!(
        hello["data"],
        "hello origin=https://app.example protocol=v2"
    );
    d.send_line("echo me");
    assert_eq!(d.wait_event("message", ms(10_000))["data"], "echo me");
}

#[test]
fn a_missing_header_is_refused_with_401_reported_and_retried() {
    let certs = Certs::new();
    let server = PythonServer::start(&certs);
    let url = format!("wss://127.0.0.1:{}/", server.port);
    let ca = certs.ca_str();
    let mut d = Driver::start(
        &url,
        &[
            "--cacert",
            &ca,
            "-H",
            "X-Token: wrong",
            "--min-delay",
            "50",
            "--max-delay",
            "100",
        ],
    );
    for attempt in 1..=2 {
        let err = d.wait_socket_error(ms(10_000));
        assert_eq!(err["kind"], "rejected", "attempt {attempt}: {err}");
        assert_eq!(err["status"], 401);
        let r = d.wait_event("reconnecting", ms(10_000));
        assert_eq!(r["attempt"], attempt + 1);
    }
    assert!(d.seen.iter().all(|e| e["event"] != "open"));
}

#[test]
fn connect_help_lists_every_flag_with_its_default() {
    let out = Command::new(BIN)
        .args(["connect", "--help"])
        .output()
        .expect("run steadyws connect --help");
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).expect("UTF-8 help");
    // Both ways: the flags this issue promises, and whatever the table has.
    let promised = [
        "-H, --header",
        "--origin URL",
        "--protocol NAME",
        "--cacert FILE",
        "-k, --insecure",
        "--json",
        "--duration MS",
        "--connect-timeout MS",
        "--close-timeout MS",
        "--heartbeat-interval MS",
        "--heartbeat-timeout MS",
        "--ping TEXT",
        "--pong TEXT",
        "--no-heartbeat",
        "--min-delay MS",
        "--max-delay MS",
        "--factor F",
        "--jitter J",
        "--max-retries N",
        "--stable-after MS",
        "--no-reconnect",
        "--queue-messages N",
        "--queue-bytes N",
        "-h, --help",
    ];
    for flag in promised {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
    for flag in CONNECT_FLAGS {
        assert!(
            help.contains(&format!("--{} ", flag.long))
                || help.contains(&format!("--{}\n", flag.long)),
            "--{} missing from:\n{help}",
            flag.long
        );
    }
    // Defaults are printed from the defaults themselves.
    // A flag's entry: its line and the wrapped lines under it (indented
    // deeper than any flag).
    let line_of = |flag: &str| -> String {
        let mut lines = help
            .lines()
            .skip_while(|l| !l.trim_start().starts_with(&format!("{flag} ")));
        let first = lines.next().unwrap_or_default();
        let rest = lines.take_while(|l| l.starts_with("          "));
        std::iter::once(first)
            .chain(rest)
            .flat_map(str::split_whitespace)
            .collect::<Vec<_>>()
            .join(" ")
    };
    for (flag, default) in [
        ("--heartbeat-interval", "[default: 10000]"),
        ("--heartbeat-timeout", "[default: 10000]"),
        ("--connect-timeout", "[default: 10000]"),
        ("--min-delay", "[default: 1000]"),
        ("--max-delay", "[default: 30000]"),
        ("--max-retries", "[default: unlimited]"),
        ("--ping", "[default: ping]"),
        ("--queue-messages", "[default: 1000]"),
    ] {
        let text = line_of(flag);
        assert!(text.contains(default), "{flag}: {text:?}");
    }

    let out = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .expect("run steadyws serve --help");
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).expect("UTF-8 help");
    for flag in [
        "--host ADDR",
        "--port PORT",
        "--root DIR",
        "--tls-cert FILE",
        "--tls-key FILE",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}

#[test]
fn one_parser_for_every_subcommand_and_typed_refusals() {
    let a = parse_connect(&args(&[
        "wss://h/",
        "-H",
        "A: 1",
        "-HB:2",
        "--header=C: 3",
        "--protocol=p",
        "-k",
        "--cacert",
        "ca.pem",
        "--origin",
        "https://o.example",
    ]))
    .expect("valid flags");
    assert_eq!(a.url, "wss://h/");
    assert_eq!(
        a.headers,
        [("A", "1"), ("B", "2"), ("C", "3")]
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .to_vec()
    );
    assert_eq!(a.protocols, ["p"]);
    assert!(a.insecure);
    assert_eq!(a.cacert.as_deref(), Some(Path::new("ca.pem")));
    assert_eq!(a.origin.as_deref(), Some("https://o.example"));

    let refused = |a: &[&str]| parse_connect(&args(a)).unwrap_err();
    assert!(matches!(
        refused(&["ws://h/", "-H", "X-A: a\rb"]),
        ArgError::Header(HeaderError::InvalidValue { .. })
    ));
    assert!(matches!(
        refused(&["ws://h/", "-H", "Sec-WebSocket-Key: x"]),
        ArgError::Header(HeaderError::Reserved { .. })
    ));
    assert!(matches!(
        refused(&["ws://h/", "-H", "Bad Name: x"]),
        ArgError::Header(HeaderError::InvalidName(_))
    ));
    assert!(matches!(
        refused(&["ws://h/", "-H", "no colon"]),
        ArgError::Header(HeaderError::MissingColon(_))
    ));
    assert_eq!(
        refused(&["ws://h/", "-H"]),
        ArgError::MissingValue("-H".into())
    );
    assert_eq!(
        refused(&["ws://h/", "--json=yes"]),
        ArgError::UnexpectedValue("--json".into())
    );
    assert_eq!(
        refused(&["ws://h/", "--protocol", "a b"]),
        ArgError::InvalidValue {
            flag: "--protocol".into(),
            value: "a b".into()
        }
    );
    assert_eq!(
        refused(&["ws://h/", "--origin", "a\nb"]),
        ArgError::InvalidValue {
            flag: "--origin".into(),
            value: "a\nb".into()
        }
    );
    assert_eq!(refused(&["--json"]), ArgError::MissingArgument("URL"));
    assert_eq!(
        refused(&["ws://a/", "ws://b/"]),
        ArgError::UnexpectedArgument("ws://b/".into())
    );
    assert_eq!(
        refused(&["ws://a/", "-x"]),
        ArgError::UnknownFlag("-x".into())
    );
    assert!(matches!(
        refused(&["ws://a/", "--min-delay", "0"]),
        ArgError::Config(_)
    ));
    // `--` ends the flags.
    assert_eq!(
        parse_connect(&args(&["--", "ws://h/"])).unwrap().url,
        "ws://h/"
    );

    // The same parser for serve.
    let s = parse_serve(&args(&["--tls-cert", "c.pem", "--tls-key=k.pem"])).unwrap();
    assert_eq!(s.tls_cert.as_deref(), Some(Path::new("c.pem")));
    assert_eq!(s.tls_key.as_deref(), Some(Path::new("k.pem")));
    assert_eq!(
        parse_serve(&args(&["--tls-cert", "c.pem"])),
        Err(ArgError::Requires {
            flag: "tls-cert",
            needs: "tls-key"
        })
    );
    assert_eq!(
        parse_serve(&args(&["extra"])),
        Err(ArgError::UnexpectedArgument("extra".into()))
    );
}

#[test]
fn unusable_certificate_files_exit_with_a_message() {
    let certs = Certs::new();
    let missing = certs.dir.join("missing.pem");
    let out = Command::new(BIN)
        .args(["connect", "wss://127.0.0.1:1/", "--cacert"])
        .arg(&missing)
        .stdin(Stdio::null())
        .output()
        .expect("run connect");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("missing.pem"), "{stderr}");

    // A key where the certificate should be: no CERTIFICATE in it.
    let out = Command::new(BIN)
        .args(["serve", "--port", "0", "--tls-cert"])
        .arg(certs.key())
        .arg("--tls-key")
        .arg(certs.key())
        .output()
        .expect("run serve");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no CERTIFICATE"), "{stderr}");
}

/// The dev server over TLS, in-process.
fn tls_server(certs: &Certs) -> steadyws::native::server::ServerHandle {
    let config = ServerConfig {
        tls: Some(tls::server_config(certs.cert(), certs.key()).expect("server TLS config")),
        ..ServerConfig::default()
    };
    Server::bind("127.0.0.1:0", config)
        .expect("bind")
        .spawn()
        .expect("spawn")
}

#[test]
fn transport_api_over_tls_sends_and_receives_big_messages_at_once() {
    let certs = Certs::new();
    let server = tls_server(&certs);
    let url = server.ws_url("/echo");
    assert!(url.starts_with("wss://"), "{url}");
    let config = ClientConfig::default()
        .tls(TlsClientConfig::with_ca_file(certs.ca()).expect("CA file"))
        .header("X-Test", "1");
    let mut client = Client::connect(&url, &config).expect("connect over TLS");
    // Another thread sends while this one reads: neither may wait for the
    // other (the echo of a 1 MiB message fills both directions' buffers).
    let sender = client.sender();
    let count = 16;
    let body = |i: u8| vec![i; 1 << 20];
    let writer = thread::spawn(move || {
        for i in 0..count {
            sender
                .send(&Message::Binary(body(i)))
                .expect("send a big message");
        }
    });
    let deadline = Instant::now() + ms(60_000);
    for i in 0..count {
        match client.recv(Some(deadline)) {
            Ok(Some(ClientEvent::Message(Message::Binary(b)))) => {
                assert!(b == body(i), "message {i}")
            }
            other => panic!("message {i}: {other:?}"),
        }
    }
    writer.join().expect("the writer thread");
    client.close(Some(1000), "done").expect("close");
    match client.recv(Some(Instant::now() + ms(10_000))) {
        Ok(Some(ClientEvent::Closed {
            code, was_clean, ..
        })) => {
            assert_eq!(code, 1000);
            assert!(was_clean);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn transport_tls_failures_are_typed() {
    let certs = Certs::new();
    let server = tls_server(&certs);
    let url = server.ws_url("/echo");
    // Default roots: the throwaway CA is unknown.
    match Client::connect(&url, &ClientConfig::default()) {
        Err(ClientError::Tls {
            error: TlsError::Certificate(_),
        }) => {}
        other => panic!("{other:?}"),
    }
    // A trusted CA, but a certificate for another name.
    let elsewhere = Certs::for_names(&["example.invalid"]);
    let elsewhere_server = tls_server(&elsewhere);
    let config =
        ClientConfig::default().tls(TlsClientConfig::with_ca_file(elsewhere.ca()).unwrap());
    let err = Client::connect(&elsewhere_server.ws_url("/echo"), &config).unwrap_err();
    assert!(
        matches!(
            &err,
            ClientError::Tls {
                error: TlsError::Certificate(_)
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.kind(), "tls-certificate");
    assert!(err.to_string().contains("example.invalid"), "{err}");
    // Plain ws:// against the TLS port: the server cannot read it.
    let plain = url.replacen("wss://", "ws://", 1);
    let err = Client::connect(&plain, &ClientConfig::default()).unwrap_err();
    assert!(
        matches!(err, ClientError::Io(_) | ClientError::Handshake(_)),
        "{err:?}"
    );
    // wss:// against a plain server: not TLS at all.
    let plain_server = Server::bind("127.0.0.1:0", ServerConfig::default())
        .unwrap()
        .spawn()
        .unwrap();
    let wss = plain_server.ws_url("/echo").replacen("ws://", "wss://", 1);
    let err = Client::connect(&wss, &ClientConfig::default()).unwrap_err();
    assert!(
        matches!(err, ClientError::Tls { .. } | ClientError::Io(_)),
        "{err:?}"
    );
    // Headers are checked before anything goes out.
    let err = Client::connect(&url, &ClientConfig::default().header("Upgrade", "h2c")).unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::InvalidHeader(HeaderError::Reserved { .. })
        ),
        "{err:?}"
    );
    assert_eq!(err.kind(), "header");
    // An unreadable CA file is a typed error, not a panic.
    assert!(matches!(
        TlsClientConfig::with_ca_file(certs.dir.join("nope.pem")),
        Err(TlsError::Pem { .. })
    ));
}
