//! The inflate path (permessage-deflate), both roles: a `MessageDecoder`
//! with compression negotiated never panics, never yields a message over
//! the size limit (the limit holds while inflating), yields only valid text,
//! decodes the same items and error however the input is split into reads
//! and whether items are borrowed (`decode_in_place`) or owned (`decode`),
//! and inflates what our own compressor made back to the original.
//!
//! The first byte picks the mode, role and limits:
//! * bit 0: role (server decodes masked frames, client unmasked ones);
//! * bit 1: small limits (message limit 64 x bits 4-7 + 1), to reach the
//!   limit checks inside the inflater;
//! * bits 2-3: 0/1 = the rest is raw wire bytes; 2 = the rest is one
//!   compressed payload, sent as one RSV1 frame (or as fragments at the cut
//!   points), so arbitrary deflate data reaches the inflater; 3 = the rest
//!   is a message, compressed by our `Deflater` with the window and takeover
//!   picked by bits 4-7, framed, and decoded back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use steadyws::codec::deflate::DeflateParams;
use steadyws::codec::{
    encode_frame, Encoder, Error, Item, Limits, MessageDecoder, OpCode, Outgoing, Role, Status,
};
use steadyws::message::Message;

fn run(
    role: Role,
    limits: Limits,
    params: &DeflateParams,
    chunks: &[&[u8]],
    in_place: bool,
) -> (Vec<Item>, Option<Error>) {
    let mut decoder = MessageDecoder::new(role, limits).with_deflate(params);
    let mut items = Vec::new();
    for chunk in chunks {
        let mut buf = chunk.to_vec();
        let mut at = 0;
        loop {
            let result = if in_place {
                decoder.decode_in_place(&mut buf[at..]).map(|s| match s {
                    Status::Done { consumed, value } => Status::Done {
                        consumed,
                        value: value.to_item(),
                    },
                    Status::NeedMore { consumed, needed } => Status::NeedMore { consumed, needed },
                })
            } else {
                decoder.decode(&buf[at..])
            };
            match result {
                Ok(Status::Done { consumed, value }) => {
                    assert!(consumed > 0 && consumed <= buf.len() - at);
                    if let Item::Message(m) = &value {
                        let len = match m {
                            Message::Text(t) => {
                                assert!(std::str::from_utf8(t.as_bytes()).is_ok());
                                t.len()
                            }
                            Message::Binary(b) => b.len(),
                        };
                        assert!(len as u64 <= limits.max_message_size);
                    }
                    items.push(value);
                    at += consumed;
                }
                Ok(Status::NeedMore { consumed, needed }) => {
                    assert_eq!(consumed, buf.len() - at);
                    assert!(needed >= 1);
                    break;
                }
                Err(error) => {
                    assert_eq!(decoder.decode(b"\x81\x00"), Err(error.clone()));
                    return (items, Some(error));
                }
            }
        }
    }
    (items, None)
}

/// `payload` as a compressed message of `pieces` frames (RSV1 on the first).
fn frames(role: Role, payload: &[u8], cuts: &[usize], text: bool) -> Vec<u8> {
    let mask = (role == Role::Server).then_some([0x37, 0xFA, 0x21, 0x3D]);
    let mut wire = Vec::new();
    let mut start = 0;
    let mut bounds: Vec<usize> = cuts.to_vec();
    bounds.push(payload.len());
    for (i, &end) in bounds.iter().enumerate() {
        let end = end.max(start);
        let fin = i == bounds.len() - 1;
        let op = if i > 0 {
            OpCode::Continuation
        } else if text {
            OpCode::Text
        } else {
            OpCode::Binary
        };
        let at = wire.len();
        encode_frame(&mut wire, fin, op, &payload[start..end], mask).unwrap();
        if i == 0 {
            wire[at] |= 0x40; // RSV1: compressed
        }
        start = end;
    }
    wire
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
        Limits::default().max_message_size(u64::from(selector >> 4) * 64 + 1)
    };
    let mut a = usize::from(*cut_a) * input.len() / 255;
    let mut b = usize::from(*cut_b) * input.len() / 255;
    if a > b {
        core::mem::swap(&mut a, &mut b);
    }
    let params = DeflateParams::default();
    let wire = match (selector >> 2) & 3 {
        0 | 1 => input.to_vec(),
        2 => frames(role, input, &[a, b][..usize::from(cut_a & 3).min(2)], cut_b & 1 == 0),
        _ => {
            // Our compressor, inflated back: the message must come out whole.
            let bits = 8 + (selector >> 4) % 8;
            let peer = DeflateParams {
                server_max_window_bits: bits,
                client_max_window_bits: bits,
                server_no_context_takeover: selector & 0x80 != 0,
                client_no_context_takeover: selector & 0x80 != 0,
                ..DeflateParams::default()
            };
            let sender_role = match role {
                Role::Server => Role::Client,
                Role::Client => Role::Server,
            };
            let mut deflater = peer.deflater(sender_role);
            let encoder = Encoder::new(sender_role);
            let key = (sender_role == Role::Client).then_some([1, 2, 3, 4]);
            let mut wire = Vec::new();
            // Twice: the second message may refer to the first (takeover).
            for _ in 0..2 {
                encoder
                    .encode_compressed(&mut wire, &mut deflater, Outgoing::Binary(input), key)
                    .unwrap();
            }
            let (items, error) = run(role, Limits::default(), &peer, &[&wire], false);
            assert_eq!(error, None);
            let want = Item::Message(Message::Binary(input.to_vec()));
            assert_eq!(items, [want.clone(), want]);
            return;
        }
    };
    let whole = run(role, limits, &params, &[&wire], false);
    let borrowed = run(role, limits, &params, &[&wire], true);
    assert_eq!(whole, borrowed);
    let (a, b) = (a.min(wire.len()), b.min(wire.len()));
    let split = run(role, limits, &params, &[&wire[..a], &wire[a..b], &wire[b..]], true);
    assert_eq!(whole, split);
    if wire.len() <= 64 {
        let bytes: Vec<&[u8]> = wire.chunks(1).collect();
        assert_eq!(whole, run(role, limits, &params, &bytes, false));
    }
});
