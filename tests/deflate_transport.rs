#![cfg(all(not(target_arch = "wasm32"), feature = "deflate"))]
//! permessage-deflate over TCP: the native client offers it and the dev
//! server accepts it (both on by default, `--no-deflate` / `None` turns each
//! off), compressed messages echo intact, a malformed offer is declined,
//! and the server fails a connection with 1009 on a decompression bomb and
//! with 1002 on RSV1 it did not negotiate.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use steadyws::codec::deflate::{DeflateConfig, DeflateParams};
use steadyws::codec::handshake::{self, Parsed, Response};
use steadyws::codec::{
    encode_frame, CloseCode, Item, Limits, MessageDecoder, OpCode, Role, Status,
};
use steadyws::message::Message;
use steadyws::native::client::{Client, ClientConfig, ClientEvent};
use steadyws::native::server::{Server, ServerConfig, ServerHandle};

const WAIT: Duration = Duration::from_secs(5);

fn start(config: ServerConfig) -> ServerHandle {
    Server::bind("127.0.0.1:0", config)
        .unwrap()
        .spawn()
        .unwrap()
}

fn next_message(client: &mut Client) -> Message {
    // Pings and pongs are skipped; each call returns or errs: bounded.
    for _ in 0..100 {
        match client.recv(Some(std::time::Instant::now() + WAIT)).unwrap() {
            Some(ClientEvent::Message(m)) => return m,
            Some(ClientEvent::Ping(_) | ClientEvent::Pong(_)) => {}
            other => panic!("expected a message, got {other:?}"),
        }
    }
    panic!("no message");
}

#[test]
fn the_client_and_the_dev_server_negotiate_deflate_and_echo_compressed_messages() {
    let server = start(ServerConfig::default());
    let mut client = Client::connect(&server.ws_url("/echo"), &ClientConfig::default()).unwrap();
    assert_eq!(client.deflate(), Some(&DeflateParams::default()));
    let big_text = "compressible text, ".repeat(10_000);
    let binary: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let messages = [
        Message::Text("hello".into()),
        Message::Text(String::new()),
        Message::Text(big_text),
        Message::Binary(binary),
        Message::Text("hello".into()),
    ];
    for m in &messages {
        client.send(m).unwrap();
        assert_eq!(&next_message(&mut client), m);
    }
}

#[test]
fn no_deflate_on_either_side_means_an_uncompressed_connection() {
    let server = start(ServerConfig::default());
    let config = ClientConfig::default().deflate(None);
    let mut client = Client::connect(&server.ws_url("/echo"), &config).unwrap();
    assert_eq!(client.deflate(), None);
    client.send_text("plain").unwrap();
    assert_eq!(next_message(&mut client), Message::Text("plain".into()));

    let plain_server = start(ServerConfig {
        deflate: None,
        ..ServerConfig::default()
    });
    let mut client =
        Client::connect(&plain_server.ws_url("/echo"), &ClientConfig::default()).unwrap();
    assert_eq!(client.deflate(), None);
    client.send_text("plain").unwrap();
    assert_eq!(next_message(&mut client), Message::Text("plain".into()));
}

#[test]
fn the_server_honours_what_the_client_asks_of_its_compressor() {
    let server = start(ServerConfig::default());
    let (mut s, response, _) = raw_handshake(
        server.local_addr(),
        Some("permessage-deflate; server_no_context_takeover; server_max_window_bits=10"),
    );
    assert_eq!(
        extensions(&response),
        ["permessage-deflate; server_no_context_takeover; server_max_window_bits=10"]
    );
    let params = DeflateParams {
        server_no_context_takeover: true,
        server_max_window_bits: 10,
        ..DeflateParams::default()
    };
    // Two compressed messages from us; each echo must inflate on its own
    // (no context takeover) and come back compressed (RSV1).
    let mut deflater = params.deflater(Role::Client);
    for text in ["first message first message", "first message first message"] {
        // A fresh decoder (no shared window) must inflate each echo: the
        // server reset its compressor after the first.
        let mut inflater_decoder =
            MessageDecoder::new(Role::Client, Limits::default()).with_deflate(&params);
        let payload = deflater.compress(text.as_bytes()).unwrap().to_vec();
        let mut frame = Vec::new();
        encode_frame(&mut frame, true, OpCode::Text, &payload, Some([9, 8, 7, 6])).unwrap();
        frame[0] |= 0x40;
        s.write_all(&frame).unwrap();
        let (b0, item) = read_item(&mut s, &mut inflater_decoder);
        assert_eq!(b0 & 0x40, 0x40, "echo compressed");
        assert_eq!(item, Item::Message(Message::Text(text.into())));
    }
}

#[test]
fn a_malformed_offer_is_declined_and_the_connection_stays_plain() {
    let server = start(ServerConfig::default());
    let (_, response, _) = raw_handshake(
        server.local_addr(),
        Some("permessage-deflate; server_max_window_bits=7, permessage-deflate; bogus"),
    );
    assert!(extensions(&response).is_empty());
    // The client refuses an answer its offer does not allow.
    let offer = DeflateConfig::default();
    assert!(offer
        .accept_response(["permessage-deflate; client_max_window_bits"])
        .is_err());
}

#[test]
fn a_decompression_bomb_to_the_dev_server_is_answered_with_1009() {
    let limit = 1 << 20;
    let server = start(ServerConfig {
        limits: Limits::default().max_message_size(limit),
        ..ServerConfig::default()
    });
    let (mut s, response, _) = raw_handshake(server.local_addr(), Some("permessage-deflate"));
    assert_eq!(extensions(&response), ["permessage-deflate"]);
    // 412 KiB of deflate data that inflates to 64 MiB.
    let params = DeflateParams::default();
    let payload = bomb((64 << 20) / 258);
    assert!(payload.len() < 420 << 10, "{}", payload.len());
    let mut frame = Vec::new();
    encode_frame(
        &mut frame,
        true,
        OpCode::Binary,
        &payload,
        Some([1, 2, 3, 4]),
    )
    .unwrap();
    frame[0] |= 0x40;
    // The server may close before reading it all.
    let _ = s.write_all(&frame);
    let mut decoder = MessageDecoder::new(Role::Client, Limits::default()).with_deflate(&params);
    let (_, item) = read_item(&mut s, &mut decoder);
    match item {
        Item::Close(Some(close)) => assert_eq!(close.code, CloseCode::MESSAGE_TOO_BIG),
        other => panic!("expected close 1009, got {other:?}"),
    }
}

#[test]
fn rsv1_without_negotiation_is_answered_with_1002() {
    let server = start(ServerConfig::default());
    let (mut s, response, _) = raw_handshake(server.local_addr(), None);
    assert!(extensions(&response).is_empty());
    let params = DeflateParams::default();
    let payload = params
        .deflater(Role::Client)
        .compress(b"Hello")
        .unwrap()
        .to_vec();
    let mut frame = Vec::new();
    encode_frame(&mut frame, true, OpCode::Text, &payload, Some([1, 2, 3, 4])).unwrap();
    frame[0] |= 0x40;
    s.write_all(&frame).unwrap();
    let mut decoder = MessageDecoder::new(Role::Client, Limits::default());
    match read_item(&mut s, &mut decoder).1 {
        Item::Close(Some(close)) => assert_eq!(close.code, CloseCode::PROTOCOL_ERROR),
        other => panic!("expected close 1002, got {other:?}"),
    }
}

#[test]
fn no_deflate_flags_turn_compression_off_in_the_cli() {
    use steadyws::native::cli::parse_connect;
    use steadyws::native::cli::parse_serve;
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(parse_connect(&args(&["ws://h/"])).unwrap().deflate);
    assert!(
        !parse_connect(&args(&["ws://h/", "--no-deflate", "--json"]))
            .unwrap()
            .deflate
    );
    assert!(parse_serve(&args(&["--port", "0"])).unwrap().deflate);
    let serve = parse_serve(&args(&["--no-deflate", "--port", "9"])).unwrap();
    assert!(!serve.deflate);
    assert_eq!(serve.port, 9);
}

/// A raw deflate stream (one fixed-Huffman block, no end) of the byte `a`
/// followed by `matches` back-references of length 258 at distance 1: it
/// inflates to `1 + 258 * matches` bytes from 13 bits per match.
fn bomb(matches: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(matches * 13 / 8 + 8);
    let (mut acc, mut n) = (0u64, 0u32);
    let mut put = |value: u64, bits: u32, out: &mut Vec<u8>| {
        acc |= value << n;
        n += bits;
        while n >= 8 {
            out.push(acc as u8);
            acc >>= 8;
            n -= 8;
        }
    };
    // Huffman codes go most significant bit first.
    let rev = |code: u64, bits: u32| code.reverse_bits() >> (64 - bits);
    put(0b010, 3, &mut out); // BFINAL = 0, BTYPE = 01 (fixed Huffman)
    put(rev(0x30 + u64::from(b'a'), 8), 8, &mut out); // literal 'a'
    for _ in 0..matches {
        put(rev(0b1100_0101, 8), 8, &mut out); // length 258
        put(0, 5, &mut out); // distance 1
    }
    put(0, 14, &mut out); // end of block, then padding
    out
}

fn extensions(response: &Response) -> Vec<String> {
    response
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("sec-websocket-extensions"))
        .map(|(_, v)| String::from_utf8(v.clone()).unwrap())
        .collect()
}

/// A handshake offering `offer`; returns the stream, the 101 and any bytes
/// after it.
fn raw_handshake(addr: SocketAddr, offer: Option<&str>) -> (TcpStream, Response, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    let mut req = handshake::ClientRequest::new("t", "/echo", &[], None).unwrap();
    if let Some(offer) = offer {
        req = req.with_extensions(offer).unwrap();
    }
    s.write_all(&req.to_bytes()).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "closed during the handshake");
        buf.extend_from_slice(&chunk[..n]);
        if let Parsed::Complete { value, consumed } = handshake::parse_response(&buf).unwrap() {
            assert_eq!(value.status, 101);
            return (s, value, buf.split_off(consumed));
        }
    }
}

/// The first byte of the next frame and the next item from the server.
fn read_item(s: &mut TcpStream, decoder: &mut MessageDecoder) -> (u8, Item) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut first = None;
    loop {
        let n = s.read(&mut chunk).expect("an item before the timeout");
        assert!(n > 0, "closed without an item");
        first = first.or(Some(chunk[0]));
        buf.extend_from_slice(&chunk[..n]);
        match decoder.decode(&buf).unwrap() {
            Status::Done { value, .. } => return (first.unwrap_or(0), value),
            Status::NeedMore { consumed, .. } => {
                buf.drain(..consumed);
            }
        }
    }
}
