//! Codec benchmarks: steadyws next to tungstenite and fastwebsockets, same
//! inputs, same run (`npm run bench:codec`).
//!
//! The machine this runs on is shared and noisy, so instead of timing each
//! implementation in its own long stretch (where a burst of load from
//! elsewhere lands on one side only), the harness interleaves them: after a
//! warm-up and a calibration (a batch of iterations of each takes about
//! `BATCH_MS`), it runs `ROUNDS` rounds, each timing one batch of every
//! implementation back to back, in an order that rotates every round. It
//! reports each implementation's median time per iteration and prints one
//! line per case and peer: `codec <case> steadyws/<peer> = <ratio>`, the
//! throughput ratio (> 1 means steadyws is faster) taken as the median of
//! the per-round ratios peer time / steadyws time (a paired comparison:
//! both sides of a round ran under the same load), followed by the
//! quartiles of those ratios and the ratio of the two medians.
//! `STEADYWS_BENCH_ROUNDS` and `STEADYWS_BENCH_BATCH_MS` override the
//! defaults; a command-line word filters cases by substring.
//!
//! What each side does:
//!
//! * `mask-*`: mask a buffer in place, 16 B to 1 MiB, at a 16-byte aligned
//!   address and one byte past it. tungstenite's `apply_mask` is private;
//!   `fastwebsockets::unmask` is the same code (its source cites
//!   tungstenite's `apply_mask_fast32`: `align_to_mut::<u32>` plus a u32
//!   XOR loop), so it stands for tungstenite here.
//! * `decode-<kind>-<size>`: a stream of masked client frames (256 KiB of
//!   payload in total, at least 4 frames) decoded in the server role into
//!   complete messages, each message's length read. steadyws: what the
//!   transport (`WsReader`) does: the stream is copied up to 64 KiB at a time
//!   into a read buffer (the socket read), a binary frame the read holds only
//!   part of (up to 1 MiB) is left there and exactly its rest is read after it
//!   (`MessageDecoder::whole_frames_up_to`; text frames are never held back,
//!   so that invalid UTF-8 fails fast, and stream into the decoder's buffer
//!   instead: one unmasking copy that notes on the way whether the bytes are
//!   ASCII, then `simdutf8::basic` on the rest; a 64 KiB text frame takes 64
//!   KiB and 14 bytes on the wire, so with 64 KiB reads every one of them
//!   straddles two reads and goes this way), and `decode_in_place` yields
//!   messages borrowed from the read buffer, unmasked in place (zero-copy: no
//!   allocation). `steadyws-owned` is the owned path (`decode` of 64 KiB reads
//!   into `Message::Text(String)` / `Message::Binary(Vec<u8>)`, one allocation
//!   per message), for callers that keep messages. tungstenite:
//!   `WebSocket::from_raw_socket` (server role, default config) over an
//!   in-memory `Read` stream, `read()` per message (it copies into its own
//!   buffer, unmasks in place, validates text with `std::str::from_utf8`,
//!   returns `Bytes`). fastwebsockets: `FragmentCollector` over
//!   `WebSocket::after_handshake` (server role) over an in-memory tokio
//!   `AsyncRead`, `read_frame().await` per message on a current-thread runtime
//!   (it reserves room for each whole frame in its own buffer and reads into
//!   it, unmasks in place, validates a final text frame with `simdutf8::basic`
//!   (its default `simd` feature), returns frames borrowing its buffer). All
//!   three validate every text message completely; none is asked for more than
//!   that.
//! * `encode-<size>`: binary messages encoded in the server role (unmasked)
//!   and handed to an in-memory sink that appends to a `Vec` (the socket
//!   write). steadyws: below 4 KiB, `Encoder::encode` of every message into
//!   one output buffer, then one copy of that buffer into the sink (one
//!   batched write); from 4 KiB on, `Encoder::encode_vectored` per message
//!   (header into the buffer, payload borrowed) and both pieces appended to
//!   the sink (a vectored write, as a transport would do). tungstenite: `WebSocket::write` of
//!   a `Message::Binary(Bytes)` (a cheap clone of shared bytes) per message,
//!   `flush()` at the end. fastwebsockets: `write_frame` of a borrowed
//!   payload per message.
//! * `deflate-<size>`: JSON-like binary messages through permessage-deflate
//!   (level 1, context takeover): steadyws compresses them in the server
//!   role (`Encoder::encode_compressed`) and a client-role decoder inflates
//!   them back (`decode_in_place`). The floors do only the compression and
//!   inflation, with no framing: flate2 on zlib-rs (our backend) and
//!   miniz_oxide (flate2's other backend). `deflate-backend-<size>` puts
//!   the two floors side by side: how the backend was chosen.

use std::hint::black_box;
use std::io::{self, Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use steadyws::codec::deflate::DeflateParams;
use steadyws::codec::{
    apply_mask, Encoder, Item, ItemRef, Limits, MessageDecoder, MessageRef, OpCode, Outgoing, Role,
    Status,
};
use steadyws::message::Message;

const KEY: [u8; 4] = [0x9C, 0x2F, 0x71, 0xE5];
/// Payload bytes per decode/encode iteration.
const STREAM_PAYLOAD: usize = 256 << 10;
/// Size of one simulated socket read.
const READ_SIZE: usize = 64 << 10;

#[derive(Clone, Copy)]
enum Kind {
    Binary,
    Ascii,
    Multibyte,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Binary => "binary",
            Kind::Ascii => "ascii",
            Kind::Multibyte => "multibyte",
        }
    }
}

fn size_name(size: usize) -> String {
    if size >= 1 << 20 {
        format!("{}MiB", size >> 20)
    } else if size >= 1 << 10 {
        format!("{}KiB", size >> 10)
    } else {
        format!("{size}B")
    }
}

/// A payload of exactly `size` bytes of the given kind.
fn payload(kind: Kind, size: usize) -> Vec<u8> {
    match kind {
        Kind::Binary => (0..size).map(|i| (i * 31 + 7) as u8).collect(),
        Kind::Ascii => (0..size).map(|i| b'a' + (i % 26) as u8).collect(),
        Kind::Multibyte => {
            // Greek (2 bytes), CJK (3 bytes), emoji (4 bytes), ASCII padding.
            let mut s = String::with_capacity(size);
            for c in "κόσμε日本語🎉ωψ漢字🚀".chars().cycle() {
                if s.len() + c.len_utf8() > size {
                    break;
                }
                s.push(c);
            }
            while s.len() < size {
                s.push('.');
            }
            s.into_bytes()
        }
    }
}

/// `count` masked client frames carrying `payload`.
fn client_stream(kind: Kind, payload: &[u8], count: usize) -> Vec<u8> {
    let opcode = match kind {
        Kind::Binary => OpCode::Binary,
        _ => OpCode::Text,
    };
    let mut wire = Vec::new();
    for i in 0..count {
        let key = [KEY[0], KEY[1], KEY[2], i as u8];
        steadyws::codec::encode_frame(&mut wire, true, opcode, payload, Some(key)).unwrap();
    }
    wire
}

fn count_for(size: usize) -> usize {
    (STREAM_PAYLOAD / size).max(4)
}

// ---------------------------------------------------------------- steadyws

fn steadyws_decode(wire: &[u8], count: usize, read_buf: &mut Vec<u8>) -> usize {
    // What the transport (`WsReader`) does: read up to READ_SIZE; a frame
    // (up to READ_AHEAD long) that the read holds only part of is left in
    // the buffer and exactly its rest is read after it, so that every frame
    // is decoded in place.
    let mut decoder =
        MessageDecoder::new(Role::Server, Limits::default()).whole_frames_up_to(READ_AHEAD as u64);
    let mut got = 0;
    let mut total = 0;
    let mut wire = wire;
    read_buf.resize(READ_SIZE + READ_AHEAD, 0);
    let (mut start, mut end) = (0, 0);
    let mut want = READ_SIZE;
    loop {
        if start == end {
            (start, end) = (0, 0);
            if wire.is_empty() {
                break;
            }
            want = READ_SIZE;
        }
        if want > 0 {
            let n = want.min(wire.len()).min(read_buf.len() - end);
            read_buf[end..end + n].copy_from_slice(&wire[..n]);
            wire = &wire[n..];
            end += n;
        }
        match decoder.decode_in_place(&mut read_buf[start..end]) {
            Ok(Status::Done { consumed, value }) => {
                got += 1;
                total += match black_box(value) {
                    ItemRef::Message(MessageRef::Binary(b)) => b.len(),
                    ItemRef::Message(MessageRef::Text(t)) => t.len(),
                    other => panic!("unexpected {other:?}"),
                };
                start += consumed;
                want = 0;
            }
            Ok(Status::NeedMore { consumed, needed }) => {
                start += consumed;
                // Everything taken: a fresh read; else the frame's rest.
                want = if start == end { READ_SIZE } else { needed };
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(got, count);
    total
}

/// How far past READ_SIZE the steadyws transport reads to complete a frame.
const READ_AHEAD: usize = 1 << 20;

/// The owned path (`decode`: one `String`/`Vec` per message), for callers
/// that keep messages.
fn steadyws_decode_owned(wire: &[u8], count: usize, read_buf: &mut Vec<u8>) -> usize {
    let mut decoder = MessageDecoder::new(Role::Server, Limits::default());
    let mut got = 0;
    let mut total = 0;
    for chunk in wire.chunks(READ_SIZE) {
        read_buf.clear();
        read_buf.extend_from_slice(chunk);
        let mut rest = &read_buf[..];
        loop {
            match decoder.decode(rest) {
                Ok(Status::Done { consumed, value }) => {
                    rest = &rest[consumed..];
                    got += 1;
                    total += match black_box(value) {
                        Item::Message(Message::Binary(b)) => b.len(),
                        Item::Message(Message::Text(t)) => t.len(),
                        other => panic!("unexpected {other:?}"),
                    };
                }
                Ok(Status::NeedMore { .. }) => break,
                Err(e) => panic!("{e}"),
            }
        }
    }
    assert_eq!(got, count);
    total
}

/// Payloads from this size on go out as header + borrowed payload (a
/// vectored write) instead of being copied into the output buffer.
const VECTORED_FROM: usize = 4096;

fn steadyws_encode(payload: &[u8], count: usize, out: &mut Vec<u8>, sink: &mut Vec<u8>) {
    let encoder = Encoder::new(Role::Server);
    out.clear();
    sink.clear();
    if payload.len() >= VECTORED_FROM {
        for _ in 0..count {
            let body = encoder
                .encode_vectored(out, Outgoing::Binary(black_box(payload)), None)
                .unwrap();
            // write_vectored([header, body]) into the in-memory socket.
            sink.extend_from_slice(out);
            sink.extend_from_slice(body);
            out.clear();
        }
    } else {
        for _ in 0..count {
            encoder
                .encode(out, Outgoing::Binary(black_box(payload)), None)
                .unwrap();
        }
        sink.extend_from_slice(out);
    }
    black_box(sink.len());
}

// ---------------------------------------------------------------- tungstenite

/// An in-memory socket: reads from a slice, appends writes to a vector.
struct MemSocket<'a> {
    input: &'a [u8],
    output: &'a mut Vec<u8>,
}

impl Read for MemSocket<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.input.len());
        buf[..n].copy_from_slice(&self.input[..n]);
        self.input = &self.input[n..];
        Ok(n)
    }
}

impl Write for MemSocket<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.output.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn tungstenite_decode(wire: &[u8], count: usize, sink: &mut Vec<u8>) -> usize {
    use tungstenite::protocol::{Role as TRole, WebSocket};
    let socket = MemSocket {
        input: wire,
        output: sink,
    };
    let mut ws = WebSocket::from_raw_socket(socket, TRole::Server, None);
    let mut total = 0;
    for _ in 0..count {
        total += match black_box(ws.read().unwrap()) {
            tungstenite::Message::Binary(b) => b.len(),
            tungstenite::Message::Text(t) => t.len(),
            other => panic!("unexpected {other:?}"),
        };
    }
    total
}

fn tungstenite_encode(payload: &tungstenite::Bytes, count: usize, sink: &mut Vec<u8>) {
    use tungstenite::protocol::{Role as TRole, WebSocket};
    sink.clear();
    let socket = MemSocket {
        input: &[],
        output: sink,
    };
    let mut ws = WebSocket::from_raw_socket(socket, TRole::Server, None);
    for _ in 0..count {
        ws.write(tungstenite::Message::Binary(black_box(payload.clone())))
            .unwrap();
    }
    ws.flush().unwrap();
    black_box(ws.get_ref().output.len());
}

// ---------------------------------------------------------------- fastwebsockets

struct AsyncMemSocket<'a> {
    input: &'a [u8],
    output: &'a mut Vec<u8>,
}

impl tokio::io::AsyncRead for AsyncMemSocket<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = buf.remaining().min(self.input.len());
        buf.put_slice(&self.input[..n]);
        self.input = &self.input[n..];
        Poll::Ready(Ok(()))
    }
}

impl tokio::io::AsyncWrite for AsyncMemSocket<'_> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.output.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

fn fastwebsockets_decode(
    rt: &tokio::runtime::Runtime,
    wire: &[u8],
    count: usize,
    sink: &mut Vec<u8>,
) -> usize {
    use fastwebsockets::{FragmentCollector, Role as FRole, WebSocket};
    let socket = AsyncMemSocket {
        input: wire,
        output: sink,
    };
    let mut ws = FragmentCollector::new(WebSocket::after_handshake(socket, FRole::Server));
    rt.block_on(async {
        let mut total = 0;
        for _ in 0..count {
            let frame = ws.read_frame().await.unwrap();
            total += black_box(frame.payload.len());
        }
        total
    })
}

fn fastwebsockets_encode(
    rt: &tokio::runtime::Runtime,
    payload: &[u8],
    count: usize,
    sink: &mut Vec<u8>,
) {
    use fastwebsockets::{Frame, Payload, Role as FRole, WebSocket};
    sink.clear();
    let socket = AsyncMemSocket {
        input: &[],
        output: sink,
    };
    let mut ws = WebSocket::after_handshake(socket, FRole::Server);
    rt.block_on(async {
        for _ in 0..count {
            ws.write_frame(Frame::binary(Payload::Borrowed(black_box(payload))))
                .await
                .unwrap();
        }
        ws.flush().await.unwrap();
    });
}

// ---------------------------------------------------------------- harness

const ROUNDS: usize = 61;
const BATCH_MS: u64 = 2;

struct Harness {
    filter: Vec<String>,
    rounds: usize,
    batch: Duration,
    results: Vec<CaseResult>,
}

struct CaseResult {
    name: String,
    bytes: usize,
    /// (implementation, median ns per iteration)
    medians: Vec<(&'static str, f64)>,
    /// (peer, quartiles of per-round ratios)
    spread: Vec<(&'static str, [f64; 3])>,
}

type Run<'a> = (&'static str, Box<dyn FnMut() + 'a>);

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

impl Harness {
    fn from_env() -> Self {
        let env = |name: &str, default: u64| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        Harness {
            // `cargo bench` passes `--bench`; everything else filters.
            filter: std::env::args()
                .skip(1)
                .filter(|a| !a.starts_with('-'))
                .collect(),
            rounds: env("STEADYWS_BENCH_ROUNDS", ROUNDS as u64).max(3) as usize,
            batch: Duration::from_millis(env("STEADYWS_BENCH_BATCH_MS", BATCH_MS).max(1)),
            results: Vec::new(),
        }
    }

    fn wants(&self, name: &str) -> bool {
        self.filter.is_empty() || self.filter.iter().any(|f| name.contains(f.as_str()))
    }

    /// Times `runs` (steadyws first) interleaved; `bytes` of payload per
    /// iteration.
    fn case(&mut self, name: &str, bytes: usize, mut runs: Vec<Run<'_>>) {
        // Warm-up and calibration: iterations per batch for each.
        let mut reps = Vec::new();
        for (_, run) in runs.iter_mut() {
            run();
            let mut n = 1u64;
            loop {
                let t = Instant::now();
                for _ in 0..n {
                    run();
                }
                let took = t.elapsed();
                if took >= self.batch / 2 || n >= 1 << 24 {
                    let per = took.as_secs_f64() / n as f64;
                    reps.push(((self.batch.as_secs_f64() / per).ceil() as u64).max(1));
                    break;
                }
                n *= 4;
            }
        }
        let k = runs.len();
        let mut samples: Vec<Vec<f64>> = vec![Vec::new(); k];
        let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); k];
        for round in 0..self.rounds {
            let mut this_round = vec![0.0; k];
            for j in 0..k {
                let i = (round + j) % k;
                let t = Instant::now();
                for _ in 0..reps[i] {
                    (runs[i].1)();
                }
                let ns = t.elapsed().as_nanos() as f64 / reps[i] as f64;
                samples[i].push(ns);
                this_round[i] = ns;
            }
            for i in 1..k {
                ratios[i].push(this_round[i] / this_round[0]);
            }
        }
        let mut medians = Vec::new();
        let mut spread = Vec::new();
        for i in 0..k {
            samples[i].sort_by(f64::total_cmp);
            medians.push((runs[i].0, quantile(&samples[i], 0.5)));
            if i > 0 {
                ratios[i].sort_by(f64::total_cmp);
                let r = &ratios[i];
                spread.push((
                    runs[i].0,
                    [quantile(r, 0.25), quantile(r, 0.5), quantile(r, 0.75)],
                ));
            }
        }
        let line: Vec<String> = medians
            .iter()
            .map(|(who, ns)| {
                format!(
                    "{who} {} ({:.0} MB/s)",
                    fmt_ns(*ns),
                    bytes as f64 / *ns * 1e3
                )
            })
            .collect();
        println!("{name:<26} {}", line.join(" | "));
        self.results.push(CaseResult {
            name: name.to_owned(),
            bytes,
            medians,
            spread,
        });
    }
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} us", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

// ---------------------------------------------------------------- cases

fn bench_mask(h: &mut Harness) {
    for size in [16, 125, 1 << 10, 64 << 10, 1 << 20] {
        let mut storage = vec![0x5Au8; size + 64];
        let base = storage.as_ptr() as usize;
        let aligned = (16 - base % 16) % 16;
        for (label, start) in [("aligned", aligned), ("unaligned", aligned + 1)] {
            let name = format!("mask-{}-{label}", size_name(size));
            if !h.wants(&name) {
                continue;
            }
            // Two views of one buffer, used one at a time.
            let buf = std::cell::RefCell::new(&mut storage[start..start + size]);
            // Enough calls per iteration for the clock to resolve them.
            let calls = (64 << 10) / size + 1;
            h.case(
                &name,
                size * calls,
                vec![
                    (
                        "steadyws",
                        Box::new(|| {
                            let mut b = buf.borrow_mut();
                            for _ in 0..calls {
                                apply_mask(black_box(&mut **b), black_box(KEY));
                            }
                        }),
                    ),
                    (
                        "tungstenite",
                        Box::new(|| {
                            let mut b = buf.borrow_mut();
                            for _ in 0..calls {
                                fastwebsockets::unmask(black_box(&mut **b), black_box(KEY));
                            }
                        }),
                    ),
                ],
            );
        }
    }
}

fn bench_decode(h: &mut Harness, rt: &tokio::runtime::Runtime) {
    for kind in [Kind::Binary, Kind::Ascii, Kind::Multibyte] {
        for size in [16, 125, 1 << 10, 64 << 10] {
            let name = format!("decode-{}-{}", kind.name(), size_name(size));
            if !h.wants(&name) {
                continue;
            }
            let count = count_for(size);
            let data = payload(kind, size);
            let wire = client_stream(kind, &data, count);
            let want = size * count;
            let mut read_buf = Vec::with_capacity(READ_SIZE);
            let mut read_buf_owned = Vec::with_capacity(READ_SIZE);
            let mut sink_a = Vec::new();
            let mut sink_b = Vec::new();
            // The decoders agree before they are timed.
            assert_eq!(steadyws_decode(&wire, count, &mut read_buf), want);
            assert_eq!(
                steadyws_decode_owned(&wire, count, &mut read_buf_owned),
                want
            );
            assert_eq!(tungstenite_decode(&wire, count, &mut sink_a), want);
            assert_eq!(fastwebsockets_decode(rt, &wire, count, &mut sink_b), want);
            let wire = &wire;
            h.case(
                &name,
                want,
                vec![
                    (
                        "steadyws",
                        Box::new(move || {
                            black_box(steadyws_decode(wire, count, &mut read_buf));
                        }),
                    ),
                    (
                        "tungstenite",
                        Box::new(move || {
                            black_box(tungstenite_decode(wire, count, &mut sink_a));
                        }),
                    ),
                    (
                        "steadyws-owned",
                        Box::new(move || {
                            black_box(steadyws_decode_owned(wire, count, &mut read_buf_owned));
                        }),
                    ),
                    (
                        "fastwebsockets",
                        Box::new(move || {
                            black_box(fastwebsockets_decode(rt, wire, count, &mut sink_b));
                        }),
                    ),
                ],
            );
        }
    }
}

fn bench_encode(h: &mut Harness, rt: &tokio::runtime::Runtime) {
    for size in [16, 125, 1 << 10, 64 << 10] {
        let name = format!("encode-{}", size_name(size));
        if !h.wants(&name) {
            continue;
        }
        let count = count_for(size);
        let data = payload(Kind::Binary, size);
        let shared = tungstenite::Bytes::from(data.clone());
        let mut out = Vec::new();
        let mut sink = Vec::new();
        // Same bytes on the wire from all three.
        steadyws_encode(&data, count, &mut out, &mut sink);
        let ours = sink.clone();
        tungstenite_encode(&shared, count, &mut sink);
        assert_eq!(sink, ours);
        fastwebsockets_encode(rt, &data, count, &mut sink);
        assert_eq!(sink, ours);
        let mut sink_a = sink.clone();
        let mut sink_b = sink;
        let data = &data;
        let shared = &shared;
        h.case(
            &name,
            size * count,
            vec![
                (
                    "steadyws",
                    Box::new(move || steadyws_encode(data, count, &mut out, &mut sink_a)),
                ),
                (
                    "tungstenite",
                    Box::new(move || tungstenite_encode(shared, count, &mut sink_b)),
                ),
                (
                    "fastwebsockets",
                    Box::new(move || {
                        let mut sink = Vec::with_capacity(ours.len());
                        fastwebsockets_encode(rt, data, count, &mut sink);
                        black_box(sink);
                    }),
                ),
            ],
        );
    }
}

// ---------------------------------------------------------------- deflate

/// JSON-like records (what a WebSocket app sends), `size` bytes each.
fn json_messages(size: usize, count: usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|m| {
            let mut s = String::with_capacity(size + 128);
            let mut i = m * 1000;
            while s.len() < size {
                s.push_str(&format!(
                    "{{\"id\":{i},\"user\":\"user_{}\",\"event\":\"{}\",\"price\":{}.{},\"ok\":{}}},",
                    i % 97,
                    ["update", "insert", "delete"][i % 3],
                    i * 7 % 1000,
                    i % 10,
                    i % 2 == 0
                ));
                i += 1;
            }
            s.truncate(size);
            s.into_bytes()
        })
        .collect()
}

const DEFLATE_LEVEL: u32 = 1;
const TAIL: [u8; 4] = [0, 0, 0xFF, 0xFF];

/// The whole permessage-deflate path: server-role `encode_compressed` of
/// every message into one buffer, then a client-role decoder inflating them
/// back (`decode_in_place`), both keeping their context across messages.
struct SteadyDeflate {
    encoder: Encoder,
    deflater: steadyws::codec::deflate::Deflater,
    decoder: MessageDecoder,
    wire: Vec<u8>,
}

impl SteadyDeflate {
    fn new() -> Self {
        let params = DeflateParams {
            level: DEFLATE_LEVEL,
            ..DeflateParams::default()
        };
        SteadyDeflate {
            encoder: Encoder::new(Role::Server),
            deflater: params.deflater(Role::Server),
            decoder: MessageDecoder::new(Role::Client, Limits::default()).with_deflate(&params),
            wire: Vec::new(),
        }
    }

    fn run(&mut self, messages: &[Vec<u8>]) -> usize {
        self.wire.clear();
        for m in messages {
            self.encoder
                .encode_compressed(
                    &mut self.wire,
                    &mut self.deflater,
                    Outgoing::Binary(m),
                    None,
                )
                .unwrap();
        }
        let mut total = 0;
        let mut rest = &mut self.wire[..];
        while !rest.is_empty() {
            match self.decoder.decode_in_place(rest) {
                Ok(Status::Done { consumed, value }) => {
                    total += match black_box(value) {
                        ItemRef::Message(m) => m.len(),
                        other => panic!("unexpected {other:?}"),
                    };
                    rest = &mut rest[consumed..];
                }
                other => panic!("{other:?}"),
            }
        }
        total
    }
}

/// The floor: flate2 (zlib-rs) compressing each message with a sync flush
/// and inflating it back, no framing, no masking, nothing else.
struct Flate2Floor {
    c: flate2::Compress,
    d: flate2::Decompress,
    out: Vec<u8>,
    back: Vec<u8>,
}

impl Flate2Floor {
    fn new() -> Self {
        Flate2Floor {
            c: flate2::Compress::new(flate2::Compression::new(DEFLATE_LEVEL), false),
            d: flate2::Decompress::new(false),
            out: Vec::new(),
            back: Vec::new(),
        }
    }

    fn run(&mut self, messages: &[Vec<u8>]) -> usize {
        let mut total = 0;
        for m in messages {
            self.out.clear();
            self.out.reserve(m.len() + 64);
            let before = self.c.total_in();
            self.c
                .compress_vec(m, &mut self.out, flate2::FlushCompress::Sync)
                .unwrap();
            assert_eq!((self.c.total_in() - before) as usize, m.len());
            self.back.clear();
            self.back.reserve(m.len() + 64);
            self.d
                .decompress_vec(&self.out, &mut self.back, flate2::FlushDecompress::Sync)
                .unwrap();
            total += black_box(self.back.len());
        }
        total
    }
}

/// The same floor on miniz_oxide (flate2's other backend), to choose one.
struct MinizFloor {
    c: Box<miniz_oxide::deflate::core::CompressorOxide>,
    d: Box<miniz_oxide::inflate::stream::InflateState>,
    out: Vec<u8>,
    back: Vec<u8>,
}

impl MinizFloor {
    fn new() -> Self {
        use miniz_oxide::deflate::core::{create_comp_flags_from_zip_params, CompressorOxide};
        let flags = create_comp_flags_from_zip_params(DEFLATE_LEVEL as i32, -15, 0);
        MinizFloor {
            c: Box::new(CompressorOxide::new(flags)),
            d: miniz_oxide::inflate::stream::InflateState::new_boxed(miniz_oxide::DataFormat::Raw),
            out: Vec::new(),
            back: Vec::new(),
        }
    }

    fn run(&mut self, messages: &[Vec<u8>]) -> usize {
        use miniz_oxide::MZFlush;
        let mut total = 0;
        for m in messages {
            self.out.resize(m.len() + 64, 0);
            let r =
                miniz_oxide::deflate::stream::deflate(&mut self.c, m, &mut self.out, MZFlush::Sync);
            assert_eq!(r.bytes_consumed, m.len());
            let compressed = &self.out[..r.bytes_written];
            assert!(compressed.ends_with(&TAIL));
            self.back.resize(m.len() + 64, 0);
            let r = miniz_oxide::inflate::stream::inflate(
                &mut self.d,
                compressed,
                &mut self.back,
                MZFlush::Sync,
            );
            total += black_box(r.bytes_written);
        }
        total
    }
}

fn bench_deflate(h: &mut Harness) {
    for size in [125, 1 << 10, 16 << 10] {
        let count = ((64 << 10) / size).max(4);
        let messages = json_messages(size, count);
        let want = size * count;
        let name = format!("deflate-{}", size_name(size));
        if h.wants(&name) {
            let mut ours = SteadyDeflate::new();
            let mut floor = Flate2Floor::new();
            let mut miniz = MinizFloor::new();
            assert_eq!(ours.run(&messages), want);
            assert_eq!(floor.run(&messages), want);
            assert_eq!(miniz.run(&messages), want);
            let m = &messages;
            h.case(
                &name,
                want,
                vec![
                    (
                        "steadyws",
                        Box::new(move || {
                            black_box(ours.run(m));
                        }),
                    ),
                    (
                        "flate2-zlib-rs-floor",
                        Box::new(move || {
                            black_box(floor.run(m));
                        }),
                    ),
                    (
                        "miniz_oxide-floor",
                        Box::new(move || {
                            black_box(miniz.run(m));
                        }),
                    ),
                ],
            );
        }
        // The backend choice: the same floor on both backends.
        let name = format!("deflate-backend-{}", size_name(size));
        if h.wants(&name) {
            let mut zlib_rs = Flate2Floor::new();
            let mut miniz = MinizFloor::new();
            let m = &messages;
            h.case(
                &name,
                want,
                vec![
                    (
                        "zlib-rs",
                        Box::new(move || {
                            black_box(zlib_rs.run(m));
                        }),
                    ),
                    (
                        "miniz_oxide",
                        Box::new(move || {
                            black_box(miniz.run(m));
                        }),
                    ),
                ],
            );
        }
    }
}

fn main() {
    let mut h = Harness::from_env();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    println!(
        "# interleaved: {} rounds, batches of ~{} ms; median time per iteration",
        h.rounds,
        h.batch.as_millis()
    );
    println!("# mask-*: the tungstenite column runs fastwebsockets::unmask, which is tungstenite's apply_mask algorithm (tungstenite's own is private)");
    bench_mask(&mut h);
    bench_decode(&mut h, &rt);
    bench_encode(&mut h, &rt);
    bench_deflate(&mut h);

    println!();
    println!("# throughput ratios (> 1: steadyws is faster): median of paired per-round ratios");
    for case in &h.results {
        let ours = case.medians[0].1;
        for (peer, ns) in &case.medians[1..] {
            let q = case
                .spread
                .iter()
                .find(|(p, _)| p == peer)
                .map(|(_, q)| *q)
                .unwrap_or([f64::NAN; 3]);
            println!(
                "codec {} {}/{} = {:.2}   (quartiles {:.2}-{:.2}, ratio of medians {:.2}, {} B/iter)",
                case.name,
                case.medians[0].0,
                peer,
                q[1],
                q[0],
                q[2],
                ns / ours,
                case.bytes
            );
        }
    }
}
