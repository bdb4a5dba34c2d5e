//! Payload masking (RFC 6455 §5.3), in safe Rust.
//!
//! XOR with a 4-byte key is bytewise, so the key is widened to a 32-byte
//! block and the payload is processed 32 bytes at a time (which the compiler
//! turns into vector XORs), then 8 bytes at a time as a `u64`, then byte by
//! byte. No alignment is needed: unaligned wide loads are cheap on every
//! target we build for, and the code contains no `unsafe`.

/// Masks (or unmasks: the operation is its own inverse) `buf` with `key`,
/// `buf[0]` being payload byte 0.
#[inline]
pub fn apply_mask(buf: &mut [u8], key: [u8; 4]) {
    apply_mask_at(buf, key, 0);
}

/// Masks `buf` with `key`, `buf[0]` being payload byte `offset` (so a
/// payload that arrives in pieces can be unmasked piece by piece).
pub fn apply_mask_at(buf: &mut [u8], key: [u8; 4], offset: usize) {
    let s = offset & 3;
    let k = [key[s], key[(s + 1) & 3], key[(s + 2) & 3], key[(s + 3) & 3]];
    // Short payloads (ping bodies, chat messages) skip the wide setup.
    if buf.len() < 8 {
        for (i, b) in buf.iter_mut().enumerate() {
            *b ^= k[i & 3];
        }
        return;
    }
    let mut block = [0u8; 32];
    for (i, b) in block.iter_mut().enumerate() {
        *b = k[i & 3];
    }
    let mut chunks = buf.chunks_exact_mut(32);
    for chunk in &mut chunks {
        for (b, m) in chunk.iter_mut().zip(block.iter()) {
            *b ^= *m;
        }
    }
    // 32 is a multiple of 4: the key phase is unchanged for the rest.
    let rest = chunks.into_remainder();
    let wide = u64::from_ne_bytes([k[0], k[1], k[2], k[3], k[0], k[1], k[2], k[3]]);
    let mut words = rest.chunks_exact_mut(8);
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        word.copy_from_slice(&(u64::from_ne_bytes(w) ^ wide).to_ne_bytes());
    }
    for (i, b) in words.into_remainder().iter_mut().enumerate() {
        *b ^= k[i & 3];
    }
}

/// A fresh masking key from the operating system's cryptographic random
/// number generator, as RFC 6455 §5.3 requires for every client frame.
///
/// Native only: in the browser the `WebSocket` object masks by itself.
#[cfg(not(target_arch = "wasm32"))]
pub fn random_key() -> Result<[u8; 4], super::Error> {
    let mut key = [0u8; 4];
    getrandom::fill(&mut key).map_err(|_| super::Error::RandomUnavailable)?;
    Ok(key)
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
        // 8 draws of 32 bits all equal has probability 2^-224.
        let keys: Vec<[u8; 4]> = (0..8).map(|_| random_key().unwrap()).collect();
        assert!(keys.iter().any(|k| *k != keys[0]));
    }
}
