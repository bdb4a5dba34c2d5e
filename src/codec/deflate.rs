//! permessage-deflate (RFC 7692): negotiation in both roles, and the
//! compressor and decompressor of one connection. Native only, behind the
//! `deflate` cargo feature (flate2 must not reach the wasm artifact; the
//! browser compresses by itself).
//!
//! # Negotiation
//!
//! * A client offers [`DeflateConfig::offer`] (`permessage-deflate;
//!   client_max_window_bits`, plus what its config asks for) and checks the
//!   server's answer with [`DeflateConfig::accept_response`]: an answer with
//!   an unknown, repeated or invalid parameter, or with
//!   `client_max_window_bits` without a value, fails the handshake (§7.1).
//! * A server runs [`DeflateConfig::negotiate`] over the client's offers
//!   and takes the first one it can honour; an offer it cannot (unknown,
//!   repeated or invalid parameters) is declined, never half-accepted.
//!
//! Every parameter combination is honoured: the decompressor always keeps a
//! 32 KiB window (it reads anything a peer with a smaller window sends), the
//! compressor uses the window the peer allows. zlib cannot make raw deflate
//! with a 256-byte window, so a peer that allows only 8 bits gets stored
//! (uncompressed) deflate blocks: valid deflate with no back-references at
//! all, which any window decodes.
//!
//! # Messages
//!
//! [`Deflater`] compresses one message with a sync flush and drops the
//! trailing `00 00 FF FF` (§7.2.1); [`Inflater`] appends it back and
//! inflates piece by piece into a fixed scratch buffer, handing each piece to
//! a sink that enforces the message size limit and validates text, so a
//! small frame that inflates to gigabytes is refused at the limit without
//! ever being held in memory (§8.1 of RFC 7692 asks for exactly this).

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::frame::Role;
use super::mask::extend_masked;
use super::Error;

/// The extension's registered name.
pub const EXTENSION: &str = "permessage-deflate";

/// The bytes a sync flush ends with, removed by the sender (§7.2.1) and
/// appended by the receiver (§7.2.2).
const TAIL: [u8; 4] = [0x00, 0x00, 0xFF, 0xFF];

/// Inflated bytes handed to the sink at a time: bounds what the
/// decompressor produces beyond the message limit before it is refused.
const INFLATE_CHUNK: usize = 32 << 10;
/// Compressed bytes unmasked at a time before inflating them.
const UNMASK_CHUNK: usize = 16 << 10;

/// What this endpoint offers (client) or accepts (server).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflateConfig {
    /// zlib compression level, 0-9 (default 1: messages are small and
    /// latency matters more than the last percent of ratio).
    pub level: u32,
    /// Reset our compressor after every message (less memory, worse
    /// ratio). A client offers `client_no_context_takeover`, a server
    /// answers `server_no_context_takeover`.
    pub no_context_takeover: bool,
    /// Largest window our compressor uses, 8-15 (default 15 = 32 KiB).
    pub max_window_bits: u8,
}

impl Default for DeflateConfig {
    fn default() -> Self {
        DeflateConfig {
            level: 1,
            no_context_takeover: false,
            max_window_bits: 15,
        }
    }
}

/// The negotiated parameters of a connection (RFC 7692 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflateParams {
    /// The server resets its compressor after every message.
    pub server_no_context_takeover: bool,
    /// The client resets its compressor after every message.
    pub client_no_context_takeover: bool,
    /// Largest window of the server's compressor (8-15).
    pub server_max_window_bits: u8,
    /// Largest window of the client's compressor (8-15).
    pub client_max_window_bits: u8,
    /// Our compression level (not negotiated).
    pub level: u32,
}

impl Default for DeflateParams {
    fn default() -> Self {
        DeflateParams {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: 15,
            client_max_window_bits: 15,
            level: 1,
        }
    }
}

/// Why an answer to our offer was refused (client side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidResponse(pub String);

impl core::fmt::Display for InvalidResponse {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "invalid permessage-deflate response: {}", self.0)
    }
}

impl core::error::Error for InvalidResponse {}

/// One extension of a `Sec-WebSocket-Extensions` list: its name and its
/// parameters, quotes removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// Extension name (e.g. `permessage-deflate`).
    pub name: String,
    /// Parameters in order: name and value (`None` for a bare name).
    pub params: Vec<(String, Option<String>)>,
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
}

/// Parses one extension (`name; p; q=v; r="v"`), `None` if it is not
/// valid header syntax.
pub fn parse_extension(text: &str) -> Option<Extension> {
    let mut parts = text.split(';').map(str::trim);
    let name = parts.next().filter(|n| is_token(n))?.to_owned();
    let mut params = Vec::new();
    for part in parts {
        let (key, value) = match part.split_once('=') {
            None => (part, None),
            Some((k, v)) => {
                let v = v.trim();
                let v = match v.strip_prefix('"') {
                    Some(rest) => rest.strip_suffix('"')?,
                    None => v,
                };
                // RFC 7692 §7.1: a quoted value must be a token once unquoted.
                if !is_token(v) {
                    return None;
                }
                (k.trim(), Some(v.to_owned()))
            }
        };
        if !is_token(key) {
            return None;
        }
        params.push((key.to_ascii_lowercase(), value));
    }
    Some(Extension { name, params })
}

/// Splits `Sec-WebSocket-Extensions` values into extensions, at the commas
/// outside quoted strings.
pub fn parse_extensions<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<Option<Extension>> {
    let mut out = Vec::new();
    for value in values {
        let mut quoted = false;
        let mut start = 0;
        for (i, c) in value.char_indices() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => {
                    push_extension(&mut out, &value[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        push_extension(&mut out, &value[start..]);
    }
    out
}

fn push_extension(out: &mut Vec<Option<Extension>>, text: &str) {
    if !text.trim().is_empty() {
        out.push(parse_extension(text));
    }
}

/// A window-bits value: 8 to 15, digits only, no leading zero (§7.1.2).
fn window_bits(value: &str) -> Option<u8> {
    if value.len() > 2 || value.starts_with('0') || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok().filter(|b| (8..=15).contains(b))
}

impl DeflateConfig {
    fn level(&self) -> u32 {
        self.level.min(9)
    }

    fn window(&self) -> u8 {
        self.max_window_bits.clamp(8, 15)
    }

    /// The client's `Sec-WebSocket-Extensions` value. It always carries
    /// `client_max_window_bits` (we can honour any window the server asks
    /// for), as browsers do.
    pub fn offer(&self) -> String {
        let mut out = String::from(EXTENSION);
        if self.no_context_takeover {
            out.push_str("; client_no_context_takeover");
        }
        if self.window() < 15 {
            out.push_str(&format!("; client_max_window_bits={}", self.window()));
        } else {
            out.push_str("; client_max_window_bits");
        }
        out
    }

    /// Client side: checks the server's answer to [`offer`](Self::offer)
    /// (the extensions it enabled). `Ok(None)`: the server declined.
    pub fn accept_response<'a>(
        &self,
        extensions: impl IntoIterator<Item = &'a str>,
    ) -> Result<Option<DeflateParams>, InvalidResponse> {
        let bad = |why: &str| InvalidResponse(why.to_owned());
        let mut list = parse_extensions(extensions).into_iter();
        let Some(first) = list.next() else {
            return Ok(None);
        };
        if list.next().is_some() {
            return Err(bad("more than one extension enabled"));
        }
        let ext = first.ok_or_else(|| bad("malformed header"))?;
        if !ext.name.eq_ignore_ascii_case(EXTENSION) {
            return Err(bad("an extension that was not offered"));
        }
        let mut p = DeflateParams {
            level: self.level(),
            ..DeflateParams::default()
        };
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in &ext.params {
            if seen.contains(&key.as_str()) {
                return Err(bad("a repeated parameter"));
            }
            seen.push(key);
            match (key.as_str(), value.as_deref()) {
                ("server_no_context_takeover", None) => p.server_no_context_takeover = true,
                ("client_no_context_takeover", None) => p.client_no_context_takeover = true,
                ("server_max_window_bits", Some(v)) => {
                    p.server_max_window_bits = window_bits(v).ok_or_else(|| bad("bad value"))?
                }
                // We offered it (always), so the server may limit us.
                ("client_max_window_bits", Some(v)) => {
                    p.client_max_window_bits = window_bits(v).ok_or_else(|| bad("bad value"))?
                }
                _ => return Err(bad("an unknown parameter or a missing or extra value")),
            }
        }
        // Our own preferences only make our side stricter.
        p.client_no_context_takeover |= self.no_context_takeover;
        p.client_max_window_bits = p.client_max_window_bits.min(self.window());
        Ok(Some(p))
    }

    /// Server side: the first of the client's offers (each one extension of
    /// its `Sec-WebSocket-Extensions`) that we can accept, as the
    /// parameters and the header value to answer with. Offers of other
    /// extensions are skipped; offers of permessage-deflate with unknown,
    /// repeated or invalid parameters are declined (§7.1).
    pub fn negotiate<'a>(
        &self,
        offers: impl IntoIterator<Item = &'a str>,
    ) -> Option<(DeflateParams, String)> {
        parse_extensions(offers)
            .into_iter()
            .flatten()
            .filter(|e| e.name.eq_ignore_ascii_case(EXTENSION))
            .find_map(|e| self.accept_offer(&e))
    }

    fn accept_offer(&self, offer: &Extension) -> Option<(DeflateParams, String)> {
        let mut p = DeflateParams {
            level: self.level(),
            ..DeflateParams::default()
        };
        let mut seen: Vec<&str> = Vec::new();
        let mut server_bits_asked = false;
        for (key, value) in &offer.params {
            if seen.contains(&key.as_str()) {
                return None;
            }
            seen.push(key);
            match (key.as_str(), value.as_deref()) {
                ("server_no_context_takeover", None) => p.server_no_context_takeover = true,
                ("client_no_context_takeover", None) => p.client_no_context_takeover = true,
                ("server_max_window_bits", Some(v)) => {
                    p.server_max_window_bits = window_bits(v)?;
                    server_bits_asked = true;
                }
                // A hint (the client will not use more), or, without a
                // value, permission to limit it: our decompressor takes
                // any window, so we never do.
                ("client_max_window_bits", None) => {}
                ("client_max_window_bits", Some(v)) => p.client_max_window_bits = window_bits(v)?,
                _ => return None,
            }
        }
        p.server_no_context_takeover |= self.no_context_takeover;
        p.server_max_window_bits = p.server_max_window_bits.min(self.window());
        let mut answer = String::from(EXTENSION);
        if p.server_no_context_takeover {
            answer.push_str("; server_no_context_takeover");
        }
        if p.client_no_context_takeover {
            answer.push_str("; client_no_context_takeover");
        }
        if server_bits_asked || p.server_max_window_bits < 15 {
            answer.push_str(&format!(
                "; server_max_window_bits={}",
                p.server_max_window_bits
            ));
        }
        Some((p, answer))
    }
}

impl DeflateParams {
    /// (window bits, reset after each message) of the compressor of `role`.
    fn compressor_of(&self, role: Role) -> (u8, bool) {
        match role {
            Role::Client => (self.client_max_window_bits, self.client_no_context_takeover),
            Role::Server => (self.server_max_window_bits, self.server_no_context_takeover),
        }
    }

    /// The compressor for an endpoint of `role`.
    pub fn deflater(&self, role: Role) -> Deflater {
        let (bits, reset) = self.compressor_of(role);
        // zlib refuses raw deflate with a 256-byte window; stored blocks
        // (level 0) have no back-references, so they honour any window.
        let (level, bits) = if bits <= 8 {
            (0, 9)
        } else {
            (self.level.min(9), bits.min(15))
        };
        Deflater {
            compress: Compress::new_with_window_bits(Compression::new(level), false, bits),
            reset,
            out: Vec::new(),
        }
    }

    /// The decompressor for an endpoint of `role` (it reads what the other
    /// role compressed).
    pub fn inflater(&self, role: Role) -> Inflater {
        let peer = match role {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        };
        let (_, reset) = self.compressor_of(peer);
        Inflater {
            // A full window reads a stream made with any smaller one.
            decompress: Decompress::new_with_window_bits(false, 15),
            reset,
            ended: false,
            scratch: vec![0; INFLATE_CHUNK].into_boxed_slice(),
            unmasked: Vec::new(),
        }
    }
}

/// The compressor of one connection's outgoing messages.
#[derive(Debug)]
pub struct Deflater {
    compress: Compress,
    /// No context takeover: start afresh for every message.
    reset: bool,
    /// The last compressed message (reused).
    out: Vec<u8>,
}

/// A grown buffer past this is released after the message.
const KEEP_CAPACITY: usize = 1 << 20;

impl Deflater {
    /// Compresses one message payload; the result (without the trailing
    /// `00 00 FF FF`) stays valid until the next call.
    pub fn compress(&mut self, payload: &[u8]) -> Result<&[u8], Error> {
        if self.out.capacity() > KEEP_CAPACITY {
            self.out = Vec::new();
        }
        self.out.clear();
        let mut rest = payload;
        loop {
            // Room for the input plus the flush markers; deflate never
            // expands much beyond that (5 bytes per stored block).
            self.out.reserve(rest.len() / 2 + 64);
            let before = self.compress.total_in();
            let status = self
                .compress
                .compress_vec(rest, &mut self.out, FlushCompress::Sync)
                .map_err(|_| Error::CompressionFailed)?;
            let used = (self.compress.total_in() - before) as usize;
            rest = &rest[used..];
            // The flush is complete once all input is taken and the output
            // did not fill the room it had.
            if rest.is_empty() && self.out.len() < self.out.capacity() {
                break;
            }
            if status == Status::BufError && used == 0 && self.out.len() < self.out.capacity() {
                return Err(Error::CompressionFailed);
            }
        }
        if self.out.ends_with(&TAIL) {
            self.out.truncate(self.out.len() - TAIL.len());
        }
        if self.out.is_empty() {
            // zlib writes nothing for a second flush without input (an
            // empty message after another one). An empty payload would make
            // the receiver's appended tail the start of a stored block
            // header; one 0x00 byte makes it an empty stored block
            // (RFC 7692 §7.2.3.6).
            self.out.push(0x00);
        }
        if self.reset {
            self.compress.reset();
        }
        Ok(&self.out)
    }
}

/// The decompressor of one connection's incoming messages.
#[derive(Debug)]
pub struct Inflater {
    decompress: Decompress,
    /// The peer resets its compressor after every message: so do we.
    reset: bool,
    /// The peer's deflate stream ended (a block with BFINAL) exactly at the
    /// end of what arrived so far: the trailing `00 00 FF FF` must not be
    /// fed to the fresh stream unless more data follows.
    ended: bool,
    scratch: Box<[u8]>,
    unmasked: Vec<u8>,
}

impl Inflater {
    /// Inflates the next `bytes` of a compressed message (masked with `key`
    /// if given, `bytes[0]` being payload byte `offset`), handing every
    /// inflated piece to `sink` in order. Stops at the sink's first error.
    pub fn inflate(
        &mut self,
        bytes: &[u8],
        key: Option<[u8; 4]>,
        offset: usize,
        sink: &mut dyn FnMut(&[u8]) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let Some(key) = key else {
            return self.run(bytes, sink);
        };
        let mut unmasked = core::mem::take(&mut self.unmasked);
        let mut result = Ok(());
        for (i, chunk) in bytes.chunks(UNMASK_CHUNK).enumerate() {
            unmasked.clear();
            extend_masked(&mut unmasked, chunk, Some(key), offset + i * UNMASK_CHUNK);
            result = self.run(&unmasked, sink);
            if result.is_err() {
                break;
            }
        }
        self.unmasked = unmasked;
        result
    }

    /// The message is complete: inflates what the trailing `00 00 FF FF`
    /// flushes out, and resets for the next message when needed.
    pub fn finish(
        &mut self,
        sink: &mut dyn FnMut(&[u8]) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let result = if self.ended {
            Ok(())
        } else {
            self.run(&TAIL, sink)
        };
        if self.reset {
            self.decompress.reset(false);
        }
        self.ended = false;
        result
    }

    fn run(
        &mut self,
        mut input: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> Result<(), Error>,
    ) -> Result<(), Error> {
        if !input.is_empty() {
            self.ended = false;
        }
        loop {
            let (in_before, out_before) = (self.decompress.total_in(), self.decompress.total_out());
            let status =
                self.decompress
                    .decompress(input, &mut self.scratch, FlushDecompress::None);
            let used = (self.decompress.total_in() - in_before) as usize;
            let produced = (self.decompress.total_out() - out_before) as usize;
            input = &input[used.min(input.len())..];
            // What inflated before an error comes first (it may be invalid
            // text or over the limit): the error must not depend on how the
            // input was split into reads.
            if produced > 0 {
                sink(&self.scratch[..produced.min(self.scratch.len())])?;
            }
            let status = status.map_err(|_| Error::InvalidCompressedData)?;
            if status == Status::StreamEnd {
                // A block with BFINAL (RFC 7692 §7.2.3.4): what follows, if
                // anything, is a new stream (typically an empty stored
                // block, then the tail we append).
                self.decompress.reset(false);
                if input.is_empty() {
                    self.ended = true;
                    return Ok(());
                }
                continue;
            }
            // More may be pending only when the scratch buffer was filled.
            if produced < self.scratch.len() && (input.is_empty() || used == 0) {
                if !input.is_empty() {
                    return Err(Error::InvalidCompressedData);
                }
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inflate_all(inflater: &mut Inflater, data: &[u8]) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        inflater.inflate(data, None, 0, &mut |c| {
            out.extend_from_slice(c);
            Ok(())
        })?;
        inflater.finish(&mut |c| {
            out.extend_from_slice(c);
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn the_rfc_7692_example_hello_decodes() {
        // RFC 7692 §7.2.3.1: "Hello" compressed in one block.
        let p = DeflateParams::default();
        let mut inflater = p.inflater(Role::Client);
        let data = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
        assert_eq!(inflate_all(&mut inflater, &data).unwrap(), b"Hello");
        // §7.2.3.2: the same again with context takeover: 5 bytes.
        let again = [0xf2, 0x00, 0x11, 0x00, 0x00];
        assert_eq!(inflate_all(&mut inflater, &again).unwrap(), b"Hello");
        // §7.2.3.3: a stored block; §7.2.3.4: BFINAL set.
        let mut fresh = p.inflater(Role::Client);
        let stored = [
            0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00,
        ];
        assert_eq!(inflate_all(&mut fresh, &stored).unwrap(), b"Hello");
        let final_block = [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00];
        let mut fresh = p.inflater(Role::Client);
        assert_eq!(inflate_all(&mut fresh, &final_block).unwrap(), b"Hello");
        // Without the empty block after it too (the tail is not fed then).
        assert_eq!(
            inflate_all(&mut fresh, &final_block[..7]).unwrap(),
            b"Hello"
        );
        // After a final block the next message starts a new stream.
        assert_eq!(inflate_all(&mut fresh, &data).unwrap(), b"Hello");
    }

    #[test]
    fn compression_round_trips_with_every_window_and_takeover() {
        let text: Vec<u8> = b"the quick brown fox jumps over the lazy dog "
            .iter()
            .cycle()
            .take(5000)
            .copied()
            .collect();
        for bits in 8..=15u8 {
            for no_takeover in [false, true] {
                let p = DeflateParams {
                    server_max_window_bits: bits,
                    server_no_context_takeover: no_takeover,
                    ..DeflateParams::default()
                };
                let mut d = p.deflater(Role::Server);
                let mut i = p.inflater(Role::Client);
                for round in 0..3 {
                    let msg = &text[..1000 * (round + 1)];
                    let compressed = d.compress(msg).unwrap().to_vec();
                    assert!(!compressed.ends_with(&TAIL));
                    if bits > 8 {
                        assert!(compressed.len() < msg.len() / 4, "bits {bits}");
                    }
                    assert_eq!(inflate_all(&mut i, &compressed).unwrap(), msg);
                }
            }
        }
    }

    #[test]
    fn an_empty_message_compresses_to_a_single_byte() {
        let p = DeflateParams::default();
        let mut d = p.deflater(Role::Client);
        let c = d.compress(b"").unwrap().to_vec();
        assert_eq!(c, [0x00]);
        assert_eq!(inflate_all(&mut p.inflater(Role::Server), &c).unwrap(), b"");
    }

    #[test]
    fn an_empty_message_after_another_message_is_still_an_empty_block() {
        let p = DeflateParams::default();
        let mut d = p.deflater(Role::Server);
        let mut i = p.inflater(Role::Client);
        for msg in [&b"first"[..], b"", b"", b"after the empty ones"] {
            let c = d.compress(msg).unwrap().to_vec();
            assert!(!c.is_empty());
            assert_eq!(inflate_all(&mut i, &c).unwrap(), msg);
        }
    }

    #[test]
    fn invalid_deflate_data_is_refused_also_after_a_final_block() {
        let p = DeflateParams::default();
        let mut i = p.inflater(Role::Client);
        assert_eq!(
            inflate_all(&mut i, &[0xff, 0xff, 0xff]),
            Err(Error::InvalidCompressedData)
        );
        // A final block, then a block of the reserved type 3.
        let mut i = p.inflater(Role::Client);
        let final_then_bad = [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0xff];
        assert_eq!(
            inflate_all(&mut i, &final_then_bad),
            Err(Error::InvalidCompressedData)
        );
    }

    #[test]
    fn the_server_accepts_the_first_offer_it_can_honour() {
        let cfg = DeflateConfig::default();
        let (p, answer) = cfg
            .negotiate(["permessage-deflate; client_max_window_bits"])
            .unwrap();
        assert_eq!(answer, "permessage-deflate");
        assert_eq!(p, DeflateParams::default());
        // Unknown parameter, bad value, repeated parameter, missing value:
        // declined; the next offer is taken.
        for bad in [
            "permessage-deflate; foo",
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_max_window_bits=7",
            "permessage-deflate; server_max_window_bits=010",
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; server_no_context_takeover=1",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        ] {
            assert_eq!(cfg.negotiate([bad]), None, "{bad}");
            let (_, answer) = cfg
                .negotiate([bad, "x-webkit-deflate-frame", "permessage-deflate"])
                .unwrap();
            assert_eq!(answer, "permessage-deflate", "{bad}");
        }
        let (p, answer) = cfg
            .negotiate([
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=\"9\"; client_max_window_bits=10",
            ])
            .unwrap();
        assert_eq!(
            answer,
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9"
        );
        assert!(p.server_no_context_takeover && p.client_no_context_takeover);
        assert_eq!(
            (p.server_max_window_bits, p.client_max_window_bits),
            (9, 10)
        );
        // Our own limits show in the answer even when not asked for.
        let small = DeflateConfig {
            max_window_bits: 10,
            no_context_takeover: true,
            ..DeflateConfig::default()
        };
        let (_, answer) = small.negotiate(["permessage-deflate"]).unwrap();
        assert_eq!(
            answer,
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=10"
        );
        assert_eq!(cfg.negotiate(["x-other; a=1"]), None);
    }

    #[test]
    fn the_client_checks_the_answer_to_its_offer() {
        let cfg = DeflateConfig::default();
        assert_eq!(cfg.offer(), "permessage-deflate; client_max_window_bits");
        assert_eq!(cfg.accept_response([]), Ok(None));
        let p = cfg
            .accept_response([
                "permessage-deflate; client_max_window_bits=8; server_no_context_takeover",
            ])
            .unwrap()
            .unwrap();
        assert_eq!(p.client_max_window_bits, 8);
        assert!(p.server_no_context_takeover);
        for bad in [
            "permessage-deflate; client_max_window_bits",
            "permessage-deflate; bogus",
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
            "x-other",
            "permessage-deflate, permessage-deflate",
        ] {
            assert!(cfg.accept_response([bad]).is_err(), "{bad}");
        }
    }
}
