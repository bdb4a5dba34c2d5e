//! Codec benchmarks: steadyws next to tungstenite and fastwebsockets, same
//! inputs, same run (`npm run bench:codec`).
//!
//! Each case is measured by criterion (short runs: the machine is shared),
//! then this program reads criterion's medians back and prints one line per
//! case and peer: `codec <case> steadyws/<peer> = <ratio>`, the ratio of
//! throughputs (median time of the peer / median time of steadyws; > 1 means
//! steadyws is faster).
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
//!   complete messages, each message's length read. steadyws: the stream is
//!   copied 64 KiB at a time into a read buffer (what the transport's socket
//!   read does) and fed to a `MessageDecoder`, which yields owned
//!   `Message::Text(String)` / `Message::Binary(Vec<u8>)`. tungstenite:
//!   `WebSocket::from_raw_socket` (server role, default config) over an
//!   in-memory `Read` stream, `read()` per message (it copies into its own
//!   buffer, unmasks in place, validates text with `std::str::from_utf8`,
//!   returns `Bytes`). fastwebsockets: `FragmentCollector` over
//!   `WebSocket::after_handshake` (server role) over an in-memory tokio
//!   `AsyncRead`, `read_frame().await` per message on a current-thread
//!   runtime (it copies into its own buffer, unmasks in place, validates
//!   text with simdutf8, returns frames borrowing its buffer).
//! * `encode-<size>`: binary messages encoded in the server role (unmasked)
//!   and handed to an in-memory sink that appends to a `Vec` (the socket
//!   write). steadyws: `Encoder::encode` into an output buffer, then one
//!   copy of that buffer into the sink. tungstenite: `WebSocket::write` of
//!   a `Message::Binary(Bytes)` (a cheap clone of shared bytes) per message,
//!   `flush()` at the end. fastwebsockets: `write_frame` of a borrowed
//!   payload per message.

use std::hint::black_box;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use criterion::{Criterion, Throughput};
use steadyws::codec::{
    apply_mask, Encoder, Item, Limits, MessageDecoder, OpCode, Outgoing, Role, Status,
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

fn steadyws_encode(payload: &[u8], count: usize, out: &mut Vec<u8>, sink: &mut Vec<u8>) {
    let encoder = Encoder::new(Role::Server);
    out.clear();
    sink.clear();
    for _ in 0..count {
        encoder
            .encode(out, Outgoing::Binary(black_box(payload)), None)
            .unwrap();
    }
    sink.extend_from_slice(out);
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

// ---------------------------------------------------------------- cases

struct Case {
    name: String,
    peers: &'static [&'static str],
}

fn bench_mask(c: &mut Criterion, cases: &mut Vec<Case>) {
    for size in [16, 125, 1 << 10, 64 << 10, 1 << 20] {
        let mut storage = vec![0x5Au8; size + 64];
        let base = storage.as_ptr() as usize;
        let aligned = (16 - base % 16) % 16;
        for (label, start) in [("aligned", aligned), ("unaligned", aligned + 1)] {
            let name = format!("mask-{}-{label}", size_name(size));
            let mut group = c.benchmark_group(&name);
            group.throughput(Throughput::Bytes(size as u64));
            let buf = &mut storage[start..start + size];
            group.bench_function("steadyws", |b| {
                b.iter(|| apply_mask(black_box(&mut *buf), black_box(KEY)))
            });
            group.bench_function("tungstenite", |b| {
                b.iter(|| fastwebsockets::unmask(black_box(&mut *buf), black_box(KEY)))
            });
            group.finish();
            cases.push(Case {
                name,
                peers: &["tungstenite"],
            });
        }
    }
}

fn bench_decode(c: &mut Criterion, rt: &tokio::runtime::Runtime, cases: &mut Vec<Case>) {
    for kind in [Kind::Binary, Kind::Ascii, Kind::Multibyte] {
        for size in [16, 125, 1 << 10, 64 << 10] {
            let count = count_for(size);
            let data = payload(kind, size);
            let wire = client_stream(kind, &data, count);
            let want = size * count;
            let mut read_buf = Vec::with_capacity(READ_SIZE);
            let mut sink = Vec::new();
            // The three decoders agree before they are timed.
            assert_eq!(steadyws_decode(&wire, count, &mut read_buf), want);
            assert_eq!(tungstenite_decode(&wire, count, &mut sink), want);
            assert_eq!(fastwebsockets_decode(rt, &wire, count, &mut sink), want);

            let name = format!("decode-{}-{}", kind.name(), size_name(size));
            let mut group = c.benchmark_group(&name);
            group.throughput(Throughput::Bytes(want as u64));
            group.bench_function("steadyws", |b| {
                b.iter(|| steadyws_decode(&wire, count, &mut read_buf))
            });
            group.bench_function("tungstenite", |b| {
                b.iter(|| tungstenite_decode(&wire, count, &mut sink))
            });
            group.bench_function("fastwebsockets", |b| {
                b.iter(|| fastwebsockets_decode(rt, &wire, count, &mut sink))
            });
            group.finish();
            cases.push(Case {
                name,
                peers: &["tungstenite", "fastwebsockets"],
            });
        }
    }
}

fn bench_encode(c: &mut Criterion, rt: &tokio::runtime::Runtime, cases: &mut Vec<Case>) {
    for size in [16, 125, 1 << 10, 64 << 10] {
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

        let name = format!("encode-{}", size_name(size));
        let mut group = c.benchmark_group(&name);
        group.throughput(Throughput::Bytes((size * count) as u64));
        group.bench_function("steadyws", |b| {
            b.iter(|| steadyws_encode(&data, count, &mut out, &mut sink))
        });
        group.bench_function("tungstenite", |b| {
            b.iter(|| tungstenite_encode(&shared, count, &mut sink))
        });
        group.bench_function("fastwebsockets", |b| {
            b.iter(|| fastwebsockets_encode(rt, &data, count, &mut sink))
        });
        group.finish();
        cases.push(Case {
            name,
            peers: &["tungstenite", "fastwebsockets"],
        });
    }
}

/// Criterion's median time (ns per iteration) of one benchmark.
fn median_ns(dir: &Path, group: &str, function: &str) -> Option<f64> {
    let path = dir
        .join(group)
        .join(function)
        .join("new")
        .join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/criterion-codec");
    let mut c = Criterion::default()
        .output_directory(&dir)
        .sample_size(15)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(1200))
        .configure_from_args();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut cases = Vec::new();
    bench_mask(&mut c, &mut cases);
    bench_decode(&mut c, &rt, &mut cases);
    bench_encode(&mut c, &rt, &mut cases);
    c.final_summary();

    println!();
    println!("# throughput ratios from criterion medians (> 1: steadyws is faster)");
    for case in &cases {
        let Some(ours) = median_ns(&dir, &case.name, "steadyws") else {
            continue; // filtered out on the command line
        };
        for peer in case.peers {
            if let Some(theirs) = median_ns(&dir, &case.name, peer) {
                println!(
                    "codec {} steadyws/{} = {:.2}",
                    case.name,
                    peer,
                    theirs / ours
                );
            }
        }
    }
}
