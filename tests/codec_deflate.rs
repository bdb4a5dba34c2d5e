#![cfg(all(not(target_arch = "wasm32"), feature = "deflate"))]
//! permessage-deflate in the codec (RFC 7692): compressed messages decode
//! the same at every split point and through both decoding paths, RSV1 is
//! accepted only where the extension allows it, text is validated after
//! inflating (fail-fast across fragments), and the message limit holds
//! while inflating: a decompression bomb is refused at the limit with
//! memory bounded by the limit (this test binary counts its allocations).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use steadyws::codec::deflate::DeflateParams;
use steadyws::codec::{
    encode_frame, CloseCode, Encoder, Error, Item, ItemRef, Limits, MessageDecoder, MessageRef,
    OpCode, Outgoing, Role, Status,
};
use steadyws::message::Message;

/// Counts live heap bytes and their peak, to check what inflating a bomb
/// costs.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const KEY: [u8; 4] = [0x11, 0x7E, 0xA4, 0x03];

fn peer_of(role: Role) -> Role {
    match role {
        Role::Client => Role::Server,
        Role::Server => Role::Client,
    }
}

/// What a peer of `role`'s decoder sends: `messages`, compressed by our
/// compressor with `params`.
fn compressed_stream(role: Role, params: &DeflateParams, messages: &[Message]) -> Vec<u8> {
    let sender = peer_of(role);
    let encoder = Encoder::new(sender);
    let mut deflater = params.deflater(sender);
    let key = (sender == Role::Client).then_some(KEY);
    let mut wire = Vec::new();
    for m in messages {
        encoder
            .encode_compressed(&mut wire, &mut deflater, Outgoing::from(m), key)
            .unwrap();
        encoder
            .encode(&mut wire, Outgoing::Ping(b"between"), key)
            .unwrap();
    }
    wire
}

/// Decodes `chunks` in order; items owned (`in_place` false) or borrowed
/// and then copied.
fn decode(
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
        // Each item consumes at least one byte: bounded.
        while at <= buf.len() {
            let result = if in_place {
                decoder
                    .decode_in_place(&mut buf[at..])
                    .map(|status| match status {
                        Status::Done { consumed, value } => (consumed, Some(value.to_item())),
                        Status::NeedMore { consumed, .. } => (consumed, None),
                    })
            } else {
                decoder.decode(&buf[at..]).map(|status| match status {
                    Status::Done { consumed, value } => (consumed, Some(value)),
                    Status::NeedMore { consumed, .. } => (consumed, None),
                })
            };
            match result {
                Ok((consumed, Some(item))) => {
                    items.push(item);
                    at += consumed;
                }
                Ok((_, None)) => break,
                Err(e) => return (items, Some(e)),
            }
        }
    }
    (items, None)
}

fn messages() -> Vec<Message> {
    vec![
        Message::Text("Hello".into()),
        Message::Text("Hello".into()),
        Message::Binary(vec![]),
        Message::Text("κόσμε €𝄞 ".repeat(40)),
        Message::Binary((0..3000u32).map(|i| (i % 7) as u8).collect()),
    ]
}

#[test]
fn compressed_messages_decode_alike_at_every_split_point_in_both_roles() {
    for role in [Role::Server, Role::Client] {
        for no_takeover in [false, true] {
            let params = DeflateParams {
                server_no_context_takeover: no_takeover,
                client_no_context_takeover: no_takeover,
                ..DeflateParams::default()
            };
            let msgs = messages();
            let wire = compressed_stream(role, &params, &msgs);
            let mut want: Vec<Item> = Vec::new();
            for m in &msgs {
                want.push(Item::Message(m.clone()));
                want.push(Item::Ping(b"between".to_vec()));
            }
            let limits = Limits::default();
            assert_eq!(
                decode(role, limits, &params, &[&wire], false),
                (want.clone(), None)
            );
            assert_eq!(
                decode(role, limits, &params, &[&wire], true),
                (want.clone(), None)
            );
            for cut in 0..=wire.len() {
                let (a, b) = wire.split_at(cut);
                assert_eq!(
                    decode(role, limits, &params, &[a, b], cut % 2 == 0),
                    (want.clone(), None),
                    "{role:?} cut {cut}"
                );
            }
        }
    }
}

#[test]
fn every_window_size_our_compressor_may_be_limited_to_round_trips() {
    for bits in 8..=15 {
        let params = DeflateParams {
            client_max_window_bits: bits,
            server_max_window_bits: bits,
            ..DeflateParams::default()
        };
        let msgs = messages();
        let wire = compressed_stream(Role::Client, &params, &msgs);
        let (items, error) = decode(Role::Client, Limits::default(), &params, &[&wire], true);
        assert_eq!(error, None, "bits {bits}");
        assert_eq!(items.len(), 2 * msgs.len());
    }
}

/// A compressed message split into `parts` fragments (RSV1 on the first).
fn fragmented(role_of_sender: Role, op: OpCode, payload: &[u8], parts: usize) -> Vec<u8> {
    let key = (role_of_sender == Role::Client).then_some(KEY);
    let step = payload.len().div_ceil(parts).max(1);
    let mut wire = Vec::new();
    let pieces: Vec<&[u8]> = payload.chunks(step).collect();
    for (i, piece) in pieces.iter().enumerate() {
        let at = wire.len();
        let opcode = if i == 0 { op } else { OpCode::Continuation };
        encode_frame(&mut wire, i + 1 == pieces.len(), opcode, piece, key).unwrap();
        if i == 0 {
            wire[at] |= 0x40;
        }
    }
    wire
}

fn deflate_raw(params: &DeflateParams, role: Role, data: &[u8]) -> Vec<u8> {
    params.deflater(role).compress(data).unwrap().to_vec()
}

#[test]
fn a_fragmented_compressed_message_is_inflated_across_its_fragments() {
    let params = DeflateParams::default();
    let text = "fragments of one compressed text message, ".repeat(30);
    let payload = deflate_raw(&params, Role::Client, text.as_bytes());
    let wire = fragmented(Role::Client, OpCode::Text, &payload, 5);
    let (items, error) = decode(Role::Server, Limits::default(), &params, &[&wire], true);
    assert_eq!(error, None);
    assert_eq!(items, [Item::Message(Message::Text(text))]);
}

#[test]
fn rsv1_is_refused_without_the_extension_and_on_continuations_and_control_frames() {
    let params = DeflateParams::default();
    let payload = deflate_raw(&params, Role::Server, b"Hello");
    let mut compressed = Vec::new();
    encode_frame(&mut compressed, true, OpCode::Text, &payload, None).unwrap();
    compressed[0] |= 0x40;
    // Not negotiated: RSV1 is a protocol error (1002).
    let mut plain = MessageDecoder::new(Role::Client, Limits::default());
    let error = plain.decode(&compressed).unwrap_err();
    assert_eq!(error, Error::ReservedBits(0b100));
    assert_eq!(error.close_code(), CloseCode::PROTOCOL_ERROR);
    // Negotiated: the same frame is "Hello".
    let (items, error) = decode(
        Role::Client,
        Limits::default(),
        &params,
        &[&compressed],
        false,
    );
    assert_eq!((items, error), (vec![Item::Message("Hello".into())], None));
    // RSV1 on a continuation, on a ping, and RSV2/RSV3 anywhere.
    let mut continuation = Vec::new();
    encode_frame(&mut continuation, false, OpCode::Text, b"a", None).unwrap();
    let at = continuation.len();
    encode_frame(&mut continuation, true, OpCode::Continuation, b"b", None).unwrap();
    continuation[at] |= 0x40;
    let mut ping = Vec::new();
    encode_frame(&mut ping, true, OpCode::Ping, b"", None).unwrap();
    ping[0] |= 0x40;
    let mut rsv2 = Vec::new();
    encode_frame(&mut rsv2, true, OpCode::Text, b"", None).unwrap();
    rsv2[0] |= 0x20;
    for (name, wire, bits) in [
        ("continuation", continuation, 0b100),
        ("ping", ping, 0b100),
        ("rsv2", rsv2, 0b010),
    ] {
        let (_, error) = decode(Role::Client, Limits::default(), &params, &[&wire], false);
        assert_eq!(error, Some(Error::ReservedBits(bits)), "{name}");
    }
}

#[test]
fn invalid_utf8_after_inflating_fails_before_the_message_ends() {
    let params = DeflateParams::default();
    // Valid text, then a sequence that can never be UTF-8, then much more.
    let mut text = "valid start ".repeat(10).into_bytes();
    text.extend_from_slice(b"\xf4\x90\x80\x80");
    let bad_at = text.len();
    text.extend(std::iter::repeat_n(b'x', 20_000));
    let payload = deflate_raw(&params, Role::Client, &text);
    let wire = fragmented(Role::Client, OpCode::Text, &payload, 4);
    // Only the first fragment: the error comes without the rest.
    let first_frame_end = {
        let mut d = MessageDecoder::new(Role::Server, Limits::default()).with_deflate(&params);
        let mut n = 0;
        while d.decode(&wire[..n]).is_ok() && n < wire.len() {
            n += 1;
        }
        n
    };
    assert!(first_frame_end < wire.len(), "failed before the end");
    assert!(bad_at < text.len());
    let (_, error) = decode(Role::Server, Limits::default(), &params, &[&wire], false);
    assert_eq!(error, Some(Error::InvalidUtf8));
    assert_eq!(Error::InvalidUtf8.close_code(), CloseCode::INVALID_PAYLOAD);
}

#[test]
fn invalid_deflate_data_fails_the_connection_with_1007() {
    let params = DeflateParams::default();
    let mut wire = Vec::new();
    // BTYPE 11 is reserved in deflate.
    encode_frame(&mut wire, true, OpCode::Binary, &[0xff, 0xff], None).unwrap();
    wire[0] |= 0x40;
    let (_, error) = decode(Role::Client, Limits::default(), &params, &[&wire], true);
    assert_eq!(error, Some(Error::InvalidCompressedData));
    assert_eq!(
        Error::InvalidCompressedData.close_code(),
        CloseCode::INVALID_PAYLOAD
    );
}

/// A raw deflate stream (one fixed-Huffman block, no end) of the byte `a`
/// followed by `matches` back-references of length 258 at distance 1: it
/// inflates to `1 + 258 * matches` bytes from 13 bits per match.
fn bomb(matches: usize) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, value: u64, bits: u32) {
            self.acc |= value << self.n;
            self.n += bits;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// Huffman codes go most significant bit first.
        fn code(&mut self, code: u64, bits: u32) {
            let reversed = code.reverse_bits() >> (64 - bits);
            self.put(reversed, bits);
        }
    }
    let mut b = Bits {
        out: Vec::with_capacity(matches * 13 / 8 + 8),
        acc: 0,
        n: 0,
    };
    b.put(0, 1); // BFINAL = 0
    b.put(1, 2); // BTYPE = 01, fixed Huffman
    b.code(0x30 + u64::from(b'a'), 8); // literal 'a'
    for _ in 0..matches {
        b.code(0b1100_0101, 8); // length code 285 = 258
        b.code(0, 5); // distance code 0 = 1
    }
    b.put(0, 7); // end of block (code 256)
    b.put(0, 7);
    b.out
}

#[test]
fn a_decompression_bomb_is_refused_at_the_limit_with_memory_bounded_by_it() {
    let params = DeflateParams::default();
    let limit: u64 = 1 << 20;
    // 6.5 MiB of deflate data that would inflate to 1 GiB.
    let matches = (1usize << 30) / 258;
    let payload = bomb(matches);
    assert!(payload.len() < 7 << 20);
    let mut wire = Vec::new();
    encode_frame(&mut wire, true, OpCode::Binary, &payload, Some(KEY)).unwrap();
    wire[0] |= 0x40;
    // The bomb really is one: a small one inflates as promised.
    let small = bomb(100);
    let mut small_wire = Vec::new();
    encode_frame(&mut small_wire, true, OpCode::Binary, &small, Some(KEY)).unwrap();
    small_wire[0] |= 0x40;
    let (items, error) = decode(
        Role::Server,
        Limits::default(),
        &params,
        &[&small_wire],
        true,
    );
    assert_eq!(error, None);
    assert_eq!(
        items,
        [Item::Message(Message::Binary(vec![b'a'; 1 + 258 * 100]))]
    );

    let limits = Limits::default().max_message_size(limit);
    let mut decoder = MessageDecoder::new(Role::Server, limits).with_deflate(&params);
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    // Fed in 64 KiB reads, as the transport does.
    let mut error = None;
    for chunk in wire.chunks_mut(64 << 10) {
        match decoder.decode_in_place(chunk) {
            Ok(Status::NeedMore { .. }) => {}
            Ok(Status::Done { .. }) => panic!("the bomb decoded"),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let error = error.expect("refused");
    assert_eq!(
        error,
        Error::MessageTooLarge {
            len: limit + 1,
            max: limit
        }
    );
    assert_eq!(error.close_code(), CloseCode::MESSAGE_TOO_BIG);
    // The message buffer (at most the limit, grown by doubling) and the
    // inflater's fixed buffers; never the gigabyte.
    assert!(peak <= 2 * limit as usize + (1 << 20), "peak {peak}");
}

#[test]
fn decode_in_place_borrows_whole_frames_from_the_input_and_allocates_nothing() {
    let mut wire = Vec::new();
    let enc = Encoder::new(Role::Client);
    for i in 0..100u8 {
        enc.encode(
            &mut wire,
            Outgoing::Text("sixteen bytes..."),
            Some([i, 1, 2, 3]),
        )
        .unwrap();
        enc.encode(&mut wire, Outgoing::Binary(&[i; 125]), Some([3, 2, 1, i]))
            .unwrap();
    }
    let mut decoder = MessageDecoder::new(Role::Server, Limits::default());
    let input_range = wire.as_ptr_range();
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let mut rest = &mut wire[..];
    let mut seen = 0;
    while !rest.is_empty() {
        let Ok(Status::Done { consumed, value }) = decoder.decode_in_place(rest) else {
            panic!("whole frames");
        };
        let bytes = match value {
            ItemRef::Message(MessageRef::Text(t)) => {
                assert_eq!(t, "sixteen bytes...");
                t.as_bytes()
            }
            ItemRef::Message(MessageRef::Binary(b)) => {
                assert!(b.iter().all(|&x| x == (seen / 2) as u8));
                b
            }
            other => panic!("{other:?}"),
        };
        // Borrowed from the input, not copied.
        assert!(input_range.contains(&bytes.as_ptr()));
        seen += 1;
        rest = &mut rest[consumed..];
    }
    assert_eq!(seen, 200);
    assert_eq!(PEAK.load(Ordering::Relaxed), before, "no allocation");
}

/// The committed seeds (and crash inputs) of the `inflate` fuzz target,
/// through its main property: the same items and error whole, split at
/// the input's cut points, and borrowed.
#[test]
fn inflate_fuzz_seeds_decode_alike_whole_split_and_borrowed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/inflate");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        let [selector, cut_a, cut_b, input @ ..] = &data[..] else {
            continue;
        };
        if (selector >> 2) & 3 > 1 {
            continue; // payload modes: covered by the tests above
        }
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
        let params = DeflateParams::default();
        let mut a = usize::from(*cut_a) * input.len() / 255;
        let mut b = usize::from(*cut_b) * input.len() / 255;
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        let whole = decode(role, limits, &params, &[input], false);
        assert_eq!(whole, decode(role, limits, &params, &[input], true));
        let split = [&input[..a], &input[a..b], &input[b..]];
        assert_eq!(whole, decode(role, limits, &params, &split, true));
        count += 1;
    }
    assert!(count >= 5, "{count} wire seeds");
}

#[test]
fn whole_frame_reads_leave_a_partial_frame_unconsumed_and_say_what_completes_it() {
    let payload = vec![7u8; 70_000];
    let mut wire = Vec::new();
    Encoder::new(Role::Client)
        .encode(&mut wire, Outgoing::Binary(&payload), Some(KEY))
        .unwrap();
    let total = wire.len();
    let mut decoder =
        MessageDecoder::new(Role::Server, Limits::default()).whole_frames_up_to(1 << 20);
    let mut buf = wire.clone();
    let cut = 65_536;
    match decoder.decode_in_place(&mut buf[..cut]).unwrap() {
        Status::NeedMore { consumed, needed } => {
            assert_eq!((consumed, needed), (0, total - cut));
        }
        other => panic!("{other:?}"),
    }
    let input_range = buf.as_ptr_range();
    match decoder.decode_in_place(&mut buf[..]).unwrap() {
        Status::Done {
            consumed,
            value: ItemRef::Message(MessageRef::Binary(b)),
        } => {
            assert_eq!(consumed, total);
            assert_eq!(b, &payload[..]);
            assert!(input_range.contains(&b.as_ptr()), "decoded in place");
        }
        other => panic!("{other:?}"),
    }
    // Beyond the bound, partial frames are taken in as before.
    let mut small = MessageDecoder::new(Role::Server, Limits::default()).whole_frames_up_to(1000);
    let mut buf = wire.clone();
    match small.decode_in_place(&mut buf[..cut]).unwrap() {
        Status::NeedMore { consumed, .. } => assert_eq!(consumed, cut),
        other => panic!("{other:?}"),
    }
}

#[test]
fn whole_frame_reads_never_hold_back_text_so_invalid_utf8_still_fails_fast() {
    // Autobahn 6.4.3: one text frame, sent in chops; the second makes it
    // invalid. The error must come with that chop, before the frame ends.
    let mut text = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5".to_vec();
    text.extend_from_slice(b"\xf4\x90\x80\x80\x65\x64\x69\x74\x65\x64");
    let mut wire = Vec::new();
    encode_frame(&mut wire, true, OpCode::Text, &text, Some(KEY)).unwrap();
    let mut decoder =
        MessageDecoder::new(Role::Server, Limits::default()).whole_frames_up_to(1 << 20);
    let first = 6 + 11; // header + the valid part
    let mut buf = wire.clone();
    match decoder.decode_in_place(&mut buf[..first]).unwrap() {
        Status::NeedMore { consumed, .. } => assert_eq!(consumed, first, "taken in"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        decoder.decode_in_place(&mut buf[first..first + 4]).err(),
        Some(Error::InvalidUtf8)
    );
}
