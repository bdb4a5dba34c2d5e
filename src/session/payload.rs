//! What the core needs to know about a message type.

/// What the core needs to know about a message.
pub trait Payload: Clone + PartialEq {
    /// The text the core passes through without looking inside: close
    /// reasons and subprotocols. `String` natively; a JS string in the
    /// browser, so that none crosses into linear memory and back. The core
    /// only makes its own from `&'static str` (its synthesised reasons).
    type Text: Clone + Default + From<&'static str>;

    /// Size in bytes, for the send queue's `max_bytes` bound (an estimate is
    /// fine where exact UTF-8 length is costly, e.g. UTF-16 JS strings).
    fn byte_len(&self) -> usize;
}
