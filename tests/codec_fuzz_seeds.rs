#![cfg(not(target_arch = "wasm32"))]
//! Replays the committed fuzz seeds (and any crash inputs saved next to
//! them) through the properties the fuzz targets check, so `npm test` keeps
//! them passing without cargo-fuzz.

use std::path::PathBuf;

use steadyws::codec::{
    decode_frame, decode_header, encode_frame, Error, Item, Limits, MessageDecoder, Role, Status,
};
use steadyws::message::Message;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&path).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no seeds in {}", dir.display());
    out
}

fn role_of(selector: u8) -> Role {
    if selector & 1 == 0 {
        Role::Server
    } else {
        Role::Client
    }
}

#[test]
fn frame_decoder_seeds_decode_and_reencode() {
    for (name, data) in inputs("frame_decoder") {
        let (&selector, mut rest) = data.split_first().unwrap();
        let role = role_of(selector);
        let limits = if selector & 2 == 0 {
            Limits::default()
        } else {
            Limits::default().max_frame_size(u64::from(selector >> 2))
        };
        let mut frames = 0;
        while let Ok(Status::Done { consumed, value }) = decode_frame(rest, role, &limits) {
            assert!(matches!(
                decode_header(rest, role, &limits),
                Ok(Status::Done { value: h, .. }) if h == value.header
            ));
            let payload = value.unmasked_payload();
            let mut again = Vec::new();
            encode_frame(
                &mut again,
                value.header.fin,
                value.header.opcode,
                &payload,
                value.header.mask,
            )
            .unwrap();
            match decode_frame(&again, role, &limits).unwrap() {
                Status::Done { value: v2, .. } => assert_eq!(v2.unmasked_payload(), payload),
                other => panic!("{name}: {other:?}"),
            }
            rest = &rest[consumed..];
            frames += 1;
        }
        assert!(
            frames > 0 || selector & 2 != 0,
            "{name}: seed decodes no frame"
        );
    }
}

fn run(role: Role, limits: Limits, chunks: &[&[u8]]) -> (Vec<Item>, Option<Error>) {
    let mut decoder = MessageDecoder::new(role, limits);
    let mut items = Vec::new();
    for chunk in chunks {
        let mut rest: &[u8] = chunk;
        loop {
            match decoder.decode(rest) {
                Ok(Status::Done { consumed, value }) => {
                    items.push(value);
                    rest = &rest[consumed..];
                }
                Ok(Status::NeedMore { consumed, .. }) => {
                    assert_eq!(consumed, rest.len());
                    break;
                }
                Err(error) => return (items, Some(error)),
            }
        }
    }
    (items, None)
}

#[test]
fn message_assembly_seeds_decode_the_same_however_split() {
    for (name, data) in inputs("message_assembly") {
        let [selector, _, _, input @ ..] = &data[..] else {
            panic!("{name}: too short");
        };
        let role = role_of(*selector);
        let limits = if selector & 2 == 0 {
            Limits::default()
        } else {
            Limits::default()
                .max_frame_size(u64::from(selector >> 2) * 4)
                .max_message_size(u64::from(selector >> 2) * 8)
                .max_fragments(u32::from(selector >> 4) + 1)
        };
        let whole = run(role, limits, &[input]);
        for cut in 0..=input.len().min(300) {
            let (a, b) = input.split_at(cut);
            assert_eq!(run(role, limits, &[a, b]), whole, "{name} cut {cut}");
        }
        // The named seeds mean what they say.
        if name.contains("invalid-utf8") {
            assert_eq!(whole.1, Some(Error::InvalidUtf8), "{name}");
        }
        if name.contains("1005") {
            assert_eq!(whole.1, Some(Error::InvalidCloseCode(1005)), "{name}");
        }
        if name.contains("text-masked") {
            assert_eq!(
                whole,
                (vec![Item::Message(Message::Text("Hello".into()))], None)
            );
        }
    }
}
