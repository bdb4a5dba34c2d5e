//! UTF-8 validation: whole buffers, and incremental across frame pieces.
//!
//! Text can arrive split anywhere: across fragments, and (because the decoder
//! consumes partial payloads) across reads inside one frame. The incremental
//! validator fails as soon as the bytes seen so far cannot be the start of
//! valid UTF-8 (Autobahn 6.4.x "fail fast"), keeping at most 3 bytes of an
//! unfinished character between pieces. Both paths use `simdutf8`.

use super::Error;
use alloc::{string::String, vec::Vec};

/// Incremental validator: feed pieces in order, then [`finish`](Self::finish).
#[derive(Debug, Clone, Default)]
pub struct Utf8Validator {
    /// The start of a character split across pieces (a valid prefix).
    pending: [u8; 4],
    pending_len: u8,
}

/// Where the last character of `bytes` starts if it may be unfinished: the
/// index of a lead byte among the last 3 bytes (none after it but
/// continuation bytes), else `bytes.len()`. Everything before it ends on a
/// character boundary.
fn last_char_start(bytes: &[u8]) -> usize {
    let len = bytes.len();
    for i in (len.saturating_sub(3)..len).rev() {
        match bytes[i] {
            0x00..=0x7F => return i + 1,
            0xC0..=0xFF => return i,
            _ => {}
        }
    }
    len
}

/// Total length of the character a lead byte starts (for a lead byte that
/// `simdutf8` has already accepted as a valid prefix).
fn char_width(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        _ => 2,
    }
}

impl Utf8Validator {
    /// A validator at the start of a message.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets any unfinished character (at the start of a new message).
    pub fn reset(&mut self) {
        self.pending_len = 0;
    }

    /// Whether an unfinished character is pending.
    pub fn is_incomplete(&self) -> bool {
        self.pending_len != 0
    }

    /// Validates the next piece. Fails as soon as the text so far cannot be
    /// completed into valid UTF-8.
    pub fn feed(&mut self, mut bytes: &[u8]) -> Result<(), Error> {
        if self.pending_len != 0 {
            let have = usize::from(self.pending_len);
            let need = char_width(self.pending[0]) - have;
            let take = need.min(bytes.len());
            let mut tmp = self.pending;
            tmp[have..have + take].copy_from_slice(&bytes[..take]);
            let candidate = &tmp[..have + take];
            match simdutf8::compat::from_utf8(candidate) {
                Ok(_) => {}
                Err(e) if e.error_len().is_none() && take < need => {}
                Err(_) => return Err(Error::InvalidUtf8),
            }
            if take < need {
                self.pending = tmp;
                self.pending_len = (have + take) as u8;
                return Ok(());
            }
            self.pending_len = 0;
            bytes = &bytes[take..];
        }
        // Most of a piece is validated with simdutf8's faster `basic` API,
        // up to where the last character may be cut off; only those at
        // most 3 bytes need `compat`, which tells an unfinished character
        // from an invalid one. Errors before the cut are final: the prefix
        // ends where a character starts.
        let cut = last_char_start(bytes);
        if cut > 0 && simdutf8::basic::from_utf8(&bytes[..cut]).is_err() {
            return Err(Error::InvalidUtf8);
        }
        let rest = &bytes[cut..];
        match simdutf8::compat::from_utf8(rest) {
            Ok(_) => Ok(()),
            Err(e) if e.error_len().is_none() => {
                // A valid prefix of a character, at most 3 bytes long.
                let tail = &rest[e.valid_up_to()..];
                self.pending[..tail.len()].copy_from_slice(tail);
                self.pending_len = tail.len() as u8;
                Ok(())
            }
            Err(_) => Err(Error::InvalidUtf8),
        }
    }

    /// Ends the text: fails if it stops inside a character.
    pub fn finish(&mut self) -> Result<(), Error> {
        if self.pending_len != 0 {
            self.pending_len = 0;
            return Err(Error::InvalidUtf8);
        }
        Ok(())
    }
}

/// Texts up to this length are checked for pure ASCII first: cheaper than
/// `simdutf8`'s setup for short chat-like messages.
const SHORT_TEXT: usize = 256;

/// Whether `bytes` is all ASCII: ORs 8-byte words together (no early exit:
/// only used on short texts, where a branch per word costs more).
#[inline]
fn is_ascii_short(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    let mut acc = 0u64;
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        acc |= u64::from_ne_bytes(w);
    }
    let tail = words.remainder().iter().fold(0u8, |a, b| a | b);
    acc & 0x8080_8080_8080_8080 == 0 && tail < 0x80
}

/// Validates a complete text with `simdutf8`.
#[inline]
pub fn validate(bytes: &[u8]) -> Result<(), Error> {
    if bytes.len() <= SHORT_TEXT && is_ascii_short(bytes) {
        return Ok(());
    }
    simdutf8::basic::from_utf8(bytes)
        .map(|_| ())
        .map_err(|_| Error::InvalidUtf8)
}

/// Turns bytes into a `String`, validating them with `simdutf8` (several
/// times faster than `String::from_utf8` on non-ASCII text).
#[allow(unsafe_code)]
pub fn into_string(bytes: Vec<u8>) -> Result<String, Error> {
    validate(&bytes)?;
    // SAFETY: `validate` just checked that `bytes` is valid UTF-8, and the
    // vector is moved in, so nothing can change it in between.
    Ok(unsafe { String::from_utf8_unchecked(bytes) })
}

/// Borrows bytes as text, validating them with `simdutf8` (the zero-copy
/// counterpart of [`into_string`]).
#[allow(unsafe_code)]
#[inline]
pub fn as_str(bytes: &[u8]) -> Result<&str, Error> {
    validate(bytes)?;
    // SAFETY: `validate` just checked that `bytes` is valid UTF-8, and the
    // shared borrow keeps it from changing while the `&str` lives.
    Ok(unsafe { core::str::from_utf8_unchecked(bytes) })
}

/// A text message being received piece by piece: its bytes can only grow
/// through [`extend`](Self::extend), which validates every piece as it is
/// appended, so the complete text is validated exactly once.
///
/// The buffer is reusable: [`complete`](Self::complete) ends a text and
/// [`as_str`](Self::as_str) borrows it (the zero-copy path of the decoder),
/// [`clear`](Self::clear) starts the next one in the same memory.
#[derive(Debug, Default)]
pub struct TextBuffer {
    bytes: Vec<u8>,
    validator: Utf8Validator,
    /// A piece failed validation: the bytes are not text and never will be.
    invalid: bool,
    /// [`complete`](Self::complete) succeeded and nothing was appended
    /// since: `bytes` is valid UTF-8 as a whole.
    complete: bool,
}

/// A buffer grown past this by one big message is released when the next
/// message starts, rather than kept for the life of the connection.
const KEEP_CAPACITY: usize = 1 << 20;

impl TextBuffer {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes appended so far.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether nothing has been appended.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Reserves room for `additional` more bytes.
    pub fn reserve(&mut self, additional: usize) {
        self.bytes.reserve(additional);
    }

    /// Empties the buffer for the next text (keeping its memory unless a
    /// big message grew it past 1 MiB).
    pub fn clear(&mut self) {
        if self.bytes.capacity() > KEEP_CAPACITY {
            self.bytes = Vec::new();
        }
        self.bytes.clear();
        self.validator.reset();
        self.invalid = false;
        self.complete = false;
    }

    /// Ends the text: fails if it is invalid or stops inside a character.
    /// Afterwards [`as_str`](Self::as_str) and
    /// [`take_string`](Self::take_string) hand it out.
    pub fn complete(&mut self) -> Result<(), Error> {
        if self.invalid {
            return Err(Error::InvalidUtf8);
        }
        if let Err(e) = self.validator.finish() {
            self.invalid = true;
            return Err(e);
        }
        self.complete = true;
        Ok(())
    }

    /// The text, once [`complete`](Self::complete) succeeded (`None`
    /// before).
    #[allow(unsafe_code)]
    pub fn as_str(&self) -> Option<&str> {
        if !self.complete {
            return None;
        }
        debug_assert!(core::str::from_utf8(&self.bytes).is_ok());
        // SAFETY: `complete` is only set by `complete()` after every byte
        // went through the validator in order (see `finish`), and cleared
        // by every method that changes `bytes` (`extend`, `clear`,
        // `take_string`); `bytes` is private to this type.
        Some(unsafe { core::str::from_utf8_unchecked(&self.bytes) })
    }

    /// Moves the text out (once [`complete`](Self::complete) succeeded),
    /// leaving the buffer empty.
    #[allow(unsafe_code)]
    pub fn take_string(&mut self) -> Option<String> {
        if !self.complete {
            return None;
        }
        let bytes = core::mem::take(&mut self.bytes);
        self.clear();
        debug_assert!(core::str::from_utf8(&bytes).is_ok());
        // SAFETY: as in `as_str`: `complete` guarantees the bytes are valid
        // UTF-8, and they are moved out, so nothing can change them.
        Some(unsafe { String::from_utf8_unchecked(bytes) })
    }

    /// Appends `src`, unmasked with `key` if given (`src[0]` being payload
    /// byte `offset`), and validates it. Fails as soon as the text so far
    /// cannot be completed into valid UTF-8.
    pub fn extend(&mut self, src: &[u8], key: Option<[u8; 4]>, offset: usize) -> Result<(), Error> {
        if self.invalid {
            return Err(Error::InvalidUtf8);
        }
        self.complete = false;
        let start = self.bytes.len();
        let ascii = super::mask::extend_masked_text(&mut self.bytes, src, key, offset);
        // ASCII after a character boundary is valid and leaves the
        // validator where it was, so the bytes the unmasking copy saw to be
        // ASCII need no second look: an all-ASCII piece costs one pass.
        let skip = if self.validator.is_incomplete() {
            0
        } else {
            ascii
        };
        let result = self.validator.feed(&self.bytes[start + skip..]);
        self.invalid = result.is_err();
        result
    }

    /// The complete text, if it does not end inside a character.
    #[allow(unsafe_code)]
    pub fn finish(mut self) -> Result<String, Error> {
        if self.invalid {
            return Err(Error::InvalidUtf8);
        }
        self.validator.finish()?;
        debug_assert!(core::str::from_utf8(&self.bytes).is_ok());
        // SAFETY: every byte was appended by `extend`, which fed it to the
        // validator in order (failures set `invalid`, checked above), and
        // the validator's `finish` succeeded: the concatenation of all the
        // pieces is valid UTF-8 (see `Utf8Validator`). `bytes` is private to
        // this type.
        Ok(unsafe { String::from_utf8_unchecked(self.bytes) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incremental(pieces: &[&[u8]]) -> Result<(), Error> {
        let mut v = Utf8Validator::new();
        for p in pieces {
            v.feed(p)?;
        }
        v.finish()
    }

    #[test]
    fn agrees_with_std_at_every_split() {
        let samples: Vec<Vec<u8>> = vec![
            "héllo wörld κόσμε €𝄞".as_bytes().to_vec(),
            b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80edited".to_vec(),
            b"abc\xed\xa0\x80".to_vec(),
            b"abc\xe2\x82".to_vec(),
            b"\xf0\x9f\x98".to_vec(),
            b"\xc0\xaf".to_vec(),
            b"\xf4\x8f\xbf\xbf".to_vec(),
            b"\xff".to_vec(),
            b"".to_vec(),
        ];
        for s in &samples {
            let want = std::str::from_utf8(s).is_ok();
            assert_eq!(incremental(&[s]).is_ok(), want, "{s:?}");
            for cut in 0..=s.len() {
                let (a, b) = s.split_at(cut);
                assert_eq!(incremental(&[a, b]).is_ok(), want, "{s:?} cut {cut}");
            }
            let bytes: Vec<&[u8]> = s.chunks(1).collect();
            assert_eq!(incremental(&bytes).is_ok(), want, "{s:?} byte by byte");
        }
    }

    #[test]
    fn fails_fast_on_a_prefix_that_can_never_become_valid() {
        // Autobahn 6.4.4: the code point starts with F4, the next byte 0x90
        // makes it > U+10FFFF; the error must come with that byte, before
        // the rest of the text arrives.
        let mut v = Utf8Validator::new();
        v.feed(b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4")
            .unwrap();
        assert_eq!(v.feed(b"\x90"), Err(Error::InvalidUtf8));
        // Autobahn 6.4.3: the invalid sequence arrives in one piece.
        let mut v = Utf8Validator::new();
        v.feed(b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5")
            .unwrap();
        assert_eq!(v.feed(b"\xf4\x90\x80\x80"), Err(Error::InvalidUtf8));
    }

    #[test]
    fn an_unfinished_character_is_an_error_only_at_the_end() {
        let mut v = Utf8Validator::new();
        v.feed(b"\xe2\x82").unwrap();
        assert!(v.is_incomplete());
        assert_eq!(v.finish(), Err(Error::InvalidUtf8));
    }

    #[test]
    fn text_buffer_validates_pieces_once_and_stays_invalid() {
        let text = "κόσμε €𝄞 ok".as_bytes();
        let key = [3, 1, 4, 1];
        let mut masked = text.to_vec();
        crate::codec::mask::apply_mask(&mut masked, key);
        for cut in 0..=text.len() {
            let mut buf = TextBuffer::new();
            buf.extend(&masked[..cut], Some(key), 0).unwrap();
            buf.extend(&masked[cut..], Some(key), cut).unwrap();
            assert_eq!(buf.len(), text.len());
            assert_eq!(buf.finish().unwrap().as_bytes(), text);
        }
        let mut buf = TextBuffer::new();
        assert_eq!(buf.extend(b"ok\xff", None, 0), Err(Error::InvalidUtf8));
        assert_eq!(buf.extend(b"fine", None, 0), Err(Error::InvalidUtf8));
        assert_eq!(buf.finish(), Err(Error::InvalidUtf8));
        let mut buf = TextBuffer::new();
        buf.extend(b"\xe2\x82", None, 0).unwrap();
        assert_eq!(buf.finish(), Err(Error::InvalidUtf8));
    }

    #[test]
    fn long_ascii_pieces_skip_only_what_needs_no_check() {
        let key = [0x81, 0x02, 0x83, 0x04];
        let masked = |bytes: &[u8], offset: usize| {
            let mut m = bytes.to_vec();
            crate::codec::mask::apply_mask_at(&mut m, key, offset);
            m
        };
        // A character cut before a long ASCII piece: ASCII cannot finish it.
        let mut buf = TextBuffer::new();
        buf.extend(&masked(b"ok \xE2\x82", 0), Some(key), 0)
            .unwrap();
        let ascii = vec![b'a'; 600];
        assert_eq!(
            buf.extend(&masked(&ascii, 5), Some(key), 5),
            Err(Error::InvalidUtf8)
        );
        // An invalid byte after ASCII chunks of one long piece fails it.
        for at in [0, 255, 256, 300, 599] {
            let mut text = vec![b'a'; 600];
            text[at] = 0xFF;
            let mut buf = TextBuffer::new();
            assert_eq!(
                buf.extend(&masked(&text, 0), Some(key), 0),
                Err(Error::InvalidUtf8),
                "at {at}"
            );
        }
        // A character cut at the end of a long ASCII piece is finished by
        // the next piece.
        let mut text = vec![b'a'; 599];
        text.extend_from_slice("€ fin".as_bytes());
        let wire = masked(&text, 0);
        for cut in 597..=603 {
            let mut buf = TextBuffer::new();
            buf.extend(&wire[..cut], Some(key), 0).unwrap();
            buf.extend(&wire[cut..], Some(key), cut).unwrap();
            assert_eq!(buf.finish().unwrap().as_bytes(), &text[..], "cut {cut}");
        }
    }

    #[test]
    fn the_short_ascii_check_sees_a_high_bit_anywhere() {
        for len in 0..40 {
            let ascii = vec![b'a'; len];
            assert!(is_ascii_short(&ascii));
            for at in 0..len {
                let mut bytes = ascii.clone();
                bytes[at] = 0x80;
                assert!(!is_ascii_short(&bytes), "len {len} at {at}");
            }
        }
    }

    #[test]
    fn into_string_rejects_invalid_and_keeps_valid_text() {
        assert_eq!(into_string(b"\xff".to_vec()), Err(Error::InvalidUtf8));
        assert_eq!(into_string("ok €".into()).unwrap(), "ok €");
    }
}
