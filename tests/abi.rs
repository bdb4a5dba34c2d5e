//! The JS side of the Rust↔JS boundary is generated from `src/abi.rs`; this
//! fails when the committed `pkg-template/abi.js` and the Rust definition
//! drift apart (either side changed alone). `STEADYWS_BLESS=1` rewrites it.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use steadyws::abi::{js_module, ErrorCode, EventKind, Opt, SendResult, STATES};

const GENERATED: &str = "pkg-template/abi.js";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn generated_js_matches_the_rust_definition() {
    let path = root().join(GENERATED);
    let want = js_module();
    if std::env::var_os("STEADYWS_BLESS").is_some() {
        std::fs::write(&path, &want).expect("write abi.js");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{GENERATED} differs from src/abi.rs: run `STEADYWS_BLESS=1 cargo test --test abi` \
         and review the diff"
    );
}

/// Drift is caught in both directions: a slot, kind or code edited in the
/// JS file alone makes the check above fail.
#[test]
fn a_change_on_one_side_alone_is_detected() {
    let want = js_module();
    for (from, to) in [
        ("'heartbeat.interval'", "'heartbeat.intervalMs'"),
        ("export const EV_STATE = 8", "export const EV_STATE = 9"),
        ("'QUEUE_FULL'", "'QUEUE_IS_FULL'"),
        ("maxMessages: 1000", "maxMessages: 100"),
    ] {
        assert!(want.contains(from), "{from} not in the generated module");
        assert_ne!(want.replacen(from, to, 1), want);
    }
}

#[test]
fn names_are_unique_and_indices_dense() {
    fn unique(names: Vec<&str>) {
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "{names:?}");
    }
    unique(Opt::ALL.iter().map(|o| o.js()).collect());
    unique(EventKind::ALL.iter().map(|k| k.js()).collect());
    unique(ErrorCode::ALL.iter().map(|c| c.js()).collect());
    unique(STATES.iter().map(|s| s.as_str()).collect());
    for (i, o) in Opt::ALL.iter().enumerate() {
        assert_eq!(*o as usize, i);
        assert_eq!(Opt::from_index(i as u32), Some(*o));
    }
    for (i, k) in EventKind::ALL.iter().enumerate() {
        assert_eq!(*k as usize, i);
    }
    assert_eq!(Opt::from_index(Opt::ALL.len() as u32), None);
    // send()'s error codes are error codes too.
    for r in &SendResult::ALL[2..] {
        assert!(ErrorCode::ALL.iter().any(|c| c.js() == r.js()), "{r:?}");
    }
}

/// Every error code the package can raise is in its TypeScript declarations.
#[test]
fn declarations_list_every_error_code() {
    let dts = std::fs::read_to_string(root().join("pkg-template/index.d.ts")).expect("index.d.ts");
    for c in ErrorCode::ALL {
        assert!(dts.contains(&format!("'{}'", c.js())), "{} missing", c.js());
    }
    // The keys of `SocketEvents`: `open:` or `'heartbeat-timeout':`.
    for k in EventKind::ALL.iter().filter(|k| !k.internal()) {
        let (bare, quoted) = (format!("  {}:", k.js()), format!("'{}':", k.js()));
        assert!(
            dts.contains(&bare) || dts.contains(&quoted),
            "{} missing",
            k.js()
        );
    }
}

mod options_from_js {
    use steadyws::abi::{Opt, Slots};
    use steadyws::message::Message;
    use steadyws::session::{Config, ConfigError, Reason, ReconnectConfig, Session};

    fn left_out() -> Vec<f64> {
        vec![f64::NAN; Opt::ALL.len()]
    }

    fn with(pairs: &[(Opt, f64)]) -> Vec<f64> {
        let mut n = left_out();
        for &(o, v) in pairs {
            n[o as usize] = v;
        }
        n
    }

    fn session(c: Config<Message>) -> Result<(), ConfigError> {
        Session::new(c, 1, 0).map(|_| ())
    }

    fn from_js(n: &[f64]) -> Result<Config<Message>, ConfigError> {
        Ok(Slots(n).config(Message::Text("ping".into()), None))
    }

    #[test]
    fn nothing_given_is_the_rust_default_config() {
        assert_eq!(
            from_js(&left_out()).unwrap(),
            Config::new(Message::Text("ping".into()))
        );
        // Fewer slots than the ABI has (an older facade): the rest default.
        assert_eq!(from_js(&[]).unwrap(), from_js(&left_out()).unwrap());
    }

    #[test]
    fn min_delay_zero_is_refused_the_same_from_js_and_from_rust() {
        let js = from_js(&with(&[(Opt::MinDelay, 0.0)])).and_then(session);
        let mut rust = Config::new(Message::Text("ping".into()));
        rust.reconnect = Some(ReconnectConfig {
            min_delay: 0,
            ..ReconnectConfig::default()
        });
        let rust = session(rust);
        let want = Err(ConfigError {
            field: Opt::MinDelay,
            reason: Reason::AtLeastOneMs,
        });
        assert_eq!(js, want);
        assert_eq!(rust, want);
    }

    #[test]
    fn sections_off_and_infinity() {
        let c = from_js(&with(&[
            (Opt::Heartbeat, 0.0),
            (Opt::Queue, 0.0),
            (Opt::MaxRetries, 3.0),
            (Opt::ConnectTimeout, f64::INFINITY),
        ]))
        .unwrap();
        assert!(c.heartbeat.is_none() && c.queue.is_none());
        assert_eq!(c.reconnect.unwrap().max_retries, Some(3));
        assert_eq!(c.connect_timeout, u64::MAX);
    }

    #[test]
    fn fatal_codes_follow_the_slots() {
        let codes = |codes: &[f64]| {
            let mut n = with(&[(Opt::FatalCodes, codes.len() as f64)]);
            n.extend_from_slice(codes);
            from_js(&n)
        };
        let ok = codes(&[4001.0, 4002.0]).unwrap();
        assert_eq!(ok.reconnect.unwrap().fatal_codes, vec![4001, 4002]);
        assert_eq!(
            codes(&[]).unwrap().reconnect.unwrap().fatal_codes,
            Vec::<u16>::new()
        );
        // A count beyond what follows reads what there is, never past it.
        let mut short = with(&[(Opt::FatalCodes, 3.0)]);
        short.push(4001.0);
        assert_eq!(
            from_js(&short).unwrap().reconnect.unwrap().fatal_codes,
            vec![4001]
        );
        // In range is validate's business (as does a code too big for u16).
        for bad in [999.0, 70_000.0] {
            let err = codes(&[bad]).and_then(session).unwrap_err();
            assert_eq!(err.field.js(), "reconnect.fatalCodes");
        }
    }
}
