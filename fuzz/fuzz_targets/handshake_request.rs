//! The server's opening-handshake parser (written by the transport work in
//! `src/codec/handshake.rs`): parsing and validating any request head never
//! panics, and a complete head reports a `consumed` within the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use steadyws::codec::handshake::{parse_request, validate_request, Parsed};

fuzz_target!(|data: &[u8]| {
    if let Ok(Parsed::Complete { value, consumed }) = parse_request(data) {
        assert!(consumed <= data.len());
        let _ = value.path();
        let _ = value.query();
        let _ = value.wants_websocket();
        if let Ok(hello) = validate_request(&value) {
            let _ = steadyws::codec::handshake::accept_response(&hello, None, &[]);
        }
        // The same head parses the same with more bytes after it.
        let mut longer = data[..consumed].to_vec();
        longer.extend_from_slice(b"\x81\x85extra");
        match parse_request(&longer) {
            Ok(Parsed::Complete { consumed: c2, .. }) => assert_eq!(c2, consumed),
            other => panic!("head no longer parses with trailing bytes: {other:?}"),
        }
    }
});
