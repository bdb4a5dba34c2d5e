#![cfg(not(target_arch = "wasm32"))]
//! The message decoder over byte streams: every input split at every byte,
//! fragmentation with interleaved control frames, limits, fail-fast UTF-8.

use steadyws::codec::{
    encode_frame, CloseCode, CloseFrame, Error, Item, Limits, MessageDecoder, OpCode, Role, Status,
};
use steadyws::message::Message;

const KEY: [u8; 4] = [0x37, 0xFA, 0x21, 0x3D];

/// What decoding an input yields: the items, and the error that ended it.
type Decoded = (Vec<Item>, Option<Error>);

/// One frame as a client sends it (masked), or a server (unmasked).
fn frame(role: Role, fin: bool, op: OpCode, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mask = (role == Role::Client).then_some(KEY);
    encode_frame(&mut out, fin, op, payload, mask).unwrap();
    out
}

/// Bytes a client sends (what a server decodes).
fn c(fin: bool, op: OpCode, payload: &[u8]) -> Vec<u8> {
    frame(Role::Client, fin, op, payload)
}

/// Feeds `chunks` in order; returns the items and the error that stopped
/// decoding, if any. Checks the `consumed` contract on the way.
fn feed(decoder: &mut MessageDecoder, chunks: &[&[u8]]) -> Decoded {
    let mut items = Vec::new();
    for chunk in chunks {
        let mut rest: &[u8] = chunk;
        loop {
            match decoder.decode(rest) {
                Ok(Status::Done { consumed, value }) => {
                    assert!(consumed <= rest.len());
                    items.push(value);
                    rest = &rest[consumed..];
                }
                Ok(Status::NeedMore { consumed, needed }) => {
                    assert_eq!(consumed, rest.len(), "NeedMore takes in everything");
                    assert!(needed >= 1);
                    break;
                }
                Err(e) => return (items, Some(e)),
            }
        }
    }
    (items, None)
}

fn decode_whole(role: Role, limits: Limits, input: &[u8]) -> Decoded {
    feed(&mut MessageDecoder::new(role, limits), &[input])
}

fn text(s: &str) -> Item {
    Item::Message(Message::Text(s.into()))
}

fn binary(b: &[u8]) -> Item {
    Item::Message(Message::Binary(b.to_vec()))
}

/// Inputs (as a server receives them) covering every path of the decoder,
/// valid and invalid.
fn corpus() -> Vec<(&'static str, Vec<u8>)> {
    use OpCode::*;
    let long: Vec<u8> = (0..300u32).map(|i| (i % 251) as u8).collect();
    let mut v: Vec<(&'static str, Vec<u8>)> = vec![
        ("text", c(true, Text, "hello κόσμε".as_bytes())),
        ("empty binary", c(true, Binary, b"")),
        ("16-bit length", c(true, Binary, &long)),
        ("ping pong close", {
            let mut b = c(true, Ping, b"p");
            b.extend(c(true, Pong, b""));
            b.extend(c(true, Close, &[0x03, 0xE8, b'o', b'k']));
            b
        }),
        ("fragments with control frames between", {
            let mut b = c(false, Text, "κό".as_bytes());
            b.extend(c(true, Ping, b"1"));
            b.extend(c(false, Continuation, b""));
            b.extend(c(true, Pong, b"2"));
            b.extend(c(true, Continuation, "σμε".as_bytes()));
            b.extend(c(true, Binary, b"after"));
            b
        }),
        ("character split across fragments", {
            let bytes = "€".as_bytes();
            let mut b = c(false, Text, &bytes[..1]);
            b.extend(c(false, Continuation, &bytes[1..2]));
            b.extend(c(true, Continuation, &bytes[2..]));
            b
        }),
        ("invalid utf8 inside a frame", {
            let mut b = c(true, Text, b"ok");
            b.extend(c(
                true,
                Text,
                b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80edited",
            ));
            b
        }),
        ("utf8 ending mid-character", c(true, Text, b"abc\xe2\x82")),
        ("invalid utf8 in a later fragment", {
            let mut b = c(false, Text, b"fine");
            b.extend(c(true, Continuation, b"\xc0\xaf"));
            b
        }),
        (
            "continuation without a message",
            c(true, Continuation, b"x"),
        ),
        ("data frame inside a fragmented message", {
            let mut b = c(false, Binary, b"a");
            b.extend(c(true, Binary, b"b"));
            b
        }),
        ("close payload of one byte", c(true, Close, &[3])),
        ("close code 1005", c(true, Close, &[0x03, 0xED])),
        ("close reason not utf8", c(true, Close, &[0x03, 0xE8, 0xFF])),
        ("rsv bit", {
            let mut b = c(true, Text, b"x");
            b[0] |= 0x40;
            b
        }),
        ("reserved opcode", {
            let mut b = c(true, Text, b"x");
            b[0] = 0x85;
            b
        }),
        (
            "unmasked frame to a server",
            frame(Role::Server, true, Binary, b"x"),
        ),
        ("64-bit length with the top bit", {
            let mut b = vec![0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1];
            b.extend(KEY);
            b
        }),
    ];
    v.push(("fragmented ping", {
        let mut b = c(true, Ping, b"x");
        b[0] &= 0x7F;
        b
    }));
    v
}

#[test]
fn every_split_point_and_byte_by_byte_decode_like_the_whole_input() {
    for (name, input) in corpus() {
        let want = decode_whole(Role::Server, Limits::default(), &input);
        for cut in 0..=input.len() {
            let (a, b) = input.split_at(cut);
            let got = feed(
                &mut MessageDecoder::new(Role::Server, Limits::default()),
                &[a, b],
            );
            assert_eq!(got, want, "{name}: split at {cut}");
        }
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        let got = feed(
            &mut MessageDecoder::new(Role::Server, Limits::default()),
            &bytes,
        );
        assert_eq!(got, want, "{name}: byte by byte");
    }
}

#[test]
fn the_corpus_decodes_to_what_rfc_6455_says() {
    let results: Vec<(&str, Decoded)> = corpus()
        .into_iter()
        .map(|(name, input)| (name, decode_whole(Role::Server, Limits::default(), &input)))
        .collect();
    let get = |name: &str| results.iter().find(|(n, _)| *n == name).unwrap().1.clone();
    assert_eq!(get("text"), (vec![text("hello κόσμε")], None));
    assert_eq!(get("empty binary"), (vec![binary(b"")], None));
    assert_eq!(
        get("ping pong close"),
        (
            vec![
                Item::Ping(b"p".to_vec()),
                Item::Pong(vec![]),
                Item::Close(Some(CloseFrame {
                    code: CloseCode::NORMAL,
                    reason: "ok".into()
                })),
            ],
            None
        )
    );
    assert_eq!(
        get("fragments with control frames between"),
        (
            vec![
                Item::Ping(b"1".to_vec()),
                Item::Pong(b"2".to_vec()),
                text("κόσμε"),
                binary(b"after"),
            ],
            None
        )
    );
    assert_eq!(
        get("character split across fragments"),
        (vec![text("€")], None)
    );
    assert_eq!(
        get("invalid utf8 inside a frame"),
        (vec![text("ok")], Some(Error::InvalidUtf8))
    );
    assert_eq!(get("utf8 ending mid-character").1, Some(Error::InvalidUtf8));
    assert_eq!(
        get("invalid utf8 in a later fragment").1,
        Some(Error::InvalidUtf8)
    );
    assert_eq!(
        get("continuation without a message").1,
        Some(Error::UnexpectedContinuation)
    );
    assert_eq!(
        get("data frame inside a fragmented message").1,
        Some(Error::ExpectedContinuation)
    );
    assert_eq!(
        get("close payload of one byte").1,
        Some(Error::InvalidClosePayload)
    );
    assert_eq!(
        get("close code 1005").1,
        Some(Error::InvalidCloseCode(1005))
    );
    assert_eq!(get("close reason not utf8").1, Some(Error::InvalidUtf8));
    assert_eq!(get("rsv bit").1, Some(Error::ReservedBits(0b100)));
    assert_eq!(get("reserved opcode").1, Some(Error::UnknownOpcode(5)));
    assert_eq!(
        get("unmasked frame to a server").1,
        Some(Error::UnmaskedFrame)
    );
    assert_eq!(
        get("64-bit length with the top bit").1,
        Some(Error::InvalidLength)
    );
    assert_eq!(get("fragmented ping").1, Some(Error::FragmentedControl));
}

#[test]
fn invalid_utf8_fails_before_the_frame_is_complete() {
    // Autobahn 6.4.3: a 21-byte text frame whose first 15 bytes already hold
    // an impossible code point; the rest never arrives.
    let payload = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80edited";
    let wire = c(true, OpCode::Text, payload);
    let header = wire.len() - payload.len();
    let mut dec = MessageDecoder::new(Role::Server, Limits::default());
    let (items, err) = feed(&mut dec, &[&wire[..header + 11]]);
    assert_eq!((items, err), (vec![], None));
    let (_, err) = feed(&mut dec, &[&wire[header + 11..header + 15]]);
    assert_eq!(err, Some(Error::InvalidUtf8));

    // Autobahn 6.4.4: the same, with the bad sequence arriving byte by byte:
    // 0xF4 may still start a valid character, 0x90 cannot follow it.
    let mut dec = MessageDecoder::new(Role::Server, Limits::default());
    let (_, err) = feed(&mut dec, &[&wire[..header + 12]]);
    assert_eq!(err, None);
    let (_, err) = feed(&mut dec, &[&wire[header + 12..header + 13]]);
    assert_eq!(err, Some(Error::InvalidUtf8));
}

#[test]
fn invalid_utf8_after_long_ascii_fails_before_the_frame_is_complete() {
    // Long pieces take the unmasking copy that checks for ASCII on the way;
    // a byte that can never be UTF-8 must still fail the piece it is in,
    // whether whole ASCII chunks come before it or a character is cut
    // just before the piece.
    for bad in [0, 255, 256, 1000, 3000] {
        let mut payload = vec![b'x'; 4096];
        payload[bad] = 0xC0;
        let wire = c(true, OpCode::Text, &payload);
        let header = wire.len() - payload.len();
        let mut dec = MessageDecoder::new(Role::Server, Limits::default());
        let (_, err) = feed(&mut dec, &[&wire[..header + bad]]);
        assert_eq!(err, None, "bad {bad}");
        let (_, err) = feed(&mut dec, &[&wire[header + bad..header + bad + 700]]);
        assert_eq!(err, Some(Error::InvalidUtf8), "bad {bad}");
    }
    let mut payload = "é".repeat(600).into_bytes();
    payload.extend_from_slice(&[b'y'; 1000]);
    let wire = c(true, OpCode::Text, &payload);
    let header = wire.len() - payload.len();
    let mut dec = MessageDecoder::new(Role::Server, Limits::default());
    // Cut inside an "é": the next 700 bytes start with its second byte.
    let (_, err) = feed(&mut dec, &[&wire[..header + 601]]);
    assert_eq!(err, None);
    let (items, err) = feed(&mut dec, &[&wire[header + 601..]]);
    assert_eq!(err, None);
    assert_eq!(items, vec![text(std::str::from_utf8(&payload).unwrap())]);
    // The same cut, with ASCII where the second byte should be.
    let mut broken = payload.clone();
    broken[601] = b'y';
    let wire = c(true, OpCode::Text, &broken);
    let mut dec = MessageDecoder::new(Role::Server, Limits::default());
    let (_, err) = feed(&mut dec, &[&wire[..header + 601]]);
    assert_eq!(err, None);
    let (_, err) = feed(&mut dec, &[&wire[header + 601..header + 1301]]);
    assert_eq!(err, Some(Error::InvalidUtf8));
}

#[test]
fn a_failed_decoder_stays_failed() {
    let mut dec = MessageDecoder::new(Role::Server, Limits::default());
    let (_, err) = feed(&mut dec, &[&c(true, OpCode::Continuation, b"")]);
    assert_eq!(err, Some(Error::UnexpectedContinuation));
    assert_eq!(
        dec.decode(&c(true, OpCode::Text, b"fine")),
        Err(Error::UnexpectedContinuation)
    );
}

#[test]
fn limits_are_checked_from_the_header_before_the_payload_arrives() {
    let limits = Limits::default().max_frame_size(100).max_message_size(150);
    // Only the header of a 101-byte frame: rejected at once.
    let wire = c(true, OpCode::Binary, &[0; 101]);
    let (_, err) = decode_whole(Role::Server, limits, &wire[..8]);
    assert_eq!(err, Some(Error::FrameTooLarge { len: 101, max: 100 }));
    // Two fragments of 100 bytes: the second header breaks the message limit.
    let mut wire = c(false, OpCode::Binary, &[0; 100]);
    let second = c(true, OpCode::Continuation, &[0; 100]);
    wire.extend_from_slice(&second[..8]);
    let (_, err) = decode_whole(Role::Server, limits, &wire);
    assert_eq!(err, Some(Error::MessageTooLarge { len: 200, max: 150 }));
    // A single frame larger than the message limit (frame limit is looser).
    let limits = Limits::default().max_message_size(10);
    let (_, err) = decode_whole(Role::Server, limits, &c(true, OpCode::Text, &[b'a'; 11]));
    assert_eq!(err, Some(Error::MessageTooLarge { len: 11, max: 10 }));
    assert_eq!(err.unwrap().close_code(), CloseCode::MESSAGE_TOO_BIG);
}

#[test]
fn a_flood_of_empty_continuations_is_bounded() {
    let limits = Limits::default().max_fragments(1000);
    let mut wire = c(false, OpCode::Binary, b"");
    let empty = c(false, OpCode::Continuation, b"");
    for _ in 0..998 {
        wire.extend_from_slice(&empty);
    }
    let mut dec = MessageDecoder::new(Role::Server, limits);
    assert_eq!(feed(&mut dec, &[&wire]), (vec![], None));
    // Frame 1000 is still allowed, frame 1001 is not.
    assert_eq!(feed(&mut dec, &[&empty]), (vec![], None));
    let (_, err) = feed(&mut dec, &[&empty]);
    assert_eq!(err, Some(Error::TooManyFragments { max: 1000 }));
}

#[test]
fn the_default_fragment_limit_admits_autobahn_9_3_1() {
    // 4 MiB in 64-byte fragments (65,536 frames), scaled down in size only:
    // what matters is the frame count.
    let mut wire = c(false, OpCode::Text, b"a");
    let piece = c(false, OpCode::Continuation, b"a");
    for _ in 0..65_534 {
        wire.extend_from_slice(&piece);
    }
    wire.extend(c(true, OpCode::Continuation, b"a"));
    let (items, err) = decode_whole(Role::Server, Limits::default(), &wire);
    assert_eq!(err, None);
    assert_eq!(items, vec![text(&"a".repeat(65_536))]);
}

#[test]
fn a_client_rejects_masked_frames_and_accepts_unmasked_ones() {
    let (items, err) = decode_whole(
        Role::Client,
        Limits::default(),
        &frame(Role::Server, true, OpCode::Text, b"hi"),
    );
    assert_eq!((items, err), (vec![text("hi")], None));
    let (_, err) = decode_whole(
        Role::Client,
        Limits::default(),
        &frame(Role::Client, true, OpCode::Text, b"hi"),
    );
    assert_eq!(err, Some(Error::MaskedFrame));
}

#[test]
fn errors_map_to_the_close_codes_autobahn_expects() {
    assert_eq!(Error::InvalidUtf8.close_code(), CloseCode(1007));
    assert_eq!(Error::UnknownOpcode(3).close_code(), CloseCode(1002));
    assert_eq!(Error::ReservedBits(1).close_code(), CloseCode(1002));
    assert_eq!(
        Error::TooManyFragments { max: 1 }.close_code(),
        CloseCode(1009)
    );
}

#[test]
fn is_idle_only_at_frame_boundaries() {
    let mut dec = MessageDecoder::new(Role::Server, Limits::default());
    assert!(dec.is_idle());
    let wire = c(true, OpCode::Binary, b"abc");
    feed(&mut dec, &[&wire[..1]]);
    assert!(!dec.is_idle());
    feed(&mut dec, &[&wire[1..]]);
    assert!(dec.is_idle());
}
