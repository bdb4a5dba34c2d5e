#![cfg(not(target_arch = "wasm32"))]
//! Property: whatever one role encodes (messages fragmented anywhere, control
//! frames between the fragments), the other role decodes back exactly, however
//! the byte stream is split into reads.

use proptest::prelude::*;
use proptest::sample::Index;
use steadyws::codec::{
    encode_frame, CloseCode, CloseFrame, Encoder, Item, Limits, MessageDecoder, OpCode, Outgoing,
    Role, Status,
};
use steadyws::message::Message;

#[derive(Debug, Clone)]
enum Control {
    Ping(Vec<u8>),
    Pong(Vec<u8>),
}

#[derive(Debug, Clone)]
struct Fragmented {
    message: Message,
    cuts: Vec<Index>,
    between: Vec<Option<Control>>,
}

fn control() -> impl Strategy<Value = Control> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..=125).prop_map(Control::Ping),
        prop::collection::vec(any::<u8>(), 0..=125).prop_map(Control::Pong),
    ]
}

fn message() -> impl Strategy<Value = Message> {
    prop_oneof![
        4 => any::<String>().prop_map(Message::Text),
        4 => prop::collection::vec(any::<u8>(), 0..300).prop_map(Message::Binary),
        // 16-bit and 64-bit length encodings.
        1 => (any::<u8>(), 126usize..70_000).prop_map(|(b, n)| Message::Binary(vec![b; n])),
    ]
}

fn fragmented() -> impl Strategy<Value = Fragmented> {
    (
        message(),
        prop::collection::vec(any::<Index>(), 0..4),
        prop::collection::vec(prop::option::of(control()), 0..4),
    )
        .prop_map(|(message, cuts, between)| Fragmented {
            message,
            cuts,
            between,
        })
}

/// Encodes `messages` as `role` would send them, followed by a close frame;
/// returns the bytes and the items the peer must decode.
fn encode(role: Role, key: [u8; 4], messages: &[Fragmented]) -> (Vec<u8>, Vec<Item>) {
    let mask = (role == Role::Client).then_some(key);
    let mut wire = Vec::new();
    let mut want = Vec::new();
    for m in messages {
        let (op, payload) = match &m.message {
            Message::Text(t) => (OpCode::Text, t.as_bytes()),
            Message::Binary(b) => (OpCode::Binary, &b[..]),
        };
        let mut cuts: Vec<usize> = m.cuts.iter().map(|i| i.index(payload.len() + 1)).collect();
        cuts.sort_unstable();
        cuts.push(payload.len());
        let mut start = 0;
        for (n, &end) in cuts.iter().enumerate() {
            let last = n + 1 == cuts.len();
            let opcode = if n == 0 { op } else { OpCode::Continuation };
            encode_frame(&mut wire, last, opcode, &payload[start..end], mask).unwrap();
            start = end;
            if !last {
                match m.between.get(n).cloned().flatten() {
                    Some(Control::Ping(p)) => {
                        encode_frame(&mut wire, true, OpCode::Ping, &p, mask).unwrap();
                        want.push(Item::Ping(p));
                    }
                    Some(Control::Pong(p)) => {
                        encode_frame(&mut wire, true, OpCode::Pong, &p, mask).unwrap();
                        want.push(Item::Pong(p));
                    }
                    None => {}
                }
            }
        }
        want.push(Item::Message(m.message.clone()));
    }
    Encoder::new(role)
        .encode(
            &mut wire,
            Outgoing::Close(Some((CloseCode(4000), "done"))),
            mask,
        )
        .unwrap();
    want.push(Item::Close(Some(CloseFrame {
        code: CloseCode(4000),
        reason: "done".into(),
    })));
    (wire, want)
}

fn decode_in_pieces(role: Role, wire: &[u8], splits: &[Index]) -> Vec<Item> {
    let mut points: Vec<usize> = splits.iter().map(|i| i.index(wire.len() + 1)).collect();
    points.sort_unstable();
    points.push(wire.len());
    let mut decoder = MessageDecoder::new(role, Limits::default());
    let mut items = Vec::new();
    let mut start = 0;
    for end in points {
        let mut rest = &wire[start..end];
        start = end;
        loop {
            match decoder.decode(rest).unwrap() {
                Status::Done { consumed, value } => {
                    items.push(value);
                    rest = &rest[consumed..];
                }
                Status::NeedMore { consumed, .. } => {
                    assert_eq!(consumed, rest.len());
                    break;
                }
            }
        }
    }
    assert!(decoder.is_idle());
    items
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn server_decodes_what_a_client_encodes(
        messages in prop::collection::vec(fragmented(), 0..5),
        key in any::<[u8; 4]>(),
        splits in prop::collection::vec(any::<Index>(), 0..8),
    ) {
        let (wire, want) = encode(Role::Client, key, &messages);
        prop_assert_eq!(decode_in_pieces(Role::Server, &wire, &splits), want);
    }

    #[test]
    fn client_decodes_what_a_server_encodes(
        messages in prop::collection::vec(fragmented(), 0..5),
        splits in prop::collection::vec(any::<Index>(), 0..8),
    ) {
        let (wire, want) = encode(Role::Server, [0; 4], &messages);
        prop_assert_eq!(decode_in_pieces(Role::Client, &wire, &splits), want);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics_and_respects_consumed(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        server in any::<bool>(),
    ) {
        let role = if server { Role::Server } else { Role::Client };
        let mut decoder = MessageDecoder::new(role, Limits::default());
        let mut rest = &bytes[..];
        while let Ok(status) = decoder.decode(rest) {
            match status {
                Status::Done { consumed, .. } => {
                    prop_assert!(consumed > 0 && consumed <= rest.len());
                    rest = &rest[consumed..];
                }
                Status::NeedMore { consumed, .. } => {
                    prop_assert_eq!(consumed, rest.len());
                    break;
                }
            }
        }
    }
}
