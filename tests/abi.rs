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
    for k in EventKind::ALL {
        let (bare, quoted) = (format!("  {}:", k.js()), format!("'{}':", k.js()));
        assert!(
            dts.contains(&bare) || dts.contains(&quoted),
            "{} missing",
            k.js()
        );
    }
}
