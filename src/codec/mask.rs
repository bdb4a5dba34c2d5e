//! Payload masking (RFC 6455 §5.3), in safe Rust.
//!
//! XOR with a 4-byte key is bytewise, so the key is widened to a 32-byte
//! block and the payload is processed 32 bytes at a time (which the compiler
//! turns into vector XORs); what is left (under 32 bytes, or a whole short
//! payload) takes straight-line 16-, 8- and 4-byte word XORs and at most 3
//! single bytes. No alignment is needed: unaligned wide loads are cheap on
//! every target we build for, and the code contains no `unsafe`.

use alloc::vec::Vec;

/// Masks (or unmasks: the operation is its own inverse) `buf` with `key`,
/// `buf[0]` being payload byte 0.
#[inline]
pub fn apply_mask(buf: &mut [u8], key: [u8; 4]) {
    apply_mask_at(buf, key, 0);
}

/// The key rotated so that its first byte applies to payload byte `offset`.
#[inline]
fn rotate(key: [u8; 4], offset: usize) -> [u8; 4] {
    u32::from_le_bytes(key)
        .rotate_right(8 * (offset & 3) as u32)
        .to_le_bytes()
}

/// The key repeated over 4, 8 and 16 bytes, as native-endian words. Each
/// half of a wider word equals the narrower one, so the bytes are the key
/// repeated on any endian.
#[inline(always)]
fn widen(k: [u8; 4]) -> (u32, u64, u128) {
    let k32 = u32::from_ne_bytes(k);
    let k64 = u64::from(k32) | (u64::from(k32) << 32);
    (k32, k64, u128::from(k64) | (u128::from(k64) << 64))
}

/// XORs a short `buf` (or the tail of a long one) with the repeating key
/// `k`: straight-line code, at most one 16-, one 8-, one 4-byte word and 3
/// single bytes, enough for anything under 32 bytes.
#[inline(always)]
fn mask_tail(buf: &mut [u8], k: [u8; 4]) {
    let (k32, k64, k128) = widen(k);
    let mut rest = buf;
    while rest.len() >= 16 {
        let (word, tail) = rest.split_at_mut(16);
        let mut w = [0u8; 16];
        w.copy_from_slice(word);
        word.copy_from_slice(&(u128::from_ne_bytes(w) ^ k128).to_ne_bytes());
        rest = tail;
    }
    if rest.len() >= 8 {
        let (word, tail) = rest.split_at_mut(8);
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        word.copy_from_slice(&(u64::from_ne_bytes(w) ^ k64).to_ne_bytes());
        rest = tail;
    }
    if rest.len() >= 4 {
        let (word, tail) = rest.split_at_mut(4);
        let mut w = [0u8; 4];
        w.copy_from_slice(word);
        word.copy_from_slice(&(u32::from_ne_bytes(w) ^ k32).to_ne_bytes());
        rest = tail;
    }
    for (b, m) in rest.iter_mut().zip(k.iter()) {
        *b ^= *m;
    }
}

/// The key repeated over 32 bytes: one block of the vectorised loops.
#[inline]
fn block(k: [u8; 4]) -> [u8; 32] {
    let mut block = [0u8; 32];
    for (i, b) in block.iter_mut().enumerate() {
        *b = k[i & 3];
    }
    block
}

/// Masks `buf` with `key`, `buf[0]` being payload byte `offset` (so a
/// payload that arrives in pieces can be unmasked piece by piece).
#[inline]
pub fn apply_mask_at(buf: &mut [u8], key: [u8; 4], offset: usize) {
    let k = rotate(key, offset);
    if buf.len() < ALIGN_FROM {
        if buf.len() < 32 {
            mask_tail(buf, k);
            return;
        }
        return mask_blocks(buf, k);
    }
    // A payload follows a 2- to 14-byte header, so it is rarely aligned:
    // mask up to 31 bytes one by one so that the 32-byte blocks start on a
    // 32-byte boundary and never straddle a cache line (about 10% faster
    // on large payloads). Only the address is read; no `unsafe` needed.
    let head = (32 - (buf.as_ptr() as usize & 31)) & 31;
    let (head, rest) = buf.split_at_mut(head);
    mask_tail(head, k);
    mask_blocks(rest, rotate(key, offset + head.len()));
}

/// Payloads from this size on get their blocks aligned first.
const ALIGN_FROM: usize = 256;

/// [`apply_mask_at`] after the key rotation, 32 bytes at a time.
#[inline]
fn mask_blocks(buf: &mut [u8], k: [u8; 4]) {
    let block = block(k);
    let mut chunks = buf.chunks_exact_mut(32);
    for chunk in &mut chunks {
        for (b, m) in chunk.iter_mut().zip(block.iter()) {
            *b ^= *m;
        }
    }
    // 32 is a multiple of 4: the key phase is unchanged for the rest.
    mask_tail(chunks.into_remainder(), k);
}

/// Writes `src` masked with `key` into `dst` (`src[0]` being payload byte
/// `offset`) in one pass: unmasking while copying out of a read buffer
/// saves a second pass over the payload.
///
/// `dst` and `src` must have the same length; extra bytes of the longer one
/// are left alone.
#[inline]
pub fn copy_masked(dst: &mut [u8], src: &[u8], key: [u8; 4], offset: usize) {
    let k = rotate(key, offset);
    let block = block(k);
    let mut d = dst.chunks_exact_mut(32);
    let mut r = src.chunks_exact(32);
    for (dc, sc) in (&mut d).zip(&mut r) {
        // Fixed-length indexing: the compiler proves the bounds and emits
        // vector XORs.
        for i in 0..32 {
            dc[i] = sc[i] ^ block[i];
        }
    }
    let d = d.into_remainder();
    let r = r.remainder();
    let n = d.len().min(r.len());
    d[..n].copy_from_slice(&r[..n]);
    mask_tail(&mut d[..n], k);
}

/// Below this size a payload is copied then masked in place (cheapest for
/// small buffers); from it on, masked while copied (one pass less).
const FUSED_FROM: usize = 256;

/// `src` masked with `key` (payload byte 0 first), as a new vector.
#[inline]
pub fn to_masked_vec(src: &[u8], key: [u8; 4]) -> Vec<u8> {
    if src.len() < FUSED_FROM {
        let mut out = src.to_vec();
        apply_mask(&mut out, key);
        out
    } else {
        let mut out = Vec::with_capacity(src.len());
        push_masked::<false>(&mut out, src, key, 0);
        out
    }
}

/// Bytes of key pattern [`push_masked`] XORs against per step.
const PATTERN: usize = 256;

/// The key repeated over [`PATTERN`] bytes.
///
/// Built as copies of one 16-byte word so that the compiler sees every
/// 16-byte lane of the pattern is the same value and keeps it in one vector
/// register: XORing against a pattern read from the stack costs a second
/// load per 16 bytes, which makes the copy load-bound (two loads and a
/// store per vector instead of one and one).
#[inline]
fn pattern(k: [u8; 4]) -> [u8; PATTERN] {
    let word = widen(k).2.to_ne_bytes();
    let mut pattern = [0u8; PATTERN];
    for chunk in pattern.chunks_exact_mut(16) {
        chunk.copy_from_slice(&word);
    }
    pattern
}

/// Appends `src` masked with `key` to `dst` in one pass into the vector's
/// spare capacity, never zero-filling it, in safe Rust: `Vec::extend` from
/// a zip of two slices (an exact-size, trusted-length iterator) writes
/// straight into reserved memory, and the compiler vectorises the XOR.
///
/// The payload goes through in whole [`PATTERN`]-byte chunks borrowed as
/// arrays: with a constant trip count the compiler emits straight vector
/// code, where a slice of unknown length costs a length test every 32
/// bytes (about 20% of the pass on 64 KiB). With `TRACK_ASCII`, it also
/// ORs the bytes it writes together (in registers: no second pass) for as
/// long as every chunk so far was ASCII, and returns how many leading bytes
/// of what it appended are known to be ASCII, so that UTF-8 validation can
/// start after them; otherwise it returns 0.
///
/// Measured and left out (decode-multibyte-64KiB, AMD EPYC): aligning the
/// source reads (then the stores into the vector are misaligned: 3-5%
/// slower), and validating text block by block right after each block is
/// copied, while it is in L1 (`simdutf8` is compute-bound there, not
/// memory-bound: no faster at 4 or 16 KiB blocks, slower at 1 KiB, and
/// ASCII text lost the skip of whole pieces).
#[inline]
fn push_masked<const TRACK_ASCII: bool>(
    dst: &mut Vec<u8>,
    src: &[u8],
    key: [u8; 4],
    offset: usize,
) -> usize {
    let k = rotate(key, offset);
    let pattern = pattern(k);
    dst.reserve(src.len());
    let mut ascii = 0;
    let mut tracking = TRACK_ASCII;
    let mut chunks = src.chunks_exact(PATTERN);
    // PATTERN is a multiple of 4: the key phase is the same for each chunk.
    for chunk in &mut chunks {
        let Ok(chunk) = <&[u8; PATTERN]>::try_from(chunk) else {
            // Unreachable (`chunks_exact`); correct anyway.
            dst.extend(chunk.iter().zip(&pattern).map(|(a, b)| a ^ b));
            tracking = false;
            continue;
        };
        if tracking {
            let mut seen = 0u8;
            dst.extend(chunk.iter().zip(&pattern).map(|(a, b)| {
                let byte = a ^ b;
                seen |= byte;
                byte
            }));
            if seen < 0x80 {
                ascii += PATTERN;
            } else {
                // Text that is not all ASCII: the rest goes the plain way
                // and is left to the validator.
                tracking = false;
            }
        } else {
            dst.extend(chunk.iter().zip(&pattern).map(|(a, b)| a ^ b));
        }
    }
    let rest = chunks.remainder();
    let start = dst.len();
    dst.extend_from_slice(rest);
    mask_tail(&mut dst[start..], k);
    if tracking && dst[start..].is_ascii() {
        ascii += rest.len();
    }
    ascii
}

/// Appends `src` to `dst`, masked with `key` if given (`src[0]` being
/// payload byte `offset`).
#[inline]
pub fn extend_masked(dst: &mut Vec<u8>, src: &[u8], key: Option<[u8; 4]>, offset: usize) {
    let start = dst.len();
    match key {
        // Masking while copying, without a zero-fill pass first.
        Some(key) if src.len() >= FUSED_FROM => {
            push_masked::<false>(dst, src, key, offset);
        }
        Some(key) => {
            dst.extend_from_slice(src);
            apply_mask_at(&mut dst[start..], key, offset);
        }
        None => dst.extend_from_slice(src),
    }
}

/// [`extend_masked`] for text: also returns how many leading bytes of what
/// it appended it saw to be ASCII on the way (a lower bound, possibly 0),
/// which need no UTF-8 validation when no character is pending before
/// them.
#[inline]
pub fn extend_masked_text(
    dst: &mut Vec<u8>,
    src: &[u8],
    key: Option<[u8; 4]>,
    offset: usize,
) -> usize {
    match key {
        Some(key) if src.len() >= FUSED_FROM => push_masked::<true>(dst, src, key, offset),
        _ => {
            extend_masked(dst, src, key, offset);
            0
        }
    }
}

/// A fresh masking key from the operating system's cryptographic random
/// number generator, as RFC 6455 §5.3 requires for every client frame.
///
/// Keys are drawn from a per-thread pool of 256 OS random bytes, refilled
/// when used up: 64 frames per system call instead of one. Each byte is used
/// once. (Keys travel in clear in the frame header; what matters is that a
/// peer cannot predict the next one, and the pool never leaves the process.)
///
/// Native only: in the browser the `WebSocket` object masks by itself.
#[cfg(not(target_arch = "wasm32"))]
pub fn random_key() -> Result<[u8; 4], super::Error> {
    use std::cell::RefCell;

    const POOL: usize = 256;
    struct Pool {
        bytes: [u8; POOL],
        used: usize,
    }
    thread_local! {
        static KEYS: RefCell<Pool> = const {
            RefCell::new(Pool { bytes: [0; POOL], used: POOL })
        };
    }
    KEYS.with(|pool| {
        let mut pool = pool
            .try_borrow_mut()
            .map_err(|_| super::Error::RandomUnavailable)?;
        if pool.used == POOL {
            getrandom::fill(&mut pool.bytes).map_err(|_| super::Error::RandomUnavailable)?;
            pool.used = 0;
        }
        let at = pool.used;
        let mut key = [0u8; 4];
        key.copy_from_slice(&pool.bytes[at..at + 4]);
        pool.used += 4;
        Ok(key)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(buf: &mut [u8], key: [u8; 4], offset: usize) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b ^= key[(offset + i) % 4];
        }
    }

    #[test]
    fn matches_bytewise_masking_at_every_length_offset_and_alignment() {
        let key = [0x12, 0x34, 0x56, 0x78];
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        // Lengths cover every residue mod 8 and mod 32 and the short path;
        // `start` moves the slice across every memory alignment.
        for len in 0..=140 {
            for start in 0..8 {
                for offset in 0..4 {
                    let mut ours = data[start..start + len].to_vec();
                    let mut want = ours.clone();
                    apply_mask_at(&mut ours, key, offset);
                    naive(&mut want, key, offset);
                    assert_eq!(ours, want, "len {len} start {start} offset {offset}");
                }
            }
        }
    }

    #[test]
    fn copy_masked_matches_bytewise_masking_at_every_length_and_offset() {
        let key = [0xA1, 0x02, 0xF3, 0x44];
        let data: Vec<u8> = (0..200u32).map(|i| (i * 13 + 1) as u8).collect();
        for len in 0..=140 {
            for start in 0..8 {
                for offset in 0..4 {
                    let src = &data[start..start + len];
                    let mut want = src.to_vec();
                    naive(&mut want, key, offset);
                    let mut out = vec![0u8; len];
                    copy_masked(&mut out, src, key, offset);
                    assert_eq!(out, want, "len {len} start {start} offset {offset}");
                    let mut grown = vec![9u8; start];
                    extend_masked(&mut grown, src, Some(key), offset);
                    assert_eq!(&grown[start..], &want[..]);
                    assert_eq!(&grown[..start], &vec![9u8; start][..]);
                    if offset == 0 {
                        assert_eq!(to_masked_vec(src, key), want);
                    }
                }
            }
        }
    }

    #[test]
    fn the_fused_paths_for_large_payloads_mask_correctly() {
        let key = [7, 77, 177, 255];
        let data: Vec<u8> = (0..3 * FUSED_FROM as u32)
            .map(|i| (i % 253) as u8)
            .collect();
        for len in [
            FUSED_FROM - 1,
            FUSED_FROM,
            FUSED_FROM + 5,
            2 * FUSED_FROM + 31,
        ] {
            for offset in 0..4 {
                let mut want = data[..len].to_vec();
                naive(&mut want, key, offset);
                let mut got = vec![1, 2, 3];
                extend_masked(&mut got, &data[..len], Some(key), offset);
                assert_eq!(&got[3..], &want[..], "len {len} offset {offset}");
            }
            let mut want = data[..len].to_vec();
            naive(&mut want, key, 0);
            assert_eq!(to_masked_vec(&data[..len], key), want);
        }
    }

    #[test]
    fn the_text_copy_claims_as_ascii_only_bytes_it_saw_to_be_ascii() {
        // Key bytes with and without the high bit: masked ASCII is not ASCII.
        let key = [0x80, 0x11, 0xFF, 0x7F];
        for len in [FUSED_FROM, FUSED_FROM + 3, 3 * PATTERN + 17, 4 * PATTERN] {
            let ascii: Vec<u8> = (0..len).map(|i| b' ' + (i % 90) as u8).collect();
            for offset in 0..4 {
                let mut masked = ascii.clone();
                naive(&mut masked, key, offset);
                let mut out = vec![b'x'];
                assert_eq!(
                    extend_masked_text(&mut out, &masked, Some(key), offset),
                    len,
                    "len {len} offset {offset}"
                );
                assert_eq!(&out[1..], &ascii[..]);
                for at in [0, 1, PATTERN - 1, PATTERN, len - 1] {
                    if at >= len {
                        continue;
                    }
                    let mut text = ascii.clone();
                    text[at] = 0xC3;
                    let mut masked = text.clone();
                    naive(&mut masked, key, offset);
                    let mut out = Vec::new();
                    let claimed = extend_masked_text(&mut out, &masked, Some(key), offset);
                    assert!(claimed <= at, "len {len} offset {offset} at {at}");
                    assert_eq!(out, text);
                }
            }
        }
        // Short or unmasked pieces: nothing claimed, bytes copied as usual.
        let mut out = Vec::new();
        assert_eq!(extend_masked_text(&mut out, b"abc", Some(key), 0), 0);
        assert_eq!(extend_masked_text(&mut out, &[b'a'; 300], None, 0), 0);
        assert_eq!(out.len(), 303);
    }

    #[test]
    fn the_aligned_path_for_large_payloads_masks_at_every_address_and_offset() {
        let key = [0x5A, 0x01, 0xC3, 0x9F];
        let data: Vec<u8> = (0..1200u32).map(|i| (i * 31 + 5) as u8).collect();
        for len in [ALIGN_FROM - 1, ALIGN_FROM, ALIGN_FROM + 1, 300, 1000] {
            // 40 starts cover every address modulo 32.
            for start in 0..40 {
                for offset in 0..4 {
                    let mut ours = data[start..start + len].to_vec();
                    // Mask in place at the original (unaligned) address too.
                    let mut at = data.clone();
                    let mut want = ours.clone();
                    naive(&mut want, key, offset);
                    apply_mask_at(&mut ours, key, offset);
                    apply_mask_at(&mut at[start..start + len], key, offset);
                    assert_eq!(ours, want, "len {len} start {start} offset {offset}");
                    assert_eq!(&at[start..start + len], &want[..]);
                    assert_eq!(&at[..start], &data[..start], "nothing before");
                    assert_eq!(&at[start + len..], &data[start + len..], "nothing after");
                }
            }
        }
    }

    #[test]
    fn masking_in_pieces_equals_masking_at_once() {
        let key = [1, 2, 3, 250];
        let data: Vec<u8> = (0..=255u8).collect();
        let mut whole = data.clone();
        apply_mask(&mut whole, key);
        for cut in 0..data.len() {
            let mut pieces = data.clone();
            let (a, b) = pieces.split_at_mut(cut);
            apply_mask_at(a, key, 0);
            apply_mask_at(b, key, cut);
            assert_eq!(pieces, whole, "cut {cut}");
        }
    }

    #[test]
    fn masking_twice_restores_the_payload() {
        let data: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
        let mut buf = data.clone();
        apply_mask(&mut buf, [9, 8, 7, 6]);
        assert_ne!(buf, data);
        apply_mask(&mut buf, [9, 8, 7, 6]);
        assert_eq!(buf, data);
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn random_keys_differ() {
        // 8 draws of 32 bits all equal has probability 2^-224; 200 draws
        // cross a pool refill.
        let keys: Vec<[u8; 4]> = (0..200).map(|_| random_key().unwrap()).collect();
        assert!(keys[..8].iter().any(|k| *k != keys[0]));
        assert!(keys[64..72].iter().any(|k| *k != keys[64]));
        assert_ne!(keys[..64], keys[64..128]);
    }
}
