//! Frame decoding, both roles: `decode_header` / `decode_frame` over
//! arbitrary bytes never panic, respect their `consumed` contract, and every
//! frame they accept re-encodes to the same bytes (minimal length encoding
//! aside) and decodes back to the same frame.
#![no_main]

use libfuzzer_sys::fuzz_target;
use steadyws::codec::{decode_frame, decode_header, encode_frame, Limits, Role, Status};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, mut rest)) = data.split_first() else {
        return;
    };
    let role = if selector & 1 == 0 {
        Role::Server
    } else {
        Role::Client
    };
    // Small limits sometimes, so that the limit paths are reached too.
    let limits = if selector & 2 == 0 {
        Limits::default()
    } else {
        Limits::default().max_frame_size(u64::from(selector >> 2))
    };
    while !rest.is_empty() {
        let header = decode_header(rest, role, &limits);
        match decode_frame(rest, role, &limits) {
            Ok(Status::Done { consumed, value }) => {
                assert!(consumed <= rest.len());
                assert_eq!(value.payload.len() as u64, value.header.payload_len);
                // decode_header agrees on the header.
                match header {
                    Ok(Status::Done {
                        value: h,
                        consumed: hl,
                    }) => {
                        assert_eq!(h, value.header);
                        assert_eq!(hl + value.payload.len(), consumed);
                    }
                    other => panic!("header {other:?} but frame decoded"),
                }
                // Re-encode (same mask) and decode again.
                let payload = value.unmasked_payload();
                let mut again = Vec::new();
                encode_frame(
                    &mut again,
                    value.header.fin,
                    value.header.opcode,
                    &payload,
                    value.header.mask,
                )
                .expect("a decoded frame is encodable");
                match decode_frame(&again, role, &limits) {
                    Ok(Status::Done {
                        consumed: c2,
                        value: v2,
                    }) => {
                        assert_eq!(c2, again.len());
                        assert_eq!(v2.header, value.header);
                        assert_eq!(v2.unmasked_payload(), payload);
                    }
                    other => panic!("re-encoded frame: {other:?}"),
                }
                rest = &rest[consumed..];
            }
            Ok(Status::NeedMore { consumed, needed }) => {
                assert_eq!(consumed, 0);
                assert!(needed >= 1);
                // Either the header or the payload is incomplete.
                assert!(header.is_ok());
                break;
            }
            Err(error) => {
                // Only the header can be invalid.
                assert_eq!(header, Err(error.clone()));
                let _ = error.close_code();
                break;
            }
        }
    }
});
