//! Message assembly, both roles: the `MessageDecoder` never panics, takes in
//! everything on `NeedMore`, yields only valid text, and decodes the same
//! items and error however the input is split into reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use steadyws::codec::{Error, Item, Limits, MessageDecoder, Role, Status};
use steadyws::message::Message;

fn run(role: Role, limits: Limits, chunks: &[&[u8]]) -> (Vec<Item>, Option<Error>) {
    let mut decoder = MessageDecoder::new(role, limits);
    let mut items = Vec::new();
    for chunk in chunks {
        let mut rest: &[u8] = chunk;
        loop {
            match decoder.decode(rest) {
                Ok(Status::Done { consumed, value }) => {
                    assert!(consumed > 0 && consumed <= rest.len());
                    if let Item::Message(Message::Text(text)) = &value {
                        assert!(std::str::from_utf8(text.as_bytes()).is_ok());
                    }
                    items.push(value);
                    rest = &rest[consumed..];
                }
                Ok(Status::NeedMore { consumed, needed }) => {
                    assert_eq!(consumed, rest.len());
                    assert!(needed >= 1);
                    break;
                }
                Err(error) => {
                    // A failed decoder stays failed.
                    assert_eq!(decoder.decode(b"\x81\x00"), Err(error.clone()));
                    return (items, Some(error));
                }
            }
        }
    }
    (items, None)
}

fuzz_target!(|data: &[u8]| {
    let [selector, cut_a, cut_b, input @ ..] = data else {
        return;
    };
    let role = if selector & 1 == 0 {
        Role::Server
    } else {
        Role::Client
    };
    let limits = if selector & 2 == 0 {
        Limits::default()
    } else {
        // Small limits, to reach the limit checks.
        Limits::default()
            .max_frame_size(u64::from(selector >> 2) * 4)
            .max_message_size(u64::from(selector >> 2) * 8)
            .max_fragments(u32::from(selector >> 4) + 1)
    };
    let whole = run(role, limits, &[input]);
    // Two cut points anywhere in the input.
    let mut a = usize::from(*cut_a) * input.len() / 255;
    let mut b = usize::from(*cut_b) * input.len() / 255;
    if a > b {
        core::mem::swap(&mut a, &mut b);
    }
    let split = run(role, limits, &[&input[..a], &input[a..b], &input[b..]]);
    assert_eq!(whole, split);
    if input.len() <= 64 {
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(whole, run(role, limits, &bytes));
    }
});
